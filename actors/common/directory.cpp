#include "actors/common/directory.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_control_block.hpp>
#include <caf/node_id.hpp>

#include <mutex>

namespace icto {

void directory::put(const caf::actor_addr& who, entry e) {
  if (auto i = entries_.find(who); i != entries_.end())
    by_id_.erase(i->second.id);
  by_id_[e.id] = who;
  entries_[who] = std::move(e);
  generation_.fetch_add(1, std::memory_order_release);
}

void directory::add(const caf::actor_addr& who, principal id, actor_role role) {
  std::unique_lock guard{mtx_};
  put(who, entry{std::move(id), role, false});
}

void directory::add_remote(const caf::actor_addr& who, principal id,
                           actor_role role) {
  std::unique_lock guard{mtx_};
  if (auto j = by_id_.find(id); j != by_id_.end() && j->second != who)
    if (auto k = entries_.find(j->second);
        k != entries_.end() && !k->second.remote)
      return;
  put(who, entry{std::move(id), role, true});
}

size_t directory::remove_node(const caf::node_id& node) {
  std::unique_lock guard{mtx_};
  size_t n = 0;
  for (auto i = entries_.begin(); i != entries_.end();) {
    if (i->second.remote && i->first.node() == node) {
      if (auto j = by_id_.find(i->second.id);
          j != by_id_.end() && j->second == i->first)
        by_id_.erase(j);
      i = entries_.erase(i);
      ++n;
    } else {
      ++i;
    }
  }
  if (n > 0)
    generation_.fetch_add(1, std::memory_order_release);
  return n;
}

void directory::remove(const caf::actor_addr& who) {
  std::unique_lock guard{mtx_};
  auto i = entries_.find(who);
  if (i == entries_.end())
    return;
  if (auto j = by_id_.find(i->second.id); j != by_id_.end() && j->second == who)
    by_id_.erase(j);
  entries_.erase(i);
  generation_.fetch_add(1, std::memory_order_release);
}

caf::actor directory::find_actor(const principal& id) const {
  std::shared_lock guard{mtx_};
  auto i = by_id_.find(id);
  if (i == by_id_.end())
    return {};
  return caf::actor_cast<caf::actor>(i->second);
}

std::optional<directory::entry>
directory::find(const caf::actor_addr& who) const {
  std::shared_lock guard{mtx_};
  auto i = entries_.find(who);
  if (i == entries_.end())
    return std::nullopt;
  return i->second;
}

std::vector<caf::actor> directory::actors_with_role(actor_role role) const {
  std::shared_lock guard{mtx_};
  std::vector<caf::actor> out;
  for (auto& [addr, e] : entries_)
    if (e.role == role && !e.remote)
      if (auto h = caf::actor_cast<caf::actor>(addr))
        out.push_back(std::move(h));
  return out;
}

size_t directory::count_with_role(actor_role role) const {
  std::shared_lock guard{mtx_};
  size_t n = 0;
  for (auto& [addr, e] : entries_)
    if (e.role == role && !e.remote)
      ++n;
  return n;
}

std::vector<std::pair<caf::actor, directory::entry>>
directory::local_entries() const {
  std::shared_lock guard{mtx_};
  std::vector<std::pair<caf::actor, entry>> out;
  out.reserve(entries_.size());
  for (auto& [addr, e] : entries_)
    if (!e.remote)
      if (auto h = caf::actor_cast<caf::actor>(addr))
        out.emplace_back(std::move(h), e);
  return out;
}

size_t directory::size() const {
  std::shared_lock guard{mtx_};
  return entries_.size();
}

principal resolve_caller(const directory& dir,
                         const caf::strong_actor_ptr& sender,
                         const caller& claimed) {
  if (!sender)
    return principal::anonymous();
  auto e = dir.find(caf::actor_cast<caf::actor_addr>(sender));
  if (!e)
    return principal::anonymous();
  if (e->role == actor_role::ingress)
    return claimed.id;
  return e->id;
}

} // namespace icto
