#include "persistence/journal_writer.hpp"

#include "persistence/node_store.hpp"
#include "persistence/record.hpp"

#include <rocksdb/write_batch.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <exception>
#include <map>

namespace icto::store {

/// Checkpoint serialization runs here, off the actors' threads.
struct journal_writer::serializer_pool {
  tbb::task_arena arena{2};
  tbb::task_group group;

  void run(std::function<void()> f) {
    arena.execute([&] {
      group.run(std::move(f));
    });
  }

  void wait() {
    arena.execute([&] {
      group.wait();
    });
  }
};

journal_writer::journal_writer(node_store& store, durability mode,
                               fatal_handler on_fatal)
    : store_(store), mode_(mode), on_fatal_(std::move(on_fatal)),
      serializers_(std::make_unique<serializer_pool>()) {
  thread_ = std::thread{[this] {
    run();
  }};
}

journal_writer::~journal_writer() {
  serializers_->wait();
  {
    std::lock_guard guard{mtx_};
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void journal_writer::enqueue(op o) {
  {
    std::lock_guard guard{mtx_};
    if (failed_ || stopping_)
      return; // the node is going down; nothing more is acknowledged
    queue_.push_back(std::move(o));
    ++enqueued_;
  }
  wake_.notify_one();
}

void journal_writer::append(const principal& actor, uint64_t seq,
                            std::string payload, listener_ptr listener) {
  op o;
  o.kind = op::event;
  o.actor = actor;
  o.seq = seq;
  o.payload = std::move(payload);
  o.listener = std::move(listener);
  enqueue(std::move(o));
}

void journal_writer::checkpoint(const principal& actor, uint64_t seq,
                                std::function<std::string()> serialize,
                                listener_ptr listener) {
  {
    // Counted now, so flush() waits for it while it serializes.
    std::lock_guard guard{mtx_};
    if (failed_ || stopping_)
      return;
    ++enqueued_;
  }
  serializers_->run([this, actor, seq, serialize = std::move(serialize),
                     listener = std::move(listener)]() mutable {
    op o;
    o.kind = op::checkpoint;
    o.actor = actor;
    o.seq = seq;
    o.listener = std::move(listener);
    std::string why;
    try {
      o.payload = serialize();
      if (o.payload.size() >= max_record_payload)
        why = "checkpoint of " + std::to_string(o.payload.size())
              + " bytes is above the record limit";
    } catch (const std::exception& e) {
      why = std::string{"serializing failed: "} + e.what();
    }
    std::lock_guard guard{mtx_};
    if (!why.empty()) {
      ++written_; // nothing to write
      if (o.listener)
        o.listener->on_checkpoint(seq, false, why);
      drained_.notify_all();
      return;
    }
    queue_.push_back(std::move(o));
    wake_.notify_one();
  });
}

void journal_writer::put_meta(const principal& actor, std::string payload,
                              std::function<void()> done) {
  op o;
  o.kind = op::meta;
  o.actor = actor;
  o.payload = std::move(payload);
  o.done = std::move(done);
  enqueue(std::move(o));
}

void journal_writer::erase_actor(const principal& actor,
                                 std::function<void()> done) {
  op o;
  o.kind = op::erase;
  o.actor = actor;
  o.done = std::move(done);
  enqueue(std::move(o));
}

bool journal_writer::flush() {
  std::unique_lock guard{mtx_};
  auto target = enqueued_;
  drained_.wait(guard, [&] {
    return failed_ || written_ >= target;
  });
  return !failed_;
}

bool journal_writer::healthy() const {
  std::lock_guard guard{mtx_};
  return !failed_;
}

journal_writer_stats journal_writer::stats() const {
  std::lock_guard guard{mtx_};
  return stats_;
}

void journal_writer::fail(const std::string& message) {
  // The handler first: whoever waits in flush() learns of the failure only
  // after the node has been told to stop.
  if (on_fatal_)
    on_fatal_(message);
  {
    std::lock_guard guard{mtx_};
    failed_ = true;
    queue_.clear();
  }
  drained_.notify_all();
}

void journal_writer::run() {
  std::vector<op> batch_ops;
  for (;;) {
    {
      std::unique_lock guard{mtx_};
      wake_.wait(guard, [&] {
        return stopping_ || !queue_.empty();
      });
      if (queue_.empty() && stopping_)
        return;
      batch_ops.swap(queue_);
    }
    rocksdb::WriteBatch batch;
    uint64_t events = 0;
    uint64_t checkpoints = 0;
    for (auto& o : batch_ops) {
      switch (o.kind) {
      case op::event:
        node_store::put_record(batch, o.actor, record_kind::journal, o.seq,
                               o.payload);
        ++events;
        break;
      case op::checkpoint:
        node_store::put_record(batch, o.actor, record_kind::checkpoint, o.seq,
                               o.payload);
        store_.trim_before_checkpoint(batch, o.actor, o.seq);
        ++checkpoints;
        break;
      case op::meta:
        node_store::put_record(batch, o.actor, record_kind::meta, 0, o.payload);
        break;
      case op::erase: node_store::erase_actor(batch, o.actor); break;
      }
    }
    const auto bytes = batch.GetDataSize();
    auto written = store_.write(batch, mode_ == durability::sync);
    if (!written) {
      fail("the journal write of " + std::to_string(batch_ops.size())
           + " records failed: " + written.err().message);
      return;
    }
    // Tell each listener once, with its highest durable event.
    std::map<journal_listener*, std::pair<listener_ptr, uint64_t>> durable;
    for (auto& o : batch_ops) {
      if (o.kind == op::event && o.listener) {
        auto& slot = durable[o.listener.get()];
        slot.first = o.listener;
        slot.second = std::max(slot.second, o.seq);
      }
    }
    for (auto& [_, entry] : durable)
      entry.first->on_durable(entry.second);
    for (auto& o : batch_ops) {
      if (o.kind == op::checkpoint && o.listener)
        o.listener->on_checkpoint(o.seq, true, {});
      if (o.done)
        o.done();
    }
    {
      std::lock_guard guard{mtx_};
      written_ += batch_ops.size();
      ++stats_.batches;
      stats_.events += events;
      stats_.checkpoints += checkpoints;
      stats_.bytes += bytes;
      stats_.largest_batch = std::max<uint64_t>(stats_.largest_batch,
                                                batch_ops.size());
    }
    drained_.notify_all();
    batch_ops.clear();
  }
}

} // namespace icto::store
