#pragma once

// What every deployed contract answers, whatever its kind: its status,
// version and controllers; the owner's settings (auto-update, the factory as
// controller, visibility); and the factory's calls for upgrades and health.
// Errors: contract_errc.

#include "messages/common.hpp"
#include "messages/method.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace icto {

/// A contract's own view of itself (getContractStatus).
struct contract_status {
  principal id;
  contract_kind kind = contract_kind::token;
  principal owner;
  principal factory;
  semver version;
  /// {factory, owner}, or {owner} once the owner removed the factory.
  std::vector<principal> controllers;
  bool auto_update = true;
  bool is_public = false;
  /// The kind's business status, as sent in notifyStatusChanged.
  std::string status;
  timestamp created_at = 0;
};
ICTO_FIELDS(contract_status, id, kind, owner, factory, version, controllers,
            auto_update, is_public, status, created_at)

/// Argument of getContractStatus.
struct contract_status_arg {};
ICTO_NO_FIELDS(contract_status_arg)

/// Argument of setAutoUpdate.
struct set_auto_update_arg {
  bool enabled = false;
};
ICTO_FIELDS(set_auto_update_arg, enabled)

/// Argument of removeFactoryController.
struct remove_factory_controller_arg {};
ICTO_NO_FIELDS(remove_factory_controller_arg)

/// Argument of setVisibility.
struct set_visibility_arg {
  bool is_public = false;
};
ICTO_FIELDS(set_visibility_arg, is_public)

/// Argument of migrateTo: the version to migrate the state to (older than
/// the current one for a rollback), and who asked the factory for it.
struct migrate_to_arg {
  semver version;
  principal requested_by;
};
ICTO_FIELDS(migrate_to_arg, version, requested_by)

/// The reply of migrateTo: the version before and after.
struct migration_report {
  semver from;
  semver to;
};
ICTO_FIELDS(migration_report, from, to)

/// Argument of healthPing.
struct health_ping_arg {};
ICTO_NO_FIELDS(health_ping_arg)

/// The reply of healthPing: whether the contract's state holds its
/// invariants at its current version.
struct contract_health {
  bool healthy = false;
  semver version;
  /// What is wrong; empty when healthy.
  std::string message;
};
ICTO_FIELDS(contract_health, healthy, version, message)

/// Id, kind, owner, version, controllers, auto_update and status; anyone.
ICTO_METHOD(contract, getContractStatus, query, contract_status_arg,
            result<contract_status>)
/// Turns auto-update (rollouts) on or off and tells the factory; the owner.
ICTO_METHOD(contract, setAutoUpdate, update, set_auto_update_arg, result<unit>)
/// Removes the factory from the controllers for good (no upgrade through
/// the factory afterwards) and tells the factory; the owner.
ICTO_METHOD(contract, removeFactoryController, update,
            remove_factory_controller_arg, result<unit>)
/// Joins or leaves the factory's public set (notifyVisibilityChanged); the
/// owner.
ICTO_METHOD(contract, setVisibility, update, set_visibility_arg, result<unit>)
/// Migrates the state to a version; the factory while it is a controller.
/// On failure replies factory_errc::migration_failed and keeps the old
/// version and state.
ICTO_METHOD(contract, migrateTo, internal, migrate_to_arg,
            result<migration_report>)
/// The contract's health after a migration and in health checks; the
/// factory.
ICTO_METHOD(contract, healthPing, internal, health_ping_arg,
            result<contract_health>)

/// What every contract answers.
using contract_common_methods
    = method_list<contract_getContractStatus, contract_setAutoUpdate,
                  contract_removeFactoryController, contract_setVisibility,
                  contract_migrateTo, contract_healthPing>;

} // namespace icto
