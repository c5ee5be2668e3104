#pragma once

// Rebuilding an actor's state from what the node's store holds for it: its
// last good checkpoint (a Boost.Serialization archive) or, without one, its
// initial state; then every journal event after it. Include only where a
// durable actor is spawned (it pulls in Boost.Serialization).

#include "actors/common/event_codec.hpp"
#include "messages/error.hpp"
#include "persistence/checkpoint_archive.hpp"
#include "persistence/node_store.hpp"

#include <functional>
#include <string>

namespace icto {

/// `initial()` or the checkpoint, then `apply(state, event)` for every
/// event in order. Errors name `what` and the event's sequence number.
template <class State, class Event, class Initial, class Apply>
result<State> rebuild_state(const store::recovered_actor& rec,
                            const std::string& what, Initial&& initial,
                            Apply&& apply) {
  result<State> st = rec.checkpoint
                         ? load_checkpoint<State>(*rec.checkpoint, what)
                         : initial();
  if (!st)
    return st;
  for (const auto& [seq, payload] : rec.events) {
    const auto where = what + " event " + std::to_string(seq);
    auto ev = decode_event<Event>(payload, where);
    if (!ev)
      return ev.err();
    if (auto ok = apply(*st, *ev); !ok)
      return make_error(system_errc::storage_failure,
                        where + ": " + ok.err().message);
  }
  return st;
}

/// A serializer of an immutable copy of `state` (an O(1) copy when its
/// indexes are tries), for actor_journal's checkpoints.
template <class State>
std::function<std::string()> checkpoint_of(const State& state) {
  return [snapshot = state] {
    return save_checkpoint(snapshot);
  };
}

} // namespace icto
