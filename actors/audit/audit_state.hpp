#pragma once

// The audit storage (ICTO V2's `audit_storage`) as plain data and free
// functions, without actors: `decide_*` checks a request against the state
// and makes the change, `apply` folds a change into the state. The audit
// actor (actors/audit/audit_actor.cpp) is a thin shell around them.
//
// Rules:
// - Append-only: entries are never changed or removed; ids count from 1
//   without gaps; recorded_at (the storage's clock) never decreases.
// - Hash chain: an entry's `hash` is SHA-256(prev_hash || CAF binary form of
//   (id, writer, recorded_at, event)); entry 1's prev_hash is 32 zero bytes.
// - Only whitelisted writers append, and never through an ingress. The
//   whitelist is managed by controllers; the config's backend may add.
// - Controllers and writers read every entry; any other caller only entries
//   whose event user is itself (its getAuditLogs user filter is forced to
//   it); the anonymous caller reads none.
// - An event's message is at most 4096 bytes, its request_id 1 to 256.

#include "actors/audit/audit_config.hpp"
#include "actors/audit/storage_common.hpp"
#include "messages/audit.hpp"
#include "persistence/trie_map.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace icto {

/// Longest event message and request_id the storage accepts.
inline constexpr size_t max_audit_message = 4096;
inline constexpr size_t max_audit_request_id = 256;

/// A whitelist change: `writer` allowed (or disallowed) to append.
struct audit_writer_change {
  principal writer;
  bool allowed = true;

  friend bool operator==(const audit_writer_change& x,
                         const audit_writer_change& y) {
    return x.writer == y.writer && x.allowed == y.allowed;
  }
};

/// The audit storage's whole state. Owned by one audit actor (or a test);
/// the tries make a copy O(1), so a snapshot can be checkpointed elsewhere.
struct audit_state {
  using entry_map = trie_map<uint64_t, audit_entry>;
  using user_index = trie_map<principal, id_list>;
  using action_index = trie_map<action_type, id_list>;
  using status_counts = trie_map<action_status, uint64_t>;

  /// id → entry, ids 1 .. next_id - 1.
  entry_map entries;
  /// Event user → the ids of its entries, ascending.
  user_index by_user;
  /// Action → the ids of its entries, ascending.
  action_index by_action;
  /// Status → how many entries have it (absent: none).
  status_counts by_status;
  /// The writer whitelist.
  trie_set<principal> writers;
  /// May add writers besides the controllers (audit_config::backend).
  std::optional<principal> backend;
  uint64_t next_id = 1;
  /// The last entry's recorded_at (0 while empty).
  timestamp last_recorded_at = 0;
  /// The last entry's hash (empty while empty).
  blob head_hash;

  friend bool operator==(const audit_state& x, const audit_state& y);
  friend bool operator!=(const audit_state& x, const audit_state& y) {
    return !(x == y);
  }
};

// -- construction -------------------------------------------------------------

/// An empty log with the config's whitelist; invalid_argument if a writer or
/// the backend is the anonymous principal.
result<audit_state> make_audit_state(const audit_config& cfg);

// -- the hash chain -----------------------------------------------------------

/// 32 zero bytes: entry 1's prev_hash.
blob audit_genesis_hash();

/// SHA-256 of `prev_hash` followed by the CAF binary serialization of (id,
/// writer, recorded_at, event).
blob audit_entry_hash(const blob& prev_hash, uint64_t id,
                      const principal& writer, timestamp recorded_at,
                      const audit_event& event);

/// Recomputes the chain over [from_id, to_id] (defaults: the whole log):
/// ids, links to the previous entry's stored hash, each hash, recorded_at
/// order, and the head hash if the range ends at the last entry.
/// invalid_argument for a range outside 1 .. last id or from > to.
result<chain_verification> verify_chain(const audit_state& st,
                                        const verify_chain_arg& arg);

// -- updates ------------------------------------------------------------------

/// Whether `c` may append: whitelisted and not through an ingress.
bool is_writer(const audit_state& st, const storage_caller& c);

/// The entry a logEvent by `c` at `now` appends, or unauthorized /
/// invalid_argument. Does not change `st`.
result<audit_entry> decide_log(const audit_state& st, const storage_caller& c,
                               const audit_event& ev, timestamp now);

/// addToWhitelist: controllers and the backend; invalid_argument for the
/// anonymous principal.
result<audit_writer_change> decide_whitelist(const audit_state& st,
                                             const storage_caller& c,
                                             const audit_whitelist_add_arg& a);

/// removeFromWhitelist: controllers; not_found if not whitelisted.
result<audit_writer_change>
decide_whitelist(const audit_state& st, const storage_caller& c,
                 const audit_whitelist_remove_arg& a);

/// Appends an entry. REQUIRES: made by `decide_log` from a state equal to
/// `st` (or the next entry of a journal of `st`).
void apply(audit_state& st, const audit_entry& e);

/// Adds or removes a writer (idempotent).
void apply(audit_state& st, const audit_writer_change& ch);

// -- queries ------------------------------------------------------------------

/// getAuditLogs: matching entries in id order, a page of them and the
/// total. Uses the user / action index (the smaller) when a filter names
/// one, and a binary search on recorded_at for the time range; never scans
/// the whole log for those filters.
result<audit_page> query_logs(const audit_state& st, const storage_caller& c,
                              const audit_filter& f);

/// getEntry: not_found, or unauthorized if `c` may not read it.
result<audit_entry> get_entry(const audit_state& st, const storage_caller& c,
                              uint64_t id);

audit_stats stats_of(const audit_state& st);

/// Checks what every append keeps true, in O(size): ids 1 .. next_id - 1,
/// indexes and counts matching the entries, head hash and last recorded_at
/// those of the last entry, each prev_hash the previous entry's hash. Does
/// not recompute hashes (verify_chain does). For tests and checkpoints.
bool check_invariants(const audit_state& st);

} // namespace icto
