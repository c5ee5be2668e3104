#pragma once

// A launchpad: a sale of `sale_token` between `start_time` and `end_time`,
// paid in the fee ledger's token with ICRC-2 (the contributor approves the
// contract, the contract calls icrc2_transfer_from). Contributions stop at
// the hard cap; after the end the sale succeeded (soft cap reached) or
// failed, and finalize settles it: on success the raised funds go to the
// owner, on failure every contributor is refunded. A first contribution
// and a full refund call the factory back; so does every status change.

#include "messages/common.hpp"
#include "messages/contracts/contract.hpp"
#include "messages/method.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icto {

/// Where a sale is: before `start_time` (upcoming), taking contributions
/// (open), ended with the soft cap reached (succeeded) or not (failed),
/// then settled by finalize: paid out (finalized) or refunded (refunded).
enum class sale_status : uint8_t {
  upcoming,
  open,
  succeeded,
  failed,
  finalized,
  refunded,
};
ICTO_ENUM(sale_status, upcoming, open, succeeded, failed, finalized, refunded)

/// A sale's settings and progress (getSaleInfo).
struct sale_info {
  std::string name;
  principal owner;
  principal sale_token;
  /// Ledger e8s per whole sale token.
  tokens price_e8s = 0;
  tokens soft_cap = 0;
  tokens hard_cap = 0;
  tokens min_contribution = 0;
  tokens max_contribution = 0;
  timestamp start_time = 0;
  timestamp end_time = 0;
  sale_status status = sale_status::upcoming;
  tokens raised = 0;
  uint64_t contributors = 0;
  bool is_public = false;
  std::optional<timestamp> finalized_at;
};
ICTO_FIELDS(sale_info, name, owner, sale_token, price_e8s, soft_cap, hard_cap,
            min_contribution, max_contribution, start_time, end_time, status,
            raised, contributors, is_public, finalized_at)

/// Argument of getSaleInfo.
struct sale_info_arg {};
ICTO_NO_FIELDS(sale_info_arg)

/// Argument of contribute: `amount` taken from the caller's account by
/// icrc2_transfer_from (the caller approved amount + ledger fee).
struct contribute_arg {
  tokens amount = 0;
  std::optional<blob> from_subaccount;
};
ICTO_FIELDS(contribute_arg, amount, from_subaccount)

/// One contributor's total (all contributions summed).
struct contribution {
  principal contributor;
  tokens amount = 0;
  /// Sale tokens owed if the sale succeeds: amount * 10^8 / price_e8s.
  tokens allocation = 0;
  timestamp last_contributed_at = 0;
  bool refunded = false;
};
ICTO_FIELDS(contribution, contributor, amount, allocation, last_contributed_at,
            refunded)

/// Argument of getContribution.
struct contribution_arg {
  principal user;
};
ICTO_FIELDS(contribution_arg, user)

/// Argument of getContributors.
struct contributors_arg {
  ::icto::page page;
};
ICTO_FIELDS(contributors_arg, page)

/// A page of contributions; `total` counts all contributors.
struct contribution_page {
  std::vector<contribution> contributions;
  uint64_t total = 0;
};
ICTO_FIELDS(contribution_page, contributions, total)

/// Argument of finalize.
struct finalize_sale_arg {};
ICTO_NO_FIELDS(finalize_sale_arg)

/// What finalize did.
struct sale_outcome {
  /// finalized or refunded.
  sale_status status = sale_status::finalized;
  tokens raised = 0;
  uint64_t contributors = 0;
  /// The ledger block paying the raised funds to the owner, on success.
  std::optional<uint64_t> payout_block;
  uint64_t refunds_paid = 0;
  /// Refunds the ledger refused; their contributors use claimRefund.
  uint64_t refunds_failed = 0;
};
ICTO_FIELDS(sale_outcome, status, raised, contributors, payout_block,
            refunds_paid, refunds_failed)

/// Argument of claimRefund.
struct claim_refund_arg {};
ICTO_NO_FIELDS(claim_refund_arg)

/// A refund of a failed sale to one contributor: paid (`block_index`) or
/// refused by the ledger (`failure`; the contributor may claim again).
struct sale_refund {
  principal contributor;
  tokens amount = 0;
  std::optional<uint64_t> block_index;
  timestamp at = 0;
  std::optional<std::string> failure;
};
ICTO_FIELDS(sale_refund, contributor, amount, block_index, at, failure)

/// Argument of getRefunds.
struct sale_refunds_arg {
  ::icto::page page;
};
ICTO_FIELDS(sale_refunds_arg, page)

/// A page of refunds; `total` counts all of them.
struct sale_refund_page {
  std::vector<sale_refund> refunds;
  uint64_t total = 0;
};
ICTO_FIELDS(sale_refund_page, refunds, total)

/// Settings, status and progress; anyone.
ICTO_METHOD(launchpad, getSaleInfo, query, sale_info_arg, result<sale_info>)
/// Takes a contribution with icrc2_transfer_from, within the min, max and
/// hard cap (notifyParticipantAdded on the first); anyone, while open.
/// Replies the caller's total.
ICTO_METHOD(launchpad, contribute, update, contribute_arg, result<contribution>)
/// Settles an ended sale: pays the owner or refunds everyone
/// (notifyParticipantRemoved, notifyStatusChanged); the owner, or anyone
/// after `end_time`.
ICTO_METHOD(launchpad, finalize, update, finalize_sale_arg,
            result<sale_outcome>)
/// Pays the caller's refund that finalize could not; a contributor of a
/// refunded sale.
ICTO_METHOD(launchpad, claimRefund, update, claim_refund_arg,
            result<sale_refund>)
/// A user's contribution (amount 0 if none); anyone.
ICTO_METHOD(launchpad, getContribution, query, contribution_arg,
            result<contribution>)
/// A page of contributions, largest first; anyone.
ICTO_METHOD(launchpad, getContributors, query, contributors_arg,
            result<contribution_page>)
/// A page of refunds, oldest first; anyone.
ICTO_METHOD(launchpad, getRefunds, query, sale_refunds_arg,
            result<sale_refund_page>)

using launchpad_contract_methods = concat_methods<
    contract_common_methods,
    method_list<launchpad_getSaleInfo, launchpad_contribute, launchpad_finalize,
                launchpad_claimRefund, launchpad_getContribution,
                launchpad_getContributors, launchpad_getRefunds>>::type;

} // namespace icto
