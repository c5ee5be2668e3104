#pragma once

// What makes a contract durable (issue 5): its journal, its metadata record
// and its restart. Included by contract_actor.hpp (which adds
// `start_durable` and the durable common handlers).
//
// A contract journals each change as an `op_event`: the operation (a
// number: the common ones below, then the kind's own from kind_op_base),
// who asked, when, and its argument. The handler calls the kind's pure state
// function, and on success `log_op`; recovery calls the same function for
// every event (the kind's replay function). Replies wait until the event is
// durable (`durable_reply`), and so does every callback to the factory
// (`send_callback` queues through the journal).
//
// A new contract writes its metadata (kind, parameters, init: what it was
// spawned with) and a `created` event before it tells the factory it is
// deployed. On a restart the node reads the metadata of every contract in
// its store, rebuilds each one's state (initial state from the metadata,
// then its last checkpoint, then the journal after it) and spawns it under
// the same id; the contract sends notifyDeploymentComplete again, which
// makes its factory re-bind it. A contract the factory no longer knows (its
// deployment was given up) erases its records and stops.

#include "actors/common/durable.hpp"
#include "actors/common/event_codec.hpp"
#include "actors/contracts/contract_core.hpp"
#include "actors/contracts/contract_versions.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace icto {

/// The operations every kind has (op_event::op).
namespace contract_op {
enum : uint16_t {
  /// The contract was spawned (the metadata record is written with it).
  created = 1,
  auto_update = 2,
  remove_factory = 3,
  visibility = 4,
  migrate = 5,
  /// The kind's own operations start here.
  kind_op_base = 32,
};
} // namespace contract_op

/// A contract's whole state: what its checkpoints hold and recovery
/// rebuilds (Boost.Serialization: contract_state_serialization.hpp).
template <class KindState>
struct contract_checkpoint {
  contract_core core;
  KindState state;
  callback_stats callbacks;

  friend bool operator==(const contract_checkpoint& x,
                         const contract_checkpoint& y) {
    const auto& a = x.callbacks;
    const auto& b = y.callbacks;
    return x.core == y.core && x.state == y.state && a.sent == b.sent
           && a.accepted == b.accepted && a.failed == b.failed
           && a.last_failure == b.last_failure;
  }
  friend bool operator!=(const contract_checkpoint& x,
                         const contract_checkpoint& y) {
    return !(x == y);
  }
};

/// What a contract was spawned with; its metadata record in the store.
struct contract_meta {
  contract_kind kind = contract_kind::token;
  principal id;
  principal owner;
  principal factory_id;
  semver version;
  timestamp created_at = 0;
  principal ledger_id;
  /// The kind's init message, encoded like an event.
  std::string init;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, contract_meta& x) {
  return f(caf::meta::type_name("contract_meta"), x.kind, x.id, x.owner,
           x.factory_id, x.version, x.created_at, x.ledger_id, x.init);
}

/// The metadata of a contract spawned with `params` and `init`.
template <class Params, class Init>
contract_meta
meta_of(contract_kind kind, const Params& params, const Init& init) {
  contract_meta m;
  m.kind = kind;
  m.id = params.id;
  m.owner = params.owner;
  m.factory_id = params.factory_id;
  m.version = params.version;
  m.created_at = params.created_at;
  m.ledger_id = params.ledger_id;
  m.init = encode_event(init);
  return m;
}

/// How a contract actor starts: fresh, or restored (`image` set).
template <class KindState>
struct contract_start {
  durable_start journal;
  std::optional<contract_checkpoint<KindState>> image;
};

/// The start of a contract spawned for a new deployment.
template <class KindState>
contract_start<KindState> fresh_start(const principal& id) {
  return contract_start<KindState>{durable_start{id, 0, 0}, std::nullopt};
}

/// The image of a contract's actor state (a copy: O(1) for the tries).
template <class ActorState, class KindState>
contract_checkpoint<KindState>
image_of(const ActorState& st, const KindState& kind_state) {
  return contract_checkpoint<KindState>{st.core, kind_state, st.callbacks};
}

/// Journals an operation that changed the contract's state.
template <class Self, class Arg>
void log_op(Self self, uint16_t op, const principal& who, timestamp now,
            const Arg& arg) {
  auto& j = self->state.journal;
  if (!j.enabled())
    return;
  j.append(encode_event(make_op_event(op, who, now, arg)));
  j.maybe_checkpoint();
}

/// Wraps a handler returning result<T> so that its reply waits for the
/// journal (same arguments, reply caf::result<result<T>>).
template <class Self, class F, class R, class C, class... Ts>
auto durable_handler_impl(Self self, F f, R (C::*)(Ts...) const) {
  return [self, f](Ts... xs) -> caf::result<R> {
    return self->state.journal.reply(self, f(xs...));
  };
}

template <class Self, class F>
auto durable_handler(Self self, F f) {
  return durable_handler_impl(self, std::move(f), &F::operator());
}

/// Names an argument type in a kind's replay switch.
template <class T>
struct op_tag {
  using type = T;
};

/// Replays a common operation on an image (`versions`: the kind's version
/// table). Returns false if `ev` is not a common operation.
template <class KindState, class Versions>
result<bool> replay_common(contract_checkpoint<KindState>& img,
                           const Versions& versions, const op_event& ev) {
  auto& core = img.core;
  switch (ev.op) {
  case contract_op::created: return true;
  case contract_op::auto_update: {
    auto a = op_arg<set_auto_update_arg>(ev, "contract");
    if (!a)
      return a.err();
    static_cast<void>(set_auto_update(core, ev.who, *a));
    return true;
  }
  case contract_op::remove_factory:
    static_cast<void>(remove_factory_controller(core, ev.who));
    return true;
  case contract_op::visibility: {
    auto a = op_arg<set_visibility_arg>(ev, "contract");
    if (!a)
      return a.err();
    static_cast<void>(set_visibility(core, ev.who, *a));
    return true;
  }
  case contract_op::migrate: {
    auto a = op_arg<semver>(ev, "contract");
    if (!a)
      return a.err();
    static_cast<void>(migrate(versions, img.state, core.version, *a));
    return true;
  }
  default: return false;
  }
}

} // namespace icto
