#include "actors/audit/audit_actor.hpp"

#include "actors/audit/audit_state.hpp"
#include "actors/audit/audit_state_serialization.hpp"
#include "actors/common/durable.hpp"
#include "actors/common/recovery.hpp"

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <string>
#include <utility>

namespace icto {

namespace {

/// What the audit storage journals: an appended entry or a whitelist
/// change.
struct audit_journal_event {
  enum kind_t : uint8_t { entry = 1, writer_change = 2 };
  uint8_t kind = entry;
  audit_entry appended;
  principal writer;
  bool allowed = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_journal_event& x) {
  return f(caf::meta::type_name("audit_journal_event"), x.kind, x.appended,
           x.writer, x.allowed);
}

result<unit> apply_event(audit_state& st, const audit_journal_event& ev) {
  if (ev.kind == audit_journal_event::entry) {
    if (ev.appended.id != st.next_id)
      return make_error(system_errc::internal,
                        "entry " + std::to_string(ev.appended.id)
                            + " where entry " + std::to_string(st.next_id)
                            + " was due");
    apply(st, ev.appended);
  } else if (ev.kind == audit_journal_event::writer_change) {
    apply(st, audit_writer_change{ev.writer, ev.allowed});
  } else {
    return make_error(system_errc::internal,
                      "unknown event kind " + std::to_string(ev.kind));
  }
  return unit{};
}

/// What the audit actor owns; only its own handlers touch it.
struct audit_actor_state {
  static inline const char* name = "audit_storage";
  node_context_ptr ctx;
  audit_state log;
  actor_journal journal;
};

using audit_self = audit_actor::stateful_pointer<audit_actor_state>;

/// Journals an event and applies it (decided from the current state, so
/// it applies; replay checks the entry ids).
void commit(audit_self self, const audit_journal_event& ev) {
  auto& st = self->state;
  st.journal.commit(encode_event(ev), [&] {
    if (ev.kind == audit_journal_event::entry)
      apply(st.log, ev.appended);
    else
      apply(st.log, audit_writer_change{ev.writer, ev.allowed});
  });
}

storage_caller who(audit_self self, const caller& claimed) {
  return caller_of(*self->state.ctx, self->current_sender(), claimed);
}

/// Resolves the caller, decides a whitelist change, journals and applies
/// it.
template <class Arg>
caf::result<result<unit>>
run_whitelist(audit_self self, const caller& c, const Arg& a) {
  auto ch = decide_whitelist(self->state.log, who(self, c), a);
  if (!ch)
    return durable_reply(self, result<unit>{ch.err()});
  audit_journal_event ev;
  ev.kind = audit_journal_event::writer_change;
  ev.writer = ch->writer;
  ev.allowed = ch->allowed;
  commit(self, ev);
  return durable_reply(self, result<unit>{unit{}});
}

audit_actor::behavior_type audit_impl(audit_self self, node_context_ptr ctx,
                                      audit_state initial,
                                      durable_start start) {
  self->state.ctx = std::move(ctx);
  self->state.log = std::move(initial);
  self->state.journal.attach(self, start, self->state.ctx->persistence, [self] {
    return checkpoint_of(self->state.log);
  });
  return {
      // -- updates ------------------------------------------------------------
      [self](const caller& c,
             const audit_event& ev) -> caf::result<result<audit_entry>> {
        auto& st = self->state;
        auto e = decide_log(st.log, who(self, c), ev, st.ctx->now());
        if (e) {
          audit_journal_event je;
          je.kind = audit_journal_event::entry;
          je.appended = *e;
          commit(self, je);
        }
        return durable_reply(self, std::move(e));
      },
      [self](const caller& c, const audit_whitelist_add_arg& a) {
        return run_whitelist(self, c, a);
      },
      [self](const caller& c, const audit_whitelist_remove_arg& a) {
        return run_whitelist(self, c, a);
      },
      // -- queries ------------------------------------------------------------
      [self](const caller&, const verify_chain_arg& a)
          -> caf::result<result<chain_verification>> {
        return durable_reply(
            self, result<chain_verification>{verify_chain(self->state.log, a)});
      },
      [self](const caller& c,
             const audit_filter& f) -> caf::result<result<audit_page>> {
        return durable_reply(self, result<audit_page>{query_logs(
                                       self->state.log, who(self, c), f)});
      },
      [self](const caller& c,
             const audit_entry_arg& a) -> caf::result<result<audit_entry>> {
        return durable_reply(self, result<audit_entry>{get_entry(
                                       self->state.log, who(self, c), a.id)});
      },
      [self](const caller&,
             const audit_stats_arg&) -> caf::result<result<audit_stats>> {
        return durable_reply(self,
                             result<audit_stats>{stats_of(self->state.log)});
      },
      [self](const caller&,
             const audit_whitelist_arg&) -> caf::result<result<principals>> {
        return durable_reply(
            self, result<principals>{sorted(self->state.log.writers)});
      },
      [self](const caller&, const audit_health_check_arg&) -> result<unit> {
        const auto& log = self->state.log;
        if (log.next_id - 1 != log.entries.size())
          return make_error(system_errc::internal,
                            "audit_storage: entry count and next id disagree");
        return unit{};
      },
  };
}

} // namespace

audit_actor spawn_audit_storage(caf::actor_system& sys, node_context_ptr ctx,
                                audit_config cfg) {
  return spawn_in_memory<audit_actor>(sys, audit_impl, std::move(ctx),
                                      make_audit_state(cfg));
}

result<audit_actor>
spawn_durable_audit_storage(caf::actor_system& sys, node_context_ptr ctx,
                            audit_config cfg, const principal& id,
                            const store::recovered_actor& rec) {
  return spawn_recovered<audit_actor, audit_state, audit_journal_event>(
      sys, audit_impl, std::move(ctx), id, "audit_storage", rec,
      [&] {
        return make_audit_state(cfg);
      },
      apply_event);
}

} // namespace icto
