#pragma once

// The init arguments of the five contract kinds: what a user gives the
// backend's create* methods and the backend passes on to the kind's factory.
// Shared by messages/backend.hpp and messages/contracts/*.

#include "messages/common.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icto {

/// Init arguments of a token contract (an ICRC-1 ledger); the creator holds
/// the initial supply.
struct token_init {
  std::string name;
  std::string symbol;
  uint8_t decimals = 8;
  /// The token's own transfer fee.
  tokens fee = 0;
  tokens initial_supply = 0;
  /// A URL or a data URI.
  std::optional<std::string> logo;
  bool is_public = false;
};
ICTO_FIELDS(token_init, name, symbol, decimals, fee, initial_supply, logo,
            is_public)

/// Init arguments of a multisig wallet; observers see but do not sign.
struct multisig_init {
  std::string name;
  std::vector<principal> signers;
  /// Approvals a proposal needs: 1 <= threshold <= signers.
  uint32_t threshold = 0;
  std::vector<principal> observers;
  bool is_public = false;
};
ICTO_FIELDS(multisig_init, name, signers, threshold, observers, is_public)

/// One recipient of a distribution and the amount it vests.
struct distribution_recipient {
  principal recipient;
  tokens amount = 0;
};
ICTO_FIELDS(distribution_recipient, recipient, amount)

/// Init arguments of a distribution: linear vesting after a cliff, counted
/// from `start_time`.
struct distribution_init {
  std::string name;
  /// The token contract (or ledger) whose tokens are distributed.
  principal token;
  std::vector<distribution_recipient> recipients;
  timestamp start_time = 0;
  uint64_t cliff_seconds = 0;
  uint64_t vesting_seconds = 0;
  bool is_public = false;
};
ICTO_FIELDS(distribution_init, name, token, recipients, start_time,
            cliff_seconds, vesting_seconds, is_public)

/// One member of a DAO and its voting power.
struct dao_member {
  principal member;
  uint64_t voting_power = 0;
};
ICTO_FIELDS(dao_member, member, voting_power)

/// Init arguments of a DAO; quorum and approval in basis points of the
/// total voting power and of the votes cast.
struct dao_init {
  std::string name;
  std::vector<dao_member> members;
  uint32_t quorum_bps = 0;
  uint32_t approval_threshold_bps = 0;
  uint64_t voting_period_seconds = 0;
  bool is_public = false;
};
ICTO_FIELDS(dao_init, name, members, quorum_bps, approval_threshold_bps,
            voting_period_seconds, is_public)

/// Init arguments of a launchpad: a sale of `sale_token` for the ledger's
/// token between `start_time` and `end_time`.
struct launchpad_init {
  std::string name;
  principal sale_token;
  /// Ledger e8s per whole sale token.
  tokens price_e8s = 0;
  tokens soft_cap = 0;
  tokens hard_cap = 0;
  tokens min_contribution = 0;
  tokens max_contribution = 0;
  timestamp start_time = 0;
  timestamp end_time = 0;
  bool is_public = false;
};
ICTO_FIELDS(launchpad_init, name, sale_token, price_e8s, soft_cap, hard_cap,
            min_contribution, max_contribution, start_time, end_time, is_public)

} // namespace icto
