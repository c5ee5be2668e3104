#pragma once

// Internal to actors/backend: the backend actor's state and the handlers
// that live in its sibling .cpp files (backend_deploy.cpp,
// backend_pipeline.cpp, backend_health.cpp). Not for other folders.

#include "actors/backend/backend_actor.hpp"
#include "actors/backend/backend_state.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <functional>
#include <memory>
#include <optional>

namespace icto {

/// What the backend actor owns; only its own handlers touch it.
struct backend_actor_state {
  static inline const char* name = "backend";
  node_context_ptr ctx;
  /// Handles of the services; replaced when setupMicroservices or
  /// adminRegisterFactory moves an endpoint.
  backend_config cfg;
  backend_state st;
};

using backend_self = backend_actor::stateful_pointer<backend_actor_state>;

template <class T>
using promise_of = caf::typed_response_promise<result<T>>;

/// Who calls: the principal resolve_caller finds for the current sender.
principal caller_of(backend_self self, const caller& claimed);

/// Appends an audit event and ignores the outcome on purpose (the trail is
/// best effort where the caller cannot act on a failure).
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

// -- backend_pipeline.cpp
// ------------------------------------------------------

promise_of<pipeline_status> on_create_project(backend_self self,
                                              const caller& c,
                                              const create_project_arg& arg);

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
/// directory; false if none is.
bool rebind_handle(backend_self self, service_id s, const principal& id);

} // namespace icto
