#pragma once

// The audit storage (ICTO V2's `audit_storage` canister): an append-only,
// hash-chained log of audit events. Only whitelisted writers (the backend,
// the factories) append; no method changes or deletes an entry.
// "Controllers" below are the config's `admins.controllers`. Errors:
// audit_errc.

#include "messages/common.hpp"
#include "messages/method.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icto {

/// What an audit event records: ICTO V2's ActionType, in snake_case
/// (CreateToken → create_token). The text of the variants that carry one
/// (Custom, AdminAction, ServiceFee) goes into the event's message.
enum class action_type : uint8_t {
  create_project,
  update_project,
  delete_project,
  create_token,
  create_multisig,
  create_distribution,
  create_dao,
  create_launchpad,
  start_pipeline,
  step_completed,
  step_failed,
  pipeline_completed,
  pipeline_failed,
  fee_validation,
  payment_processed,
  payment_failed,
  refund_request,
  refund_processed,
  refund_failed,
  admin_login,
  update_system_config,
  service_maintenance,
  user_management,
  system_upgrade,
  access_denied,
  access_granted,
  grant_access,
  revoke_access,
  access_revoked,
  status_update,
  service_fee,
  admin_action,
  custom,
};
ICTO_ENUM(action_type, create_project, update_project, delete_project,
          create_token, create_multisig, create_distribution, create_dao,
          create_launchpad, start_pipeline, step_completed, step_failed,
          pipeline_completed, pipeline_failed, fee_validation,
          payment_processed, payment_failed, refund_request, refund_processed,
          refund_failed, admin_login, update_system_config, service_maintenance,
          user_management, system_upgrade, access_denied, access_granted,
          grant_access, revoke_access, access_revoked, status_update,
          service_fee, admin_action, custom)

/// How the recorded action went (ICTO V2's ActionStatus). Entries never
/// change: a later status of the same action is a new event.
enum class action_status : uint8_t {
  initiated,
  in_progress,
  completed,
  failed,
  cancelled,
  timeout,
};
ICTO_ENUM(action_status, initiated, in_progress, completed, failed, cancelled,
          timeout)

/// How much an event matters (ICTO V2's LogSeverity).
enum class log_severity : uint8_t {
  debug,
  info,
  warning,
  error,
  critical,
};
ICTO_ENUM(log_severity, debug, info, warning, error, critical)

/// What a writer logs: who did what, how it went, and the ids it concerns.
struct audit_event {
  principal user;
  action_type action = action_type::custom;
  action_status status = action_status::initiated;
  log_severity severity = log_severity::info;
  /// The service the action concerns (token_factory for a token deployment,
  /// backend for a config change).
  service_id service = service_id::backend;
  std::optional<std::string> request_id;
  std::optional<uint64_t> payment_id;
  std::optional<uint64_t> refund_id;
  std::optional<uint64_t> pipeline_id;
  std::optional<principal> contract_id;
  std::optional<tokens> amount;
  std::string message;
  /// When it happened, by the writer's clock.
  timestamp time = 0;
};
ICTO_FIELDS(audit_event, user, action, status, severity, service, request_id,
            payment_id, refund_id, pipeline_id, contract_id, amount, message,
            time)

/// An appended event. Ids count from 1 without gaps. `hash` is the SHA-256
/// of `prev_hash` and the CAF binary form of (id, writer, recorded_at,
/// event); entry 1's `prev_hash` is 32 zero bytes.
struct audit_entry {
  uint64_t id = 0;
  /// The whitelisted writer that appended it (from the CAF sender).
  principal writer;
  /// When the storage appended it, by its clock; never decreases.
  timestamp recorded_at = 0;
  audit_event event;
  blob prev_hash;
  blob hash;
};
ICTO_FIELDS(audit_entry, id, writer, recorded_at, event, prev_hash, hash)

/// Argument of getAuditLogs. Every filter given must match; the time range
/// is `from <= recorded_at < to`.
struct audit_filter {
  std::optional<principal> user;
  std::optional<action_type> action;
  std::optional<action_status> status;
  std::optional<std::string> request_id;
  std::optional<timestamp> from;
  std::optional<timestamp> to;
  ::icto::page page;
};
ICTO_FIELDS(audit_filter, user, action, status, request_id, from, to, page)

/// A page of matching entries in id order, and how many match in all.
struct audit_page {
  std::vector<audit_entry> entries;
  uint64_t total = 0;
};
ICTO_FIELDS(audit_page, entries, total)

/// Argument of getEntry.
struct audit_entry_arg {
  uint64_t id = 0;
};
ICTO_FIELDS(audit_entry_arg, id)

/// Argument of verifyChain: the id range to check, the whole log by default.
struct verify_chain_arg {
  std::optional<uint64_t> from_id;
  std::optional<uint64_t> to_id;
};
ICTO_FIELDS(verify_chain_arg, from_id, to_id)

/// The result of recomputing the hash chain.
struct chain_verification {
  bool ok = false;
  uint64_t checked = 0;
  /// The first entry whose prev_hash or hash does not match.
  std::optional<uint64_t> first_broken_id;
  /// Empty when ok.
  std::string reason;
  /// The hash of the last entry checked.
  blob head_hash;
};
ICTO_FIELDS(chain_verification, ok, checked, first_broken_id, reason, head_hash)

/// How many entries have an action.
struct audit_action_count {
  action_type action = action_type::custom;
  uint64_t count = 0;
};
ICTO_FIELDS(audit_action_count, action, count)

/// How many entries have a status.
struct audit_status_count {
  action_status status = action_status::initiated;
  uint64_t count = 0;
};
ICTO_FIELDS(audit_status_count, status, count)

/// Reply of getAuditStats; only actions and statuses that occur are listed.
struct audit_stats {
  uint64_t entries = 0;
  /// The last entry's hash; empty while the log is empty.
  blob head_hash;
  std::optional<timestamp> last_recorded_at;
  uint64_t writers = 0;
  std::vector<audit_action_count> by_action;
  std::vector<audit_status_count> by_status;
};
ICTO_FIELDS(audit_stats, entries, head_hash, last_recorded_at, writers,
            by_action, by_status)

/// Argument of getAuditStats.
struct audit_stats_arg {};
ICTO_NO_FIELDS(audit_stats_arg)

/// Argument of addToWhitelist.
struct audit_whitelist_add_arg {
  principal writer;
};
ICTO_FIELDS(audit_whitelist_add_arg, writer)

/// Argument of removeFromWhitelist.
struct audit_whitelist_remove_arg {
  principal writer;
};
ICTO_FIELDS(audit_whitelist_remove_arg, writer)

/// Argument of getWhitelist.
struct audit_whitelist_arg {};
ICTO_NO_FIELDS(audit_whitelist_arg)

/// Argument of healthCheck.
struct audit_health_check_arg {};
ICTO_NO_FIELDS(audit_health_check_arg)

using principals = std::vector<principal>;

/// Appends an event and replies the entry; whitelisted writers.
ICTO_METHOD(audit, logEvent, internal, audit_event, result<audit_entry>)
/// Recomputes the hash chain over a range of ids; anyone.
ICTO_METHOD(audit, verifyChain, query, verify_chain_arg,
            result<chain_verification>)
/// Entries matching a filter; controllers and writers see all, other
/// callers only their own (the user filter is forced to the caller).
ICTO_METHOD(audit, getAuditLogs, query, audit_filter, result<audit_page>)
/// One entry by id; as getAuditLogs.
ICTO_METHOD(audit, getEntry, query, audit_entry_arg, result<audit_entry>)
/// Counts and the chain's head; anyone.
ICTO_METHOD(audit, getAuditStats, query, audit_stats_arg, result<audit_stats>)
/// Allows a writer; controllers, and the backend during setupMicroservices.
ICTO_METHOD(audit, addToWhitelist, update, audit_whitelist_add_arg,
            result<unit>)
/// Disallows a writer; its entries stay; controllers.
ICTO_METHOD(audit, removeFromWhitelist, update, audit_whitelist_remove_arg,
            result<unit>)
/// The whitelisted writers; anyone.
ICTO_METHOD(audit, getWhitelist, query, audit_whitelist_arg, result<principals>)
/// Replies ok while the storage can append; the backend's health checks.
ICTO_METHOD(audit, healthCheck, internal, audit_health_check_arg, result<unit>)

using audit_methods
    = method_list<audit_logEvent, audit_verifyChain, audit_getAuditLogs,
                  audit_getEntry, audit_getAuditStats, audit_addToWhitelist,
                  audit_removeFromWhitelist, audit_getWhitelist,
                  audit_healthCheck>;

} // namespace icto
