#pragma once

// Every service's and contract kind's method list, and a visitor over all of
// them. Include this only where all message types are needed (registration,
// ingress, tests): it pulls in every header of messages/.

#include "messages/audit.hpp"
#include "messages/backend.hpp"
#include "messages/contracts/dao.hpp"
#include "messages/contracts/distribution.hpp"
#include "messages/contracts/launchpad.hpp"
#include "messages/contracts/multisig.hpp"
#include "messages/contracts/token.hpp"
#include "messages/factory.hpp"
#include "messages/invoice.hpp"
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
  f(service_id::backend, backend_methods{});
  f(service_id::audit_storage, audit_methods{});
  f(service_id::invoice_storage, invoice_methods{});
  f(service_id::token_factory, token_factory_methods{});
  f(service_id::multisig_factory, multisig_factory_methods{});
  f(service_id::distribution_factory, distribution_factory_methods{});
  f(service_id::dao_factory, dao_factory_methods{});
  f(service_id::launchpad_factory, launchpad_factory_methods{});
}

/// Calls `f(contract_kind, method_list<...>{})` for each contract kind: the
/// methods every deployed contract of that kind answers.
template <class F>
void for_each_contract_kind(F&& f) {
  f(contract_kind::token, token_contract_methods{});
  f(contract_kind::multisig, multisig_contract_methods{});
  f(contract_kind::distribution, distribution_contract_methods{});
  f(contract_kind::dao, dao_contract_methods{});
  f(contract_kind::launchpad, launchpad_contract_methods{});
}

/// Calls `f(method_tag<M>{})` for every method of every service and
/// contract kind.
template <class F>
void for_each_method(F&& f) {
  for_each_service([&](service_id, auto list) {
    for_each_method(list, f);
  });
  for_each_contract_kind([&](contract_kind, auto list) {
    for_each_method(list, f);
  });
}

} // namespace icto
