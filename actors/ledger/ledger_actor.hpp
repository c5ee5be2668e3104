#pragma once

#include "actors/common/context.hpp"
#include "actors/ledger/ledger_config.hpp"
#include "messages/interfaces.hpp"

#include <caf/fwd.hpp>

namespace icto {

/// Spawns the ledger: the ICRC-1 / ICRC-2 token ledger that pays the
/// platform's fees (DESIGN §1). The node manager spawns one, on the node the
/// topology names for the `ledger` service. The caller of every request is
/// the one `resolve_caller` finds for the CAF sender; queries are open to
/// all. Persists (later): its `ledger_state`, as a journal of
/// `ledger_event`s and checkpoints.
/// REQUIRES: validate(cfg) succeeds (else the actor quits at once with
/// caf::sec::invalid_argument).
ledger_actor spawn_ledger(caf::actor_system& sys, node_context_ptr ctx,
                          ledger_config cfg);

} // namespace icto
