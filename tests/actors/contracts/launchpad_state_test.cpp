// A launchpad's rules without actors: init validation, the status over
// time, contributions within min, max and hard cap, finalize and refunds.

#include "actors/contracts/launchpad_state.hpp"
#include "tests/actors/contracts/contract_test_util.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace icto::contract_test {
namespace {

using namespace std::chrono_literals;

const timestamp sale_start = t0 + ns(1h);
const timestamp sale_end = t0 + ns(25h);
const timestamp during = t0 + ns(2h);

/// Soft cap 1000, hard cap 3000, 100..2000 each, 1 h to 25 h after t0,
/// 0.5 ledger tokens (50'000'000 e8s) per sale token.
launchpad_init sample_init() {
  launchpad_init init;
  init.name = "Rocket";
  init.sale_token = principal::canister_id(600);
  init.price_e8s = 50'000'000;
  init.soft_cap = 1000;
  init.hard_cap = 3000;
  init.min_contribution = 100;
  init.max_contribution = 2000;
  init.start_time = sale_start;
  init.end_time = sale_end;
  return init;
}

launchpad_state sample() {
  return make_launchpad_state(sample_init(), owner);
}

contribute_arg amount(tokens x) {
  contribute_arg a;
  a.amount = x;
  return a;
}

/// Reserves and confirms a contribution.
void contribute(launchpad_state& st, const principal& who, tokens x,
                timestamp now = during) {
  auto r = reserve_contribution(st, who, amount(x), now);
  ASSERT_TRUE(r) << r.err().to_string();
  confirm_contribution(st, who, x, now);
}

void expect_invalid(const launchpad_init& init, const std::string& field) {
  auto r = validate(init);
  ASSERT_FALSE(r) << field;
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
  EXPECT_NE(r.err().message.find(field), std::string::npos) << r.err().message;
}

TEST(launchpad_state, validate_names_the_bad_field) {
  EXPECT_TRUE(validate(sample_init()));
  auto x = sample_init();
  x.name = "";
  expect_invalid(x, "name");
  x = sample_init();
  x.sale_token = principal::anonymous();
  expect_invalid(x, "sale_token");
  x = sample_init();
  x.price_e8s = 0;
  expect_invalid(x, "price_e8s");
  x = sample_init();
  x.soft_cap = 0;
  expect_invalid(x, "soft_cap");
  x = sample_init();
  x.hard_cap = 999;
  expect_invalid(x, "hard_cap");
  x = sample_init();
  x.min_contribution = 0;
  expect_invalid(x, "min_contribution");
  x = sample_init();
  x.max_contribution = 99;
  expect_invalid(x, "max_contribution");
  x = sample_init();
  x.max_contribution = 3001;
  expect_invalid(x, "max_contribution");
  x = sample_init();
  x.end_time = x.start_time;
  expect_invalid(x, "end_time");
  x = sample_init();
  x.hard_cap = ~0ull;
  x.max_contribution = ~0ull;
  x.price_e8s = 1;
  expect_invalid(x, "price_e8s");
}

TEST(launchpad_state, the_status_follows_the_clock) {
  auto st = sample();
  EXPECT_EQ(status_at(st, t0), sale_status::upcoming);
  EXPECT_EQ(status_at(st, sale_start), sale_status::open);
  EXPECT_EQ(status_at(st, sale_end - 1), sale_status::open);
  EXPECT_EQ(status_at(st, sale_end), sale_status::failed);
  contribute(st, alice, 1000);
  EXPECT_EQ(status_at(st, sale_end), sale_status::succeeded);
}

TEST(launchpad_state, contributions_only_while_open) {
  auto st = sample();
  auto r = reserve_contribution(st, alice, amount(100), t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  EXPECT_NE(r.err().message.find("upcoming"), std::string::npos);
  r = reserve_contribution(st, alice, amount(100), sale_end);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  r = reserve_contribution(st, principal::anonymous(), amount(100), during);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  EXPECT_EQ(st, sample());
}

TEST(launchpad_state, contributions_within_min_and_max) {
  auto st = sample();
  auto r = reserve_contribution(st, alice, amount(99), during);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
  EXPECT_NE(r.err().message.find("min_contribution"), std::string::npos);
  contribute(st, alice, 1500);
  r = reserve_contribution(st, alice, amount(501), during);
  ASSERT_FALSE(r);
  EXPECT_NE(r.err().message.find("max_contribution"), std::string::npos);
  contribute(st, alice, 500);
  EXPECT_EQ(contribution_of(st, alice).amount, 2000u);
  auto bad = amount(200);
  bad.from_subaccount = blob(31, 0);
  r = reserve_contribution(st, bob, bad, during);
  ASSERT_FALSE(r);
  EXPECT_NE(r.err().message.find("from_subaccount"), std::string::npos);
  EXPECT_EQ(check_invariants(st), "");
}

TEST(launchpad_state, the_hard_cap_is_never_passed) {
  auto st = sample();
  contribute(st, alice, 2000);
  auto r = reserve_contribution(st, bob, amount(1001), during);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
  EXPECT_NE(r.err().message.find("hard cap"), std::string::npos);
  // A reservation in flight counts: carol cannot take bob's place.
  ASSERT_TRUE(reserve_contribution(st, bob, amount(1000), during));
  r = reserve_contribution(st, carol, amount(100), during);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state)) << "at the cap";
  confirm_contribution(st, bob, 1000, during);
  EXPECT_EQ(st.raised, 3000u);
  EXPECT_EQ(status_at(st, during), sale_status::succeeded)
      << "the sale ends at the hard cap";
  EXPECT_EQ(check_invariants(st), "");
}

TEST(launchpad_state, confirming_tells_the_first_contribution) {
  auto st = sample();
  ASSERT_TRUE(reserve_contribution(st, alice, amount(300), during));
  auto [c, first] = confirm_contribution(st, alice, 300, during + 5);
  EXPECT_TRUE(first);
  EXPECT_EQ(c.amount, 300u);
  EXPECT_EQ(c.allocation, 600u) << "300 e8s at 0.5 per token";
  EXPECT_EQ(c.last_contributed_at, during + 5);
  ASSERT_TRUE(reserve_contribution(st, alice, amount(100), during));
  auto second = confirm_contribution(st, alice, 100, during + 6);
  EXPECT_FALSE(second.second);
  EXPECT_EQ(second.first.amount, 400u);
  EXPECT_EQ(second.first.allocation, 800u);
}

TEST(launchpad_state, a_refused_transfer_releases_the_reservation) {
  auto st = sample();
  auto before = st;
  ASSERT_TRUE(reserve_contribution(st, alice, amount(300), during));
  EXPECT_EQ(st.raised, 300u);
  EXPECT_EQ(contribution_of(st, alice).amount, 0u) << "not confirmed yet";
  release_contribution(st, alice, 300);
  EXPECT_EQ(st, before);
}

TEST(launchpad_state, finalize_after_the_end_or_at_the_hard_cap) {
  auto st = sample();
  contribute(st, alice, 1200);
  auto r = begin_finalize(st, owner, during);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  r = begin_finalize(st, stranger, sale_end);
  ASSERT_TRUE(r) << "anyone after end_time";
  EXPECT_EQ(*r, sale_status::succeeded);
  auto again = begin_finalize(st, owner, sale_end);
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), contract_errc::invalid_state));
  end_finalize(st, sale_status::finalized, 77, sale_end + 1);
  EXPECT_EQ(status_at(st, sale_end + 1), sale_status::finalized);
  EXPECT_EQ(st.payout_block, 77u);
  EXPECT_EQ(st.finalized_at, sale_end + 1);
  again = begin_finalize(st, owner, sale_end);
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), contract_errc::already_done));
}

TEST(launchpad_state, only_the_owner_finalizes_early_at_the_hard_cap) {
  auto st = sample();
  contribute(st, alice, 2000);
  contribute(st, bob, 1000);
  auto r = begin_finalize(st, alice, during);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  r = begin_finalize(st, owner, during);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, sale_status::succeeded);
}

TEST(launchpad_state, finalize_waits_for_contributions_in_flight) {
  auto st = sample();
  contribute(st, alice, 2000);
  ASSERT_TRUE(reserve_contribution(st, bob, amount(1000), during));
  auto r = begin_finalize(st, owner, during);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  EXPECT_NE(r.err().message.find("wait for the ledger"), std::string::npos);
}

TEST(launchpad_state, a_failed_payout_lets_finalize_run_again) {
  auto st = sample();
  contribute(st, alice, 1200);
  ASSERT_TRUE(begin_finalize(st, owner, sale_end));
  end_finalize(st, std::nullopt, std::nullopt, sale_end);
  EXPECT_FALSE(st.settling);
  EXPECT_FALSE(st.settled);
  EXPECT_TRUE(begin_finalize(st, owner, sale_end));
}

TEST(launchpad_state, a_failed_sale_refunds_and_claims_the_rest) {
  auto st = sample();
  contribute(st, alice, 300);
  contribute(st, bob, 200);
  auto r = begin_finalize(st, owner, sale_end);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, sale_status::failed);
  auto todo = refundable(st);
  ASSERT_EQ(todo.size(), 2u);
  auto c = begin_claim_refund(st, alice);
  ASSERT_FALSE(c) << "not refunded yet";
  EXPECT_TRUE(is(c.err(), contract_errc::invalid_state));
  begin_refund(st, alice);
  begin_refund(st, bob);
  EXPECT_TRUE(refundable(st).empty());
  EXPECT_TRUE(record_refund(st, sale_refund{alice, 290, 11, sale_end, {}}));
  EXPECT_FALSE(record_refund(st, sale_refund{bob, 190, std::nullopt, sale_end,
                                             "ledger down"}));
  end_finalize(st, sale_status::refunded, std::nullopt, sale_end);
  EXPECT_EQ(status_at(st, sale_end), sale_status::refunded);
  EXPECT_TRUE(contribution_of(st, alice).refunded);
  EXPECT_FALSE(contribution_of(st, bob).refunded);
  c = begin_claim_refund(st, alice);
  ASSERT_FALSE(c);
  EXPECT_TRUE(is(c.err(), contract_errc::already_done));
  c = begin_claim_refund(st, stranger);
  ASSERT_FALSE(c);
  EXPECT_TRUE(is(c.err(), contract_errc::not_found));
  c = begin_claim_refund(st, bob);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->amount, 200u);
  auto twice = begin_claim_refund(st, bob);
  ASSERT_FALSE(twice) << "the claim is in flight";
  EXPECT_TRUE(is(twice.err(), contract_errc::invalid_state));
  EXPECT_TRUE(record_refund(st, sale_refund{bob, 190, 12, sale_end + 9, {}}));
  auto refunds = refunds_page(st, page{});
  EXPECT_EQ(refunds.total, 3u);
  ASSERT_EQ(refunds.refunds.size(), 3u);
  EXPECT_EQ(refunds.refunds[1].failure, std::string{"ledger down"});
  EXPECT_EQ(refunds.refunds[2].block_index, 12u);
  EXPECT_EQ(check_invariants(st), "");
}

TEST(launchpad_state, refunds_bear_the_fee) {
  contribution c;
  c.amount = 100;
  EXPECT_TRUE(refund_covers_fee(c, 99));
  EXPECT_FALSE(refund_covers_fee(c, 100));
}

TEST(launchpad_state, pages_and_info) {
  auto st = sample();
  contribute(st, alice, 300);
  contribute(st, bob, 900);
  contribute(st, carol, 300);
  auto pg = contributors_page(st, page{});
  EXPECT_EQ(pg.total, 3u);
  ASSERT_EQ(pg.contributions.size(), 3u);
  EXPECT_EQ(pg.contributions[0].contributor, bob) << "largest first";
  EXPECT_LT(pg.contributions[1].contributor, pg.contributions[2].contributor);
  pg = contributors_page(st, page{1, 2});
  ASSERT_EQ(pg.contributions.size(), 1u);
  auto info = info_of(st, true, during);
  EXPECT_EQ(info.raised, 1500u);
  EXPECT_EQ(info.contributors, 3u);
  EXPECT_EQ(info.status, sale_status::open);
  EXPECT_TRUE(info.is_public);
  EXPECT_EQ(contribution_of(st, stranger).amount, 0u);
  EXPECT_EQ(contribution_of(st, stranger).contributor, stranger);
}

TEST(launchpad_state, invariants_catch_a_wrong_raise) {
  auto st = sample();
  contribute(st, alice, 300);
  EXPECT_EQ(check_invariants(st), "");
  st.raised = 301;
  EXPECT_NE(check_invariants(st), "");
}

} // namespace
} // namespace icto::contract_test
