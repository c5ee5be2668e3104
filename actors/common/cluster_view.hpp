#pragma once

// What a node knows of the other nodes of its cluster (DESIGN §5): which
// are up and how many contracts each hosts. The node manager
// (node/cluster.hpp) keeps it current; factories read it to place a new
// contract, the backend to refuse a deployment no node can host before it
// charges the fee. Thread-safe: written by one actor, read by many.

#include "messages/error.hpp"
#include "messages/principal.hpp"

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace icto {

/// How a factory chooses the node of a new contract; the same names as
/// config/topology.hpp's placement_policy, which maps onto it.
enum class placement_rule : uint8_t { local, round_robin, least_loaded, hash };

class cluster_view {
 public:
  /// One node of the topology.
  struct node {
    std::string name;
    /// Whether it may host contracts (role `contracts`).
    bool hosts_contracts = false;
    bool up = false;
    /// Contracts it hosts, as it last reported.
    uint64_t contracts = 0;
    /// Wall-clock nanoseconds of its last heartbeat answer (0: none yet).
    uint64_t last_heartbeat = 0;
    /// The round trip of that heartbeat, in microseconds.
    uint64_t rtt_us = 0;
  };

  /// `self`: this node's name; `nodes`: every node, in the topology's order.
  cluster_view(std::string self, std::vector<node> nodes, placement_rule rule)
      : self_(std::move(self)), nodes_(std::move(nodes)), rule_(rule) {
    for (auto& n : nodes_)
      if (n.name == self_)
        n.up = true;
  }

  /// The node of each service, indexed by service number (from the
  /// topology).
  void set_service_hosts(std::vector<std::string> hosts) {
    std::unique_lock guard{mtx_};
    service_hosts_ = std::move(hosts);
  }

  /// The node of service number `service` if that node is down.
  std::optional<std::string> service_host_down(size_t service) const {
    std::shared_lock guard{mtx_};
    if (service >= service_hosts_.size())
      return std::nullopt;
    for (auto& n : nodes_)
      if (n.name == service_hosts_[service] && !n.up)
        return n.name;
    return std::nullopt;
  }

  const std::string& self() const {
    return self_;
  }

  placement_rule rule() const {
    return rule_;
  }

  void set_up(const std::string& name, bool up) {
    std::unique_lock guard{mtx_};
    if (auto* n = find(name))
      n->up = up;
  }

  /// A heartbeat answer from `name`: when, how long it took, and its
  /// contract count.
  void set_heartbeat(const std::string& name, uint64_t at, uint64_t rtt_us,
                     uint64_t contracts) {
    std::unique_lock guard{mtx_};
    if (auto* n = find(name)) {
      n->last_heartbeat = at;
      n->rtt_us = rtt_us;
      n->contracts = contracts;
    }
  }

  bool is_up(const std::string& name) const {
    std::shared_lock guard{mtx_};
    for (auto& n : nodes_)
      if (n.name == name)
        return n.up;
    return false;
  }

  std::vector<node> nodes() const {
    std::shared_lock guard{mtx_};
    return nodes_;
  }

  /// Names of the nodes that may host contracts and are down.
  std::vector<std::string> contract_nodes_down() const {
    std::shared_lock guard{mtx_};
    std::vector<std::string> out;
    for (auto& n : nodes_)
      if (n.hosts_contracts && !n.up)
        out.push_back(n.name);
    return out;
  }

  /// Whether some node that may host contracts is up.
  bool any_contract_node_up() const {
    std::shared_lock guard{mtx_};
    for (auto& n : nodes_)
      if (n.hosts_contracts && n.up)
        return true;
    return false;
  }

  /// The node a new contract of `owner` goes to by the rule (counted as
  /// one more contract there until its next heartbeat), or
  /// system_errc::unavailable naming why none can take it. `local` is this node
  /// (it must host contracts); `hash` picks among all contract nodes by the
  /// owner and refuses if that one is down (the owner's contracts stay
  /// together); the others skip nodes that are down.
  result<std::string> choose(const principal& owner) {
    std::unique_lock guard{mtx_};
    std::vector<node*> candidates;
    for (auto& n : nodes_)
      if (n.hosts_contracts)
        candidates.push_back(&n);
    if (candidates.empty())
      return fail("no node of the cluster has role contracts");
    switch (rule_) {
    case placement_rule::local:
      for (auto* n : candidates)
        if (n->name == self_)
          return pick(*n);
      return fail("placement is local but node " + self_
                  + " has no role contracts");
    case placement_rule::hash: {
      auto h = std::hash<principal>{}(owner);
      auto* n = candidates[h % candidates.size()];
      if (!n->up)
        return fail("node " + n->name + ", which hosts the contracts of "
                    + owner.to_text() + " (placement hash), is down");
      return pick(*n);
    }
    case placement_rule::least_loaded: {
      node* best = nullptr;
      for (auto* n : candidates)
        if (n->up && (best == nullptr || n->contracts < best->contracts))
          best = n;
      if (best == nullptr)
        return fail(all_down(candidates));
      return pick(*best);
    }
    case placement_rule::round_robin:
      for (size_t i = 0; i < candidates.size(); ++i) {
        auto* n = candidates[next_++ % candidates.size()];
        if (n->up)
          return pick(*n);
      }
      return fail(all_down(candidates));
    }
    return fail("unknown placement rule");
  }

 private:
  static result<std::string> pick(node& n) {
    ++n.contracts;
    return n.name;
  }

  static result<std::string> fail(const std::string& why) {
    return make_error(system_errc::unavailable, why);
  }

  static std::string all_down(const std::vector<node*>& candidates) {
    std::string names;
    for (auto* n : candidates)
      names += (names.empty() ? "" : ", ") + n->name;
    return "every node with role contracts is down (" + names + ")";
  }

  node* find(const std::string& name) {
    for (auto& n : nodes_)
      if (n.name == name)
        return &n;
    return nullptr;
  }

  mutable std::shared_mutex mtx_;
  std::string self_;
  std::vector<node> nodes_;
  std::vector<std::string> service_hosts_;
  placement_rule rule_;
  uint64_t next_ = 0;
};

} // namespace icto
