#pragma once

// The node's single writer: actors hand it journal events, checkpoints and
// metadata; a thread takes everything queued and writes it as one RocksDB
// batch, synced (WriteOptions::sync), then tells each actor how far its
// records are durable. Many actors' events share one fsync (group commit).
//
// Checkpoints are serialized on TBB worker threads (the actor hands over an
// immutable snapshot and keeps serving), then written in order with the
// journal. A failed write is fatal: the writer calls `on_fatal` once and
// accepts nothing more; the node must stop (never retry and hope).

#include "messages/principal.hpp"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace icto::store {

class node_store;

/// How appends reach the disk.
enum class durability : uint8_t {
  /// Each batch is fsynced before anyone hears it is durable. The default.
  sync,
  /// Batches are handed to the OS without fsync: a crash of the machine
  /// (not only of the process) can lose acknowledged events. Benchmarks
  /// only; never for real data.
  async,
};

/// Told, on the writer thread, how far an actor's records are durable.
/// Implementations must be quick (send a message, set an atomic).
class journal_listener {
 public:
  virtual ~journal_listener() = default;
  /// Every journal event of this listener up to `seq` is durable.
  virtual void on_durable(uint64_t seq) = 0;
  /// The checkpoint at `seq` is durable (ok) or could not be made (its
  /// serializer threw; the message says why).
  virtual void on_checkpoint(uint64_t seq, bool ok,
                             const std::string& message) {
    static_cast<void>(seq);
    static_cast<void>(ok);
    static_cast<void>(message);
  }
};

using listener_ptr = std::shared_ptr<journal_listener>;

struct journal_writer_stats {
  uint64_t batches = 0;
  uint64_t events = 0;
  uint64_t checkpoints = 0;
  uint64_t bytes = 0;
  uint64_t largest_batch = 0;
};

class journal_writer {
 public:
  using fatal_handler = std::function<void(const std::string& message)>;

  journal_writer(node_store& store, durability mode, fatal_handler on_fatal);

  /// Drains what is queued (checkpoints being serialized included), then
  /// stops the thread.
  ~journal_writer();

  journal_writer(const journal_writer&) = delete;
  journal_writer& operator=(const journal_writer&) = delete;

  /// Queues event `seq` of `actor`; `listener->on_durable(seq)` (or a later
  /// seq) follows once it is on disk. Sequence numbers of one actor must be
  /// appended in order, from 1, without gaps.
  void append(const principal& actor, uint64_t seq, std::string payload,
              listener_ptr listener);

  /// Serializes a checkpoint of `actor` covering its events up to `seq` on a
  /// TBB thread (`serialize` must only touch the immutable snapshot it
  /// captured), then writes it after every event queued before it, trims
  /// what it makes obsolete and calls `listener->on_checkpoint`.
  void checkpoint(const principal& actor, uint64_t seq,
                  std::function<std::string()> serialize,
                  listener_ptr listener);

  /// Writes the actor's metadata record (kind, how to spawn it) with the
  /// next batch; `done` runs on the writer thread once it is durable.
  void put_meta(const principal& actor, std::string payload,
                std::function<void()> done = {});

  /// Removes every record of `actor` (a contract that was deleted).
  void erase_actor(const principal& actor, std::function<void()> done = {});

  /// Blocks until everything queued before the call is durable: true; or
  /// the writer failed (after on_fatal returned): false. Checkpoints still
  /// being serialized are waited for.
  bool flush();

  /// False once a write failed.
  bool healthy() const;

  journal_writer_stats stats() const;

  durability mode() const {
    return mode_;
  }

 private:
  struct op {
    enum kind_t : uint8_t { event, checkpoint, meta, erase } kind = event;
    principal actor;
    uint64_t seq = 0;
    std::string payload;
    listener_ptr listener;
    std::function<void()> done;
  };

  void enqueue(op o);
  void run();
  void fail(const std::string& message);

  node_store& store_;
  durability mode_;
  fatal_handler on_fatal_;
  mutable std::mutex mtx_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::vector<op> queue_;
  uint64_t enqueued_ = 0;
  uint64_t written_ = 0;
  bool stopping_ = false;
  bool failed_ = false;
  journal_writer_stats stats_;
  struct serializer_pool;
  std::unique_ptr<serializer_pool> serializers_;
  std::thread thread_;
};

} // namespace icto::store
