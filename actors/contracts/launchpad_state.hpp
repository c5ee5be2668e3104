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

#include "messages/contract_init.hpp"
#include "messages/contracts/launchpad.hpp"
#include "persistence/trie_map.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icto {

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

// -- contributions ------------------------------------------------------------

/// Checks a contribution of `who` at `now` and reserves it (adds it to
/// `raised` and to the contributor's pending amount). The caller takes the
/// funds with icrc2_transfer_from and calls `confirm_contribution` or
/// `release_contribution`.
result<unit> reserve_contribution(launchpad_state& st, const principal& who,
                                  const contribute_arg& arg, timestamp now);

/// The ledger took a reserved contribution. Returns the contributor's record
/// and whether it is their first (confirmed) contribution.
/// REQUIRES: `amount` of `who` is reserved.
std::pair<contribution, bool>
confirm_contribution(launchpad_state& st, const principal& who, tokens amount,
                     timestamp now);

/// The ledger refused a reserved contribution: forgets it.
/// REQUIRES: `amount` of `who` is reserved.
void release_contribution(launchpad_state& st, const principal& who,
                          tokens amount);

// -- settlement ---------------------------------------------------------------

/// Checks that `who` may finalize at `now` and marks the sale settling.
/// Returns the status it settles from: succeeded or failed.
result<sale_status> begin_finalize(launchpad_state& st, const principal& who,
                                   timestamp now);

/// The contributors to refund: confirmed, not refunded, not refunding.
std::vector<contribution> refundable(const launchpad_state& st);

/// Whether a refund of `c` can bear the ledger fee (amount > fee).
bool refund_covers_fee(const contribution& c, tokens fee);

/// Marks `who`'s refund in flight (for claimRefund). Checks that the sale
/// was refunded and that `who` has an unrefunded contribution; returns it.
result<contribution> begin_claim_refund(launchpad_state& st,
                                        const principal& who);

/// Marks `who`'s refund in flight (for finalize).
/// REQUIRES: `who` is refundable.
void begin_refund(launchpad_state& st, const principal& who);

/// Records a refund attempt of `who` (paid if `r.block_index`); returns
/// true if it was paid (the contributor is now refunded in full).
bool record_refund(launchpad_state& st, sale_refund r);

/// Ends finalize: `status` finalized (with the owner's payout block) or
/// refunded, or, if `status` is none, back to not settling (the payout
/// failed; finalize may be called again).
void end_finalize(launchpad_state& st, std::optional<sale_status> status,
                  std::optional<uint64_t> payout_block, timestamp now);

/// raised = confirmed + reserved, raised <= hard cap, each total within
/// max, allocations match, refunds in order. For tests and health checks;
/// empty when fine, else what is wrong.
std::string check_invariants(const launchpad_state& st);

} // namespace icto
