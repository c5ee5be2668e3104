#pragma once

// A DAO: members with voting power, proposals, votes weighted by voting
// power, a quorum and an approval threshold (basis points), execution of
// passed proposals. Adding or removing a member (by the owner or by an
// executed proposal) calls the factory back, and so does a new proposal.

#include "messages/common.hpp"
#include "messages/contract_init.hpp"
#include "messages/contracts/contract.hpp"
#include "messages/method.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icto {

/// What a proposal does when executed; its parameters are in
/// dao_action_params.
enum class dao_action : uint8_t {
  /// Nothing: a signal vote.
  text,
  /// params: member, voting_power.
  add_member,
  /// params: member.
  remove_member,
  /// params: bps (the new quorum_bps).
  change_quorum,
  /// params: bps (the new approval_threshold_bps).
  change_approval_threshold,
  /// params: to, amount; paid from the DAO's own account on the fee ledger.
  transfer,
};
ICTO_ENUM(dao_action, text, add_member, remove_member, change_quorum,
          change_approval_threshold, transfer)

/// The parameters of a proposal's action: those its action needs must be
/// set, the others absent.
struct dao_action_params {
  std::optional<principal> member;
  std::optional<uint64_t> voting_power;
  std::optional<uint32_t> bps;
  std::optional<account> to;
  std::optional<tokens> amount;
};
ICTO_FIELDS(dao_action_params, member, voting_power, bps, to, amount)

/// A vote.
enum class dao_vote_choice : uint8_t {
  yes,
  no,
};
ICTO_ENUM(dao_vote_choice, yes, no)

/// One member's vote, weighted by its voting power when it voted.
struct dao_ballot {
  principal voter;
  dao_vote_choice vote = dao_vote_choice::yes;
  uint64_t weight = 0;
};
ICTO_FIELDS(dao_ballot, voter, vote, weight)

/// Where a proposal is: open for votes until `voting_ends_at`, then passed
/// (quorum and approval reached) or rejected; a passed one is executed or
/// failed (its action could not be done).
enum class dao_proposal_status : uint8_t {
  open,
  passed,
  rejected,
  executed,
  failed,
};
ICTO_ENUM(dao_proposal_status, open, passed, rejected, executed, failed)

/// A proposal with its tally and ballots.
struct dao_proposal {
  uint64_t id = 0;
  principal proposer;
  std::string title;
  std::string description;
  dao_action action = dao_action::text;
  dao_action_params params;
  timestamp created_at = 0;
  timestamp voting_ends_at = 0;
  dao_proposal_status status = dao_proposal_status::open;
  uint64_t yes_power = 0;
  uint64_t no_power = 0;
  std::vector<dao_ballot> ballots;
  std::optional<timestamp> executed_at;
  /// Why the action failed.
  std::optional<std::string> failure;
};
ICTO_FIELDS(dao_proposal, id, proposer, title, description, action, params,
            created_at, voting_ends_at, status, yes_power, no_power, ballots,
            executed_at, failure)

/// A DAO's settings and counts (getDaoInfo).
struct dao_info {
  std::string name;
  principal owner;
  uint64_t members = 0;
  uint64_t total_voting_power = 0;
  /// Votes cast, in basis points of the total voting power, for a valid
  /// vote.
  uint32_t quorum_bps = 0;
  /// Yes votes, in basis points of the votes cast, for a proposal to pass.
  uint32_t approval_threshold_bps = 0;
  uint64_t voting_period_seconds = 0;
  uint64_t proposals = 0;
  uint64_t open_proposals = 0;
  bool is_public = false;
};
ICTO_FIELDS(dao_info, name, owner, members, total_voting_power, quorum_bps,
            approval_threshold_bps, voting_period_seconds, proposals,
            open_proposals, is_public)

/// Argument of getDaoInfo.
struct dao_info_arg {};
ICTO_NO_FIELDS(dao_info_arg)

/// Argument of removeMember.
struct dao_remove_member_arg {
  principal member;
};
ICTO_FIELDS(dao_remove_member_arg, member)

/// Argument of getMembers.
struct dao_members_arg {
  ::icto::page page;
};
ICTO_FIELDS(dao_members_arg, page)

/// A page of members; `total` counts all members.
struct dao_member_page {
  std::vector<dao_member> members;
  uint64_t total = 0;
};
ICTO_FIELDS(dao_member_page, members, total)

/// Argument of createProposal.
struct dao_create_proposal_arg {
  std::string title;
  std::string description;
  dao_action action = dao_action::text;
  dao_action_params params;
};
ICTO_FIELDS(dao_create_proposal_arg, title, description, action, params)

/// Argument of vote.
struct dao_vote_arg {
  uint64_t proposal_id = 0;
  dao_vote_choice vote = dao_vote_choice::yes;
};
ICTO_FIELDS(dao_vote_arg, proposal_id, vote)

/// Argument of executeProposal.
struct dao_execute_arg {
  uint64_t proposal_id = 0;
};
ICTO_FIELDS(dao_execute_arg, proposal_id)

/// Argument of getProposal.
struct dao_proposal_arg {
  uint64_t proposal_id = 0;
};
ICTO_FIELDS(dao_proposal_arg, proposal_id)

/// Argument of getProposals: newest first, optionally of one status.
struct dao_proposals_arg {
  std::optional<dao_proposal_status> status;
  ::icto::page page;
};
ICTO_FIELDS(dao_proposals_arg, status, page)

/// A page of proposals; `total` counts all that match.
struct dao_proposal_page {
  std::vector<dao_proposal> proposals;
  uint64_t total = 0;
};
ICTO_FIELDS(dao_proposal_page, proposals, total)

/// Settings and counts; anyone if public, else the owner and the members.
ICTO_METHOD(dao, getDaoInfo, query, dao_info_arg, result<dao_info>)
/// A page of members and their voting power; who may call getDaoInfo.
ICTO_METHOD(dao, getMembers, query, dao_members_arg, result<dao_member_page>)
/// Adds a member (notifyMemberAdded); the owner (members use an add_member
/// proposal).
ICTO_METHOD(dao, addMember, update, dao_member, result<unit>)
/// Removes a member (notifyMemberRemoved); the owner (members use a
/// remove_member proposal).
ICTO_METHOD(dao, removeMember, update, dao_remove_member_arg, result<unit>)
/// Opens a proposal for `voting_period_seconds` (notifyProposalCreated); a
/// member. Replies the proposal id.
ICTO_METHOD(dao, createProposal, update, dao_create_proposal_arg,
            result<uint64_t>)
/// Casts the caller's vote with its voting power, once per proposal; a
/// member, while the proposal is open. Replies the proposal.
ICTO_METHOD(dao, vote, update, dao_vote_arg, result<dao_proposal>)
/// Does the action of a passed proposal; any member. Replies the proposal.
ICTO_METHOD(dao, executeProposal, update, dao_execute_arg, result<dao_proposal>)
/// One proposal; who may call getDaoInfo.
ICTO_METHOD(dao, getProposal, query, dao_proposal_arg, result<dao_proposal>)
/// A page of proposals; who may call getDaoInfo.
ICTO_METHOD(dao, getProposals, query, dao_proposals_arg,
            result<dao_proposal_page>)

using dao_contract_methods = concat_methods<
    contract_common_methods,
    method_list<dao_getDaoInfo, dao_getMembers, dao_addMember, dao_removeMember,
                dao_createProposal, dao_vote, dao_executeProposal,
                dao_getProposal, dao_getProposals>>::type;

} // namespace icto
