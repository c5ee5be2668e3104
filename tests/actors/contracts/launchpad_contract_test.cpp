// The launchpad contract actor with the real ledger: ICRC-2 contributions,
// the participant and status callbacks, finalize paying the owner or
// refunding every contributor, and claimRefund after a refused refund.
// Restarts: a sale restored from a journal (built as the live actor
// journals) sends its transfers in flight again, identical, and the ledger
// pays each once; an interrupted finalize is completed; a transfer past
// the ledger's deduplication window stays in flight.

#include "actors/contracts/launchpad_journal.hpp"
#include "persistence/node_store.hpp"
#include "tests/actors/contracts/distribution_dao_launchpad_fixture.hpp"

#include <caf/actor_cast.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace icto::contract_test {
namespace {

using namespace std::chrono_literals;

class launchpad_contract_test : public kind_actor_fixture {
 protected:
  launchpad_contract_test() {
    mint(bob, 500'000);
    mint(carol, 500'000);
  }

  /// Soft cap 100'000, hard cap 300'000, 20'000..200'000 each; opens in
  /// 1 h, ends in 25 h; 0.5 ledger tokens per sale token.
  launchpad_init sample() {
    launchpad_init init;
    init.name = "Rocket";
    init.sale_token = principal::canister_id(600);
    init.price_e8s = 50'000'000;
    init.soft_cap = 100'000;
    init.hard_cap = 300'000;
    init.min_contribution = 20'000;
    init.max_contribution = 200'000;
    init.start_time = clock.now() + ns(1h);
    init.end_time = clock.now() + ns(25h);
    return init;
  }

  launchpad_contract_actor deploy() {
    return keep(spawn_launchpad_contract(
        *sys, ctx, params(), factory_handle<launchpad_factory_actor>(),
        sample()));
  }

  result<contribution> contribute(const launchpad_contract_actor& lp,
                                  const principal& who, tokens amount) {
    contribute_arg a;
    a.amount = amount;
    return call<result<contribution>>(lp, who, a);
  }

  /// Approves amount + fee, then contributes.
  void paid_contribution(const launchpad_contract_actor& lp,
                         const principal& who, tokens amount) {
    approve(who, amount + ledger_fee);
    auto r = contribute(lp, who, amount);
    ASSERT_TRUE(r) << r.err().to_string();
  }

  result<sale_outcome> finalize(const launchpad_contract_actor& lp,
                                const principal& who) {
    return call<result<sale_outcome>>(lp, who, finalize_sale_arg{});
  }

  sale_info info(const launchpad_contract_actor& lp) {
    return *call<result<sale_info>>(lp, stranger, sale_info_arg{});
  }
};

TEST_F(launchpad_contract_test, contributions_wait_for_the_start) {
  auto lp = deploy();
  auto s = call<result<contract_status>>(lp, stranger, contract_status_arg{});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, contract_kind::launchpad);
  EXPECT_EQ(s->status, "upcoming");
  approve(bob, 50'000);
  auto r = contribute(lp, bob, 40'000);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_state));
  EXPECT_EQ(ledger_balance(contract_id), 1'000'000u);
}

TEST_F(launchpad_contract_test, a_contribution_needs_an_allowance) {
  auto lp = deploy();
  advance(2h);
  auto r = contribute(lp, bob, 40'000);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), ledger_errc::insufficient_allowance))
      << r.err().to_string();
  EXPECT_EQ(info(lp).raised, 0u) << "the reservation was released";
  EXPECT_TRUE(rec->of<notify_participant_added_arg>().empty());
}

TEST_F(launchpad_contract_test, contributions_move_funds_and_call_back_once) {
  auto lp = deploy();
  advance(2h);
  paid_contribution(lp, bob, 40'000);
  EXPECT_EQ(ledger_balance(contract_id), 1'040'000u);
  EXPECT_EQ(ledger_balance(bob), 500'000u - 40'000 - 2 * ledger_fee)
      << "the approval's fee and the transfer_from's fee";
  approve(bob, 30'000);
  auto r = contribute(lp, bob, 20'000);
  ASSERT_TRUE(r) << r.err().to_string();
  EXPECT_EQ(r->amount, 60'000u);
  EXPECT_EQ(r->allocation, 120'000u);
  auto added = rec->of<notify_participant_added_arg>();
  ASSERT_EQ(added.size(), 1u) << "only the first contribution";
  EXPECT_EQ(added[0].participant, bob);
  EXPECT_EQ(reported_statuses(), std::vector<std::string>{"open"});
  auto mine = call<result<contribution>>(lp, stranger, contribution_arg{bob});
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->amount, 60'000u);
  approve(carol, 300'000);
  auto too_much = contribute(lp, carol, 200'001);
  ASSERT_FALSE(too_much);
  EXPECT_TRUE(is(too_much.err(), contract_errc::invalid_argument));
}

TEST_F(launchpad_contract_test, contributions_in_flight_never_pass_the_cap) {
  auto lp = deploy();
  advance(2h);
  paid_contribution(lp, alice, 20'000);
  approve(bob, 200'000 + ledger_fee);
  approve(carol, 200'000 + ledger_fee);
  contribute_arg big;
  big.amount = 200'000;
  auto replies = call_together<result<contribution>>(
      lp, std::vector<std::pair<principal, contribute_arg>>{{bob, big},
                                                            {carol, big}});
  ASSERT_EQ(replies.size(), 2u);
  ASSERT_TRUE(replies[0]) << replies[0].err().to_string();
  ASSERT_FALSE(replies[1]) << "bob's reservation left 80'000 under the cap";
  EXPECT_TRUE(is(replies[1].err(), contract_errc::invalid_argument));
  EXPECT_EQ(info(lp).raised, 220'000u);
  EXPECT_EQ(ledger_balance(contract_id), 1'000'000u + 220'000u);
}

TEST_F(launchpad_contract_test, a_successful_sale_pays_the_owner) {
  auto lp = deploy();
  advance(2h);
  paid_contribution(lp, bob, 100'000);
  paid_contribution(lp, carol, 50'000);
  auto early = finalize(lp, owner);
  ASSERT_FALSE(early);
  EXPECT_TRUE(is(early.err(), contract_errc::invalid_state));
  advance(24h);
  EXPECT_EQ(info(lp).status, sale_status::succeeded);
  auto out = finalize(lp, stranger);
  ASSERT_TRUE(out) << out.err().to_string();
  EXPECT_EQ(out->status, sale_status::finalized);
  EXPECT_EQ(out->raised, 150'000u);
  EXPECT_EQ(out->contributors, 2u);
  EXPECT_TRUE(out->payout_block);
  EXPECT_EQ(ledger_balance(owner), 150'000u - ledger_fee);
  EXPECT_EQ(info(lp).status, sale_status::finalized);
  EXPECT_EQ(reported_statuses(),
            (std::vector<std::string>{"open", "succeeded", "finalized"}));
  auto again = finalize(lp, owner);
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), contract_errc::already_done));
  auto health = call_as_factory<result<contract_health>>(lp, health_ping_arg{});
  ASSERT_TRUE(health);
  EXPECT_TRUE(health->healthy) << health->message;
}

TEST_F(launchpad_contract_test, the_owner_finalizes_early_at_the_hard_cap) {
  auto lp = deploy();
  advance(2h);
  paid_contribution(lp, bob, 200'000);
  paid_contribution(lp, carol, 100'000);
  auto r = finalize(lp, stranger);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  approve(alice, 30'000);
  auto late = contribute(lp, alice, 20'000);
  ASSERT_FALSE(late);
  EXPECT_TRUE(is(late.err(), contract_errc::invalid_state));
  r = finalize(lp, owner);
  ASSERT_TRUE(r) << r.err().to_string();
  EXPECT_EQ(r->status, sale_status::finalized);
  EXPECT_EQ(ledger_balance(owner), 300'000u - ledger_fee);
}

TEST_F(launchpad_contract_test, a_failed_sale_refunds_everyone) {
  auto lp = deploy();
  advance(2h);
  paid_contribution(lp, bob, 30'000);
  paid_contribution(lp, carol, 40'000);
  const auto bob_before = ledger_balance(bob);
  const auto carol_before = ledger_balance(carol);
  advance(24h);
  auto out = finalize(lp, alice);
  ASSERT_TRUE(out) << out.err().to_string();
  EXPECT_EQ(out->status, sale_status::refunded);
  EXPECT_EQ(out->refunds_paid, 2u);
  EXPECT_EQ(out->refunds_failed, 0u);
  EXPECT_FALSE(out->payout_block);
  EXPECT_EQ(ledger_balance(bob), bob_before + 30'000 - ledger_fee);
  EXPECT_EQ(ledger_balance(carol), carol_before + 40'000 - ledger_fee);
  EXPECT_EQ(ledger_balance(owner), 0u);
  EXPECT_EQ(rec->of<notify_participant_removed_arg>().size(), 2u);
  EXPECT_EQ(reported_statuses(),
            (std::vector<std::string>{"open", "failed", "refunded"}));
  auto refunds = call<result<sale_refund_page>>(lp, stranger,
                                                sale_refunds_arg{});
  ASSERT_TRUE(refunds);
  EXPECT_EQ(refunds->total, 2u);
  auto claim = call<result<sale_refund>>(lp, bob, claim_refund_arg{});
  ASSERT_FALSE(claim);
  EXPECT_TRUE(is(claim.err(), contract_errc::already_done));
}

TEST_F(launchpad_contract_test, a_refused_refund_is_claimed_later) {
  auto lp = deploy();
  advance(2h);
  paid_contribution(lp, bob, 30'000);
  const auto bob_before = ledger_balance(bob);
  // Empty the sale's account behind its back, so that the refund fails.
  ASSERT_TRUE(transfer_as(ledger, contract_id, stranger,
                          ledger_balance(contract_id) - ledger_fee));
  advance(24h);
  auto out = finalize(lp, owner);
  ASSERT_TRUE(out) << out.err().to_string();
  EXPECT_EQ(out->status, sale_status::refunded);
  EXPECT_EQ(out->refunds_paid, 0u);
  EXPECT_EQ(out->refunds_failed, 1u);
  EXPECT_TRUE(rec->of<notify_participant_removed_arg>().empty());
  auto claim = call<result<sale_refund>>(lp, bob, claim_refund_arg{});
  ASSERT_TRUE(claim) << claim.err().to_string();
  EXPECT_FALSE(claim->block_index);
  ASSERT_TRUE(claim->failure);
  EXPECT_NE(claim->failure->find("InsufficientFunds"), std::string::npos);
  auto not_mine = call<result<sale_refund>>(lp, carol, claim_refund_arg{});
  ASSERT_FALSE(not_mine);
  EXPECT_TRUE(is(not_mine.err(), contract_errc::not_found));
  mint(contract_id, 100'000);
  claim = call<result<sale_refund>>(lp, bob, claim_refund_arg{});
  ASSERT_TRUE(claim) << claim.err().to_string();
  EXPECT_TRUE(claim->block_index);
  EXPECT_EQ(claim->amount, 30'000u - ledger_fee);
  EXPECT_EQ(ledger_balance(bob), bob_before + 30'000 - ledger_fee);
  EXPECT_EQ(rec->of<notify_participant_removed_arg>().size(), 1u);
  auto refunds = call<result<sale_refund_page>>(lp, stranger,
                                                sale_refunds_arg{});
  EXPECT_EQ(refunds->total, 3u);
}

// -- restarts -----------------------------------------------------------------

/// The store records of a sale that ran until a crash: its journal, made by
/// running each operation as the live actor does (run_launchpad_op).
class launchpad_restart_test : public launchpad_contract_test {
 protected:
  launchpad_restart_test() {
    img.core = make_contract_core(contract_kind::launchpad, contract_id, owner,
                                  factory_id, semver{1, 0, 0}, clock.now(),
                                  false, "upcoming");
    init = sample();
    img.state = make_launchpad_state(init, owner);
    records.actor = contract_id;
    // Spawn parameters fixed now, as the factory fixed them.
    p = params();
  }

  /// Runs an operation on the journal's image and journals it.
  template <class Arg>
  launchpad_op_result op(uint16_t code, const principal& who, const Arg& arg) {
    auto r = run_launchpad_op(img.core, img.state, code, who, clock.now(), arg);
    EXPECT_TRUE(r) << r.err().to_string();
    records.last_seq += 1;
    records.events.emplace_back(
        records.last_seq,
        encode_event(make_op_event(code, who, clock.now(), arg)));
    return r ? *r : launchpad_op_result{};
  }

  /// A confirmed contribution: approved, reserved, taken, journaled.
  void contributed(const principal& who, tokens amount) {
    approve(who, amount + ledger_fee);
    contribute_arg a;
    a.amount = amount;
    auto seq = *op(lp_op_reserve, who, a).transfer;
    auto block = took(seq);
    op(lp_op_finish_contribute, principal{}, transfer_reply{seq, block});
  }

  /// Sends transfer `seq` to the ledger as the sale would (the crash comes
  /// after the ledger took it).
  result<uint64_t> took(uint64_t seq) {
    const auto* t = img.state.transfers.find(seq);
    if (t->kind == launchpad_transfer_kind::contribution)
      return call<result<uint64_t>>(
          ledger, contract_id,
          contribution_request(img.state, seq, contract_id).value());
    return call<result<uint64_t>>(ledger, contract_id,
                                  payment_request(img.state, seq).value());
  }

  /// Restores the sale from the journal and runs it until it is idle.
  launchpad_contract_actor restore() {
    auto h = restore_launchpad_contract(
        *sys, ctx, p, factory_handle<launchpad_factory_actor>(),
        encode_event(init), records);
    EXPECT_TRUE(h) << (h ? "" : h.err().to_string());
    auto lp = keep(caf::actor_cast<launchpad_contract_actor>(*h));
    info(lp); // starts it (lazily spawned); the ledger answers meanwhile
    run();
    return lp;
  }

  contribution contribution_of_user(const launchpad_contract_actor& lp,
                                    const principal& who) {
    return *call<result<contribution>>(lp, stranger, contribution_arg{who});
  }

  launchpad_init init;
  contract_checkpoint<launchpad_state> img;
  store::recovered_actor records;
  contract_params p;
};

TEST_F(launchpad_restart_test, a_contribution_the_ledger_took_is_confirmed) {
  advance(2h);
  op(lp_op_status, principal{}, std::string{"open"});
  approve(bob, 40'000 + ledger_fee);
  contribute_arg a;
  a.amount = 40'000;
  const auto seq = *op(lp_op_reserve, bob, a).transfer;
  ASSERT_TRUE(took(seq)); // then the node died
  const auto bob_after = ledger_balance(bob);
  advance(1h);
  auto lp = restore();
  EXPECT_EQ(ledger_balance(contract_id), 1'040'000u) << "taken once";
  EXPECT_EQ(ledger_balance(bob), bob_after);
  auto mine = contribution_of_user(lp, bob);
  EXPECT_EQ(mine.amount, 40'000u);
  EXPECT_EQ(info(lp).raised, 40'000u);
  auto added = rec->of<notify_participant_added_arg>();
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].participant, bob);
  EXPECT_EQ(rec->of<notify_deployment_complete_arg>().size(), 1u)
      << "re-bound with its factory";
  auto health = call_as_factory<result<contract_health>>(lp, health_ping_arg{});
  ASSERT_TRUE(health);
  EXPECT_TRUE(health->healthy) << health->message;
}

TEST_F(launchpad_restart_test, a_contribution_the_ledger_never_saw_is_taken) {
  advance(2h);
  op(lp_op_status, principal{}, std::string{"open"});
  approve(bob, 40'000 + ledger_fee);
  contribute_arg a;
  a.amount = 40'000;
  op(lp_op_reserve, bob, a); // the node died before the request left
  advance(1h);
  auto lp = restore();
  EXPECT_EQ(ledger_balance(contract_id), 1'040'000u) << "taken once";
  EXPECT_EQ(contribution_of_user(lp, bob).amount, 40'000u);
  // A refused one (no allowance) is released.
  auto refused = contribute(lp, carol, 50'000);
  ASSERT_FALSE(refused);
  EXPECT_EQ(info(lp).raised, 40'000u);
}

TEST_F(launchpad_restart_test, an_interrupted_refund_run_is_completed) {
  advance(2h);
  op(lp_op_status, principal{}, std::string{"open"});
  contributed(bob, 30'000);
  contributed(carol, 40'000);
  const auto bob_before = ledger_balance(bob);
  const auto carol_before = ledger_balance(carol);
  advance(24h);
  op(lp_op_status, principal{}, std::string{"failed"});
  op(lp_op_begin_finalize, alice, finalize_sale_arg{});
  op(lp_op_finalize_fee, principal{}, result<tokens>{ledger_fee});
  auto first = next_refund(img.state).value();
  const auto seq
      = *op(lp_op_begin_refund, principal{}, first.contributor).transfer;
  ASSERT_TRUE(took(seq)); // paid; then the node died
  advance(1h);
  auto lp = restore();
  EXPECT_EQ(ledger_balance(bob), bob_before + 30'000 - ledger_fee)
      << "refunded once";
  EXPECT_EQ(ledger_balance(carol), carol_before + 40'000 - ledger_fee)
      << "refunded once";
  auto sale = info(lp);
  EXPECT_EQ(sale.status, sale_status::refunded);
  EXPECT_TRUE(contribution_of_user(lp, bob).refunded);
  EXPECT_TRUE(contribution_of_user(lp, carol).refunded);
  EXPECT_EQ(rec->of<notify_participant_removed_arg>().size(), 2u);
  EXPECT_EQ(reported_statuses(), std::vector<std::string>{"refunded"});
  auto refunds = call<result<sale_refund_page>>(lp, stranger,
                                                sale_refunds_arg{});
  ASSERT_TRUE(refunds);
  ASSERT_EQ(refunds->total, 2u);
  EXPECT_TRUE(refunds->refunds[0].block_index);
  EXPECT_TRUE(refunds->refunds[1].block_index);
}

TEST_F(launchpad_restart_test, a_finalize_before_its_fee_asks_again) {
  advance(2h);
  op(lp_op_status, principal{}, std::string{"open"});
  contributed(bob, 100'000);
  contributed(carol, 50'000);
  advance(24h);
  op(lp_op_status, principal{}, std::string{"succeeded"});
  op(lp_op_begin_finalize, owner, finalize_sale_arg{}); // then the node died
  auto lp = restore();
  EXPECT_EQ(info(lp).status, sale_status::finalized);
  EXPECT_EQ(ledger_balance(owner), 150'000u - ledger_fee);
  EXPECT_EQ(reported_statuses(), std::vector<std::string>{"finalized"});
}

TEST_F(launchpad_restart_test, a_payout_in_flight_is_paid_once) {
  advance(2h);
  op(lp_op_status, principal{}, std::string{"open"});
  contributed(bob, 100'000);
  contributed(carol, 50'000);
  advance(24h);
  op(lp_op_status, principal{}, std::string{"succeeded"});
  op(lp_op_begin_finalize, owner, finalize_sale_arg{});
  op(lp_op_finalize_fee, principal{}, result<tokens>{ledger_fee});
  const auto seq
      = *op(lp_op_begin_payout, principal{}, finalize_sale_arg{}).transfer;
  auto block = took(seq);
  ASSERT_TRUE(block);
  advance(1h);
  auto lp = restore();
  EXPECT_EQ(ledger_balance(owner), 150'000u - ledger_fee) << "paid once";
  EXPECT_EQ(info(lp).status, sale_status::finalized);
  auto again = finalize(lp, owner);
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), contract_errc::already_done));
}

TEST_F(launchpad_restart_test, a_transfer_too_old_to_deduplicate_stays) {
  advance(2h);
  op(lp_op_status, principal{}, std::string{"open"});
  approve(bob, 40'000 + ledger_fee);
  contribute_arg a;
  a.amount = 40'000;
  const auto seq = *op(lp_op_reserve, bob, a).transfer;
  ASSERT_TRUE(took(seq));
  // Down for longer than the ledger deduplicates (24 h + 2 min).
  advance(25h);
  std::vector<std::string> warnings;
  ctx->warn = [&](const std::string& text) {
    warnings.push_back(text);
  };
  auto lp = restore();
  ctx->warn = nullptr;
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(contract_id.to_text()), std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("contribution transfer 0"), std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("TooOld"), std::string::npos) << warnings[0];
  EXPECT_EQ(ledger_balance(contract_id), 1'040'000u) << "never taken twice";
  EXPECT_EQ(contribution_of_user(lp, bob).amount, 0u) << "not confirmed";
  auto sale = info(lp);
  EXPECT_EQ(sale.raised, 40'000u) << "still reserved";
  auto r = finalize(lp, owner);
  ASSERT_FALSE(r);
  EXPECT_NE(r.err().message.find("wait for the ledger"), std::string::npos);
}

} // namespace
} // namespace icto::contract_test
