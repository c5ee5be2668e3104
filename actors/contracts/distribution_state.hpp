#pragma once

// A distribution's business rules as plain data and free functions, without
// actors (the actor is distribution_contract.cpp). Every update either
// refuses with a contract_errc naming what is wrong and leaves the state as
// it was, or changes it and succeeds.
//
// Rules beyond messages/contracts/distribution.hpp:
// - Vesting: nothing before start_time + cliff, then linear from start_time
//   (so the cliff releases what has accrued since the start), everything
//   from start_time + vesting on; vesting_seconds = 0 vests all at the start.
// - A claim pays `claimable` from the distribution's own account on its
//   token, the token's fee on top (the owner funds amounts and fees). The
//   claim is reserved (counted as claimed) before the transfer, so two
//   claims cannot pay the same tokens; a refused transfer releases it.
// - Each reserved claim is recorded in flight under its sequence number
//   (from 1) with everything its transfer needs: recipient, amount and
//   created_at_time (the time of the reservation). Its transfer
//   (`claim_transfer`) carries the sequence number as its memo, so sending
//   it again is deduplicated by the token (ICRC-1): `duplicate` names the
//   block of the first one. A claim leaves the flight by `settle_claim`
//   (paid) or `release_claim` (refused: un-claimed); while the outcome is
//   unknown (no answer, or `too_old`) it stays in flight.
// - The distribution is completed when everything is claimed and no payout
//   is in flight. Activation needs at least one recipient.

#include "messages/contract_init.hpp"
#include "messages/contracts/distribution.hpp"
#include "messages/ledger.hpp"
#include "persistence/trie_map.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icto {

/// One recipient's allotment and what it claimed (reserved claims included).
struct distribution_entry {
  tokens amount = 0;
  tokens claimed = 0;

  friend bool operator==(const distribution_entry& x,
                         const distribution_entry& y) {
    return x.amount == y.amount && x.claimed == y.claimed;
  }
  friend bool operator!=(const distribution_entry& x,
                         const distribution_entry& y) {
    return !(x == y);
  }
};

/// A reserved claim whose payout has not answered yet: what rebuilds its
/// transfer (the memo is its sequence number, the key of `pending`).
struct distribution_pending_claim {
  principal recipient;
  tokens amount = 0;
  /// The time of the reservation: the transfer's created_at_time.
  timestamp created_at_time = 0;

  friend bool operator==(const distribution_pending_claim& x,
                         const distribution_pending_claim& y) {
    return x.recipient == y.recipient && x.amount == y.amount
           && x.created_at_time == y.created_at_time;
  }
  friend bool operator!=(const distribution_pending_claim& x,
                         const distribution_pending_claim& y) {
    return !(x == y);
  }
};

/// What `reserve_claim` reserved: the claim's sequence number and amount.
struct distribution_claim_ticket {
  uint64_t seq = 0;
  tokens amount = 0;

  friend bool operator==(const distribution_claim_ticket& x,
                         const distribution_claim_ticket& y) {
    return x.seq == y.seq && x.amount == y.amount;
  }
  friend bool operator!=(const distribution_claim_ticket& x,
                         const distribution_claim_ticket& y) {
    return !(x == y);
  }
};

/// A distribution's business state. Owned by one distribution contract
/// actor (or a test); copies are O(1) (tries).
struct distribution_state {
  using recipient_map = trie_map<principal, distribution_entry>;
  using claim_map = trie_map<uint64_t, distribution_pending_claim>;

  std::string name;
  /// The deploying user; the only one who edits, activates and cancels.
  principal owner;
  principal token;
  timestamp start_time = 0;
  uint64_t cliff_seconds = 0;
  uint64_t vesting_seconds = 0;
  distribution_status status = distribution_status::created;
  recipient_map recipients;
  tokens total_amount = 0;
  /// Claimed and reserved, over all recipients.
  tokens total_claimed = 0;
  /// Claims reserved whose transfer has not answered yet, by sequence
  /// number.
  claim_map pending;
  /// The sequence number of the next claim (from 1): its transfer's memo.
  uint64_t next_claim = 1;
  std::optional<timestamp> activated_at;
  std::optional<std::string> cancel_reason;

  friend bool operator==(const distribution_state& x,
                         const distribution_state& y);
  friend bool operator!=(const distribution_state& x,
                         const distribution_state& y) {
    return !(x == y);
  }
};

/// Longest name accepted.
constexpr size_t max_contract_name_length = 100;

/// contract_errc::invalid_argument naming the field, or ok: a name, a
/// token, recipients with amounts > 0 and no duplicates or anonymous, a
/// total that fits 64 bits, cliff <= vesting, times that fit 64 bits.
result<unit> validate(const distribution_init& init);

/// The state of a new distribution of `owner`.
/// REQUIRES: validate(init) succeeded.
distribution_state make_distribution_state(const distribution_init& init,
                                           const principal& owner);

// -- vesting ------------------------------------------------------------------

/// What of `total` has vested at `now` under the state's schedule.
tokens vested_amount(const distribution_state& st, tokens total, timestamp now);

/// The vesting figures of `user` at `now`; zeros for a non-recipient.
/// Nothing is claimable unless the distribution is active.
vesting_figures figures_of(const distribution_state& st, const principal& user,
                           timestamp now);

/// A page of recipients (ordered by principal) with their figures.
vesting_page recipients_page(const distribution_state& st, const page& pg,
                             timestamp now);

/// Owner and recipients may read a private distribution; anyone a public one.
result<unit> check_can_read(const distribution_state& st, const principal& who,
                            bool is_public);

// -- updates ------------------------------------------------------------------

/// created -> active; the owner, with at least one recipient.
result<unit> activate(distribution_state& st, const principal& who,
                      timestamp now);

/// created | active -> cancelled; the owner.
result<unit> cancel(distribution_state& st, const principal& who,
                    const std::string& reason);

/// Adds a recipient while created; the owner.
result<unit> add_recipient(distribution_state& st, const principal& who,
                           const distribution_recipient& r);

/// Removes a recipient while created; the owner.
result<unit> remove_recipient(distribution_state& st, const principal& who,
                              const principal& recipient);

/// Reserves the claimable amount of `who` at `now`: counts it as claimed and
/// records it in flight under the next sequence number (created_at_time
/// `now`). Replies the sequence number and the amount; the caller then pays
/// it out (`claim_transfer`) and calls `settle_claim` or `release_claim`.
result<distribution_claim_ticket>
reserve_claim(distribution_state& st, const principal& who, timestamp now);

/// The payout of claim `seq` succeeded: it leaves the flight. Returns true
/// if this completed the distribution (active -> completed). No change (and
/// false) if `seq` is not in flight.
bool settle_claim(distribution_state& st, uint64_t seq);

/// The payout of claim `seq` was refused: it leaves the flight and its
/// amount is un-claimed. No change if `seq` is not in flight.
void release_claim(distribution_state& st, uint64_t seq);

/// The memo of claim `seq`'s transfer: `seq`, 8 bytes big-endian.
blob claim_memo(uint64_t seq);

/// The transfer that pays claim `seq`, the same every time it is asked (so
/// that the token deduplicates a resend): to the recipient's default
/// account, the amount, memo `claim_memo(seq)`, the reservation's
/// created_at_time, the token's default fee. contract_errc::not_found if
/// `seq` is not in flight.
result<transfer_arg> claim_transfer(const distribution_state& st, uint64_t seq);

/// The claims of `who` in flight, lowest sequence number first.
std::vector<uint64_t> claims_in_flight(const distribution_state& st,
                                       const principal& who);

/// What a token's answer to a claim's transfer means.
enum class payout_outcome : uint8_t {
  /// Paid: a block, or `duplicate` of an earlier block (a resend).
  paid,
  /// Refused by the token (any other ledger error): nothing was paid.
  refused,
  /// Unknown: no answer (a system error) or `too_old` (too late for the
  /// token to tell a resend from a new transfer). The claim stays in flight.
  unknown,
};

payout_outcome classify_payout(const result<uint64_t>& reply);

/// The block of a `paid` reply: its value, or the `duplicate`'s detail.
/// REQUIRES: classify_payout(reply) == payout_outcome::paid.
uint64_t paid_block(const result<uint64_t>& reply);

/// getDistributionInfo's reply (is_public comes from the contract core).
distribution_info info_of(const distribution_state& st, bool is_public);

/// Totals match the recipients, claimed <= amount everywhere, the status
/// matches the totals, every claim in flight belongs to a recipient, has an
/// amount > 0 and a sequence number below `next_claim`, and a recipient's
/// claims in flight sum to at most what it claimed. For tests and health
/// checks; empty when fine, else what is wrong.
std::string check_invariants(const distribution_state& st);

} // namespace icto
