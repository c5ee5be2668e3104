#pragma once

// The invoice storage (ICTO V2's `invoice_storage`) as plain data and free
// functions, without actors: `decide_*` checks a request against the state
// and makes the change, `apply` folds it into the state. The invoice actor
// (actors/invoice/invoice_actor.cpp) is a thin shell around them.
//
// Rules:
// - Only whitelisted writers record and update, never through an ingress.
//   The whitelist is managed by controllers; the config's backend may add.
// - recordPayment: the record's status is pending or failed (completed and
//   refunded are reached by updatePaymentStatus); a pending record with an
//   amount above 0 names its ledger block; no refund block yet; the user is
//   not anonymous; request_id at most 256 bytes. The storage stamps
//   created_at and updated_at with its clock (never decreasing). The same
//   record again (all fields but the two stamps equal) replies the stored
//   one unchanged; another record with that id is a duplicate.
// - updatePaymentStatus: pending → completed | failed | refunded,
//   completed → refunded; failed and refunded are final; the status a record
//   has already is a no-op that replies it unchanged. refunded needs
//   refund_block_index unless the amount is 0; no other status takes one.
//   A reason, if given, replaces the stored one; updated_at is stamped.
// - A user's records, and one record, are visible to that user, writers and
//   controllers; stats and the whitelist to anyone.

#include "actors/audit/storage_common.hpp"
#include "actors/invoice/invoice_config.hpp"
#include "messages/invoice.hpp"
#include "persistence/trie_map.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace icto {

inline constexpr size_t max_invoice_request_id = 256;

/// A stored record after a recordPayment or updatePaymentStatus.
struct invoice_change {
  payment_record record;
  /// False for a repeated record or a same-status update: nothing to apply
  /// or journal, reply `record`.
  bool changed = true;

  friend bool operator==(const invoice_change& x, const invoice_change& y) {
    return x.record == y.record && x.changed == y.changed;
  }
};

/// A whitelist change: `writer` allowed (or disallowed) to write.
struct invoice_writer_change {
  principal writer;
  bool allowed = true;

  friend bool operator==(const invoice_writer_change& x,
                         const invoice_writer_change& y) {
    return x.writer == y.writer && x.allowed == y.allowed;
  }
};

/// The invoice storage's whole state. Owned by one invoice actor (or a
/// test); the tries make a copy O(1), so a snapshot can be checkpointed.
struct invoice_state {
  using record_map = trie_map<uint64_t, payment_record>;
  using user_index = trie_map<principal, id_list>;

  /// id → record.
  record_map records;
  /// User → the ids of its records in the order they were recorded.
  user_index by_user;
  /// The writer whitelist.
  trie_set<principal> writers;
  /// May add writers besides the controllers (invoice_config::backend).
  std::optional<principal> backend;
  /// The storage's last stamp; stamps never go back.
  timestamp last_time = 0;
  /// Counts and amounts per status, kept up to date by `apply`.
  invoice_stats stats;

  friend bool operator==(const invoice_state& x, const invoice_state& y);
  friend bool operator!=(const invoice_state& x, const invoice_state& y) {
    return !(x == y);
  }
};

/// An empty storage with the config's whitelist; invalid_argument if a
/// writer or the backend is the anonymous principal.
result<invoice_state> make_invoice_state(const invoice_config& cfg);

// -- updates ------------------------------------------------------------------

/// Whether `c` may write: whitelisted and not through an ingress.
bool is_writer(const invoice_state& st, const storage_caller& c);

/// recordPayment by `c` at `now`. Does not change `st`.
result<invoice_change> decide_record(const invoice_state& st,
                                     const storage_caller& c,
                                     const payment_record& rec, timestamp now);

/// updatePaymentStatus by `c` at `now`. Does not change `st`.
result<invoice_change>
decide_update(const invoice_state& st, const storage_caller& c,
              const payment_status_update& up, timestamp now);

/// addToWhitelist: controllers and the backend.
result<invoice_writer_change>
decide_whitelist(const invoice_state& st, const storage_caller& c,
                 const invoice_whitelist_add_arg& a);

/// removeFromWhitelist: controllers; not_found if not whitelisted.
result<invoice_writer_change>
decide_whitelist(const invoice_state& st, const storage_caller& c,
                 const invoice_whitelist_remove_arg& a);

/// Stores a new or updated record and adjusts the stats. REQUIRES: made by
/// a decide function from a state equal to `st` (or the next change of a
/// journal of `st`).
void apply(invoice_state& st, const invoice_change& ch);

void apply(invoice_state& st, const invoice_writer_change& ch);

/// Whether a record may go from `from` to `to` (equal statuses excluded).
bool allowed_transition(payment_status from, payment_status to);

// -- queries ------------------------------------------------------------------

/// getUserPaymentRecords: newest first (last recorded first), a page and the
/// total; unauthorized unless `c` is the user, a writer or a controller.
result<payment_page> user_records(const invoice_state& st,
                                  const storage_caller& c,
                                  const user_payments_arg& a);

/// getPaymentRecord: not_found, or unauthorized unless `c` is its user, a
/// writer or a controller.
result<payment_record> get_record(const invoice_state& st,
                                  const storage_caller& c, uint64_t id);

/// Checks in O(size) that the user index and the stats match the records.
bool check_invariants(const invoice_state& st);

} // namespace icto
