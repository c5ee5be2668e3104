#pragma once

// A multisig wallet's state and rules, without actors. The wallet's money is
// the account {contract id} on the platform ledger; a transfer leaves it only
// through a proposal that `threshold` signers approved.
//
// Rules:
// - Signers are distinct, not anonymous, 1 to 100 of them; observers are
//   distinct and not signers; 1 <= threshold <= signers at every moment
//   (removeSigner and setThreshold refuse what would break it).
// - The owner (a controller) manages signers, observers and the threshold;
//   only signers propose, approve (once each) and execute.
// - A proposal is approved by its proposer; it is `approved` while it has
//   >= threshold approvals of current signers, else `pending` (removing a
//   signer drops its approvals; changing the threshold re-grades open
//   proposals). It expires `multisig_proposal_ttl` after creation.
// - executeProposal takes an approved proposal in flight (no second execute
//   meanwhile) and makes an icrc1_transfer from the wallet: executed with
//   the block index, or failed with the ledger's refusal. If the ledger does
//   not answer, the proposal stays approved; the retry reuses the first
//   attempt's created_at_time, so the ledger's dedup replies `duplicate` if
//   the first transfer went through and the proposal becomes executed
//   without paying twice.
// - Queries: anyone if the wallet is public, else the owner, signers and
//   observers.

#include "actors/contracts/contract_versions.hpp"
#include "messages/contract_init.hpp"
#include "messages/contracts/multisig.hpp"
#include "messages/ledger.hpp"
#include "persistence/trie_map.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace icto {

/// How long a proposal may wait for approval and execution.
inline constexpr std::chrono::hours multisig_proposal_ttl{24 * 7};
inline constexpr size_t multisig_max_signers = 100;
inline constexpr size_t multisig_max_observers = 100;
inline constexpr size_t multisig_max_description = 1024;

/// A multisig wallet's state. Owned by its contract actor; O(1) to copy.
struct multisig_state {
  using proposal_map = trie_map<uint64_t, multisig_proposal>;
  using time_map = trie_map<uint64_t, timestamp>;
  using id_set = trie_set<uint64_t>;

  std::string name;
  /// The contract id: the wallet's account on the ledger is {wallet}.
  principal wallet;
  principal owner;
  std::vector<principal> signers;
  std::vector<principal> observers;
  uint32_t threshold = 1;
  /// By id, from 1.
  proposal_map proposals;
  uint64_t next_proposal = 1;
  /// Proposals whose transfer is at the ledger now.
  id_set executing;
  /// created_at_time of each proposal's first execution attempt.
  time_map attempts;

  friend bool operator==(const multisig_state& x, const multisig_state& y) {
    return x.name == y.name && x.wallet == y.wallet && x.owner == y.owner
           && x.signers == y.signers && x.observers == y.observers
           && x.threshold == y.threshold && x.proposals == y.proposals
           && x.next_proposal == y.next_proposal && x.executing == y.executing
           && x.attempts == y.attempts;
  }
  friend bool operator!=(const multisig_state& x, const multisig_state& y) {
    return !(x == y);
  }
};

/// contract_errc::invalid_argument naming the field (see the rules above;
/// name 1..64 bytes).
result<unit> validate_multisig_init(const multisig_init& init);

/// A new wallet. REQUIRES: validate_multisig_init(init) succeeded.
multisig_state make_multisig_state(const multisig_init& init,
                                   const principal& wallet,
                                   const principal& owner);

/// The wallet's versions: 1.0.0.
const version_table<multisig_state>& multisig_versions();

/// ok if the signers, observers, threshold and proposals keep the rules.
result<unit> check_multisig_state(const multisig_state& st);

bool is_signer(const multisig_state& st, const principal& p);
bool is_observer(const multisig_state& st, const principal& p);

// -- the owner's changes ------------------------------------------------------

result<unit> add_signer(multisig_state& st, const principal& who,
                        const add_signer_arg& arg);
result<unit> remove_signer(multisig_state& st, const principal& who,
                           const remove_signer_arg& arg);
result<unit> add_observer(multisig_state& st, const principal& who,
                          const add_observer_arg& arg);
result<unit> remove_observer(multisig_state& st, const principal& who,
                             const remove_observer_arg& arg);
result<unit> set_threshold(multisig_state& st, const principal& who,
                           const set_threshold_arg& arg);

// -- proposals ----------------------------------------------------------------

/// proposeTransfer by a signer; replies the new proposal's id.
result<uint64_t> propose_transfer(multisig_state& st, const principal& who,
                                  const propose_transfer_arg& arg,
                                  timestamp now);

/// approveProposal by a signer. An expired proposal is marked expired and
/// refused (contract_errc::invalid_state).
result<multisig_proposal> approve_proposal(multisig_state& st,
                                           const principal& who, uint64_t id,
                                           timestamp now);

/// executeProposal by a signer: takes the approved proposal in flight and
/// replies the ledger transfer to make.
result<transfer_arg> begin_execute(multisig_state& st, const principal& who,
                                   uint64_t id, timestamp now);

/// The ledger's answer to begin_execute's transfer: executed (a block, or
/// `duplicate` of one), failed (another ledger refusal), or back to
/// approved if the ledger did not answer (a system error). Replies the
/// proposal. REQUIRES: begin_execute(st, ..., id, ...) succeeded before.
multisig_proposal finish_execute(multisig_state& st, uint64_t id,
                                 const result<uint64_t>& ledger_reply,
                                 timestamp now);

// -- queries ------------------------------------------------------------------

/// contract_errc::unauthorized unless `who` may read the wallet.
result<unit> require_viewer(const multisig_state& st, const principal& who,
                            bool is_public);

wallet_info wallet_info_of(const multisig_state& st, bool is_public,
                           timestamp now);

/// The proposal as of `now` (an open one past its time reads expired).
result<multisig_proposal> proposal_of(const multisig_state& st, uint64_t id,
                                      timestamp now);

/// Newest first; limit 0 means 100, at most 1000.
multisig_proposal_page proposals_of(const multisig_state& st,
                                    const multisig_proposals_arg& arg,
                                    timestamp now);

} // namespace icto
