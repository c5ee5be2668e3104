// Token contract rules and versions, without actors.

#include "actors/contracts/token_state.hpp"
#include "tests/actors/contracts/contract_test_util.hpp"

#include <gtest/gtest.h>

namespace icto::contract_test {
namespace {

constexpr tokens fee = 100;

token_init small_init() {
  token_init init;
  init.name = "Test Token";
  init.symbol = "TT";
  init.decimals = 8;
  init.fee = fee;
  init.initial_supply = 1'000'000;
  init.logo = "https://example.org/tt.png";
  return init;
}

token_state make(semver v = {1, 0, 0}, token_init init = small_init()) {
  auto st = make_token_state(init, contract_id, owner, v, t0);
  EXPECT_TRUE(st) << st.err().to_string();
  return std::move(*st);
}

/// Decides and applies; fails the test on a refusal.
template <class Decided>
token_change ok(token_state& st, Decided ev) {
  EXPECT_TRUE(ev) << ev.err().to_string();
  return apply_token(st, *ev);
}

transfer_arg xfer(account to, tokens amount,
                  std::optional<blob> from_sub = std::nullopt) {
  transfer_arg a;
  a.from_subaccount = std::move(from_sub);
  a.to = std::move(to);
  a.amount = amount;
  return a;
}

TEST(token_init, validation_names_the_field) {
  EXPECT_TRUE(validate_token_init(small_init()));
  auto bad = [](auto change, const char* field) {
    auto init = small_init();
    change(init);
    auto r = validate_token_init(init);
    ASSERT_FALSE(r) << field;
    EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
    EXPECT_EQ(r.err().message.rfind(field, 0), 0u) << r.err().message;
  };
  bad(
      [](token_init& i) {
        i.name = "";
      },
      "name");
  bad(
      [](token_init& i) {
        i.name = std::string(65, 'x');
      },
      "name");
  bad(
      [](token_init& i) {
        i.symbol = "";
      },
      "symbol");
  bad(
      [](token_init& i) {
        i.symbol = "T-T";
      },
      "symbol");
  bad(
      [](token_init& i) {
        i.symbol = std::string(17, 'T');
      },
      "symbol");
  bad(
      [](token_init& i) {
        i.decimals = 19;
      },
      "decimals");
  bad(
      [](token_init& i) {
        i.initial_supply = token_max_supply + 1;
      },
      "initial_supply");
  bad(
      [](token_init& i) {
        i.logo = "";
      },
      "logo");
  auto r = make_token_state(small_init(), contract_id, owner, {4, 0, 0}, t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), factory_errc::unknown_version));
}

TEST(token_state, genesis_gives_the_owner_the_supply) {
  auto st = make();
  EXPECT_EQ(holder_balance_of(st, owner), 1'000'000u);
  EXPECT_EQ(total_supply(st.ledger), 1'000'000u);
  auto info = token_info_of(st, true);
  EXPECT_EQ(info.name, "Test Token");
  EXPECT_EQ(info.symbol, "TT");
  EXPECT_EQ(info.fee, fee);
  EXPECT_EQ(info.holders, 1u);
  EXPECT_EQ(info.minted, 1'000'000u);
  EXPECT_EQ(info.transactions, 1u);
  EXPECT_EQ(info.owner, owner);
  EXPECT_TRUE(info.is_public);
  EXPECT_EQ(info.logo, small_init().logo);
  auto md = token_metadata(st);
  ASSERT_FALSE(md.empty());
  EXPECT_EQ(md.back().key, "icrc1:logo");
  EXPECT_EQ(token_standards().size(), 1u);
  EXPECT_TRUE(check_token_state(st, {1, 0, 0}));
  auto empty = small_init();
  empty.initial_supply = 0;
  auto st0 = make({1, 0, 0}, empty);
  EXPECT_EQ(st0.holders.size(), 0u);
  EXPECT_EQ(st0.ledger.next_block, 0u);
}

TEST(token_state, transfer_charges_the_fee_and_reports_both_holders) {
  auto st = make();
  auto ch = ok(st, decide_transfer(st, owner, xfer(acc(alice), 1000), t0));
  EXPECT_EQ(ch.op, ledger_op::transfer);
  ASSERT_TRUE(ch.from && ch.to);
  EXPECT_EQ(*ch.from, (holder_balance{owner, 1'000'000 - 1000 - fee}));
  EXPECT_EQ(*ch.to, (holder_balance{alice, 1000}));
  EXPECT_EQ(total_supply(st.ledger), 1'000'000u - fee);
  EXPECT_EQ(st.ledger.fees_burned, fee);
  // alice spends it all from her default account into a subaccount of hers.
  ch = ok(st, decide_transfer(st, alice, xfer(acc(alice, sub(1)), 900), t0));
  EXPECT_EQ(*ch.from, (holder_balance{alice, 900}));
  EXPECT_EQ(*ch.to, (holder_balance{alice, 900}));
  ch = ok(st, decide_transfer(st, alice, xfer(acc(bob), 800, sub(1)), t0));
  EXPECT_EQ(*ch.from, (holder_balance{alice, 0}));
  EXPECT_EQ(*ch.to, (holder_balance{bob, 800}));
  EXPECT_EQ(holder_balance_of(st, alice), 0u);
  EXPECT_FALSE(st.holders.contains(alice)) << "no zero entries";
  EXPECT_EQ(token_info_of(st, false).holders, 2u);
  EXPECT_TRUE(check_token_state(st, {1, 0, 0}));
}

TEST(token_state, ledger_refusals_are_replied) {
  auto st = make();
  auto r = decide_transfer(st, bob, xfer(acc(alice), 1), t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), ledger_errc::insufficient_funds));
  auto bad_fee = xfer(acc(alice), 1);
  bad_fee.fee = fee + 1;
  r = decide_transfer(st, owner, bad_fee, t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), ledger_errc::bad_fee));
  r = decide_transfer(st, principal::anonymous(), xfer(acc(alice), 1), t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), ledger_errc::generic_error));
  auto dup = xfer(acc(alice), 5);
  dup.created_at_time = t0;
  ok(st, decide_transfer(st, owner, dup, t0));
  r = decide_transfer(st, owner, dup, t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), ledger_errc::duplicate));
}

TEST(token_state, only_the_owner_mints_without_fee) {
  auto st = make();
  token_mint_arg m{acc(alice), 5000, std::nullopt};
  auto r = decide_mint(st, alice, m, t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  auto ch = ok(st, decide_mint(st, owner, m, t0));
  EXPECT_EQ(ch.op, ledger_op::mint);
  EXPECT_FALSE(ch.from);
  EXPECT_EQ(*ch.to, (holder_balance{alice, 5000}));
  EXPECT_EQ(total_supply(st.ledger), 1'005'000u);
  EXPECT_EQ(st.ledger.minted, 1'005'000u);
  r = decide_mint(st, owner, token_mint_arg{acc(alice), 0, std::nullopt}, t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
  r = decide_mint(st, owner, token_mint_arg{acc(contract_id), 1, std::nullopt},
                  t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
  EXPECT_TRUE(check_token_state(st, {1, 0, 0}));
}

TEST(token_state, burn_destroys_the_callers_tokens) {
  auto st = make();
  auto ch = ok(st, decide_burn(st, owner,
                               token_burn_arg{std::nullopt, 400, std::nullopt},
                               t0));
  EXPECT_EQ(ch.op, ledger_op::burn);
  EXPECT_FALSE(ch.to);
  EXPECT_EQ(*ch.from, (holder_balance{owner, 1'000'000 - 400}));
  EXPECT_EQ(total_supply(st.ledger), 1'000'000u - 400);
  EXPECT_EQ(st.ledger.burned, 400u);
  auto r = decide_burn(st, bob, token_burn_arg{std::nullopt, 400, std::nullopt},
                       t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), ledger_errc::insufficient_funds));
  // below the smallest burn (min(fee, balance))
  r = decide_burn(st, owner, token_burn_arg{std::nullopt, 1, std::nullopt}, t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), ledger_errc::bad_burn));
  // a transfer to the contract's own account is a burn too
  ch = ok(st, decide_transfer(st, owner, xfer(acc(contract_id), 100), t0));
  EXPECT_EQ(ch.op, ledger_op::burn);
  EXPECT_TRUE(check_token_state(st, {1, 0, 0}));
}

TEST(token_state, supply_is_conserved_over_a_workload) {
  auto st = make();
  const principal ps[] = {owner, alice, bob, carol};
  for (int i = 0; i < 400; ++i) {
    const auto& from = ps[i % 4];
    const auto& to = ps[(i * 7 + 1) % 4];
    if (i % 13 == 0) {
      auto ev = decide_mint(st, owner,
                            token_mint_arg{acc(to), 1000 + tokens(i), {}}, t0);
      if (ev)
        apply_token(st, *ev);
    } else if (i % 11 == 0) {
      auto ev = decide_burn(st, from, token_burn_arg{{}, 150, {}}, t0);
      if (ev)
        apply_token(st, *ev);
    } else {
      auto ev = decide_transfer(
          st, from, xfer(acc(to, sub(uint8_t(i % 3))), tokens(i * 37 % 5000)),
          t0);
      if (ev)
        apply_token(st, *ev);
    }
    ASSERT_TRUE(check_token_state(st, {1, 0, 0})) << "after step " << i;
  }
  tokens held = 0;
  st.holders.for_each([&](const principal&, tokens b) {
    held += b;
  });
  EXPECT_EQ(held + st.ledger.burned, st.ledger.minted);
  EXPECT_EQ(held, total_supply(st.ledger));
}

// -- versions -----------------------------------------------------------------

TEST(token_versions, three_versions_with_named_migrations) {
  const auto& t = token_versions();
  ASSERT_EQ(t.steps.size(), 3u);
  EXPECT_EQ(t.steps[0].version, (semver{1, 0, 0}));
  EXPECT_EQ(t.steps[1].version, (semver{1, 1, 0}));
  EXPECT_EQ(t.steps[2].version, (semver{1, 2, 0}));
  EXPECT_NE(t.steps[1].migration.find("cap_supply"), std::string::npos);
  auto st = make({1, 1, 0});
  EXPECT_EQ(st.max_supply, token_max_supply);
  EXPECT_FALSE(st.tx_counts);
  EXPECT_TRUE(check_token_state(st, {1, 1, 0}));
  EXPECT_FALSE(check_token_state(st, {1, 0, 0}));
  EXPECT_FALSE(check_token_state(st, {1, 2, 0}));
}

TEST(token_versions, upgrade_adds_fields_and_rollback_drops_them) {
  auto st = make();
  ok(st, decide_transfer(st, owner, xfer(acc(alice), 1000), t0));
  const auto before = st;
  semver v{1, 0, 0};
  auto r = migrate(token_versions(), st, v, semver{1, 2, 0});
  ASSERT_TRUE(r) << r.err().to_string();
  EXPECT_EQ(v, (semver{1, 2, 0}));
  EXPECT_EQ(st.max_supply, token_max_supply);
  ASSERT_TRUE(st.tx_counts);
  EXPECT_EQ(tx_count_of(st, alice), 0u);
  ok(st, decide_transfer(st, alice, xfer(acc(bob), 10), t0));
  EXPECT_EQ(tx_count_of(st, alice), 1u);
  EXPECT_EQ(tx_count_of(st, bob), 1u);
  EXPECT_EQ(tx_count_of(st, owner), 0u);
  // the cap holds at 1.2.0
  auto m = decide_mint(st, owner,
                       token_mint_arg{acc(bob), token_max_supply, {}}, t0);
  ASSERT_FALSE(m);
  EXPECT_TRUE(is(m.err(), contract_errc::invalid_state));
  // back to 1.0.0: the new fields are gone, balances stay
  r = migrate(token_versions(), st, v, semver{1, 0, 0});
  ASSERT_TRUE(r) << r.err().to_string();
  EXPECT_EQ(v, (semver{1, 0, 0}));
  EXPECT_FALSE(st.max_supply);
  EXPECT_FALSE(st.tx_counts);
  EXPECT_EQ(holder_balance_of(st, bob), 10u);
  EXPECT_NE(st, before);
  EXPECT_TRUE(check_token_state(st, {1, 0, 0}));
  // a round trip with no block in between restores the state exactly
  auto copy = st;
  ASSERT_TRUE(migrate(token_versions(), st, v, semver{1, 2, 0}));
  ASSERT_TRUE(migrate(token_versions(), st, v, semver{1, 0, 0}));
  EXPECT_EQ(st, copy);
}

TEST(token_versions, cap_migration_fails_on_a_supply_above_the_cap) {
  auto st = make();
  // 1.0.0 has no cap: the owner mints past 2^53-1.
  ok(st, decide_mint(st, owner,
                     token_mint_arg{acc(alice), token_max_supply, {}}, t0));
  ASSERT_GT(total_supply(st.ledger), token_max_supply);
  const auto before = st;
  semver v{1, 0, 0};
  auto r = migrate(token_versions(), st, v, semver{1, 2, 0});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), factory_errc::migration_failed));
  EXPECT_NE(r.err().message.find("exceeds the cap"), std::string::npos)
      << r.err().message;
  EXPECT_EQ(v, (semver{1, 0, 0}));
  EXPECT_EQ(st, before);
  // burning below the cap makes the same upgrade succeed
  ok(st, decide_burn(st, alice, token_burn_arg{{}, 1'000'000, {}}, t0));
  EXPECT_EQ(total_supply(st.ledger), token_max_supply);
  ASSERT_TRUE(migrate(token_versions(), st, v, semver{1, 1, 0}));
  EXPECT_EQ(v, (semver{1, 1, 0}));
}

} // namespace
} // namespace icto::contract_test
