#include "actors/ledger/ledger_actor.hpp"

#include "actors/common/directory.hpp"
#include "actors/common/durable.hpp"
#include "actors/common/recovery.hpp"
#include "actors/ledger/ledger_state.hpp"
#include "actors/ledger/ledger_state_serialization.hpp"

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <utility>

namespace icto {

namespace {

/// What the ledger actor owns; only its own handlers touch it.
struct ledger_actor_state {
  static inline const char* name = "ledger";
  node_context_ptr ctx;
  ledger_state ledger;
  actor_journal journal;
};

using ledger_self = ledger_actor::stateful_pointer<ledger_actor_state>;

/// Resolves the caller, decides, journals and applies, replies the block
/// index once the block is durable.
template <class Request>
caf::result<result<uint64_t>>
run_update(ledger_self self, const caller& claimed, const Request& req) {
  auto& st = self->state;
  const auto who = resolve_caller(st.ctx->dir, self->current_sender(), claimed);
  auto ev = decide(st.ledger, who, req, st.ctx->now());
  if (!ev)
    return durable_reply(self, result<uint64_t>{ev.err()});
  st.journal.commit(encode_event(*ev), [&] {
    apply(st.ledger, *ev);
  });
  return durable_reply(self, result<uint64_t>{ev->block});
}

ledger_actor::behavior_type ledger_impl(ledger_self self, node_context_ptr ctx,
                                        ledger_state initial,
                                        durable_start start) {
  self->state.ctx = std::move(ctx);
  self->state.ledger = std::move(initial);
  self->state.journal.attach(self, start, self->state.ctx->persistence, [self] {
    return checkpoint_of(self->state.ledger);
  });
  return {
      // -- ICRC-1 metadata ----------------------------------------------------
      [self](const caller&,
             const icrc1_name_arg&) -> caf::result<result<std::string>> {
        return durable_reply(
            self, result<std::string>{self->state.ledger.config.name});
      },
      [self](const caller&,
             const icrc1_symbol_arg&) -> caf::result<result<std::string>> {
        return durable_reply(
            self, result<std::string>{self->state.ledger.config.symbol});
      },
      [self](const caller&,
             const icrc1_decimals_arg&) -> caf::result<result<uint8_t>> {
        return durable_reply(
            self, result<uint8_t>{self->state.ledger.config.decimals});
      },
      [self](const caller&,
             const icrc1_fee_arg&) -> caf::result<result<tokens>> {
        return durable_reply(self,
                             result<tokens>{self->state.ledger.config.fee});
      },
      [self](const caller&, const icrc1_metadata_arg&)
          -> caf::result<result<metadata_entries>> {
        return durable_reply(self, result<metadata_entries>{
                                       metadata_of(self->state.ledger.config)});
      },
      [self](const caller&,
             const icrc1_total_supply_arg&) -> caf::result<result<tokens>> {
        return durable_reply(self,
                             result<tokens>{total_supply(self->state.ledger)});
      },
      [self](const caller&, const icrc1_minting_account_arg&)
          -> caf::result<result<opt_account>> {
        return durable_reply(self,
                             result<opt_account>{opt_account{
                                 self->state.ledger.config.minting_account}});
      },
      [self](const caller&, const icrc1_supported_standards_arg&)
          -> caf::result<result<standard_records>> {
        return durable_reply(self,
                             result<standard_records>{supported_standards()});
      },
      // -- queries
      // --------------------------------------------------------------
      [self](const caller&, const account& acc) -> caf::result<result<tokens>> {
        return durable_reply(
            self, result<tokens>{balance_of(self->state.ledger, acc)});
      },
      [self](const caller&,
             const allowance_args& arg) -> caf::result<result<allowance>> {
        return durable_reply(
            self, result<allowance>{allowance_of(self->state.ledger, arg,
                                                 self->state.ctx->now())});
      },
      [self](const caller&,
             const ledger_stats_arg&) -> caf::result<result<ledger_stats>> {
        return durable_reply(
            self, result<ledger_stats>{stats_of(self->state.ledger)});
      },
      // -- updates
      // --------------------------------------------------------------
      [self](const caller& c,
             const transfer_arg& arg) -> caf::result<result<uint64_t>> {
        return run_update(self, c, arg);
      },
      [self](const caller& c,
             const approve_args& arg) -> caf::result<result<uint64_t>> {
        return run_update(self, c, arg);
      },
      [self](const caller& c,
             const transfer_from_args& arg) -> caf::result<result<uint64_t>> {
        return run_update(self, c, arg);
      },
  };
}

} // namespace

ledger_actor spawn_ledger(caf::actor_system& sys, node_context_ptr ctx,
                          ledger_config cfg) {
  auto initial = make_ledger_state(std::move(cfg), ctx->now());
  return spawn_in_memory<ledger_actor>(sys, ledger_impl, std::move(ctx),
                                       std::move(initial));
}

result<ledger_actor>
spawn_durable_ledger(caf::actor_system& sys, node_context_ptr ctx,
                     ledger_config cfg, const principal& id,
                     const store::recovered_actor& rec) {
  const auto now = ctx->now();
  return spawn_recovered<ledger_actor, ledger_state, ledger_event>(
      sys, ledger_impl, std::move(ctx), id, "ledger", rec,
      [&] {
        return make_ledger_state(std::move(cfg), now);
      },
      [](ledger_state& s, const ledger_event& ev) -> result<unit> {
        apply(s, ev);
        return unit{};
      });
}

} // namespace icto
