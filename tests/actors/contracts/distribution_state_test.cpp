// A distribution's rules without actors: init validation, the vesting
// schedule, the owner's edits, activation, cancellation and claims; claims
// in flight (their records, the transfer rebuilt from them, settle and
// release, the token's answers), the journal's replay against the live
// operations, and a resent claim deduplicated by a real ledger_state.

#include "actors/contracts/distribution_journal.hpp"
#include "actors/contracts/distribution_state.hpp"
#include "tests/actors/contracts/contract_test_util.hpp"
#include "tests/actors/ledger/ledger_test_util.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

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
  EXPECT_EQ(r->amount, 200u);
  EXPECT_FALSE(settle_claim(st, r->seq));
  auto f = figures_of(st, alice, at_day(20));
  EXPECT_EQ(f.claimed, 200u);
  EXPECT_EQ(f.claimable, 0u);
  auto again = reserve_claim(st, alice, at_day(20));
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), contract_errc::invalid_state));
  r = reserve_claim(st, alice, at_day(50));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->amount, 300u);
  EXPECT_FALSE(settle_claim(st, r->seq));
  EXPECT_EQ(st.total_claimed, 500u);
  EXPECT_EQ(check_invariants(st), "");
}

TEST(distribution_state, a_reserved_claim_cannot_be_claimed_twice) {
  auto st = active_state();
  ASSERT_TRUE(reserve_claim(st, alice, at_day(50)));
  auto r = reserve_claim(st, alice, at_day(50));
  ASSERT_FALSE(r) << "the first claim is still in flight";
  EXPECT_EQ(st.pending.size(), 1u);
}

TEST(distribution_state, a_failed_payout_releases_the_claim) {
  auto st = active_state();
  auto before = st;
  auto r = reserve_claim(st, alice, at_day(50));
  ASSERT_TRUE(r);
  release_claim(st, r->seq);
  EXPECT_EQ(st.recipients, before.recipients);
  EXPECT_EQ(st.total_claimed, before.total_claimed);
  EXPECT_TRUE(st.pending.empty());
  EXPECT_EQ(st.next_claim, 2u) << "a sequence number is never reused";
  EXPECT_EQ(check_invariants(st), "");
  r = reserve_claim(st, alice, at_day(50));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->amount, 500u);
  EXPECT_EQ(r->seq, 2u);
}

TEST(distribution_state, claiming_everything_completes) {
  auto st = active_state();
  auto a = reserve_claim(st, alice, at_day(100));
  auto b = reserve_claim(st, bob, at_day(100));
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_FALSE(settle_claim(st, a->seq)) << "bob's payout is in flight";
  EXPECT_EQ(st.status, distribution_status::active);
  EXPECT_TRUE(settle_claim(st, b->seq));
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

// -- claims in flight ---------------------------------------------------------

TEST(distribution_state, a_reservation_records_the_claim_in_flight) {
  auto st = active_state();
  auto a = reserve_claim(st, alice, at_day(20));
  auto b = reserve_claim(st, bob, at_day(30));
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(*a, (distribution_claim_ticket{1, 200}));
  EXPECT_EQ(*b, (distribution_claim_ticket{2, 900}));
  EXPECT_EQ(st.next_claim, 3u);
  ASSERT_EQ(st.pending.size(), 2u);
  EXPECT_EQ(*st.pending.find(1),
            (distribution_pending_claim{alice, 200, at_day(20)}));
  EXPECT_EQ(*st.pending.find(2),
            (distribution_pending_claim{bob, 900, at_day(30)}));
  EXPECT_EQ(claims_in_flight(st, alice), std::vector<uint64_t>{1});
  EXPECT_TRUE(claims_in_flight(st, carol).empty());
  EXPECT_EQ(check_invariants(st), "");
  EXPECT_TRUE(settle_claim(st, 1) == false && st.pending.size() == 1);
  EXPECT_EQ(figures_of(st, alice, at_day(20)).claimed, 200u)
      << "a settled claim stays claimed";
}

TEST(distribution_state, the_transfer_of_a_claim_is_rebuilt_identically) {
  auto st = active_state();
  auto a = reserve_claim(st, alice, at_day(20));
  ASSERT_TRUE(a);
  auto t = claim_transfer(st, a->seq);
  ASSERT_TRUE(t) << t.err().message;
  EXPECT_EQ(t->to, acc(alice));
  EXPECT_EQ(t->amount, 200u);
  EXPECT_EQ(t->memo, (blob{0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(t->created_at_time, at_day(20));
  EXPECT_FALSE(t->fee);
  EXPECT_FALSE(t->from_subaccount);
  // Later, after other claims, and from a copy: the same transfer.
  auto b = reserve_claim(st, bob, at_day(40));
  ASSERT_TRUE(b);
  auto copy = st;
  EXPECT_EQ(claim_transfer(copy, a->seq).value(), *t);
  EXPECT_NE(claim_transfer(st, b->seq)->memo, t->memo);
  EXPECT_EQ(claim_memo(0x0102030405060708ull), (blob{1, 2, 3, 4, 5, 6, 7, 8}));
  settle_claim(st, a->seq);
  auto gone = claim_transfer(st, a->seq);
  ASSERT_FALSE(gone);
  EXPECT_TRUE(is(gone.err(), contract_errc::not_found));
}

TEST(distribution_state, settling_or_releasing_twice_changes_nothing) {
  auto st = active_state();
  auto a = reserve_claim(st, alice, at_day(20));
  ASSERT_TRUE(a);
  const auto before = st;
  EXPECT_FALSE(settle_claim(st, 7));
  release_claim(st, 7);
  EXPECT_EQ(st, before);
  release_claim(st, a->seq);
  EXPECT_TRUE(st.pending.empty());
  EXPECT_EQ(figures_of(st, alice, at_day(20)).claimed, 0u);
  const auto released = st;
  release_claim(st, a->seq);
  EXPECT_FALSE(settle_claim(st, a->seq));
  EXPECT_EQ(st, released) << "a claim leaves the flight once";
  EXPECT_EQ(check_invariants(st), "");
}

TEST(distribution_state, a_token_answer_is_paid_refused_or_unknown) {
  const result<uint64_t> ok{uint64_t{12}};
  const result<uint64_t> dup{make_error(ledger_errc::duplicate, "dup", 7)};
  EXPECT_TRUE(classify_payout(ok) == payout_outcome::paid);
  EXPECT_EQ(paid_block(ok), 12u);
  EXPECT_TRUE(classify_payout(dup) == payout_outcome::paid);
  EXPECT_EQ(paid_block(dup), 7u) << "a duplicate names the first block";
  for (auto code : {ledger_errc::insufficient_funds, ledger_errc::bad_fee,
                    ledger_errc::created_in_future, ledger_errc::generic_error,
                    ledger_errc::temporarily_unavailable})
    EXPECT_TRUE(classify_payout(result<uint64_t>{make_error(code, "no")})
                == payout_outcome::refused)
        << to_string(code);
  EXPECT_TRUE(
      classify_payout(result<uint64_t>{make_error(ledger_errc::too_old, "old")})
      == payout_outcome::unknown);
  for (auto code : {system_errc::timeout, system_errc::unavailable})
    EXPECT_TRUE(classify_payout(result<uint64_t>{make_error(code, "?")})
                == payout_outcome::unknown)
        << to_string(code);
}

TEST(distribution_state, invariants_check_the_claims_in_flight) {
  auto st = active_state();
  ASSERT_TRUE(reserve_claim(st, alice, at_day(20)));
  ASSERT_EQ(check_invariants(st), "");
  auto expect_broken = [&](auto change, const std::string& needle) {
    auto x = st;
    change(x);
    const auto bad = check_invariants(x);
    EXPECT_NE(bad.find(needle), std::string::npos)
        << "expected '" << needle << "', got '" << bad << "'";
  };
  expect_broken(
      [](distribution_state& x) {
        x.next_claim = 1;
      },
      "next_claim");
  expect_broken(
      [](distribution_state& x) {
        x.pending = x.pending.insert(1, {carol, 200, t0});
      },
      "not a recipient");
  expect_broken(
      [](distribution_state& x) {
        x.pending = x.pending.insert(1, {alice, 0, t0});
      },
      "amount of 0");
  expect_broken(
      [](distribution_state& x) {
        x.pending = x.pending.insert(2, {alice, 1, t0});
        x.next_claim = 3;
      },
      "exceed what it claimed");
  expect_broken(
      [](distribution_state& x) {
        x.pending = x.pending.erase(1);
        x.pending = x.pending.insert(1, {alice, 200, t0});
        x.status = distribution_status::completed;
      },
      "completed");
}

// -- the journal --------------------------------------------------------------

/// A contract image as the actor starts one, and the events it journals.
struct journaled {
  distribution_image live;
  std::vector<op_event> events;
  /// `live` after each event.
  std::vector<distribution_image> after;

  template <class Arg>
  void log(uint16_t op, const principal& who, timestamp now, const Arg& arg) {
    events.push_back(make_op_event(op, who, now, arg));
    after.push_back(live);
  }

  /// What the actor does when the business status changed.
  void status() {
    live.core.status = std::string{to_string(live.state.status)};
  }
};

distribution_image new_image(const distribution_init& init) {
  distribution_image img;
  img.core = make_contract_core(contract_kind::distribution, contract_id, owner,
                                factory_id, semver{1, 0, 0}, t0,
                                /*is_public=*/false, "created");
  img.state = make_distribution_state(init, owner);
  return img;
}

TEST(distribution_state, replaying_the_journal_gives_the_live_state) {
  const auto init = sample_init();
  journaled j{new_image(init), {}, {}};
  auto& st = j.live.state;
  const distribution_recipient add_carol{carol, 500};
  ASSERT_TRUE(add_recipient(st, owner, add_carol));
  j.log(op_distribution_add_recipient, owner, t0, add_carol);
  ASSERT_FALSE(add_recipient(st, stranger, {stranger, 5})) << "not journaled";
  ASSERT_TRUE(remove_recipient(st, owner, carol));
  j.log(op_distribution_remove_recipient, owner, t0 + 1,
        remove_recipient_arg{carol});
  const distribution_recipient add_carol_again{carol, 600};
  ASSERT_TRUE(add_recipient(st, owner, add_carol_again));
  j.log(op_distribution_add_recipient, owner, t0 + 2, add_carol_again);
  ASSERT_TRUE(*set_visibility(j.live.core, owner, {true}));
  j.log(contract_op::visibility, owner, t0 + 3, set_visibility_arg{true});
  ASSERT_TRUE(activate(st, owner, t0 + 4));
  j.status();
  j.log(op_distribution_activate, owner, t0 + 4, distribution_activate_arg{});
  // Claims: reserved at their times, then settled, released or left open.
  auto reserve = [&](const principal& who, timestamp now) {
    auto t = reserve_claim(st, who, now);
    EXPECT_TRUE(t);
    j.log(op_distribution_reserve_claim, who, now, distribution_claim_arg{});
    return t ? t->seq : 0;
  };
  auto settle = [&](uint64_t seq, uint64_t block) {
    if (settle_claim(st, seq))
      j.status();
    j.log(op_distribution_settle_claim, principal{}, at_day(101),
          distribution_claim_settled{seq, block});
  };
  const auto a1 = reserve(alice, at_day(20));
  const auto b1 = reserve(bob, at_day(20));
  const auto c1 = reserve(carol, at_day(100));
  settle(a1, 5);
  release_claim(st, b1);
  j.log(op_distribution_release_claim, principal{}, at_day(101), b1);
  const auto b2 = reserve(bob, at_day(100));
  const auto a2 = reserve(alice, at_day(100));
  EXPECT_EQ(b2, 4u) << "the released claim's number is not reused";
  settle(c1, 6);
  settle(b2, 7);
  EXPECT_EQ(st.status, distribution_status::active) << "alice's is in flight";
  settle(a2, 8);
  ASSERT_EQ(st.status, distribution_status::completed);
  ASSERT_EQ(j.live.core.status, "completed");
  ASSERT_EQ(check_invariants(st), "");
  // Replayed one event at a time from the initial image.
  auto img = new_image(init);
  ASSERT_EQ(j.events.size(), j.after.size());
  for (size_t i = 0; i < j.events.size(); ++i) {
    auto ok = replay_distribution_event(img, j.events[i]);
    ASSERT_TRUE(ok) << "event " << i << ": " << ok.err().message;
    ASSERT_EQ(img, j.after[i])
        << "after event " << i << " (op " << j.events[i].op << ")";
  }
  EXPECT_EQ(img, j.live);
  // Cut after alice's second reservation: her claim is in flight, its
  // transfer rebuilt from the replayed state is the live one.
  auto cut = new_image(init);
  for (size_t i = 0; i < j.events.size(); ++i) {
    ASSERT_TRUE(replay_distribution_event(cut, j.events[i]));
    if (j.events[i].op == op_distribution_reserve_claim
        && j.events[i].who == alice && cut.state.pending.contains(a2))
      break;
  }
  auto t = claim_transfer(cut.state, a2);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->amount, 800u);
  EXPECT_EQ(t->created_at_time, at_day(100));
  EXPECT_EQ(t->memo, claim_memo(a2));
}

TEST(distribution_state, a_bad_journal_event_is_refused) {
  auto img = new_image(sample_init());
  auto unknown = make_op_event(999, owner, t0, uint64_t{1});
  auto r = replay_distribution_event(img, unknown);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), system_errc::storage_failure));
  EXPECT_NE(r.err().message.find("999"), std::string::npos);
  auto garbled = make_op_event(op_distribution_settle_claim, owner, t0,
                               std::string{"x"});
  r = replay_distribution_event(img, garbled);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), system_errc::storage_failure)) << r.err().message;
  EXPECT_EQ(img, new_image(sample_init()));
}

// -- the token deduplicates a resent claim
// -------------------------------------

class distribution_dedup : public ::testing::Test {
 protected:
  distribution_dedup() {
    auto cfg = ledger_test::small_config();
    cfg.initial_balances.push_back({acc(contract_id), 1'000'000});
    ledger = make_ledger_state(cfg, t0).value();
    dist = active_state();
  }

  /// The token's answer to `t` sent by the distribution at `now` (the
  /// block, applied, or the refusal).
  result<uint64_t> send(const transfer_arg& t, timestamp now) {
    auto ev = decide(ledger, contract_id, t, now);
    if (!ev)
      return ev.err();
    apply(ledger, *ev);
    return ev->block;
  }

  tokens balance(const principal& p) {
    return balance_of(ledger, acc(p)).value();
  }

  ledger_state ledger;
  distribution_state dist;
};

TEST_F(distribution_dedup, a_resend_after_the_payment_is_its_duplicate) {
  const auto now = at_day(20);
  auto a = reserve_claim(dist, alice, now);
  ASSERT_TRUE(a);
  const auto before = balance(alice);
  auto first = send(claim_transfer(dist, a->seq).value(), now + 1000);
  ASSERT_TRUE(first) << first.err().to_string();
  EXPECT_EQ(balance(alice), before + 200);
  // The node died before the answer was journaled: the restored state
  // (a copy of the journaled one) sends its transfer again.
  const auto restored = dist;
  auto again = send(claim_transfer(restored, a->seq).value(), now + ns(1h));
  ASSERT_TRUE(
      ledger_test::is_ledger_error(again, ledger_errc::duplicate, *first));
  EXPECT_TRUE(classify_payout(again) == payout_outcome::paid);
  EXPECT_EQ(paid_block(again), *first);
  EXPECT_EQ(balance(alice), before + 200) << "paid once";
  // The next claim of the same recipient has its own memo: paid.
  settle_claim(dist, a->seq);
  auto b = reserve_claim(dist, alice, at_day(40));
  ASSERT_TRUE(b);
  auto second = send(claim_transfer(dist, b->seq).value(), at_day(40));
  ASSERT_TRUE(second) << second.err().to_string();
  EXPECT_EQ(balance(alice), before + 400);
}

TEST_F(distribution_dedup, a_resend_of_a_transfer_that_never_left_pays_once) {
  const auto now = at_day(20);
  auto a = reserve_claim(dist, alice, now);
  ASSERT_TRUE(a);
  const auto before = balance(alice);
  auto paid = send(claim_transfer(dist, a->seq).value(), now + ns(1h));
  ASSERT_TRUE(paid) << paid.err().to_string();
  EXPECT_TRUE(classify_payout(paid) == payout_outcome::paid);
  EXPECT_EQ(balance(alice), before + 200);
  auto twice = send(claim_transfer(dist, a->seq).value(), now + ns(2h));
  EXPECT_TRUE(
      ledger_test::is_ledger_error(twice, ledger_errc::duplicate, *paid));
  EXPECT_EQ(balance(alice), before + 200);
}

TEST_F(distribution_dedup, a_resend_past_the_window_is_unknown_not_paid) {
  const auto now = at_day(20);
  auto a = reserve_claim(dist, alice, now);
  ASSERT_TRUE(a);
  const auto before = balance(alice);
  auto late = send(claim_transfer(dist, a->seq).value(), now + ns(25h));
  ASSERT_TRUE(ledger_test::is_ledger_error(late, ledger_errc::too_old));
  EXPECT_TRUE(classify_payout(late) == payout_outcome::unknown)
      << "it may have been paid: the claim stays in flight";
  EXPECT_EQ(balance(alice), before);
}

} // namespace
} // namespace icto::contract_test
