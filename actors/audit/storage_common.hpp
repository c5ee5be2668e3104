#pragma once

// What the two storages (audit_storage, invoice_storage) share: how a
// request's caller looks to their pure logic, and the append-only id lists
// their indexes are made of. CAF-free except `caller_of` (storage_common.cpp).

#include "messages/common.hpp"
#include "persistence/trie_map.hpp"

#include <caf/fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace icto {

struct node_context;

/// Who makes a storage request, as the actor established it from the CAF
/// sender (never from a request field).
struct storage_caller {
  principal id;
  /// One of the node context's `controllers`.
  bool controller = false;
  /// The sender is an ingress asserting a user, not a service or contract:
  /// such a caller never counts as a writer, whitelisted or not.
  bool via_ingress = false;
};

/// The caller of the current request: `resolve_caller` for the id, the
/// directory's role of the sender for `via_ingress`.
storage_caller caller_of(const node_context& ctx,
                         const caf::strong_actor_ptr& sender,
                         const caller& claimed);

/// Ids in the order they were appended: position (from 0) → id. Persistent
/// (O(1) copy). The audit storage appends ids in increasing order, so its
/// lists are sorted; the invoice storage's are in recording order.
using id_list = trie_map<uint64_t, uint64_t>;

/// `l` with `id` appended.
[[nodiscard]] inline id_list push_back(const id_list& l, uint64_t id) {
  return l.insert(l.size(), id);
}

/// The id at position `pos`. REQUIRES: pos < l.size().
inline uint64_t id_at(const id_list& l, uint64_t pos) {
  return *l.find(pos);
}

/// The first position whose id is >= `id` (l.size() if none): binary search,
/// O(log n) lookups. REQUIRES: `l` is sorted.
inline uint64_t lower_bound_pos(const id_list& l, uint64_t id) {
  uint64_t lo = 0;
  uint64_t hi = l.size();
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (id_at(l, mid) < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/// Page sizes of the storages' list queries: a limit of 0 means
/// `default_page_limit`; larger limits than `max_page_limit` are cut to it.
inline constexpr uint64_t default_page_limit = 100;
inline constexpr uint64_t max_page_limit = 1'000;

inline uint64_t effective_limit(uint64_t limit) {
  if (limit == 0)
    return default_page_limit;
  return limit < max_page_limit ? limit : max_page_limit;
}

/// The members of a principal set, sorted by `principal::operator<`.
std::vector<principal> sorted(const trie_set<principal>& xs);

} // namespace icto
