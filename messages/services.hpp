#pragma once

// Every service's and contract kind's method list, and a visitor over all of
// them. Include this only where all message types are needed (registration,
// ingress, tests): it pulls in every header of messages/.

#include "messages/ledger.hpp"
#include "messages/method.hpp"

namespace icto {

/// Calls `f(method_tag<M>{})` for each method M of `List`.
template <class M>
struct method_tag {
  using type = M;
};

template <class... Ms, class F>
void for_each_method(method_list<Ms...>, F&& f) {
  (f(method_tag<Ms>{}), ...);
}

/// Calls `f(service_id, method_list<...>{})` for each service.
template <class F>
void for_each_service(F&& f) {
  f(service_id::ledger, ledger_methods{});
}

/// Calls `f(method_tag<M>{})` for every method of every service and
/// contract kind.
template <class F>
void for_each_method(F&& f) {
  for_each_service([&](service_id, auto list) {
    for_each_method(list, f);
  });
}

} // namespace icto
