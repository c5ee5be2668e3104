#pragma once

// The DAO contract's journal (contract_durable.hpp): its operations, each
// named by the type of its argument, and the one function that runs an
// operation on a dao_state, live (dao_contract.cpp) and on replay
// (`replay_dao_event`), so that the two cannot drift.
//
//   operation                 argument                 pure function
//   dao_op_add_member         dao_member               add_member
//   dao_op_remove_member      dao_remove_member_arg    remove_member
//   dao_op_create_proposal    dao_create_proposal_arg  create_proposal
//   dao_op_vote               dao_vote_arg             cast_vote
//   dao_op_execute            dao_execute_arg          execute_proposal
//   dao_op_settle_transfer    dao_settle_arg           settle_transfer
//
// Every event holds who asked and when (op_event::who, ::now): replaying it
// calls the function with them again.

#include "actors/common/event_codec.hpp"
#include "actors/contracts/contract_durable.hpp"
#include "actors/contracts/dao_state.hpp"

#include <cstdint>

namespace icto {

/// The DAO's journal operations (after the common ones).
enum dao_op : uint16_t {
  dao_op_add_member = contract_op::kind_op_base,
  dao_op_remove_member,
  dao_op_create_proposal,
  dao_op_vote,
  dao_op_execute,
  dao_op_settle_transfer,
};

/// The argument of dao_op_settle_transfer: the ledger's answer to the
/// transfer of proposal `id` (journaled unless its outcome is unknown).
struct dao_settle_arg {
  uint64_t id = 0;
  result<uint64_t> reply;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dao_settle_arg& x) {
  return f(caf::meta::type_name("dao_settle"), x.id, x.reply);
}

/// A DAO's whole state: what its checkpoints hold.
using dao_image = contract_checkpoint<dao_state>;

// -- the operation of each argument type --------------------------------------

inline uint16_t dao_op_of(const dao_member&) {
  return dao_op_add_member;
}
inline uint16_t dao_op_of(const dao_remove_member_arg&) {
  return dao_op_remove_member;
}
inline uint16_t dao_op_of(const dao_create_proposal_arg&) {
  return dao_op_create_proposal;
}
inline uint16_t dao_op_of(const dao_vote_arg&) {
  return dao_op_vote;
}
inline uint16_t dao_op_of(const dao_execute_arg&) {
  return dao_op_execute;
}
inline uint16_t dao_op_of(const dao_settle_arg&) {
  return dao_op_settle_transfer;
}

// -- running an operation (live and on replay) --------------------------------

inline result<unit> run_dao_op(dao_state& st, const principal& who, timestamp,
                               const dao_member& arg) {
  return add_member(st, who, arg);
}

inline result<unit> run_dao_op(dao_state& st, const principal& who, timestamp,
                               const dao_remove_member_arg& arg) {
  return remove_member(st, who, arg.member);
}

inline result<uint64_t> run_dao_op(dao_state& st, const principal& who,
                                   timestamp now,
                                   const dao_create_proposal_arg& arg) {
  return create_proposal(st, who, arg, now);
}

inline result<dao_proposal> run_dao_op(dao_state& st, const principal& who,
                                       timestamp now, const dao_vote_arg& arg) {
  return cast_vote(st, who, arg, now);
}

inline result<dao_membership_change>
run_dao_op(dao_state& st, const principal& who, timestamp now,
           const dao_execute_arg& arg) {
  return execute_proposal(st, who, arg.proposal_id, now);
}

inline result<dao_transfer_outcome> run_dao_op(dao_state& st, const principal&,
                                               timestamp now,
                                               const dao_settle_arg& arg) {
  return settle_transfer(st, arg.id, now, arg.reply);
}

/// The journal event of running `arg` for `who` at `now`.
template <class Arg>
op_event dao_event(const principal& who, timestamp now, const Arg& arg) {
  return make_op_event(dao_op_of(arg), who, now, arg);
}

/// Replays one journal event (a common one or a DAO operation) on `img`:
/// storage_failure for an unknown operation or an argument that does not
/// decode. A refusal of the operation itself is no error (the live call
/// was refused alike).
result<unit> replay_dao_event(dao_image& img, const op_event& ev);

} // namespace icto
