#pragma once

#include "actors/audit/audit_config.hpp"
#include "actors/common/context.hpp"
#include "messages/interfaces.hpp"
#include "persistence/node_store.hpp"

#include <caf/fwd.hpp>

namespace icto {

/// Spawns the audit storage: the append-only, hash-chained audit log
/// (DESIGN §1, ICTO V2's `audit_storage`). The node manager spawns one, on
/// the node the topology names for `audit_storage`; the backend and the
/// factories append to it. The caller of every request is the one
/// `caller_of` finds for the CAF sender (rules in audit_state.hpp). In
/// memory: nothing is journaled.
/// REQUIRES: no writer in `cfg` is anonymous (else the actor quits at once
/// with caf::sec::invalid_argument).
audit_actor spawn_audit_storage(caf::actor_system& sys, node_context_ptr ctx,
                                audit_config cfg);

/// Spawns the audit storage `id` from what the store holds for it (a
/// checkpoint of its `audit_state` and the entries and whitelist changes
/// after it; a new storage starts from `cfg`). Every change is journaled
/// through ctx->persistence before its reply leaves.
result<audit_actor>
spawn_durable_audit_storage(caf::actor_system& sys, node_context_ptr ctx,
                            audit_config cfg, const principal& id,
                            const store::recovered_actor& rec);

} // namespace icto
