#pragma once

// What the ledger journals: one event per block. `decide` makes an event
// from a request (all validation happens there); `apply` folds it into the
// state and never fails, so replaying a journal calls only `apply`.

#include "messages/common.hpp"

#include <cstdint>
#include <optional>

namespace icto {

/// What a block does.
enum class ledger_op : uint8_t {
  /// Tokens from the minting account to `to`; no fee.
  mint,
  /// Tokens from `from` to the minting account (by `from` itself, or by
  /// `spender` through icrc2_transfer_from); no fee.
  burn,
  /// icrc1_transfer between two ordinary accounts; `from` pays amount + fee.
  transfer,
  /// icrc2_approve: the allowance of `from` to `spender` becomes `amount`;
  /// `from` pays the fee.
  approve,
  /// icrc2_transfer_from by `spender`; `from` pays amount + fee, and the
  /// allowance shrinks by amount + fee unless `spender` is `from`.
  transfer_from,
};
ICTO_ENUM(ledger_op, mint, burn, transfer, approve, transfer_from)

/// One block of the ledger. Accounts are as the caller gave them (a missing
/// subaccount and 32 zero bytes name the same account); subaccounts are
/// exactly 32 bytes (checked by `decide`).
struct ledger_event {
  ledger_op op = ledger_op::transfer;
  /// The block index; blocks are numbered from 0 without gaps.
  uint64_t block = 0;
  /// Ledger time of the block (never behind the previous block's).
  timestamp time = 0;
  /// mint: the minting account.
  account from;
  /// approve: unused (the minting account's owner, empty).
  account to;
  /// approve: who may spend; burn / transfer_from: who spent (burn by the
  /// owner: none).
  std::optional<account> spender;
  tokens amount = 0;
  /// The fee charged (and burned): 0 for mint and burn.
  tokens fee = 0;
  std::optional<blob> memo;
  std::optional<timestamp> created_at_time;
  /// approve only.
  std::optional<tokens> expected_allowance;
  /// approve only.
  std::optional<timestamp> expires_at;
  /// SHA-256 of caller and arguments when the request carried
  /// `created_at_time` (then deduplicated), else empty.
  blob tx_hash;
};
ICTO_FIELDS(ledger_event, op, block, time, from, to, spender, amount, fee, memo,
            created_at_time, expected_allowance, expires_at, tx_hash)

} // namespace icto
