#pragma once

// Shared by the storage tests: principals, callers and sample events and
// records. No actors here.

#include "actors/audit/storage_common.hpp"
#include "messages/audit.hpp"
#include "messages/invoice.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace icto::storage_test {

/// 2026-01-01T00:00:00Z.
constexpr timestamp t0 = 1'767'225'600'000'000'000ull;
constexpr timestamp sec = 1'000'000'000ull;

/// A user principal: self-authenticating, from a key made of `n`.
inline principal user(uint8_t n) {
  uint8_t key[32] = {};
  key[0] = n;
  key[31] = 0x55;
  return principal::self_authenticating(key);
}

inline const principal alice = user(1);
inline const principal bob = user(2);
inline const principal carol = user(3);
inline const principal admin = user(9);
inline const principal backend = principal::canister_id(1);
inline const principal token_factory = principal::canister_id(4);
inline const principal stranger_service = principal::canister_id(77);

/// A service actor's caller (not through an ingress).
inline storage_caller service(const principal& p, bool controller = false) {
  return storage_caller{p, controller, false};
}

/// A user's caller, through an ingress.
inline storage_caller via_ingress(const principal& p, bool controller = false) {
  return storage_caller{p, controller, true};
}

/// Checks that `r` failed with `code` and that its text contains `needle`.
template <class T, class Errc>
::testing::AssertionResult
fails_with(const result<T>& r, Errc code, const std::string& needle = {}) {
  if (r.ok())
    return ::testing::AssertionFailure()
           << "succeeded, expected " << to_string(code);
  if (!is(r.err(), code))
    return ::testing::AssertionFailure()
           << "got " << r.err().to_string() << ", expected " << to_string(code);
  if (r.err().message.find(needle) == std::string::npos)
    return ::testing::AssertionFailure() << "message \"" << r.err().message
                                         << "\" lacks \"" << needle << "\"";
  return ::testing::AssertionSuccess();
}

inline audit_event event(const principal& who, action_type a,
                         action_status s = action_status::completed,
                         std::string request_id = {}) {
  audit_event ev;
  ev.user = who;
  ev.action = a;
  ev.status = s;
  ev.service = service_id::token_factory;
  if (!request_id.empty())
    ev.request_id = request_id;
  ev.message = "test event";
  ev.time = t0;
  return ev;
}

/// A pending payment of `amount` by `who`, paid in ledger block `id * 10`.
inline payment_record payment(uint64_t id, const principal& who,
                              tokens amount = 100'000'000) {
  payment_record r;
  r.id = id;
  r.user = who;
  r.service = service_id::token_factory;
  r.amount = amount;
  r.fee = 10'000;
  r.block_index = id * 10;
  r.status = payment_status::pending;
  r.request_id = "req-" + std::to_string(id);
  return r;
}

} // namespace icto::storage_test
