#pragma once

#include "actors/common/cluster_view.hpp"
#include "actors/common/directory.hpp"
#include "messages/common.hpp"
#include "messages/principal.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace icto {

struct node_persistence;

/// The time source of a node's actors: wall-clock nanoseconds, as the IC's
/// `time()`. Tests use a manual clock.
using clock_fn = std::function<timestamp()>;

/// Wall-clock time in nanoseconds since the Unix epoch.
inline timestamp system_now() {
  using namespace std::chrono;
  return static_cast<timestamp>(
      duration_cast<nanoseconds>(system_clock::now().time_since_epoch())
          .count());
}

/// A clock that moves only when told to; for deterministic tests.
class manual_clock {
 public:
  explicit manual_clock(timestamp start) : now_(start) {}
  timestamp now() const {
    return now_.load();
  }
  void advance(std::chrono::nanoseconds d) {
    now_ += static_cast<timestamp>(d.count());
  }
  clock_fn fn() {
    return [this] {
      return now();
    };
  }

 private:
  std::atomic<timestamp> now_;
};

/// What every actor of a node shares: the directory and the clock. Created
/// by the node before it spawns anything; outlives every actor.
struct node_context {
  directory dir;
  clock_fn now = system_now;
  /// The topology's `admins.controllers`: super admins of every service of
  /// the cluster (backend, storages, factories).
  std::vector<principal> controllers;
  /// The node's store; null when the node keeps everything in memory.
  std::shared_ptr<node_persistence> persistence;
  /// Where an actor reports what an operator must see (ictod: the node's
  /// log, as a warning); standard error when unset. Called from actors'
  /// threads: it must be thread-safe.
  std::function<void(const std::string&)> warn;
  /// The other nodes of the cluster (node/cluster.hpp keeps it current);
  /// null on a node that runs alone.
  std::shared_ptr<cluster_view> cluster;
  /// This node's node manager, which spawns contracts on any node of the
  /// cluster (a batch of `contract_meta` orders); invalid on a node that
  /// runs alone, whose factories spawn their contracts themselves.
  caf::actor node_manager;

  void report_warning(const std::string& text) const {
    if (warn)
      warn(text);
    else
      std::fprintf(stderr, "warning: %s\n", text.c_str());
  }

  bool is_controller(const principal& p) const {
    for (auto& c : controllers)
      if (c == p)
        return true;
    return false;
  }
};

using node_context_ptr = std::shared_ptr<node_context>;

/// Where a durable actor's journal continues: its principal, the last
/// event recovery found and the last event its checkpoint covers (all
/// empty for an in-memory actor).
struct durable_start {
  principal id;
  uint64_t last_seq = 0;
  uint64_t checkpoint_seq = 0;
};

} // namespace icto
