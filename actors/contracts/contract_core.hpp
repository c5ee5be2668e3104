#pragma once

// What every contract has, whatever its kind, as plain data and pure
// functions (no CAF here). For the authors of a contract kind:
//
//   1. Keep a `contract_core core;` in the actor's state, made with
//      `make_contract_core(kind, id, owner, factory_id, version, created_at,
//      is_public, status)` (or `core_from_params` in contract_actor.hpp).
//   2. The six common methods of messages/contracts/contract.hpp are already
//      written, once, as CAF handlers in actors/contracts/contract_actor.hpp
//      (`ICTO_CONTRACT_COMMON_HANDLERS(self)`); they call the functions
//      below. The kind supplies only its state's migrations and health
//      through a `version_table` (actors/contracts/contract_versions.hpp).
//   3. Kind methods resolve the caller with `contract_caller(self, claimed)`
//      and send index callbacks with `send_callback(self, arg)`.
//
// Rules (DESIGN §6): controllers are {factory, owner} until the owner
// removes the factory, for good. The owner alone sets auto-update and
// visibility and removes the factory; migrateTo and healthPing come from
// the factory only while it is a controller.

#include "messages/contracts/contract.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace icto {

/// The part of a contract's state every kind shares. Owned by the contract
/// actor (one per contract); copied into the status replies.
struct contract_core {
  principal id;
  contract_kind kind = contract_kind::token;
  principal owner;
  principal factory_id;
  semver version;
  /// {factory_id, owner}, or {owner} once the owner removed the factory.
  std::vector<principal> controllers;
  bool auto_update = true;
  bool is_public = false;
  /// The kind's business status ("active", ...), as notifyStatusChanged.
  std::string status;
  timestamp created_at = 0;

  friend bool operator==(const contract_core& x, const contract_core& y) {
    return x.id == y.id && x.kind == y.kind && x.owner == y.owner
           && x.factory_id == y.factory_id && x.version == y.version
           && x.controllers == y.controllers && x.auto_update == y.auto_update
           && x.is_public == y.is_public && x.status == y.status
           && x.created_at == y.created_at;
  }
  friend bool operator!=(const contract_core& x, const contract_core& y) {
    return !(x == y);
  }
};

/// A fresh core: controllers {factory_id, owner}, auto_update on.
contract_core make_contract_core(contract_kind kind, principal id,
                                 principal owner, principal factory_id,
                                 semver version, timestamp created_at,
                                 bool is_public, std::string status);

/// "1.2.3".
std::string to_text(const semver& v);

/// Whether `p` is one of the controllers.
bool is_controller(const contract_core& core, const principal& p);

/// Whether the factory is still a controller.
bool factory_is_controller(const contract_core& core);

/// getContractStatus (anyone).
contract_status status_of(const contract_core& core);

/// contract_errc::unauthorized naming `what` unless `who` is the owner.
result<unit> require_owner(const contract_core& core, const principal& who,
                           const char* what);

/// contract_errc::unauthorized unless `who` is the factory and the factory
/// is still a controller (migrateTo, healthPing).
result<unit> require_factory(const contract_core& core, const principal& who,
                             const char* what);

// -- the owner's settings: each replies whether something changed -----------
// (the actor tells the factory only about a change).

/// setAutoUpdate; the owner.
result<bool> set_auto_update(contract_core& core, const principal& who,
                             const set_auto_update_arg& arg);

/// removeFactoryController; the owner. contract_errc::already_done if the
/// factory was removed before.
result<bool> remove_factory_controller(contract_core& core,
                                       const principal& who);

/// setVisibility; the owner.
result<bool> set_visibility(contract_core& core, const principal& who,
                            const set_visibility_arg& arg);

/// What a contract actor counts about its callbacks to the factory; a
/// refused or lost callback is counted and remembered, never fatal.
struct callback_stats {
  uint64_t sent = 0;
  uint64_t accepted = 0;
  /// Refused by the factory or not answered in time.
  uint64_t failed = 0;
  /// The last failure, "<callback>: <error>"; empty if none.
  std::string last_failure;
};

/// The most entries a contract's list query returns.
inline constexpr uint64_t max_page_size = 1000;

/// How many entries a list query returns: `pg.limit`, or `if_zero` for 0,
/// never more than max_page_size.
constexpr uint64_t page_limit(const page& pg,
                              uint64_t if_zero = max_page_size) {
  return pg.limit == 0              ? if_zero
         : pg.limit > max_page_size ? max_page_size
                                    : pg.limit;
}

} // namespace icto
