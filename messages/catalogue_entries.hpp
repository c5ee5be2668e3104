#pragma once

// The catalogue's entries: X(name, key) for every service and contract kind.
// Each has a file messages/catalogue/NAME.cpp.

#include "messages/methods.hpp"

#include <caf/fwd.hpp>

#include <vector>

#define ICTO_SERVICE_ENTRIES(X)                                                \
  X(ledger, service_id::ledger)                                                \
  X(backend, service_id::backend)                                              \
  X(audit, service_id::audit_storage)                                          \
  X(invoice, service_id::invoice_storage)                                      \
  X(token_factory, service_id::token_factory)                                  \
  X(multisig_factory, service_id::multisig_factory)                            \
  X(distribution_factory, service_id::distribution_factory)                    \
  X(dao_factory, service_id::dao_factory)                                      \
  X(launchpad_factory, service_id::launchpad_factory)

#define ICTO_CONTRACT_ENTRIES(X)                                               \
  X(token_contract, contract_kind::token)                                      \
  X(multisig_contract, contract_kind::multisig)                                \
  X(distribution_contract, contract_kind::distribution)                        \
  X(dao_contract, contract_kind::dao)                                          \
  X(launchpad_contract, contract_kind::launchpad)

namespace icto::detail {

#define ICTO_DECLARE_ENTRY(name, key)                                          \
  void register_##name(caf::actor_system_config& cfg);                         \
  std::vector<method_info> methods_##name();
ICTO_SERVICE_ENTRIES(ICTO_DECLARE_ENTRY)
ICTO_CONTRACT_ENTRIES(ICTO_DECLARE_ENTRY)
#undef ICTO_DECLARE_ENTRY

} // namespace icto::detail
