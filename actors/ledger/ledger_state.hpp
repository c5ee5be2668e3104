#pragma once

// The ICRC-1 / ICRC-2 ledger as plain data and free functions, without
// actors: `decide` validates a request against the state and makes the
// block's event, `apply` folds an event into the state. The ledger actor
// (actors/ledger/ledger_actor.cpp) is a thin shell around them.
//
// Rules beyond the standards' text (the IC ledger's choices unless noted):
// - A missing subaccount is 32 zero bytes; any other length is refused.
// - Memos are at most 32 bytes.
// - Mints and burns cost no fee; `fee`, if given, must be 0 there.
// - The smallest burn is min(fee, balance) and never 0 (the IC ledger's
//   rule: an account holding less than the fee can still burn its dust).
// - Fees are burned: minted = balances + burned at every block.
// - The anonymous principal may not transfer, approve or spend (GenericError
//   anonymous_caller); in this runtime an unknown CAF sender is anonymous.
// - Approving one's own principal (any subaccount) and approving from the
//   minting account are refused (GenericError).
// - Zero-balance accounts and zero allowances are not stored.

#include "actors/ledger/ledger_config.hpp"
#include "actors/ledger/ledger_events.hpp"
#include "messages/ledger.hpp"
#include "persistence/trie_map.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

namespace icto {

/// The `error_code` of the ledger's GenericError replies (error::detail).
enum class ledger_generic_code : uint64_t {
  /// The caller is the anonymous principal.
  anonymous_caller = 1,
  /// A subaccount not of 32 bytes, or a memo longer than 32 bytes.
  invalid_argument = 2,
  /// An amount whose sum with the fee, or with the supply, exceeds 2^64-1.
  overflow = 3,
  /// icrc2_approve with the caller's own principal as spender.
  self_approval = 4,
  /// The minting account may not approve, nor be spent from by another.
  minting_account_delegation = 5,
};

/// An ICRC-1 subaccount: exactly 32 bytes.
using subaccount_bytes = std::array<uint8_t, 32>;

/// An account as a map key: the owner and the effective subaccount (a
/// missing one is 32 zero bytes), so both forms name the same entry.
struct account_key {
  principal owner;
  subaccount_bytes subaccount{};

  friend bool operator==(const account_key& x, const account_key& y) {
    return x.owner == y.owner && x.subaccount == y.subaccount;
  }
  friend bool operator!=(const account_key& x, const account_key& y) {
    return !(x == y);
  }
  size_t hash() const;
};

/// REQUIRES: !x.subaccount or x.subaccount->size() == 32 (see `to_key`).
account_key key_of(const account& x);

/// The key of `x`, or GenericError naming `field` if the subaccount is not
/// 32 bytes long.
result<account_key> to_key(const account& x, const char* field);

/// The account a key names (with a subaccount only if it is not all zeros).
account to_account(const account_key& x);

/// Who may spend how much of whose tokens.
struct allowance_key {
  account_key from;
  account_key spender;

  friend bool operator==(const allowance_key& x, const allowance_key& y) {
    return x.from == y.from && x.spender == y.spender;
  }
  friend bool operator!=(const allowance_key& x, const allowance_key& y) {
    return !(x == y);
  }
  size_t hash() const;
};

/// A stored allowance; `amount` > 0.
struct allowance_entry {
  tokens amount = 0;
  std::optional<timestamp> expires_at;

  friend bool operator==(const allowance_entry& x, const allowance_entry& y) {
    return x.amount == y.amount && x.expires_at == y.expires_at;
  }
  friend bool operator!=(const allowance_entry& x, const allowance_entry& y) {
    return !(x == y);
  }
};

/// SHA-256 of a deduplicated transaction (caller, method, arguments).
using tx_hash = std::array<uint8_t, 32>;

/// A deduplicated transaction waiting to leave the dedup index.
struct dedup_slot {
  tx_hash hash{};
  /// After this ledger time no duplicate of it can be accepted any more
  /// (it would be TooOld): block time + tx_window + 2 * permitted_drift.
  timestamp prune_after = 0;

  friend bool operator==(const dedup_slot& x, const dedup_slot& y) {
    return x.hash == y.hash && x.prune_after == y.prune_after;
  }
  friend bool operator!=(const dedup_slot& x, const dedup_slot& y) {
    return !(x == y);
  }
};

struct account_key_hash {
  size_t operator()(const account_key& x) const noexcept {
    return x.hash();
  }
};

struct allowance_key_hash {
  size_t operator()(const allowance_key& x) const noexcept {
    return x.hash();
  }
};

struct tx_hash_hash {
  size_t operator()(const tx_hash& x) const noexcept;
};

/// The ledger's whole state. Owned by one ledger actor (or a test); the
/// tries make a copy O(1), so a snapshot can be handed to another thread
/// for checkpointing.
struct ledger_state {
  using balance_map = trie_map<account_key, tokens, account_key_hash>;
  using allowance_map
      = trie_map<allowance_key, allowance_entry, allowance_key_hash>;
  using dedup_map = trie_map<tx_hash, uint64_t, tx_hash_hash>;
  using dedup_queue = trie_map<uint64_t, dedup_slot>;
  using allowance_set = trie_set<allowance_key, allowance_key_hash>;
  using expiry_map = trie_map<uint64_t, allowance_set>;

  /// Width of a bucket of `expiries`: allowances are pruned at most this
  /// long after they expire (they read as 0 from the moment they expire).
  static constexpr timestamp expiry_bucket_ns = 3'600'000'000'000ull;

  ledger_config config;

  /// Non-zero balances only; the minting account never has one.
  balance_map balances;
  /// Non-zero allowances, expired ones included until pruned.
  allowance_map allowances;
  /// Allowances with `expires_at`, by expires_at / expiry_bucket_ns.
  expiry_map expiries;
  /// First bucket of `expiries` not yet pruned.
  uint64_t expiry_cursor = 0;

  /// Deduplicated transactions of the window: hash → block index.
  dedup_map dedup;
  /// The same transactions in block order: slot number → slot, the live
  /// slots being [dedup_head, dedup_tail).
  dedup_queue dedup_fifo;
  uint64_t dedup_head = 0;
  uint64_t dedup_tail = 0;

  /// The index the next block gets (= number of blocks).
  uint64_t next_block = 0;
  /// Time of the last block; block times never go back.
  timestamp last_time = 0;

  tokens minted = 0;
  /// Burned by burns and by fees.
  tokens burned = 0;
  tokens fees_burned = 0;

  friend bool operator==(const ledger_state& x, const ledger_state& y);
  friend bool operator!=(const ledger_state& x, const ledger_state& y) {
    return !(x == y);
  }
};

// -- genesis ------------------------------------------------------------------

/// A ledger with the config's initial balances minted at `genesis_time`
/// (blocks 0 to n-1). Fails if `validate(cfg)` does.
result<ledger_state> make_ledger_state(ledger_config cfg,
                                       timestamp genesis_time);

// -- updates
// --------------------------------------------------------------------

/// The block an icrc1_transfer by `caller` at `now` makes, or the ICRC
/// TransferError that refuses it. Does not change `st`.
result<ledger_event> decide(const ledger_state& st, const principal& caller,
                            const transfer_arg& arg, timestamp now);

/// Ditto for icrc2_approve (ApproveError).
result<ledger_event> decide(const ledger_state& st, const principal& caller,
                            const approve_args& arg, timestamp now);

/// Ditto for icrc2_transfer_from (TransferFromError).
result<ledger_event> decide(const ledger_state& st, const principal& caller,
                            const transfer_from_args& arg, timestamp now);

/// Folds a block into the state and prunes what its time makes obsolete.
/// REQUIRES: `ev` was made by `decide` from a state equal to `st` (or is the
/// next event of a journal of `st`); then it cannot fail.
void apply(ledger_state& st, const ledger_event& ev);

// -- queries
// --------------------------------------------------------------------

/// The balance of an account (GenericError for a bad subaccount).
result<tokens> balance_of(const ledger_state& st, const account& acc);

/// The allowance at `now`: an expired or absent one is {0, none}.
result<allowance> allowance_of(const ledger_state& st,
                               const allowance_args& arg, timestamp now);

/// The allowance of a stored pair at `now` (0 if absent or expired).
tokens current_allowance(const ledger_state& st, const allowance_key& key,
                         timestamp now);

ledger_stats stats_of(const ledger_state& st);

/// minted - burned.
tokens total_supply(const ledger_state& st);

metadata_entries metadata_of(const ledger_config& cfg);

standard_records supported_standards();

/// Checks what every block keeps true, in O(size): balances + burned =
/// minted, fees_burned <= burned, no zero balance or allowance, no balance
/// of the minting account, the dedup index and its queue in step, every
/// expiring allowance in its bucket. For tests and for loading checkpoints.
bool check_invariants(const ledger_state& st);

/// The ledger's time for a request at `now`: never behind the last block.
inline timestamp ledger_time(const ledger_state& st, timestamp now) {
  return now < st.last_time ? st.last_time : now;
}

} // namespace icto
