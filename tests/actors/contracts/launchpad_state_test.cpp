// A launchpad's rules without actors: init validation, the status over
// time, contributions within min, max and hard cap, finalize and refunds;
// the transfer records (identical requests rebuilt from the state, the
// ledger's answers, unknown outcomes sent again); the journal (live
// operations and their replay give the same image); and the ledger's
// deduplication of a rebuilt request (a real ledger_state).

#include "actors/contracts/launchpad_journal.hpp"
#include "actors/contracts/launchpad_state.hpp"
#include "actors/ledger/ledger_state.hpp"
#include "tests/actors/contracts/contract_test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

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

/// A ledger answer: block `b`.
result<uint64_t> block(uint64_t b) {
  return result<uint64_t>{b};
}

result<uint64_t> refused() {
  return result<uint64_t>{
      make_error(ledger_errc::insufficient_funds, "the balance is 0", 0)};
}

result<uint64_t> no_answer() {
  return result<uint64_t>{
      make_error(system_errc::timeout, "the ledger did not answer")};
}

/// Reserves and confirms a contribution.
void contribute(launchpad_state& st, const principal& who, tokens x,
                timestamp now = during) {
  auto r = reserve_contribution(st, who, amount(x), now);
  ASSERT_TRUE(r) << r.err().to_string();
  auto f = finish_contribution(st, *r, block(100 + *r), now);
  ASSERT_TRUE(f) << f.err().to_string();
  ASSERT_TRUE(f->confirmed);
}

/// Reserves a contribution; returns its transfer.
uint64_t reserve(launchpad_state& st, const principal& who, tokens x,
                 timestamp now = during) {
  auto r = reserve_contribution(st, who, amount(x), now);
  EXPECT_TRUE(r) << r.err().to_string();
  return r ? *r : ~0ull;
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
  const auto seq = reserve(st, bob, 1000);
  r = reserve_contribution(st, carol, amount(100), during);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state)) << "at the cap";
  ASSERT_TRUE(finish_contribution(st, seq, block(7), during));
  EXPECT_EQ(st.raised, 3000u);
  EXPECT_EQ(status_at(st, during), sale_status::succeeded)
      << "the sale ends at the hard cap";
  EXPECT_EQ(check_invariants(st), "");
}

TEST(launchpad_state, confirming_tells_the_first_contribution) {
  auto st = sample();
  auto seq = reserve(st, alice, 300);
  auto f = finish_contribution(st, seq, block(3), during + 5);
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->confirmed);
  EXPECT_TRUE(f->first);
  EXPECT_EQ(f->confirmed->amount, 300u);
  EXPECT_EQ(f->confirmed->allocation, 600u) << "300 e8s at 0.5 per token";
  EXPECT_EQ(f->confirmed->last_contributed_at, during + 5);
  seq = reserve(st, alice, 100);
  // Duplicate: an identical request was block 4, so it happened.
  auto second = finish_contribution(
      st, seq,
      result<uint64_t>{make_error(ledger_errc::duplicate, "block 4", 4)},
      during + 6);
  ASSERT_TRUE(second);
  ASSERT_TRUE(second->confirmed);
  EXPECT_FALSE(second->first);
  EXPECT_EQ(second->confirmed->amount, 400u);
  EXPECT_EQ(second->confirmed->allocation, 800u);
  EXPECT_TRUE(st.transfers.empty());
  EXPECT_EQ(check_invariants(st), "");
}

TEST(launchpad_state, a_refused_transfer_releases_the_reservation) {
  auto st = sample();
  auto before = st;
  const auto seq = reserve(st, alice, 300);
  EXPECT_EQ(st.raised, 300u);
  EXPECT_EQ(contribution_of(st, alice).amount, 0u) << "not confirmed yet";
  EXPECT_EQ(st.transfers.size(), 1u);
  EXPECT_EQ(check_invariants(st), "");
  auto f = finish_contribution(st, seq, refused(), during);
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->confirmed);
  before.next_transfer = 1; // the number is used up
  EXPECT_EQ(st, before);
  // No answer is a release too; a second finish of it is refused.
  const auto again = reserve(st, alice, 300);
  ASSERT_TRUE(finish_contribution(st, again, no_answer(), during));
  before.next_transfer = 2;
  EXPECT_EQ(st, before);
  auto twice = finish_contribution(st, again, block(1), during);
  ASSERT_FALSE(twice);
  EXPECT_TRUE(is(twice.err(), contract_errc::not_found));
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
  reserve(st, bob, 1000);
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
  contribute(st, carol, 200);
  auto r = begin_finalize(st, owner, sale_end);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, sale_status::failed);
  auto no_fee = begin_refund(st, alice, sale_end);
  ASSERT_FALSE(no_fee) << "the fee first";
  EXPECT_TRUE(is(no_fee.err(), contract_errc::invalid_state));
  finalize_fee(st, result<tokens>{10}, sale_end);
  EXPECT_EQ(st.fee, 10u);
  auto claim = begin_claim_refund(st, alice, sale_end);
  ASSERT_FALSE(claim) << "not refunded yet";
  EXPECT_TRUE(is(claim.err(), contract_errc::invalid_state));
  // Principal order: user_n(2) alice, user_n(3) bob, user_n(4) carol.
  auto next = next_refund(st);
  ASSERT_TRUE(next);
  const auto first = next->contributor;
  auto wrong = begin_refund(st, first == bob ? alice : bob, sale_end);
  ASSERT_FALSE(wrong) << "only the next one";
  std::vector<principal> order;
  std::vector<uint64_t> seqs;
  while (auto n = next_refund(st)) {
    order.push_back(n->contributor);
    auto s = begin_refund(st, n->contributor, sale_end);
    ASSERT_TRUE(s) << s.err().to_string();
    ASSERT_TRUE(s->transfer);
    EXPECT_EQ(st.refund_cursor, n->contributor);
    EXPECT_EQ(check_invariants(st), "");
    seqs.push_back(*s->transfer);
    auto req = payment_request(st, *s->transfer);
    ASSERT_TRUE(req);
    EXPECT_EQ(req->amount, n->amount - 10);
    EXPECT_EQ(req->fee, 10u);
    // Paid, refused, unknown in turn.
    auto reply = order.size() == 1   ? block(11)
                 : order.size() == 2 ? refused()
                                     : no_answer();
    auto f = finish_refund(st, *s->transfer, reply, sale_end + 1);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->paid, order.size() == 1);
  }
  ASSERT_EQ(order.size(), 3u);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  end_finalize(st, sale_status::refunded, std::nullopt, sale_end + 2);
  EXPECT_EQ(status_at(st, sale_end), sale_status::refunded);
  EXPECT_TRUE(contribution_of(st, order[0]).refunded);
  EXPECT_FALSE(contribution_of(st, order[1]).refunded);
  EXPECT_FALSE(contribution_of(st, order[2]).refunded);
  // The refused refund is forgotten, the unknown one kept (not in flight).
  ASSERT_EQ(st.transfers.size(), 1u);
  EXPECT_FALSE(st.transfers.find(seqs[2])->in_flight);
  EXPECT_EQ(check_invariants(st), "");
  claim = begin_claim_refund(st, order[0], sale_end + 3);
  ASSERT_FALSE(claim);
  EXPECT_TRUE(is(claim.err(), contract_errc::already_done));
  claim = begin_claim_refund(st, stranger, sale_end + 3);
  ASSERT_FALSE(claim);
  EXPECT_TRUE(is(claim.err(), contract_errc::not_found));
  // A claim of the refused one starts a new transfer...
  claim = begin_claim_refund(st, order[1], sale_end + 3);
  ASSERT_TRUE(claim);
  ASSERT_TRUE(claim->transfer);
  const auto claimed = *claim->transfer;
  EXPECT_EQ(claimed, st.next_transfer - 1);
  auto twice = begin_claim_refund(st, order[1], sale_end + 3);
  ASSERT_FALSE(twice) << "the claim is in flight";
  EXPECT_TRUE(is(twice.err(), contract_errc::invalid_state));
  // ...one of the unknown one sends the same transfer again.
  const auto before = payment_request(st, seqs[2]).value();
  claim = begin_claim_refund(st, order[2], sale_end + 30);
  ASSERT_TRUE(claim);
  EXPECT_EQ(claim->transfer, seqs[2]);
  EXPECT_EQ(payment_request(st, seqs[2]).value(), before)
      << "identical: created_at_time and memo of the first attempt";
  EXPECT_EQ(transfers_in_flight(st), (std::vector<uint64_t>{seqs[2], claimed}));
  EXPECT_EQ(check_invariants(st), "");
  auto paid = finish_refund(
      st, seqs[2],
      result<uint64_t>{make_error(ledger_errc::duplicate, "block 12", 12)},
      sale_end + 31);
  ASSERT_TRUE(paid);
  EXPECT_TRUE(paid->paid);
  EXPECT_EQ(paid->refund.block_index, 12u);
  EXPECT_TRUE(contribution_of(st, order[2]).refunded);
  auto refunds = refunds_page(st, page{});
  EXPECT_EQ(refunds.total, 4u);
  ASSERT_EQ(refunds.refunds.size(), 4u);
  EXPECT_EQ(refunds.refunds[0].block_index, 11u);
  ASSERT_TRUE(refunds.refunds[1].failure);
  EXPECT_NE(refunds.refunds[1].failure->find("InsufficientFunds"),
            std::string::npos);
  EXPECT_EQ(refunds.refunds[3].block_index, 12u);
  EXPECT_EQ(check_invariants(st), "");
}

TEST(launchpad_state, a_refund_below_the_fee_is_recorded_refused) {
  auto st = sample();
  contribute(st, alice, 100);
  contribute(st, bob, 300);
  ASSERT_TRUE(begin_finalize(st, owner, sale_end));
  finalize_fee(st, result<tokens>{150}, sale_end);
  int refused_for_fee = 0;
  while (auto n = next_refund(st)) {
    auto s = begin_refund(st, n->contributor, sale_end);
    ASSERT_TRUE(s);
    if (n->contributor == alice) {
      EXPECT_FALSE(s->transfer);
      ASSERT_TRUE(s->refund);
      EXPECT_NE(s->refund->failure->find("fee"), std::string::npos);
      ++refused_for_fee;
    } else {
      ASSERT_TRUE(s->transfer) << "bob's 300 covers the fee";
      EXPECT_EQ(payment_request(st, *s->transfer).value().amount, 150u);
      ASSERT_TRUE(finish_refund(st, *s->transfer, block(9), sale_end));
    }
  }
  EXPECT_EQ(refused_for_fee, 1);
  EXPECT_EQ(st.refunds.size(), 2u);
  EXPECT_TRUE(st.transfers.empty());
  EXPECT_TRUE(contribution_of(st, bob).refunded);
  EXPECT_FALSE(contribution_of(st, alice).refunded);
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

// -- transfers ----------------------------------------------------------------

TEST(launchpad_state, transfers_rebuild_identical_requests) {
  auto st = sample();
  auto arg = amount(300);
  arg.from_subaccount = sub(5);
  auto seq = reserve_contribution(st, alice, arg, during + 7);
  ASSERT_TRUE(seq);
  EXPECT_EQ(*seq, 0u);
  const auto sale = contract_id;
  auto req = contribution_request(st, *seq, sale);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->from, acc(alice, sub(5)));
  EXPECT_EQ(req->to, acc(sale));
  EXPECT_EQ(req->amount, 300u);
  EXPECT_EQ(req->created_at_time, during + 7);
  EXPECT_EQ(req->memo, transfer_memo(0));
  EXPECT_FALSE(req->fee);
  // Rebuilt later (or from a restored copy of the state): the same.
  auto copy = st;
  auto later = reserve(st, bob, 200, during + 9);
  EXPECT_EQ(later, 1u);
  EXPECT_EQ(contribution_request(copy, *seq, sale).value(), *req);
  EXPECT_EQ(contribution_request(st, *seq, sale).value(), *req);
  EXPECT_NE(contribution_request(st, later, sale).value().memo, req->memo);
  EXPECT_FALSE(payment_request(st, *seq)) << "not a payment";
  EXPECT_FALSE(contribution_request(st, 9, sale));
  EXPECT_EQ(transfer_memo(0x0102030405060708ull),
            (blob{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(transfers_in_flight(st), (std::vector<uint64_t>{0, 1}));
  EXPECT_EQ(check_invariants(st), "");
}

TEST(launchpad_state, ledger_answers_are_classified) {
  std::optional<uint64_t> b;
  EXPECT_EQ(outcome_of(block(5), &b), ledger_outcome::happened);
  EXPECT_EQ(b, 5u);
  b.reset();
  EXPECT_EQ(outcome_of(result<uint64_t>{make_error(ledger_errc::duplicate,
                                                   "block 6", 6)},
                       &b),
            ledger_outcome::happened);
  EXPECT_EQ(b, 6u);
  EXPECT_EQ(outcome_of(refused()), ledger_outcome::refused);
  EXPECT_EQ(outcome_of(result<uint64_t>{
                make_error(ledger_errc::created_in_future, "ahead")}),
            ledger_outcome::refused);
  EXPECT_EQ(outcome_of(no_answer()), ledger_outcome::unknown);
  EXPECT_EQ(
      outcome_of(result<uint64_t>{make_error(ledger_errc::too_old, "too old")}),
      ledger_outcome::unknown);
}

TEST(launchpad_state, the_payout_is_paid_once) {
  auto st = sample();
  contribute(st, alice, 1200);
  ASSERT_TRUE(begin_finalize(st, owner, sale_end));
  auto early = begin_payout(st, sale_end);
  ASSERT_FALSE(early) << "the fee first";
  finalize_fee(st, result<tokens>{10}, sale_end);
  auto seq = begin_payout(st, sale_end + 1);
  ASSERT_TRUE(seq);
  ASSERT_TRUE(*seq);
  auto req = payment_request(st, **seq).value();
  EXPECT_EQ(req.to, acc(owner));
  EXPECT_EQ(req.amount, 1190u);
  EXPECT_EQ(req.fee, 10u);
  EXPECT_EQ(req.created_at_time, sale_end + 1);
  EXPECT_FALSE(begin_payout(st, sale_end + 1)) << "one in flight";
  // No answer: finalize ends unsettled, the payout is kept.
  ASSERT_TRUE(finish_payout(st, **seq, no_answer(), sale_end + 2));
  EXPECT_FALSE(st.settling);
  EXPECT_FALSE(st.settled);
  EXPECT_FALSE(st.transfers.find(**seq)->in_flight);
  EXPECT_EQ(check_invariants(st), "");
  // The next finalize sends the same payout again, even with another fee.
  ASSERT_TRUE(begin_finalize(st, stranger, sale_end + 3));
  EXPECT_FALSE(st.fee);
  finalize_fee(st, result<tokens>{20}, sale_end + 3);
  auto again = begin_payout(st, sale_end + 4);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *seq);
  EXPECT_EQ(payment_request(st, **again).value(), req);
  ASSERT_TRUE(finish_payout(
      st, **seq, result<uint64_t>{make_error(ledger_errc::duplicate, "b", 40)},
      sale_end + 5));
  EXPECT_EQ(st.settled, sale_status::finalized);
  EXPECT_EQ(st.payout_block, 40u);
  EXPECT_EQ(st.finalized_at, sale_end + 5);
  EXPECT_TRUE(st.transfers.empty());
  EXPECT_EQ(check_invariants(st), "");
  auto late = finish_payout(st, **seq, block(41), sale_end + 6);
  ASSERT_FALSE(late);
  EXPECT_TRUE(is(late.err(), contract_errc::not_found));
}

TEST(launchpad_state, a_refused_payout_is_forgotten) {
  auto st = sample();
  contribute(st, alice, 1200);
  ASSERT_TRUE(begin_finalize(st, owner, sale_end));
  finalize_fee(st, result<tokens>{10}, sale_end);
  auto seq = begin_payout(st, sale_end).value().value();
  ASSERT_TRUE(finish_payout(st, seq, refused(), sale_end));
  EXPECT_TRUE(st.transfers.empty());
  EXPECT_FALSE(st.settling);
  ASSERT_TRUE(begin_finalize(st, owner, sale_end + 1));
  finalize_fee(st, result<tokens>{10}, sale_end + 1);
  auto next = begin_payout(st, sale_end + 1).value().value();
  EXPECT_NE(next, seq) << "a new payout";
  // The fee query failing ends finalize unsettled.
  auto other = sample();
  contribute(other, alice, 1200);
  ASSERT_TRUE(begin_finalize(other, owner, sale_end));
  finalize_fee(other, result<tokens>{no_answer().err()}, sale_end);
  EXPECT_FALSE(other.settling);
  EXPECT_FALSE(other.fee);
}

TEST(launchpad_state, a_payout_the_fee_eats_settles_without_a_transfer) {
  auto init = sample_init();
  init.soft_cap = 100;
  auto st = make_launchpad_state(init, owner);
  contribute(st, alice, 100);
  ASSERT_TRUE(begin_finalize(st, owner, sale_end));
  finalize_fee(st, result<tokens>{100}, sale_end);
  auto r = begin_payout(st, sale_end);
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  EXPECT_EQ(st.settled, sale_status::finalized);
  EXPECT_FALSE(st.payout_block);
  EXPECT_TRUE(st.transfers.empty());
}

TEST(launchpad_state, invariants_catch_transfers_out_of_step) {
  auto st = sample();
  contribute(st, alice, 300);
  const auto seq = reserve(st, bob, 200);
  EXPECT_EQ(check_invariants(st), "");
  auto x = st;
  x.transfers = x.transfers.erase(seq);
  EXPECT_NE(check_invariants(x), "") << "a pending amount without a transfer";
  x = st;
  auto t = *x.transfers.find(seq);
  t.amount = 199;
  x.transfers = x.transfers.insert(seq, t);
  EXPECT_NE(check_invariants(x), "");
  x = st;
  x.next_transfer = seq;
  EXPECT_NE(check_invariants(x), "") << "a number not below next_transfer";
  x = st;
  t = *x.transfers.find(seq);
  t.kind = launchpad_transfer_kind::refund;
  x.transfers = x.transfers.insert(seq, t);
  EXPECT_NE(check_invariants(x), "");
  x = st;
  launchpad_transfer payout;
  payout.kind = launchpad_transfer_kind::payout;
  payout.who = owner;
  payout.amount = 5;
  payout.fee = 1;
  x.transfers = x.transfers.insert(x.next_transfer++, payout);
  EXPECT_NE(check_invariants(x), "") << "a payout in flight while open";
}

// -- the journal
// ----------------------------------------------------------------

using image = contract_checkpoint<launchpad_state>;

image fresh_image() {
  return image{make_contract_core(contract_kind::launchpad, contract_id, owner,
                                  factory_id, semver{1, 0, 0}, t0, true,
                                  "upcoming"),
               sample(),
               {}};
}

/// A live sale: runs each operation as launchpad_contract.cpp does and
/// keeps the events it would journal (through their bytes).
struct live_sale {
  image img = fresh_image();
  std::vector<op_event> events;

  template <class Arg>
  result<launchpad_op_result>
  run(uint16_t op, const principal& who, timestamp now, const Arg& arg) {
    auto r = run_launchpad_op(img.core, img.state, op, who, now, arg);
    if (r) {
      auto bytes = encode_event(make_op_event(op, who, now, arg));
      events.push_back(decode_event<op_event>(bytes, "test").value());
    }
    return r;
  }

  /// The first `n` events replayed on a fresh image.
  image replay(size_t n) const {
    auto out = fresh_image();
    for (size_t i = 0; i < n && i < events.size(); ++i) {
      auto ok = replay_launchpad_event(out, events[i]);
      EXPECT_TRUE(ok) << "event " << i << ": " << ok.err().message;
    }
    return out;
  }
};

TEST(launchpad_journal, replaying_a_failed_sale_gives_the_same_image) {
  live_sale live;
  ASSERT_TRUE(live.run(lp_op_status, principal{}, during, std::string{"open"}));
  auto sub_arg = amount(300);
  sub_arg.from_subaccount = sub(3);
  auto a = live.run(lp_op_reserve, alice, during, sub_arg).value();
  auto b = live.run(lp_op_reserve, bob, during + 1, amount(200)).value();
  auto c = live.run(lp_op_reserve, carol, during + 2, amount(400)).value();
  // A refusal changes nothing and is not journaled.
  ASSERT_FALSE(live.run(lp_op_reserve, alice, during + 3, amount(99)));
  ASSERT_TRUE(live.run(lp_op_finish_contribute, principal{}, during + 4,
                       transfer_reply{*a.transfer, block(1)}));
  ASSERT_TRUE(live.run(lp_op_finish_contribute, principal{}, during + 5,
                       transfer_reply{*b.transfer, refused()}));
  ASSERT_TRUE(live.run(lp_op_finish_contribute, principal{}, during + 6,
                       transfer_reply{*c.transfer,
                                      result<uint64_t>{make_error(
                                          ledger_errc::duplicate, "b", 2)}}));
  EXPECT_EQ(live.img.state.raised, 700u);
  ASSERT_TRUE(
      live.run(lp_op_status, principal{}, sale_end, std::string{"failed"}));
  ASSERT_TRUE(
      live.run(lp_op_begin_finalize, stranger, sale_end, finalize_sale_arg{}));
  ASSERT_TRUE(live.run(lp_op_finalize_fee, principal{}, sale_end + 1,
                       result<tokens>{10}));
  const size_t before_refunds = live.events.size();
  std::vector<uint64_t> refunds;
  bool first = true;
  while (auto n = next_refund(live.img.state)) {
    auto s = live.run(lp_op_begin_refund, principal{}, sale_end + 2,
                      n->contributor);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s.value().transfer);
    refunds.push_back(*s.value().transfer);
    // The crash point: the refund is durable and in flight.
    if (first) {
      auto at_crash = live.replay(live.events.size());
      EXPECT_EQ(at_crash, live.img);
      EXPECT_EQ(transfers_in_flight(at_crash.state),
                (std::vector<uint64_t>{*s.value().transfer}));
      EXPECT_EQ(payment_request(at_crash.state, *s.value().transfer).value(),
                payment_request(live.img.state, *s.value().transfer).value());
      first = false;
    }
    ASSERT_TRUE(
        live.run(lp_op_finish_refund, principal{}, sale_end + 3,
                 transfer_reply{*s.value().transfer,
                                refunds.size() == 1 ? block(3) : no_answer()}));
  }
  ASSERT_EQ(refunds.size(), 2u);
  ASSERT_TRUE(live.run(lp_op_end_refunds, principal{}, sale_end + 4,
                       finalize_sale_arg{}));
  ASSERT_TRUE(live.run(lp_op_status, principal{}, sale_end + 4,
                       std::string{"refunded"}));
  // The contributor whose refund got no answer claims: the same transfer.
  const auto unknown = live.img.state.transfers.find(refunds[1]);
  ASSERT_NE(unknown, nullptr);
  // A copy: the claim changes the map the pointer points into.
  const auto who = unknown->who;
  auto claim = live.run(lp_op_claim_refund, who, sale_end + 9,
                        claim_refund_arg{});
  ASSERT_TRUE(claim);
  EXPECT_EQ(claim.value().transfer, refunds[1]);
  ASSERT_TRUE(live.run(lp_op_finish_refund, principal{}, sale_end + 10,
                       transfer_reply{refunds[1], block(4)}));
  EXPECT_EQ(live.img.state.settled, sale_status::refunded);
  EXPECT_EQ(live.img.core.status, "refunded");
  EXPECT_TRUE(live.img.state.transfers.empty());
  EXPECT_EQ(check_invariants(live.img.state), "");
  // The whole journal, and every prefix, replays to what live had then.
  EXPECT_EQ(live.replay(live.events.size()), live.img);
  EXPECT_NE(live.replay(before_refunds), live.img);
}

TEST(launchpad_journal, replaying_a_payout_gives_the_same_image) {
  live_sale live;
  auto a = live.run(lp_op_reserve, alice, during, amount(1200)).value();
  ASSERT_TRUE(live.run(lp_op_finish_contribute, principal{}, during,
                       transfer_reply{*a.transfer, block(1)}));
  ASSERT_TRUE(
      live.run(lp_op_begin_finalize, owner, sale_end, finalize_sale_arg{}));
  ASSERT_TRUE(live.run(lp_op_finalize_fee, principal{}, sale_end,
                       result<tokens>{no_answer().err()}));
  EXPECT_FALSE(live.img.state.settling);
  ASSERT_TRUE(
      live.run(lp_op_begin_finalize, owner, sale_end + 1, finalize_sale_arg{}));
  ASSERT_TRUE(live.run(lp_op_finalize_fee, principal{}, sale_end + 1,
                       result<tokens>{10}));
  auto p = live.run(lp_op_begin_payout, principal{}, sale_end + 2,
                    finalize_sale_arg{});
  ASSERT_TRUE(p);
  ASSERT_TRUE(p.value().transfer);
  const auto at_crash = live.replay(live.events.size());
  EXPECT_EQ(at_crash, live.img);
  EXPECT_TRUE(at_crash.state.settling);
  EXPECT_EQ(transfers_in_flight(at_crash.state),
            (std::vector<uint64_t>{*p.value().transfer}));
  ASSERT_TRUE(live.run(lp_op_finish_payout, principal{}, sale_end + 3,
                       transfer_reply{*p.value().transfer, block(8)}));
  EXPECT_EQ(live.img.state.payout_block, 8u);
  EXPECT_EQ(live.replay(live.events.size()), live.img);
  // A bad event is an error naming it.
  op_event bad;
  bad.op = 999;
  auto img = fresh_image();
  EXPECT_FALSE(replay_launchpad_event(img, bad));
}

// -- deduplication on a real ledger -------------------------------------------

/// A ledger (fee 10) where alice has 1'000'000 and approved the sale.
struct dedup_ledger {
  ledger_state st;

  dedup_ledger() {
    ledger_config cfg;
    cfg.fee = 10;
    cfg.minting_account = acc(principal::canister_id(99));
    cfg.initial_balances = {{acc(alice, sub(3)), 1'000'000},
                            {acc(contract_id), 50'000}};
    st = make_ledger_state(cfg, t0).value();
    approve_args a;
    a.from_subaccount = sub(3);
    a.spender = acc(contract_id);
    a.amount = 1'000'000;
    EXPECT_TRUE(execute(alice, a, during));
  }

  template <class Request>
  result<uint64_t>
  execute(const principal& caller, const Request& req, timestamp now) {
    auto ev = decide(st, caller, req, now);
    if (!ev)
      return ev.err();
    apply(st, *ev);
    return ev->block;
  }

  tokens balance(const account& a) {
    return balance_of(st, a).value();
  }
};

TEST(launchpad_dedup, a_rebuilt_contribution_is_a_duplicate_of_the_first) {
  dedup_ledger ledger;
  auto st = sample();
  auto arg = amount(300);
  arg.from_subaccount = sub(3);
  const auto seq = reserve_contribution(st, alice, arg, during).value();
  // The first request went through; then the node stopped.
  auto first = ledger.execute(
      contract_id, contribution_request(st, seq, contract_id).value(),
      during + 1);
  ASSERT_TRUE(first) << first.err().to_string();
  const auto paid = ledger.balance(acc(contract_id));
  // The restored sale sends the request it rebuilds from its state.
  auto again = ledger.execute(
      contract_id, contribution_request(st, seq, contract_id).value(),
      during + ns(1h));
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), ledger_errc::duplicate));
  EXPECT_EQ(again.err().detail, *first);
  EXPECT_EQ(ledger.balance(acc(contract_id)), paid) << "taken once";
  auto f = finish_contribution(st, seq, again, during + ns(1h));
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->confirmed);
  EXPECT_EQ(f->confirmed->amount, 300u);
  // Another contribution never reached the ledger: sent at the restart, it
  // is taken once.
  const auto other = reserve_contribution(st, alice, arg, during + 2).value();
  auto once = ledger.execute(
      contract_id, contribution_request(st, other, contract_id).value(),
      during + ns(2h));
  ASSERT_TRUE(once) << once.err().to_string();
  EXPECT_EQ(ledger.balance(acc(contract_id)), paid + 300);
  // Past the dedup window the outcome is unknown: TooOld.
  auto late = ledger.execute(
      contract_id, contribution_request(st, other, contract_id).value(),
      during + 2 + ns(25h));
  ASSERT_FALSE(late);
  EXPECT_TRUE(is(late.err(), ledger_errc::too_old));
  EXPECT_EQ(outcome_of(late), ledger_outcome::unknown);
}

TEST(launchpad_dedup, a_rebuilt_refund_pays_once) {
  dedup_ledger ledger;
  auto st = sample();
  contribute(st, alice, 300);
  contribute(st, bob, 200);
  ASSERT_TRUE(begin_finalize(st, owner, sale_end));
  finalize_fee(st, result<tokens>{10}, sale_end);
  auto n = next_refund(st).value();
  const auto seq
      = begin_refund(st, n.contributor, sale_end).value().transfer.value();
  auto req = payment_request(st, seq).value();
  auto first = ledger.execute(contract_id, req, sale_end + 1);
  ASSERT_TRUE(first) << first.err().to_string();
  const auto balance = ledger.balance(acc(n.contributor));
  EXPECT_EQ(balance, n.amount - 10);
  auto again = ledger.execute(contract_id, payment_request(st, seq).value(),
                              sale_end + ns(3h));
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), ledger_errc::duplicate));
  EXPECT_EQ(again.err().detail, *first);
  EXPECT_EQ(ledger.balance(acc(n.contributor)), balance) << "paid once";
  auto f = finish_refund(st, seq, again, sale_end + ns(3h));
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->paid);
  EXPECT_EQ(f->refund.block_index, *first);
  // The next refund never reached the ledger: sent now, it pays once.
  auto m = next_refund(st).value();
  const auto seq2 = begin_refund(st, m.contributor, sale_end + ns(3h))
                        .value()
                        .transfer.value();
  auto once = ledger.execute(contract_id, payment_request(st, seq2).value(),
                             sale_end + ns(4h));
  ASSERT_TRUE(once) << once.err().to_string();
  EXPECT_EQ(ledger.balance(acc(m.contributor)), m.amount - 10);
}

} // namespace
} // namespace icto::contract_test
