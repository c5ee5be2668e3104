// The ledger actor under CAF's deterministic test coordinator: requests go
// through the typed interface, the caller comes from the CAF sender.

#include "actors/ledger/ledger_actor.hpp"
#include "tests/actors/actor_fixture.hpp"
#include "tests/actors/ledger/ledger_test_util.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>

#include <string>

using namespace icto;
using icto::ledger_test::acc;
using icto::ledger_test::is_ledger_error;
using icto::ledger_test::ns;

namespace {

using namespace std::chrono_literals;

class ledger_actor_test : public test::actor_fixture {
 protected:
  ledger_actor_test()
      : alice(test::user(1)), bob(test::user(2)), carol(test::user(3)),
        minter(test::user(100)), service_id_(principal::canister_id(7)) {
    ledger_config lc;
    lc.name = "Internet Computer";
    lc.symbol = "ICP";
    lc.fee = fee;
    lc.minting_account = acc(minter);
    lc.initial_balances = {{acc(alice), 1'000'000}, {acc(bob), 500'000}};
    ledger = spawn_ledger(*sys, ctx, lc);
    run();
  }

  ~ledger_actor_test() override {
    caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
    run();
  }

  tokens balance(const principal& p) {
    auto r = call<result<tokens>>(ledger, alice, acc(p));
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : 0;
  }

  result<uint64_t> transfer(const principal& as, const account& to,
                            tokens amount) {
    transfer_arg a;
    a.to = to;
    a.amount = amount;
    return call<result<uint64_t>>(ledger, as, a);
  }

  /// Sends `req` from `from` (a scoped actor other than the ingress) with
  /// the claimed caller `claimed`, runs every actor, returns the reply.
  template <class Reply, class Request>
  Reply
  call_from(caf::scoped_actor& from, const principal& claimed, Request req) {
    auto handle = from->request(ledger, caf::infinite, caller{claimed},
                                std::move(req));
    run();
    Reply out;
    if (from->mailbox().empty()) {
      ADD_FAILURE() << "no reply";
      return out;
    }
    bool got = false;
    handle.receive(
        [&](Reply& x) {
          out = std::move(x);
          got = true;
        },
        [&](caf::error& err) {
          ADD_FAILURE() << "call failed: " << sys->render(err);
        });
    EXPECT_TRUE(got);
    return out;
  }

  static constexpr tokens fee = 10'000;
  principal alice;
  principal bob;
  principal carol;
  principal minter;
  principal service_id_;
  ledger_actor ledger;
};

TEST_F(ledger_actor_test, answers_icrc1_metadata) {
  EXPECT_EQ(call<result<std::string>>(ledger, alice, icrc1_name_arg{}).value(),
            "Internet Computer");
  EXPECT_EQ(
      call<result<std::string>>(ledger, alice, icrc1_symbol_arg{}).value(),
      "ICP");
  EXPECT_EQ(call<result<uint8_t>>(ledger, alice, icrc1_decimals_arg{}).value(),
            8);
  EXPECT_EQ(call<result<tokens>>(ledger, alice, icrc1_fee_arg{}).value(), fee);
  EXPECT_EQ(
      call<result<tokens>>(ledger, alice, icrc1_total_supply_arg{}).value(),
      1'500'000u);
  auto minting = call<result<opt_account>>(ledger, alice,
                                           icrc1_minting_account_arg{});
  ASSERT_TRUE(minting.ok());
  EXPECT_EQ(*minting, opt_account{acc(minter)});
  auto standards = call<result<standard_records>>(
      ledger, alice, icrc1_supported_standards_arg{});
  ASSERT_TRUE(standards.ok());
  ASSERT_EQ(standards->size(), 2u);
  EXPECT_EQ((*standards)[1].name, "ICRC-2");
  auto md = call<result<metadata_entries>>(ledger, alice, icrc1_metadata_arg{});
  ASSERT_TRUE(md.ok());
  EXPECT_FALSE(md->empty());
}

TEST_F(ledger_actor_test, transfer_through_ingress_acts_for_the_user) {
  auto r = transfer(alice, acc(carol), 1'000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2u); // blocks 0 and 1 are the genesis mints
  EXPECT_EQ(balance(alice), 1'000'000u - 1'000u - fee);
  EXPECT_EQ(balance(carol), 1'000u);
  auto s = call<result<ledger_stats>>(ledger, bob, ledger_stats_arg{});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->minted, 1'500'000u);
  EXPECT_EQ(s->burned, fee);
  EXPECT_EQ(s->fees_burned, fee);
  EXPECT_EQ(s->total_supply + s->burned, s->minted);
  EXPECT_EQ(s->transactions, 3u);
  EXPECT_EQ(s->accounts, 3u);
}

TEST_F(ledger_actor_test, service_cannot_spend_a_principal_it_claims) {
  caf::scoped_actor service{*sys, true};
  ctx->dir.add(service->address(), service_id_, actor_role::service);
  transfer_arg steal;
  steal.to = acc(service_id_);
  steal.amount = 1'000;
  // Claims to be alice; the ledger sees the service's own principal,
  // which holds nothing.
  auto r = call_from<result<uint64_t>>(service, alice, steal);
  EXPECT_TRUE(is_ledger_error(r, ledger_errc::insufficient_funds, 0));
  EXPECT_EQ(balance(alice), 1'000'000u);
  // Funded, the same request spends the service's tokens, not alice's.
  ASSERT_TRUE(transfer(bob, acc(service_id_), 50'000).ok());
  steal.to = acc(carol);
  r = call_from<result<uint64_t>>(service, alice, steal);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(balance(alice), 1'000'000u);
  EXPECT_EQ(balance(service_id_), 50'000u - 1'000u - fee);
  EXPECT_EQ(balance(carol), 1'000u);
  // Nor can it spend alice's tokens through transfer_from without her
  // allowance to the service principal.
  transfer_from_args tf;
  tf.from = acc(alice);
  tf.to = acc(service_id_);
  tf.amount = 1;
  r = call_from<result<uint64_t>>(service, alice, tf);
  EXPECT_TRUE(is_ledger_error(r, ledger_errc::insufficient_allowance, 0));
  EXPECT_EQ(balance(alice), 1'000'000u);
  ctx->dir.remove(service->address());
}

TEST_F(ledger_actor_test, unknown_sender_is_anonymous) {
  caf::scoped_actor stranger{*sys, true};
  transfer_arg a;
  a.to = acc(carol);
  a.amount = 1;
  auto r = call_from<result<uint64_t>>(stranger, alice, a);
  EXPECT_TRUE(is_ledger_error(r, ledger_errc::generic_error, 1));
  EXPECT_EQ(balance(alice), 1'000'000u);
}

TEST_F(ledger_actor_test, service_spends_what_the_user_approved) {
  // The backend's payment flow: the user approves the service, the service
  // takes the fee with transfer_from.
  caf::scoped_actor service{*sys, true};
  ctx->dir.add(service->address(), service_id_, actor_role::service);
  approve_args ap;
  ap.spender = acc(service_id_);
  ap.amount = 100'000 + fee;
  ASSERT_TRUE(call<result<uint64_t>>(ledger, alice, ap).ok());
  auto allowed = call<result<allowance>>(
      ledger, bob, allowance_args{acc(alice), acc(service_id_)});
  ASSERT_TRUE(allowed.ok());
  EXPECT_EQ(allowed->allowance, 100'000u + fee);
  transfer_from_args tf;
  tf.from = acc(alice);
  tf.to = acc(carol);
  tf.amount = 100'000;
  ASSERT_TRUE(call_from<result<uint64_t>>(service, bob, tf).ok());
  EXPECT_EQ(balance(carol), 100'000u);
  EXPECT_EQ(balance(alice), 1'000'000u - 100'000u - 2 * fee);
  allowed = call<result<allowance>>(
      ledger, bob, allowance_args{acc(alice), acc(service_id_)});
  EXPECT_EQ(allowed->allowance, 0u);
  ctx->dir.remove(service->address());
}

TEST_F(ledger_actor_test, dedup_follows_the_node_clock) {
  transfer_arg a;
  a.to = acc(carol);
  a.amount = 1'000;
  a.created_at_time = clock.now();
  auto first = call<result<uint64_t>>(ledger, alice, a);
  ASSERT_TRUE(first.ok());
  advance(1h);
  EXPECT_TRUE(is_ledger_error(call<result<uint64_t>>(ledger, alice, a),
                              ledger_errc::duplicate, *first));
  advance(23h + 2min + 1ns);
  EXPECT_TRUE(is_ledger_error(call<result<uint64_t>>(ledger, alice, a),
                              ledger_errc::too_old));
  a.created_at_time = clock.now() + ns(3min);
  EXPECT_TRUE(is_ledger_error(call<result<uint64_t>>(ledger, alice, a),
                              ledger_errc::created_in_future, clock.now()));
  EXPECT_EQ(balance(carol), 1'000u);
}

TEST_F(ledger_actor_test, expired_allowance_reads_as_zero) {
  approve_args ap;
  ap.spender = acc(bob);
  ap.amount = 5'000;
  ap.expires_at = clock.now() + ns(1h);
  ASSERT_TRUE(call<result<uint64_t>>(ledger, alice, ap).ok());
  auto x = call<result<allowance>>(ledger, carol,
                                   allowance_args{acc(alice), acc(bob)});
  EXPECT_EQ(x->allowance, 5'000u);
  EXPECT_EQ(x->expires_at, clock.now() + ns(1h));
  advance(1h);
  x = call<result<allowance>>(ledger, carol,
                              allowance_args{acc(alice), acc(bob)});
  EXPECT_EQ(x->allowance, 0u);
  EXPECT_EQ(x->expires_at, std::nullopt);
}

TEST_F(ledger_actor_test, bad_config_stops_the_actor) {
  ledger_config lc;
  lc.minting_account = acc(minter, blob(3, 0));
  auto bad = spawn_ledger(*sys, ctx, lc);
  run();
  caf::scoped_actor probe{*sys, true};
  auto handle = probe->request(bad, caf::infinite, caller{alice},
                               icrc1_fee_arg{});
  run();
  ASSERT_FALSE(probe->mailbox().empty());
  bool failed = false;
  handle.receive(
      [](result<tokens>&) {
        ADD_FAILURE() << "dead ledger replied";
      },
      [&](caf::error&) {
        failed = true;
      });
  EXPECT_TRUE(failed);
}

} // namespace
