#pragma once

// The CAF typed-actor interface of each service, made from its method list:
// every method M becomes replies_to<caller, M::request>::with<M::reply>.
// This header includes CAF's typed_actor: keep it out of headers that only
// need the message types.

#include "messages/services.hpp"
#include "messages/typed_actor_of.hpp"

namespace icto {

using ledger_actor = typed_actor_of_t<ledger_methods>;
using backend_actor = typed_actor_of_t<backend_methods>;
using audit_actor = typed_actor_of_t<audit_methods>;
using invoice_actor = typed_actor_of_t<invoice_methods>;
using token_factory_actor = typed_actor_of_t<token_factory_methods>;
using multisig_factory_actor = typed_actor_of_t<multisig_factory_methods>;
using distribution_factory_actor
    = typed_actor_of_t<distribution_factory_methods>;
using dao_factory_actor = typed_actor_of_t<dao_factory_methods>;
using launchpad_factory_actor = typed_actor_of_t<launchpad_factory_methods>;
using token_contract_actor = typed_actor_of_t<token_contract_methods>;
using multisig_contract_actor = typed_actor_of_t<multisig_contract_methods>;
using distribution_contract_actor
    = typed_actor_of_t<distribution_contract_methods>;
using dao_contract_actor = typed_actor_of_t<dao_contract_methods>;
using launchpad_contract_actor = typed_actor_of_t<launchpad_contract_methods>;

} // namespace icto
