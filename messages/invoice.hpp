#pragma once

// The invoice storage (ICTO V2's `invoice_storage` canister): one payment
// record per fee the backend takes, pending → completed / failed /
// refunded. Only whitelisted writers (the backend) record and update;
// "controllers" below are the config's `admins.controllers`. Errors:
// invoice_errc.

#include "messages/common.hpp"
#include "messages/method.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icto {

/// Where a payment is. failed and refunded are final; completed may still
/// become refunded.
enum class payment_status : uint8_t {
  /// The fee was taken; the deployment is under way.
  pending,
  completed,
  /// The fee could not be taken.
  failed,
  /// The fee was returned.
  refunded,
};
ICTO_ENUM(payment_status, pending, completed, failed, refunded)

/// One fee payment. The backend allocates `id`; recording the same record
/// again replies it unchanged, another record with that id is a duplicate.
struct payment_record {
  uint64_t id = 0;
  principal user;
  /// The service whose `<service>.fee` was charged.
  service_id service = service_id::token_factory;
  /// The service fee, in e8s of the ledger's token.
  tokens amount = 0;
  /// The ledger's transfer fee the user paid on top.
  tokens fee = 0;
  /// The ledger block of the transfer_from; none if no transfer was made.
  std::optional<uint64_t> block_index;
  payment_status status = payment_status::pending;
  /// The client's request_id of the deployment the fee pays for.
  std::string request_id;
  timestamp created_at = 0;
  timestamp updated_at = 0;
  /// The ledger block of the refund transfer.
  std::optional<uint64_t> refund_block_index;
  /// Why it failed or was refunded.
  std::optional<std::string> reason;
};
ICTO_FIELDS(payment_record, id, user, service, amount, fee, block_index, status,
            request_id, created_at, updated_at, refund_block_index, reason)

/// Argument of updatePaymentStatus. Setting the status a record has already
/// is a no-op; refunded needs `refund_block_index` unless the amount is 0.
struct payment_status_update {
  uint64_t id = 0;
  payment_status status = payment_status::completed;
  std::optional<std::string> reason;
  std::optional<uint64_t> refund_block_index;
};
ICTO_FIELDS(payment_status_update, id, status, reason, refund_block_index)

/// Argument of getUserPaymentRecords.
struct user_payments_arg {
  principal user;
  uint64_t limit = 0;
  uint64_t offset = 0;
};
ICTO_FIELDS(user_payments_arg, user, limit, offset)

/// A page of a user's payment records, newest first, and how many in all.
struct payment_page {
  std::vector<payment_record> records;
  uint64_t total = 0;
};
ICTO_FIELDS(payment_page, records, total)

/// Argument of getPaymentRecord.
struct payment_record_arg {
  uint64_t id = 0;
};
ICTO_FIELDS(payment_record_arg, id)

/// Reply of getInvoiceStats: counts per status and the amounts behind them.
struct invoice_stats {
  uint64_t records = 0;
  uint64_t users = 0;
  uint64_t pending = 0;
  uint64_t completed = 0;
  uint64_t failed = 0;
  uint64_t refunded = 0;
  tokens amount_pending = 0;
  tokens amount_completed = 0;
  tokens amount_refunded = 0;
};
ICTO_FIELDS(invoice_stats, records, users, pending, completed, failed, refunded,
            amount_pending, amount_completed, amount_refunded)

/// Argument of getInvoiceStats.
struct invoice_stats_arg {};
ICTO_NO_FIELDS(invoice_stats_arg)

/// Argument of addToWhitelist.
struct invoice_whitelist_add_arg {
  principal writer;
};
ICTO_FIELDS(invoice_whitelist_add_arg, writer)

/// Argument of removeFromWhitelist.
struct invoice_whitelist_remove_arg {
  principal writer;
};
ICTO_FIELDS(invoice_whitelist_remove_arg, writer)

/// Argument of getWhitelist.
struct invoice_whitelist_arg {};
ICTO_NO_FIELDS(invoice_whitelist_arg)

/// Argument of healthCheck.
struct invoice_health_check_arg {};
ICTO_NO_FIELDS(invoice_health_check_arg)

using principals = std::vector<principal>;

/// Stores a new payment record; whitelisted writers.
ICTO_METHOD(invoice, recordPayment, internal, payment_record,
            result<payment_record>)
/// Moves a record to a new status and replies it; whitelisted writers.
ICTO_METHOD(invoice, updatePaymentStatus, internal, payment_status_update,
            result<payment_record>)
/// A user's records; the user, whitelisted writers and controllers.
ICTO_METHOD(invoice, getUserPaymentRecords, query, user_payments_arg,
            result<payment_page>)
/// One record; its user, whitelisted writers and controllers.
ICTO_METHOD(invoice, getPaymentRecord, query, payment_record_arg,
            result<payment_record>)
/// Counts and amounts per status; anyone.
ICTO_METHOD(invoice, getInvoiceStats, query, invoice_stats_arg,
            result<invoice_stats>)
/// Allows a writer; controllers, and the backend during setupMicroservices.
ICTO_METHOD(invoice, addToWhitelist, update, invoice_whitelist_add_arg,
            result<unit>)
/// Disallows a writer; its records stay; controllers.
ICTO_METHOD(invoice, removeFromWhitelist, update, invoice_whitelist_remove_arg,
            result<unit>)
/// The whitelisted writers; anyone.
ICTO_METHOD(invoice, getWhitelist, query, invoice_whitelist_arg,
            result<principals>)
/// Replies ok while the storage can write; the backend's health checks.
ICTO_METHOD(invoice, healthCheck, internal, invoice_health_check_arg,
            result<unit>)

using invoice_methods
    = method_list<invoice_recordPayment, invoice_updatePaymentStatus,
                  invoice_getUserPaymentRecords, invoice_getPaymentRecord,
                  invoice_getInvoiceStats, invoice_addToWhitelist,
                  invoice_removeFromWhitelist, invoice_getWhitelist,
                  invoice_healthCheck>;

} // namespace icto
