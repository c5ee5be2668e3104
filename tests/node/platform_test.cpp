// The whole platform from config/single-node.toml in one actor system under
// CAF's test coordinator: the dev admin mints, a user pays and deploys a
// token through the backend, the factory indexes it, the storages record
// it; an unpaid deployment is refused and charges nothing.

#include "config/load_topology.hpp"
#include "node/platform.hpp"
#include "tests/actors/actor_fixture.hpp"

#include <caf/actor_system.hpp>
#include <gtest/gtest.h>

using namespace icto;

namespace {

class platform_test : public test::actor_fixture {
 protected:
  platform_test() {
    auto topo = load_topology(std::string{ICTO_SOURCE_DIR}
                              + "/config/single-node.toml");
    EXPECT_TRUE(topo.ok());
    t = topo.value();
    admin = t.controllers.at(0);
    auto p = spawn_platform(*sys, ctx, t, *t.find_node("local"));
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.err().message);
    if (p.ok())
      svc = *p;
    run();
  }

  ~platform_test() override {
    for (auto& h : ctx->dir.actors_with_role(actor_role::contract))
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    for (auto& h : svc.all())
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    run();
  }

  /// The dev admin (the minting account) mints `amount` to `who`.
  void mint(const principal& who, tokens amount) {
    transfer_arg a;
    a.to = account{who, std::nullopt};
    a.amount = amount;
    auto r = call<result<uint64_t>>(svc.ledger, admin, a);
    ASSERT_TRUE(r.ok()) << r.err().to_string();
  }

  void approve_backend(const principal& who, tokens amount) {
    approve_args a;
    a.spender = account{service_principal(service_id::backend), std::nullopt};
    a.amount = amount;
    auto r = call<result<uint64_t>>(svc.ledger, who, a);
    ASSERT_TRUE(r.ok()) << r.err().to_string();
  }

  tokens balance(const principal& who) {
    auto r = call<result<tokens>>(svc.ledger, who, account{who, std::nullopt});
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : 0;
  }

  result<deployment_receipt> create_token(const principal& who,
                                          const std::string& request_id) {
    create_token_arg a;
    a.request_id = request_id;
    a.init.name = "Alice Coin";
    a.init.symbol = "ALC";
    a.init.fee = 10;
    a.init.initial_supply = 1'000'000;
    return call<result<deployment_receipt>>(svc.backend, who, a);
  }

  void setup() {
    auto r = call<result<microservice_setup_status>>(svc.backend, admin,
                                                     setup_microservices_arg{});
    ASSERT_TRUE(r.ok()) << r.err().to_string();
    EXPECT_TRUE(r->completed);
  }

  topology t;
  principal admin;
  platform svc;
};

} // namespace

TEST_F(platform_test, every_service_of_the_topology_is_spawned_and_named) {
  for (auto s : all_services) {
    auto h = svc.by_service[static_cast<size_t>(s)];
    ASSERT_TRUE(h) << to_string(s);
    auto e = ctx->dir.find(h.address());
    ASSERT_TRUE(e.has_value()) << to_string(s);
    EXPECT_EQ(e->id, service_principal(s)) << to_string(s);
    EXPECT_EQ(service_of(e->id), s);
  }
  EXPECT_EQ(ctx->controllers, t.controllers);
}

TEST_F(platform_test, a_paid_token_deployment_flows_through_every_service) {
  const auto alice = test::user(1);
  setup();
  const tokens fee = t.fees.token_factory.fee;
  mint(alice, fee + t.fees.multisig_factory.fee + 1'000'000);
  approve_backend(alice, fee + t.ledger.fee);
  const tokens before = balance(alice);
  auto receipt = create_token(alice, "req-1");
  ASSERT_TRUE(receipt.ok()) << receipt.err().to_string();
  EXPECT_EQ(receipt->owner, alice);
  EXPECT_EQ(receipt->fee_paid, fee);
  // The id comes from the node's range.
  EXPECT_EQ(receipt->contract_id,
            principal::canister_id(t.find_node("local")->contract_ids.start));
  EXPECT_EQ(balance(alice), before - fee - t.ledger.fee);
  // Each factory gives ids from its own share of the node's range.
  const auto& range = t.find_node("local")->contract_ids;
  approve_backend(alice, t.fees.multisig_factory.fee + t.ledger.fee);
  create_multisig_arg ms;
  ms.request_id = "req-ms";
  ms.init.name = "wallet";
  ms.init.signers = {alice};
  ms.init.threshold = 1;
  auto wallet = call<result<deployment_receipt>>(svc.backend, alice, ms);
  ASSERT_TRUE(wallet.ok()) << wallet.err().to_string();
  EXPECT_EQ(wallet->contract_id,
            principal::canister_id(range.start + range.count / 5));
  EXPECT_NE(ctx->dir.find_actor(wallet->contract_id),
            ctx->dir.find_actor(receipt->contract_id));
  // The factory's indexes know it; the backend does not keep it.
  my_contracts_arg q;
  q.user = alice;
  auto mine = call<result<my_contracts_page>>(svc.token_factory, alice, q);
  ASSERT_TRUE(mine.ok()) << mine.err().to_string();
  ASSERT_GE(mine->total, 1u);
  EXPECT_EQ(mine->entries[0].id, receipt->contract_id);
  mine = call<result<my_contracts_page>>(svc.multisig_factory, alice, q);
  ASSERT_TRUE(mine.ok());
  ASSERT_GE(mine->total, 1u);
  EXPECT_EQ(mine->entries[0].id, wallet->contract_id);
  // The invoice is completed, the audit trail holds the deployment.
  auto inv = call<result<payment_record>>(
      svc.invoice, admin, payment_record_arg{receipt->payment_id});
  ASSERT_TRUE(inv.ok()) << inv.err().to_string();
  EXPECT_EQ(inv->status, payment_status::completed);
  auto entry = call<result<audit_entry>>(svc.audit, admin,
                                         audit_entry_arg{receipt->audit_id});
  ASSERT_TRUE(entry.ok()) << entry.err().to_string();
  EXPECT_EQ(entry->event.contract_id, receipt->contract_id);
  auto chain = call<result<chain_verification>>(svc.audit, admin,
                                                verify_chain_arg{});
  ASSERT_TRUE(chain.ok());
  EXPECT_TRUE(chain->ok) << chain->reason;
  // The same request again replies the first receipt and charges nothing.
  const tokens before_retry = balance(alice);
  auto again = create_token(alice, "req-1");
  ASSERT_TRUE(again.ok()) << again.err().to_string();
  EXPECT_EQ(again->contract_id, receipt->contract_id);
  EXPECT_EQ(balance(alice), before_retry);
}

TEST_F(platform_test, an_unpaid_deployment_is_refused_and_charges_nothing) {
  const auto bob = test::user(2);
  setup();
  mint(bob, 5 * t.fees.token_factory.fee);
  const tokens before = balance(bob);
  auto r = create_token(bob, "no-allowance");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.err(), backend_errc::insufficient_allowance))
      << r.err().to_string();
  EXPECT_EQ(balance(bob), before);
  my_contracts_arg q;
  q.user = bob;
  auto mine = call<result<my_contracts_page>>(svc.token_factory, bob, q);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->total, 0u);
}
