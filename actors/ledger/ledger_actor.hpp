#pragma once

#include "actors/common/context.hpp"
#include "actors/ledger/ledger_config.hpp"
#include "messages/interfaces.hpp"
#include "persistence/node_store.hpp"

#include <caf/fwd.hpp>

namespace icto {

/// Spawns the ledger: the ICRC-1 / ICRC-2 token ledger that pays the
/// platform's fees (DESIGN §1). The node manager spawns one, on the node the
/// topology names for the `ledger` service. The caller of every request is
/// the one `resolve_caller` finds for the CAF sender; queries are open to
/// all. In memory: nothing is journaled.
/// REQUIRES: validate(cfg) succeeds (else the actor quits at once with
/// caf::sec::invalid_argument).
ledger_actor spawn_ledger(caf::actor_system& sys, node_context_ptr ctx,
                          ledger_config cfg);

/// Spawns the ledger `id` from what the store holds for it (`rec`: a
/// checkpoint of its `ledger_state` and the `ledger_event`s after it; both
/// empty for a new ledger, which starts from `cfg`). Every block is
/// journaled through ctx->persistence before its reply leaves. An error
/// (a checkpoint or event that does not load) names the ledger and the
/// event's sequence number.
result<ledger_actor>
spawn_durable_ledger(caf::actor_system& sys, node_context_ptr ctx,
                     ledger_config cfg, const principal& id,
                     const store::recovered_actor& rec);

} // namespace icto
