// The multisig, distribution, DAO and launchpad factories with their real
// contracts: createContract, the initial role entries, and one role-index
// callback each, sent by the contract itself.

#include "actors/factories/dao_factory.hpp"
#include "actors/factories/distribution_factory.hpp"
#include "actors/factories/launchpad_factory.hpp"
#include "actors/factories/multisig_factory.hpp"
#include "actors/ledger/ledger_actor.hpp"
#include "tests/actors/factories/factory_test_util.hpp"

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include <chrono>

using namespace icto;
using namespace icto::factory_test;

namespace {

/// Nanoseconds of a duration.
timestamp ns(std::chrono::nanoseconds d) {
  return static_cast<timestamp>(d.count());
}

class kinds_factory_test : public factory_fixture {
 protected:
  static constexpr tokens ledger_fee = 10;

  kinds_factory_test() : ledger_id(principal::canister_id(2)) {
    ledger_config lc;
    lc.name = "Internet Computer";
    lc.symbol = "ICP";
    lc.fee = ledger_fee;
    lc.minting_account = account{test::user(200), std::nullopt};
    lc.initial_balances = {{account{bob, std::nullopt}, 500'000}};
    ledger = spawn_ledger(*sys, ctx, lc);
    ctx->dir.add(ledger.address(), ledger_id, actor_role::service);
    run();
  }

  ~kinds_factory_test() override {
    caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
    run();
  }

  factory_config kind_cfg() {
    auto fc = factory_cfg();
    fc.ledger = ledger;
    fc.ledger_id = ledger_id;
    return fc;
  }

  template <class Handle>
  my_contracts_page mine(const Handle& factory, const principal& user,
                         std::optional<contract_role> role = std::nullopt) {
    auto r = call<result<my_contracts_page>>(factory, carol,
                                             my_contracts_arg{user, role, {}});
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : my_contracts_page{};
  }

  template <class Handle>
  void stop(const Handle& factory) {
    caf::anon_send_exit(factory, caf::exit_reason::user_shutdown);
    run();
  }

  principal ledger_id;
  ledger_actor ledger;
};

TEST_F(kinds_factory_test, multisig_signers_and_observers) {
  auto factory = spawn_multisig_factory(*sys, ctx, kind_cfg());
  run();
  multisig_init init;
  init.name = "Treasury";
  init.signers = {alice, bob};
  init.threshold = 2;
  init.observers = {carol};
  auto bad = init;
  bad.threshold = 3;
  auto r = call_from<result<principal>>(
      backend, factory, backend_id,
      create_multisig_contract{alice, bad, "m0", std::nullopt});
  ASSERT_TRUE(fails_with(r, factory_errc::invalid_argument));
  EXPECT_NE(r.err().message.find("threshold"), std::string::npos);
  r = call_from<result<principal>>(backend, factory, backend_id,
                                   create_multisig_contract{alice, init, "m1",
                                                            std::nullopt});
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  const auto id = *r;
  EXPECT_EQ(id, principal::canister_id(first_index));
  auto a = mine(factory, alice);
  ASSERT_EQ(a.total, 2u);
  EXPECT_EQ(a.entries[0].role, contract_role::creator);
  EXPECT_EQ(a.entries[1].role, contract_role::signer);
  EXPECT_EQ(a.entries[1].kind, contract_kind::multisig);
  EXPECT_EQ(mine(factory, carol, contract_role::observer).total, 1u);
  // The owner adds a signer on the wallet; the wallet tells the factory.
  auto wallet = contract<multisig_contract_actor>(id);
  auto dave = test::user(13);
  ASSERT_TRUE(call<result<unit>>(wallet, alice, add_signer_arg{dave}).ok());
  auto d = mine(factory, dave);
  ASSERT_EQ(d.total, 1u);
  EXPECT_EQ(d.entries[0].id, id);
  EXPECT_EQ(d.entries[0].role, contract_role::signer);
  ASSERT_TRUE(call<result<unit>>(wallet, alice, remove_signer_arg{dave}).ok());
  EXPECT_EQ(mine(factory, dave).total, 0u);
  // Nobody else may send the wallet's callbacks.
  auto forged = call_from<result<unit>>(
      backend, factory, id, notify_signer_added_arg{id, test::user(14)});
  EXPECT_TRUE(fails_with(forged, factory_errc::forged_callback));
  auto s = call<result<factory_stats>>(factory, carol, factory_stats_arg{});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, contract_kind::multisig);
  EXPECT_EQ(s->callbacks_refused, 1u);
  EXPECT_EQ(s->role_entries, 3u);
  stop(factory);
}

TEST_F(kinds_factory_test, distribution_recipients) {
  auto factory = spawn_distribution_factory(*sys, ctx, kind_cfg());
  run();
  distribution_init init;
  init.name = "Airdrop";
  init.token = ledger_id;
  init.recipients = {{bob, 1'000}};
  init.start_time = clock.now() + ns(std::chrono::hours{1});
  init.vesting_seconds = 3600;
  auto r = call_from<result<principal>>(
      backend, factory, backend_id,
      create_distribution_contract{alice, init, "d1", std::nullopt});
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  const auto id = *r;
  EXPECT_EQ(mine(factory, bob, contract_role::recipient).total, 1u);
  auto dist = contract<distribution_contract_actor>(id);
  ASSERT_TRUE(
      call<result<unit>>(dist, alice, distribution_recipient{carol, 500}).ok());
  auto c = mine(factory, carol);
  ASSERT_EQ(c.total, 1u);
  EXPECT_EQ(c.entries[0].role, contract_role::recipient);
  EXPECT_EQ(c.entries[0].kind, contract_kind::distribution);
  ASSERT_TRUE(call<result<unit>>(dist, alice, remove_recipient_arg{bob}).ok());
  EXPECT_EQ(mine(factory, bob).total, 0u);
  stop(factory);
}

TEST_F(kinds_factory_test, dao_members) {
  auto factory = spawn_dao_factory(*sys, ctx, kind_cfg());
  run();
  dao_init init;
  init.name = "Guild";
  init.members = {{alice, 10}, {bob, 5}};
  init.quorum_bps = 5'000;
  init.approval_threshold_bps = 5'000;
  init.voting_period_seconds = 3'600;
  init.is_public = true;
  auto r = call_from<result<principal>>(backend, factory, backend_id,
                                        create_dao_contract{alice, init, "g1",
                                                            std::nullopt});
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  const auto id = *r;
  EXPECT_EQ(mine(factory, bob, contract_role::member).total, 1u);
  auto dao = contract<dao_contract_actor>(id);
  ASSERT_TRUE(call<result<unit>>(dao, alice, dao_member{carol, 3}).ok());
  auto c = mine(factory, carol);
  ASSERT_EQ(c.total, 1u);
  EXPECT_EQ(c.entries[0].role, contract_role::member);
  EXPECT_EQ(c.entries[0].kind, contract_kind::dao);
  auto pub = call<result<contract_page>>(factory, carol, page{});
  ASSERT_TRUE(pub.ok());
  ASSERT_EQ(pub->total, 1u);
  EXPECT_EQ(pub->contracts[0].id, id);
  stop(factory);
}

TEST_F(kinds_factory_test, launchpad_participants) {
  auto factory = spawn_launchpad_factory(*sys, ctx, kind_cfg());
  run();
  launchpad_init init;
  init.name = "Rocket";
  init.sale_token = principal::canister_id(600);
  init.price_e8s = 50'000'000;
  init.soft_cap = 100'000;
  init.hard_cap = 300'000;
  init.min_contribution = 20'000;
  init.max_contribution = 200'000;
  init.start_time = clock.now() + ns(std::chrono::hours{1});
  init.end_time = clock.now() + ns(std::chrono::hours{25});
  auto r = call_from<result<principal>>(
      backend, factory, backend_id,
      create_launchpad_contract{alice, init, "l1", std::nullopt});
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  const auto id = *r;
  EXPECT_EQ(mine(factory, alice).total, 1u);
  EXPECT_EQ(mine(factory, bob).total, 0u);
  // Bob approves the launchpad on the ledger and contributes once open.
  approve_args ap;
  ap.spender = account{id, std::nullopt};
  ap.amount = 40'000 + ledger_fee;
  ASSERT_TRUE(call<result<uint64_t>>(ledger, bob, ap).ok());
  advance(std::chrono::hours{1});
  contribute_arg c;
  c.amount = 40'000;
  auto got = call<result<contribution>>(contract<launchpad_contract_actor>(id),
                                        bob, c);
  ASSERT_TRUE(got.ok()) << got.err().to_string();
  auto b = mine(factory, bob);
  ASSERT_EQ(b.total, 1u);
  EXPECT_EQ(b.entries[0].id, id);
  EXPECT_EQ(b.entries[0].role, contract_role::participant);
  EXPECT_EQ(b.entries[0].kind, contract_kind::launchpad);
  stop(factory);
}

} // namespace
