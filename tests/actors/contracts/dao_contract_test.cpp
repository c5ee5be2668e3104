// The DAO contract actor with the real ledger: membership and its
// callbacks, proposals, votes, execution of membership changes and of a
// transfer paid from the DAO's account on the platform ledger; a DAO
// restored from its journal with a transfer in flight sends it again and
// pays it at most once.

#include "actors/common/event_codec.hpp"
#include "actors/contracts/contract_core.hpp"
#include "actors/contracts/dao_journal.hpp"
#include "persistence/node_store.hpp"
#include "tests/actors/contracts/distribution_dao_launchpad_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace icto::contract_test {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t period = 3 * 24 * 3600;

class dao_contract_test : public kind_actor_fixture {
 protected:
  /// alice 60, bob 30, carol 10; quorum 50 %, approval 60 %, 3 days.
  dao_init sample() {
    dao_init init;
    init.name = "Builders";
    init.members = {{alice, 60}, {bob, 30}, {carol, 10}};
    init.quorum_bps = 5000;
    init.approval_threshold_bps = 6000;
    init.voting_period_seconds = period;
    return init;
  }

  dao_contract_actor deploy() {
    return keep(spawn_dao_contract(
        *sys, ctx, params(), factory_handle<dao_factory_actor>(), sample()));
  }

  /// A proposal by alice, voted yes by alice and bob, its period over.
  uint64_t passed(const dao_contract_actor& d, dao_action action,
                  dao_action_params params) {
    dao_create_proposal_arg a;
    a.title = "Proposal";
    a.action = action;
    a.params = std::move(params);
    auto id = call<result<uint64_t>>(d, alice, a);
    EXPECT_TRUE(id) << id.err().to_string();
    if (!id)
      return 0;
    for (auto& who : {alice, bob}) {
      auto v = call<result<dao_proposal>>(
          d, who, dao_vote_arg{*id, dao_vote_choice::yes});
      EXPECT_TRUE(v) << v.err().to_string();
    }
    advance(std::chrono::seconds{period});
    return *id;
  }

  result<dao_proposal> execute(const dao_contract_actor& d, uint64_t id) {
    return call<result<dao_proposal>>(d, carol, dao_execute_arg{id});
  }
};

TEST_F(dao_contract_test, deploys_active) {
  auto d = deploy();
  auto s = call<result<contract_status>>(d, stranger, contract_status_arg{});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, contract_kind::dao);
  EXPECT_EQ(s->status, "active");
  EXPECT_EQ(rec->of<notify_deployment_complete_arg>().size(), 1u);
  auto info = call<result<dao_info>>(d, alice, dao_info_arg{});
  ASSERT_TRUE(info);
  EXPECT_EQ(info->members, 3u);
  EXPECT_EQ(info->total_voting_power, 100u);
  auto hidden = call<result<dao_info>>(d, stranger, dao_info_arg{});
  ASSERT_FALSE(hidden);
  EXPECT_TRUE(is(hidden.err(), contract_errc::unauthorized));
}

TEST_F(dao_contract_test, the_owner_changes_members_with_callbacks) {
  auto d = deploy();
  auto r = call<result<unit>>(d, alice, dao_member{stranger, 5});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  ASSERT_TRUE(call<result<unit>>(d, owner, dao_member{stranger, 5}));
  ASSERT_TRUE(call<result<unit>>(d, owner, dao_remove_member_arg{carol}));
  auto added = rec->of<notify_member_added_arg>();
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].member, stranger);
  auto removed = rec->of<notify_member_removed_arg>();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].member, carol);
  auto page = call<result<dao_member_page>>(d, owner, dao_members_arg{});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 3u);
}

TEST_F(dao_contract_test, members_propose_and_vote_once) {
  auto d = deploy();
  dao_create_proposal_arg a;
  a.title = "Hello";
  auto no = call<result<uint64_t>>(d, stranger, a);
  ASSERT_FALSE(no);
  EXPECT_TRUE(is(no.err(), contract_errc::unauthorized));
  auto id = call<result<uint64_t>>(d, bob, a);
  ASSERT_TRUE(id);
  auto created = rec->of<notify_proposal_created_arg>();
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].proposal_id, *id);
  EXPECT_EQ(created[0].proposer, bob);
  auto v = call<result<dao_proposal>>(d, bob,
                                      dao_vote_arg{*id, dao_vote_choice::no});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->no_power, 30u);
  v = call<result<dao_proposal>>(d, bob,
                                 dao_vote_arg{*id, dao_vote_choice::no});
  ASSERT_FALSE(v);
  EXPECT_TRUE(is(v.err(), contract_errc::already_done));
  auto early = execute(d, *id);
  ASSERT_FALSE(early);
  EXPECT_TRUE(is(early.err(), contract_errc::invalid_state));
  advance(std::chrono::seconds{period});
  auto late = call<result<dao_proposal>>(
      d, alice, dao_vote_arg{*id, dao_vote_choice::yes});
  ASSERT_FALSE(late);
  EXPECT_TRUE(is(late.err(), contract_errc::invalid_state));
  auto p = call<result<dao_proposal>>(d, alice, dao_proposal_arg{*id});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, dao_proposal_status::rejected) << "30 % voted";
}

TEST_F(dao_contract_test, executed_proposals_change_members) {
  auto d = deploy();
  dao_action_params add;
  add.member = stranger;
  add.voting_power = 40;
  auto a = passed(d, dao_action::add_member, add);
  auto p = execute(d, a);
  ASSERT_TRUE(p) << p.err().to_string();
  EXPECT_EQ(p->status, dao_proposal_status::executed);
  dao_action_params rm;
  rm.member = alice;
  auto b = passed(d, dao_action::remove_member, rm);
  p = execute(d, b);
  ASSERT_TRUE(p) << p.err().to_string();
  EXPECT_EQ(p->status, dao_proposal_status::executed);
  auto added = rec->of<notify_member_added_arg>();
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].member, stranger);
  auto removed = rec->of<notify_member_removed_arg>();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].member, alice);
  auto info = call<result<dao_info>>(d, owner, dao_info_arg{});
  EXPECT_EQ(info->total_voting_power, 80u);
}

TEST_F(dao_contract_test, a_transfer_is_paid_from_the_dao_account) {
  auto d = deploy();
  dao_action_params pay;
  pay.to = acc(stranger);
  pay.amount = 12'345;
  auto id = passed(d, dao_action::transfer, pay);
  const auto before = ledger_balance(contract_id);
  auto p = execute(d, id);
  ASSERT_TRUE(p) << p.err().to_string();
  EXPECT_EQ(p->status, dao_proposal_status::executed);
  EXPECT_EQ(ledger_balance(stranger), 12'345u);
  EXPECT_EQ(ledger_balance(contract_id), before - 12'345 - ledger_fee);
  auto again = execute(d, id);
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), contract_errc::already_done));
}

TEST_F(dao_contract_test, a_transfer_the_ledger_refuses_fails) {
  auto d = deploy();
  dao_action_params pay;
  pay.to = acc(stranger);
  pay.amount = 5'000'000; // the DAO holds 1'000'000
  auto id = passed(d, dao_action::transfer, pay);
  auto p = execute(d, id);
  ASSERT_TRUE(p) << p.err().to_string();
  EXPECT_EQ(p->status, dao_proposal_status::failed);
  ASSERT_TRUE(p->failure);
  EXPECT_NE(p->failure->find("InsufficientFunds"), std::string::npos)
      << *p->failure;
  EXPECT_EQ(ledger_balance(stranger), 0u);
  auto health = call_as_factory<result<contract_health>>(d, health_ping_arg{});
  ASSERT_TRUE(health);
  EXPECT_TRUE(health->healthy) << health->message;
}

// -- restored with a transfer in flight ---------------------------------------

/// A DAO's journal as the store holds it: a proposal paying 1000 to
/// stranger, voted by alice and bob, executed by carol when its period was
/// over; the node died before the ledger's answer was journaled.
class dao_restore_test : public dao_contract_test {
 protected:
  dao_restore_test() {
    created = clock.now();
    advance(std::chrono::seconds{period});
    executed = clock.now();
    dao_create_proposal_arg a;
    a.title = "Pay";
    a.action = dao_action::transfer;
    a.params.to = acc(stranger);
    a.params.amount = 1000;
    events = {
        make_op_event(contract_op::created, owner, created, contract_id),
        dao_event(alice, created, a),
        dao_event(alice, created + 1, dao_vote_arg{1, dao_vote_choice::yes}),
        dao_event(bob, created + 2, dao_vote_arg{1, dao_vote_choice::yes}),
        dao_event(carol, executed, dao_execute_arg{1}),
    };
  }

  store::recovered_actor journal() const {
    store::recovered_actor out;
    out.actor = contract_id;
    for (const auto& ev : events)
      out.events.emplace_back(++out.last_seq, encode_event(ev));
    return out;
  }

  /// The state the journal rebuilds (what the restored actor starts from).
  dao_state replayed() {
    dao_image img{make_contract_core(contract_kind::dao, contract_id, owner,
                                     factory_id, semver{1, 0, 0}, created,
                                     false, "active"),
                  make_dao_state(sample(), owner),
                  {}};
    for (const auto& ev : events)
      EXPECT_TRUE(replay_dao_event(img, ev));
    return img.state;
  }

  /// Restores the DAO and runs it (contracts start lazily), as the node
  /// does after a restart.
  dao_contract_actor restore() {
    auto p = params();
    p.created_at = created;
    auto h = restore_dao_contract(*sys, ctx, std::move(p),
                                  factory_handle<dao_factory_actor>(),
                                  encode_event(sample()), journal());
    EXPECT_TRUE(h) << (h ? "" : h.err().to_string());
    if (!h)
      return {};
    auto d = keep(caf::actor_cast<dao_contract_actor>(*h));
    auto s = call<result<contract_status>>(d, stranger, contract_status_arg{});
    EXPECT_TRUE(s);
    run();
    return d;
  }

  result<dao_proposal> proposal(const dao_contract_actor& d) {
    return call<result<dao_proposal>>(d, alice, dao_proposal_arg{1});
  }

  timestamp created = 0;
  timestamp executed = 0;
  std::vector<op_event> events;
};

TEST_F(dao_restore_test, the_journal_leaves_the_transfer_in_flight) {
  auto st = replayed();
  ASSERT_TRUE(awaits_transfer(st, 1));
  EXPECT_EQ(transfer_of(st, 1).created_at_time, executed);
}

TEST_F(dao_restore_test, a_transfer_that_never_left_is_paid_once) {
  const auto before = ledger_balance(contract_id);
  auto d = restore();
  EXPECT_EQ(rec->of<notify_deployment_complete_arg>().size(), 1u)
      << "re-bound with its factory";
  auto p = proposal(d);
  ASSERT_TRUE(p) << p.err().to_string();
  EXPECT_EQ(p->status, dao_proposal_status::executed);
  EXPECT_EQ(ledger_balance(stranger), 1000u);
  EXPECT_EQ(ledger_balance(contract_id), before - 1000 - ledger_fee);
  auto again = execute(d, 1);
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), contract_errc::already_done));
  EXPECT_EQ(ledger_balance(stranger), 1000u);
}

TEST_F(dao_restore_test, a_transfer_that_left_is_settled_without_paying_again) {
  // The first request reached the ledger before the node died.
  auto first = call<result<uint64_t>>(ledger, contract_id,
                                      transfer_of(replayed(), 1));
  ASSERT_TRUE(first) << first.err().to_string();
  const auto before = ledger_balance(contract_id);
  EXPECT_EQ(ledger_balance(stranger), 1000u);
  auto d = restore();
  auto p = proposal(d);
  ASSERT_TRUE(p) << p.err().to_string();
  EXPECT_EQ(p->status, dao_proposal_status::executed);
  EXPECT_EQ(ledger_balance(stranger), 1000u) << "paid once";
  EXPECT_EQ(ledger_balance(contract_id), before);
}

TEST_F(dao_restore_test, an_unknown_outcome_stays_in_flight) {
  // Restarted after the ledger's dedup window: it cannot tell whether the
  // first request ran, so it never pays again by itself.
  advance(std::chrono::hours{25});
  auto d = restore();
  auto p = proposal(d);
  ASSERT_TRUE(p) << p.err().to_string();
  EXPECT_EQ(p->status, dao_proposal_status::passed);
  EXPECT_EQ(ledger_balance(stranger), 0u);
  // A member's execute sends it again: still unknown.
  auto r = execute(d, 1);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), ledger_errc::too_old)) << r.err().to_string();
  EXPECT_NE(r.err().message.find("in flight"), std::string::npos)
      << r.err().message;
  auto h = call_as_factory<result<contract_health>>(d, health_ping_arg{});
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->healthy) << h->message;
  auto refused = call<result<dao_proposal>>(d, stranger, dao_execute_arg{1});
  ASSERT_FALSE(refused);
  EXPECT_TRUE(is(refused.err(), contract_errc::unauthorized));
  EXPECT_EQ(ledger_balance(stranger), 0u);
}

} // namespace
} // namespace icto::contract_test
