#pragma once

#include "actors/common/context.hpp"
#include "actors/invoice/invoice_config.hpp"
#include "messages/interfaces.hpp"
#include "persistence/node_store.hpp"

#include <caf/fwd.hpp>

namespace icto {

/// Spawns the invoice storage: one payment record per fee the backend
/// takes (DESIGN §1, ICTO V2's `invoice_storage`). The node manager spawns
/// one, on the node the topology names for `invoice_storage`; the backend
/// writes to it. The caller of every request is the one `caller_of` finds
/// for the CAF sender (rules in invoice_state.hpp). In memory: nothing is
/// journaled.
/// REQUIRES: no writer in `cfg` is anonymous (else the actor quits at once
/// with caf::sec::invalid_argument).
invoice_actor spawn_invoice_storage(caf::actor_system& sys,
                                    node_context_ptr ctx, invoice_config cfg);

/// Spawns the invoice storage `id` from what the store holds for it (a
/// checkpoint of its `invoice_state` and the stored records and whitelist
/// changes after it; a new storage starts from `cfg`). Every change is
/// journaled through ctx->persistence before its reply leaves.
result<invoice_actor>
spawn_durable_invoice_storage(caf::actor_system& sys, node_context_ptr ctx,
                              invoice_config cfg, const principal& id,
                              const store::recovered_actor& rec);

} // namespace icto
