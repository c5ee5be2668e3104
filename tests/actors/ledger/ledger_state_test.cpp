// The ledger's rules as pure functions: decide / apply against ICRC-1 and
// ICRC-2, one test per rule and per error variant, then a randomized run.
//
// TemporarilyUnavailable has no test of its own: this ledger has no state in
// which it refuses for a while (no archive, no upgrade window), so no rule
// produces it; the randomized run checks that no request ever gets it.

#include "actors/ledger/ledger_state.hpp"
#include "tests/actors/ledger/ledger_test_util.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <string>
#include <vector>

using namespace icto;
using namespace icto::ledger_test;

namespace {

class ledger_rules : public ::testing::Test {
 protected:
  ledger_rules() : st(make_ledger_state(small_config(), t0).value()) {}

  /// decide, then apply on success; checks the invariants and that a
  /// refusal changes nothing.
  template <class Request>
  result<uint64_t> run(const principal& who, const Request& req) {
    const auto before = st;
    auto ev = decide(st, who, req, now);
    if (!ev) {
      EXPECT_EQ(st, before);
      return ev.err();
    }
    apply(st, *ev);
    EXPECT_TRUE(check_invariants(st));
    return ev->block;
  }

  tokens bal(const principal& p, std::optional<blob> s = std::nullopt) {
    return balance_of(st, acc(p, std::move(s))).value();
  }

  tokens allowed(const account& from, const account& spender) {
    return allowance_of(st, {from, spender}, now).value().allowance;
  }

  static transfer_arg pay(account to, tokens amount) {
    transfer_arg a;
    a.to = std::move(to);
    a.amount = amount;
    return a;
  }

  static approve_args approve(account spender, tokens amount) {
    approve_args a;
    a.spender = std::move(spender);
    a.amount = amount;
    return a;
  }

  static transfer_from_args spend(account from, account to, tokens amount) {
    transfer_from_args a;
    a.from = std::move(from);
    a.to = std::move(to);
    a.amount = amount;
    return a;
  }

  ledger_state st;
  timestamp now = t0;
};

// -- genesis and ICRC-1 transfers -------------------------------------------

TEST_F(ledger_rules, genesis_mints_initial_balances_as_blocks) {
  EXPECT_EQ(bal(alice), 1'000'000u);
  EXPECT_EQ(bal(bob), 500'000u);
  EXPECT_EQ(bal(minter), 0u);
  auto s = stats_of(st);
  EXPECT_EQ(s.minted, 1'500'000u);
  EXPECT_EQ(s.total_supply, 1'500'000u);
  EXPECT_EQ(s.burned, 0u);
  EXPECT_EQ(s.accounts, 2u);
  EXPECT_EQ(s.transactions, 2u);
  EXPECT_TRUE(check_invariants(st));
}

TEST_F(ledger_rules, bad_configs_are_refused) {
  auto cfg = small_config();
  cfg.initial_balances.push_back({acc(minter), 1});
  EXPECT_TRUE(is_ledger_error(make_ledger_state(cfg, t0),
                              ledger_errc::generic_error, uint64_t{2}));
  cfg = small_config();
  cfg.initial_balances.push_back(
      {acc(carol), std::numeric_limits<tokens>::max()});
  EXPECT_TRUE(is_ledger_error(make_ledger_state(cfg, t0),
                              ledger_errc::generic_error, uint64_t{3}));
  cfg = small_config();
  cfg.initial_balances[0].account.subaccount = blob(31, 1);
  auto r = make_ledger_state(cfg, t0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.err().message.find("initial_balances[0].account.subaccount"),
            std::string::npos);
}

TEST_F(ledger_rules, transfer_moves_amount_and_burns_fee) {
  auto r = run(alice, pay(acc(carol), 100'000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2u);
  EXPECT_EQ(bal(alice), 1'000'000u - 100'000u - fee);
  EXPECT_EQ(bal(carol), 100'000u);
  auto s = stats_of(st);
  EXPECT_EQ(s.burned, fee);
  EXPECT_EQ(s.fees_burned, fee);
  EXPECT_EQ(s.total_supply, 1'500'000u - fee);
  EXPECT_EQ(s.accounts, 3u);
  // Block indexes are sequential.
  EXPECT_EQ(run(bob, pay(acc(carol), 1)).value(), 3u);
}

TEST_F(ledger_rules, transfer_with_the_ledger_fee_given_is_accepted) {
  auto a = pay(acc(carol), 5);
  a.fee = fee;
  EXPECT_TRUE(run(alice, a).ok());
}

TEST_F(ledger_rules, bad_fee) {
  auto a = pay(acc(carol), 5);
  a.fee = fee - 1;
  EXPECT_TRUE(is_ledger_error(run(alice, a), ledger_errc::bad_fee, fee));
  a.fee = 0;
  EXPECT_TRUE(is_ledger_error(run(alice, a), ledger_errc::bad_fee, fee));
}

TEST_F(ledger_rules, insufficient_funds) {
  // The fee counts: the whole balance cannot be sent.
  EXPECT_TRUE(is_ledger_error(run(alice, pay(acc(carol), 1'000'000)),
                              ledger_errc::insufficient_funds, 1'000'000));
  EXPECT_TRUE(run(alice, pay(acc(carol), 1'000'000 - fee)).ok());
  EXPECT_EQ(bal(alice), 0u);
  EXPECT_TRUE(is_ledger_error(run(alice, pay(acc(carol), 0)),
                              ledger_errc::insufficient_funds, 0));
}

TEST_F(ledger_rules, zero_transfer_pays_the_fee) {
  ASSERT_TRUE(run(alice, pay(acc(carol), 0)).ok());
  EXPECT_EQ(bal(alice), 1'000'000u - fee);
  EXPECT_EQ(bal(carol), 0u);
  EXPECT_EQ(stats_of(st).accounts, 2u);
}

TEST_F(ledger_rules, self_transfer_costs_only_the_fee) {
  ASSERT_TRUE(run(alice, pay(acc(alice), 400)).ok());
  EXPECT_EQ(bal(alice), 1'000'000u - fee);
}

// -- the minting account ------------------------------------------------------

TEST_F(ledger_rules, transfer_from_minting_account_mints_without_fee) {
  auto r = run(minter, pay(acc(carol), 70'000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(bal(carol), 70'000u);
  EXPECT_EQ(stats_of(st).minted, 1'570'000u);
  EXPECT_EQ(stats_of(st).burned, 0u);
  auto a = pay(acc(carol), 1);
  a.fee = 0;
  EXPECT_TRUE(run(minter, a).ok());
  a.fee = fee;
  EXPECT_TRUE(is_ledger_error(run(minter, a), ledger_errc::bad_fee, 0));
  // The zero subaccount is the minting account too.
  transfer_arg b = pay(acc(carol), 2);
  b.from_subaccount = blob(32, 0);
  EXPECT_TRUE(run(minter, b).ok());
  EXPECT_EQ(bal(carol), 70'003u);
  EXPECT_EQ(bal(minter), 0u);
}

TEST_F(ledger_rules, mint_overflow_is_generic_error) {
  const auto room = std::numeric_limits<tokens>::max() - 1'500'000;
  EXPECT_TRUE(is_ledger_error(run(minter, pay(acc(carol), room + 1)),
                              ledger_errc::generic_error, 3));
  EXPECT_TRUE(run(minter, pay(acc(carol), room)).ok());
  EXPECT_EQ(stats_of(st).minted, std::numeric_limits<tokens>::max());
  EXPECT_TRUE(is_ledger_error(run(minter, pay(acc(carol), 1)),
                              ledger_errc::generic_error, 3));
}

TEST_F(ledger_rules, transfer_to_minting_account_burns_without_fee) {
  ASSERT_TRUE(run(alice, pay(acc(minter), 20'000)).ok());
  EXPECT_EQ(bal(alice), 980'000u);
  auto s = stats_of(st);
  EXPECT_EQ(s.burned, 20'000u);
  EXPECT_EQ(s.fees_burned, 0u);
  EXPECT_EQ(s.total_supply, 1'480'000u);
  EXPECT_EQ(bal(minter), 0u);
}

TEST_F(ledger_rules, bad_burn) {
  EXPECT_TRUE(is_ledger_error(run(alice, pay(acc(minter), fee - 1)),
                              ledger_errc::bad_burn, fee));
  EXPECT_TRUE(is_ledger_error(run(alice, pay(acc(minter), 0)),
                              ledger_errc::bad_burn, fee));
  auto a = pay(acc(minter), fee);
  a.fee = fee;
  EXPECT_TRUE(is_ledger_error(run(alice, a), ledger_errc::bad_fee, 0));
  EXPECT_TRUE(run(alice, pay(acc(minter), fee)).ok());
}

TEST_F(ledger_rules, dust_below_the_fee_can_be_burned) {
  ASSERT_TRUE(run(alice, pay(acc(carol), 300)).ok());
  EXPECT_TRUE(is_ledger_error(run(carol, pay(acc(minter), 299)),
                              ledger_errc::bad_burn, 300));
  EXPECT_TRUE(run(carol, pay(acc(minter), 300)).ok());
  EXPECT_EQ(bal(carol), 0u);
}

TEST_F(ledger_rules, burn_beyond_balance_is_insufficient_funds) {
  EXPECT_TRUE(is_ledger_error(run(bob, pay(acc(minter), 500'001)),
                              ledger_errc::insufficient_funds, 500'000));
}

// -- argument shapes and callers ---------------------------------------------

TEST_F(ledger_rules, subaccounts_are_separate_and_zero_is_default) {
  ASSERT_TRUE(run(alice, pay(acc(bob, sub(7)), 20'000)).ok());
  EXPECT_EQ(bal(bob, sub(7)), 20'000u);
  EXPECT_EQ(bal(bob), 500'000u);
  EXPECT_EQ(bal(bob, blob(32, 0)), 500'000u);
  transfer_arg a = pay(acc(carol), 10);
  a.from_subaccount = sub(7);
  ASSERT_TRUE(run(bob, a).ok());
  EXPECT_EQ(bal(bob, sub(7)), 20'000u - 10 - fee);
  EXPECT_EQ(bal(bob), 500'000u);
}

TEST_F(ledger_rules, subaccount_of_wrong_length_is_generic_error_naming_field) {
  auto expect_field = [](const auto& r, const std::string& field) {
    ASSERT_TRUE(is_ledger_error(r, ledger_errc::generic_error, 2));
    EXPECT_NE(r.err().message.find(field), std::string::npos)
        << r.err().message;
  };
  transfer_arg a = pay(acc(carol), 1);
  a.from_subaccount = blob(31, 0);
  expect_field(run(alice, a), "from_subaccount");
  a = pay(acc(carol, blob(33, 0)), 1);
  expect_field(run(alice, a), "to.subaccount");
  approve_args ap = approve(acc(bob, blob(1, 0)), 1);
  expect_field(run(alice, ap), "spender.subaccount");
  transfer_from_args tf = spend(acc(alice, blob()), acc(carol), 1);
  expect_field(run(bob, tf), "from.subaccount");
  tf = spend(acc(alice), acc(carol), 1);
  tf.spender_subaccount = blob(64, 0);
  expect_field(run(bob, tf), "spender_subaccount");
  expect_field(balance_of(st, acc(alice, blob(5, 0))), "subaccount");
  expect_field(allowance_of(st, {acc(alice), acc(bob, blob(2, 0))}, now),
               "spender.subaccount");
}

TEST_F(ledger_rules, memo_is_at_most_32_bytes) {
  auto a = pay(acc(carol), 1);
  a.memo = blob(32, 0xab);
  EXPECT_TRUE(run(alice, a).ok());
  a.memo = blob(33, 0xab);
  auto r = run(alice, a);
  ASSERT_TRUE(is_ledger_error(r, ledger_errc::generic_error, 2));
  EXPECT_NE(r.err().message.find("memo"), std::string::npos);
}

TEST_F(ledger_rules, anonymous_may_not_transfer_approve_or_spend) {
  const auto anon = principal::anonymous();
  ASSERT_TRUE(run(minter, pay(acc(anon), 50'000)).ok());
  EXPECT_TRUE(is_ledger_error(run(anon, pay(acc(carol), 1)),
                              ledger_errc::generic_error, 1));
  EXPECT_TRUE(is_ledger_error(run(anon, approve(acc(carol), 1)),
                              ledger_errc::generic_error, 1));
  EXPECT_TRUE(is_ledger_error(run(anon, spend(acc(alice), acc(carol), 1)),
                              ledger_errc::generic_error, 1));
  EXPECT_EQ(bal(anon), 50'000u);
}

TEST_F(ledger_rules, amount_plus_fee_overflow_is_generic_error) {
  const auto max = std::numeric_limits<tokens>::max();
  EXPECT_TRUE(is_ledger_error(run(alice, pay(acc(carol), max)),
                              ledger_errc::generic_error, 3));
  EXPECT_TRUE(is_ledger_error(run(bob, spend(acc(alice), acc(carol), max)),
                              ledger_errc::generic_error, 3));
  // The largest amount whose sum with the fee fits is merely unaffordable.
  EXPECT_TRUE(is_ledger_error(run(alice, pay(acc(carol), max - fee)),
                              ledger_errc::insufficient_funds, 1'000'000));
}

// -- deduplication
// ---------------------------------------------------------------

TEST_F(ledger_rules, duplicate_changes_nothing_and_names_the_block) {
  auto a = pay(acc(carol), 1'000);
  a.created_at_time = now;
  a.memo = blob{1, 2, 3};
  auto first = run(alice, a);
  ASSERT_TRUE(first.ok());
  const auto after_first = st;
  now += ns(10s);
  EXPECT_TRUE(is_ledger_error(run(alice, a), ledger_errc::duplicate, *first));
  EXPECT_EQ(st, after_first);
  EXPECT_EQ(bal(carol), 1'000u);
  // Any other argument, or another caller, makes another transaction.
  auto b = a;
  b.memo = blob{1, 2, 4};
  EXPECT_TRUE(run(alice, b).ok());
  b = a;
  b.fee = fee;
  EXPECT_TRUE(run(alice, b).ok());
  b = a;
  b.created_at_time = *a.created_at_time + 1;
  EXPECT_TRUE(run(alice, b).ok());
  EXPECT_TRUE(run(bob, a).ok());
  // The zero subaccount and none name the same account: same transaction.
  b = a;
  b.from_subaccount = blob(32, 0);
  EXPECT_TRUE(is_ledger_error(run(alice, b), ledger_errc::duplicate, *first));
  EXPECT_EQ(bal(carol), 5'000u);
}

TEST_F(ledger_rules, without_created_at_time_nothing_is_deduplicated) {
  auto a = pay(acc(carol), 1'000);
  EXPECT_EQ(run(alice, a).value(), 2u);
  EXPECT_EQ(run(alice, a).value(), 3u);
  EXPECT_EQ(bal(carol), 2'000u);
  EXPECT_EQ(st.dedup.size(), 0u);
}

TEST_F(ledger_rules, approve_and_transfer_from_are_deduplicated_too) {
  auto ap = approve(acc(bob), 100'000);
  ap.created_at_time = now;
  auto b1 = run(alice, ap);
  ASSERT_TRUE(b1.ok());
  EXPECT_TRUE(is_ledger_error(run(alice, ap), ledger_errc::duplicate, *b1));
  auto tf = spend(acc(alice), acc(carol), 1'000);
  tf.created_at_time = now;
  auto b2 = run(bob, tf);
  ASSERT_TRUE(b2.ok());
  EXPECT_TRUE(is_ledger_error(run(bob, tf), ledger_errc::duplicate, *b2));
  EXPECT_EQ(bal(carol), 1'000u);
  EXPECT_EQ(allowed(acc(alice), acc(bob)), 100'000u - 1'000u - fee);
}

TEST_F(ledger_rules, too_old) {
  const auto window = ns(24h) + ns(2min);
  auto a = pay(acc(carol), 1);
  a.created_at_time = now - window - 1;
  EXPECT_TRUE(is_ledger_error(run(alice, a), ledger_errc::too_old));
  a.created_at_time = now - window;
  EXPECT_TRUE(run(alice, a).ok());
}

TEST_F(ledger_rules, created_in_future) {
  auto a = pay(acc(carol), 1);
  a.created_at_time = now + ns(2min) + 1;
  EXPECT_TRUE(
      is_ledger_error(run(alice, a), ledger_errc::created_in_future, now));
  a.created_at_time = now + ns(2min);
  EXPECT_TRUE(run(alice, a).ok());
}

TEST_F(ledger_rules, dedup_window_slides_duplicate_then_too_old) {
  auto a = pay(acc(carol), 1'000);
  a.created_at_time = now;
  const auto block = run(alice, a).value();
  // Last instant of the window: still a duplicate.
  now = t0 + ns(24h) + ns(2min);
  EXPECT_TRUE(is_ledger_error(run(alice, a), ledger_errc::duplicate, block));
  // One nanosecond later the standard calls it TooOld, not new.
  now += 1;
  EXPECT_TRUE(is_ledger_error(run(alice, a), ledger_errc::too_old));
  EXPECT_EQ(bal(carol), 1'000u);
  // A fresh transaction with the same fields but a new time is accepted.
  a.created_at_time = now;
  EXPECT_TRUE(run(alice, a).ok());
  EXPECT_EQ(bal(carol), 2'000u);
}

TEST_F(ledger_rules, dedup_index_is_pruned_as_time_passes) {
  // Alice pays 1 + fee each time: 50 transfers fit in her balance.
  for (int i = 0; i < 50; ++i) {
    auto a = pay(acc(carol), 1);
    a.created_at_time = now;
    ASSERT_TRUE(run(alice, a).ok());
    now += ns(1min);
  }
  EXPECT_EQ(st.dedup.size(), 50u);
  EXPECT_EQ(st.dedup_fifo.size(), 50u);
  // Two windows later one more transaction prunes everything before it.
  now += ns(48h);
  auto a = pay(acc(carol), 1);
  a.created_at_time = now;
  ASSERT_TRUE(run(alice, a).ok());
  EXPECT_EQ(st.dedup.size(), 1u);
  EXPECT_EQ(st.dedup_fifo.size(), 1u);
  EXPECT_EQ(st.dedup_tail - st.dedup_head, 1u);
}

TEST_F(ledger_rules, dedup_entry_from_the_future_outlives_its_block_window) {
  // Created 2 min ahead of the ledger: a duplicate stays possible until
  // block time + 24 h + 4 min, so pruning must keep it that long.
  auto a = pay(acc(carol), 1'000);
  a.created_at_time = now + ns(2min);
  const auto block = run(alice, a).value();
  now = t0 + ns(24h) + ns(4min);
  ASSERT_TRUE(run(bob, pay(acc(carol), 1)).ok()); // prunes what it may
  EXPECT_TRUE(is_ledger_error(run(alice, a), ledger_errc::duplicate, block));
  now += 1;
  EXPECT_TRUE(is_ledger_error(run(alice, a), ledger_errc::too_old));
  ASSERT_TRUE(run(bob, pay(acc(carol), 1)).ok());
  EXPECT_EQ(st.dedup.size(), 0u);
}

TEST_F(ledger_rules, ledger_time_never_goes_back) {
  ASSERT_TRUE(run(alice, pay(acc(carol), 1)).ok());
  now -= ns(1h);
  auto a = pay(acc(carol), 1);
  a.created_at_time = t0 + ns(1min);
  // Checked against the last block's time, not the clock that went back.
  EXPECT_TRUE(run(alice, a).ok());
  EXPECT_EQ(st.last_time, t0);
}

// -- ICRC-2
// ------------------------------------------------------------------------

TEST_F(ledger_rules, approve_sets_allowance_and_charges_fee) {
  auto r = run(alice, approve(acc(bob), 50'000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(bal(alice), 1'000'000u - fee);
  EXPECT_EQ(allowed(acc(alice), acc(bob)), 50'000u);
  EXPECT_EQ(stats_of(st).fees_burned, fee);
  // Approve resets, it does not add.
  ASSERT_TRUE(run(alice, approve(acc(bob), 20'000)).ok());
  EXPECT_EQ(allowed(acc(alice), acc(bob)), 20'000u);
  // Per spender subaccount; nothing for others.
  EXPECT_EQ(allowed(acc(alice), acc(bob, sub(1))), 0u);
  EXPECT_EQ(allowed(acc(bob), acc(alice)), 0u);
  // Zero removes the entry.
  ASSERT_TRUE(run(alice, approve(acc(bob), 0)).ok());
  EXPECT_EQ(allowed(acc(alice), acc(bob)), 0u);
  EXPECT_EQ(st.allowances.size(), 0u);
  EXPECT_EQ(bal(alice), 1'000'000u - 3 * fee);
}

TEST_F(ledger_rules, approve_needs_the_fee) {
  EXPECT_TRUE(is_ledger_error(run(carol, approve(acc(bob), 5)),
                              ledger_errc::insufficient_funds, 0));
  auto a = approve(acc(bob), 5);
  a.fee = 1;
  EXPECT_TRUE(is_ledger_error(run(alice, a), ledger_errc::bad_fee, fee));
}

TEST_F(ledger_rules, approve_own_principal_or_from_minting_account_refused) {
  EXPECT_TRUE(is_ledger_error(run(alice, approve(acc(alice, sub(1)), 5)),
                              ledger_errc::generic_error, 4));
  EXPECT_TRUE(is_ledger_error(run(minter, approve(acc(bob), 5)),
                              ledger_errc::generic_error, 5));
}

TEST_F(ledger_rules, allowance_changed) {
  auto a = approve(acc(bob), 30'000);
  a.expected_allowance = 1;
  EXPECT_TRUE(
      is_ledger_error(run(alice, a), ledger_errc::allowance_changed, 0));
  a.expected_allowance = 0;
  ASSERT_TRUE(run(alice, a).ok());
  a.amount = 40'000;
  EXPECT_TRUE(
      is_ledger_error(run(alice, a), ledger_errc::allowance_changed, 30'000));
  a.expected_allowance = 30'000;
  ASSERT_TRUE(run(alice, a).ok());
  EXPECT_EQ(allowed(acc(alice), acc(bob)), 40'000u);
}

TEST_F(ledger_rules, expired) {
  auto a = approve(acc(bob), 30'000);
  a.expires_at = now - 1;
  EXPECT_TRUE(is_ledger_error(run(alice, a), ledger_errc::expired, now));
  a.expires_at = now;
  EXPECT_TRUE(is_ledger_error(run(alice, a), ledger_errc::expired, now));
  a.expires_at = now + 1;
  EXPECT_TRUE(run(alice, a).ok());
}

TEST_F(ledger_rules, expired_allowance_reads_as_zero_and_is_pruned) {
  auto a = approve(acc(bob), 30'000);
  a.expires_at = now + ns(1h);
  ASSERT_TRUE(run(alice, a).ok());
  auto x = allowance_of(st, {acc(alice), acc(bob)}, now).value();
  EXPECT_EQ(x.allowance, 30'000u);
  EXPECT_EQ(x.expires_at, now + ns(1h));
  now += ns(1h) - 1;
  EXPECT_EQ(allowed(acc(alice), acc(bob)), 30'000u);
  now += 1;
  x = allowance_of(st, {acc(alice), acc(bob)}, now).value();
  EXPECT_EQ(x.allowance, 0u);
  EXPECT_EQ(x.expires_at, std::nullopt);
  EXPECT_TRUE(is_ledger_error(run(bob, spend(acc(alice), acc(carol), 1)),
                              ledger_errc::insufficient_allowance, 0));
  // expected_allowance compares with what the allowance reads as: 0.
  auto b = approve(acc(bob), 7);
  b.expected_allowance = 30'000;
  EXPECT_TRUE(
      is_ledger_error(run(alice, b), ledger_errc::allowance_changed, 0));
  // Still stored; a block two hours later removes it.
  EXPECT_EQ(st.allowances.size(), 1u);
  now += ns(2h);
  ASSERT_TRUE(run(bob, pay(acc(carol), 1)).ok());
  EXPECT_EQ(st.allowances.size(), 0u);
  EXPECT_EQ(st.expiries.size(), 0u);
}

TEST_F(ledger_rules, reapproval_moves_the_expiry) {
  auto a = approve(acc(bob), 30'000);
  a.expires_at = now + ns(1h);
  ASSERT_TRUE(run(alice, a).ok());
  a.expires_at = now + ns(10h);
  ASSERT_TRUE(run(alice, a).ok());
  now += ns(3h);
  ASSERT_TRUE(run(bob, pay(acc(carol), 1)).ok());
  EXPECT_EQ(allowed(acc(alice), acc(bob)), 30'000u);
  a.expires_at.reset();
  ASSERT_TRUE(run(alice, a).ok());
  EXPECT_EQ(st.expiries.size(), 0u);
  now += ns(100h);
  ASSERT_TRUE(run(bob, pay(acc(carol), 1)).ok());
  EXPECT_EQ(allowed(acc(alice), acc(bob)), 30'000u);
}

TEST_F(ledger_rules, transfer_from_spends_amount_plus_fee) {
  ASSERT_TRUE(run(alice, approve(acc(bob), 50'000)).ok());
  auto r = run(bob, spend(acc(alice), acc(carol), 30'000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(bal(alice), 1'000'000u - fee - 30'000u - fee);
  EXPECT_EQ(bal(carol), 30'000u);
  EXPECT_EQ(bal(bob), 500'000u);
  EXPECT_EQ(allowed(acc(alice), acc(bob)), 10'000u);
  EXPECT_EQ(stats_of(st).fees_burned, 2 * fee);
  // 10'000 left: not even 1 token plus the fee.
  EXPECT_TRUE(is_ledger_error(run(bob, spend(acc(alice), acc(carol), 1)),
                              ledger_errc::insufficient_allowance, 10'000));
  // Exactly the fee: a zero transfer uses the allowance up and removes it.
  ASSERT_TRUE(run(bob, spend(acc(alice), acc(carol), 0)).ok());
  EXPECT_EQ(st.allowances.size(), 0u);
}

TEST_F(ledger_rules, transfer_from_insufficient_allowance_before_funds) {
  // carol has nothing and approved nothing: the allowance is checked first.
  EXPECT_TRUE(is_ledger_error(run(bob, spend(acc(carol), acc(bob), 1)),
                              ledger_errc::insufficient_allowance, 0));
}

TEST_F(ledger_rules, transfer_from_insufficient_funds) {
  ASSERT_TRUE(run(alice, pay(acc(carol), 50'000)).ok());
  ASSERT_TRUE(run(carol, approve(acc(bob), 1'000'000)).ok());
  EXPECT_TRUE(is_ledger_error(run(bob, spend(acc(carol), acc(bob), 40'001)),
                              ledger_errc::insufficient_funds, 40'000));
  EXPECT_TRUE(run(bob, spend(acc(carol), acc(bob), 30'000)).ok());
}

TEST_F(ledger_rules, transfer_from_own_account_needs_no_allowance) {
  ASSERT_TRUE(run(alice, spend(acc(alice), acc(carol), 5)).ok());
  EXPECT_EQ(bal(carol), 5u);
  EXPECT_EQ(bal(alice), 1'000'000u - 5 - fee);
}

TEST_F(ledger_rules, transfer_from_is_per_spender_subaccount) {
  auto ap = approve(acc(bob, sub(1)), 50'000);
  ASSERT_TRUE(run(alice, ap).ok());
  EXPECT_TRUE(is_ledger_error(run(bob, spend(acc(alice), acc(carol), 5)),
                              ledger_errc::insufficient_allowance, 0));
  auto tf = spend(acc(alice), acc(carol), 5);
  tf.spender_subaccount = sub(1);
  EXPECT_TRUE(run(bob, tf).ok());
}

TEST_F(ledger_rules, transfer_from_bad_fee) {
  ASSERT_TRUE(run(alice, approve(acc(bob), 50'000)).ok());
  auto tf = spend(acc(alice), acc(carol), 5);
  tf.fee = fee + 1;
  EXPECT_TRUE(is_ledger_error(run(bob, tf), ledger_errc::bad_fee, fee));
}

TEST_F(ledger_rules, transfer_from_to_minting_account_burns_allowance) {
  ASSERT_TRUE(run(alice, approve(acc(bob), 50'000)).ok());
  EXPECT_TRUE(is_ledger_error(run(bob, spend(acc(alice), acc(minter), 1)),
                              ledger_errc::bad_burn, fee));
  ASSERT_TRUE(run(bob, spend(acc(alice), acc(minter), 20'000)).ok());
  EXPECT_EQ(allowed(acc(alice), acc(bob)), 30'000u);
  EXPECT_EQ(bal(alice), 1'000'000u - fee - 20'000u);
  EXPECT_EQ(stats_of(st).burned, fee + 20'000u);
  EXPECT_TRUE(is_ledger_error(run(bob, spend(acc(alice), acc(minter), 40'000)),
                              ledger_errc::insufficient_allowance, 30'000));
}

TEST_F(ledger_rules, transfer_from_minting_account_is_refused) {
  EXPECT_TRUE(is_ledger_error(run(bob, spend(acc(minter), acc(carol), 5)),
                              ledger_errc::generic_error, 5));
}

TEST_F(ledger_rules, metadata_and_standards) {
  auto md = metadata_of(st.config);
  std::map<std::string, std::string> m;
  for (auto& e : md)
    m[e.key] = e.value;
  EXPECT_EQ(m["icrc1:name"], "Test Token");
  EXPECT_EQ(m["icrc1:symbol"], "TT");
  EXPECT_EQ(m["icrc1:decimals"], "8");
  EXPECT_EQ(m["icrc1:fee"], "10000");
  auto ss = supported_standards();
  ASSERT_EQ(ss.size(), 2u);
  EXPECT_EQ(ss[0].name, "ICRC-1");
  EXPECT_EQ(ss[1].name, "ICRC-2");
}

// -- randomized
// ---------------------------------------------------------------------

TEST(ledger_random, supply_is_conserved_and_replay_reproduces_the_state) {
  const auto cfg = small_config();
  auto st = make_ledger_state(cfg, t0).value();
  workload w{20260101};
  timestamp now = t0;
  std::vector<ledger_event> journal;
  std::map<std::string, int> outcomes;
  for (int i = 0; i < 10'000; ++i) {
    now += static_cast<timestamp>(w.step().count());
    auto req = w.next(now);
    const auto before = st;
    auto ev = decide_any(st, req, now);
    if (!ev) {
      ++outcomes[ev.err().code_name()];
      ASSERT_EQ(st, before);
      continue;
    }
    ++outcomes["Ok"];
    apply(st, *ev);
    journal.push_back(*ev);
    ASSERT_TRUE(check_invariants(st)) << "after step " << i;
    auto s = stats_of(st);
    ASSERT_EQ(s.total_supply + s.burned, s.minted);
    ASSERT_EQ(s.transactions, st.next_block);
  }
  for (auto& [name, n] : outcomes)
    std::cout << "  " << name << ": " << n << '\n';
  EXPECT_EQ(outcomes.count("TemporarilyUnavailable"), 0u);
  for (const char* expected :
       {"Ok", "BadFee", "BadBurn", "InsufficientFunds", "TooOld",
        "CreatedInFuture", "Duplicate", "GenericError", "InsufficientAllowance",
        "AllowanceChanged"})
    EXPECT_GT(outcomes[expected], 0) << expected;
  EXPECT_GT(outcomes["Ok"], 2'000);
  // A journal of events, applied to a fresh genesis, gives the same state.
  auto replayed = make_ledger_state(cfg, t0).value();
  for (const auto& ev : journal)
    apply(replayed, ev);
  EXPECT_EQ(replayed, st);
}

} // namespace
