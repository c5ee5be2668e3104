#pragma once

#include "messages/common.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace icto {

/// An account and the tokens it holds at genesis.
struct initial_balance {
  ::icto::account account;
  tokens amount = 0;

  friend bool operator==(const initial_balance& x, const initial_balance& y) {
    return x.account == y.account && x.amount == y.amount;
  }
  friend bool operator!=(const initial_balance& x, const initial_balance& y) {
    return !(x == y);
  }
};

/// What a ledger is made with: its token, its fee, its minting account, its
/// genesis balances and its deduplication window (ICRC-1 TX_WINDOW and
/// PERMITTED_DRIFT). Read by the node from the topology; kept in the ledger's
/// state (and checkpoint) from then on.
struct ledger_config {
  std::string name = "Internet Computer";
  std::string symbol = "ICP";
  uint8_t decimals = 8;
  /// The transfer and approval fee, burned.
  tokens fee = 10'000;
  /// Transfers from it mint, transfers to it burn. Holds no balance.
  account minting_account;
  /// Minted at genesis, one block each, in this order.
  std::vector<initial_balance> initial_balances;
  /// How long a transaction with `created_at_time` is deduplicated.
  std::chrono::nanoseconds tx_window = std::chrono::hours{24};
  /// How far ahead of the ledger's clock `created_at_time` may be.
  std::chrono::nanoseconds permitted_drift = std::chrono::minutes{2};

  friend bool operator==(const ledger_config& x, const ledger_config& y) {
    return x.name == y.name && x.symbol == y.symbol && x.decimals == y.decimals
           && x.fee == y.fee && x.minting_account == y.minting_account
           && x.initial_balances == y.initial_balances
           && x.tx_window == y.tx_window
           && x.permitted_drift == y.permitted_drift;
  }
  friend bool operator!=(const ledger_config& x, const ledger_config& y) {
    return !(x == y);
  }
};

/// Checks a config before a ledger is made from it: subaccounts of 32 bytes,
/// no genesis balance for the minting account, a total supply that fits in
/// 64 bits, non-negative windows. Errors name the offending field.
result<unit> validate(const ledger_config& cfg);

} // namespace icto
