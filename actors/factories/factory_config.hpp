#pragma once

#include "actors/factories/factory_state.hpp"
#include "messages/interfaces.hpp"

#include <chrono>
#include <cstdint>
#include <vector>

namespace icto {

/// What the node manager (or a test) gives a factory of any kind at spawn.
struct factory_config {
  /// The factory's principal: registered in the node's directory as a
  /// service, and a controller of every contract it deploys.
  principal id;
  /// The canister-id indexes [first, last] this factory may give contracts
  /// (the node's range in the topology); never reused.
  uint64_t first_contract_index = 0;
  uint64_t last_contract_index = 0;
  /// In a cluster: the share of each node with role `contracts`
  /// (overrides the range above). A new contract goes to the node
  /// `ctx->cluster` chooses and takes its id from that node's share;
  /// `ctx->node_manager` spawns it there.
  std::vector<id_range> targets;
  /// Backends allowed to call createContract until an admin replaces the
  /// list with setupWhitelist.
  std::vector<principal> whitelist;
  /// Factory admins besides the node's controllers (ctx->controllers).
  std::vector<principal> admins;
  /// The platform ledger, handed to every contract (contract_params).
  ledger_actor ledger;
  principal ledger_id;
  /// How long a new contract has to answer the first healthPing after
  /// sending notifyDeploymentComplete; then the deployment fails.
  std::chrono::milliseconds deployment_timeout{std::chrono::seconds{10}};
  /// How long each migrateTo / healthPing of an upgrade may take.
  std::chrono::milliseconds upgrade_timeout{std::chrono::seconds{10}};
};

} // namespace icto
