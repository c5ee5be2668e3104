// The distribution contract actor with the real ledger: deployment, the
// owner's edits and their callbacks, activation, claims paid on the
// platform ledger or on a token found in the directory, refused payouts.

#include "tests/actors/contracts/distribution_dao_launchpad_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>

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
  auto figures = call<result<vesting_figures>>(d, alice, claimable_arg{alice});
  EXPECT_EQ(figures->claimed, 0u);
  EXPECT_EQ(figures->claimable, 500u);
  auto health = call_as_factory<result<contract_health>>(d, health_ping_arg{});
  ASSERT_TRUE(health);
  EXPECT_TRUE(health->healthy) << health->message;
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

} // namespace
} // namespace icto::contract_test
