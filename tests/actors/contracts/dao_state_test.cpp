// A DAO's rules without actors: init validation, membership, proposals,
// weighted votes, quorum and approval, execution of each action.

#include "actors/contracts/dao_state.hpp"
#include "tests/actors/contracts/contract_test_util.hpp"

#include <gtest/gtest.h>

#include <chrono>

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

} // namespace
} // namespace icto::contract_test
