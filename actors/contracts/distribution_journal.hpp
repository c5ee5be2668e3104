#pragma once

// The distribution contract's journal (contract_durable.hpp): its
// operations, their arguments, and the replay of one event on a restored
// image. The actor (distribution_contract.cpp) journals exactly these
// events; the replay calls the same pure functions of distribution_state.hpp
// with the journaled caller, time and argument.
//
//   op                       who         argument
//   op_activate              the caller  distribution_activate_arg
//   op_cancel                the caller  distribution_cancel_arg
//   op_add_recipient         the caller  distribution_recipient
//   op_remove_recipient      the caller  remove_recipient_arg
//   op_reserve_claim         the caller  distribution_claim_arg (now: the
//                                        transfer's created_at_time)
//   op_settle_claim          -           distribution_claim_settled
//   op_release_claim         -           the claim's sequence number
//
// After each of these the replay sets the core's status to the
// distribution's, as the live actor does.

#include "actors/common/event_codec.hpp"
#include "actors/contracts/contract_durable.hpp"
#include "actors/contracts/distribution_state.hpp"

#include <cstdint>

namespace icto {

/// The distribution's journal operations.
enum distribution_op : uint16_t {
  op_distribution_activate = contract_op::kind_op_base,
  op_distribution_cancel,
  op_distribution_add_recipient,
  op_distribution_remove_recipient,
  op_distribution_reserve_claim,
  op_distribution_settle_claim,
  op_distribution_release_claim,
};

/// The argument of op_distribution_settle_claim: the claim and the block
/// that paid it.
struct distribution_claim_settled {
  uint64_t seq = 0;
  uint64_t block = 0;
};

template <class Inspector>
typename Inspector::result_type
inspect(Inspector& f, distribution_claim_settled& x) {
  return f(caf::meta::type_name("distribution_claim_settled"), x.seq, x.block);
}

using distribution_image = contract_checkpoint<distribution_state>;

/// Replays one journal event on a restored distribution (the common
/// operations included). storage_failure on an unknown operation or an
/// argument that does not decode.
result<unit> replay_distribution_event(distribution_image& img,
                                       const op_event& ev);

} // namespace icto
