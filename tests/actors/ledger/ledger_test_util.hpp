#pragma once

// Shared by the ledger tests: a small ledger, its users and a random
// workload of ICRC-1 / ICRC-2 requests. No CAF here.

#include "actors/ledger/ledger_state.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

namespace icto::ledger_test {

using namespace std::chrono_literals;

/// 2026-01-01T00:00:00Z.
constexpr timestamp t0 = 1'767'225'600'000'000'000ull;
constexpr tokens fee = 10'000;

inline timestamp ns(std::chrono::nanoseconds d) {
  return static_cast<timestamp>(d.count());
}

/// A user principal: self-authenticating, from a key made of `n`.
inline principal user(uint8_t n) {
  uint8_t key[32] = {};
  key[0] = n;
  key[31] = 0x55;
  return principal::self_authenticating(key);
}

inline blob sub(uint8_t n) {
  blob out(32, 0);
  out[31] = n;
  return out;
}

inline account acc(const principal& p, std::optional<blob> s = std::nullopt) {
  return account{p, std::move(s)};
}

inline const principal alice = user(1);
inline const principal bob = user(2);
inline const principal carol = user(3);
inline const principal minter = principal::canister_id(42);

/// alice 1'000'000, bob 500'000; minting account `minter`.
inline ledger_config small_config() {
  ledger_config cfg;
  cfg.name = "Test Token";
  cfg.symbol = "TT";
  cfg.decimals = 8;
  cfg.fee = fee;
  cfg.minting_account = acc(minter);
  cfg.initial_balances = {{acc(alice), 1'000'000}, {acc(bob), 500'000}};
  return cfg;
}

/// Checks that `r` is the ledger error `code` with `detail`.
template <class T>
::testing::AssertionResult
is_ledger_error(const result<T>& r, ledger_errc code, uint64_t detail = 0) {
  if (r.ok())
    return ::testing::AssertionFailure()
           << "succeeded, expected " << to_string(code);
  if (!is(r.err(), code) || r.err().detail != detail)
    return ::testing::AssertionFailure()
           << "got " << r.err().to_string() << " (detail " << r.err().detail
           << "), expected " << to_string(code) << " (detail " << detail << ")";
  return ::testing::AssertionSuccess();
}

using any_request
    = std::variant<transfer_arg, approve_args, transfer_from_args>;

struct signed_request {
  principal caller;
  any_request req;
};

/// Random requests over a few principals and subaccounts, the minting
/// account included; about a third carry `created_at_time` and some repeat
/// an earlier request verbatim (duplicates).
class workload {
 public:
  explicit workload(uint64_t seed) : rng_(seed) {
    for (uint8_t i = 1; i <= 6; ++i)
      users_.push_back(user(i));
  }

  signed_request next(timestamp now) {
    if (!past_.empty() && pick(10) == 0)
      return past_[pick(past_.size())];
    signed_request out;
    out.caller = pick(12) == 0 ? minter : users_[pick(users_.size())];
    switch (pick(10)) {
    case 0:
    case 1:
    case 2:
    case 3: {
      transfer_arg a;
      a.from_subaccount = maybe_sub();
      a.to = pick(15) == 0 ? acc(minter) : some_account();
      a.amount = amount();
      a.fee = maybe_fee();
      a.memo = maybe_memo();
      a.created_at_time = maybe_time(now);
      out.req = a;
      break;
    }
    case 4:
    case 5: {
      approve_args a;
      a.from_subaccount = maybe_sub();
      a.spender = some_account();
      a.amount = amount() * 3;
      if (pick(4) == 0)
        a.expected_allowance = pick(3) == 0 ? 0 : amount();
      if (pick(3) == 0)
        a.expires_at = now + pick(3) * ns(1h) + pick(ns(2h));
      a.fee = maybe_fee();
      a.memo = maybe_memo();
      a.created_at_time = maybe_time(now);
      out.req = a;
      break;
    }
    default: {
      transfer_from_args a;
      a.spender_subaccount = maybe_sub();
      a.from = some_account();
      a.to = pick(15) == 0 ? acc(minter) : some_account();
      a.amount = amount();
      a.fee = maybe_fee();
      a.memo = maybe_memo();
      a.created_at_time = maybe_time(now);
      out.req = a;
      break;
    }
    }
    past_.push_back(out);
    if (past_.size() > 64)
      past_.erase(past_.begin());
    return out;
  }

  /// How far the clock moves before the next request.
  std::chrono::nanoseconds step() {
    if (pick(500) == 0)
      return 25h;
    return std::chrono::nanoseconds{static_cast<int64_t>(pick(ns(3min)))};
  }

  uint64_t pick(uint64_t n) {
    return std::uniform_int_distribution<uint64_t>{0, n - 1}(rng_);
  }

 private:
  std::optional<blob> maybe_sub() {
    switch (pick(6)) {
    case 0: return sub(1);
    case 1: return blob(32, 0);
    default: return std::nullopt;
    }
  }

  account some_account() {
    return acc(users_[pick(users_.size())], maybe_sub());
  }

  tokens amount() {
    switch (pick(8)) {
    case 0: return 0;
    case 1: return fee - 1;
    case 2: return 1'000'000 + pick(1'000'000);
    default: return pick(60'000);
    }
  }

  std::optional<tokens> maybe_fee() {
    switch (pick(8)) {
    case 0: return fee;
    case 1: return 0;
    case 2: return fee + 1;
    default: return std::nullopt;
    }
  }

  std::optional<blob> maybe_memo() {
    if (pick(4) != 0)
      return std::nullopt;
    return blob(pick(34), static_cast<uint8_t>(pick(256)));
  }

  std::optional<timestamp> maybe_time(timestamp now) {
    switch (pick(9)) {
    case 0: return now;
    case 1: return now - pick(ns(2h));
    case 2: return now + pick(ns(3min));
    default: return std::nullopt;
    }
  }

  std::mt19937_64 rng_;
  std::vector<principal> users_;
  std::vector<signed_request> past_;
};

inline result<ledger_event> decide_any(const ledger_state& st,
                                       const signed_request& r, timestamp now) {
  return std::visit(
      [&](const auto& req) {
        return decide(st, r.caller, req, now);
      },
      r.req);
}

} // namespace icto::ledger_test
