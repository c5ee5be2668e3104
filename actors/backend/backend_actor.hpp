#pragma once

#include "actors/common/context.hpp"
#include "messages/interfaces.hpp"
#include "persistence/node_store.hpp"

#include <caf/fwd.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace icto {

/// What a backend is made with: the handles and principals of the services
/// it calls (each principal is the one the service has in `ctx->dir`), its
/// own principal, timers, timeouts and initial config values. Read by the
/// node from the topology.
struct backend_config {
  /// The backend's principal; its default account receives the fees and
  /// pays the refunds.
  principal self_id;
  ledger_actor ledger;
  principal ledger_id;
  audit_actor audit;
  principal audit_id;
  invoice_actor invoice;
  principal invoice_id;
  token_factory_actor token_factory;
  principal token_factory_id;
  multisig_factory_actor multisig_factory;
  principal multisig_factory_id;
  distribution_factory_actor distribution_factory;
  principal distribution_factory_id;
  dao_factory_actor dao_factory;
  principal dao_factory_id;
  launchpad_factory_actor launchpad_factory;
  principal launchpad_factory_id;
  /// The ledger's transfer fee (the fee paid on transfer_from and refunds).
  tokens ledger_fee = 10'000;
  /// Time between health checks of every service; 0 turns the timer off.
  std::chrono::milliseconds health_interval{30'000};
  /// Consecutive failed health checks that open a service's circuit.
  uint32_t breaker_threshold = 3;
  /// Timeout of a request to the ledger, a storage, or a health check.
  std::chrono::milliseconds request_timeout{10'000};
  /// Timeout of a factory's createContract (spawn and first callback).
  std::chrono::milliseconds deploy_timeout{60'000};
  /// Config values over ICTO V2's defaults (e.g. {"user.max_deployments",
  /// "5"}); checked like adminSetConfigValue, recorded as version 0.
  std::vector<std::pair<std::string, std::string>> config;
};

/// Spawns the backend gateway (DESIGN §1, ICTO V2's `Backend` canister):
/// config, admins, microservice setup and health, factory registry, the
/// paid deployment flow with refunds, idempotent requests, pipelines and the
/// user registry. The node manager spawns one, on the node the topology
/// names for `backend`; it registers itself in `ctx->dir` as `cfg.self_id`
/// (a service). The caller of every request is the one `resolve_caller`
/// finds for the CAF sender. In memory: nothing is journaled.
/// REQUIRES: the backend's principal is among each factory's admins (its
/// setupWhitelist) and is the storages' `backend` (their addToWhitelist);
/// a bad `cfg` makes the actor quit at once with caf::sec::invalid_argument.
backend_actor spawn_backend(caf::actor_system& sys, node_context_ptr ctx,
                            backend_config cfg);

/// Spawns the backend `id` (which must be `cfg.self_id`) from what the store
/// holds for it (`rec`: a checkpoint of its `backend_state` and the
/// `backend_event`s after it; both empty for a new backend, which starts
/// from `cfg` and ctx->controllers). Every change but the health table is
/// journaled through ctx->persistence before its reply or any send that
/// depends on it leaves. On start it brings what was in flight at the last
/// stop to an end (actors/README.md, backend/): unpaid requests fail,
/// charged ones are refunded or, if the factory's contract was recorded,
/// completed; pipelines end at their interrupted step. Its handles follow
/// the recovered endpoints when `ctx->dir` knows them, else `cfg`'s.
/// REQUIRES: as spawn_backend; the ledger and the storages are spawned and
/// in `ctx->dir` (recovery calls them at once). An error (a checkpoint or
/// event that does not load, another principal than cfg.self_id) names the
/// backend and the event's sequence number.
result<backend_actor>
spawn_durable_backend(caf::actor_system& sys, node_context_ptr ctx,
                      backend_config cfg, const principal& id,
                      const store::recovered_actor& rec);

} // namespace icto
