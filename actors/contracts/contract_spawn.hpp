#pragma once

// How a factory deploys a contract: the spawn function and the init
// validation of each kind. This is the whole interface between
// actors/factories and actors/contracts; everything else goes through the
// typed messages (callbacks to the factory, migrateTo / healthPing to the
// contract).

#include "actors/common/context.hpp"
#include "messages/interfaces.hpp"
#include "persistence/node_store.hpp"

#include <caf/fwd.hpp>

#include <string>
#include <vector>

namespace icto {

/// What a factory fixes for a contract it deploys.
struct contract_params {
  /// The contract's principal (canister-id form, from the node's range).
  principal id;
  /// The user it was deployed for; a controller.
  principal owner;
  /// The deploying factory's principal; a controller until the owner
  /// removes it.
  principal factory_id;
  /// The version the contract starts at: one of `<kind>_code_versions()`.
  semver version;
  timestamp created_at = 0;
  /// The platform's ICRC-1/2 ledger (the "ICP ledger"), which multisig
  /// wallets pay from and launchpads collect contributions on. Tokens of
  /// token contracts are found by principal through `ctx->dir.find_actor`.
  ledger_actor ledger;
  principal ledger_id;
};

/// A version of a kind that the code can run, with the name of the state
/// migration that brings a contract to it from the version before.
struct code_version {
  semver version;
  std::string notes;
  std::string migration;
};

// -- init validation (pure; the factory calls it before taking an id) --------

/// contract_errc::invalid_argument naming the field, or ok.
result<unit> validate(const token_init& init);
result<unit> validate(const multisig_init& init);
result<unit> validate(const distribution_init& init);
result<unit> validate(const dao_init& init);
result<unit> validate(const launchpad_init& init);

// -- versions the code knows, oldest first -----------------------------------

std::vector<code_version> token_code_versions();
std::vector<code_version> multisig_code_versions();
std::vector<code_version> distribution_code_versions();
std::vector<code_version> dao_code_versions();
std::vector<code_version> launchpad_code_versions();

// -- spawning ----------------------------------------------------------------
//
// Each spawns one contract actor on `sys` (spawn<lazy_init>), registers it in
// `ctx->dir` as `params.id` with actor_role::contract before it can run, and
// removes that entry when the actor exits. The contract initializes on its
// first message (the factory sends healthPing) and then sends
// notifyDeploymentComplete{params.id} to `factory`; every later
// index-relevant change is sent to `factory` too. It trusts `factory` as the
// caller of migrateTo / healthPing only while params.factory_id is one of
// its controllers.
// REQUIRES: validate(init) succeeded; params.version is a code version.

token_contract_actor
spawn_token_contract(caf::actor_system& sys, node_context_ptr ctx,
                     contract_params params, token_factory_actor factory,
                     token_init init);

multisig_contract_actor
spawn_multisig_contract(caf::actor_system& sys, node_context_ptr ctx,
                        contract_params params, multisig_factory_actor factory,
                        multisig_init init);

distribution_contract_actor
spawn_distribution_contract(caf::actor_system& sys, node_context_ptr ctx,
                            contract_params params,
                            distribution_factory_actor factory,
                            distribution_init init);

dao_contract_actor spawn_dao_contract(caf::actor_system& sys,
                                      node_context_ptr ctx,
                                      contract_params params,
                                      dao_factory_actor factory, dao_init init);

launchpad_contract_actor
spawn_launchpad_contract(caf::actor_system& sys, node_context_ptr ctx,
                         contract_params params,
                         launchpad_factory_actor factory, launchpad_init init);

// -- restoring (issue 5; actors/contracts/contract_durable.hpp) -------------
//
// Every kind is durable. Each rebuilds a contract from its store records
// (`init`: the encoded init message of its metadata) and spawns it under its
// id, journaling on; it then re-binds with `factory` and settles the ledger
// or token transfers it had in flight (each is sent again, identical, and
// the ledger's deduplication tells whether it had happened). Errors name the
// contract and the sequence number of a bad record.

result<caf::actor>
restore_token_contract(caf::actor_system& sys, node_context_ptr ctx,
                       contract_params params, token_factory_actor factory,
                       const std::string& init,
                       const store::recovered_actor& rec);
result<caf::actor> restore_multisig_contract(caf::actor_system& sys,
                                             node_context_ptr ctx,
                                             contract_params params,
                                             multisig_factory_actor factory,
                                             const std::string& init,
                                             const store::recovered_actor& rec);
result<caf::actor>
restore_launchpad_contract(caf::actor_system& sys, node_context_ptr ctx,
                           contract_params params,
                           launchpad_factory_actor factory,
                           const std::string& init,
                           const store::recovered_actor& rec);
result<caf::actor>
restore_distribution_contract(caf::actor_system& sys, node_context_ptr ctx,
                              contract_params params,
                              distribution_factory_actor factory,
                              const std::string& init,
                              const store::recovered_actor& rec);
result<caf::actor>
restore_dao_contract(caf::actor_system& sys, node_context_ptr ctx,
                     contract_params params, dao_factory_actor factory,
                     const std::string& init,
                     const store::recovered_actor& rec);
/// The factories restored contracts re-bind with, and the ledger they use.
struct contract_peers {
  token_factory_actor token;
  multisig_factory_actor multisig;
  distribution_factory_actor distribution;
  dao_factory_actor dao;
  launchpad_factory_actor launchpad;
  ledger_actor ledger;
};

struct contract_meta;

/// Spawns a new contract from its metadata: what a factory on another node
/// sends this node's node manager to deploy a contract here. Decodes and
/// validates the init (errors name the contract and what is wrong), then
/// spawns it like `spawn_<kind>_contract` with the factory of its kind in
/// `peers`.
result<caf::actor> spawn_contract_from_meta(caf::actor_system& sys,
                                            node_context_ptr ctx,
                                            const contract_meta& meta,
                                            const contract_peers& peers);

/// Whether a metadata record is a contract's, and of which kind.
result<contract_kind> contract_kind_of_meta(const std::string& meta);

/// Restores the contract whose metadata record is `meta` (see above).
result<caf::actor>
restore_contract(caf::actor_system& sys, node_context_ptr ctx,
                 const std::string& meta, const store::recovered_actor& rec,
                 const contract_peers& peers);

} // namespace icto
