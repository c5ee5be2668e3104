#pragma once

#include "messages/common.hpp"

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/actor_cast.hpp>
#include <caf/fwd.hpp>

#include <atomic>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

namespace icto {

/// What an actor is to the runtime; decides how far its word is trusted.
enum class actor_role : uint8_t {
  /// One of the cluster's services (ledger, backend, storages, factories).
  service,
  /// A deployed contract; its principal is its contract id.
  contract,
  /// A node's front door; the only role that may assert a user's principal.
  ingress,
};

/// Maps the actors a node knows to their principals, so that an actor learns
/// who calls it from the CAF sender, never from a field the caller filled in
/// (DESIGN §2). One per node, shared by all its actors: thread-safe,
/// read-mostly.
class directory {
 public:
  struct entry {
    principal id;
    actor_role role;
    /// An actor of another node of the cluster, known from that node's
    /// announcement (node/cluster.hpp).
    bool remote = false;
  };

  void add(const caf::actor_addr& who, principal id, actor_role role);

  /// Adds an actor of another node, as its node announced it. Local
  /// entries win: a remote entry never replaces a local actor's id.
  void add_remote(const caf::actor_addr& who, principal id, actor_role role);

  /// Removes every remote entry of `node` (it left the cluster); returns
  /// how many.
  size_t remove_node(const caf::node_id& node);

  void remove(const caf::actor_addr& who);

  std::optional<entry> find(const caf::actor_addr& who) const;

  /// The live actor registered as `id` (a service or a contract of this
  /// node), or an invalid handle. Contracts reach the token they move this
  /// way; they talk to it with the ICRC-1 messages, whatever its type.
  caf::actor find_actor(const principal& id) const;

  size_t size() const;

  /// Moves on with every change (an actor added or removed, here or by a
  /// peer). An actor that keeps handles of other actors looks them up
  /// again by principal when it moved: a service whose node restarted is a
  /// new actor under the same principal.
  uint64_t generation() const {
    return generation_.load(std::memory_order_acquire);
  }

  /// How many local actors have `role` (no vector built).
  size_t count_with_role(actor_role role) const;

  /// Every live local actor with its entry; what a node announces to its
  /// peers.
  std::vector<std::pair<caf::actor, entry>> local_entries() const;

  /// Every live local actor registered with `role` (remote entries left
  /// out); for a node's shutdown, which must stop them all
  /// (CAF-0.17-NOTES trap 1).
  std::vector<caf::actor> actors_with_role(actor_role role) const;

 private:
  /// Enters `e` for `who`, replacing its old entry. REQUIRES: mtx_ held.
  void put(const caf::actor_addr& who, entry e);

  mutable std::shared_mutex mtx_;
  std::atomic<uint64_t> generation_{1};
  std::unordered_map<caf::actor_addr, entry> entries_;
  std::unordered_map<principal, caf::actor_addr> by_id_;
};

/// Whether a directory changed since the last look: an actor that keeps
/// handles of other actors asks before it uses them and looks them up
/// again (`refresh_handle`) when it did. Owned by one actor.
class directory_watch {
 public:
  bool moved(const directory& dir) {
    auto g = dir.generation();
    if (g == seen_)
      return false;
    seen_ = g;
    return true;
  }

 private:
  uint64_t seen_ = 0;
};

/// Points `h` at the live actor the directory has for `id`, if any (else
/// leaves it alone: a service whose node is down keeps its old handle,
/// whose calls fail). Returns whether it found one.
template <class Handle>
bool refresh_handle(const directory& dir, const principal& id, Handle& h) {
  auto a = dir.find_actor(id);
  if (!a)
    return false;
  h = caf::actor_cast<Handle>(std::move(a));
  return true;
}

/// The principal a request is made for. An ingress asserts the user it has
/// authenticated (`claimed`); any other sender is what the directory maps it
/// to, whatever it claims. An unknown sender is the anonymous principal.
principal resolve_caller(const directory& dir,
                         const caf::strong_actor_ptr& sender,
                         const caller& claimed);

} // namespace icto
