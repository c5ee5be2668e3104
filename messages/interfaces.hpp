#pragma once

// The CAF typed-actor interface of each service, made from its method list:
// every method M becomes replies_to<caller, M::request>::with<M::reply>.
// This header includes CAF's typed_actor: keep it out of headers that only
// need the message types.

#include "messages/services.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace icto {

template <class List>
struct typed_actor_of;

template <class... Ms>
struct typed_actor_of<method_list<Ms...>> {
  using type = caf::typed_actor<typename caf::replies_to<
      caller, typename Ms::request>::template with<typename Ms::reply>...>;
};

template <class List>
using typed_actor_of_t = typename typed_actor_of<List>::type;

using ledger_actor = typed_actor_of_t<ledger_methods>;

} // namespace icto
