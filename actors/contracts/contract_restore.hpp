#pragma once

// Rebuilding a contract from the node's store (contract_durable.hpp): its
// initial image, its last checkpoint, its journal after it. Include only
// from a kind's actor .cpp (it pulls in Boost.Serialization).

#include "actors/common/recovery.hpp"
#include "actors/contracts/contract_durable.hpp"
#include "actors/contracts/contract_state_serialization.hpp"

#include <string>
#include <utility>

namespace icto {

/// `initial()` or the checkpoint in `rec`, then `replay(image, event)` for
/// every journal event; errors name `what` and the sequence number.
template <class KindState, class Initial, class Replay>
result<contract_checkpoint<KindState>>
rebuild_contract(const store::recovered_actor& rec, const std::string& what,
                 Initial&& initial, Replay&& replay) {
  return rebuild_state<contract_checkpoint<KindState>, contract_event>(
      rec, what, std::forward<Initial>(initial), std::forward<Replay>(replay));
}

} // namespace icto
