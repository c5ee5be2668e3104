#pragma once

// What a factory journals (issue 5): each change to its factory_state as an
// event that names the state function that made it, who asked, when, and
// its argument. `apply_event` runs that function; the factory actor calls
// it for live requests (then journals the event) and recovery calls it for
// every event of the journal, so the two cannot drift apart.
//
// Journaled: setupWhitelist and registerVersion when they succeed; a
// deployment taking its id (deploying) and giving up (failed); a finished
// upgrade or rollback; every callback from a contract, accepted or refused
// (both are counted). Not journaled, because recovery decides them afresh:
// which contracts are unreachable (all of them until they re-bind), which
// upgrades are under way (none after a restart).

#include "actors/common/event_codec.hpp"
#include "actors/factories/factory_state.hpp"
#include "messages/error.hpp"
#include "persistence/node_store.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace icto {

/// The operations a factory journals (op_event::op).
namespace factory_op {
enum kind_t : uint16_t {
  whitelist = 1,
  registered,
  deploying,
  failed,
  upgraded,
  complete,
  visibility,
  status,
  auto_update,
  controllers,
  role_added,
  role_removed,
  holders,
  proposal,
};
} // namespace factory_op

/// The argument of a deploying event.
struct factory_deploying {
  contract_info info;
  std::vector<principal> role_users;
  std::vector<contract_role> roles;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, factory_deploying& x) {
  return f(caf::meta::type_name("factory_deploying"), x.info, x.role_users,
           x.roles);
}

/// The argument of role_added / role_removed.
struct factory_role_change {
  principal contract_id;
  principal user;
  contract_role role = contract_role::creator;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, factory_role_change& x) {
  return f(caf::meta::type_name("factory_role_change"), x.contract_id, x.user,
           x.role);
}

/// The argument of holders.
struct factory_holders {
  principal contract_id;
  std::vector<holder_balance> balances;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, factory_holders& x) {
  return f(caf::meta::type_name("factory_holders"), x.contract_id, x.balances);
}

/// The argument of upgraded.
struct factory_upgraded {
  upgrade_record record;
  semver version_now;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, factory_upgraded& x) {
  return f(caf::meta::type_name("factory_upgraded"), x.record, x.version_now);
}

op_event deploying_event(const contract_info& info,
                         const std::vector<role_entry>& roles, timestamp now);

/// Runs the state function the event names. Returns what that function
/// returned (a refusal is a normal outcome of a callback), or
/// system_errc::storage_failure if the event is not one a factory wrote
/// (an unknown kind, an argument that does not decode, a deploying event
/// whose id is not the next one).
result<unit> apply_event(factory_state& st, const op_event& ev);

/// Whether the event is journaled even when its function refused it
/// (callbacks count their refusals).
bool journaled_when_refused(const op_event& ev);

/// Recovery's apply: apply_event, where only a storage_failure is an error.
result<unit> replay_event(factory_state& st, const op_event& ev);

/// What a recovered factory state cannot keep: upgrades under way end with
/// the process; every contract is unreachable until its actor re-binds.
void reset_runtime_marks(factory_state& st);

/// The ids of the contracts still deploying (recovery gives them up).
std::vector<principal> deploying_ids(const factory_state& st);

/// `initial` (a fresh factory) or the checkpoint in `rec`, then every
/// journal event after it; errors name `what` and the sequence number. The
/// runtime marks are reset (reset_runtime_marks).
result<factory_state> rebuild_factory_state(const store::recovered_actor& rec,
                                            const std::string& what,
                                            result<factory_state> initial);

/// A checkpoint serializer of an immutable copy of `st` (O(1): tries).
std::function<std::string()> factory_checkpoint(const factory_state& st);

} // namespace icto
