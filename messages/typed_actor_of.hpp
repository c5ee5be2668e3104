#pragma once

#include "messages/common.hpp"
#include "messages/method.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace icto {

/// The CAF typed-actor interface of a method list: every method M becomes
/// replies_to<caller, M::request>::with<M::reply>.
template <class List>
struct typed_actor_of;

template <class... Ms>
struct typed_actor_of<method_list<Ms...>> {
  using type = caf::typed_actor<typename caf::replies_to<
      caller, typename Ms::request>::template with<typename Ms::reply>...>;
};

template <class List>
using typed_actor_of_t = typename typed_actor_of<List>::type;

} // namespace icto
