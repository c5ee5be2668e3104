#pragma once

// A DAO's business rules as plain data and free functions, without actors
// (the actor is dao_contract.cpp). Every update either refuses with a
// contract_errc naming what is wrong and leaves the state as it was, or
// changes it and succeeds.
//
// Rules beyond messages/contracts/dao.hpp:
// - Quorum and approval are in basis points, 1..10000. A proposal's quorum is
//   measured against the total voting power when it was created: it passes
//   iff (yes + no) * 10000 >= quorum_bps * that power and
//   yes * 10000 >= approval_threshold_bps * (yes + no), with yes + no > 0,
//   quorum_bps and approval_threshold_bps being the DAO's settings when the
//   tally is read (an executed change applies to proposals still open).
// - Votes are taken while now < voting_ends_at; the tally is decided when the
//   period is over (the proposal reads as passed or rejected from then on).
// - A member's ballot weighs its voting power when it voted; removing a
//   member later does not take its ballots back.
// - A DAO keeps at least one member: the last one cannot be removed, by the
//   owner or by a proposal.
// - Executing a passed proposal whose action cannot be done (adding a member
//   twice, removing a non-member or the last one, a refused transfer) marks
//   it failed with the reason; it is not retried.
// - An executed `transfer` stays in flight until the ledger's answer is
//   known. Its request is rebuilt from the record alone (`transfer_of`), the
//   same every time: memo = the proposal id (8 bytes, big-endian),
//   created_at_time = when it was executed, no fee, the DAO's default
//   subaccount. Sending it again is deduplicated by the ledger, so the DAO
//   pays at most once: ok or duplicate -> executed (with the block); too_old
//   or no answer -> unknown (still in flight); any other answer -> failed.

#include "messages/contract_init.hpp"
#include "messages/contracts/dao.hpp"
#include "messages/ledger.hpp"
#include "persistence/trie_map.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icto {

/// A proposal as the DAO stores it: the message form without its ballots,
/// the ballots by voter, and the voting power it is measured against.
struct dao_proposal_record {
  using ballot_map = trie_map<principal, dao_ballot>;

  /// `ballots` is kept empty here; see `view_of`.
  dao_proposal proposal;
  ballot_map ballots;
  /// The DAO's total voting power when the proposal was created.
  uint64_t eligible_power = 0;
  /// An executed transfer is waiting for the ledger's answer.
  bool executing = false;
  /// A transfer's created_at_time: when it was executed (set from then on).
  std::optional<timestamp> transfer_created_at;
  /// The ledger block of an executed transfer.
  std::optional<uint64_t> transfer_block;

  friend bool operator==(const dao_proposal_record& x,
                         const dao_proposal_record& y) {
    return x.proposal == y.proposal && x.ballots == y.ballots
           && x.eligible_power == y.eligible_power && x.executing == y.executing
           && x.transfer_created_at == y.transfer_created_at
           && x.transfer_block == y.transfer_block;
  }
  friend bool operator!=(const dao_proposal_record& x,
                         const dao_proposal_record& y) {
    return !(x == y);
  }
};

/// A DAO's business state. Owned by one DAO contract actor (or a test);
/// copies are O(1) (tries).
struct dao_state {
  using member_map = trie_map<principal, uint64_t>;
  using proposal_map = trie_map<uint64_t, dao_proposal_record>;

  std::string name;
  /// The deploying user; adds and removes members directly.
  principal owner;
  /// member -> voting power (> 0).
  member_map members;
  uint64_t total_voting_power = 0;
  uint32_t quorum_bps = 0;
  uint32_t approval_threshold_bps = 0;
  uint64_t voting_period_seconds = 0;
  proposal_map proposals;
  /// The id the next proposal gets; ids start at 1.
  uint64_t next_proposal_id = 1;

  friend bool operator==(const dao_state& x, const dao_state& y);
  friend bool operator!=(const dao_state& x, const dao_state& y) {
    return !(x == y);
  }
};

/// What an executed proposal changed in the membership, for the callbacks.
struct dao_membership_change {
  std::optional<principal> added;
  std::optional<principal> removed;
};

/// contract_errc::invalid_argument naming the field, or ok: a name, at
/// least one member, powers > 0, no duplicates or anonymous, a total power
/// that fits 64 bits, quorum and approval in 1..10000, a voting period of
/// 1 s to 365 days.
result<unit> validate(const dao_init& init);

/// The state of a new DAO of `owner`.
/// REQUIRES: validate(init) succeeded.
dao_state make_dao_state(const dao_init& init, const principal& owner);

// -- queries ------------------------------------------------------------------

/// Owner and members may read a private DAO; anyone a public one.
result<unit> check_can_read(const dao_state& st, const principal& who,
                            bool is_public);

/// The status of a proposal at `now`: an open one whose period is over
/// reads as passed or rejected by its tally.
dao_proposal_status status_at(const dao_state& st, const dao_proposal_record& r,
                              timestamp now);

/// Whether the tally of `r` reaches quorum and approval.
bool tally_passes(const dao_proposal_record& r, uint32_t quorum_bps,
                  uint32_t approval_bps);

/// The message form of a proposal at `now`, with its ballots by voter.
dao_proposal view_of(const dao_state& st, const dao_proposal_record& r,
                     timestamp now);

dao_info info_of(const dao_state& st, bool is_public, timestamp now);

/// A page of members, ordered by principal.
dao_member_page members_page(const dao_state& st, const page& pg);

/// One proposal (not_found if none).
result<dao_proposal> proposal_of(const dao_state& st, uint64_t id,
                                 timestamp now);

/// A page of proposals, newest first, optionally only of `status` at `now`.
dao_proposal_page proposals_page(const dao_state& st,
                                 const dao_proposals_arg& arg, timestamp now);

// -- updates ------------------------------------------------------------------

/// Adds a member; the owner.
result<unit> add_member(dao_state& st, const principal& who,
                        const dao_member& m);

/// Removes a member (not the last); the owner.
result<unit> remove_member(dao_state& st, const principal& who,
                           const principal& member);

/// Opens a proposal for the voting period; a member. The action's params
/// must be exactly those it needs, and valid. Returns the proposal id.
result<uint64_t> create_proposal(dao_state& st, const principal& who,
                                 const dao_create_proposal_arg& arg,
                                 timestamp now);

/// Casts `who`'s vote with its voting power, once; a member, while open.
result<dao_proposal> cast_vote(dao_state& st, const principal& who,
                               const dao_vote_arg& arg, timestamp now);

/// Starts executing a passed proposal; any member. Does every action but
/// `transfer` at once (executed, or failed with the reason) and returns the
/// membership change it made. A `transfer` is only marked executing, with
/// `now` as its created_at_time: the caller pays `transfer_of(st, id)` and
/// then calls `settle_transfer` (or `finish_transfer`).
result<dao_membership_change> execute_proposal(dao_state& st,
                                               const principal& who,
                                               uint64_t id, timestamp now);

/// Whether proposal `id` waits for its transfer (after execute_proposal).
bool awaits_transfer(const dao_state& st, uint64_t id);

/// The ledger answered an executing transfer: executed, or failed with
/// `failure`.
/// REQUIRES: awaits_transfer(st, id).
void finish_transfer(dao_state& st, uint64_t id, timestamp now,
                     std::optional<std::string> failure);

/// The memo of proposal `id`'s transfer: the id, 8 bytes big-endian.
blob dao_transfer_memo(uint64_t id);

/// The transfer executing proposal `id` pays, rebuilt from its record: the
/// same request each time (see the rules above), so that sending it again
/// is deduplicated by the ledger.
/// REQUIRES: awaits_transfer(st, id).
transfer_arg transfer_of(const dao_state& st, uint64_t id);

/// What the ledger's answer to a transfer says happened.
enum class dao_transfer_outcome : uint8_t {
  /// It happened: ok(block), or duplicate (its detail is the block).
  executed,
  /// It did not happen: any other ledger error, or the DAO has no ledger.
  failed,
  /// Unknown: too_old (the ledger forgot the request), or no answer (a
  /// system error: timeout, unavailable). It stays in flight.
  unknown,
};

dao_transfer_outcome outcome_of(const result<uint64_t>& reply);

/// Ends executing proposal `id` with the ledger's answer `reply`: executed
/// with the block (ok's value, or duplicate's detail), or failed with the
/// answer as the reason; an unknown outcome changes nothing. Returns the
/// outcome, or invalid_state if `id` awaits no transfer (nothing changes).
result<dao_transfer_outcome> settle_transfer(dao_state& st, uint64_t id,
                                             timestamp now,
                                             const result<uint64_t>& reply);

/// The transfer of proposal `id` to send again, for a member, after its
/// answer was unknown (the request is the same: the ledger deduplicates it).
/// Changes nothing. invalid_state if `id` awaits no transfer.
result<transfer_arg> retry_transfer(const dao_state& st, const principal& who,
                                    uint64_t id);

/// The ids of the proposals whose transfer is in flight, ascending.
std::vector<uint64_t> transfers_in_flight(const dao_state& st);

/// Members and total power agree, powers > 0, settings in range, proposal
/// ids below next_proposal_id, tallies equal to their ballots, and only
/// passed transfers with a created_at_time in flight (a block only on an
/// executed transfer). For tests and health checks; empty when fine, else
/// what is wrong.
std::string check_invariants(const dao_state& st);

} // namespace icto
