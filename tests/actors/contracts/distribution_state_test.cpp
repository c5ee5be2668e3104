// A distribution's rules without actors: init validation, the vesting
// schedule, the owner's edits, activation, cancellation and claims.

#include "actors/contracts/distribution_state.hpp"
#include "tests/actors/contracts/contract_test_util.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace icto::contract_test {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t day = 24 * 3600;

/// alice 1000, bob 3000; start t0 + 1 day, cliff 10 days, vesting 100 days.
distribution_init sample_init() {
  distribution_init init;
  init.name = "Seed round";
  init.token = principal::canister_id(500);
  init.recipients = {{alice, 1000}, {bob, 3000}};
  init.start_time = t0 + ns(24h);
  init.cliff_seconds = 10 * day;
  init.vesting_seconds = 100 * day;
  return init;
}

timestamp at_day(double d) {
  return t0 + ns(24h) + static_cast<timestamp>(d * day * 1e9);
}

distribution_state active_state() {
  auto st = make_distribution_state(sample_init(), owner);
  EXPECT_TRUE(activate(st, owner, t0));
  return st;
}

void expect_invalid(const distribution_init& init, const std::string& field) {
  auto r = validate(init);
  ASSERT_FALSE(r) << field;
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
  EXPECT_NE(r.err().message.find(field), std::string::npos) << r.err().message;
}

TEST(distribution_state, validate_accepts_the_sample) {
  EXPECT_TRUE(validate(sample_init()));
  auto empty = sample_init();
  empty.recipients.clear();
  EXPECT_TRUE(validate(empty)) << "recipients may be added later";
}

TEST(distribution_state, validate_names_the_bad_field) {
  auto x = sample_init();
  x.name = "";
  expect_invalid(x, "name");
  x = sample_init();
  x.name = std::string(101, 'a');
  expect_invalid(x, "name");
  x = sample_init();
  x.token = principal::anonymous();
  expect_invalid(x, "token");
  x = sample_init();
  x.cliff_seconds = x.vesting_seconds + 1;
  expect_invalid(x, "cliff_seconds");
  x = sample_init();
  x.recipients[1].amount = 0;
  expect_invalid(x, "recipients[1].amount");
  x = sample_init();
  x.recipients[0].recipient = principal::anonymous();
  expect_invalid(x, "recipients[0].recipient");
  x = sample_init();
  x.recipients.push_back({alice, 5});
  expect_invalid(x, "recipients[2].recipient");
  x = sample_init();
  x.recipients = {{alice, ~0ull}, {bob, 1}};
  expect_invalid(x, "recipients[1].amount");
  x = sample_init();
  x.vesting_seconds = ~0ull / 1'000'000'000ull;
  x.cliff_seconds = 0;
  expect_invalid(x, "vesting_seconds");
}

TEST(distribution_state, make_counts_the_total) {
  auto st = make_distribution_state(sample_init(), owner);
  EXPECT_EQ(st.status, distribution_status::created);
  EXPECT_EQ(st.total_amount, 4000u);
  EXPECT_EQ(st.recipients.size(), 2u);
  EXPECT_EQ(st.owner, owner);
  EXPECT_EQ(check_invariants(st), "");
}

TEST(distribution_state, nothing_vests_before_the_cliff) {
  auto st = make_distribution_state(sample_init(), owner);
  EXPECT_EQ(vested_amount(st, 1000, t0), 0u);
  EXPECT_EQ(vested_amount(st, 1000, at_day(0)), 0u);
  EXPECT_EQ(vested_amount(st, 1000, at_day(9.999)), 0u);
}

TEST(distribution_state, the_cliff_releases_what_accrued_then_linear) {
  auto st = make_distribution_state(sample_init(), owner);
  EXPECT_EQ(vested_amount(st, 1000, at_day(10)), 100u);
  EXPECT_EQ(vested_amount(st, 1000, at_day(50)), 500u);
  EXPECT_EQ(vested_amount(st, 3000, at_day(75)), 2250u);
  EXPECT_EQ(vested_amount(st, 1000, at_day(100) - 1), 999u);
  EXPECT_EQ(vested_amount(st, 1000, at_day(100)), 1000u);
  EXPECT_EQ(vested_amount(st, 1000, at_day(1000)), 1000u);
}

TEST(distribution_state, no_vesting_period_vests_all_at_the_start) {
  auto init = sample_init();
  init.cliff_seconds = 0;
  init.vesting_seconds = 0;
  auto st = make_distribution_state(init, owner);
  EXPECT_EQ(vested_amount(st, 1000, init.start_time - 1), 0u);
  EXPECT_EQ(vested_amount(st, 1000, init.start_time), 1000u);
}

TEST(distribution_state, huge_amounts_do_not_overflow) {
  auto init = sample_init();
  init.recipients = {{alice, ~0ull}};
  auto st = make_distribution_state(init, owner);
  EXPECT_EQ(vested_amount(st, ~0ull, at_day(50)), ~0ull / 2);
}

TEST(distribution_state, only_the_owner_activates_once) {
  auto st = make_distribution_state(sample_init(), owner);
  auto r = activate(st, alice, t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  EXPECT_EQ(st.status, distribution_status::created);
  ASSERT_TRUE(activate(st, owner, t0 + 5));
  EXPECT_EQ(st.status, distribution_status::active);
  EXPECT_EQ(st.activated_at, t0 + 5);
  r = activate(st, owner, t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  EXPECT_EQ(check_invariants(st), "");
}

TEST(distribution_state, activation_needs_a_recipient) {
  auto init = sample_init();
  init.recipients.clear();
  auto st = make_distribution_state(init, owner);
  auto r = activate(st, owner, t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  EXPECT_NE(r.err().message.find("no recipient"), std::string::npos);
}

TEST(distribution_state, the_owner_edits_recipients_while_created) {
  auto st = make_distribution_state(sample_init(), owner);
  auto r = add_recipient(st, alice, {carol, 10});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  r = add_recipient(st, owner, {carol, 0});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
  r = add_recipient(st, owner, {alice, 10});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::already_done));
  ASSERT_TRUE(add_recipient(st, owner, {carol, 10}));
  EXPECT_EQ(st.total_amount, 4010u);
  r = remove_recipient(st, owner, stranger);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::not_found));
  r = remove_recipient(st, bob, alice);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  ASSERT_TRUE(remove_recipient(st, owner, alice));
  EXPECT_EQ(st.total_amount, 3010u);
  EXPECT_FALSE(st.recipients.contains(alice));
  EXPECT_EQ(check_invariants(st), "");
  ASSERT_TRUE(activate(st, owner, t0));
  r = add_recipient(st, owner, {alice, 10});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  r = remove_recipient(st, owner, bob);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
}

TEST(distribution_state, adding_cannot_overflow_the_total) {
  auto init = sample_init();
  init.recipients = {{alice, ~0ull - 5}};
  auto st = make_distribution_state(init, owner);
  auto r = add_recipient(st, owner, {bob, 6});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
  EXPECT_TRUE(add_recipient(st, owner, {bob, 5}));
}

TEST(distribution_state, claims_need_an_active_distribution) {
  auto st = make_distribution_state(sample_init(), owner);
  auto r = reserve_claim(st, alice, at_day(50));
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  EXPECT_EQ(figures_of(st, alice, at_day(50)).claimable, 0u)
      << "nothing is claimable before activation";
  EXPECT_EQ(figures_of(st, alice, at_day(50)).vested, 500u);
}

TEST(distribution_state, claims_refuse_strangers_and_the_cliff) {
  auto st = active_state();
  auto r = reserve_claim(st, stranger, at_day(50));
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  r = reserve_claim(st, alice, at_day(5));
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  EXPECT_NE(r.err().message.find("nothing has vested"), std::string::npos);
}

TEST(distribution_state, a_claim_pays_vested_minus_claimed) {
  auto st = active_state();
  auto r = reserve_claim(st, alice, at_day(20));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 200u);
  EXPECT_FALSE(settle_claim(st, alice));
  auto f = figures_of(st, alice, at_day(20));
  EXPECT_EQ(f.claimed, 200u);
  EXPECT_EQ(f.claimable, 0u);
  auto again = reserve_claim(st, alice, at_day(20));
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), contract_errc::invalid_state));
  r = reserve_claim(st, alice, at_day(50));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 300u);
  EXPECT_FALSE(settle_claim(st, alice));
  EXPECT_EQ(st.total_claimed, 500u);
  EXPECT_EQ(check_invariants(st), "");
}

TEST(distribution_state, a_reserved_claim_cannot_be_claimed_twice) {
  auto st = active_state();
  ASSERT_TRUE(reserve_claim(st, alice, at_day(50)));
  auto r = reserve_claim(st, alice, at_day(50));
  ASSERT_FALSE(r) << "the first claim is still in flight";
  EXPECT_EQ(st.pending_claims, 1u);
}

TEST(distribution_state, a_failed_payout_releases_the_claim) {
  auto st = active_state();
  auto before = st;
  auto r = reserve_claim(st, alice, at_day(50));
  ASSERT_TRUE(r);
  release_claim(st, alice, *r);
  EXPECT_EQ(st, before);
  r = reserve_claim(st, alice, at_day(50));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 500u);
}

TEST(distribution_state, claiming_everything_completes) {
  auto st = active_state();
  auto a = reserve_claim(st, alice, at_day(100));
  auto b = reserve_claim(st, bob, at_day(100));
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_FALSE(settle_claim(st, alice)) << "bob's payout is in flight";
  EXPECT_EQ(st.status, distribution_status::active);
  EXPECT_TRUE(settle_claim(st, bob));
  EXPECT_EQ(st.status, distribution_status::completed);
  EXPECT_EQ(st.total_claimed, 4000u);
  EXPECT_EQ(check_invariants(st), "");
  auto r = reserve_claim(st, alice, at_day(200));
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::already_done));
}

TEST(distribution_state, only_the_owner_cancels_and_claims_stop) {
  auto st = active_state();
  auto r = cancel(st, alice, "no");
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  ASSERT_TRUE(cancel(st, owner, "project dropped"));
  EXPECT_EQ(st.status, distribution_status::cancelled);
  EXPECT_EQ(st.cancel_reason, std::string{"project dropped"});
  auto c = reserve_claim(st, alice, at_day(50));
  ASSERT_FALSE(c);
  EXPECT_TRUE(is(c.err(), contract_errc::invalid_state));
  r = cancel(st, owner, "again");
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  r = activate(st, owner, t0);
  ASSERT_FALSE(r);
}

TEST(distribution_state, reading_a_private_distribution) {
  auto st = active_state();
  EXPECT_TRUE(check_can_read(st, owner, false));
  EXPECT_TRUE(check_can_read(st, alice, false));
  auto r = check_can_read(st, stranger, false);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  EXPECT_TRUE(check_can_read(st, stranger, true));
}

TEST(distribution_state, pages_and_info) {
  auto st = active_state();
  auto all = recipients_page(st, page{}, at_day(50));
  EXPECT_EQ(all.total, 2u);
  ASSERT_EQ(all.recipients.size(), 2u);
  EXPECT_LT(all.recipients[0].recipient, all.recipients[1].recipient);
  auto second = recipients_page(st, page{1, 1}, at_day(50));
  ASSERT_EQ(second.recipients.size(), 1u);
  EXPECT_EQ(second.recipients[0].recipient, all.recipients[1].recipient);
  EXPECT_EQ(second.total, 2u);
  auto info = info_of(st, true);
  EXPECT_EQ(info.recipients, 2u);
  EXPECT_EQ(info.total_amount, 4000u);
  EXPECT_EQ(info.status, distribution_status::active);
  EXPECT_TRUE(info.is_public);
  EXPECT_EQ(info.name, "Seed round");
}

TEST(distribution_state, invariants_catch_a_broken_total) {
  auto st = active_state();
  st.total_amount += 1;
  EXPECT_NE(check_invariants(st), "");
  st = active_state();
  st.status = distribution_status::completed;
  EXPECT_NE(check_invariants(st), "");
}

} // namespace
} // namespace icto::contract_test
