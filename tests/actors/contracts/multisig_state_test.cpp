// Multisig wallet rules, without actors.

#include "actors/contracts/multisig_state.hpp"
#include "tests/actors/contracts/contract_test_util.hpp"

#include <gtest/gtest.h>

namespace icto::contract_test {
namespace {

using status = multisig_proposal_status;

/// Signers alice, bob, carol; threshold 2; observer stranger? no: none.
multisig_init init3() {
  multisig_init init;
  init.name = "Team wallet";
  init.signers = {alice, bob, carol};
  init.threshold = 2;
  return init;
}

multisig_state wallet() {
  return make_multisig_state(init3(), contract_id, owner);
}

propose_transfer_arg pay(tokens amount, principal to = stranger) {
  propose_transfer_arg a;
  a.to = acc(to);
  a.amount = amount;
  a.description = "pay";
  return a;
}

template <class T>
void expect_err(const result<T>& r, contract_errc code) {
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), code)) << r.err().to_string();
}

TEST(multisig_init, validation_names_the_field) {
  EXPECT_TRUE(validate_multisig_init(init3()));
  auto bad = [](auto change, const char* field) {
    auto init = init3();
    change(init);
    auto r = validate_multisig_init(init);
    ASSERT_FALSE(r) << field;
    EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
    EXPECT_EQ(r.err().message.rfind(field, 0), 0u) << r.err().message;
  };
  bad(
      [](multisig_init& i) {
        i.name = "";
      },
      "name");
  bad(
      [](multisig_init& i) {
        i.signers.clear();
      },
      "signers");
  bad(
      [](multisig_init& i) {
        i.signers.push_back(alice);
      },
      "signers");
  bad(
      [](multisig_init& i) {
        i.signers.push_back(principal::anonymous());
      },
      "signers");
  bad(
      [](multisig_init& i) {
        i.threshold = 0;
      },
      "threshold");
  bad(
      [](multisig_init& i) {
        i.threshold = 4;
      },
      "threshold");
  bad(
      [](multisig_init& i) {
        i.observers = {bob};
      },
      "observers");
  bad(
      [](multisig_init& i) {
        i.observers = {stranger, stranger};
      },
      "observers");
}

TEST(multisig_state, owner_manages_signers_and_keeps_the_threshold) {
  auto st = wallet();
  expect_err(add_signer(st, alice, add_signer_arg{stranger}),
             contract_errc::unauthorized);
  expect_err(add_signer(st, owner, add_signer_arg{alice}),
             contract_errc::already_done);
  ASSERT_TRUE(add_signer(st, owner, add_signer_arg{stranger}));
  EXPECT_TRUE(is_signer(st, stranger));
  EXPECT_EQ(st.signers.size(), 4u);
  ASSERT_TRUE(set_threshold(st, owner, set_threshold_arg{4}));
  expect_err(remove_signer(st, owner, remove_signer_arg{stranger}),
             contract_errc::invalid_state);
  expect_err(set_threshold(st, owner, set_threshold_arg{5}),
             contract_errc::invalid_argument);
  expect_err(set_threshold(st, owner, set_threshold_arg{0}),
             contract_errc::invalid_argument);
  expect_err(set_threshold(st, alice, set_threshold_arg{1}),
             contract_errc::unauthorized);
  ASSERT_TRUE(set_threshold(st, owner, set_threshold_arg{3}));
  ASSERT_TRUE(remove_signer(st, owner, remove_signer_arg{stranger}));
  EXPECT_FALSE(is_signer(st, stranger));
  expect_err(remove_signer(st, owner, remove_signer_arg{stranger}),
             contract_errc::not_found);
  expect_err(remove_signer(st, owner, remove_signer_arg{alice}),
             contract_errc::invalid_state);
  EXPECT_TRUE(check_multisig_state(st));
}

TEST(multisig_state, owner_manages_observers) {
  auto st = wallet();
  expect_err(add_observer(st, bob, add_observer_arg{stranger}),
             contract_errc::unauthorized);
  expect_err(add_observer(st, owner, add_observer_arg{bob}),
             contract_errc::invalid_argument);
  ASSERT_TRUE(add_observer(st, owner, add_observer_arg{stranger}));
  expect_err(add_observer(st, owner, add_observer_arg{stranger}),
             contract_errc::already_done);
  expect_err(add_signer(st, owner, add_signer_arg{stranger}),
             contract_errc::invalid_argument);
  expect_err(remove_observer(st, bob, remove_observer_arg{stranger}),
             contract_errc::unauthorized);
  ASSERT_TRUE(remove_observer(st, owner, remove_observer_arg{stranger}));
  expect_err(remove_observer(st, owner, remove_observer_arg{stranger}),
             contract_errc::not_found);
  EXPECT_TRUE(check_multisig_state(st));
}

TEST(multisig_state, proposals_need_threshold_signers_once_each) {
  auto st = wallet();
  expect_err(propose_transfer(st, owner, pay(10), t0),
             contract_errc::unauthorized);
  expect_err(propose_transfer(st, alice, pay(0), t0),
             contract_errc::invalid_argument);
  expect_err(propose_transfer(st, alice, pay(10, contract_id), t0),
             contract_errc::invalid_argument);
  auto badsub = pay(10);
  badsub.to.subaccount = blob(3, 1);
  expect_err(propose_transfer(st, alice, badsub, t0),
             contract_errc::invalid_argument);
  auto id = propose_transfer(st, alice, pay(10), t0);
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, 1u);
  auto p = proposal_of(st, 1, t0);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, status::pending);
  EXPECT_EQ(p->approvals, std::vector<principal>{alice});
  EXPECT_EQ(p->proposer, alice);
  expect_err(approve_proposal(st, alice, 1, t0), contract_errc::already_done);
  expect_err(approve_proposal(st, stranger, 1, t0),
             contract_errc::unauthorized);
  expect_err(approve_proposal(st, bob, 9, t0), contract_errc::not_found);
  expect_err(begin_execute(st, alice, 1, t0), contract_errc::invalid_state);
  auto a = approve_proposal(st, bob, 1, t0);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, status::approved);
  EXPECT_EQ(a->approvals.size(), 2u);
  // more approvals than the threshold are fine
  ASSERT_TRUE(approve_proposal(st, carol, 1, t0));
  EXPECT_TRUE(check_multisig_state(st));
  EXPECT_EQ(wallet_info_of(st, false, t0).open_proposals, 1u);
}

TEST(multisig_state, signer_and_threshold_changes_regrade_open_proposals) {
  auto st = wallet();
  ASSERT_TRUE(propose_transfer(st, alice, pay(10), t0));
  ASSERT_TRUE(approve_proposal(st, bob, 1, t0));
  EXPECT_EQ(proposal_of(st, 1, t0)->status, status::approved);
  ASSERT_TRUE(set_threshold(st, owner, set_threshold_arg{3}));
  EXPECT_EQ(proposal_of(st, 1, t0)->status, status::pending);
  ASSERT_TRUE(set_threshold(st, owner, set_threshold_arg{2}));
  EXPECT_EQ(proposal_of(st, 1, t0)->status, status::approved);
  // bob leaves: his approval no longer counts
  ASSERT_TRUE(remove_signer(st, owner, remove_signer_arg{bob}));
  auto p = proposal_of(st, 1, t0);
  EXPECT_EQ(p->status, status::pending);
  EXPECT_EQ(p->approvals, std::vector<principal>{alice});
  EXPECT_TRUE(check_multisig_state(st));
}

TEST(multisig_state, execute_pays_once_and_records_the_outcome) {
  auto st = wallet();
  ASSERT_TRUE(propose_transfer(st, alice, pay(10), t0));
  ASSERT_TRUE(approve_proposal(st, bob, 1, t0));
  expect_err(begin_execute(st, stranger, 1, t0), contract_errc::unauthorized);
  auto t = begin_execute(st, carol, 1, t0 + 5);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to, acc(stranger));
  EXPECT_EQ(t->amount, 10u);
  EXPECT_EQ(t->created_at_time, t0 + 5);
  EXPECT_FALSE(t->from_subaccount);
  expect_err(begin_execute(st, alice, 1, t0), contract_errc::invalid_state);
  auto p = finish_execute(st, 1, result<uint64_t>{uint64_t{42}}, t0 + 6);
  EXPECT_EQ(p.status, status::executed);
  EXPECT_EQ(p.block_index, 42u);
  EXPECT_EQ(p.executed_at, t0 + 6);
  expect_err(begin_execute(st, alice, 1, t0), contract_errc::invalid_state);
  expect_err(approve_proposal(st, carol, 1, t0), contract_errc::invalid_state);
  EXPECT_EQ(wallet_info_of(st, false, t0).open_proposals, 0u);
  EXPECT_TRUE(check_multisig_state(st));
}

TEST(multisig_state, ledger_refusal_fails_and_lost_reply_retries_same_tx) {
  auto st = wallet();
  ASSERT_TRUE(propose_transfer(st, alice, pay(10), t0));
  ASSERT_TRUE(approve_proposal(st, bob, 1, t0));
  ASSERT_TRUE(propose_transfer(st, alice, pay(20), t0));
  ASSERT_TRUE(approve_proposal(st, bob, 2, t0));
  // proposal 1: no answer, back to approved; the retry reuses the stamp
  auto t = begin_execute(st, alice, 1, t0 + 1);
  ASSERT_TRUE(t);
  auto p = finish_execute(st, 1, make_error(system_errc::timeout, "lost"),
                          t0 + 2);
  EXPECT_EQ(p.status, status::approved);
  auto again = begin_execute(st, bob, 1, t0 + 100);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->created_at_time, t0 + 1);
  p = finish_execute(st, 1, make_error(ledger_errc::duplicate, "dup", 7),
                     t0 + 101);
  EXPECT_EQ(p.status, status::executed);
  EXPECT_EQ(p.block_index, 7u);
  // proposal 2: the ledger refuses
  ASSERT_TRUE(begin_execute(st, alice, 2, t0));
  p = finish_execute(
      st, 2, make_error(ledger_errc::insufficient_funds, "poor", 0), t0);
  EXPECT_EQ(p.status, status::failed);
  ASSERT_TRUE(p.failure);
  EXPECT_NE(p.failure->find("InsufficientFunds"), std::string::npos)
      << *p.failure;
  EXPECT_TRUE(st.attempts.empty());
  EXPECT_TRUE(st.executing.empty());
  EXPECT_TRUE(check_multisig_state(st));
}

TEST(multisig_state, proposals_expire) {
  auto st = wallet();
  ASSERT_TRUE(propose_transfer(st, alice, pay(10), t0));
  const auto late = t0 + ns(multisig_proposal_ttl);
  EXPECT_EQ(proposal_of(st, 1, late)->status, status::expired);
  EXPECT_EQ(proposal_of(st, 1, late - 1)->status, status::pending);
  EXPECT_EQ(wallet_info_of(st, false, late).open_proposals, 0u);
  expect_err(approve_proposal(st, bob, 1, late), contract_errc::invalid_state);
  EXPECT_EQ(st.proposals.find(1)->status, status::expired);
  expect_err(approve_proposal(st, bob, 1, t0), contract_errc::invalid_state);
}

TEST(multisig_state, private_wallets_are_read_by_members_only) {
  auto st = wallet();
  ASSERT_TRUE(add_observer(st, owner, add_observer_arg{stranger}));
  EXPECT_TRUE(require_viewer(st, owner, false));
  EXPECT_TRUE(require_viewer(st, alice, false));
  EXPECT_TRUE(require_viewer(st, stranger, false));
  expect_err(require_viewer(st, user_n(77), false),
             contract_errc::unauthorized);
  EXPECT_TRUE(require_viewer(st, user_n(77), true));
}

TEST(multisig_state, proposals_page_newest_first_with_filter) {
  auto st = wallet();
  for (int i = 1; i <= 5; ++i)
    ASSERT_TRUE(propose_transfer(st, alice, pay(tokens(i)), t0));
  ASSERT_TRUE(approve_proposal(st, bob, 2, t0));
  ASSERT_TRUE(approve_proposal(st, bob, 4, t0));
  multisig_proposals_arg all;
  auto pg = proposals_of(st, all, t0);
  EXPECT_EQ(pg.total, 5u);
  ASSERT_EQ(pg.proposals.size(), 5u);
  EXPECT_EQ(pg.proposals.front().id, 5u);
  EXPECT_EQ(pg.proposals.back().id, 1u);
  multisig_proposals_arg approved;
  approved.status = status::approved;
  approved.page = page{1, 1};
  pg = proposals_of(st, approved, t0);
  EXPECT_EQ(pg.total, 2u);
  ASSERT_EQ(pg.proposals.size(), 1u);
  EXPECT_EQ(pg.proposals[0].id, 2u);
  auto info = wallet_info_of(st, true, t0);
  EXPECT_EQ(info.proposals, 5u);
  EXPECT_EQ(info.open_proposals, 5u);
  EXPECT_EQ(info.threshold, 2u);
  EXPECT_EQ(info.name, "Team wallet");
  EXPECT_TRUE(info.is_public);
}

TEST(multisig_versions, one_version_with_a_checked_state) {
  const auto& t = multisig_versions();
  ASSERT_EQ(t.steps.size(), 1u);
  EXPECT_EQ(t.steps[0].version, (semver{1, 0, 0}));
  auto st = wallet();
  EXPECT_TRUE(health_of(t, st, semver{1, 0, 0}).healthy);
  st.threshold = 4; // broken on purpose
  auto h = health_of(t, st, semver{1, 0, 0});
  EXPECT_FALSE(h.healthy);
  EXPECT_NE(h.message.find("threshold"), std::string::npos);
  semver v{1, 0, 0};
  auto r = migrate(t, st, v, semver{1, 1, 0});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), factory_errc::unknown_version));
}

} // namespace
} // namespace icto::contract_test
