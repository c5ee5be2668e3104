#include "actors/factories/factory_journal.hpp"

#include "actors/common/recovery.hpp"
#include "actors/factories/factory_state_serialization.hpp"

#include <string>

namespace icto {

namespace {

error bad_event(const op_event& ev, const std::string& why) {
  return make_error(system_errc::storage_failure,
                    "factory operation " + std::to_string(ev.op) + ": " + why);
}

/// Decodes the event's argument and calls `f(arg)`.
template <class Arg, class F>
result<unit> with_arg(const op_event& ev, F&& f) {
  auto arg = op_arg<Arg>(ev, "factory");
  if (!arg)
    return arg.err();
  return f(*arg);
}

result<unit> apply_deploying(factory_state& st, const op_event& ev,
                             const factory_deploying& d) {
  if (d.role_users.size() != d.roles.size())
    return bad_event(ev, "role users and roles differ in length");
  auto range = d.info.id.canister_index()
                   ? range_holding(st, *d.info.id.canister_index())
                   : std::nullopt;
  if (!range)
    return bad_event(ev, "deploying " + d.info.id.to_text()
                             + ", which is in none of the factory's ranges");
  auto id = allocate_id(st, *range);
  if (!id)
    return bad_event(ev, id.err().message);
  if (*id != d.info.id)
    return bad_event(ev, "deploying " + d.info.id.to_text()
                             + " where the next id is " + id->to_text());
  std::vector<role_entry> roles;
  for (size_t i = 0; i < d.roles.size(); ++i)
    roles.push_back(role_entry{d.role_users[i], d.roles[i]});
  record_deploying(st, d.info, roles);
  return unit{};
}

} // namespace

op_event deploying_event(const contract_info& info,
                         const std::vector<role_entry>& roles, timestamp now) {
  factory_deploying d;
  d.info = info;
  for (auto& r : roles) {
    d.role_users.push_back(r.user);
    d.roles.push_back(r.role);
  }
  return make_op_event(factory_op::deploying, principal{}, now, d);
}

result<unit> apply_event(factory_state& st, const op_event& ev) {
  namespace k = factory_op;
  const auto& who = ev.who;
  switch (ev.op) {
  case k::whitelist:
    return with_arg<factory_setup_whitelist_arg>(ev, [&](auto& a) {
      return setup_whitelist(st, who, a);
    });
  case k::registered:
    return with_arg<register_version_arg>(ev, [&](auto& a) {
      return register_version(st, who, a, ev.now);
    });
  case k::deploying:
    return with_arg<factory_deploying>(ev, [&](auto& a) {
      return apply_deploying(st, ev, a);
    });
  case k::failed:
    return with_arg<principal>(ev, [&](auto& id) -> result<unit> {
      fail_deployment(st, id);
      return unit{};
    });
  case k::upgraded:
    return with_arg<factory_upgraded>(ev, [&](auto& a) -> result<unit> {
      finish_upgrade(st, a.record, a.version_now);
      return unit{};
    });
  case k::complete:
    return with_arg<notify_deployment_complete_arg>(ev, [&](auto& a) {
      return on_deployment_complete(st, who, a);
    });
  case k::visibility:
    return with_arg<notify_visibility_changed_arg>(ev, [&](auto& a) {
      return on_visibility_changed(st, who, a);
    });
  case k::status:
    return with_arg<notify_status_changed_arg>(ev, [&](auto& a) {
      return on_status_changed(st, who, a);
    });
  case k::auto_update:
    return with_arg<notify_auto_update_changed_arg>(ev, [&](auto& a) {
      return on_auto_update_changed(st, who, a);
    });
  case k::controllers:
    return with_arg<notify_controllers_changed_arg>(ev, [&](auto& a) {
      return on_controllers_changed(st, who, a);
    });
  case k::role_added:
    return with_arg<factory_role_change>(ev, [&](auto& a) {
      return on_role_added(st, who, a.contract_id, a.user, a.role);
    });
  case k::role_removed:
    return with_arg<factory_role_change>(ev, [&](auto& a) {
      return on_role_removed(st, who, a.contract_id, a.user, a.role);
    });
  case k::holders:
    return with_arg<factory_holders>(ev, [&](auto& a) {
      return on_holder_balances(st, who, a.contract_id, a.balances);
    });
  case k::proposal:
    return with_arg<notify_proposal_created_arg>(ev, [&](auto& a) {
      return on_proposal_created(st, who, a);
    });
  default: return bad_event(ev, "unknown kind");
  }
}

bool journaled_when_refused(const op_event& ev) {
  return ev.op >= factory_op::complete;
}

result<unit> replay_event(factory_state& st, const op_event& ev) {
  auto r = apply_event(st, ev);
  if (!r && is(r.err(), system_errc::storage_failure))
    return r;
  return unit{};
}

void reset_runtime_marks(factory_state& st) {
  st.upgrading = {};
  trie_set<principal> all;
  st.contracts.for_each([&](const principal& id, const contract_info&) {
    all = all.insert(id, trie_unit{});
  });
  st.unreachable = std::move(all);
}

std::vector<principal> deploying_ids(const factory_state& st) {
  std::vector<principal> out;
  st.contracts.for_each([&](const principal& id, const contract_info& info) {
    if (info.deployment == deployment_state::deploying)
      out.push_back(id);
  });
  return out;
}

result<factory_state> rebuild_factory_state(const store::recovered_actor& rec,
                                            const std::string& what,
                                            result<factory_state> initial) {
  auto st = rebuild_state<factory_state, op_event>(
      rec, what,
      [&] {
        return std::move(initial);
      },
      replay_event);
  if (st)
    reset_runtime_marks(*st);
  return st;
}

std::function<std::string()> factory_checkpoint(const factory_state& st) {
  return checkpoint_of(st);
}

} // namespace icto
