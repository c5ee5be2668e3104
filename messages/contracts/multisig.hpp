#pragma once

// A multisig wallet: signers, a threshold of approvals, observers who only
// look. A signer proposes a transfer from the wallet's own account on the
// fee ledger ({owner: the contract id}); it executes once `threshold`
// signers approved. The owner manages signers, observers and the threshold;
// each change of a signer or observer calls the factory back.

#include "messages/common.hpp"
#include "messages/contracts/contract.hpp"
#include "messages/method.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icto {

/// Where a transfer proposal is. Pending until `threshold` approvals
/// (approved); executed or failed after executeProposal; expired when its
/// time ran out first.
enum class multisig_proposal_status : uint8_t {
  pending,
  approved,
  executed,
  failed,
  expired,
};
ICTO_ENUM(multisig_proposal_status, pending, approved, executed, failed,
          expired)

/// A transfer proposal and its approvals (the proposer's included).
struct multisig_proposal {
  uint64_t id = 0;
  principal proposer;
  account to;
  tokens amount = 0;
  std::optional<blob> memo;
  std::string description;
  timestamp created_at = 0;
  timestamp expires_at = 0;
  multisig_proposal_status status = multisig_proposal_status::pending;
  std::vector<principal> approvals;
  std::optional<timestamp> executed_at;
  /// The ledger block of the executed transfer.
  std::optional<uint64_t> block_index;
  /// The ledger's refusal, for a failed proposal.
  std::optional<std::string> failure;
};
ICTO_FIELDS(multisig_proposal, id, proposer, to, amount, memo, description,
            created_at, expires_at, status, approvals, executed_at, block_index,
            failure)

/// A wallet's settings and counts (getWalletInfo).
struct wallet_info {
  std::string name;
  principal owner;
  std::vector<principal> signers;
  std::vector<principal> observers;
  uint32_t threshold = 0;
  bool is_public = false;
  uint64_t proposals = 0;
  /// Proposals pending or approved, not yet executed.
  uint64_t open_proposals = 0;
};
ICTO_FIELDS(wallet_info, name, owner, signers, observers, threshold, is_public,
            proposals, open_proposals)

/// Argument of getWalletInfo.
struct wallet_info_arg {};
ICTO_NO_FIELDS(wallet_info_arg)

/// Argument of addSigner.
struct add_signer_arg {
  principal signer;
};
ICTO_FIELDS(add_signer_arg, signer)

/// Argument of removeSigner; refused if fewer signers than the threshold
/// would remain.
struct remove_signer_arg {
  principal signer;
};
ICTO_FIELDS(remove_signer_arg, signer)

/// Argument of addObserver.
struct add_observer_arg {
  principal observer;
};
ICTO_FIELDS(add_observer_arg, observer)

/// Argument of removeObserver.
struct remove_observer_arg {
  principal observer;
};
ICTO_FIELDS(remove_observer_arg, observer)

/// Argument of setThreshold: 1 <= threshold <= signers.
struct set_threshold_arg {
  uint32_t threshold = 0;
};
ICTO_FIELDS(set_threshold_arg, threshold)

/// Argument of proposeTransfer: pay `amount` (plus the ledger fee) from the
/// wallet's own account to `to`.
struct propose_transfer_arg {
  account to;
  tokens amount = 0;
  std::optional<blob> memo;
  std::string description;
};
ICTO_FIELDS(propose_transfer_arg, to, amount, memo, description)

/// Argument of approveProposal.
struct multisig_approve_arg {
  uint64_t proposal_id = 0;
};
ICTO_FIELDS(multisig_approve_arg, proposal_id)

/// Argument of executeProposal.
struct multisig_execute_arg {
  uint64_t proposal_id = 0;
};
ICTO_FIELDS(multisig_execute_arg, proposal_id)

/// Argument of getProposal.
struct multisig_proposal_arg {
  uint64_t proposal_id = 0;
};
ICTO_FIELDS(multisig_proposal_arg, proposal_id)

/// Argument of getProposals: newest first, optionally of one status.
struct multisig_proposals_arg {
  std::optional<multisig_proposal_status> status;
  ::icto::page page;
};
ICTO_FIELDS(multisig_proposals_arg, status, page)

/// A page of proposals; `total` counts all that match.
struct multisig_proposal_page {
  std::vector<multisig_proposal> proposals;
  uint64_t total = 0;
};
ICTO_FIELDS(multisig_proposal_page, proposals, total)

/// Settings, signers, observers and counts; anyone if public, else the
/// owner, signers and observers.
ICTO_METHOD(multisig, getWalletInfo, query, wallet_info_arg,
            result<wallet_info>)
/// Adds a signer (notifySignerAdded); the owner.
ICTO_METHOD(multisig, addSigner, update, add_signer_arg, result<unit>)
/// Removes a signer (notifySignerRemoved); the owner.
ICTO_METHOD(multisig, removeSigner, update, remove_signer_arg, result<unit>)
/// Adds an observer (notifyObserverAdded); the owner.
ICTO_METHOD(multisig, addObserver, update, add_observer_arg, result<unit>)
/// Removes an observer (notifyObserverRemoved); the owner.
ICTO_METHOD(multisig, removeObserver, update, remove_observer_arg, result<unit>)
/// Changes the number of approvals a proposal needs; the owner.
ICTO_METHOD(multisig, setThreshold, update, set_threshold_arg, result<unit>)
/// Proposes a transfer, approved by the proposer (notifyProposalCreated);
/// a signer. Replies the proposal id.
ICTO_METHOD(multisig, proposeTransfer, update, propose_transfer_arg,
            result<uint64_t>)
/// Adds the caller's approval (contract_errc::already_done if given); a
/// signer. Replies the proposal.
ICTO_METHOD(multisig, approveProposal, update, multisig_approve_arg,
            result<multisig_proposal>)
/// Makes the transfer of an approved proposal; a signer. A ledger refusal
/// marks the proposal failed and is replied as the ledger's error.
ICTO_METHOD(multisig, executeProposal, update, multisig_execute_arg,
            result<multisig_proposal>)
/// One proposal; who may call getWalletInfo.
ICTO_METHOD(multisig, getProposal, query, multisig_proposal_arg,
            result<multisig_proposal>)
/// A page of proposals; who may call getWalletInfo.
ICTO_METHOD(multisig, getProposals, query, multisig_proposals_arg,
            result<multisig_proposal_page>)

using multisig_contract_methods = concat_methods<
    contract_common_methods,
    method_list<multisig_getWalletInfo, multisig_addSigner,
                multisig_removeSigner, multisig_addObserver,
                multisig_removeObserver, multisig_setThreshold,
                multisig_proposeTransfer, multisig_approveProposal,
                multisig_executeProposal, multisig_getProposal,
                multisig_getProposals>>::type;

} // namespace icto
