#pragma once

// Rebuilding an actor's state from what the node's store holds for it: its
// last good checkpoint (a Boost.Serialization archive) or, without one, its
// initial state; then every journal event after it. Include only where a
// durable actor is spawned (it pulls in Boost.Serialization).

#include "actors/common/context.hpp"
#include "actors/common/event_codec.hpp"
#include "messages/error.hpp"
#include "persistence/checkpoint_archive.hpp"
#include "persistence/node_store.hpp"

#include <caf/actor_system.hpp>

#include <functional>
#include <string>
#include <utility>

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

/// Rebuilds a service's state from `rec` (see rebuild_state) and spawns
/// `impl(self, ctx, state, start)`, its journal continuing after `rec`.
template <class Handle, class State, class Event, class Impl, class Initial,
          class Apply>
result<Handle> spawn_recovered(caf::actor_system& sys, Impl impl,
                               node_context_ptr ctx, const principal& id,
                               const std::string& what,
                               const store::recovered_actor& rec,
                               Initial&& initial, Apply&& apply) {
  auto st = rebuild_state<State, Event>(rec, what + " " + id.to_text(),
                                        std::forward<Initial>(initial),
                                        std::forward<Apply>(apply));
  if (!st)
    return st.err();
  return sys.spawn(impl, std::move(ctx), std::move(*st),
                   durable_start{id, rec.last_seq, rec.checkpoint_seq});
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
