#pragma once

#include "actors/audit/audit_config.hpp"
#include "actors/common/context.hpp"
#include "messages/interfaces.hpp"

#include <caf/fwd.hpp>

namespace icto {

/// Spawns the audit storage: the append-only, hash-chained audit log
/// (DESIGN §1, ICTO V2's `audit_storage`). The node manager spawns one, on
/// the node the topology names for `audit_storage`; the backend and the
/// factories append to it. The caller of every request is the one
/// `caller_of` finds for the CAF sender (rules in audit_state.hpp).
/// Persists (later): its `audit_state` (audit_state_serialization.hpp).
/// REQUIRES: no writer in `cfg` is anonymous (else the actor quits at once
/// with caf::sec::invalid_argument).
audit_actor spawn_audit_storage(caf::actor_system& sys, node_context_ptr ctx,
                                audit_config cfg);

} // namespace icto
