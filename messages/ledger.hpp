#pragma once

// The ledger that pays the fees: ICRC-1 and ICRC-2 as their standards define
// them. Errors are the standards' variants (ledger_errc; the variant's number
// in error::detail).

#include "messages/common.hpp"
#include "messages/method.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icto {

/// ICRC-1 TransferArg.
struct transfer_arg {
  std::optional<blob> from_subaccount;
  account to;
  tokens amount = 0;
  std::optional<tokens> fee;
  std::optional<blob> memo;
  std::optional<timestamp> created_at_time;
};
ICTO_FIELDS(transfer_arg, from_subaccount, to, amount, fee, memo,
            created_at_time)

/// ICRC-2 ApproveArgs.
struct approve_args {
  std::optional<blob> from_subaccount;
  account spender;
  tokens amount = 0;
  std::optional<tokens> expected_allowance;
  std::optional<timestamp> expires_at;
  std::optional<tokens> fee;
  std::optional<blob> memo;
  std::optional<timestamp> created_at_time;
};
ICTO_FIELDS(approve_args, from_subaccount, spender, amount, expected_allowance,
            expires_at, fee, memo, created_at_time)

/// ICRC-2 AllowanceArgs.
struct allowance_args {
  ::icto::account account;
  ::icto::account spender;
};
ICTO_FIELDS(allowance_args, account, spender)

/// ICRC-2 Allowance.
struct allowance {
  tokens allowance = 0;
  std::optional<timestamp> expires_at;
};
ICTO_FIELDS(allowance, allowance, expires_at)

/// ICRC-2 TransferFromArgs.
struct transfer_from_args {
  std::optional<blob> spender_subaccount;
  account from;
  account to;
  tokens amount = 0;
  std::optional<tokens> fee;
  std::optional<blob> memo;
  std::optional<timestamp> created_at_time;
};
ICTO_FIELDS(transfer_from_args, spender_subaccount, from, to, amount, fee, memo,
            created_at_time)

/// One entry of icrc1_supported_standards.
struct standard_record {
  std::string name;
  std::string url;
};
ICTO_FIELDS(standard_record, name, url)

/// A metadata entry of icrc1_metadata; values are shown as text.
struct metadata_entry {
  std::string key;
  std::string value;
};
ICTO_FIELDS(metadata_entry, key, value)

/// Totals that must balance: balances + burned = minted, always.
struct ledger_stats {
  tokens total_supply = 0;
  tokens minted = 0;
  tokens burned = 0;
  tokens fees_burned = 0;
  uint64_t accounts = 0;
  uint64_t transactions = 0;
};
ICTO_FIELDS(ledger_stats, total_supply, minted, burned, fees_burned, accounts,
            transactions)

// Argument types of the methods that take none (each method needs its own).
struct icrc1_name_arg {};
ICTO_NO_FIELDS(icrc1_name_arg)
struct icrc1_symbol_arg {};
ICTO_NO_FIELDS(icrc1_symbol_arg)
struct icrc1_decimals_arg {};
ICTO_NO_FIELDS(icrc1_decimals_arg)
struct icrc1_fee_arg {};
ICTO_NO_FIELDS(icrc1_fee_arg)
struct icrc1_metadata_arg {};
ICTO_NO_FIELDS(icrc1_metadata_arg)
struct icrc1_total_supply_arg {};
ICTO_NO_FIELDS(icrc1_total_supply_arg)
struct icrc1_minting_account_arg {};
ICTO_NO_FIELDS(icrc1_minting_account_arg)
struct icrc1_supported_standards_arg {};
ICTO_NO_FIELDS(icrc1_supported_standards_arg)
struct ledger_stats_arg {};
ICTO_NO_FIELDS(ledger_stats_arg)

using opt_account = std::optional<account>;
using standard_records = std::vector<standard_record>;
using metadata_entries = std::vector<metadata_entry>;

ICTO_METHOD(ledger, icrc1_name, query, icrc1_name_arg, result<std::string>)
ICTO_METHOD(ledger, icrc1_symbol, query, icrc1_symbol_arg, result<std::string>)
ICTO_METHOD(ledger, icrc1_decimals, query, icrc1_decimals_arg, result<uint8_t>)
ICTO_METHOD(ledger, icrc1_fee, query, icrc1_fee_arg, result<tokens>)
ICTO_METHOD(ledger, icrc1_metadata, query, icrc1_metadata_arg,
            result<metadata_entries>)
ICTO_METHOD(ledger, icrc1_total_supply, query, icrc1_total_supply_arg,
            result<tokens>)
ICTO_METHOD(ledger, icrc1_minting_account, query, icrc1_minting_account_arg,
            result<opt_account>)
ICTO_METHOD(ledger, icrc1_supported_standards, query,
            icrc1_supported_standards_arg, result<standard_records>)
ICTO_METHOD(ledger, icrc1_balance_of, query, account, result<tokens>)
/// Replies the block index.
ICTO_METHOD(ledger, icrc1_transfer, update, transfer_arg, result<uint64_t>)
/// Replies the block index.
ICTO_METHOD(ledger, icrc2_approve, update, approve_args, result<uint64_t>)
ICTO_METHOD(ledger, icrc2_allowance, query, allowance_args, result<allowance>)
/// Replies the block index.
ICTO_METHOD(ledger, icrc2_transfer_from, update, transfer_from_args,
            result<uint64_t>)
/// Not ICRC: the supply totals the load generator's invariants check.
ICTO_METHOD(ledger, getLedgerStats, query, ledger_stats_arg,
            result<ledger_stats>)

using ledger_methods = method_list<
    ledger_icrc1_name, ledger_icrc1_symbol, ledger_icrc1_decimals,
    ledger_icrc1_fee, ledger_icrc1_metadata, ledger_icrc1_total_supply,
    ledger_icrc1_minting_account, ledger_icrc1_supported_standards,
    ledger_icrc1_balance_of, ledger_icrc1_transfer, ledger_icrc2_approve,
    ledger_icrc2_allowance, ledger_icrc2_transfer_from, ledger_getLedgerStats>;

} // namespace icto
