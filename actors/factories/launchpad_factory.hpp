#pragma once

#include "actors/common/context.hpp"
#include "actors/contracts/contract_spawn.hpp"
#include "actors/factories/factory_config.hpp"
#include "messages/interfaces.hpp"
#include "persistence/node_store.hpp"

#include <caf/fwd.hpp>

#include <functional>

namespace icto {

/// How the launchpad factory starts a contract; spawn_launchpad_contract unless
/// a test replaces it.
using launchpad_contract_spawner = std::function<launchpad_contract_actor(
    caf::actor_system&, node_context_ptr, contract_params,
    launchpad_factory_actor, launchpad_init)>;

/// Spawns the launchpad factory (DESIGN §1): deploys launchpads for the
/// whitelisted backend, keeps the creator and participant indexes, the public
/// set, versions and upgrades. The node manager spawns one, on the node the
/// topology names for `launchpad_factory`; it registers itself in ctx->dir as
/// `cfg.id` (a service). Durable through spawn_durable_launchpad_factory.
/// REQUIRES: cfg.id real, a non-empty contract-id range (else the actor quits
/// at once with caf::sec::invalid_argument).
launchpad_factory_actor
spawn_launchpad_factory(caf::actor_system& sys, node_context_ptr ctx,
                        factory_config cfg,
                        launchpad_contract_spawner spawner = {});

/// The launchpad factory restored from the node's store: its last checkpoint
/// and journal in `rec` (a fresh factory if `rec` is empty), journaling from
/// then on; it re-binds its contracts as their actors come back. Errors
/// name the factory and the sequence number of a bad record.
result<launchpad_factory_actor>
spawn_durable_launchpad_factory(caf::actor_system& sys, node_context_ptr ctx,
                                factory_config cfg,
                                const store::recovered_actor& rec,
                                launchpad_contract_spawner spawner = {});

} // namespace icto
