#pragma once

// Shared by the contract tests: principals and times. No CAF here.

#include "messages/common.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace icto::contract_test {

/// 2026-01-01T00:00:00Z (the actor fixture's start time).
constexpr timestamp t0 = 1'767'225'600'000'000'000ull;

inline timestamp ns(std::chrono::nanoseconds d) {
  return static_cast<timestamp>(d.count());
}

/// A user principal: self-authenticating, from a key made of `n`.
inline principal user_n(uint8_t n) {
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

inline const principal owner = user_n(1);
inline const principal alice = user_n(2);
inline const principal bob = user_n(3);
inline const principal carol = user_n(4);
inline const principal stranger = user_n(9);
inline const principal contract_id = principal::canister_id(1000);
inline const principal factory_id = principal::canister_id(7);
inline const principal ledger_id = principal::canister_id(2);

} // namespace icto::contract_test
