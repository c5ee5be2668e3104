#pragma once

// The backend gateway (ICTO V2's `Backend` canister): config with a version
// history, the admin hierarchy, microservice setup and health, the factory
// registry, the deployment pipeline with its refunds, and the user registry.
// Errors: backend_errc. Admin methods name the permission they need; super
// admins (the config's controllers and admins added as super admins) pass
// every check.

#include "messages/common.hpp"
#include "messages/contract_init.hpp"
#include "messages/method.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icto {

// -- config -------------------------------------------------------------------

/// One config value and the change that last set it. Values are text, as in
/// ICTO V2's ConfigService: numbers in decimal, flags "true"/"false".
struct config_entry {
  std::string key;
  std::string value;
  /// The config version that set the value; 0 for a default.
  uint64_t version = 0;
  timestamp updated_at = 0;
  /// None for a default.
  std::optional<principal> updated_by;
};
ICTO_FIELDS(config_entry, key, value, version, updated_at, updated_by)

/// Every config value and the current config version.
struct config_values {
  uint64_t version = 0;
  std::vector<config_entry> entries;
};
ICTO_FIELDS(config_values, version, entries)

/// One change in the config's history; each change makes a new version.
struct config_change {
  uint64_t version = 0;
  std::string key;
  /// None when the key had no value before.
  std::optional<std::string> old_value;
  std::string new_value;
  principal changed_by;
  timestamp changed_at = 0;
};
ICTO_FIELDS(config_change, version, key, old_value, new_value, changed_by,
            changed_at)

/// A page of the config history, oldest change first.
struct config_history {
  std::vector<config_change> changes;
  uint64_t total = 0;
  uint64_t current_version = 0;
};
ICTO_FIELDS(config_history, changes, total, current_version)

/// Argument of getServiceFee: a factory service, whose `<service>.fee` is
/// read.
struct service_fee_arg {
  service_id service = service_id::token_factory;
};
ICTO_FIELDS(service_fee_arg, service)

/// Argument of getConfigValue.
struct config_value_arg {
  std::string key;
};
ICTO_FIELDS(config_value_arg, key)

/// Argument of getAllConfigValues.
struct all_config_values_arg {};
ICTO_NO_FIELDS(all_config_values_arg)

/// Argument of adminSetConfigValue. Keys: `<factory>.enabled`, `.fee`,
/// `.initial_cycles` for the five factories, `payment.*`, `user.*`,
/// `system.*`; a value must parse as the key's type.
struct set_config_value_arg {
  std::string key;
  std::string value;
};
ICTO_FIELDS(set_config_value_arg, key, value)

/// Argument of getConfigHistory; without a key, the history of all keys.
struct config_history_arg {
  std::optional<std::string> key;
  ::icto::page page;
};
ICTO_FIELDS(config_history_arg, key, page)

// -- admins -------------------------------------------------------------------

/// A specialised admin permission (ICTO V2's AdminConfiguration lists).
enum class admin_permission : uint8_t {
  /// canChangeFees: `<factory>.fee`.
  change_fees,
  /// canChangePaymentConfig: `payment.*`.
  change_payment_config,
  /// canChangeServiceEndpoints: `<factory>.enabled`, `.initial_cycles`,
  /// setupMicroservices, the factory registry.
  change_service_endpoints,
  /// canChangeLimits: `user.*`.
  change_limits,
};
ICTO_ENUM(admin_permission, change_fees, change_payment_config,
          change_service_endpoints, change_limits)

/// An admin added through adminAddAdmin. Every admin may read admin-only
/// queries; changes need a permission or `super_admin`.
struct backend_admin {
  principal id;
  bool super_admin = false;
  std::vector<admin_permission> permissions;
  principal added_by;
  timestamp added_at = 0;
};
ICTO_FIELDS(backend_admin, id, super_admin, permissions, added_by, added_at)

/// Reply of getAdmins: the controllers from the config (super admins that
/// cannot be removed) and the added admins.
struct backend_admins {
  std::vector<principal> controllers;
  std::vector<backend_admin> admins;
};
ICTO_FIELDS(backend_admins, controllers, admins)

/// Argument of getAdmins.
struct backend_admins_arg {};
ICTO_NO_FIELDS(backend_admins_arg)

/// Argument of adminAddAdmin; for an existing admin, replaces its rights.
struct backend_add_admin_arg {
  principal admin;
  bool super_admin = false;
  std::vector<admin_permission> permissions;
};
ICTO_FIELDS(backend_add_admin_arg, admin, super_admin, permissions)

/// Argument of adminRemoveAdmin.
struct backend_remove_admin_arg {
  principal admin;
};
ICTO_FIELDS(backend_remove_admin_arg, admin)

/// Argument of adminSetMaintenanceMode; stored as `system.maintenance_mode`.
struct maintenance_mode_arg {
  bool enabled = false;
  std::optional<std::string> reason;
};
ICTO_FIELDS(maintenance_mode_arg, enabled, reason)

// -- microservices and the factory registry -----------------------------------

/// Where the backend reaches a service: the service's principal.
struct microservice_endpoint {
  service_id service = service_id::audit_storage;
  principal id;
};
ICTO_FIELDS(microservice_endpoint, service, id)

/// Argument of setupMicroservices; services not listed keep the endpoint the
/// topology gives them.
struct setup_microservices_arg {
  std::vector<microservice_endpoint> services;
};
ICTO_FIELDS(setup_microservices_arg, services)

/// The setup of one service: whether it whitelisted the backend
/// (`addToWhitelist` at the storages, `setupWhitelist` at the factories).
struct microservice_setup_entry {
  service_id service = service_id::audit_storage;
  principal id;
  bool backend_whitelisted = false;
  std::optional<std::string> error;
};
ICTO_FIELDS(microservice_setup_entry, service, id, backend_whitelisted, error)

/// Whether setupMicroservices completed; until it has, no deployments.
struct microservice_setup_status {
  bool completed = false;
  std::optional<timestamp> completed_at;
  std::vector<microservice_setup_entry> services;
};
ICTO_FIELDS(microservice_setup_status, completed, completed_at, services)

/// Argument of getMicroserviceSetupStatus.
struct microservice_setup_status_arg {};
ICTO_NO_FIELDS(microservice_setup_status_arg)

/// The factory the backend deploys a contract kind with; the backend
/// accepts calls from registered factories only. `enabled` and `fee` are
/// the config's current values.
struct factory_registration {
  contract_kind kind = contract_kind::token;
  service_id service = service_id::token_factory;
  principal id;
  bool enabled = false;
  tokens fee = 0;
  bool backend_whitelisted = false;
  timestamp registered_at = 0;
};
ICTO_FIELDS(factory_registration, kind, service, id, enabled, fee,
            backend_whitelisted, registered_at)

using factory_registrations = std::vector<factory_registration>;

/// Argument of getFactoryRegistry.
struct factory_registry_arg {};
ICTO_NO_FIELDS(factory_registry_arg)

/// Argument of adminRegisterFactory: the factory that deploys `kind` from
/// now on.
struct register_factory_arg {
  contract_kind kind = contract_kind::token;
  principal id;
};
ICTO_FIELDS(register_factory_arg, kind, id)

// -- deployments --------------------------------------------------------------

/// Argument of createToken. `request_id` is the client's idempotency key:
/// the same id with the same arguments replies the first call's result.
struct create_token_arg {
  std::string request_id;
  token_init init;
};
ICTO_FIELDS(create_token_arg, request_id, init)

/// Argument of createMultisig; `request_id` as in create_token_arg.
struct create_multisig_arg {
  std::string request_id;
  multisig_init init;
};
ICTO_FIELDS(create_multisig_arg, request_id, init)

/// Argument of createDistribution; `request_id` as in create_token_arg.
struct create_distribution_arg {
  std::string request_id;
  distribution_init init;
};
ICTO_FIELDS(create_distribution_arg, request_id, init)

/// Argument of createDAO; `request_id` as in create_token_arg.
struct create_dao_arg {
  std::string request_id;
  dao_init init;
};
ICTO_FIELDS(create_dao_arg, request_id, init)

/// Argument of createLaunchpad; `request_id` as in create_token_arg.
struct create_launchpad_arg {
  std::string request_id;
  launchpad_init init;
};
ICTO_FIELDS(create_launchpad_arg, request_id, init)

/// A completed deployment: the reply of the create* methods and an item of
/// the user's deployment history.
struct deployment_receipt {
  std::string request_id;
  contract_kind kind = contract_kind::token;
  principal contract_id;
  principal owner;
  std::string name;
  principal factory;
  tokens fee_paid = 0;
  /// The invoice storage's payment record.
  uint64_t payment_id = 0;
  /// The ledger block of the fee's transfer_from; none for a zero fee.
  std::optional<uint64_t> payment_block;
  /// The audit storage's entry of the successful deployment.
  uint64_t audit_id = 0;
  /// The pipeline the deployment was a step of, if any.
  std::optional<uint64_t> pipeline_id;
  timestamp deployed_at = 0;
};
ICTO_FIELDS(deployment_receipt, request_id, kind, contract_id, owner, name,
            factory, fee_paid, payment_id, payment_block, audit_id, pipeline_id,
            deployed_at)

/// Why a fee was returned (ICTO V2's RefundReason).
enum class refund_reason : uint8_t {
  /// The factory or the contract failed after the fee was taken.
  service_failure,
  /// The backend itself failed (timeout, store).
  system_error,
  duplicate_payment,
  admin_override,
};
ICTO_ENUM(refund_reason, service_failure, system_error, duplicate_payment,
          admin_override)

/// Where a refund is: pending, then processing (the ledger transfer is in
/// flight), then completed or failed; an admin retries a failed one.
enum class refund_status : uint8_t {
  pending,
  processing,
  completed,
  failed,
};
ICTO_ENUM(refund_status, pending, processing, completed, failed)

/// A fee returned to its payer (ICRC-1 transfer from the fee recipient).
struct refund_record {
  uint64_t id = 0;
  principal user;
  uint64_t payment_id = 0;
  std::string request_id;
  service_id service = service_id::token_factory;
  tokens amount = 0;
  refund_reason reason = refund_reason::service_failure;
  std::string description;
  refund_status status = refund_status::pending;
  /// The ledger block of the refund transfer, once completed.
  std::optional<uint64_t> block_index;
  /// Why the last attempt failed.
  std::optional<std::string> error;
  timestamp created_at = 0;
  timestamp updated_at = 0;
};
ICTO_FIELDS(refund_record, id, user, payment_id, request_id, service, amount,
            reason, description, status, block_index, error, created_at,
            updated_at)

/// The stage of a deployment request.
enum class deployment_stage : uint8_t {
  /// Checks (enabled, limits, allowance) under way.
  received,
  /// The fee was taken; the factory has not been called yet.
  paid,
  /// The factory is deploying the contract.
  deploying,
  completed,
  /// Refused or failed before any fee was taken.
  failed,
  /// Failed after the fee was taken; the fee was returned.
  refunded,
  /// Failed after the fee was taken and the refund failed; an admin acts.
  refund_failed,
};
ICTO_ENUM(deployment_stage, received, paid, deploying, completed, failed,
          refunded, refund_failed)

/// Reply of getDeploymentStatus: where a create* request is.
struct deployment_status {
  std::string request_id;
  principal user;
  contract_kind kind = contract_kind::token;
  deployment_stage stage = deployment_stage::received;
  tokens fee = 0;
  /// Once completed.
  std::optional<deployment_receipt> receipt;
  /// Once the fee is being returned.
  std::optional<refund_record> refund;
  /// Why it failed.
  std::optional<std::string> error;
  timestamp created_at = 0;
  timestamp updated_at = 0;
};
ICTO_FIELDS(deployment_status, request_id, user, kind, stage, fee, receipt,
            refund, error, created_at, updated_at)

/// Argument of getDeploymentStatus; `user` defaults to the caller, another
/// user's requests are for admins.
struct deployment_status_arg {
  std::string request_id;
  std::optional<principal> user;
};
ICTO_FIELDS(deployment_status_arg, request_id, user)

// -- projects (pipelines) -----------------------------------------------------

/// Argument of createProject: a token, then a distribution and a launchpad
/// of it, each paid and deployed as its own step under one `request_id`.
/// The `token` of the distribution and the `sale_token` of the launchpad
/// are replaced by the token the first step deploys.
struct create_project_arg {
  std::string request_id;
  std::string name;
  token_init token;
  distribution_init distribution;
  launchpad_init launchpad;
};
ICTO_FIELDS(create_project_arg, request_id, name, token, distribution,
            launchpad)

/// Where a pipeline is.
enum class pipeline_state : uint8_t {
  running,
  completed,
  /// A step failed; later steps were skipped, earlier contracts remain.
  failed,
};
ICTO_ENUM(pipeline_state, running, completed, failed)

/// Where a pipeline step is.
enum class pipeline_step_state : uint8_t {
  pending,
  running,
  completed,
  failed,
  /// Not run because an earlier step failed.
  skipped,
};
ICTO_ENUM(pipeline_step_state, pending, running, completed, failed, skipped)

/// One step of a pipeline: one deployment.
struct pipeline_step {
  contract_kind kind = contract_kind::token;
  pipeline_step_state state = pipeline_step_state::pending;
  std::optional<deployment_receipt> receipt;
  std::optional<refund_record> refund;
  std::optional<std::string> error;
};
ICTO_FIELDS(pipeline_step, kind, state, receipt, refund, error)

/// Reply of createProject and getPipelineStatus.
struct pipeline_status {
  uint64_t pipeline_id = 0;
  std::string request_id;
  principal user;
  std::string name;
  pipeline_state state = pipeline_state::running;
  std::vector<pipeline_step> steps;
  tokens fees_paid = 0;
  timestamp created_at = 0;
  timestamp updated_at = 0;
};
ICTO_FIELDS(pipeline_status, pipeline_id, request_id, user, name, state, steps,
            fees_paid, created_at, updated_at)

/// Argument of getPipelineStatus.
struct pipeline_status_arg {
  uint64_t pipeline_id = 0;
};
ICTO_FIELDS(pipeline_status_arg, pipeline_id)

// -- refunds ------------------------------------------------------------------

/// A page of refund records, newest first.
struct refund_page {
  std::vector<refund_record> refunds;
  uint64_t total = 0;
};
ICTO_FIELDS(refund_page, refunds, total)

/// Argument of getRefunds: the caller's refunds.
struct refunds_arg {
  ::icto::page page;
};
ICTO_FIELDS(refunds_arg, page)

/// Argument of adminGetRefunds: everyone's refunds, filtered.
struct admin_refunds_arg {
  std::optional<principal> user;
  std::optional<refund_status> status;
  ::icto::page page;
};
ICTO_FIELDS(admin_refunds_arg, user, status, page)

/// Argument of adminProcessRefund.
struct process_refund_arg {
  uint64_t refund_id = 0;
};
ICTO_FIELDS(process_refund_arg, refund_id)

// -- users --------------------------------------------------------------------

/// The limits that apply to a user (from `user.*`; 0 = unlimited) and how
/// much of them the user has used.
struct user_limits {
  uint64_t max_deployments = 0;
  uint64_t max_deployments_per_day = 0;
  uint64_t cooldown_seconds = 0;
  uint64_t deployments_today = 0;
  /// When the cooldown lets the user deploy again, if it does not now.
  std::optional<timestamp> next_deployment_at;
};
ICTO_FIELDS(user_limits, max_deployments, max_deployments_per_day,
            cooldown_seconds, deployments_today, next_deployment_at)

/// A user of the registry; created on the user's first deployment.
struct user_profile {
  principal id;
  timestamp registered_at = 0;
  timestamp last_active_at = 0;
  uint64_t deployments = 0;
  tokens fees_paid = 0;
  tokens fees_refunded = 0;
  user_limits limits;
};
ICTO_FIELDS(user_profile, id, registered_at, last_active_at, deployments,
            fees_paid, fees_refunded, limits)

/// Argument of getUserProfile; `user` defaults to the caller, another user
/// is for admins.
struct user_profile_arg {
  std::optional<principal> user;
};
ICTO_FIELDS(user_profile_arg, user)

/// Argument of getMyDeployments.
struct my_deployments_arg {
  std::optional<contract_kind> kind;
  ::icto::page page;
};
ICTO_FIELDS(my_deployments_arg, kind, page)

/// A page of a user's deployment history, newest first.
struct deployment_page {
  std::vector<deployment_receipt> deployments;
  uint64_t total = 0;
};
ICTO_FIELDS(deployment_page, deployments, total)

// -- health and status --------------------------------------------------------

/// A circuit breaker's state: closed passes calls, open refuses them
/// (service_unavailable), half_open lets one probe through.
enum class circuit_state : uint8_t {
  closed,
  open,
  half_open,
};
ICTO_ENUM(circuit_state, closed, open, half_open)

/// What the backend's health checks know of one service.
struct microservice_health {
  service_id service = service_id::audit_storage;
  principal id;
  bool healthy = false;
  circuit_state circuit = circuit_state::closed;
  /// None before the first check.
  std::optional<timestamp> last_check;
  uint32_t consecutive_failures = 0;
  std::optional<std::string> last_error;
};
ICTO_FIELDS(microservice_health, service, id, healthy, circuit, last_check,
            consecutive_failures, last_error)

using microservice_healths = std::vector<microservice_health>;

/// Argument of getMicroserviceHealth.
struct microservice_health_arg {};
ICTO_NO_FIELDS(microservice_health_arg)

/// Reply of getSystemStatus.
struct system_status {
  bool maintenance_mode = false;
  std::optional<std::string> maintenance_reason;
  /// `system.version`.
  std::string version;
  uint64_t config_version = 0;
  bool setup_completed = false;
  uint64_t users = 0;
  uint64_t deployments = 0;
  uint64_t pipelines_running = 0;
  uint64_t refunds = 0;
  uint64_t refunds_failed = 0;
  std::vector<microservice_health> services;
  timestamp last_upgrade = 0;
  timestamp now = 0;
};
ICTO_FIELDS(system_status, maintenance_mode, maintenance_reason, version,
            config_version, setup_completed, users, deployments,
            pipelines_running, refunds, refunds_failed, services, last_upgrade,
            now)

/// Argument of getSystemStatus.
struct system_status_arg {};
ICTO_NO_FIELDS(system_status_arg)

/// Argument of healthCheckTick.
struct health_check_tick_arg {};
ICTO_NO_FIELDS(health_check_tick_arg)

// -- methods ------------------------------------------------------------------

/// The fee of a factory service (`<service>.fee`, 0 if unset); anyone.
ICTO_METHOD(backend, getServiceFee, query, service_fee_arg, result<tokens>)
/// One config value; anyone.
ICTO_METHOD(backend, getConfigValue, query, config_value_arg,
            result<config_entry>)
/// Every config value; anyone.
ICTO_METHOD(backend, getAllConfigValues, query, all_config_values_arg,
            result<config_values>)
/// The config's change history; admins.
ICTO_METHOD(backend, getConfigHistory, query, config_history_arg,
            result<config_history>)
/// Sets a config value, making a new version; admins with the key's
/// permission (admin_permission), `system.*` super admins only.
ICTO_METHOD(backend, adminSetConfigValue, update, set_config_value_arg,
            result<config_entry>)
/// The controllers and admins; admins.
ICTO_METHOD(backend, getAdmins, query, backend_admins_arg,
            result<backend_admins>)
/// Adds an admin or replaces its rights; super admins.
ICTO_METHOD(backend, adminAddAdmin, update, backend_add_admin_arg,
            result<backend_admin>)
/// Removes an added admin (never a controller, never oneself); super admins.
ICTO_METHOD(backend, adminRemoveAdmin, update, backend_remove_admin_arg,
            result<unit>)
/// Turns maintenance mode on or off (no deployments while on); super admins.
ICTO_METHOD(backend, adminSetMaintenanceMode, update, maintenance_mode_arg,
            result<unit>)
/// Records the services' endpoints and has each whitelist the backend;
/// admins with change_service_endpoints.
ICTO_METHOD(backend, setupMicroservices, update, setup_microservices_arg,
            result<microservice_setup_status>)
/// Whether the setup completed, per service; anyone.
ICTO_METHOD(backend, getMicroserviceSetupStatus, query,
            microservice_setup_status_arg, result<microservice_setup_status>)
/// The factory of each contract kind; anyone.
ICTO_METHOD(backend, getFactoryRegistry, query, factory_registry_arg,
            result<factory_registrations>)
/// Registers the factory of a kind and has it whitelist the backend; admins
/// with change_service_endpoints.
ICTO_METHOD(backend, adminRegisterFactory, update, register_factory_arg,
            result<factory_registration>)
/// Takes the fee and deploys a token contract; any non-anonymous user.
ICTO_METHOD(backend, createToken, update, create_token_arg,
            result<deployment_receipt>)
/// Takes the fee and deploys a multisig wallet; any non-anonymous user.
ICTO_METHOD(backend, createMultisig, update, create_multisig_arg,
            result<deployment_receipt>)
/// Takes the fee and deploys a distribution; any non-anonymous user.
ICTO_METHOD(backend, createDistribution, update, create_distribution_arg,
            result<deployment_receipt>)
/// Takes the fee and deploys a DAO; any non-anonymous user.
ICTO_METHOD(backend, createDAO, update, create_dao_arg,
            result<deployment_receipt>)
/// Takes the fee and deploys a launchpad; any non-anonymous user.
ICTO_METHOD(backend, createLaunchpad, update, create_launchpad_arg,
            result<deployment_receipt>)
/// Runs the token → distribution → launchpad pipeline; replies when it ends;
/// any non-anonymous user.
ICTO_METHOD(backend, createProject, update, create_project_arg,
            result<pipeline_status>)
/// Where a pipeline is; its user or admins.
ICTO_METHOD(backend, getPipelineStatus, query, pipeline_status_arg,
            result<pipeline_status>)
/// Where a create* request is; its user or admins.
ICTO_METHOD(backend, getDeploymentStatus, query, deployment_status_arg,
            result<deployment_status>)
/// The caller's refunds.
ICTO_METHOD(backend, getRefunds, query, refunds_arg, result<refund_page>)
/// Everyone's refunds; admins.
ICTO_METHOD(backend, adminGetRefunds, query, admin_refunds_arg,
            result<refund_page>)
/// Retries a pending or failed refund; admins with change_payment_config.
ICTO_METHOD(backend, adminProcessRefund, update, process_refund_arg,
            result<refund_record>)
/// A user's profile, limits and usage; the user or admins.
ICTO_METHOD(backend, getUserProfile, query, user_profile_arg,
            result<user_profile>)
/// The caller's deployment history.
ICTO_METHOD(backend, getMyDeployments, query, my_deployments_arg,
            result<deployment_page>)
/// The last health check of every service; anyone.
ICTO_METHOD(backend, getMicroserviceHealth, query, microservice_health_arg,
            result<microservice_healths>)
/// Maintenance mode, versions, counts and service health; anyone.
ICTO_METHOD(backend, getSystemStatus, query, system_status_arg,
            result<system_status>)
/// Pings every service and updates the circuit breakers; the backend's own
/// timer.
ICTO_METHOD(backend, healthCheckTick, internal, health_check_tick_arg,
            result<unit>)

using backend_methods = method_list<
    backend_getServiceFee, backend_getConfigValue, backend_getAllConfigValues,
    backend_getConfigHistory, backend_adminSetConfigValue, backend_getAdmins,
    backend_adminAddAdmin, backend_adminRemoveAdmin,
    backend_adminSetMaintenanceMode, backend_setupMicroservices,
    backend_getMicroserviceSetupStatus, backend_getFactoryRegistry,
    backend_adminRegisterFactory, backend_createToken, backend_createMultisig,
    backend_createDistribution, backend_createDAO, backend_createLaunchpad,
    backend_createProject, backend_getPipelineStatus,
    backend_getDeploymentStatus, backend_getRefunds, backend_adminGetRefunds,
    backend_adminProcessRefund, backend_getUserProfile,
    backend_getMyDeployments, backend_getMicroserviceHealth,
    backend_getSystemStatus, backend_healthCheckTick>;

} // namespace icto
