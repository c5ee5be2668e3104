#pragma once

// A token contract: an ICRC-1 token whose owner may mint, with burn. The
// ICRC-1 methods take the ledger's types (messages/ledger.hpp) and reply its
// errors (ledger_errc); mint, burn and getTokenInfo are the token's own.
// Every change of a holder's balance calls the factory back (notifyTransfer,
// notifyMint, notifyBurn).

#include "messages/common.hpp"
#include "messages/contracts/contract.hpp"
#include "messages/ledger.hpp"
#include "messages/method.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace icto {

/// Argument of mint: new tokens for `to`, with no fee.
struct token_mint_arg {
  account to;
  tokens amount = 0;
  std::optional<blob> memo;
};
ICTO_FIELDS(token_mint_arg, to, amount, memo)

/// Argument of burn: destroys `amount` of the caller's tokens, with no fee.
struct token_burn_arg {
  std::optional<blob> from_subaccount;
  tokens amount = 0;
  std::optional<blob> memo;
};
ICTO_FIELDS(token_burn_arg, from_subaccount, amount, memo)

/// A token's settings and totals (getTokenInfo).
struct token_info {
  std::string name;
  std::string symbol;
  uint8_t decimals = 8;
  tokens fee = 0;
  tokens total_supply = 0;
  tokens minted = 0;
  tokens burned = 0;
  /// Principals with a balance above 0.
  uint64_t holders = 0;
  uint64_t transactions = 0;
  principal owner;
  std::optional<std::string> logo;
  bool is_public = false;
};
ICTO_FIELDS(token_info, name, symbol, decimals, fee, total_supply, minted,
            burned, holders, transactions, owner, logo, is_public)

/// Argument of getTokenInfo.
struct token_info_arg {};
ICTO_NO_FIELDS(token_info_arg)

/// The token's name; anyone.
ICTO_METHOD(token, icrc1_name, query, icrc1_name_arg, result<std::string>)
/// The token's symbol; anyone.
ICTO_METHOD(token, icrc1_symbol, query, icrc1_symbol_arg, result<std::string>)
/// The token's decimals; anyone.
ICTO_METHOD(token, icrc1_decimals, query, icrc1_decimals_arg, result<uint8_t>)
/// The token's transfer fee; anyone.
ICTO_METHOD(token, icrc1_fee, query, icrc1_fee_arg, result<tokens>)
/// ICRC-1 metadata (icrc1:name, icrc1:symbol, ..., icrc1:logo); anyone.
ICTO_METHOD(token, icrc1_metadata, query, icrc1_metadata_arg,
            result<metadata_entries>)
/// Minted minus burned (fees are burned); anyone.
ICTO_METHOD(token, icrc1_total_supply, query, icrc1_total_supply_arg,
            result<tokens>)
/// The standards it implements (ICRC-1); anyone.
ICTO_METHOD(token, icrc1_supported_standards, query,
            icrc1_supported_standards_arg, result<standard_records>)
/// An account's balance; anyone.
ICTO_METHOD(token, icrc1_balance_of, query, account, result<tokens>)
/// ICRC-1 transfer from the caller's account; replies the block index.
ICTO_METHOD(token, icrc1_transfer, update, transfer_arg, result<uint64_t>)
/// Mints to an account; the owner. Replies the block index.
ICTO_METHOD(token, mint, update, token_mint_arg, result<uint64_t>)
/// Burns the caller's tokens; any holder. Replies the block index.
ICTO_METHOD(token, burn, update, token_burn_arg, result<uint64_t>)
/// Settings, supply and holder count; anyone.
ICTO_METHOD(token, getTokenInfo, query, token_info_arg, result<token_info>)

using token_contract_methods = concat_methods<
    contract_common_methods,
    method_list<token_icrc1_name, token_icrc1_symbol, token_icrc1_decimals,
                token_icrc1_fee, token_icrc1_metadata, token_icrc1_total_supply,
                token_icrc1_supported_standards, token_icrc1_balance_of,
                token_icrc1_transfer, token_mint, token_burn,
                token_getTokenInfo>>::type;

} // namespace icto
