#pragma once

// What makes an actor durable: its journal in the node's store, output
// commit, checkpoints (DESIGN §4, issue 5).
//
// An actor that changes its state appends the change as an event and
// applies it at once, so the next message sees it. Nothing that depends on
// it leaves the actor before the event is on disk: replies (queries
// included, while events are pending) go through `reply`, other sends
// through `after_durable`. The node's journal_writer group-commits many
// actors' events in one synced write and then sends each actor a
// `durable_atom` notice, which the default handler installed by `attach`
// takes (typed interfaces stay as messages/ declares them).
//
// Without a store (tests, in-memory nodes) `enabled()` is false: appends are
// dropped and replies leave at once.

#include "actors/common/context.hpp"
#include "messages/common.hpp"
#include "messages/principal.hpp"
#include "persistence/journal_writer.hpp"
#include "persistence/node_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/result.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/sec.hpp>
#include <caf/typed_response_promise.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>

namespace icto {

/// The node's store as its actors see it; null in node_context when the
/// node keeps everything in memory.
struct node_persistence {
  store::node_store* store = nullptr;
  store::journal_writer* writer = nullptr;
  /// Events between two checkpoints of one actor.
  uint64_t checkpoint_every = 1000;
};

using node_persistence_ptr = std::shared_ptr<node_persistence>;

using durable_atom = caf::atom_constant<caf::atom("durable")>;
using ckpt_done_atom = caf::atom_constant<caf::atom("ckptdone")>;
/// Asks a durable actor to checkpoint now (clean shutdown); it answers the
/// sequence number the checkpoint covers (0: nothing to do).
using ckpt_now_atom = caf::atom_constant<caf::atom("ckptnow")>;

/// Makes a serializer of an immutable copy of the actor's current state;
/// the serializer runs on a TBB thread.
using snapshot_fn = std::function<std::function<std::string()>()>;

/// An actor's journal. Lives in the actor's state (its address must not
/// change after `attach`); only the actor's own thread touches it.
class actor_journal {
 public:
  actor_journal() = default;
  actor_journal(const actor_journal&) = delete;
  actor_journal& operator=(const actor_journal&) = delete;

  /// Binds the journal to `self`, continuing after what recovery found
  /// (`start`); `snapshot` makes its checkpoints. Installs the default
  /// handler that takes the writer's notices and `ckpt_now_atom`. With a
  /// null `p` the journal is disabled.
  void attach(caf::scheduled_actor* self, const durable_start& start,
              node_persistence_ptr p, snapshot_fn snapshot);

  bool enabled() const {
    return writer_ != nullptr;
  }

  /// Sequence number of the last appended event.
  uint64_t seq() const {
    return appended_;
  }

  /// Sequence number of the last durable event.
  uint64_t durable_seq() const {
    return durable_;
  }

  /// Queues an event for the disk (the caller applies it to its state).
  /// Returns its sequence number.
  uint64_t append(std::string payload);

  /// Whether an appended event is not durable yet.
  bool pending() const {
    return enabled() && durable_ < appended_;
  }

  /// Runs `f` once every event appended so far is durable: now, if none is
  /// pending.
  void after_durable(std::function<void()> f);

  /// The reply of a handler: `value` at once if nothing is pending, else a
  /// promise delivered once everything appended so far is durable.
  /// While a hold (below) is taken, replies also wait for its release.
  template <class T, class Self>
  caf::result<T> reply(Self* self, T value) {
    if (!pending() && holds_.empty())
      return value;
    auto promise = self->template make_response_promise<T>();
    when_settled([promise, v = std::move(value)]() mutable {
      promise.deliver(std::move(v));
    });
    return promise;
  }

  /// Runs `f` once everything appended so far is durable and every hold
  /// taken so far is released: what a reply waits for (`reply`; a handler
  /// that answers through its own promise delivers it from here).
  void when_settled(std::function<void()> f) {
    after_durable([this, f = std::move(f)]() mutable {
      after_holds(std::move(f));
    });
  }

  /// Holds back every reply made from now on until `release(id)`: what
  /// the actor told another actor of a change (a contract's callback to
  /// its factory) must be answered before the caller hears of the change,
  /// so that an acknowledged change is in that actor's journal too.
  /// Returns the hold's id. A hold must be released exactly once (on the
  /// answer or on the error, a timeout included).
  uint64_t hold();
  void release(uint64_t id);

  /// Runs `f` once every hold taken so far is released: now, if none is.
  void after_holds(std::function<void()> f);

  /// Appends an event and applies it: `apply()` changes the state the
  /// event describes. Then starts a checkpoint if `checkpoint_every` events
  /// passed since the last one and none is in flight.
  template <class Apply>
  void commit(std::string payload, Apply&& apply) {
    append(std::move(payload));
    apply();
    maybe_checkpoint();
  }

  /// Starts a checkpoint if one is due.
  void maybe_checkpoint();

  /// Starts a checkpoint now, unless one is in flight or nothing changed
  /// since the last. Returns the sequence number it covers, or 0.
  uint64_t checkpoint_now();

 private:
  void on_durable(uint64_t seq);
  void on_checkpoint(uint64_t seq, bool ok, const std::string& message);

  principal id_;
  snapshot_fn snapshot_;
  node_persistence_ptr persistence_;
  store::journal_writer* writer_ = nullptr;
  store::listener_ptr listener_;
  uint64_t appended_ = 0;
  uint64_t durable_ = 0;
  uint64_t last_checkpoint_ = 0;
  bool checkpoint_in_flight_ = false;
  std::deque<std::pair<uint64_t, std::function<void()>>> waiting_;
  /// Holds not released yet, and what waits for them (with the newest hold
  /// it waits for; nondecreasing).
  std::set<uint64_t> holds_;
  uint64_t last_hold_ = 0;
  std::deque<std::pair<uint64_t, std::function<void()>>> held_;
};

/// A handler's reply through its actor's journal (`self->state.journal`).
template <class Self, class T>
caf::result<result<T>> durable_reply(Self self, result<T> x) {
  return self->state.journal.reply(self, std::move(x));
}

/// Spawns `impl(self, ctx, state, durable_start{})`: a service kept in
/// memory. If its initial state could not be made (a bad config), spawns an
/// actor that quits at once with caf::sec::invalid_argument and the reason.
template <class Handle, class Impl, class State>
Handle spawn_in_memory(caf::actor_system& sys, Impl impl, node_context_ptr ctx,
                       result<State> initial) {
  if (!initial)
    return sys.spawn(
        [](typename Handle::pointer self, const std::string& msg) ->
        typename Handle::behavior_type {
          self->quit(caf::make_error(caf::sec::invalid_argument, msg));
          return Handle::behavior_type::make_empty_behavior();
        },
        initial.err().to_string());
  return sys.spawn(impl, std::move(ctx), std::move(*initial), durable_start{});
}

} // namespace icto
