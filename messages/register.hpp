#pragma once

namespace caf {
class actor_system_config;
} // namespace caf

namespace icto {

/// Registers every message type and actor handle of messages/ with CAF.
/// Every node calls it: a type unknown on one side travels as an empty
/// message (CAF-0.17-NOTES.md, trap 4).
void register_messages(caf::actor_system_config& cfg);

} // namespace icto
