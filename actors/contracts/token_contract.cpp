// The token contract actor: a thin shell around token_state.hpp. Spawned by
// the token factory (spawn_token_contract) on the node placement chose; one
// per deployed token. Persists (later): its token_state and contract_core.

#include "actors/contracts/contract_actor.hpp"
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

/// Applies a decided block, calls the factory back, replies its index.
result<uint64_t> commit(token_self self, result<ledger_event> ev) {
  if (!ev)
    return ev.err();
  auto ch = apply_token(self->state.token, *ev);
  notify_change(self, ch);
  return ch.block;
}

token_contract_actor::behavior_type
token_impl(token_self self, node_context_ptr ctx, contract_params params,
           token_factory_actor factory, token_init init) {
  auto initial = make_token_state(init, params.id, params.owner, params.version,
                                  params.created_at);
  if (!initial) {
    self->quit(
        caf::make_error(caf::sec::invalid_argument, initial.err().to_string()));
    return token_contract_actor::behavior_type::make_empty_behavior();
  }
  start_contract(self, std::move(ctx), params, std::move(factory),
                 core_from_params(contract_kind::token, params, init.is_public,
                                  "active"));
  self->state.token = std::move(*initial);
  send_callback(self, notify_deployment_complete_arg{params.id});
  if (init.initial_supply > 0)
    send_callback(self, notify_mint_arg{params.id,
                                        holder_balance{params.owner,
                                                       init.initial_supply}});
  auto now = [self] {
    return self->state.ctx->now();
  };
  return {
      ICTO_CONTRACT_COMMON_HANDLERS(self),
      // -- ICRC-1 queries -----------------------------------------------------
      [self](const caller&, const icrc1_name_arg&) -> result<std::string> {
        return self->state.token.ledger.config.name;
      },
      [self](const caller&, const icrc1_symbol_arg&) -> result<std::string> {
        return self->state.token.ledger.config.symbol;
      },
      [self](const caller&, const icrc1_decimals_arg&) -> result<uint8_t> {
        return self->state.token.ledger.config.decimals;
      },
      [self](const caller&, const icrc1_fee_arg&) -> result<tokens> {
        return self->state.token.ledger.config.fee;
      },
      [self](const caller&,
             const icrc1_metadata_arg&) -> result<metadata_entries> {
        return token_metadata(self->state.token);
      },
      [self](const caller&, const icrc1_total_supply_arg&) -> result<tokens> {
        return total_supply(self->state.token.ledger);
      },
      [](const caller&,
         const icrc1_supported_standards_arg&) -> result<standard_records> {
        return token_standards();
      },
      [self](const caller&, const account& acc) -> result<tokens> {
        return balance_of(self->state.token.ledger, acc);
      },
      [self](const caller&, const token_info_arg&) -> result<token_info> {
        return token_info_of(self->state.token, self->state.core.is_public);
      },
      // -- updates ------------------------------------------------------------
      [self, now](const caller& c,
                  const transfer_arg& arg) -> result<uint64_t> {
        return commit(self,
                      decide_transfer(self->state.token,
                                      contract_caller(self, c), arg, now()));
      },
      [self, now](const caller& c,
                  const token_mint_arg& arg) -> result<uint64_t> {
        return commit(self, decide_mint(self->state.token,
                                        contract_caller(self, c), arg, now()));
      },
      [self, now](const caller& c,
                  const token_burn_arg& arg) -> result<uint64_t> {
        return commit(self, decide_burn(self->state.token,
                                        contract_caller(self, c), arg, now()));
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
                              std::move(factory), std::move(init));
}

} // namespace icto
