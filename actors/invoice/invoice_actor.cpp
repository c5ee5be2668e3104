#include "actors/invoice/invoice_actor.hpp"

#include "actors/invoice/invoice_state.hpp"

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <utility>

namespace icto {

namespace {

/// What the invoice actor owns; only its own handlers touch it.
struct invoice_actor_state {
  static inline const char* name = "invoice_storage";
  node_context_ptr ctx;
  invoice_state store;
};

using invoice_self = invoice_actor::stateful_pointer<invoice_actor_state>;

storage_caller who(invoice_self self, const caller& claimed) {
  return caller_of(*self->state.ctx, self->current_sender(), claimed);
}

/// Applies a decided change and replies its record (or the refusal).
result<payment_record> finish(invoice_self self, result<invoice_change> ch) {
  if (!ch)
    return ch.err();
  apply(self->state.store, *ch);
  return std::move(ch->record);
}

/// Resolves the caller, decides a whitelist change, applies it.
template <class Arg>
result<unit> run_whitelist(invoice_self self, const caller& c, const Arg& a) {
  auto ch = decide_whitelist(self->state.store, who(self, c), a);
  if (!ch)
    return ch.err();
  apply(self->state.store, *ch);
  return unit{};
}

invoice_actor::behavior_type
invoice_impl(invoice_self self, node_context_ptr ctx, invoice_config cfg) {
  auto initial = make_invoice_state(cfg);
  if (!initial) {
    self->quit(
        caf::make_error(caf::sec::invalid_argument, initial.err().to_string()));
    return invoice_actor::behavior_type::make_empty_behavior();
  }
  self->state.ctx = std::move(ctx);
  self->state.store = std::move(*initial);
  return {
      // -- updates ------------------------------------------------------------
      [self](const caller& c,
             const payment_record& rec) -> result<payment_record> {
        auto& st = self->state;
        return finish(self, decide_record(st.store, who(self, c), rec,
                                          st.ctx->now()));
      },
      [self](const caller& c,
             const payment_status_update& up) -> result<payment_record> {
        auto& st = self->state;
        return finish(self,
                      decide_update(st.store, who(self, c), up, st.ctx->now()));
      },
      [self](const caller& c, const invoice_whitelist_add_arg& a) {
        return run_whitelist(self, c, a);
      },
      [self](const caller& c, const invoice_whitelist_remove_arg& a) {
        return run_whitelist(self, c, a);
      },
      // -- queries ------------------------------------------------------------
      [self](const caller& c,
             const user_payments_arg& a) -> result<payment_page> {
        return user_records(self->state.store, who(self, c), a);
      },
      [self](const caller& c,
             const payment_record_arg& a) -> result<payment_record> {
        return get_record(self->state.store, who(self, c), a.id);
      },
      [self](const caller&, const invoice_stats_arg&) -> result<invoice_stats> {
        return self->state.store.stats;
      },
      [self](const caller&,
             const invoice_whitelist_arg&) -> result<principals> {
        return sorted(self->state.store.writers);
      },
      [self](const caller&, const invoice_health_check_arg&) -> result<unit> {
        const auto& st = self->state.store;
        if (st.stats.records != st.records.size())
          return make_error(system_errc::internal,
                            "invoice_storage: record count and stats disagree");
        return unit{};
      },
  };
}

} // namespace

invoice_actor spawn_invoice_storage(caf::actor_system& sys,
                                    node_context_ptr ctx, invoice_config cfg) {
  return sys.spawn(invoice_impl, std::move(ctx), std::move(cfg));
}

} // namespace icto
