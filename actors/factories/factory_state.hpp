#pragma once

// The factory core shared by the five factories (DESIGN §1 write, read and
// callback paths, §6 versions), as plain data and free functions without
// actors. The factory actors (actors/factories/<kind>_factory.cpp, one
// template in factory_actor_impl.hpp) resolve the caller, call these and
// reply; everything here is testable without an actor system.
//
// Rules beyond the message comments:
// - Contract ids come from the configured canister-id range [first, last],
//   in order, and are never reused (a failed deployment keeps its id).
// - A failed deployment leaves the deployed set and every index; its record
//   stays readable through getContractInfo (deployment == failed).
// - Role indexes: contract_role::creator is the creator index; every other
//   role is an index user -> contract ids. A token's holder index keeps the
//   principals with a balance above 0 (notifyTransfer / Mint / Burn).
// - Callbacks are accepted from a contract while it is deploying or deployed
//   (a token may report its initial mint before notifyDeploymentComplete).
// - Upgrades need the factory among the contract's controllers (the contract
//   trusts the factory's migrateTo only then) and the caller to be the owner
//   or a factory admin; one upgrade per contract at a time.
// - The rollback target is the version before the last successful upgrade
//   not yet rolled back (upgrades push, rollbacks pop).

#include "messages/factory.hpp"
#include "persistence/principal_index.hpp"
#include "persistence/trie_map.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace icto {

/// Number of contract_role values; the size of factory_state::roles.
inline constexpr size_t contract_role_count = 7;

/// A (user, role) pair of a contract: what the role indexes hold.
struct role_entry {
  principal user;
  contract_role role = contract_role::creator;
};

/// The factory's counters beyond what the indexes count.
struct factory_counters {
  uint64_t deployments_started = 0;
  uint64_t deployments_completed = 0;
  uint64_t deployments_failed = 0;
  uint64_t callbacks_accepted = 0;
  uint64_t callbacks_refused = 0;
  uint64_t upgrades = 0;
  uint64_t upgrades_failed = 0;
  /// notifyProposalCreated calls accepted (multisig, DAO).
  uint64_t proposals = 0;

  friend bool operator==(const factory_counters& x, const factory_counters& y);
  friend bool operator!=(const factory_counters& x, const factory_counters& y) {
    return !(x == y);
  }
};

/// Contract-id indexes [first, last] of one node, of which a factory gives
/// out `next` and up (> last once exhausted). A contract id thus tells the
/// node that hosts it (DESIGN §2).
struct id_range {
  /// The node whose range it is; empty on a node that runs alone.
  std::string node;
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t next = 0;

  bool contains(uint64_t index) const {
    return index >= first && index <= last;
  }
  friend bool operator==(const id_range& x, const id_range& y) {
    return x.node == y.node && x.first == y.first && x.last == y.last
           && x.next == y.next;
  }
};

/// Everything one factory owns; its actor alone touches it.
struct factory_state {
  contract_kind kind = contract_kind::token;
  /// The factory's own principal (a controller of what it deploys).
  principal self;
  timestamp started_at = 0;
  /// The contract-id ranges it gives ids from, one per node that hosts
  /// its contracts (one unnamed range on a node that runs alone).
  std::vector<id_range> ranges;
  /// The deployed set: deploying and deployed contracts.
  trie_map<principal, contract_info> contracts;
  /// Deployments given up on; not in any index.
  trie_map<principal, contract_info> failed;
  /// Per role (indexed by contract_role): user -> contract ids.
  std::array<principal_index, contract_role_count> roles;
  /// Contract -> users with a role other than creator (to clean up).
  principal_index members;
  /// Deployed public contracts.
  trie_set<principal> public_set;
  /// Contracts whose actor went down.
  trie_set<principal> unreachable;
  /// Contracts with an upgrade under way.
  trie_set<principal> upgrading;
  /// Per contract: its upgrade records, oldest first.
  trie_map<principal, upgrade_records> history;
  /// Backends allowed to call createContract.
  std::vector<principal> whitelist;
  /// Factory admins: the node's controllers and the configured admins.
  std::vector<principal> admins;
  /// Registered versions, oldest first.
  std::vector<registered_version> versions;
  /// The versions the contract code can run (`<kind>_code_versions()`).
  std::vector<registered_version> code;
  uint64_t deploying = 0;
  factory_counters counters;

  friend bool operator==(const factory_state& x, const factory_state& y);
  friend bool operator!=(const factory_state& x, const factory_state& y) {
    return !(x == y);
  }
};

/// What make_factory_state needs.
struct factory_core_config {
  contract_kind kind = contract_kind::token;
  principal self;
  /// At least one; `next` is ignored (each starts at its first index).
  std::vector<id_range> ranges;
  std::vector<principal> whitelist;
  std::vector<principal> admins;
  /// The versions the code can run, oldest first; the first one is
  /// registered as stable at start.
  std::vector<registered_version> code;
};

/// A fresh factory, or factory_errc::invalid_argument naming what is wrong
/// (empty or inverted id range, no code version, anonymous principals).
result<factory_state> make_factory_state(factory_core_config cfg,
                                         timestamp now);

// -- authorization ------------------------------------------------------------

bool is_admin(const factory_state& st, const principal& who);

bool is_whitelisted(const factory_state& st, const principal& who);

/// Replaces the whitelist (deduplicated); an admin only.
result<unit> setup_whitelist(factory_state& st, const principal& who,
                             const factory_setup_whitelist_arg& arg);

// -- deployment ---------------------------------------------------------------

/// Checks that `who` may deploy for `owner`: a whitelisted backend, a real
/// owner, and a stable version to deploy. Takes nothing.
result<semver> check_create(const factory_state& st, const principal& who,
                            const principal& owner);

/// The range of `node` (the first range for an empty name), if any.
std::optional<size_t> range_of_node(const factory_state& st,
                                    const std::string& node);

/// The range that holds contract index `index`, if any.
std::optional<size_t> range_holding(const factory_state& st, uint64_t index);

/// The id allocate_id would take from range `range`, without taking it.
result<principal> next_contract_id(const factory_state& st, size_t range = 0);

/// Takes the next contract id of range `range`; factory_errc::deploy_failed
/// once that range is exhausted.
result<principal> allocate_id(factory_state& st, size_t range = 0);

/// Adds the ranges of `targets` the state lacks (nodes added to the
/// topology) and names an unnamed range that equals a target's; keeps what
/// was given out. Errors if a target overlaps a range it does not equal.
result<unit> reconcile_ranges(factory_state& st,
                              const std::vector<id_range>& targets);

/// Records a contract as deploying: the deployed set, the creator index and
/// its initial role entries. REQUIRES: info.id from allocate_id.
void record_deploying(factory_state& st, contract_info info,
                      const std::vector<role_entry>& initial_roles);

bool is_deploying(const factory_state& st, const principal& id);

/// Gives a deploying contract up: out of the deployed set and every index,
/// into `failed`. No-op unless it is deploying.
void fail_deployment(factory_state& st, const principal& id);

/// The contract's actor went down.
void mark_unreachable(factory_state& st, const principal& id);

// -- callbacks (each checks the caller, counts, applies) ----------------------

/// factory_errc::forged_callback unless `who` is `contract_id`,
/// unknown_contract unless it is in the deployed set; counts refusals.
result<unit> check_callback(factory_state& st, const principal& who,
                            const principal& contract_id);

result<unit> on_deployment_complete(factory_state& st, const principal& who,
                                    const notify_deployment_complete_arg& arg);
result<unit> on_visibility_changed(factory_state& st, const principal& who,
                                   const notify_visibility_changed_arg& arg);
result<unit> on_status_changed(factory_state& st, const principal& who,
                               const notify_status_changed_arg& arg);
result<unit> on_auto_update_changed(factory_state& st, const principal& who,
                                    const notify_auto_update_changed_arg& arg);
result<unit> on_controllers_changed(factory_state& st, const principal& who,
                                    const notify_controllers_changed_arg& arg);
/// Adds `user` to the index of `role` for the contract.
result<unit> on_role_added(factory_state& st, const principal& who,
                           const principal& contract_id, const principal& user,
                           contract_role role);
/// Removes `user` from the index of `role` for the contract.
result<unit> on_role_removed(factory_state& st, const principal& who,
                             const principal& contract_id,
                             const principal& user, contract_role role);
/// Sets holders of a token: in the holder index iff balance > 0.
result<unit> on_holder_balances(factory_state& st, const principal& who,
                                const principal& contract_id,
                                const std::vector<holder_balance>& balances);
result<unit> on_proposal_created(factory_state& st, const principal& who,
                                 const notify_proposal_created_arg& arg);

// -- queries ------------------------------------------------------------------

my_contracts_page my_contracts(const factory_state& st,
                               const my_contracts_arg& arg);
/// Deployed public contracts, newest first.
contract_page public_contracts(const factory_state& st, const page& pg);
result<contract_info> contract_info_of(const factory_state& st,
                                       const principal& id);
factory_stats stats_of(const factory_state& st);
factory_health health_of(const factory_state& st);
factory_setup_status setup_status_of(const factory_state& st);
result<upgrade_records> version_history_of(const factory_state& st,
                                           const principal& id);
/// The newest stable registered version, if any.
std::optional<semver> latest_stable(const factory_state& st);
const registered_version* find_version(const factory_state& st,
                                       const semver& v);

// -- versions and upgrades ----------------------------------------------------

/// An admin registers a version the code knows (unknown_version otherwise,
/// duplicate_version if registered).
result<unit> register_version(factory_state& st, const principal& who,
                              const register_version_arg& arg, timestamp now);

/// An upgrade or rollback the actor is to carry out.
struct upgrade_plan {
  principal contract_id;
  semver from;
  semver to;
  upgrade_trigger trigger = upgrade_trigger::manual;
  principal requested_by;
};

/// Checks an upgradeContract and marks the contract as upgrading.
result<upgrade_plan> begin_upgrade(factory_state& st, const principal& who,
                                   const upgrade_contract_arg& arg);

/// Checks a rollbackContract and marks the contract as upgrading.
result<upgrade_plan> begin_rollback(factory_state& st, const principal& who,
                                    const rollback_contract_arg& arg);

/// Ends an upgrade: appends the record, moves the recorded version on
/// success, counts, clears the upgrading mark. `version_now` is the version
/// the contract is on afterwards.
void finish_upgrade(factory_state& st, const upgrade_record& rec,
                    const semver& version_now);

/// The contracts a rollout would upgrade (sorted by id) and how many it
/// skips; an admin, a registered stable version.
struct rollout_plan {
  semver version;
  std::vector<principal> candidates;
  uint64_t skipped = 0;
};

result<rollout_plan> plan_rollout(const factory_state& st, const principal& who,
                                  const rollout_version_arg& arg);

/// Marks a rollout candidate as upgrading; unknown_contract if it left the
/// deployed set, invalid_argument if it is upgrading or already there.
result<upgrade_plan>
begin_rollout_upgrade(factory_state& st, const principal& who,
                      const principal& id, const semver& version);

} // namespace icto
