// A DAO's rules without actors: init validation, membership, proposals,
// weighted votes, quorum and approval, execution of each action; the
// transfer of an executed proposal (rebuilt the same every time, settled by
// the ledger's answer, deduplicated by a real ledger_state); the journal
// (live operations vs. the replay of their events).

#include "actors/contracts/contract_core.hpp"
#include "actors/contracts/dao_journal.hpp"
#include "actors/contracts/dao_state.hpp"
#include "actors/ledger/ledger_state.hpp"
#include "tests/actors/contracts/contract_test_util.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace icto::contract_test {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t period = 3 * 24 * 3600;
const timestamp after_vote = t0 + ns(std::chrono::seconds{period});

/// alice 60, bob 30, carol 10; quorum 50 %, approval 60 %, 3 days.
dao_init sample_init() {
  dao_init init;
  init.name = "Builders";
  init.members = {{alice, 60}, {bob, 30}, {carol, 10}};
  init.quorum_bps = 5000;
  init.approval_threshold_bps = 6000;
  init.voting_period_seconds = period;
  return init;
}

dao_state sample() {
  return make_dao_state(sample_init(), owner);
}

dao_create_proposal_arg text_proposal() {
  dao_create_proposal_arg a;
  a.title = "Adopt the roadmap";
  a.description = "See the forum.";
  return a;
}

dao_create_proposal_arg action_proposal(dao_action action,
                                        dao_action_params params) {
  auto a = text_proposal();
  a.action = action;
  a.params = std::move(params);
  return a;
}

void vote(dao_state& st, const principal& who, uint64_t id,
          dao_vote_choice choice) {
  auto r = cast_vote(st, who, dao_vote_arg{id, choice}, t0 + 1);
  ASSERT_TRUE(r) << r.err().to_string();
}

/// A proposal by alice that alice and bob vote yes on.
uint64_t passed(dao_state& st, dao_create_proposal_arg arg) {
  auto id = create_proposal(st, alice, arg, t0);
  EXPECT_TRUE(id) << (id ? "" : id.err().to_string());
  if (!id)
    return 0;
  vote(st, alice, *id, dao_vote_choice::yes);
  vote(st, bob, *id, dao_vote_choice::yes);
  return *id;
}

void expect_invalid(const dao_init& init, const std::string& field) {
  auto r = validate(init);
  ASSERT_FALSE(r) << field;
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
  EXPECT_NE(r.err().message.find(field), std::string::npos) << r.err().message;
}

TEST(dao_state, validate_names_the_bad_field) {
  EXPECT_TRUE(validate(sample_init()));
  auto x = sample_init();
  x.name = "";
  expect_invalid(x, "name");
  x = sample_init();
  x.members.clear();
  expect_invalid(x, "members");
  x = sample_init();
  x.members[2].voting_power = 0;
  expect_invalid(x, "members[2].voting_power");
  x = sample_init();
  x.members[0].member = principal::anonymous();
  expect_invalid(x, "members[0].member");
  x = sample_init();
  x.members.push_back({bob, 1});
  expect_invalid(x, "members[3].member");
  x = sample_init();
  x.members = {{alice, ~0ull}, {bob, 1}};
  expect_invalid(x, "members[1].voting_power");
  x = sample_init();
  x.quorum_bps = 0;
  expect_invalid(x, "quorum_bps");
  x = sample_init();
  x.quorum_bps = 10001;
  expect_invalid(x, "quorum_bps");
  x = sample_init();
  x.approval_threshold_bps = 0;
  expect_invalid(x, "approval_threshold_bps");
  x = sample_init();
  x.voting_period_seconds = 0;
  expect_invalid(x, "voting_period_seconds");
  x = sample_init();
  x.voting_period_seconds = 366ull * 24 * 3600;
  expect_invalid(x, "voting_period_seconds");
}

TEST(dao_state, make_sums_the_power) {
  auto st = sample();
  EXPECT_EQ(st.total_voting_power, 100u);
  EXPECT_EQ(st.members.size(), 3u);
  EXPECT_EQ(check_invariants(st), "");
}

TEST(dao_state, the_owner_adds_and_removes_members) {
  auto st = sample();
  auto r = add_member(st, alice, {stranger, 5});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  r = add_member(st, owner, {stranger, 0});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
  r = add_member(st, owner, {bob, 5});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::already_done));
  ASSERT_TRUE(add_member(st, owner, {stranger, 5}));
  EXPECT_EQ(st.total_voting_power, 105u);
  r = remove_member(st, bob, carol);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  r = remove_member(st, owner, owner);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::not_found));
  ASSERT_TRUE(remove_member(st, owner, carol));
  EXPECT_EQ(st.total_voting_power, 95u);
  EXPECT_EQ(check_invariants(st), "");
}

TEST(dao_state, the_last_member_stays) {
  auto init = sample_init();
  init.members = {{alice, 1}};
  auto st = make_dao_state(init, owner);
  auto r = remove_member(st, owner, alice);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  EXPECT_EQ(st.members.size(), 1u);
}

TEST(dao_state, members_create_proposals) {
  auto st = sample();
  auto r = create_proposal(st, owner, text_proposal(), t0);
  ASSERT_FALSE(r) << "the owner is not a member";
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  auto bad = text_proposal();
  bad.title = "";
  r = create_proposal(st, alice, bad, t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
  r = create_proposal(st, alice, text_proposal(), t0);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 1u);
  auto p = proposal_of(st, 1, t0);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->proposer, alice);
  EXPECT_EQ(p->status, dao_proposal_status::open);
  EXPECT_EQ(p->voting_ends_at, after_vote);
  EXPECT_EQ(*create_proposal(st, bob, text_proposal(), t0), 2u);
  EXPECT_EQ(check_invariants(st), "");
}

TEST(dao_state, params_must_fit_the_action) {
  auto st = sample();
  auto refused = [&](dao_action a, dao_action_params p, const char* field) {
    auto r = create_proposal(st, alice, action_proposal(a, p), t0);
    ASSERT_FALSE(r) << field;
    EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
    EXPECT_NE(r.err().message.find(field), std::string::npos)
        << r.err().message;
  };
  dao_action_params p;
  p.member = stranger;
  refused(dao_action::text, p, "params.member");
  refused(dao_action::add_member, p, "params.voting_power");
  p.voting_power = 0;
  refused(dao_action::add_member, p, "params.voting_power");
  p.member = bob;
  p.voting_power = 3;
  refused(dao_action::add_member, p, "params.member");
  refused(dao_action::remove_member, dao_action_params{}, "params.member");
  dao_action_params gone;
  gone.member = stranger;
  refused(dao_action::remove_member, gone, "params.member");
  dao_action_params bps;
  bps.bps = 0;
  refused(dao_action::change_quorum, bps, "params.bps");
  bps.bps = 20000;
  refused(dao_action::change_approval_threshold, bps, "params.bps");
  dao_action_params pay;
  pay.to = acc(stranger);
  refused(dao_action::transfer, pay, "params.amount");
  pay.amount = 0;
  refused(dao_action::transfer, pay, "params.amount");
  pay.amount = 5;
  pay.to->subaccount = blob(3, 0);
  refused(dao_action::transfer, pay, "params.to.subaccount");
  EXPECT_TRUE(st.proposals.empty());
}

TEST(dao_state, members_vote_once_with_their_power) {
  auto st = sample();
  auto id = *create_proposal(st, alice, text_proposal(), t0);
  auto r = cast_vote(st, stranger, {id, dao_vote_choice::yes}, t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  r = cast_vote(st, alice, {99, dao_vote_choice::yes}, t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::not_found));
  r = cast_vote(st, alice, {id, dao_vote_choice::yes}, t0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->yes_power, 60u);
  ASSERT_EQ(r->ballots.size(), 1u);
  EXPECT_EQ(r->ballots[0].weight, 60u);
  r = cast_vote(st, alice, {id, dao_vote_choice::no}, t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::already_done));
  r = cast_vote(st, bob, {id, dao_vote_choice::no}, t0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->no_power, 30u);
  EXPECT_EQ(r->ballots.size(), 2u);
  r = cast_vote(st, carol, {id, dao_vote_choice::yes}, after_vote);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  EXPECT_EQ(check_invariants(st), "");
}

TEST(dao_state, execution_waits_for_the_end_of_voting) {
  auto st = sample();
  auto id = passed(st, text_proposal());
  auto r = execute_proposal(st, alice, id, after_vote - 1);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  EXPECT_NE(r.err().message.find("still open"), std::string::npos);
  EXPECT_EQ(proposal_of(st, id, after_vote - 1)->status,
            dao_proposal_status::open);
  EXPECT_EQ(proposal_of(st, id, after_vote)->status,
            dao_proposal_status::passed);
}

TEST(dao_state, a_passed_text_proposal_executes_once) {
  auto st = sample();
  auto id = passed(st, text_proposal());
  auto r = execute_proposal(st, stranger, id, after_vote);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  r = execute_proposal(st, carol, id, after_vote);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->added);
  auto p = proposal_of(st, id, after_vote);
  EXPECT_EQ(p->status, dao_proposal_status::executed);
  EXPECT_EQ(p->executed_at, after_vote);
  r = execute_proposal(st, carol, id, after_vote);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::already_done));
}

TEST(dao_state, quorum_is_measured_against_the_power_at_creation) {
  auto st = sample();
  auto id = *create_proposal(st, alice, text_proposal(), t0);
  vote(st, bob, id, dao_vote_choice::yes);
  vote(st, carol, id, dao_vote_choice::yes);
  // 40 of 100 voted: below the 50 % quorum, although all votes are yes.
  ASSERT_TRUE(add_member(st, owner, {stranger, 1})); // does not change it
  EXPECT_EQ(proposal_of(st, id, after_vote)->status,
            dao_proposal_status::rejected);
  auto r = execute_proposal(st, alice, id, after_vote);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  EXPECT_NE(r.err().message.find("quorum"), std::string::npos);
  EXPECT_EQ(st.proposals.find(id)->proposal.status,
            dao_proposal_status::rejected);
}

TEST(dao_state, approval_is_measured_against_the_votes_cast) {
  auto st = sample();
  auto id = *create_proposal(st, alice, text_proposal(), t0);
  vote(st, alice, id, dao_vote_choice::yes); // 60 yes
  vote(st, bob, id, dao_vote_choice::no);    // 30 no
  vote(st, carol, id, dao_vote_choice::no);  // 10 no: 60 % yes, passes
  EXPECT_EQ(proposal_of(st, id, after_vote)->status,
            dao_proposal_status::passed);
  auto st2 = sample();
  auto id2 = *create_proposal(st2, alice, text_proposal(), t0);
  vote(st2, bob, id2, dao_vote_choice::yes);   // 30 yes
  vote(st2, carol, id2, dao_vote_choice::yes); // 10 yes
  vote(st2, alice, id2, dao_vote_choice::no);  // 60 no: 40 % yes
  auto r = execute_proposal(st2, bob, id2, after_vote);
  ASSERT_FALSE(r);
  EXPECT_NE(r.err().message.find("approval"), std::string::npos);
}

TEST(dao_state, tally_boundaries) {
  dao_proposal_record r;
  r.eligible_power = 100;
  r.proposal.yes_power = 30;
  r.proposal.no_power = 20;
  EXPECT_TRUE(tally_passes(r, 5000, 6000));  // 50 % cast, 60 % yes
  EXPECT_FALSE(tally_passes(r, 5001, 6000)); // quorum just missed
  EXPECT_FALSE(tally_passes(r, 5000, 6001)); // approval just missed
  r.proposal.yes_power = 0;
  r.proposal.no_power = 0;
  EXPECT_FALSE(tally_passes(r, 1, 1)) << "no vote never passes";
}

TEST(dao_state, executed_proposals_change_members_and_settings) {
  auto st = sample();
  dao_action_params add;
  add.member = stranger;
  add.voting_power = 50;
  auto a = passed(st, action_proposal(dao_action::add_member, add));
  dao_action_params rm;
  rm.member = carol;
  auto b = passed(st, action_proposal(dao_action::remove_member, rm));
  dao_action_params q;
  q.bps = 2500;
  auto c = passed(st, action_proposal(dao_action::change_quorum, q));
  dao_action_params t;
  t.bps = 9000;
  auto d = passed(st,
                  action_proposal(dao_action::change_approval_threshold, t));
  auto r = execute_proposal(st, alice, a, after_vote);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->added, stranger);
  EXPECT_EQ(*st.members.find(stranger), 50u);
  r = execute_proposal(st, alice, b, after_vote);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->removed, carol);
  EXPECT_FALSE(st.members.contains(carol));
  EXPECT_EQ(st.total_voting_power, 140u);
  ASSERT_TRUE(execute_proposal(st, alice, c, after_vote));
  EXPECT_EQ(st.quorum_bps, 2500u);
  ASSERT_TRUE(execute_proposal(st, alice, d, after_vote));
  EXPECT_EQ(st.approval_threshold_bps, 9000u);
  EXPECT_EQ(check_invariants(st), "");
}

TEST(dao_state, an_action_that_cannot_be_done_fails) {
  auto st = sample();
  dao_action_params add;
  add.member = stranger;
  add.voting_power = 5;
  auto a = passed(st, action_proposal(dao_action::add_member, add));
  ASSERT_TRUE(add_member(st, owner, {stranger, 7}));
  auto r = execute_proposal(st, alice, a, after_vote);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->added);
  auto p = proposal_of(st, a, after_vote);
  EXPECT_EQ(p->status, dao_proposal_status::failed);
  ASSERT_TRUE(p->failure);
  EXPECT_NE(p->failure->find("member already"), std::string::npos);
  EXPECT_EQ(*st.members.find(stranger), 7u);
}

TEST(dao_state, a_transfer_waits_for_the_ledger) {
  auto st = sample();
  dao_action_params pay;
  pay.to = acc(stranger);
  pay.amount = 1234;
  auto id = passed(st, action_proposal(dao_action::transfer, pay));
  ASSERT_TRUE(execute_proposal(st, alice, id, after_vote));
  EXPECT_TRUE(awaits_transfer(st, id));
  auto again = execute_proposal(st, bob, id, after_vote);
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), contract_errc::invalid_state));
  EXPECT_EQ(check_invariants(st), "");
  finish_transfer(st, id, after_vote + 5, std::string{"InsufficientFunds"});
  auto p = proposal_of(st, id, after_vote + 5);
  EXPECT_EQ(p->status, dao_proposal_status::failed);
  EXPECT_EQ(p->failure, std::string{"InsufficientFunds"});
  EXPECT_FALSE(awaits_transfer(st, id));
}

TEST(dao_state, queries_page_and_filter) {
  auto st = sample();
  auto one = passed(st, text_proposal());
  auto two = *create_proposal(st, bob, text_proposal(), t0);
  auto info = info_of(st, false, t0 + 1);
  EXPECT_EQ(info.members, 3u);
  EXPECT_EQ(info.total_voting_power, 100u);
  EXPECT_EQ(info.proposals, 2u);
  EXPECT_EQ(info.open_proposals, 2u);
  EXPECT_EQ(info_of(st, false, after_vote).open_proposals, 0u);
  dao_proposals_arg all;
  auto pg = proposals_page(st, all, t0 + 1);
  EXPECT_EQ(pg.total, 2u);
  ASSERT_EQ(pg.proposals.size(), 2u);
  EXPECT_EQ(pg.proposals[0].id, two) << "newest first";
  dao_proposals_arg passed_only;
  passed_only.status = dao_proposal_status::passed;
  pg = proposals_page(st, passed_only, after_vote);
  EXPECT_EQ(pg.total, 1u);
  ASSERT_EQ(pg.proposals.size(), 1u);
  EXPECT_EQ(pg.proposals[0].id, one);
  all.page = page{1, 1};
  pg = proposals_page(st, all, t0 + 1);
  ASSERT_EQ(pg.proposals.size(), 1u);
  EXPECT_EQ(pg.proposals[0].id, one);
  auto members = members_page(st, page{2, 0});
  EXPECT_EQ(members.total, 3u);
  EXPECT_EQ(members.members.size(), 2u);
  EXPECT_FALSE(proposal_of(st, 42, t0));
  EXPECT_TRUE(check_can_read(st, carol, false));
  EXPECT_TRUE(check_can_read(st, owner, false));
  EXPECT_FALSE(check_can_read(st, stranger, false));
  EXPECT_TRUE(check_can_read(st, stranger, true));
}

TEST(dao_state, invariants_catch_a_wrong_tally) {
  auto st = sample();
  auto id = passed(st, text_proposal());
  auto r = *st.proposals.find(id);
  r.proposal.yes_power += 1;
  st.proposals = st.proposals.insert(id, r);
  EXPECT_NE(check_invariants(st), "");
}

// -- the transfer of an executed proposal -------------------------------------

/// A passed proposal paying 1234 to stranger's subaccount 3.
uint64_t passed_transfer(dao_state& st) {
  dao_action_params pay;
  pay.to = acc(stranger, sub(3));
  pay.amount = 1234;
  return passed(st, action_proposal(dao_action::transfer, pay));
}

TEST(dao_state, a_transfer_is_rebuilt_the_same_from_the_state) {
  auto st = sample();
  auto id = passed_transfer(st);
  auto other = passed_transfer(st);
  EXPECT_TRUE(transfers_in_flight(st).empty());
  ASSERT_TRUE(execute_proposal(st, alice, id, after_vote + 7));
  ASSERT_TRUE(execute_proposal(st, bob, other, after_vote + 9));
  EXPECT_EQ(transfers_in_flight(st), (std::vector<uint64_t>{id, other}));
  const auto t = transfer_of(st, id);
  EXPECT_EQ(t.to, acc(stranger, sub(3)));
  EXPECT_EQ(t.amount, 1234u);
  EXPECT_EQ(t.created_at_time, after_vote + 7) << "when it was executed";
  EXPECT_EQ(t.memo, (blob{0, 0, 0, 0, 0, 0, 0, static_cast<uint8_t>(id)}));
  EXPECT_FALSE(t.fee);
  EXPECT_FALSE(t.from_subaccount);
  EXPECT_EQ(dao_transfer_memo(0x0102030405060708ull),
            (blob{1, 2, 3, 4, 5, 6, 7, 8}));
  // Another proposal: another memo and time, so never deduplicated away.
  EXPECT_NE(transfer_of(st, other).memo, t.memo);
  EXPECT_EQ(transfer_of(st, other).created_at_time, after_vote + 9);
  // Later, after a checkpoint round trip or anything else: the same.
  auto copy = st;
  ASSERT_TRUE(
      cast_vote(copy, alice,
                dao_vote_arg{*create_proposal(copy, alice, text_proposal(),
                                              after_vote + 20),
                             dao_vote_choice::yes},
                after_vote + 21));
  EXPECT_EQ(transfer_of(copy, id), t);
  EXPECT_EQ(check_invariants(st), "");
}

TEST(dao_state, settling_a_transfer_follows_the_ledgers_answer) {
  auto st = sample();
  auto id = passed_transfer(st);
  ASSERT_TRUE(execute_proposal(st, alice, id, after_vote));
  const auto in_flight = st;
  // Unknown: too_old, no answer. Nothing changes.
  for (const auto& unknown : {make_error(ledger_errc::too_old, "too old"),
                              make_error(system_errc::timeout, "no answer"),
                              make_error(system_errc::unavailable, "gone")}) {
    auto r = settle_transfer(st, id, after_vote + 1, unknown);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, dao_transfer_outcome::unknown) << unknown.to_string();
    EXPECT_EQ(st, in_flight);
  }
  // ok: executed with the block.
  auto ok = st;
  EXPECT_EQ(settle_transfer(ok, id, after_vote + 2, result<uint64_t>{41}),
            result<dao_transfer_outcome>{dao_transfer_outcome::executed});
  EXPECT_FALSE(awaits_transfer(ok, id));
  EXPECT_EQ(ok.proposals.find(id)->transfer_block, 41u);
  EXPECT_EQ(proposal_of(ok, id, after_vote + 2)->status,
            dao_proposal_status::executed);
  EXPECT_EQ(proposal_of(ok, id, after_vote + 2)->executed_at, after_vote + 2);
  EXPECT_EQ(check_invariants(ok), "");
  // Settled already: refused, nothing changes.
  const auto settled = ok;
  auto again = settle_transfer(ok, id, after_vote + 3, result<uint64_t>{42});
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), contract_errc::invalid_state));
  EXPECT_EQ(ok, settled);
  // duplicate: it happened before, as the block the ledger names.
  auto dup = st;
  EXPECT_EQ(*settle_transfer(dup, id, after_vote + 2,
                             make_error(ledger_errc::duplicate, "dup", 17)),
            dao_transfer_outcome::executed);
  EXPECT_EQ(dup.proposals.find(id)->transfer_block, 17u);
  EXPECT_EQ(proposal_of(dup, id, after_vote + 2)->status,
            dao_proposal_status::executed);
  // Any other answer: it did not happen.
  auto poor = st;
  EXPECT_EQ(*settle_transfer(poor, id, after_vote + 2,
                             make_error(ledger_errc::insufficient_funds,
                                        "the balance is 5", 5)),
            dao_transfer_outcome::failed);
  auto p = proposal_of(poor, id, after_vote + 2);
  EXPECT_EQ(p->status, dao_proposal_status::failed);
  ASSERT_TRUE(p->failure);
  EXPECT_NE(p->failure->find("InsufficientFunds"), std::string::npos)
      << *p->failure;
  EXPECT_FALSE(poor.proposals.find(id)->transfer_block);
  EXPECT_FALSE(awaits_transfer(poor, id));
  EXPECT_EQ(check_invariants(poor), "");
}

TEST(dao_state, a_member_may_retry_a_transfer_in_flight) {
  auto st = sample();
  auto id = passed_transfer(st);
  auto r = retry_transfer(st, alice, id);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  ASSERT_TRUE(execute_proposal(st, alice, id, after_vote));
  r = retry_transfer(st, stranger, id);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  r = retry_transfer(st, carol, id);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, transfer_of(st, id));
}

TEST(dao_state, invariants_catch_a_transfer_that_cannot_be_rebuilt) {
  auto st = sample();
  auto id = passed_transfer(st);
  ASSERT_TRUE(execute_proposal(st, alice, id, after_vote));
  EXPECT_EQ(check_invariants(st), "");
  auto broken = st;
  auto r = *broken.proposals.find(id);
  r.transfer_created_at.reset();
  broken.proposals = broken.proposals.insert(id, r);
  EXPECT_NE(check_invariants(broken).find("cannot rebuild"), std::string::npos);
  broken = st;
  r = *broken.proposals.find(id);
  r.transfer_block = 3;
  broken.proposals = broken.proposals.insert(id, r);
  EXPECT_NE(check_invariants(broken).find("transfer block"), std::string::npos);
  auto text = passed(st, text_proposal());
  r = *st.proposals.find(text);
  r.transfer_created_at = after_vote;
  st.proposals = st.proposals.insert(text, r);
  EXPECT_NE(check_invariants(st).find("no transfer"), std::string::npos);
}

// -- deduplication by a real ledger -------------------------------------------

class dao_ledger_dedup : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_config lc;
    lc.name = "Platform";
    lc.symbol = "ICP";
    lc.decimals = 8;
    lc.fee = 10;
    lc.minting_account = acc(principal::canister_id(99));
    lc.initial_balances = {{acc(contract_id), 1'000'000}};
    auto made = make_ledger_state(lc, t0);
    ASSERT_TRUE(made) << made.err().to_string();
    ledger = std::move(*made);
    dao = sample();
    id = passed_transfer(dao);
    ASSERT_TRUE(execute_proposal(dao, alice, id, after_vote));
  }

  /// The DAO's transfer `t` on the ledger at `now`.
  result<uint64_t> pay(const transfer_arg& t, timestamp now) {
    auto ev = decide(ledger, contract_id, t, now);
    if (!ev)
      return ev.err();
    apply(ledger, *ev);
    return ev->block;
  }

  tokens paid() {
    return balance_of(ledger, acc(stranger, sub(3))).value();
  }

  ledger_state ledger;
  dao_state dao;
  uint64_t id = 0;
};

TEST_F(dao_ledger_dedup, the_rebuilt_transfer_after_the_first_is_a_duplicate) {
  // The first request reached the ledger; the node died before its answer
  // was journaled: `dao` is what the restart rebuilds.
  auto first = pay(transfer_of(dao, id), after_vote + ns(1s));
  ASSERT_TRUE(first) << first.err().to_string();
  EXPECT_EQ(paid(), 1234u);
  auto again = pay(transfer_of(dao, id), after_vote + ns(30s));
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), ledger_errc::duplicate))
      << again.err().to_string();
  EXPECT_EQ(again.err().detail, *first);
  EXPECT_EQ(paid(), 1234u) << "paid once";
  EXPECT_EQ(*settle_transfer(dao, id, after_vote + ns(30s), again),
            dao_transfer_outcome::executed);
  EXPECT_EQ(dao.proposals.find(id)->transfer_block, *first);
  EXPECT_EQ(proposal_of(dao, id, after_vote + ns(30s))->status,
            dao_proposal_status::executed);
}

TEST_F(dao_ledger_dedup,
       the_rebuilt_transfer_pays_once_if_the_first_never_ran) {
  auto r = pay(transfer_of(dao, id), after_vote + ns(1s));
  ASSERT_TRUE(r) << r.err().to_string();
  EXPECT_EQ(paid(), 1234u);
  EXPECT_EQ(*settle_transfer(dao, id, after_vote + ns(1s), r),
            dao_transfer_outcome::executed);
  EXPECT_EQ(dao.proposals.find(id)->transfer_block, *r);
}

TEST_F(dao_ledger_dedup, past_the_window_the_outcome_stays_unknown) {
  const auto in_flight = dao;
  auto late = pay(transfer_of(dao, id), after_vote + ns(25h));
  ASSERT_FALSE(late);
  EXPECT_TRUE(is(late.err(), ledger_errc::too_old)) << late.err().to_string();
  EXPECT_EQ(paid(), 0u);
  EXPECT_EQ(*settle_transfer(dao, id, after_vote + ns(25h), late),
            dao_transfer_outcome::unknown);
  EXPECT_EQ(dao, in_flight);
  EXPECT_TRUE(awaits_transfer(dao, id));
}

// -- the journal
// ----------------------------------------------------------------

/// Runs operations as the DAO actor does, recording the events it
/// journals: a success, a refused execution that changed the proposal's
/// status, a settlement with a known outcome.
class dao_live {
 public:
  dao_live() : img(initial()) {
    events.push_back(
        make_op_event(contract_op::created, owner, t0, contract_id));
  }

  static dao_image initial() {
    return dao_image{make_contract_core(contract_kind::dao, contract_id, owner,
                                        factory_id, semver{1, 0, 0}, t0, false,
                                        "active"),
                     make_dao_state(sample_init(), owner),
                     {}};
  }

  template <class Arg>
  auto run(const principal& who, timestamp now, const Arg& arg) {
    const auto* before = img.state.proposals.find(proposal_id(arg));
    const auto status = before ? std::optional{before->proposal.status}
                               : std::nullopt;
    auto r = run_dao_op(img.state, who, now, arg);
    bool logged = static_cast<bool>(r);
    if constexpr (std::is_same_v<Arg, dao_execute_arg>) {
      const auto* after = img.state.proposals.find(arg.proposal_id);
      logged = logged || (after && after->proposal.status != status);
    }
    if constexpr (std::is_same_v<Arg, dao_settle_arg>)
      logged = r && *r != dao_transfer_outcome::unknown;
    if (logged)
      events.push_back(dao_event(who, now, arg));
    return r;
  }

  dao_image img;
  std::vector<op_event> events;

 private:
  template <class Arg>
  static uint64_t proposal_id(const Arg& arg) {
    if constexpr (std::is_same_v<Arg, dao_execute_arg>)
      return arg.proposal_id;
    else
      return 0;
  }
};

/// Replays `events` (through their stored form) on a new DAO's image.
result<dao_image> replay(const std::vector<op_event>& events) {
  auto img = dao_live::initial();
  for (const auto& ev : events) {
    auto stored = decode_event<op_event>(encode_event(ev), "test event");
    if (!stored)
      return stored.err();
    if (auto ok = replay_dao_event(img, *stored); !ok)
      return ok.err();
  }
  return img;
}

TEST(dao_journal, replaying_the_events_rebuilds_the_live_state) {
  dao_live live;
  const auto later = after_vote + ns(1h);
  ASSERT_TRUE(live.run(owner, t0, dao_member{stranger, 5}));
  ASSERT_FALSE(live.run(alice, t0, dao_member{user_n(20), 5}));
  dao_action_params pay;
  pay.to = acc(user_n(21));
  pay.amount = 500;
  dao_action_params add;
  add.member = user_n(22);
  add.voting_power = 40;
  dao_action_params quorum;
  quorum.bps = 2000;
  auto make = [&](const principal& who, dao_action action,
                  dao_action_params params) {
    auto a = text_proposal();
    a.action = action;
    a.params = std::move(params);
    auto id = live.run(who, t0 + 1, a);
    EXPECT_TRUE(id) << id.err().to_string();
    return id ? *id : 0;
  };
  const auto paid = make(alice, dao_action::transfer, pay);
  const auto poor = make(bob, dao_action::transfer, pay);
  const auto lost = make(bob, dao_action::transfer, pay);
  const auto member = make(carol, dao_action::add_member, add);
  const auto settings = make(alice, dao_action::change_quorum, quorum);
  const auto rejected = make(alice, dao_action::text, {});
  for (auto id : {paid, poor, lost, member, settings}) {
    ASSERT_TRUE(
        live.run(alice, t0 + 2, dao_vote_arg{id, dao_vote_choice::yes}));
    ASSERT_TRUE(live.run(bob, t0 + 3, dao_vote_arg{id, dao_vote_choice::yes}));
  }
  ASSERT_TRUE(
      live.run(carol, t0 + 4, dao_vote_arg{rejected, dao_vote_choice::no}));
  ASSERT_FALSE(
      live.run(carol, t0 + 5, dao_vote_arg{rejected, dao_vote_choice::no}));
  // Too early, then executed; a rejected one is marked so by its refusal.
  ASSERT_FALSE(live.run(alice, t0 + 6, dao_execute_arg{member}));
  for (auto id : {paid, poor, lost, member, settings})
    ASSERT_TRUE(live.run(bob, later, dao_execute_arg{id}));
  auto refused = live.run(carol, later, dao_execute_arg{rejected});
  ASSERT_FALSE(refused);
  EXPECT_EQ(live.img.state.proposals.find(rejected)->proposal.status,
            dao_proposal_status::rejected);
  // The ledger answers: paid, refused, unknown (still in flight).
  EXPECT_EQ(*live.run({}, later + 1, dao_settle_arg{paid, 12}),
            dao_transfer_outcome::executed);
  EXPECT_EQ(
      *live.run({}, later + 2,
                dao_settle_arg{poor, make_error(ledger_errc::insufficient_funds,
                                                "no money", 3)}),
      dao_transfer_outcome::failed);
  EXPECT_EQ(*live.run({}, later + 3,
                      dao_settle_arg{lost, make_error(system_errc::timeout,
                                                      "no answer")}),
            dao_transfer_outcome::unknown);
  ASSERT_TRUE(live.run(owner, later + 4, dao_remove_member_arg{carol}));
  EXPECT_EQ(check_invariants(live.img.state), "");
  EXPECT_EQ(transfers_in_flight(live.img.state), (std::vector<uint64_t>{lost}));

  auto back = replay(live.events);
  ASSERT_TRUE(back) << back.err().to_string();
  EXPECT_EQ(*back, live.img);
  EXPECT_EQ(transfer_of(back->state, lost), transfer_of(live.img.state, lost));
  // A prefix replays to the state the live run had then: without the last
  // event, carol is still a member.
  auto prefix = live.events;
  prefix.pop_back();
  auto earlier = replay(prefix);
  ASSERT_TRUE(earlier);
  EXPECT_TRUE(earlier->state.members.contains(carol));
  EXPECT_FALSE(back->state.members.contains(carol));
}

TEST(dao_journal, a_bad_event_is_refused) {
  auto img = dao_live::initial();
  auto unknown = dao_event(owner, t0, dao_member{stranger, 5});
  unknown.op = 99;
  auto r = replay_dao_event(img, unknown);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), system_errc::storage_failure));
  auto garbled = dao_event(owner, t0, dao_member{stranger, 5});
  garbled.arg = "x";
  r = replay_dao_event(img, garbled);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), system_errc::storage_failure));
  EXPECT_EQ(img, dao_live::initial());
}

} // namespace
} // namespace icto::contract_test
