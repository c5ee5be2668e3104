#pragma once

// A token contract's state and rules, without actors. The token IS an
// ICRC-1 ledger: its state embeds a `ledger_state` (actors/ledger) whose
// minting account is the contract's own id, and transfers, mints and burns
// are the ledger's `decide` / `apply` (so fees, dedup, memo and burn rules
// and the supply invariant minted = balances + burned are the ledger's).
// What the token adds:
// - mint by the owner only (no fee), never to the contract's own account;
// - a per-principal balance index (summed over subaccounts) for the
//   factory's holder index: every block reports the new balances of the
//   principals it touched (`token_change`);
// - versions (token_versions()):
//     1.0.0  ICRC-1 token, owner mint, burn;
//     1.1.0  supply cap `max_supply` = 2^53-1 (amounts stay exact in JSON
//            numbers); the migration FAILS on a token whose supply is above
//            the cap; mints beyond it are refused;
//     1.2.0  per-holder transaction counter (`tx_counts`), counted from
//            the migration on.
//   Rolling back drops the newer fields.

#include "actors/contracts/contract_core.hpp"
#include "actors/contracts/contract_versions.hpp"
#include "actors/ledger/ledger_state.hpp"
#include "messages/contract_init.hpp"
#include "messages/contracts/token.hpp"
#include "messages/factory.hpp"
#include "persistence/trie_map.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace icto {

/// The supply cap of versions >= 1.1.0: the largest integer a JSON number
/// (an IEEE double) holds exactly.
inline constexpr tokens token_max_supply = (tokens{1} << 53) - 1;

/// Longest token name, symbol and logo accepted at init.
inline constexpr size_t token_max_name = 64;
inline constexpr size_t token_max_symbol = 16;
inline constexpr size_t token_max_logo = 256 * 1024;
inline constexpr uint8_t token_max_decimals = 18;

/// A token contract's state. Owned by its contract actor; O(1) to copy
/// (tries), so migrations work on a copy.
struct token_state {
  using holder_map = trie_map<principal, tokens>;
  using counter_map = trie_map<principal, uint64_t>;

  /// The ICRC-1 ledger; minting account {contract id}.
  ledger_state ledger;
  principal owner;
  std::optional<std::string> logo;
  /// Balance per principal over all its subaccounts; only those above 0.
  holder_map holders;
  /// Since 1.1.0: minted - burned never exceeds it.
  std::optional<tokens> max_supply;
  /// Since 1.2.0: blocks that touched each principal since the migration.
  std::optional<counter_map> tx_counts;

  friend bool operator==(const token_state& x, const token_state& y) {
    return x.ledger == y.ledger && x.owner == y.owner && x.logo == y.logo
           && x.holders == y.holders && x.max_supply == y.max_supply
           && x.tx_counts == y.tx_counts;
  }
  friend bool operator!=(const token_state& x, const token_state& y) {
    return !(x == y);
  }
};

/// contract_errc::invalid_argument naming the field: name 1..64 bytes,
/// symbol 1..16 of [A-Za-z0-9], decimals <= 18, initial supply <= the cap
/// of 1.1.0, logo non-empty and <= 256 KiB if given.
result<unit> validate_token_init(const token_init& init);

/// A new token at `version`: `initial_supply` minted to the owner at `now`
/// (block 0), then migrated up from 1.0.0. Fails on a bad init or version.
result<token_state>
make_token_state(const token_init& init, const principal& contract_id,
                 const principal& owner, const semver& version, timestamp now);

/// The token's versions, oldest first (see the header comment).
const version_table<token_state>& token_versions();

/// ok if `st` holds the ledger's invariants, its holder index matches the
/// balances, and it has exactly the fields of `version`.
result<unit> check_token_state(const token_state& st, const semver& version);

// -- updates: decide a request into a ledger block, then apply it -------------

/// icrc1_transfer by `caller` (the ledger's rules; to the contract's own
/// account it is a burn).
result<ledger_event> decide_transfer(const token_state& st,
                                     const principal& caller,
                                     const transfer_arg& arg, timestamp now);

/// mint by `caller`: the owner only (contract_errc::unauthorized), amount >
/// 0, not to the contract's own account (contract_errc::invalid_argument),
/// within max_supply (contract_errc::invalid_state).
result<ledger_event> decide_mint(const token_state& st, const principal& caller,
                                 const token_mint_arg& arg, timestamp now);

/// burn of the caller's tokens (the ledger's burn rules).
result<ledger_event> decide_burn(const token_state& st, const principal& caller,
                                 const token_burn_arg& arg, timestamp now);

/// What a block did to the holder index: the principals it touched and
/// their balances after it (summed over subaccounts).
struct token_change {
  ledger_op op = ledger_op::transfer;
  uint64_t block = 0;
  /// transfer, burn: the payer.
  std::optional<holder_balance> from;
  /// transfer, mint: the receiver.
  std::optional<holder_balance> to;
};

/// Applies a block made by a decide_* on this state.
token_change apply_token(token_state& st, const ledger_event& ev);

// -- queries ------------------------------------------------------------------

/// The principal's balance over all its subaccounts.
tokens holder_balance_of(const token_state& st, const principal& p);

/// The transactions counted for `p` (0 before 1.2.0).
uint64_t tx_count_of(const token_state& st, const principal& p);

/// The ledger's metadata plus icrc1:logo if set.
metadata_entries token_metadata(const token_state& st);

/// ICRC-1 only (the token has no ICRC-2 methods).
standard_records token_standards();

token_info token_info_of(const token_state& st, bool is_public);

} // namespace icto
