#pragma once

// Spawns the services a topology puts on one node, wired to each other, in
// one actor system: the ledger, the two storages, the five factories and
// the backend (DESIGN §1). `ictod` calls it at start; tests call it to run
// the whole platform in one process.

#include "actors/common/context.hpp"
#include "actors/contracts/contract_spawn.hpp"
#include "config/topology.hpp"
#include "messages/interfaces.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <array>
#include <functional>

namespace icto {

/// The principal of a service in every cluster: the canister id whose
/// index is the service's number + 1 (ledger 1, backend 2, … launchpad
/// factory 9). Contract ids come from the nodes' ranges, which the topology
/// keeps clear of these.
principal service_principal(service_id x);

/// The service a principal names, if it is one of `service_principal`'s.
std::optional<service_id> service_of(const principal& p);

/// Handles of a node's services; invalid for services on other nodes.
struct platform {
  ledger_actor ledger;
  backend_actor backend;
  audit_actor audit;
  invoice_actor invoice;
  token_factory_actor token_factory;
  multisig_factory_actor multisig_factory;
  distribution_factory_actor distribution_factory;
  dao_factory_actor dao_factory;
  launchpad_factory_actor launchpad_factory;

  /// The same handles, dynamically typed, indexed by service_id.
  std::array<caf::actor, service_count> by_service;
  /// Which of them this node runs (the others are on other nodes).
  std::array<bool, service_count> hosted{};

  /// Every service this node runs, for shutdown.
  std::vector<caf::actor> all() const;

  /// The services restored from the node's store (journaled ones), and
  /// what recovery worked around (a corrupt newest checkpoint, a torn last
  /// record): for the log.
  std::vector<std::string> recovered;
  /// The services that journal (they answer ckpt_now_atom).
  std::vector<caf::actor> journaled;
  std::vector<std::string> recovery_warnings;
  /// Contracts re-spawned from the store.
  size_t restored_contracts = 0;
  /// Their actors, not yet kicked if `platform_options::kick_restored` was
  /// off (kick_restored below does it).
  std::vector<caf::actor> restored;
  /// What contracts spawned on this node talk to (valid on a node that
  /// hosts contracts, or the factories).
  contract_peers peers;
};

/// How a node of a cluster gets the services it does not run.
struct platform_options {
  /// Returns the handle of a service on another node, waiting until it is
  /// known (invalid if it never came). Unset: every service must be on
  /// this node.
  std::function<caf::actor(service_id)> remote;
  /// Whether contracts restored from the store run at once; a node of a
  /// cluster first announces them to its peers, whose factories they
  /// re-bind with.
  bool kick_restored = true;
};

/// Runs contracts restored but not started (each re-binds with its
/// factory).
void kick_restored(const platform& p);

/// Spawns the services `node` hosts. Sets `ctx->controllers` from the
/// topology and registers each service in `ctx->dir` under
/// `service_principal`. The backend is whitelisted at the storages and the
/// factories from the start (what setupMicroservices would do), and the
/// factories deploy into `node`'s contract-id range, split evenly among
/// them (token factory first) so that ids never collide. In a topology of
/// several nodes each factory gets its share of every contract node's range
/// instead, and places contracts by the topology's policy.
/// Services on other nodes come from `opts.remote`. Fails with a clear
/// error if one never came, if `opts.remote` is unset and some service is
/// elsewhere, or if a service refuses its config.
result<platform> spawn_platform(caf::actor_system& sys, node_context_ptr ctx,
                                const topology& topo, const node_config& node,
                                const platform_options& opts = {});

} // namespace icto
