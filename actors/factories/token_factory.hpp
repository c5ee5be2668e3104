#pragma once

#include "actors/common/context.hpp"
#include "actors/contracts/contract_spawn.hpp"
#include "actors/factories/factory_config.hpp"
#include "messages/interfaces.hpp"

#include <caf/fwd.hpp>

#include <functional>

namespace icto {

/// How the token factory starts a contract; spawn_token_contract unless a
/// test replaces it.
using token_contract_spawner = std::function<token_contract_actor(
    caf::actor_system&, node_context_ptr, contract_params, token_factory_actor,
    token_init)>;

/// Spawns the token factory (DESIGN §1): deploys token contracts for the
/// whitelisted backend, keeps the creator and holder indexes, the public
/// set, versions and upgrades. The node manager spawns one, on the node the
/// topology names for `token_factory`; it registers itself in ctx->dir as
/// `cfg.id` (a service). Persists (later): its `factory_state`.
/// REQUIRES: cfg.id real, a non-empty contract-id range (else the actor quits
/// at once with caf::sec::invalid_argument).
token_factory_actor
spawn_token_factory(caf::actor_system& sys, node_context_ptr ctx,
                    factory_config cfg, token_contract_spawner spawner = {});

} // namespace icto
