#pragma once

// A distribution: recipients and amounts of one token, vested linearly over
// `vesting_seconds` after a cliff of `cliff_seconds`, both counted from
// `start_time`. The owner edits recipients while it is created, then
// activates it; recipients claim what has vested (paid by the contract's
// account on `token`). Adding or removing a recipient calls the factory
// back; so does every status change.

#include "messages/common.hpp"
#include "messages/contract_init.hpp"
#include "messages/contracts/contract.hpp"
#include "messages/method.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icto {

/// Where a distribution is: recipients editable (created), claims open
/// (active), everything claimed (completed), stopped by the owner
/// (cancelled).
enum class distribution_status : uint8_t {
  created,
  active,
  completed,
  cancelled,
};
ICTO_ENUM(distribution_status, created, active, completed, cancelled)

/// A distribution's settings and totals (getDistributionInfo).
struct distribution_info {
  std::string name;
  principal owner;
  principal token;
  distribution_status status = distribution_status::created;
  timestamp start_time = 0;
  uint64_t cliff_seconds = 0;
  uint64_t vesting_seconds = 0;
  uint64_t recipients = 0;
  tokens total_amount = 0;
  tokens total_claimed = 0;
  bool is_public = false;
  std::optional<timestamp> activated_at;
  /// The owner's reason, once cancelled.
  std::optional<std::string> cancel_reason;
};
ICTO_FIELDS(distribution_info, name, owner, token, status, start_time,
            cliff_seconds, vesting_seconds, recipients, total_amount,
            total_claimed, is_public, activated_at, cancel_reason)

/// Argument of getDistributionInfo.
struct distribution_info_arg {};
ICTO_NO_FIELDS(distribution_info_arg)

/// Argument of activate.
struct distribution_activate_arg {};
ICTO_NO_FIELDS(distribution_activate_arg)

/// Argument of cancel.
struct distribution_cancel_arg {
  std::string reason;
};
ICTO_FIELDS(distribution_cancel_arg, reason)

/// Argument of removeRecipient.
struct remove_recipient_arg {
  principal recipient;
};
ICTO_FIELDS(remove_recipient_arg, recipient)

/// One recipient's vesting now: claimable = vested - claimed.
struct vesting_figures {
  principal recipient;
  tokens total = 0;
  tokens vested = 0;
  tokens claimed = 0;
  tokens claimable = 0;
};
ICTO_FIELDS(vesting_figures, recipient, total, vested, claimed, claimable)

/// Argument of getClaimable.
struct claimable_arg {
  principal user;
};
ICTO_FIELDS(claimable_arg, user)

/// Argument of claim.
struct distribution_claim_arg {};
ICTO_NO_FIELDS(distribution_claim_arg)

/// The reply of claim: what was paid and the token's block index.
struct distribution_claim_receipt {
  tokens amount = 0;
  uint64_t block_index = 0;
};
ICTO_FIELDS(distribution_claim_receipt, amount, block_index)

/// Argument of getRecipients.
struct distribution_recipients_arg {
  ::icto::page page;
};
ICTO_FIELDS(distribution_recipients_arg, page)

/// A page of recipients' vesting; `total` counts all recipients.
struct vesting_page {
  std::vector<vesting_figures> recipients;
  uint64_t total = 0;
};
ICTO_FIELDS(vesting_page, recipients, total)

/// Settings, status and totals; anyone if public, else the owner and the
/// recipients.
ICTO_METHOD(distribution, getDistributionInfo, query, distribution_info_arg,
            result<distribution_info>)
/// Opens claims (created -> active; notifyStatusChanged); the owner.
ICTO_METHOD(distribution, activate, update, distribution_activate_arg,
            result<unit>)
/// Stops it (created or active -> cancelled; notifyStatusChanged); the
/// owner.
ICTO_METHOD(distribution, cancel, update, distribution_cancel_arg, result<unit>)
/// Adds a recipient while created (notifyRecipientAdded); the owner.
ICTO_METHOD(distribution, addRecipient, update, distribution_recipient,
            result<unit>)
/// Removes a recipient while created (notifyRecipientRemoved); the owner.
ICTO_METHOD(distribution, removeRecipient, update, remove_recipient_arg,
            result<unit>)
/// Pays the caller what has vested and is unclaimed; a recipient, while
/// active. The last claim completes the distribution.
ICTO_METHOD(distribution, claim, update, distribution_claim_arg,
            result<distribution_claim_receipt>)
/// A user's vesting figures (zeros for a non-recipient); anyone.
ICTO_METHOD(distribution, getClaimable, query, claimable_arg,
            result<vesting_figures>)
/// A page of recipients with their vesting; who may call
/// getDistributionInfo.
ICTO_METHOD(distribution, getRecipients, query, distribution_recipients_arg,
            result<vesting_page>)

using distribution_contract_methods = concat_methods<
    contract_common_methods,
    method_list<distribution_getDistributionInfo, distribution_activate,
                distribution_cancel, distribution_addRecipient,
                distribution_removeRecipient, distribution_claim,
                distribution_getClaimable, distribution_getRecipients>>::type;

} // namespace icto
