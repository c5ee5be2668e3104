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
// - The distribution is completed when everything is claimed and no payout
//   is in flight. Activation needs at least one recipient.

#include "messages/contract_init.hpp"
#include "messages/contracts/distribution.hpp"
#include "persistence/trie_map.hpp"

#include <cstdint>
#include <optional>
#include <string>

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

/// A distribution's business state. Owned by one distribution contract
/// actor (or a test); copies are O(1) (tries).
struct distribution_state {
  using recipient_map = trie_map<principal, distribution_entry>;

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
  /// Claims reserved whose transfer has not answered yet.
  uint64_t pending_claims = 0;
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

/// Reserves the claimable amount of `who` at `now` (counts it as claimed and
/// in flight) and returns it; the caller then pays it out and calls
/// `settle_claim` or `release_claim`.
result<tokens> reserve_claim(distribution_state& st, const principal& who,
                             timestamp now);

/// The payout of a reserved claim succeeded. Returns true if this completed
/// the distribution (active -> completed).
/// REQUIRES: a claim of `who` is in flight.
bool settle_claim(distribution_state& st, const principal& who);

/// The payout of a reserved claim of `amount` failed: un-claims it.
/// REQUIRES: a claim of `who` of `amount` is in flight.
void release_claim(distribution_state& st, const principal& who, tokens amount);

/// getDistributionInfo's reply (is_public comes from the contract core).
distribution_info info_of(const distribution_state& st, bool is_public);

/// Totals match the recipients, claimed <= amount everywhere, the status
/// matches the totals. For tests and health checks; empty when fine, else
/// what is wrong.
std::string check_invariants(const distribution_state& st);

} // namespace icto
