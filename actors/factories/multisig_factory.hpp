#pragma once

#include "actors/common/context.hpp"
#include "actors/contracts/contract_spawn.hpp"
#include "actors/factories/factory_config.hpp"
#include "messages/interfaces.hpp"
#include "persistence/node_store.hpp"

#include <caf/fwd.hpp>

#include <functional>

namespace icto {

/// How the multisig factory starts a contract; spawn_multisig_contract unless a
/// test replaces it.
using multisig_contract_spawner = std::function<multisig_contract_actor(
    caf::actor_system&, node_context_ptr, contract_params,
    multisig_factory_actor, multisig_init)>;

/// Spawns the multisig factory (DESIGN §1): deploys multisig wallets for the
/// whitelisted backend, keeps the creator, signer and observer indexes, the
/// public set, versions and upgrades. The node manager spawns one, on the node
/// the topology names for `multisig_factory`; it registers itself in ctx->dir
/// as `cfg.id` (a service). Durable through spawn_durable_multisig_factory.
/// REQUIRES: cfg.id real, a non-empty contract-id range (else the actor quits
/// at once with caf::sec::invalid_argument).
multisig_factory_actor
spawn_multisig_factory(caf::actor_system& sys, node_context_ptr ctx,
                       factory_config cfg,
                       multisig_contract_spawner spawner = {});

/// The multisig factory restored from the node's store: its last checkpoint and
/// journal in `rec` (a fresh factory if `rec` is empty), journaling from
/// then on; it re-binds its contracts as their actors come back. Errors
/// name the factory and the sequence number of a bad record.
result<multisig_factory_actor>
spawn_durable_multisig_factory(caf::actor_system& sys, node_context_ptr ctx,
                               factory_config cfg,
                               const store::recovered_actor& rec,
                               multisig_contract_spawner spawner = {});

} // namespace icto
