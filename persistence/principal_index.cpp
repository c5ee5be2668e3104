#include "persistence/principal_index.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace icto {

principal_index::principal_index(owner_map owners)
    : owners_(std::move(owners)) {
  owners_.for_each([this](const principal&, const id_set& ids) {
    if (ids.empty())
      throw std::invalid_argument("principal_index: owner with no ids");
    total_ += ids.size();
  });
}

principal_index principal_index::add(const principal& owner,
                                     const principal& id) const {
  const id_set* ids = owners_.find(owner);
  if (ids == nullptr)
    return {owners_.insert(owner, id_set{}.insert(id, {})), total_ + 1};
  if (ids->contains(id))
    return *this;
  return {owners_.insert(owner, ids->insert(id, {})), total_ + 1};
}

principal_index principal_index::remove(const principal& owner,
                                        const principal& id) const {
  const id_set* ids = owners_.find(owner);
  if (ids == nullptr || !ids->contains(id))
    return *this;
  if (ids->size() == 1)
    return {owners_.erase(owner), total_ - 1};
  return {owners_.insert(owner, ids->erase(id)), total_ - 1};
}

principal_index principal_index::remove_all(const principal& owner) const {
  const id_set* ids = owners_.find(owner);
  if (ids == nullptr)
    return *this;
  return {owners_.erase(owner), total_ - ids->size()};
}

std::vector<principal> principal_index::get(const principal& owner) const {
  std::vector<principal> result;
  if (const id_set* ids = owners_.find(owner)) {
    result.reserve(ids->size());
    ids->for_each([&](const principal& id, trie_unit) {
      result.push_back(id);
    });
    std::sort(result.begin(), result.end());
  }
  return result;
}

bool principal_index::contains(const principal& owner,
                               const principal& id) const {
  const id_set* ids = owners_.find(owner);
  return ids != nullptr && ids->contains(id);
}

size_t principal_index::count(const principal& owner) const {
  const id_set* ids = owners_.find(owner);
  return ids == nullptr ? 0 : ids->size();
}

} // namespace icto
