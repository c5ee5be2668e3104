#pragma once

#include "actors/common/context.hpp"
#include "actors/contracts/contract_spawn.hpp"
#include "actors/factories/factory_config.hpp"
#include "messages/interfaces.hpp"

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
/// as `cfg.id` (a service). Persists (later): its `factory_state`. REQUIRES:
/// cfg.id real, a non-empty contract-id range (else the actor quits at once
/// with caf::sec::invalid_argument).
multisig_factory_actor
spawn_multisig_factory(caf::actor_system& sys, node_context_ptr ctx,
                       factory_config cfg,
                       multisig_contract_spawner spawner = {});

} // namespace icto
