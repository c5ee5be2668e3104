#include "actors/invoice/invoice_actor.hpp"

#include "actors/common/durable.hpp"
#include "actors/common/recovery.hpp"
#include "actors/invoice/invoice_state.hpp"
#include "actors/invoice/invoice_state_serialization.hpp"

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <string>
#include <utility>

namespace icto {

namespace {

/// What the invoice storage journals: a stored (new or updated) record or
/// a whitelist change.
struct invoice_journal_event {
  enum kind_t : uint8_t { record = 1, writer_change = 2 };
  uint8_t kind = record;
  payment_record stored;
  principal writer;
  bool allowed = false;
};

template <class Inspector>
typename Inspector::result_type
inspect(Inspector& f, invoice_journal_event& x) {
  return f(caf::meta::type_name("invoice_journal_event"), x.kind, x.stored,
           x.writer, x.allowed);
}

void apply_event_unchecked(invoice_state& st, const invoice_journal_event& ev) {
  if (ev.kind == invoice_journal_event::record)
    apply(st, invoice_change{ev.stored, true});
  else
    apply(st, invoice_writer_change{ev.writer, ev.allowed});
}

result<unit> apply_event(invoice_state& st, const invoice_journal_event& ev) {
  if (ev.kind != invoice_journal_event::record
      && ev.kind != invoice_journal_event::writer_change)
    return make_error(system_errc::internal,
                      "unknown event kind " + std::to_string(ev.kind));
  apply_event_unchecked(st, ev);
  return unit{};
}

/// What the invoice actor owns; only its own handlers touch it.
struct invoice_actor_state {
  static inline const char* name = "invoice_storage";
  node_context_ptr ctx;
  invoice_state store;
  actor_journal journal;
};

using invoice_self = invoice_actor::stateful_pointer<invoice_actor_state>;

/// Journals an event and applies it.
void commit(invoice_self self, const invoice_journal_event& ev) {
  auto& st = self->state;
  st.journal.commit(encode_event(ev), [&] {
    apply_event_unchecked(st.store, ev);
  });
}

storage_caller who(invoice_self self, const caller& claimed) {
  return caller_of(*self->state.ctx, self->current_sender(), claimed);
}

/// Journals and applies a decided change (unless it changes nothing) and
/// replies its record, or the refusal.
caf::result<result<payment_record>> finish(invoice_self self,
                                           result<invoice_change> ch) {
  if (!ch)
    return durable_reply(self, result<payment_record>{ch.err()});
  if (ch->changed) {
    invoice_journal_event ev;
    ev.kind = invoice_journal_event::record;
    ev.stored = ch->record;
    commit(self, ev);
  }
  return durable_reply(self, result<payment_record>{std::move(ch->record)});
}

/// Resolves the caller, decides a whitelist change, journals and applies
/// it.
template <class Arg>
caf::result<result<unit>>
run_whitelist(invoice_self self, const caller& c, const Arg& a) {
  auto ch = decide_whitelist(self->state.store, who(self, c), a);
  if (!ch)
    return durable_reply(self, result<unit>{ch.err()});
  invoice_journal_event ev;
  ev.kind = invoice_journal_event::writer_change;
  ev.writer = ch->writer;
  ev.allowed = ch->allowed;
  commit(self, ev);
  return durable_reply(self, result<unit>{unit{}});
}

invoice_actor::behavior_type
invoice_impl(invoice_self self, node_context_ptr ctx, invoice_state initial,
             durable_start start) {
  self->state.ctx = std::move(ctx);
  self->state.store = std::move(initial);
  self->state.journal.attach(self, start, self->state.ctx->persistence, [self] {
    return checkpoint_of(self->state.store);
  });
  return {
      // -- updates ------------------------------------------------------------
      [self](const caller& c,
             const payment_record& rec) -> caf::result<result<payment_record>> {
        auto& st = self->state;
        return finish(self, decide_record(st.store, who(self, c), rec,
                                          st.ctx->now()));
      },
      [self](const caller& c, const payment_status_update& up)
          -> caf::result<result<payment_record>> {
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
             const user_payments_arg& a) -> caf::result<result<payment_page>> {
        return durable_reply(self, result<payment_page>{user_records(
                                       self->state.store, who(self, c), a)});
      },
      [self](const caller& c, const payment_record_arg& a)
          -> caf::result<result<payment_record>> {
        return durable_reply(self, result<payment_record>{get_record(
                                       self->state.store, who(self, c), a.id)});
      },
      [self](const caller&,
             const invoice_stats_arg&) -> caf::result<result<invoice_stats>> {
        return durable_reply(self,
                             result<invoice_stats>{self->state.store.stats});
      },
      [self](const caller&,
             const invoice_whitelist_arg&) -> caf::result<result<principals>> {
        return durable_reply(
            self, result<principals>{sorted(self->state.store.writers)});
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
  return spawn_in_memory<invoice_actor>(sys, invoice_impl, std::move(ctx),
                                        make_invoice_state(cfg));
}

result<invoice_actor>
spawn_durable_invoice_storage(caf::actor_system& sys, node_context_ptr ctx,
                              invoice_config cfg, const principal& id,
                              const store::recovered_actor& rec) {
  return spawn_recovered<invoice_actor, invoice_state, invoice_journal_event>(
      sys, invoice_impl, std::move(ctx), id, "invoice_storage", rec,
      [&] {
        return make_invoice_state(cfg);
      },
      apply_event);
}

} // namespace icto
