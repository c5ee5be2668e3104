#include "actors/ledger/ledger_actor.hpp"

#include "actors/common/directory.hpp"
#include "actors/ledger/ledger_state.hpp"

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
};

using ledger_self = ledger_actor::stateful_pointer<ledger_actor_state>;

/// Resolves the caller, decides, applies, replies the block index.
template <class Request>
result<uint64_t>
run_update(ledger_self self, const caller& claimed, const Request& req) {
  auto& st = self->state;
  const auto who = resolve_caller(st.ctx->dir, self->current_sender(), claimed);
  auto ev = decide(st.ledger, who, req, st.ctx->now());
  if (!ev)
    return ev.err();
  apply(st.ledger, *ev);
  return ev->block;
}

ledger_actor::behavior_type ledger_impl(ledger_self self, node_context_ptr ctx,
                                        ledger_config cfg) {
  auto initial = make_ledger_state(std::move(cfg), ctx->now());
  if (!initial) {
    self->quit(
        caf::make_error(caf::sec::invalid_argument, initial.err().to_string()));
    return ledger_actor::behavior_type::make_empty_behavior();
  }
  self->state.ctx = std::move(ctx);
  self->state.ledger = std::move(*initial);
  return {
      // -- ICRC-1 metadata ----------------------------------------------------
      [self](const caller&, const icrc1_name_arg&) -> result<std::string> {
        return self->state.ledger.config.name;
      },
      [self](const caller&, const icrc1_symbol_arg&) -> result<std::string> {
        return self->state.ledger.config.symbol;
      },
      [self](const caller&, const icrc1_decimals_arg&) -> result<uint8_t> {
        return self->state.ledger.config.decimals;
      },
      [self](const caller&, const icrc1_fee_arg&) -> result<tokens> {
        return self->state.ledger.config.fee;
      },
      [self](const caller&,
             const icrc1_metadata_arg&) -> result<metadata_entries> {
        return metadata_of(self->state.ledger.config);
      },
      [self](const caller&, const icrc1_total_supply_arg&) -> result<tokens> {
        return total_supply(self->state.ledger);
      },
      [self](const caller&,
             const icrc1_minting_account_arg&) -> result<opt_account> {
        return opt_account{self->state.ledger.config.minting_account};
      },
      [](const caller&,
         const icrc1_supported_standards_arg&) -> result<standard_records> {
        return supported_standards();
      },
      // -- queries
      // --------------------------------------------------------------
      [self](const caller&, const account& acc) -> result<tokens> {
        return balance_of(self->state.ledger, acc);
      },
      [self](const caller&, const allowance_args& arg) -> result<allowance> {
        return allowance_of(self->state.ledger, arg, self->state.ctx->now());
      },
      [self](const caller&, const ledger_stats_arg&) -> result<ledger_stats> {
        return stats_of(self->state.ledger);
      },
      // -- updates
      // --------------------------------------------------------------
      [self](const caller& c, const transfer_arg& arg) -> result<uint64_t> {
        return run_update(self, c, arg);
      },
      [self](const caller& c, const approve_args& arg) -> result<uint64_t> {
        return run_update(self, c, arg);
      },
      [self](const caller& c,
             const transfer_from_args& arg) -> result<uint64_t> {
        return run_update(self, c, arg);
      },
  };
}

} // namespace

ledger_actor spawn_ledger(caf::actor_system& sys, node_context_ptr ctx,
                          ledger_config cfg) {
  return sys.spawn(ledger_impl, std::move(ctx), std::move(cfg));
}

} // namespace icto
