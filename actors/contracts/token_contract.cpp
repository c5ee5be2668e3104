// The token contract actor: a thin shell around token_state.hpp. Spawned by
// the token factory (spawn_token_contract) on the node placement chose; one
// per deployed token. Durable (contract_durable.hpp): it journals each block
// it decides (the ledger's own event) and restores from its store.

#include "actors/contracts/contract_actor.hpp"
#include "actors/contracts/contract_restore.hpp"
#include "actors/contracts/token_state.hpp"

#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <utility>

namespace icto {

namespace {

/// What a token contract actor owns; only its handlers touch it.
struct token_actor_state : contract_actor_base<token_factory_actor> {
  static inline const char* name = "token_contract";
  token_state token;

  result<migration_report> migrate_to(const semver& v) {
    return migrate(token_versions(), token, core.version, v);
  }
  contract_health health() const {
    return health_of(token_versions(), token, core.version);
  }
};

using token_self = token_contract_actor::stateful_pointer<token_actor_state>;

/// Tells the factory the holder balances a block changed.
void notify_change(token_self self, const token_change& ch) {
  const auto& id = self->state.core.id;
  if (ch.from && ch.to)
    send_callback(self, notify_transfer_arg{id, *ch.from, *ch.to});
  else if (ch.to)
    send_callback(self, notify_mint_arg{id, *ch.to});
  else if (ch.from)
    send_callback(self, notify_burn_arg{id, *ch.from});
}

/// The token's own journal operation: a decided block.
constexpr uint16_t op_block = contract_op::kind_op_base;

using token_image = contract_checkpoint<token_state>;

/// Replays one journal event on a restored token.
result<unit> replay_token(token_image& img, const op_event& ev) {
  auto common = replay_common(img, token_versions(), ev);
  if (!common)
    return common.err();
  if (*common)
    return unit{};
  if (ev.op != op_block)
    return make_error(system_errc::storage_failure,
                      "unknown token operation " + std::to_string(ev.op));
  auto block = op_arg<ledger_event>(ev, "contract");
  if (!block)
    return block.err();
  apply_token(img.state, *block);
  return unit{};
}

/// Journals and applies a decided block, calls the factory back, replies
/// its index once durable.
caf::result<result<uint64_t>> commit(token_self self, const principal& who,
                                     result<ledger_event> ev) {
  if (!ev)
    return durable_reply(self, result<uint64_t>{ev.err()});
  log_op(self, op_block, who, ev->time, *ev);
  auto ch = apply_token(self->state.token, *ev);
  notify_change(self, ch);
  return durable_reply(self, result<uint64_t>{ch.block});
}

/// A new token's image.
result<token_image> initial_image(const contract_params& params,
                                  const token_init& init) {
  auto st = make_token_state(init, params.id, params.owner, params.version,
                             params.created_at);
  if (!st)
    return st.err();
  return token_image{core_from_params(contract_kind::token, params,
                                      init.is_public, "active"),
                     std::move(*st),
                     {}};
}

token_contract_actor::behavior_type
token_impl(token_self self, node_context_ptr ctx, contract_params params,
           token_factory_actor factory, token_init init,
           contract_start<token_state> start) {
  const bool fresh = !start.image;
  if (!start_kind_contract(self, std::move(ctx), params, std::move(factory),
                           init, start, contract_kind::token, self->state.token,
                           [&] {
                             return initial_image(params, init);
                           }))
    return token_contract_actor::behavior_type::make_empty_behavior();
  if (fresh && init.initial_supply > 0)
    send_callback(self, notify_mint_arg{params.id,
                                        holder_balance{params.owner,
                                                       init.initial_supply}});
  auto now = [self] {
    return self->state.ctx->now();
  };
  return {
      ICTO_CONTRACT_COMMON_HANDLERS(self),
      // -- ICRC-1 queries -----------------------------------------------------
      durable_handler(self,
                      [self](const caller&,
                             const icrc1_name_arg&) -> result<std::string> {
                        return self->state.token.ledger.config.name;
                      }),
      durable_handler(self,
                      [self](const caller&,
                             const icrc1_symbol_arg&) -> result<std::string> {
                        return self->state.token.ledger.config.symbol;
                      }),
      durable_handler(self,
                      [self](const caller&,
                             const icrc1_decimals_arg&) -> result<uint8_t> {
                        return self->state.token.ledger.config.decimals;
                      }),
      durable_handler(self,
                      [self](const caller&,
                             const icrc1_fee_arg&) -> result<tokens> {
                        return self->state.token.ledger.config.fee;
                      }),
      durable_handler(self,
                      [self](const caller&, const icrc1_metadata_arg&)
                          -> result<metadata_entries> {
                        return token_metadata(self->state.token);
                      }),
      durable_handler(self,
                      [self](const caller&,
                             const icrc1_total_supply_arg&) -> result<tokens> {
                        return total_supply(self->state.token.ledger);
                      }),
      [](const caller&,
         const icrc1_supported_standards_arg&) -> result<standard_records> {
        return token_standards();
      },
      durable_handler(self,
                      [self](const caller&,
                             const account& acc) -> result<tokens> {
                        return balance_of(self->state.token.ledger, acc);
                      }),
      durable_handler(
          self,
          [self](const caller&, const token_info_arg&) -> result<token_info> {
            return token_info_of(self->state.token, self->state.core.is_public);
          }),
      // -- updates ------------------------------------------------------------
      [self, now](const caller& c,
                  const transfer_arg& arg) -> caf::result<result<uint64_t>> {
        const auto who = contract_caller(self, c);
        return commit(self, who,
                      decide_transfer(self->state.token, who, arg, now()));
      },
      [self, now](const caller& c,
                  const token_mint_arg& arg) -> caf::result<result<uint64_t>> {
        const auto who = contract_caller(self, c);
        return commit(self, who,
                      decide_mint(self->state.token, who, arg, now()));
      },
      [self, now](const caller& c,
                  const token_burn_arg& arg) -> caf::result<result<uint64_t>> {
        const auto who = contract_caller(self, c);
        return commit(self, who,
                      decide_burn(self->state.token, who, arg, now()));
      },
  };
}

} // namespace

result<unit> validate(const token_init& init) {
  return validate_token_init(init);
}

std::vector<code_version> token_code_versions() {
  return code_versions_of(token_versions());
}

token_contract_actor
spawn_token_contract(caf::actor_system& sys, node_context_ptr ctx,
                     contract_params params, token_factory_actor factory,
                     token_init init) {
  auto id = params.id;
  return spawn_contract_actor(sys, ctx, id, token_impl, ctx, std::move(params),
                              std::move(factory), std::move(init),
                              fresh_start<token_state>(id));
}

result<caf::actor>
restore_token_contract(caf::actor_system& sys, node_context_ptr ctx,
                       contract_params params, token_factory_actor factory,
                       const std::string& init_bytes,
                       const store::recovered_actor& rec) {
  return restore_kind_contract<token_state, token_init>(
      sys, std::move(ctx), std::move(params), std::move(factory), init_bytes,
      rec, "token", token_impl, initial_image, replay_token);
}

} // namespace icto
