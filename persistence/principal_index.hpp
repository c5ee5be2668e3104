#pragma once

#include "messages/principal.hpp"
#include "persistence/trie_map.hpp"

#include <cstddef>
#include <vector>

namespace icto {

/// Persistent index from an owner principal to the set of contract ids it
/// owns (the factories' "contracts by user"). A value: every modifier returns
/// a new version and leaves `*this` unchanged; copying is O(1), so a snapshot
/// can be serialized on another thread while the owning actor moves on.
///
/// Sets, not lists: adding a present pair or removing an absent one returns
/// an equal index. An owner whose set becomes empty is removed.
class principal_index {
 public:
  using id_set = trie_set<principal>;
  using owner_map = trie_map<principal, id_set>;

  principal_index() = default;

  /// Rebuilds an index from its owner map (e.g. after loading). Throws
  /// `std::invalid_argument` if a set in `owners` is empty.
  explicit principal_index(owner_map owners);

  // -- modifiers (each returns a new version) ---------------------------------

  [[nodiscard]] principal_index add(const principal& owner,
                                    const principal& id) const;

  [[nodiscard]] principal_index remove(const principal& owner,
                                       const principal& id) const;

  [[nodiscard]] principal_index remove_all(const principal& owner) const;

  // -- observers --------------------------------------------------------------

  /// The ids of `owner`, sorted by `principal::operator<`.
  std::vector<principal> get(const principal& owner) const;

  /// The ids of `owner`, or nullptr if it owns none.
  const id_set* find(const principal& owner) const {
    return owners_.find(owner);
  }

  bool contains(const principal& owner, const principal& id) const;

  /// Number of ids `owner` owns.
  size_t count(const principal& owner) const;

  /// Number of owners (with at least one id).
  size_t size() const noexcept {
    return owners_.size();
  }

  /// Number of (owner, id) pairs.
  size_t total() const noexcept {
    return total_;
  }

  bool empty() const noexcept {
    return owners_.empty();
  }

  const owner_map& owners() const noexcept {
    return owners_;
  }

  friend bool operator==(const principal_index& x, const principal_index& y) {
    return x.total_ == y.total_ && x.owners_ == y.owners_;
  }

  friend bool operator!=(const principal_index& x, const principal_index& y) {
    return !(x == y);
  }

 private:
  principal_index(owner_map owners, size_t total) noexcept
      : owners_(std::move(owners)), total_(total) {}

  owner_map owners_;
  size_t total_ = 0;
};

} // namespace icto
