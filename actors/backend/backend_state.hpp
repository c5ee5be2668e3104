#pragma once

// The backend gateway's rules as plain data and free functions, without
// actors: the config (declared keys, validation by key, version history),
// the admin hierarchy, idempotency records, the user registry and its
// limits, refunds, pipelines and the circuit breakers. The backend actor
// (backend_actor.cpp and its siblings) only sequences the calls to the
// ledger, the storages and the factories around them.
//
// Decisions (see actors/README.md, backend/):
// - The backend keeps no contract relationships. Per user it keeps a
//   profile, the last `user.history_limit` receipts and the idempotency
//   records of the last `user.request_window` requests; the contracts
//   themselves are indexed by the factories only.
// - A request refused before its fee was taken is recorded as `failed` and
//   may be retried under the same request_id; a charged one (completed,
//   refunded, refund_failed) replies its first result forever.
// - The backend bears the ledger fee of a refund: the payer gets the whole
//   service fee back, sent from the backend's account (its fee revenue).

#include "messages/audit.hpp"
#include "messages/backend.hpp"
#include "persistence/trie_map.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace icto {

// -- services -----------------------------------------------------------------

/// The factory service that deploys a kind.
service_id factory_service(contract_kind kind);

/// The kind a factory service deploys; none for other services.
std::optional<contract_kind> factory_kind(service_id s);

/// The audit action of a kind's deployment (create_token, ...).
action_type create_action(contract_kind kind);

/// The services the backend sets up and health-checks, in a fixed order:
/// audit_storage, invoice_storage, then the five factories.
const std::vector<service_id>& managed_services();

// -- config -------------------------------------------------------------------

/// The form a config value must have.
enum class config_type : uint8_t {
  /// "true" or "false".
  flag,
  /// A non-negative decimal integer that fits in 64 bits.
  amount,
  /// Any text up to 256 bytes.
  text,
};

/// A declared config key: name, form, ICTO V2's default, and the admin
/// permission that may change it (none: super admins only).
struct config_key_spec {
  std::string key;
  config_type type = config_type::text;
  std::string default_value;
  std::optional<admin_permission> permission;
  std::string description;
};

/// Every key the backend knows, declared once.
const std::vector<config_key_spec>& config_keys();

/// The declaration of `key`, or nullptr.
const config_key_spec* find_config_key(std::string_view key);

/// invalid_config naming the key if `value` is not of the key's form.
result<unit> validate_config_value(const config_key_spec& spec,
                                   std::string_view value);

/// The config values and their change history. `values` holds every
/// declared key (defaults at version 0); `history` maps version → change.
struct config_store {
  trie_map<std::string, config_entry> values;
  trie_map<uint64_t, config_change> history;
  uint64_t version = 0;

  friend bool operator==(const config_store& x, const config_store& y) {
    return x.version == y.version && x.values == y.values
           && x.history == y.history;
  }
};

/// The defaults, then `overrides` applied as version-0 values.
/// Fails (invalid_config) on an unknown key or a bad value.
result<config_store> make_config_store(
    const std::vector<std::pair<std::string, std::string>>& overrides);

/// The change that sets `key` to `value`, or the refusal: not_found for an
/// unknown key, invalid_config for a bad value. Permissions are checked by
/// the caller (`require_config_permission`).
result<config_change>
decide_config_change(const config_store& cfg, const principal& who,
                     const std::string& key, const std::string& value,
                     timestamp now);

/// Applies a change from decide_config_change; returns the new entry.
config_entry apply(config_store& cfg, const config_change& change);

/// REQUIRES: `key` is declared.
const std::string& config_text(const config_store& cfg, std::string_view key);
bool config_flag(const config_store& cfg, std::string_view key);
uint64_t config_amount(const config_store& cfg, std::string_view key);

/// `<service>.fee`, 0 if the service has no fee key.
tokens service_fee(const config_store& cfg, service_id s);
/// `<service>.enabled`; false if the service has no such key.
bool service_enabled(const config_store& cfg, service_id s);

config_values all_values(const config_store& cfg);

/// A page of the history (oldest first), of one key or of all.
config_history history_of(const config_store& cfg,
                          const std::optional<std::string>& key,
                          const page& pg);

// -- admins -------------------------------------------------------------------

using admin_map = trie_map<principal, backend_admin>;

/// Who may administer the backend: the controllers (super admins, fixed)
/// and the admins added since.
struct admin_registry {
  std::vector<principal> controllers;
  admin_map admins;

  friend bool operator==(const admin_registry& x, const admin_registry& y) {
    return x.controllers == y.controllers && x.admins == y.admins;
  }
};

bool is_controller(const admin_registry& r, const principal& p);
bool is_admin(const admin_registry& r, const principal& p);
bool is_super_admin(const admin_registry& r, const principal& p);
bool has_permission(const admin_registry& r, const principal& p,
                    admin_permission perm);

/// unauthorized unless `p` holds `perm` (or is a super admin).
result<unit> require_permission(const admin_registry& r, const principal& p,
                                admin_permission perm, std::string_view what);
/// unauthorized unless `p` is a super admin.
result<unit> require_super_admin(const admin_registry& r, const principal& p,
                                 std::string_view what);
/// unauthorized unless `p` is an admin of any kind.
result<unit> require_admin(const admin_registry& r, const principal& p,
                           std::string_view what);
/// unauthorized unless `p` may set `key` (the key's permission, super
/// admins for `system.*`); not_found for an unknown key.
result<unit> require_config_permission(const admin_registry& r,
                                       const principal& p,
                                       std::string_view key);

/// The admin adminAddAdmin makes; refuses the anonymous principal and
/// controllers (they are super admins already).
result<backend_admin>
decide_add_admin(const admin_registry& r, const principal& by,
                 const backend_add_admin_arg& arg, timestamp now);
/// Refuses removing a controller, oneself, or someone who is no admin.
result<unit> decide_remove_admin(const admin_registry& r, const principal& by,
                                 const principal& admin);

// -- users --------------------------------------------------------------------

/// A user of the registry: profile, bounded history, in-flight count, and
/// the request ids of its idempotency records (oldest first).
struct user_record {
  user_profile profile;
  /// Oldest first; at most `user.history_limit` entries.
  std::vector<deployment_receipt> history;
  /// Deployments between the limit check and their end (counted by limits).
  uint64_t in_flight = 0;
  /// Start of the UTC day `profile.limits.deployments_today` counts.
  timestamp day_start = 0;
  /// Time of the last completed deployment.
  std::optional<timestamp> last_deployment_at;
  std::vector<std::string> request_ids;

  friend bool operator==(const user_record& x, const user_record& y) {
    return x.profile == y.profile && x.history == y.history
           && x.in_flight == y.in_flight && x.day_start == y.day_start
           && x.last_deployment_at == y.last_deployment_at
           && x.request_ids == y.request_ids;
  }
};

using user_map = trie_map<principal, user_record>;

/// The limits of `user.*` as they apply to `rec` at `now`.
user_limits limits_of(const config_store& cfg, const user_record* rec,
                      timestamp now);

/// limit_reached naming the limit if `user` may not start another
/// deployment now (completed and in-flight deployments both count).
result<unit> check_user_limits(const config_store& cfg, const user_map& users,
                               const principal& user, timestamp now);

/// The user's profile with its limits filled in at `now`; registers the
/// user (in the returned copy) if new.
user_profile profile_of(const config_store& cfg, const user_map& users,
                        const principal& user, timestamp now);

/// A page of the user's history, newest first, optionally of one kind.
deployment_page deployments_of(const user_map& users, const principal& user,
                               const my_deployments_arg& arg);

// -- idempotency --------------------------------------------------------------

/// A create* or createProject request as its idempotency key.
struct request_key {
  principal user;
  std::string request_id;

  friend bool operator==(const request_key& x, const request_key& y) {
    return x.user == y.user && x.request_id == y.request_id;
  }
  size_t hash() const;
};

struct request_key_hash {
  size_t operator()(const request_key& x) const noexcept {
    return x.hash();
  }
};

/// What the backend remembers of a create* request: where it is, the
/// fingerprint of its arguments, the error it ended with, and what recovery
/// needs to bring it to an end after a restart (backend_recovery.cpp).
struct request_record {
  deployment_status status;
  std::string fingerprint;
  std::optional<error> failure;
  /// The contract's name (the receipt's `name`).
  std::string name;
  /// The pipeline the request is a step of.
  std::optional<uint64_t> pipeline_id;
  /// The `created_at_time` of the fee's transfer_from: fixed when the
  /// request begins, kept by a retry while `charge_sent`, so that the ledger
  /// deduplicates a transfer that may have happened (ICRC-1 dedup).
  std::optional<timestamp> charge_time;
  /// A transfer_from with `charge_time` was sent and the ledger has not
  /// refused it: the fee may have been taken.
  bool charge_sent = false;
  /// The fee's ledger block, once taken.
  std::optional<uint64_t> block;
  /// The invoice record allocated when the fee was taken.
  std::optional<uint64_t> payment_id;
  /// The contract the factory deployed, once it replied.
  std::optional<principal> contract;

  friend bool operator==(const request_record& x, const request_record& y) {
    return x.status == y.status && x.fingerprint == y.fingerprint
           && x.failure == y.failure && x.name == y.name
           && x.pipeline_id == y.pipeline_id && x.charge_time == y.charge_time
           && x.charge_sent == y.charge_sent && x.block == y.block
           && x.payment_id == y.payment_id && x.contract == y.contract;
  }
};

/// Whether a request at `stage` is in flight (received, paid, deploying).
bool in_flight(deployment_stage stage);

using request_map = trie_map<request_key, request_record, request_key_hash>;

/// SHA-256 (hex) of the JSON form of a request's arguments; request_id
/// included (it is part of the key anyway).
std::string fingerprint(const create_token_arg& x);
std::string fingerprint(const create_multisig_arg& x);
std::string fingerprint(const create_distribution_arg& x);
std::string fingerprint(const create_dao_arg& x);
std::string fingerprint(const create_launchpad_arg& x);
std::string fingerprint(const create_project_arg& x);

/// What to do with a create* request given its idempotency record.
enum class replay_action : uint8_t {
  /// No record, or a record refused before payment: run it.
  start,
  /// Completed or refunded: reply the stored result.
  reply_stored,
  /// In flight: in_progress.
  in_progress,
  /// Other arguments under the same id: idempotency_conflict.
  conflict,
};

replay_action classify_replay(const request_record* rec,
                              const std::string& fingerprint);

/// The stored result of a terminal charged request.
/// REQUIRES: classify_replay(...) == reply_stored.
result<deployment_receipt> stored_result(const request_record& rec);

/// The memo of a request's fee transfer_from: SHA-256 of the backend's
/// domain tag, the user and the request_id (32 bytes, the ICRC-1 maximum).
/// With the request's `charge_time` it makes a retry a ledger duplicate.
blob fee_memo(const request_key& key);

/// The memo of a refund's icrc1_transfer: SHA-256 of a domain tag and the
/// refund id.
blob refund_memo(uint64_t refund_id);

// -- health and circuit breakers ----------------------------------------------

/// The health of every managed service, in managed_services() order.
using health_table = std::vector<microservice_health>;

health_table make_health_table(const std::vector<microservice_endpoint>& eps);

microservice_health* find_health(health_table& t, service_id s);
const microservice_health* find_health(const health_table& t, service_id s);

/// Folds one health check into the table: a success closes the circuit and
/// clears the failures; a failure counts, and the `threshold`-th
/// consecutive one opens the circuit.
void record_check(health_table& t, service_id s, bool ok,
                  std::optional<std::string> error, timestamp now,
                  uint32_t threshold);

/// service_unavailable (SYS_TRANSIENT) naming the service if its circuit is
/// open or half-open.
result<unit> check_circuit(const health_table& t, service_id s);

// -- pipelines ----------------------------------------------------------------

/// A pipeline (createProject) and what it needs to run its next step.
struct pipeline_record {
  pipeline_status status;
  std::string fingerprint;
  /// The project's arguments while running; cleared when it ends.
  std::optional<create_project_arg> arg;

  friend bool operator==(const pipeline_record& x, const pipeline_record& y) {
    return x.status == y.status && x.fingerprint == y.fingerprint
           && x.arg == y.arg;
  }
};

using pipeline_map = trie_map<uint64_t, pipeline_record>;

/// A new pipeline with its three pending steps.
pipeline_record make_pipeline(uint64_t id, const principal& user,
                              const create_project_arg& arg,
                              std::string fingerprint, timestamp now);

/// The request_id of a pipeline step's deployment: "<request_id>/<kind>".
std::string step_request_id(const std::string& request_id, contract_kind kind);

/// The step ended with `r`: completes it (fees_paid grows) or fails it,
/// skipping the later steps and failing the pipeline; the last completed
/// step completes the pipeline.
void finish_step(pipeline_record& p, size_t step,
                 const result<deployment_receipt>& r,
                 const std::optional<refund_record>& refund, timestamp now);

/// The distribution of step 2 with `token` from step 1.
distribution_init distribution_step(const create_project_arg& arg,
                                    const principal& token);
/// The launchpad of step 3 with `sale_token` from step 1.
launchpad_init launchpad_step(const create_project_arg& arg,
                              const principal& token);

// -- the whole state ----------------------------------------------------------

using refund_map = trie_map<uint64_t, refund_record>;
using pipeline_index = trie_map<request_key, uint64_t, request_key_hash>;

/// The backend's whole state. Owned by one backend actor (or a test); the
/// tries make a copy O(1).
struct backend_state {
  /// The backend's own principal; its account receives the fees.
  principal self_id;
  /// The ledger's transfer fee, paid on top of a service fee.
  tokens ledger_fee = 10'000;
  /// Consecutive failed health checks that open a circuit.
  uint32_t breaker_threshold = 3;
  config_store config;
  admin_registry admins;
  /// Where each managed service is (managed_services() order).
  std::vector<microservice_endpoint> endpoints;
  microservice_setup_status setup;
  /// The factory of each kind, in contract_kind order (enabled and fee are
  /// filled in from the config when read).
  std::vector<factory_registration> factories;
  user_map users;
  request_map requests;
  refund_map refunds;
  uint64_t next_refund_id = 1;
  /// The invoice storage's record ids are allocated here.
  uint64_t next_payment_id = 1;
  pipeline_map pipelines;
  pipeline_index pipeline_ids;
  uint64_t next_pipeline_id = 1;
  /// Runtime liveness, not persisted: rebuilt empty on recovery and
  /// refilled by the health checks.
  health_table health;
  /// The `created_at_time` of each refund transfer whose outcome is unknown
  /// (sent, no answer yet or a timeout): a retry reuses it, so the ledger
  /// deduplicates it. Erased once the ledger answered.
  trie_map<uint64_t, timestamp> refund_tx_times;
  /// Completed deployments, all users.
  uint64_t deployments = 0;
  timestamp started_at = 0;

  friend bool operator==(const backend_state& x, const backend_state& y);
  friend bool operator!=(const backend_state& x, const backend_state& y) {
    return !(x == y);
  }
};

/// The CAF-free part of the backend's configuration.
struct backend_params {
  principal self_id;
  std::vector<principal> controllers;
  std::vector<microservice_endpoint> endpoints;
  tokens ledger_fee = 10'000;
  uint32_t breaker_threshold = 3;
  /// Initial config values over ICTO V2's defaults (version 0).
  std::vector<std::pair<std::string, std::string>> config;
};

/// A fresh state; fails on a bad config override, a missing endpoint or a
/// zero breaker threshold.
result<backend_state> make_backend_state(const backend_params& p,
                                         timestamp now);

/// The principal of a managed service (none if unknown).
std::optional<principal> endpoint_of(const backend_state& st, service_id s);

/// Records an endpoint (setupMicroservices, adminRegisterFactory).
void set_endpoint(backend_state& st, service_id s, const principal& id);

/// Records whether service `s` whitelisted the backend (and why not).
void set_whitelisted(backend_state& st, service_id s, bool ok,
                     std::optional<std::string> why);

/// Whether every managed service whitelisted the backend.
bool all_whitelisted(const backend_state& st);

/// The registry as getFactoryRegistry replies it.
factory_registrations registry_of(const backend_state& st);

/// Checks, in order, what refuses a deployment of `s` before any fee is
/// taken: setup incomplete, maintenance mode, service disabled, an open
/// circuit (the factory's or a storage's), the user's limits.
result<unit> check_deployable(const backend_state& st, service_id s,
                              const principal& user, timestamp now);

/// Starts (or restarts, after a refusal before payment) a request: the
/// record at stage received and the user's in-flight count. REQUIRES:
/// classify_replay gave start.
void begin_request(backend_state& st, const request_key& key,
                   contract_kind kind, tokens fee, std::string fingerprint,
                   timestamp now);

/// Moves a request in flight to `stage` (paid, deploying).
void set_stage(backend_state& st, const request_key& key,
               deployment_stage stage, timestamp now);

/// The fee was taken: the profile's fees_paid grows.
void note_payment(backend_state& st, const principal& user, tokens amount,
                  timestamp now);

/// The request completed: receipt stored, user history and counters.
void complete_request(backend_state& st, const request_key& key,
                      const deployment_receipt& receipt, timestamp now);

/// The request ended without a contract: `stage` is failed (no fee taken),
/// refunded or refund_failed.
void fail_request(backend_state& st, const request_key& key,
                  deployment_stage stage, const error& why,
                  const std::optional<refund_record>& refund, timestamp now);

/// Stores and returns a new pending refund.
refund_record
add_refund(backend_state& st, const principal& user, uint64_t payment_id,
           const std::string& request_id, service_id service, tokens amount,
           refund_reason reason, std::string description, timestamp now);

/// Stores a refund's new state; a completed one counts in fees_refunded.
void update_refund(backend_state& st, const refund_record& r);

/// A page of refunds, newest first, filtered.
refund_page
refunds_of(const backend_state& st, const std::optional<principal>& user,
           const std::optional<refund_status>& status, const page& pg);

system_status status_of(const backend_state& st, timestamp now);

/// What must hold of a backend_state (checked when a checkpoint loads):
/// every managed service has its endpoint, setup entry and (factories)
/// registration in order; every declared config key has a valid value;
/// the history and counters agree with the maps; every record is filed
/// under its own key. The error names the first violation.
result<unit> check_invariants(const backend_state& st);

} // namespace icto
