// The multisig contract actor under the test coordinator, paying through the
// real ledger, with a recording factory.

#include "actors/contracts/multisig_state.hpp"
#include "tests/actors/contracts/contract_actor_fixture.hpp"

#include <gtest/gtest.h>

namespace icto::contract_test {
namespace {

using status = multisig_proposal_status;

class multisig_contract_test : public contract_actor_fixture {
 protected:
  multisig_contract_actor deploy(bool is_public = false) {
    multisig_init init;
    init.name = "Team wallet";
    init.signers = {alice, bob, carol};
    init.threshold = 2;
    init.is_public = is_public;
    auto h = keep(spawn_multisig_contract(
        *sys, ctx, params(), caf::actor_cast<multisig_factory_actor>(factory),
        init));
    auto health = call_as_factory<result<contract_health>>(h,
                                                           health_ping_arg{});
    EXPECT_TRUE(health && health->healthy);
    return h;
  }

  uint64_t propose(const multisig_contract_actor& h, const principal& who,
                   tokens amount, const principal& to = stranger) {
    propose_transfer_arg a;
    a.to = acc(to);
    a.amount = amount;
    a.description = "pay " + std::to_string(amount);
    auto id = call<result<uint64_t>>(h, who, a);
    EXPECT_TRUE(id) << id.err().to_string();
    return id ? *id : 0;
  }
};

TEST_F(multisig_contract_test, pays_from_its_ledger_account_at_threshold) {
  auto h = deploy();
  ASSERT_EQ(rec->of<notify_deployment_complete_arg>().size(), 1u);
  auto id = propose(h, alice, 25'000);
  EXPECT_EQ(id, 1u);
  auto created = rec->of<notify_proposal_created_arg>();
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].proposal_id, 1u);
  EXPECT_EQ(created[0].proposer, alice);
  // one approval is not enough
  auto early = call<result<multisig_proposal>>(h, alice,
                                               multisig_execute_arg{id});
  ASSERT_FALSE(early);
  EXPECT_TRUE(is(early.err(), contract_errc::invalid_state));
  auto a = call<result<multisig_proposal>>(h, bob, multisig_approve_arg{id});
  ASSERT_TRUE(a) << a.err().to_string();
  EXPECT_EQ(a->status, status::approved);
  auto twice = call<result<multisig_proposal>>(h, bob,
                                               multisig_approve_arg{id});
  ASSERT_FALSE(twice);
  EXPECT_TRUE(is(twice.err(), contract_errc::already_done));
  auto nosig = call<result<multisig_proposal>>(h, stranger,
                                               multisig_execute_arg{id});
  ASSERT_FALSE(nosig);
  EXPECT_TRUE(is(nosig.err(), contract_errc::unauthorized));
  auto ex = call<result<multisig_proposal>>(h, carol, multisig_execute_arg{id});
  ASSERT_TRUE(ex) << ex.err().to_string();
  EXPECT_EQ(ex->status, status::executed);
  ASSERT_TRUE(ex->block_index);
  EXPECT_EQ(ledger_balance(stranger), 25'000u);
  EXPECT_EQ(ledger_balance(contract_id), 1'000'000u - 25'000 - ledger_fee);
  auto again = call<result<multisig_proposal>>(h, carol,
                                               multisig_execute_arg{id});
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), contract_errc::invalid_state));
  EXPECT_EQ(ledger_balance(stranger), 25'000u) << "paid once";
  auto p = call<result<multisig_proposal>>(h, alice, multisig_proposal_arg{id});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, status::executed);
}

TEST_F(multisig_contract_test, ledger_refusal_marks_the_proposal_failed) {
  auto h = deploy();
  auto id = propose(h, alice, 2'000'000);
  ASSERT_TRUE(
      call<result<multisig_proposal>>(h, bob, multisig_approve_arg{id}));
  auto ex = call<result<multisig_proposal>>(h, alice, multisig_execute_arg{id});
  ASSERT_FALSE(ex);
  EXPECT_TRUE(is(ex.err(), ledger_errc::insufficient_funds))
      << ex.err().to_string();
  auto p = call<result<multisig_proposal>>(h, alice, multisig_proposal_arg{id});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, status::failed);
  ASSERT_TRUE(p->failure);
  EXPECT_EQ(ledger_balance(contract_id), 1'000'000u);
}

TEST_F(multisig_contract_test, ledger_gone_keeps_the_proposal_approved) {
  auto h = deploy();
  auto id = propose(h, alice, 1000);
  ASSERT_TRUE(
      call<result<multisig_proposal>>(h, bob, multisig_approve_arg{id}));
  caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
  run();
  auto ex = call<result<multisig_proposal>>(h, alice, multisig_execute_arg{id});
  ASSERT_FALSE(ex);
  EXPECT_TRUE(is(ex.err(), system_errc::timeout)) << ex.err().to_string();
  auto p = call<result<multisig_proposal>>(h, alice, multisig_proposal_arg{id});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, status::approved);
}

TEST_F(multisig_contract_test, owner_changes_call_the_factory_back) {
  auto h = deploy();
  auto r = call<result<unit>>(h, alice, add_signer_arg{stranger});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  EXPECT_TRUE(rec->of<notify_signer_added_arg>().empty());
  ASSERT_TRUE(call<result<unit>>(h, owner, add_signer_arg{stranger}));
  auto added = rec->of<notify_signer_added_arg>();
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].signer, stranger);
  EXPECT_EQ(added[0].contract_id, contract_id);
  ASSERT_TRUE(call<result<unit>>(h, owner, remove_signer_arg{carol}));
  auto removed = rec->of<notify_signer_removed_arg>();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].signer, carol);
  ASSERT_TRUE(call<result<unit>>(h, owner, add_observer_arg{carol}));
  ASSERT_EQ(rec->of<notify_observer_added_arg>().size(), 1u);
  ASSERT_TRUE(call<result<unit>>(h, owner, remove_observer_arg{carol}));
  ASSERT_EQ(rec->of<notify_observer_removed_arg>().size(), 1u);
  ASSERT_TRUE(call<result<unit>>(h, owner, set_threshold_arg{3}));
  auto bad = call<result<unit>>(h, owner, set_threshold_arg{4});
  ASSERT_FALSE(bad);
  EXPECT_TRUE(is(bad.err(), contract_errc::invalid_argument));
  auto info = call<result<wallet_info>>(h, alice, wallet_info_arg{});
  ASSERT_TRUE(info);
  EXPECT_EQ(info->signers, (std::vector<principal>{alice, bob, stranger}));
  EXPECT_EQ(info->threshold, 3u);
  for (auto& e : rec->entries)
    EXPECT_EQ(e.sender, contract_id);
}

TEST_F(multisig_contract_test, private_wallet_hides_from_strangers) {
  auto h = deploy();
  auto r = call<result<wallet_info>>(h, stranger, wallet_info_arg{});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  auto ps = call<result<multisig_proposal_page>>(h, stranger,
                                                 multisig_proposals_arg{});
  ASSERT_FALSE(ps);
  ASSERT_TRUE(call<result<unit>>(h, owner, set_visibility_arg{true}));
  ASSERT_EQ(rec->of<notify_visibility_changed_arg>().size(), 1u);
  auto info = call<result<wallet_info>>(h, stranger, wallet_info_arg{});
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->is_public);
  propose(h, alice, 5);
  ps = call<result<multisig_proposal_page>>(h, stranger,
                                            multisig_proposals_arg{});
  ASSERT_TRUE(ps);
  EXPECT_EQ(ps->total, 1u);
}

TEST_F(multisig_contract_test, versions_and_status) {
  auto vs = multisig_code_versions();
  ASSERT_EQ(vs.size(), 1u);
  EXPECT_EQ(vs[0].version, (semver{1, 0, 0}));
  auto h = deploy();
  auto st = call<result<contract_status>>(h, stranger, contract_status_arg{});
  ASSERT_TRUE(st);
  EXPECT_EQ(st->kind, contract_kind::multisig);
  EXPECT_EQ(st->controllers, (std::vector<principal>{factory_id, owner}));
  auto m = call_as_factory<result<migration_report>>(
      h, migrate_to_arg{semver{1, 0, 0}, owner});
  ASSERT_TRUE(m) << m.err().to_string();
  m = call_as_factory<result<migration_report>>(
      h, migrate_to_arg{semver{1, 1, 0}, owner});
  ASSERT_FALSE(m);
  EXPECT_TRUE(is(m.err(), factory_errc::unknown_version));
  multisig_init bad;
  bad.name = "x";
  auto r = validate(bad);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
}

} // namespace
} // namespace icto::contract_test

namespace icto::contract_test {
namespace {

TEST_F(multisig_contract_test, two_executes_in_flight_pay_once) {
  auto h = deploy();
  auto id = propose(h, alice, 7000);
  ASSERT_TRUE(
      call<result<multisig_proposal>>(h, bob, multisig_approve_arg{id}));
  auto& in = *ingress;
  auto first = in->request(h, caf::infinite, caller{alice},
                           multisig_execute_arg{id});
  auto second = in->request(h, caf::infinite, caller{bob},
                            multisig_execute_arg{id});
  run();
  std::vector<result<multisig_proposal>> replies;
  for (auto* rh : {&first, &second})
    rh->receive(
        [&](result<multisig_proposal>& r) {
          replies.push_back(r);
        },
        [&](caf::error& e) {
          ADD_FAILURE() << sys->render(e);
        });
  ASSERT_EQ(replies.size(), 2u);
  int executed = 0;
  int refused = 0;
  for (auto& r : replies) {
    if (r && r->status == status::executed)
      ++executed;
    else if (!r && is(r.err(), contract_errc::invalid_state))
      ++refused;
  }
  EXPECT_EQ(executed, 1);
  EXPECT_EQ(refused, 1);
  EXPECT_EQ(ledger_balance(stranger), 7000u);
  EXPECT_EQ(ledger_balance(contract_id), 1'000'000u - 7000 - ledger_fee);
}

TEST_F(multisig_contract_test, proposals_expire_with_the_clock) {
  auto h = deploy();
  auto id = propose(h, alice, 10);
  advance(multisig_proposal_ttl);
  auto a = call<result<multisig_proposal>>(h, bob, multisig_approve_arg{id});
  ASSERT_FALSE(a);
  EXPECT_TRUE(is(a.err(), contract_errc::invalid_state));
  auto p = call<result<multisig_proposal>>(h, alice, multisig_proposal_arg{id});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, status::expired);
  auto info = call<result<wallet_info>>(h, alice, wallet_info_arg{});
  EXPECT_EQ(info->open_proposals, 0u);
}

} // namespace
} // namespace icto::contract_test
