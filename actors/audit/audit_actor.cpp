#include "actors/audit/audit_actor.hpp"

#include "actors/audit/audit_state.hpp"

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <utility>

namespace icto {

namespace {

/// What the audit actor owns; only its own handlers touch it.
struct audit_actor_state {
  static inline const char* name = "audit_storage";
  node_context_ptr ctx;
  audit_state log;
};

using audit_self = audit_actor::stateful_pointer<audit_actor_state>;

storage_caller who(audit_self self, const caller& claimed) {
  return caller_of(*self->state.ctx, self->current_sender(), claimed);
}

/// Resolves the caller, decides a whitelist change, applies it.
template <class Arg>
result<unit> run_whitelist(audit_self self, const caller& c, const Arg& a) {
  auto ch = decide_whitelist(self->state.log, who(self, c), a);
  if (!ch)
    return ch.err();
  apply(self->state.log, *ch);
  return unit{};
}

audit_actor::behavior_type audit_impl(audit_self self, node_context_ptr ctx,
                                      audit_config cfg) {
  auto initial = make_audit_state(cfg);
  if (!initial) {
    self->quit(
        caf::make_error(caf::sec::invalid_argument, initial.err().to_string()));
    return audit_actor::behavior_type::make_empty_behavior();
  }
  self->state.ctx = std::move(ctx);
  self->state.log = std::move(*initial);
  return {
      // -- updates ------------------------------------------------------------
      [self](const caller& c, const audit_event& ev) -> result<audit_entry> {
        auto& st = self->state;
        auto e = decide_log(st.log, who(self, c), ev, st.ctx->now());
        if (e)
          apply(st.log, *e);
        return e;
      },
      [self](const caller& c, const audit_whitelist_add_arg& a) {
        return run_whitelist(self, c, a);
      },
      [self](const caller& c, const audit_whitelist_remove_arg& a) {
        return run_whitelist(self, c, a);
      },
      // -- queries ------------------------------------------------------------
      [self](const caller&,
             const verify_chain_arg& a) -> result<chain_verification> {
        return verify_chain(self->state.log, a);
      },
      [self](const caller& c, const audit_filter& f) -> result<audit_page> {
        return query_logs(self->state.log, who(self, c), f);
      },
      [self](const caller& c, const audit_entry_arg& a) -> result<audit_entry> {
        return get_entry(self->state.log, who(self, c), a.id);
      },
      [self](const caller&, const audit_stats_arg&) -> result<audit_stats> {
        return stats_of(self->state.log);
      },
      [self](const caller&, const audit_whitelist_arg&) -> result<principals> {
        return sorted(self->state.log.writers);
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
  return sys.spawn(audit_impl, std::move(ctx), std::move(cfg));
}

} // namespace icto
