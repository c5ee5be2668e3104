#pragma once

// A launchpad's sale rules as plain data and free functions, without actors
// (the actor is launchpad_contract.cpp). Every update either refuses with a
// contract_errc naming what is wrong and leaves the state as it was, or
// changes it and succeeds.
//
// Rules beyond messages/contracts/launchpad.hpp:
// - The status follows the clock: upcoming before start_time, open until
//   end_time or until `raised` reaches the hard cap, then succeeded (soft cap
//   reached) or failed; finalize makes it finalized or refunded.
// - Every contribution is at least min_contribution; a contributor's total is
//   at most max_contribution; `raised` never exceeds the hard cap.
// - A contribution is reserved (counted in `raised`) before the ledger's
//   icrc2_transfer_from, so concurrent ones cannot pass the hard cap; a
//   refused transfer releases it. Finalize waits until none is in flight.
// - The launchpad's account holds exactly what was raised, so payouts and
//   refunds bear the ledger fee: the owner gets raised - fee, a contributor
//   amount - fee (a contribution not above the fee cannot be refunded).
// - Finalize: the owner once the sale ended (at end_time, or earlier at the
//   hard cap), anyone after end_time.
// - Refunds go to the contributor's default account (whatever subaccount it
//   paid from). The sale tokens themselves are not moved: a contribution
//   records its allocation only (the messages have no claim of sale tokens).
// - Every ledger transfer the sale starts (a contribution's
//   icrc2_transfer_from, the owner's payout, a refund) is a
//   `launchpad_transfer` record numbered by `next_transfer`, kept until its
//   answer is recorded. Its request is rebuilt from the record, identical
//   each time (`transfer_memo(seq)`, created_at_time = when it began), so a
//   copy sent again is deduplicated by the ledger: `Duplicate` names the
//   block of the first one.
// - A payout or refund the ledger did not answer (a system error) or
//   refused as TooOld has an unknown outcome: its record stays (not in
//   flight) and the next finalize or claimRefund sends it again instead of
//   a new one, so it is never paid twice. A contribution without an answer
//   is released, as one the ledger refused.
// - finalize learns the ledger fee once (`fee`) before it pays; its refunds
//   go through the contributors in principal order (`refund_cursor`: the
//   last one begun), so an interrupted finalize can be completed.

#include "messages/contract_init.hpp"
#include "messages/contracts/launchpad.hpp"
#include "messages/describe.hpp"
#include "messages/ledger.hpp"
#include "persistence/trie_map.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace icto {

/// What a ledger transfer of the sale is for.
enum class launchpad_transfer_kind : uint8_t {
  /// icrc2_transfer_from: a contributor's funds to the sale's account.
  contribution,
  /// icrc1_transfer: the raised funds (less the fee) to the owner.
  payout,
  /// icrc1_transfer: a contribution (less the fee) back to its contributor.
  refund,
};
ICTO_ENUM(launchpad_transfer_kind, contribution, payout, refund)

/// A ledger transfer the sale started and whose answer it has not recorded:
/// everything needed to send the identical request again.
struct launchpad_transfer {
  launchpad_transfer_kind kind = launchpad_transfer_kind::contribution;
  /// The contributor (contribution, refund) or the owner (payout).
  principal who;
  /// What the ledger moves (payout and refund: after the fee).
  tokens amount = 0;
  /// The contributor's subaccount the contribution comes from.
  std::optional<blob> from_subaccount;
  /// The ledger fee finalize learned (payout, refund); the request names it.
  std::optional<tokens> fee;
  /// The request's created_at_time: when the transfer began.
  timestamp created_at = 0;
  /// Sent and waiting for the ledger; false: the ledger did not answer (or
  /// TooOld), and the next finalize or claim sends it again.
  bool in_flight = true;

  friend bool operator==(const launchpad_transfer& x,
                         const launchpad_transfer& y) {
    return x.kind == y.kind && x.who == y.who && x.amount == y.amount
           && x.from_subaccount == y.from_subaccount && x.fee == y.fee
           && x.created_at == y.created_at && x.in_flight == y.in_flight;
  }
  friend bool operator!=(const launchpad_transfer& x,
                         const launchpad_transfer& y) {
    return !(x == y);
  }
};

/// One contributor's record: the message form and the part in flight.
struct launchpad_entry {
  /// amount counts confirmed contributions only.
  ::icto::contribution contribution;
  /// Reserved, waiting for the ledger.
  tokens pending = 0;
  /// A refund of this contributor is being paid.
  bool refunding = false;

  friend bool operator==(const launchpad_entry& x, const launchpad_entry& y) {
    return x.contribution == y.contribution && x.pending == y.pending
           && x.refunding == y.refunding;
  }
  friend bool operator!=(const launchpad_entry& x, const launchpad_entry& y) {
    return !(x == y);
  }
};

/// A launchpad's business state. Owned by one launchpad contract actor (or
/// a test); copies are O(1) (tries).
struct launchpad_state {
  using contributor_map = trie_map<principal, launchpad_entry>;
  using refund_map = trie_map<uint64_t, sale_refund>;
  using transfer_map = trie_map<uint64_t, launchpad_transfer>;

  launchpad_init config;
  /// The deploying user; receives the raised funds on success.
  principal owner;
  contributor_map contributors;
  /// Confirmed and reserved contributions.
  tokens raised = 0;
  /// Reserved contributions waiting for the ledger.
  uint64_t pending_contributions = 0;
  /// Set once finalize settled the sale (finalized or refunded).
  std::optional<sale_status> settled;
  /// finalize is paying out or refunding.
  bool settling = false;
  std::optional<timestamp> finalized_at;
  std::optional<uint64_t> payout_block;
  /// Refund attempts in order (index -> refund).
  refund_map refunds;
  /// Transfers without a recorded answer, by number (the memo).
  transfer_map transfers;
  /// The number of the next transfer.
  uint64_t next_transfer = 0;
  /// The ledger fee the current (or last) finalize learned.
  std::optional<tokens> fee;
  /// The last contributor finalize began refunding.
  std::optional<principal> refund_cursor;

  friend bool operator==(const launchpad_state& x, const launchpad_state& y);
  friend bool operator!=(const launchpad_state& x, const launchpad_state& y) {
    return !(x == y);
  }
};

/// contract_errc::invalid_argument naming the field, or ok: a name, a sale
/// token, a price > 0, 0 < soft cap <= hard cap, 0 < min <= max <= hard
/// cap, start < end.
result<unit> validate(const launchpad_init& init);

/// The state of a new sale of `owner`.
/// REQUIRES: validate(init) succeeded.
launchpad_state make_launchpad_state(const launchpad_init& init,
                                     const principal& owner);

// -- queries ------------------------------------------------------------------

/// The sale's status at `now`.
sale_status status_at(const launchpad_state& st, timestamp now);

/// Sale tokens owed for `amount` e8s at `price_e8s` per whole token.
tokens allocation_of(tokens amount, tokens price_e8s);

sale_info info_of(const launchpad_state& st, bool is_public, timestamp now);

/// `user`'s contribution (amount 0 if none).
contribution contribution_of(const launchpad_state& st, const principal& user);

/// Confirmed contributions, largest first (ties by principal).
contribution_page contributors_page(const launchpad_state& st, const page& pg);

/// Refund attempts, oldest first.
sale_refund_page refunds_page(const launchpad_state& st, const page& pg);

// -- transfers ----------------------------------------------------------------

/// The memo of transfer `seq`: its number, 8 bytes big-endian.
blob transfer_memo(uint64_t seq);

/// The icrc2_transfer_from of contribution `seq` into the account of `sale`
/// (the contract's principal), or not_found.
result<transfer_from_args> contribution_request(const launchpad_state& st,
                                                uint64_t seq,
                                                const principal& sale);

/// The icrc1_transfer of payout or refund `seq`, or not_found.
result<transfer_arg> payment_request(const launchpad_state& st, uint64_t seq);

/// What a ledger answer says about a transfer.
enum class ledger_outcome : uint8_t {
  /// It happened: ok, or Duplicate (an identical request was a block).
  happened,
  /// It did not happen: the ledger refused it.
  refused,
  /// Unknown: no answer (a system error) or TooOld (past deduplication).
  unknown,
};

/// The outcome of `reply`; `block` is set when it happened.
ledger_outcome outcome_of(const result<uint64_t>& reply,
                          std::optional<uint64_t>* block = nullptr);

/// The numbers of the transfers in flight, in order.
std::vector<uint64_t> transfers_in_flight(const launchpad_state& st);

// -- contributions ------------------------------------------------------------

/// Checks a contribution of `who` at `now` and reserves it (adds it to
/// `raised` and to the contributor's pending amount), starting its transfer
/// (created at `now`). Returns the transfer's number. The caller takes the
/// funds with `contribution_request` and calls `finish_contribution`.
result<uint64_t> reserve_contribution(launchpad_state& st, const principal& who,
                                      const contribute_arg& arg, timestamp now);

/// What finish_contribution did: confirmed (the contributor's record, and
/// whether it is their first confirmed contribution) or released.
struct contribution_finish {
  std::optional<contribution> confirmed;
  bool first = false;
};

/// Ends contribution `seq` with the ledger's answer: confirmed if it
/// happened, else released (forgotten). not_found if `seq` is not a
/// contribution in flight.
result<contribution_finish>
finish_contribution(launchpad_state& st, uint64_t seq,
                    const result<uint64_t>& reply, timestamp now);

// -- settlement ---------------------------------------------------------------

/// Checks that `who` may finalize at `now` and marks the sale settling
/// (forgetting the fee and refund cursor of an earlier attempt). Returns
/// the status it settles from: succeeded or failed.
result<sale_status> begin_finalize(launchpad_state& st, const principal& who,
                                   timestamp now);

/// Records the ledger fee finalize asked for; if the ledger did not tell
/// it, ends finalize unsettled (it may be called again).
/// REQUIRES: st.settling.
void finalize_fee(launchpad_state& st, const result<tokens>& fee,
                  timestamp now);

/// Starts the owner's payout of a succeeded sale (raised - fee), or sends
/// the one whose outcome is unknown again; returns its number. If the fee
/// leaves nothing to pay, settles the sale finalized without a payout and
/// returns none. invalid_state unless settling a succeeded sale with the
/// fee known and no payout in flight.
result<std::optional<uint64_t>> begin_payout(launchpad_state& st,
                                             timestamp now);

/// Ends payout `seq`: happened -> finalized with its block; refused ->
/// forgotten; unknown -> kept for the next finalize. Unless finalized,
/// finalize ends unsettled. not_found if `seq` is not a payout in flight.
result<unit> finish_payout(launchpad_state& st, uint64_t seq,
                           const result<uint64_t>& reply, timestamp now);

/// The contributors to refund: confirmed, not refunded, not refunding.
std::vector<contribution> refundable(const launchpad_state& st);

/// The contributor finalize refunds next: the first refundable one after
/// `refund_cursor` in principal order, if any.
std::optional<contribution> next_refund(const launchpad_state& st);

/// Whether a refund of `c` can bear the ledger fee (amount > fee).
bool refund_covers_fee(const contribution& c, tokens fee);

/// What beginning a refund did: started transfer `transfer`, or (none)
/// recorded a refused refund (`refund`: the contribution does not cover
/// the fee).
struct refund_start {
  std::optional<uint64_t> transfer;
  std::optional<sale_refund> refund;
};

/// Begins finalize's refund of `who` (its next_refund) at `now`: moves the
/// cursor to it and starts its transfer (amount - fee), unless the
/// contribution does not cover the fee. invalid_state unless settling a
/// failed sale with the fee known and `who` refundable after the cursor.
result<refund_start> begin_refund(launchpad_state& st, const principal& who,
                                  timestamp now);

/// claimRefund of `who` at `now`: checks that the sale was refunded and
/// that `who` has an unrefunded contribution without a refund in flight,
/// then starts its refund (or sends the one whose outcome is unknown
/// again), unless the contribution does not cover the fee.
result<refund_start> begin_claim_refund(launchpad_state& st,
                                        const principal& who, timestamp now);

/// Records a refund attempt of `who` (paid if `r.block_index`); returns
/// true if it was paid (the contributor is now refunded in full).
/// REQUIRES: `r.contributor` contributed.
bool record_refund(launchpad_state& st, sale_refund r);

/// What finish_refund recorded, and whether it paid.
struct refund_finish {
  sale_refund refund;
  bool paid = false;
};

/// Ends refund `seq` and records the attempt: paid (happened) or failed
/// (refused: forgotten; unknown: kept for the next claim). not_found if
/// `seq` is not a refund in flight.
result<refund_finish> finish_refund(launchpad_state& st, uint64_t seq,
                                    const result<uint64_t>& reply,
                                    timestamp now);

/// Ends finalize: `status` finalized (with the owner's payout block) or
/// refunded, or, if `status` is none, back to not settling (finalize may be
/// called again).
void end_finalize(launchpad_state& st, std::optional<sale_status> status,
                  std::optional<uint64_t> payout_block, timestamp now);

/// raised = confirmed + reserved, raised <= hard cap, each total within
/// max, allocations match, refunds in order, and the transfers agree with
/// the records: the contributions in flight sum to each pending amount,
/// a refund in flight for each contributor refunding, at most one payout
/// (none once settled), numbers below next_transfer. For tests, health
/// checks and loading checkpoints; empty when fine, else what is wrong.
std::string check_invariants(const launchpad_state& st);

} // namespace icto
