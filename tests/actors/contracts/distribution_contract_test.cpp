// The distribution contract actor with the real ledger: deployment, the
// owner's edits and their callbacks, activation, claims paid on the
// platform ledger or on a token found in the directory, refused payouts, a
// payout without an answer kept in flight and sent again; a distribution
// restored from its journal with claims in flight sends each again and pays
// it at most once.

#include "actors/common/event_codec.hpp"
#include "actors/contracts/contract_core.hpp"
#include "actors/contracts/distribution_journal.hpp"
#include "actors/contracts/distribution_state.hpp"
#include "persistence/node_store.hpp"
#include "tests/actors/contracts/distribution_dao_launchpad_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace icto::contract_test {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t day = 24 * 3600;

class distribution_contract_test : public kind_actor_fixture {
 protected:
  /// alice 1000, bob 3000 of the platform ledger's token; cliff 10 days,
  /// vesting 100 days from now.
  distribution_init sample(principal token = ledger_id) {
    distribution_init init;
    init.name = "Team";
    init.token = token;
    init.recipients = {{alice, 1000}, {bob, 3000}};
    init.start_time = clock.now();
    init.cliff_seconds = 10 * day;
    init.vesting_seconds = 100 * day;
    return init;
  }

  distribution_contract_actor deploy(distribution_init init) {
    return keep(spawn_distribution_contract(
        *sys, ctx, params(), factory_handle<distribution_factory_actor>(),
        std::move(init)));
  }

  result<contract_status> status(const distribution_contract_actor& d) {
    return call<result<contract_status>>(d, stranger, contract_status_arg{});
  }

  result<distribution_claim_receipt> claim(const distribution_contract_actor& d,
                                           const principal& who) {
    return call<result<distribution_claim_receipt>>(d, who,
                                                    distribution_claim_arg{});
  }

  void activate(const distribution_contract_actor& d) {
    auto r = call<result<unit>>(d, owner, distribution_activate_arg{});
    ASSERT_TRUE(r) << r.err().to_string();
  }
};

TEST_F(distribution_contract_test, deploys_created_and_tells_the_factory) {
  auto d = deploy(sample());
  auto s = status(d);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, contract_kind::distribution);
  EXPECT_EQ(s->status, "created");
  EXPECT_EQ(s->version, (semver{1, 0, 0}));
  EXPECT_EQ(s->owner, owner);
  auto done = rec->of<notify_deployment_complete_arg>();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].contract_id, contract_id);
  ASSERT_EQ(rec->entries.size(), 1u);
  EXPECT_EQ(rec->entries[0].sender, contract_id)
      << "the factory resolves the contract from the CAF sender";
}

TEST_F(distribution_contract_test, the_owner_edits_recipients_with_callbacks) {
  auto d = deploy(sample());
  auto r = call<result<unit>>(d, alice, distribution_recipient{carol, 10});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  r = call<result<unit>>(d, owner, distribution_recipient{carol, 10});
  ASSERT_TRUE(r) << r.err().to_string();
  r = call<result<unit>>(d, owner, remove_recipient_arg{alice});
  ASSERT_TRUE(r) << r.err().to_string();
  r = call<result<unit>>(d, owner, remove_recipient_arg{alice});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::not_found));
  auto added = rec->of<notify_recipient_added_arg>();
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].recipient, carol);
  EXPECT_EQ(added[0].contract_id, contract_id);
  auto removed = rec->of<notify_recipient_removed_arg>();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].recipient, alice);
  auto info = call<result<distribution_info>>(d, owner,
                                              distribution_info_arg{});
  ASSERT_TRUE(info);
  EXPECT_EQ(info->recipients, 2u);
  EXPECT_EQ(info->total_amount, 3010u);
}

TEST_F(distribution_contract_test,
       a_private_distribution_hides_from_strangers) {
  auto d = deploy(sample());
  auto info = call<result<distribution_info>>(d, stranger,
                                              distribution_info_arg{});
  ASSERT_FALSE(info);
  EXPECT_TRUE(is(info.err(), contract_errc::unauthorized));
  EXPECT_TRUE(
      call<result<vesting_page>>(d, alice, distribution_recipients_arg{}));
  ASSERT_TRUE(call<result<unit>>(d, owner, set_visibility_arg{true}));
  info = call<result<distribution_info>>(d, stranger, distribution_info_arg{});
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->is_public);
  EXPECT_EQ(rec->of<notify_visibility_changed_arg>().size(), 1u);
}

TEST_F(distribution_contract_test, claims_pay_on_the_platform_ledger) {
  auto d = deploy(sample());
  auto early = claim(d, alice);
  ASSERT_FALSE(early);
  EXPECT_TRUE(is(early.err(), contract_errc::invalid_state));
  auto r = call<result<unit>>(d, alice, distribution_activate_arg{});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  activate(d);
  EXPECT_EQ(status(d)->status, "active");
  EXPECT_EQ(reported_statuses(), std::vector<std::string>{"active"});
  auto cliff = claim(d, alice);
  ASSERT_FALSE(cliff);
  EXPECT_TRUE(is(cliff.err(), contract_errc::invalid_state));
  advance(std::chrono::hours{24 * 25});
  const auto before = ledger_balance(contract_id);
  auto paid = claim(d, alice);
  ASSERT_TRUE(paid) << paid.err().to_string();
  EXPECT_EQ(paid->amount, 250u);
  EXPECT_EQ(ledger_balance(alice), 50'000u + 250u);
  EXPECT_EQ(ledger_balance(contract_id), before - 250 - ledger_fee)
      << "the distribution's own account pays the amount and the fee";
  auto again = claim(d, alice);
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), contract_errc::invalid_state));
  auto stranger_claim = claim(d, stranger);
  ASSERT_FALSE(stranger_claim);
  EXPECT_TRUE(is(stranger_claim.err(), contract_errc::unauthorized));
  auto figures = call<result<vesting_figures>>(d, stranger,
                                               claimable_arg{alice});
  ASSERT_TRUE(figures);
  EXPECT_EQ(figures->claimed, 250u);
  EXPECT_EQ(figures->vested, 250u);
}

TEST_F(distribution_contract_test, claims_in_flight_together_pay_once) {
  auto d = deploy(sample());
  activate(d);
  advance(std::chrono::hours{24 * 50});
  auto replies = call_together<result<distribution_claim_receipt>>(
      d, std::vector<std::pair<principal, distribution_claim_arg>>{
             {alice, {}}, {alice, {}}});
  ASSERT_EQ(replies.size(), 2u);
  ASSERT_TRUE(replies[0]) << replies[0].err().to_string();
  EXPECT_EQ(replies[0]->amount, 500u);
  ASSERT_FALSE(replies[1]) << "the first claim had reserved the tokens";
  EXPECT_TRUE(is(replies[1].err(), contract_errc::invalid_state));
  EXPECT_EQ(ledger_balance(alice), 50'000u + 500u);
}

TEST_F(distribution_contract_test, only_an_ingress_may_claim_to_be_the_owner) {
  auto d = deploy(sample());
  caf::scoped_actor outsider{*sys, true}; // not in the directory
  auto h = outsider->request(d, caf::infinite, caller{owner},
                             distribution_activate_arg{});
  run();
  result<unit> r;
  h.receive(
      [&](result<unit>& x) {
        r = std::move(x);
      },
      [&](caf::error& err) {
        ADD_FAILURE() << sys->render(err);
      });
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized)) << r.err().to_string();
  EXPECT_EQ(status(d)->status, "created");
}

TEST_F(distribution_contract_test, claiming_everything_completes_it) {
  auto d = deploy(sample());
  activate(d);
  advance(std::chrono::hours{24 * 100});
  auto a = claim(d, alice);
  ASSERT_TRUE(a) << a.err().to_string();
  EXPECT_EQ(a->amount, 1000u);
  EXPECT_EQ(status(d)->status, "active");
  auto b = claim(d, bob);
  ASSERT_TRUE(b) << b.err().to_string();
  EXPECT_EQ(b->amount, 3000u);
  EXPECT_EQ(ledger_balance(bob), 3000u);
  EXPECT_EQ(status(d)->status, "completed");
  EXPECT_EQ(reported_statuses(),
            (std::vector<std::string>{"active", "completed"}));
  auto health = call_as_factory<result<contract_health>>(d, health_ping_arg{});
  ASSERT_TRUE(health);
  EXPECT_TRUE(health->healthy) << health->message;
}

TEST_F(distribution_contract_test, the_owner_cancels) {
  auto d = deploy(sample());
  activate(d);
  auto r = call<result<unit>>(d, bob, distribution_cancel_arg{"mine"});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  ASSERT_TRUE(call<result<unit>>(d, owner, distribution_cancel_arg{"halt"}));
  EXPECT_EQ(status(d)->status, "cancelled");
  advance(std::chrono::hours{24 * 50});
  auto c = claim(d, alice);
  ASSERT_FALSE(c);
  EXPECT_TRUE(is(c.err(), contract_errc::invalid_state));
  EXPECT_EQ(reported_statuses(),
            (std::vector<std::string>{"active", "cancelled"}));
}

TEST_F(distribution_contract_test, claims_pay_on_a_token_found_by_principal) {
  // A second ICRC-1 ledger stands in for a token contract: the
  // distribution finds it in the directory and speaks ICRC-1 to it.
  const auto token_id = principal::canister_id(500);
  ledger_config tc;
  tc.name = "Project";
  tc.symbol = "PRJ";
  tc.fee = 5;
  tc.minting_account = acc(ledger_minter);
  tc.initial_balances = {{acc(contract_id), 10'000}};
  auto token = spawn_ledger(*sys, ctx, tc);
  ctx->dir.add(caf::actor_cast<caf::actor_addr>(token), token_id,
               actor_role::contract);
  keep(token);
  auto d = deploy(sample(token_id));
  activate(d);
  advance(std::chrono::hours{24 * 50});
  const auto platform_before = ledger_balance(alice);
  auto paid = claim(d, bob);
  ASSERT_TRUE(paid) << paid.err().to_string();
  EXPECT_EQ(paid->amount, 1500u);
  EXPECT_EQ(*call<result<tokens>>(token, stranger, acc(bob)), 1500u);
  EXPECT_EQ(*call<result<tokens>>(token, stranger, acc(contract_id)),
            10'000u - 1500u - 5u);
  EXPECT_EQ(ledger_balance(alice), platform_before);
}

TEST_F(distribution_contract_test, a_refused_payout_releases_the_claim) {
  // The distribution's account on this token is empty.
  const auto token_id = principal::canister_id(501);
  ledger_config tc;
  tc.fee = 5;
  tc.minting_account = acc(ledger_minter);
  auto token = spawn_ledger(*sys, ctx, tc);
  ctx->dir.add(caf::actor_cast<caf::actor_addr>(token), token_id,
               actor_role::contract);
  keep(token);
  auto d = deploy(sample(token_id));
  activate(d);
  advance(std::chrono::hours{24 * 50});
  auto paid = claim(d, alice);
  ASSERT_FALSE(paid);
  EXPECT_TRUE(is(paid.err(), ledger_errc::insufficient_funds))
      << paid.err().to_string();
  auto figures = call<result<vesting_figures>>(d, alice, claimable_arg{alice});
  EXPECT_EQ(figures->claimed, 0u);
  EXPECT_EQ(figures->claimable, 500u);
  // Funded later, the same claim goes through.
  ASSERT_TRUE(transfer_as(token, ledger_minter, contract_id, 1000));
  paid = claim(d, alice);
  ASSERT_TRUE(paid) << paid.err().to_string();
  EXPECT_EQ(paid->amount, 500u);
}

TEST_F(distribution_contract_test, an_unreachable_token_refuses_the_claim) {
  auto d = deploy(sample(principal::canister_id(502)));
  activate(d);
  advance(std::chrono::hours{24 * 50});
  auto paid = claim(d, alice);
  ASSERT_FALSE(paid);
  EXPECT_TRUE(is(paid.err(), system_errc::unavailable));
  auto figures = call<result<vesting_figures>>(d, alice, claimable_arg{alice});
  EXPECT_EQ(figures->claimed, 0u);
}

TEST_F(distribution_contract_test, a_token_that_went_away_keeps_the_claim) {
  const auto token_id = principal::canister_id(503);
  ledger_config tc;
  tc.fee = 5;
  tc.minting_account = acc(ledger_minter);
  tc.initial_balances = {{acc(contract_id), 10'000}};
  auto token = spawn_ledger(*sys, ctx, tc);
  ctx->dir.add(caf::actor_cast<caf::actor_addr>(token), token_id,
               actor_role::contract);
  auto d = deploy(sample(token_id));
  activate(d);
  advance(std::chrono::hours{24 * 50});
  caf::anon_send_exit(token, caf::exit_reason::user_shutdown);
  run();
  auto paid = claim(d, alice);
  ASSERT_FALSE(paid);
  EXPECT_TRUE(is(paid.err(), system_errc::unavailable))
      << paid.err().to_string();
  EXPECT_NE(paid.err().message.find("claim again"), std::string::npos)
      << paid.err().message;
  // The transfer may have left: the claim stays reserved (never paid twice).
  auto figures = call<result<vesting_figures>>(d, alice, claimable_arg{alice});
  EXPECT_EQ(figures->claimed, 500u);
  EXPECT_EQ(figures->claimable, 0u);
  auto health = call_as_factory<result<contract_health>>(d, health_ping_arg{});
  ASSERT_TRUE(health);
  EXPECT_TRUE(health->healthy) << health->message;
  // The token is back (empty of that transfer): claiming again sends the
  // same transfer, paid once.
  ctx->dir.remove(caf::actor_cast<caf::actor_addr>(token));
  auto back = keep(spawn_ledger(*sys, ctx, tc));
  ctx->dir.add(caf::actor_cast<caf::actor_addr>(back), token_id,
               actor_role::contract);
  advance(std::chrono::hours{1});
  paid = claim(d, alice);
  ASSERT_TRUE(paid) << paid.err().to_string();
  EXPECT_EQ(paid->amount, 500u);
  EXPECT_EQ(*call<result<tokens>>(back, stranger, acc(alice)), 500u);
  figures = call<result<vesting_figures>>(d, alice, claimable_arg{alice});
  EXPECT_EQ(figures->claimed, 500u);
  EXPECT_EQ(figures->claimable, 0u);
}

TEST_F(distribution_contract_test, a_resent_claim_already_paid_settles_once) {
  const auto token_id = principal::canister_id(504);
  ledger_config tc;
  tc.fee = 5;
  tc.minting_account = acc(ledger_minter);
  tc.initial_balances = {{acc(contract_id), 10'000}};
  auto token = spawn_ledger(*sys, ctx, tc);
  ctx->dir.add(caf::actor_cast<caf::actor_addr>(token), token_id,
               actor_role::contract);
  auto d = deploy(sample(token_id));
  activate(d);
  advance(std::chrono::hours{24 * 50});
  const auto reserved_at = clock.now();
  caf::anon_send_exit(token, caf::exit_reason::user_shutdown);
  run();
  ASSERT_FALSE(claim(d, bob));
  // The first transfer did reach a token after all: the token has its
  // block (the same request: from the distribution, memo = claim 1,
  // created_at_time = the reservation).
  ctx->dir.remove(caf::actor_cast<caf::actor_addr>(token));
  auto back = keep(spawn_ledger(*sys, ctx, tc));
  ctx->dir.add(caf::actor_cast<caf::actor_addr>(back), token_id,
               actor_role::contract);
  transfer_arg first;
  first.to = acc(bob);
  first.amount = 1500;
  first.memo = claim_memo(1);
  first.created_at_time = reserved_at;
  auto block = call<result<uint64_t>>(back, contract_id, first);
  ASSERT_TRUE(block) << block.err().to_string();
  advance(std::chrono::minutes{5});
  auto paid = claim(d, bob);
  ASSERT_TRUE(paid) << paid.err().to_string();
  EXPECT_EQ(paid->amount, 1500u);
  EXPECT_EQ(paid->block_index, *block) << "the duplicate's block";
  EXPECT_EQ(*call<result<tokens>>(back, stranger, acc(bob)), 1500u)
      << "paid once";
  auto figures = call<result<vesting_figures>>(d, bob, claimable_arg{bob});
  EXPECT_EQ(figures->claimed, 1500u);
}

TEST_F(distribution_contract_test, claims_carry_their_memo_and_time) {
  auto d = deploy(sample());
  activate(d);
  advance(std::chrono::hours{24 * 50});
  const auto at = clock.now();
  auto paid = claim(d, alice);
  ASSERT_TRUE(paid) << paid.err().to_string();
  // The same transfer again is the ledger's duplicate of the claim's block.
  transfer_arg same;
  same.to = acc(alice);
  same.amount = 500;
  same.memo = claim_memo(1);
  same.created_at_time = at;
  auto again = call<result<uint64_t>>(ledger, contract_id, same);
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), ledger_errc::duplicate))
      << again.err().to_string();
  EXPECT_EQ(again.err().detail, paid->block_index);
}

TEST_F(distribution_contract_test, an_invalid_init_or_version_never_serves) {
  auto bad = sample();
  bad.cliff_seconds = bad.vesting_seconds + 1;
  auto p = params();
  for (auto& [init, version] : {std::pair{bad, semver{1, 0, 0}},
                                std::pair{sample(), semver{9, 9, 9}}}) {
    p.version = version;
    auto d = keep(spawn_distribution_contract(
        *sys, ctx, p, factory_handle<distribution_factory_actor>(), init));
    auto h = (*ingress)->request(d, caf::infinite, caller{owner},
                                 contract_status_arg{});
    run();
    bool failed = false;
    h.receive([&](result<contract_status>&) {},
              [&](caf::error&) {
                failed = true;
              });
    EXPECT_TRUE(failed) << "the actor quits instead of serving";
    EXPECT_FALSE(ctx->dir.find_actor(contract_id))
        << "and leaves the directory";
  }
  EXPECT_TRUE(rec->entries.empty()) << "no deployment was completed";
}

TEST_F(distribution_contract_test, the_factory_migrates_within_known_versions) {
  auto d = deploy(sample());
  auto m = call_as_factory<result<migration_report>>(
      d, migrate_to_arg{semver{1, 0, 0}, owner});
  ASSERT_TRUE(m) << m.err().to_string();
  m = call_as_factory<result<migration_report>>(
      d, migrate_to_arg{semver{9, 0, 0}, owner});
  ASSERT_FALSE(m);
  EXPECT_TRUE(is(m.err(), factory_errc::unknown_version));
  auto not_factory = call<result<migration_report>>(
      d, owner, migrate_to_arg{semver{1, 0, 0}, owner});
  ASSERT_FALSE(not_factory);
  EXPECT_TRUE(is(not_factory.err(), contract_errc::unauthorized));
  auto versions = distribution_code_versions();
  ASSERT_FALSE(versions.empty());
  EXPECT_EQ(versions[0].version, (semver{1, 0, 0}));
}

// -- restored with claims in flight -------------------------------------------

/// A distribution's journal as the store holds it: activated, then claims
/// reserved whose answers the node did not journal before it died.
class distribution_restore_test : public distribution_contract_test {
 protected:
  distribution_restore_test() {
    created = clock.now();
    events = {
        make_op_event(contract_op::created, owner, created, contract_id),
        make_op_event(op_distribution_activate, owner, created,
                      distribution_activate_arg{}),
    };
  }

  /// Journals a claim of `who` reserved now; replies its sequence number.
  uint64_t reserve(const principal& who) {
    events.push_back(make_op_event(op_distribution_reserve_claim, who,
                                   clock.now(), distribution_claim_arg{}));
    return replayed().next_claim - 1;
  }

  void settle(uint64_t seq, uint64_t block) {
    events.push_back(make_op_event(op_distribution_settle_claim, principal{},
                                   clock.now(),
                                   distribution_claim_settled{seq, block}));
  }

  store::recovered_actor journal() const {
    store::recovered_actor out;
    out.actor = contract_id;
    for (const auto& ev : events)
      out.events.emplace_back(++out.last_seq, encode_event(ev));
    return out;
  }

  distribution_image replayed_image() {
    distribution_image img{make_contract_core(contract_kind::distribution,
                                              contract_id, owner, factory_id,
                                              semver{1, 0, 0}, created, false,
                                              "created"),
                           make_distribution_state(init, owner),
                           {}};
    for (const auto& ev : events)
      EXPECT_TRUE(replay_distribution_event(img, ev));
    return img;
  }

  /// The state the journal rebuilds (what the restored actor starts from).
  distribution_state replayed() {
    return replayed_image().state;
  }

  /// Restores the distribution and runs it (contracts start lazily), as
  /// the node does after a restart.
  distribution_contract_actor restore() {
    auto p = params();
    p.created_at = created;
    auto h = restore_distribution_contract(
        *sys, ctx, std::move(p), factory_handle<distribution_factory_actor>(),
        encode_event(init), journal());
    EXPECT_TRUE(h) << (h ? "" : h.err().to_string());
    if (!h)
      return {};
    auto d = keep(caf::actor_cast<distribution_contract_actor>(*h));
    EXPECT_TRUE(status(d));
    run();
    return d;
  }

  vesting_figures figures(const distribution_contract_actor& d,
                          const principal& who) {
    return call<result<vesting_figures>>(d, who, claimable_arg{who}).value();
  }

  distribution_init init = sample();
  timestamp created = 0;
  std::vector<op_event> events;
};

TEST_F(distribution_restore_test, the_journal_leaves_the_claim_in_flight) {
  advance(std::chrono::hours{24 * 50});
  const auto seq = reserve(alice);
  auto img = replayed_image();
  EXPECT_EQ(img.core.status, "active");
  auto t = claim_transfer(img.state, seq);
  ASSERT_TRUE(t) << t.err().message;
  EXPECT_EQ(t->amount, 500u);
  EXPECT_EQ(t->created_at_time, clock.now());
  EXPECT_EQ(t->memo, claim_memo(1));
}

TEST_F(distribution_restore_test, a_claim_that_never_left_is_paid_once) {
  advance(std::chrono::hours{24 * 50});
  reserve(alice);
  advance(std::chrono::minutes{3});
  const auto before = ledger_balance(contract_id);
  auto d = restore();
  EXPECT_EQ(rec->of<notify_deployment_complete_arg>().size(), 1u)
      << "re-bound with its factory";
  EXPECT_EQ(status(d)->status, "active");
  EXPECT_EQ(ledger_balance(alice), 50'000u + 500u);
  EXPECT_EQ(ledger_balance(contract_id), before - 500 - ledger_fee);
  auto f = figures(d, alice);
  EXPECT_EQ(f.claimed, 500u);
  EXPECT_EQ(f.claimable, 0u);
  auto again = claim(d, alice);
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), contract_errc::invalid_state))
      << again.err().to_string();
  EXPECT_EQ(ledger_balance(alice), 50'000u + 500u);
}

TEST_F(distribution_restore_test, a_claim_that_left_is_settled_once) {
  advance(std::chrono::hours{24 * 50});
  reserve(alice);
  // The first request reached the ledger before the node died.
  auto first = call<result<uint64_t>>(ledger, contract_id,
                                      claim_transfer(replayed(), 1).value());
  ASSERT_TRUE(first) << first.err().to_string();
  const auto before = ledger_balance(contract_id);
  EXPECT_EQ(ledger_balance(alice), 50'000u + 500u);
  auto d = restore();
  EXPECT_EQ(ledger_balance(alice), 50'000u + 500u) << "paid once";
  EXPECT_EQ(ledger_balance(contract_id), before);
  EXPECT_EQ(figures(d, alice).claimed, 500u);
  // Settled: a new claim later is a new reservation (claim 2).
  advance(std::chrono::hours{24});
  auto next = claim(d, alice);
  ASSERT_TRUE(next) << next.err().to_string();
  EXPECT_EQ(next->amount, 10u);
  EXPECT_EQ(ledger_balance(alice), 50'000u + 510u);
}

TEST_F(distribution_restore_test, the_last_claim_completes_after_a_restart) {
  advance(std::chrono::hours{24 * 100});
  const auto a = reserve(alice);
  const auto b = reserve(bob);
  auto paid = call<result<uint64_t>>(ledger, contract_id,
                                     claim_transfer(replayed(), a).value());
  ASSERT_TRUE(paid) << paid.err().to_string();
  settle(a, *paid);
  auto d = restore();
  EXPECT_EQ(ledger_balance(bob), 3000u);
  EXPECT_EQ(ledger_balance(alice), 50'000u + 1000u);
  EXPECT_EQ(status(d)->status, "completed");
  EXPECT_EQ(reported_statuses(), std::vector<std::string>{"completed"})
      << "the factory hears of the completion as it would live";
  EXPECT_EQ(b, 2u);
}

TEST_F(distribution_restore_test, a_refused_resend_releases_the_claim) {
  init.recipients = {{alice, 2'000'000}};
  advance(std::chrono::hours{24 * 50});
  reserve(alice);
  auto d = restore();
  auto f = figures(d, alice);
  EXPECT_EQ(f.claimed, 0u) << "the ledger refused: nothing was paid";
  EXPECT_EQ(f.claimable, 1'000'000u);
  EXPECT_EQ(ledger_balance(alice), 50'000u);
}

TEST_F(distribution_restore_test, an_unknown_outcome_stays_in_flight) {
  advance(std::chrono::hours{24 * 50});
  reserve(alice);
  // Restarted after the ledger's dedup window: it cannot tell whether the
  // first request ran, so it never pays again by itself.
  advance(std::chrono::hours{25});
  auto said = std::make_shared<std::vector<std::string>>();
  ctx->warn = [said](const std::string& text) {
    said->push_back(text);
  };
  const auto& warnings = *said;
  auto d = restore();
  EXPECT_EQ(ledger_balance(alice), 50'000u);
  EXPECT_EQ(figures(d, alice).claimed, 500u);
  ASSERT_EQ(warnings.size(), 1u) << "the operator hears of it";
  EXPECT_NE(warnings[0].find("distribution " + contract_id.to_text()),
            std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("claim 1 (500 to " + alice.to_text()),
            std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("TooOld"), std::string::npos) << warnings[0];
  auto r = claim(d, alice);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), ledger_errc::too_old)) << r.err().to_string();
  EXPECT_NE(r.err().message.find("stays reserved"), std::string::npos)
      << r.err().message;
  EXPECT_EQ(ledger_balance(alice), 50'000u);
  auto h = call_as_factory<result<contract_health>>(d, health_ping_arg{});
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->healthy) << h->message;
  auto refused = claim(d, stranger);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(is(refused.err(), contract_errc::unauthorized));
  EXPECT_EQ(warnings.size(), 2u) << "the resend's outcome is unknown too";
}

} // namespace
} // namespace icto::contract_test
