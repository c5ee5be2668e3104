#pragma once

#include "actors/common/context.hpp"
#include "actors/invoice/invoice_config.hpp"
#include "messages/interfaces.hpp"

#include <caf/fwd.hpp>

namespace icto {

/// Spawns the invoice storage: one payment record per fee the backend
/// takes (DESIGN §1, ICTO V2's `invoice_storage`). The node manager spawns
/// one, on the node the topology names for `invoice_storage`; the backend
/// writes to it. The caller of every request is the one `caller_of` finds
/// for the CAF sender (rules in invoice_state.hpp). Persists (later): its
/// `invoice_state` (invoice_state_serialization.hpp).
/// REQUIRES: no writer in `cfg` is anonymous (else the actor quits at once
/// with caf::sec::invalid_argument).
invoice_actor spawn_invoice_storage(caf::actor_system& sys,
                                    node_context_ptr ctx, invoice_config cfg);

} // namespace icto
