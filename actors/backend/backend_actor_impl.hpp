#pragma once

// Internal to actors/backend: the backend actor's state and the handlers
// that live in its sibling .cpp files (backend_deploy.cpp,
// backend_pipeline.cpp, backend_health.cpp). Not for other folders.

#include "actors/backend/backend_actor.hpp"
#include "actors/backend/backend_events.hpp"
#include "actors/backend/backend_state.hpp"
#include "actors/common/durable.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <set>

namespace icto {

/// What the backend actor owns; only its own handlers touch it.
struct backend_actor_state {
  static inline const char* name = "backend";
  node_context_ptr ctx;
  /// Handles of the services; replaced when setupMicroservices or
  /// adminRegisterFactory moves an endpoint.
  backend_config cfg;
  /// Changed only through `commit` (an event journaled and applied), but
  /// for the health table.
  backend_state st;
  actor_journal journal;
  /// When `cfg`'s handles were last looked up in the directory.
  directory_watch handles_watch;
  /// The services whose circuit opened because their node went down (see
  /// follow_cluster_circuits); not journaled, like the health table.
  std::set<service_id> down_with_node;
};

using backend_self = backend_actor::stateful_pointer<backend_actor_state>;

/// The config with every service handle the directory knows now (looked
/// up by the service's principal when the directory changed): a service
/// whose node restarted is a new actor. What every call to a service takes
/// its handle from.
backend_config& live_cfg(backend_self self);

/// In a cluster: opens the circuit of every service whose node is down now
/// (at once, not at the next health check), and closes it again once the
/// node is back, checking the service's health at once (a node's return
/// removes what opened it; the check reopens it if the service is not
/// well). Called before anything reads or decides on the circuits.
void follow_cluster_circuits(backend_self self);

/// In a cluster: service_unavailable (SYS_TRANSIENT) if the node of `s` or
/// of a storage is down, or every node that may host contracts is; checked
/// before any fee is charged.
result<unit> check_cluster(const node_context& ctx, service_id s);

template <class T>
using promise_of = caf::typed_response_promise<result<T>>;

/// Journals `ev` and applies it to the state (apply_event). An event that
/// does not apply is a bug (it was decided from this state): nothing is
/// journaled and the actor quits with caf::sec::runtime_error rather than
/// run on a state its journal does not describe.
void commit(backend_self self, const backend_event& ev);

/// Runs `f` once every event journaled so far is durable (at once without
/// a store). Every reply and every send that depends on a change goes
/// through here (output commit).
void after_durable(backend_self self, std::function<void()> f);

/// Delivers `x` through `rp` once every event journaled so far is durable.
template <class T>
void deliver(backend_self self, promise_of<T> rp, result<T> x) {
  after_durable(self, [rp, x = std::move(x)]() mutable {
    rp.deliver(std::move(x));
  });
}

/// A handler's reply, once every event journaled so far is durable.
template <class T>
caf::result<result<T>> reply(backend_self self, result<T> x) {
  return self->state.journal.reply(self, std::move(x));
}

/// Who calls: the principal resolve_caller finds for the current sender.
principal caller_of(backend_self self, const caller& claimed);

/// Appends an audit event, once every event journaled so far is durable,
/// and ignores the outcome on purpose (the trail is best effort where the
/// caller cannot act on a failure).
void audit_note(backend_self self, audit_event ev);

/// An audit event by the backend's clock.
audit_event make_event(backend_self self, const principal& user,
                       action_type action, action_status status,
                       service_id service, std::string message);

// -- backend_deploy.cpp
// --------------------------------------------------------

/// How a deployment ended: its result and the refund, if the fee went back.
using deploy_done = std::function<void(result<deployment_receipt>,
                                       std::optional<refund_record>)>;

/// One deployment to run: what it is, and how the kind's factory is called.
struct deploy_request {
  request_key key;
  contract_kind kind = contract_kind::token;
  std::string name;
  std::string fingerprint;
  std::optional<uint64_t> pipeline_id;
  /// Sends createContract to the kind's factory with the payment id.
  std::function<void(backend_self, std::optional<uint64_t> payment_id,
                     std::function<void(result<principal>)>)>
      call_factory;
};

/// Runs a deployment from its checks to its end (receipt, or refusal, or
/// refund) and calls `done` exactly once. REQUIRES: classify_replay gave
/// start for `req.key`.
void run_deployment(backend_self self, deploy_request req, deploy_done done);

/// The factory call of each kind (used by the create* handlers and the
/// pipeline).
deploy_request token_deployment(const request_key& key,
                                const create_token_arg& arg);
deploy_request multisig_deployment(const request_key& key,
                                   const create_multisig_arg& arg);
deploy_request distribution_deployment(const request_key& key,
                                       const create_distribution_arg& arg);
deploy_request dao_deployment(const request_key& key,
                              const create_dao_arg& arg);
deploy_request launchpad_deployment(const request_key& key,
                                    const create_launchpad_arg& arg);

/// The create* handlers: idempotency, then run_deployment.
promise_of<deployment_receipt> on_create(backend_self self, const caller& c,
                                         const create_token_arg& arg);
promise_of<deployment_receipt> on_create(backend_self self, const caller& c,
                                         const create_multisig_arg& arg);
promise_of<deployment_receipt> on_create(backend_self self, const caller& c,
                                         const create_distribution_arg& arg);
promise_of<deployment_receipt> on_create(backend_self self, const caller& c,
                                         const create_dao_arg& arg);
promise_of<deployment_receipt> on_create(backend_self self, const caller& c,
                                         const create_launchpad_arg& arg);

/// adminProcessRefund.
promise_of<refund_record> on_process_refund(backend_self self, const caller& c,
                                            const process_refund_arg& arg);

/// Brings request `key`, in flight when the backend stopped, to its end by
/// the recovery rule (backend_recovery.cpp) and calls `done` once.
/// REQUIRES: the request is in flight.
void resume_request(backend_self self, const request_key& key,
                    deploy_done done);

/// Re-sends refund `id` (status processing when the backend stopped) with
/// the same deduplicated transfer, and stores the outcome.
void resume_refund(backend_self self, uint64_t id);

// -- backend_pipeline.cpp
// ------------------------------------------------------

promise_of<pipeline_status> on_create_project(backend_self self,
                                              const caller& c,
                                              const create_project_arg& arg);

/// Ends pipeline `id` at step `step` with `r` (the step's deployment
/// result) and runs no further step: the later steps are skipped (never
/// charged). Used by recovery for a pipeline running when the backend
/// stopped.
void end_pipeline_after_restart(backend_self self, uint64_t id, size_t step,
                                result<deployment_receipt> r,
                                std::optional<refund_record> refund);

// -- backend_recovery.cpp
// ------------------------------------------------------

/// Brings every request, refund and pipeline in flight at the last stop to
/// its end (the rule is at the top of backend_recovery.cpp). Called once,
/// when the actor starts.
void recover_in_flight(backend_self self);

// -- backend_health.cpp
// --------------------------------------------------------

promise_of<microservice_setup_status>
on_setup_microservices(backend_self self, const caller& c,
                       const setup_microservices_arg& arg);

promise_of<factory_registration>
on_register_factory(backend_self self, const caller& c,
                    const register_factory_arg& arg);

promise_of<unit> on_health_tick(backend_self self, const caller& c);

/// Schedules the next healthCheckTick (no-op if the interval is 0).
void arm_health_timer(backend_self self);

/// Points the handle of `s` at the actor registered as `id` in the
/// directory; false if none is. Changes only the handles, not the state.
bool rebind_handle(backend_self self, service_id s, const principal& id);

} // namespace icto
