// The token contract actor under the test coordinator: the common methods,
// the ICRC-1 methods, callbacks to a recording factory, and upgrades.

#include "actors/contracts/token_state.hpp"
#include "tests/actors/contracts/contract_actor_fixture.hpp"

#include <gtest/gtest.h>

namespace icto::contract_test {
namespace {

class token_contract_test : public contract_actor_fixture {
 protected:
  token_contract_actor deploy(semver v = {1, 0, 0}, tokens supply = 1'000'000) {
    token_init init;
    init.name = "Test Token";
    init.symbol = "TT";
    init.fee = 100;
    init.initial_supply = supply;
    auto h = keep(spawn_token_contract(
        *sys, ctx, params(v), caf::actor_cast<token_factory_actor>(factory),
        init));
    auto health = call_as_factory<result<contract_health>>(h,
                                                           health_ping_arg{});
    EXPECT_TRUE(health && health->healthy);
    return h;
  }

  result<uint64_t> transfer(const token_contract_actor& h, const principal& who,
                            const principal& to, tokens amount) {
    transfer_arg a;
    a.to = acc(to);
    a.amount = amount;
    return call<result<uint64_t>>(h, who, a);
  }

  tokens balance(const token_contract_actor& h, const principal& p) {
    return *call<result<tokens>>(h, stranger, acc(p));
  }
};

TEST_F(token_contract_test, deploys_registers_and_reports_the_owner_as_holder) {
  auto h = deploy();
  EXPECT_TRUE(ctx->dir.find_actor(contract_id));
  auto found = ctx->dir.find(caf::actor_cast<caf::actor_addr>(h));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->role, actor_role::contract);
  auto done = rec->of<notify_deployment_complete_arg>();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].contract_id, contract_id);
  auto mints = rec->of<notify_mint_arg>();
  ASSERT_EQ(mints.size(), 1u);
  EXPECT_EQ(mints[0].to, (holder_balance{owner, 1'000'000}));
  for (auto& e : rec->entries)
    EXPECT_EQ(e.sender, contract_id) << "callbacks come from the contract";
  auto st = call<result<contract_status>>(h, stranger, contract_status_arg{});
  ASSERT_TRUE(st);
  EXPECT_EQ(st->kind, contract_kind::token);
  EXPECT_EQ(st->version, (semver{1, 0, 0}));
  EXPECT_EQ(st->controllers, (std::vector<principal>{factory_id, owner}));
  EXPECT_TRUE(st->auto_update);
  EXPECT_EQ(st->status, "active");
}

TEST_F(token_contract_test, icrc1_methods_and_holder_callbacks) {
  auto h = deploy();
  EXPECT_EQ(*call<result<std::string>>(h, stranger, icrc1_name_arg{}),
            "Test Token");
  EXPECT_EQ(*call<result<std::string>>(h, stranger, icrc1_symbol_arg{}), "TT");
  EXPECT_EQ(*call<result<uint8_t>>(h, stranger, icrc1_decimals_arg{}), 8);
  EXPECT_EQ(*call<result<tokens>>(h, stranger, icrc1_fee_arg{}), 100u);
  EXPECT_FALSE(call<result<metadata_entries>>(h, stranger, icrc1_metadata_arg{})
                   ->empty());
  EXPECT_EQ(call<result<standard_records>>(h, stranger,
                                           icrc1_supported_standards_arg{})
                ->size(),
            1u);
  auto b = transfer(h, owner, alice, 5000);
  ASSERT_TRUE(b) << b.err().to_string();
  EXPECT_EQ(*b, 1u);
  EXPECT_EQ(balance(h, alice), 5000u);
  auto xs = rec->of<notify_transfer_arg>();
  ASSERT_EQ(xs.size(), 1u);
  EXPECT_EQ(xs[0].from, (holder_balance{owner, 1'000'000 - 5100}));
  EXPECT_EQ(xs[0].to, (holder_balance{alice, 5000}));
  // a refused transfer calls nobody back
  auto poor = transfer(h, bob, alice, 1);
  ASSERT_FALSE(poor);
  EXPECT_TRUE(is(poor.err(), ledger_errc::insufficient_funds));
  EXPECT_EQ(rec->of<notify_transfer_arg>().size(), 1u);
  // mint: the owner only
  auto m = call<result<uint64_t>>(h, alice,
                                  token_mint_arg{acc(bob), 700, std::nullopt});
  ASSERT_FALSE(m);
  EXPECT_TRUE(is(m.err(), contract_errc::unauthorized));
  m = call<result<uint64_t>>(h, owner,
                             token_mint_arg{acc(bob), 700, std::nullopt});
  ASSERT_TRUE(m) << m.err().to_string();
  auto mints = rec->of<notify_mint_arg>();
  ASSERT_EQ(mints.size(), 2u);
  EXPECT_EQ(mints[1].to, (holder_balance{bob, 700}));
  // bob burns it all: the factory learns his balance is 0
  auto burned = call<result<uint64_t>>(
      h, bob, token_burn_arg{std::nullopt, 700, std::nullopt});
  ASSERT_TRUE(burned) << burned.err().to_string();
  auto burns = rec->of<notify_burn_arg>();
  ASSERT_EQ(burns.size(), 1u);
  EXPECT_EQ(burns[0].from, (holder_balance{bob, 0}));
  auto info = call<result<token_info>>(h, stranger, token_info_arg{});
  ASSERT_TRUE(info);
  EXPECT_EQ(info->holders, 2u);
  EXPECT_EQ(info->total_supply, 1'000'000u - 100);
  EXPECT_EQ(info->minted, 1'000'700u);
  EXPECT_EQ(info->burned, 800u);
  EXPECT_EQ(*call<result<tokens>>(h, stranger, icrc1_total_supply_arg{}),
            1'000'000u - 100);
}

TEST_F(token_contract_test, owner_settings_call_the_factory_back) {
  auto h = deploy();
  auto r = call<result<unit>>(h, alice, set_visibility_arg{true});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  ASSERT_TRUE(call<result<unit>>(h, owner, set_visibility_arg{true}));
  auto vis = rec->of<notify_visibility_changed_arg>();
  ASSERT_EQ(vis.size(), 1u);
  EXPECT_TRUE(vis[0].is_public);
  EXPECT_TRUE(
      call<result<token_info>>(h, stranger, token_info_arg{})->is_public);
  ASSERT_TRUE(call<result<unit>>(h, owner, set_visibility_arg{true}));
  EXPECT_EQ(rec->of<notify_visibility_changed_arg>().size(), 1u)
      << "no change, no callback";
  ASSERT_TRUE(call<result<unit>>(h, owner, set_auto_update_arg{false}));
  auto au = rec->of<notify_auto_update_changed_arg>();
  ASSERT_EQ(au.size(), 1u);
  EXPECT_FALSE(au[0].auto_update);
  EXPECT_FALSE(call<result<contract_status>>(h, owner, contract_status_arg{})
                   ->auto_update);
}

TEST_F(token_contract_test, factory_only_calls_and_controller_removal) {
  auto h = deploy();
  // the owner (through ingress) is not the factory
  auto r = call<result<migration_report>>(
      h, owner, migrate_to_arg{semver{1, 1, 0}, owner});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  // the factory may not remove itself: only the owner may
  auto rm = call<result<unit>>(h, factory_id, remove_factory_controller_arg{});
  ASSERT_FALSE(rm);
  EXPECT_TRUE(is(rm.err(), contract_errc::unauthorized));
  ASSERT_TRUE(call<result<unit>>(h, owner, remove_factory_controller_arg{}));
  auto cc = rec->of<notify_controllers_changed_arg>();
  ASSERT_EQ(cc.size(), 1u);
  EXPECT_EQ(cc[0].controllers, std::vector<principal>{owner});
  auto again = call<result<unit>>(h, owner, remove_factory_controller_arg{});
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), contract_errc::already_done));
  auto m = call_as_factory<result<migration_report>>(
      h, migrate_to_arg{semver{1, 1, 0}, owner});
  ASSERT_FALSE(m);
  EXPECT_TRUE(is(m.err(), contract_errc::unauthorized));
  auto hp = call_as_factory<result<contract_health>>(h, health_ping_arg{});
  ASSERT_FALSE(hp);
}

TEST_F(token_contract_test, upgrade_and_rollback_through_migrate_to) {
  auto h = deploy();
  ASSERT_TRUE(transfer(h, owner, alice, 1000));
  auto m = call_as_factory<result<migration_report>>(
      h, migrate_to_arg{semver{1, 2, 0}, owner});
  ASSERT_TRUE(m) << m.err().to_string();
  EXPECT_EQ(m->from, (semver{1, 0, 0}));
  EXPECT_EQ(m->to, (semver{1, 2, 0}));
  EXPECT_EQ(
      call<result<contract_status>>(h, owner, contract_status_arg{})->version,
      (semver{1, 2, 0}));
  auto hp = call_as_factory<result<contract_health>>(h, health_ping_arg{});
  ASSERT_TRUE(hp);
  EXPECT_TRUE(hp->healthy);
  EXPECT_EQ(hp->version, (semver{1, 2, 0}));
  // the cap of 1.1.0+ holds
  auto big = call<result<uint64_t>>(
      h, owner, token_mint_arg{acc(bob), token_max_supply, std::nullopt});
  ASSERT_FALSE(big);
  EXPECT_TRUE(is(big.err(), contract_errc::invalid_state));
  m = call_as_factory<result<migration_report>>(
      h, migrate_to_arg{semver{1, 0, 0}, owner});
  ASSERT_TRUE(m) << m.err().to_string();
  EXPECT_EQ(balance(h, alice), 1000u);
  auto unknown = call_as_factory<result<migration_report>>(
      h, migrate_to_arg{semver{2, 0, 0}, owner});
  ASSERT_FALSE(unknown);
  EXPECT_TRUE(is(unknown.err(), factory_errc::unknown_version));
}

TEST_F(token_contract_test, failed_migration_keeps_version_and_balances) {
  auto h = deploy();
  auto big = call<result<uint64_t>>(
      h, owner, token_mint_arg{acc(bob), token_max_supply, std::nullopt});
  ASSERT_TRUE(big) << big.err().to_string();
  auto m = call_as_factory<result<migration_report>>(
      h, migrate_to_arg{semver{1, 1, 0}, owner});
  ASSERT_FALSE(m);
  EXPECT_TRUE(is(m.err(), factory_errc::migration_failed));
  EXPECT_EQ(
      call<result<contract_status>>(h, owner, contract_status_arg{})->version,
      (semver{1, 0, 0}));
  EXPECT_EQ(balance(h, bob), token_max_supply);
  EXPECT_TRUE(
      call_as_factory<result<contract_health>>(h, health_ping_arg{})->healthy);
  // and it keeps serving at 1.0.0
  EXPECT_TRUE(transfer(h, bob, alice, 10));
}

TEST_F(token_contract_test, refused_callbacks_are_not_fatal) {
  auto h = deploy();
  rec->refuse = true;
  ASSERT_TRUE(transfer(h, owner, alice, 10));
  ASSERT_TRUE(transfer(h, owner, alice, 10));
  EXPECT_EQ(rec->of<notify_transfer_arg>().size(), 2u);
  EXPECT_EQ(balance(h, alice), 20u);
  // the factory gone: callbacks fail, the token still answers
  caf::anon_send_exit(factory, caf::exit_reason::user_shutdown);
  run();
  ASSERT_TRUE(transfer(h, owner, alice, 10));
  EXPECT_EQ(balance(h, alice), 30u);
}

TEST_F(token_contract_test, exit_removes_the_directory_entry) {
  auto h = deploy();
  ASSERT_TRUE(ctx->dir.find_actor(contract_id));
  caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
  run();
  EXPECT_FALSE(ctx->dir.find_actor(contract_id));
}

TEST_F(token_contract_test, code_versions_and_init_validation) {
  auto vs = token_code_versions();
  ASSERT_EQ(vs.size(), 3u);
  EXPECT_EQ(vs[1].version, (semver{1, 1, 0}));
  EXPECT_FALSE(vs[1].migration.empty());
  token_init bad;
  bad.symbol = "TT";
  auto r = validate(bad);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::invalid_argument));
  // deployed at 1.1.0 directly
  auto h = deploy(semver{1, 1, 0});
  EXPECT_EQ(
      call<result<contract_status>>(h, owner, contract_status_arg{})->version,
      (semver{1, 1, 0}));
}

} // namespace
} // namespace icto::contract_test

namespace icto::contract_test {
namespace {

TEST_F(token_contract_test, registered_before_it_runs_and_gone_if_init_fails) {
  token_init init;
  init.name = "Bad Version";
  init.symbol = "BV";
  auto h = keep(spawn_token_contract(
      *sys, ctx, params(semver{9, 0, 0}),
      caf::actor_cast<token_factory_actor>(factory), init));
  // lazy: nothing ran yet, but the directory knows it already
  EXPECT_TRUE(ctx->dir.find_actor(contract_id));
  EXPECT_TRUE(rec->entries.empty());
  // its first message runs the init, which fails: it quits and leaves
  caf::anon_send(h, caller{factory_id}, health_ping_arg{});
  run();
  EXPECT_FALSE(ctx->dir.find_actor(contract_id));
  EXPECT_TRUE(rec->of<notify_deployment_complete_arg>().empty());
}

} // namespace
} // namespace icto::contract_test
