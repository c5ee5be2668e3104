// The ledger's checkpoint: Boost.Serialization of ledger_state.

#include "actors/ledger/ledger_state_serialization.hpp"
#include "tests/actors/ledger/ledger_test_util.hpp"

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/archive/text_iarchive.hpp>
#include <boost/archive/text_oarchive.hpp>
#include <gtest/gtest.h>

#include <sstream>
#include <string>

using namespace icto;
using namespace icto::ledger_test;

namespace {

template <class OArchive, class T>
std::string save(const T& x) {
  std::ostringstream out;
  {
    OArchive ar{out};
    ar << x;
  }
  return out.str();
}

template <class IArchive, class T>
T load(const std::string& bytes) {
  std::istringstream in{bytes};
  IArchive ar{in};
  T x;
  ar >> x;
  return x;
}

/// A state with everything in it: subaccounts, allowances with and without
/// expiry, live dedup entries, burns, mints and a non-default config.
ledger_state busy_state(timestamp& now) {
  auto cfg = small_config();
  cfg.initial_balances.push_back({acc(carol, sub(9)), 77});
  cfg.tx_window = std::chrono::hours{1};
  cfg.permitted_drift = std::chrono::seconds{30};
  auto st = make_ledger_state(cfg, t0).value();
  workload w{7};
  now = t0;
  for (int i = 0; i < 3'000; ++i) {
    now += static_cast<timestamp>(w.step().count()) / 8;
    auto ev = decide_any(st, w.next(now), now);
    if (ev)
      apply(st, *ev);
  }
  transfer_arg mint;
  mint.to = acc(alice);
  mint.amount = 100'000;
  apply(st, decide(st, minter, mint, now).value());
  approve_args ap;
  ap.spender = acc(bob, sub(3));
  ap.amount = 1'234;
  ap.expires_at = now + ns(5h);
  ap.created_at_time = now;
  apply(st, decide(st, alice, ap, now).value());
  return st;
}

TEST(ledger_serialization, binary_round_trip_of_a_busy_state) {
  timestamp now = 0;
  const auto st = busy_state(now);
  ASSERT_GT(st.balances.size(), 5u);
  ASSERT_GT(st.allowances.size(), 0u);
  ASSERT_GT(st.expiries.size(), 0u);
  ASSERT_GT(st.dedup.size(), 0u);
  ASSERT_GT(st.dedup_head, 0u); // some were pruned
  auto bytes = save<boost::archive::binary_oarchive>(st);
  auto copy = load<boost::archive::binary_iarchive, ledger_state>(bytes);
  EXPECT_EQ(copy, st);
  EXPECT_TRUE(check_invariants(copy));
  // The loaded state behaves as the original: same decisions, same result.
  auto orig = st;
  workload w{99};
  for (int i = 0; i < 500; ++i) {
    now += static_cast<timestamp>(w.step().count());
    auto req = w.next(now);
    auto a = decide_any(orig, req, now);
    auto b = decide_any(copy, req, now);
    ASSERT_EQ(a, b);
    if (a) {
      apply(orig, *a);
      apply(copy, *b);
    }
  }
  EXPECT_EQ(copy, orig);
}

TEST(ledger_serialization, text_round_trip) {
  timestamp now = 0;
  const auto st = busy_state(now);
  auto text = save<boost::archive::text_oarchive>(st);
  EXPECT_EQ((load<boost::archive::text_iarchive, ledger_state>(text)), st);
}

TEST(ledger_serialization, genesis_round_trip) {
  auto st = make_ledger_state(small_config(), t0).value();
  auto bytes = save<boost::archive::binary_oarchive>(st);
  EXPECT_EQ((load<boost::archive::binary_iarchive, ledger_state>(bytes)), st);
}

TEST(ledger_serialization, inconsistent_totals_are_refused) {
  auto st = make_ledger_state(small_config(), t0).value();
  st.minted += 1;
  auto bytes = save<boost::archive::binary_oarchive>(st);
  try {
    load<boost::archive::binary_iarchive, ledger_state>(bytes);
    ADD_FAILURE() << "loaded a ledger whose supply does not add up";
  } catch (const boost::archive::archive_exception& e) {
    EXPECT_EQ(e.code, boost::archive::archive_exception::input_stream_error);
  }
}

TEST(ledger_serialization, truncated_archive_is_refused) {
  timestamp now = 0;
  auto bytes = save<boost::archive::binary_oarchive>(busy_state(now));
  bytes.resize(bytes.size() / 2);
  EXPECT_THROW((load<boost::archive::binary_iarchive, ledger_state>(bytes)),
               boost::archive::archive_exception);
}

} // namespace
