#pragma once

// A whole platform under the test coordinator for the backend's tests: the
// real ledger, audit and invoice storages, the five real factories (which
// spawn real contracts) and the backend, set up by a controller.

#include "actors/audit/audit_actor.hpp"
#include "actors/backend/backend_actor.hpp"
#include "actors/factories/dao_factory.hpp"
#include "actors/factories/distribution_factory.hpp"
#include "actors/factories/launchpad_factory.hpp"
#include "actors/factories/multisig_factory.hpp"
#include "actors/factories/token_factory.hpp"
#include "actors/invoice/invoice_actor.hpp"
#include "actors/ledger/ledger_actor.hpp"
#include "tests/actors/actor_fixture.hpp"

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace icto::backend_test {

using namespace std::chrono_literals;

constexpr tokens icp = 100'000'000;
constexpr tokens ledger_fee = 10'000;

inline account acc(const principal& p) {
  return account{p, std::nullopt};
}

template <class T>
bool is_backend_error(const result<T>& r, backend_errc code) {
  return !r.ok() && is(r.err(), code);
}

/// The platform over `Base`: test::actor_fixture (the test coordinator) or
/// a fixture with a threaded scheduler (backend_durable_test.cpp) that has
/// the same `sys`, `ctx`, `call` and `run`.
template <class Base>
class basic_backend_fixture : public Base {
 public:
  using Base::ctx;
  using Base::run;
  using Base::start_time;
  using Base::sys;

  /// Genesis: alice and bob 100 ICP each; the backend a reserve for the
  /// ledger fees of refunds (it bears them). Without `spawn_backend_now`
  /// the test spawns the backend from `bcfg` itself.
  explicit basic_backend_fixture(
      tokens backend_reserve = 1 * icp,
      std::vector<std::pair<std::string, std::string>> config = {},
      bool spawn_backend_now = true) {
    ctx->controllers = {admin};
    ledger_config lc;
    lc.fee = ledger_fee;
    lc.minting_account = acc(minter);
    lc.initial_balances = {{acc(alice), 100 * icp}, {acc(bob), 100 * icp}};
    if (backend_reserve > 0)
      lc.initial_balances.push_back({acc(backend_id), backend_reserve});
    ledger = spawn_ledger(*sys, ctx, lc);
    ctx->dir.add(ledger->address(), ledger_id, actor_role::service);
    audit = spawn_audit_storage(*sys, ctx, audit_config{{}, backend_id});
    ctx->dir.add(audit->address(), audit_id, actor_role::service);
    invoice = spawn_invoice_storage(*sys, ctx, invoice_config{{}, backend_id});
    ctx->dir.add(invoice->address(), invoice_id, actor_role::service);
    token_factory = spawn_token_factory(*sys, ctx, fcfg(token_factory_id, 1));
    multisig_factory = spawn_multisig_factory(*sys, ctx,
                                              fcfg(multisig_factory_id, 2));
    distribution_factory = spawn_distribution_factory(
        *sys, ctx, fcfg(distribution_factory_id, 3));
    dao_factory = spawn_dao_factory(*sys, ctx, fcfg(dao_factory_id, 4));
    launchpad_factory = spawn_launchpad_factory(*sys, ctx,
                                                fcfg(launchpad_factory_id, 5));
    backend_config bc;
    bc.self_id = backend_id;
    bc.ledger = ledger;
    bc.ledger_id = ledger_id;
    bc.audit = audit;
    bc.audit_id = audit_id;
    bc.invoice = invoice;
    bc.invoice_id = invoice_id;
    bc.token_factory = token_factory;
    bc.token_factory_id = token_factory_id;
    bc.multisig_factory = multisig_factory;
    bc.multisig_factory_id = multisig_factory_id;
    bc.distribution_factory = distribution_factory;
    bc.distribution_factory_id = distribution_factory_id;
    bc.dao_factory = dao_factory;
    bc.dao_factory_id = dao_factory_id;
    bc.launchpad_factory = launchpad_factory;
    bc.launchpad_factory_id = launchpad_factory_id;
    bc.ledger_fee = ledger_fee;
    bc.health_interval = health_interval;
    bc.breaker_threshold = 2;
    bc.request_timeout = 5s;
    bc.deploy_timeout = 20s;
    bc.config = std::move(config);
    bcfg = bc;
    if (spawn_backend_now)
      backend = spawn_backend(*sys, ctx, bc);
    run();
    initial_supply = supply();
  }

  ~basic_backend_fixture() override {
    // The contracts outlive their factories; the actor system waits for
    // every actor, so stop them first (ranges as in fcfg, few per test).
    for (uint64_t n = 1; n <= 8; ++n)
      for (uint64_t i = 0; i < 64; ++i)
        if (auto c
            = ctx->dir.find_actor(principal::canister_id(n * 1'000'000 + i)))
          caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
    for (auto h : std::vector<caf::actor>{
             caf::actor_cast<caf::actor>(backend),
             caf::actor_cast<caf::actor>(token_factory),
             caf::actor_cast<caf::actor>(multisig_factory),
             caf::actor_cast<caf::actor>(distribution_factory),
             caf::actor_cast<caf::actor>(dao_factory),
             caf::actor_cast<caf::actor>(launchpad_factory),
             caf::actor_cast<caf::actor>(audit),
             caf::actor_cast<caf::actor>(invoice),
             caf::actor_cast<caf::actor>(ledger)})
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    run();
  }

  factory_config fcfg(const principal& id, uint64_t n) {
    factory_config fc;
    fc.id = id;
    fc.first_contract_index = n * 1'000'000;
    fc.last_contract_index = n * 1'000'000 + 999'999;
    fc.admins = {backend_id};
    fc.ledger = ledger;
    fc.ledger_id = ledger_id;
    return fc;
  }

  /// setupMicroservices by the controller; asserts it completed.
  void setup() {
    auto r = this->template call<result<microservice_setup_status>>(
        backend, admin, setup_microservices_arg{});
    ASSERT_TRUE(r.ok()) << r.err().to_string();
    ASSERT_TRUE(r->completed);
  }

  // -- ledger
  // ------------------------------------------------------------------

  tokens balance(const principal& p) {
    auto r = this->template call<result<tokens>>(ledger, alice, acc(p));
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : 0;
  }

  tokens supply() {
    auto r = this->template call<result<tokens>>(ledger, alice,
                                                 icrc1_total_supply_arg{});
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : 0;
  }

  /// `who` lets the backend spend `amount`; one ledger fee.
  void approve(const principal& who, tokens amount) {
    approve_args a;
    a.spender = acc(backend_id);
    a.amount = amount;
    auto r = this->template call<result<uint64_t>>(ledger, who, a);
    ASSERT_TRUE(r.ok()) << r.err().to_string();
    ++ledger_ops;
  }

  /// Mints to `to` from the minting account.
  void mint(const principal& to, tokens amount) {
    transfer_arg t;
    t.to = acc(to);
    t.amount = amount;
    auto r = this->template call<result<uint64_t>>(ledger, minter, t);
    ASSERT_TRUE(r.ok()) << r.err().to_string();
    minted += amount;
  }

  /// Supply = genesis + mints - one ledger fee per fee-paying operation, and
  /// the balances of everyone involved add up to it.
  void expect_supply_conserved() {
    auto s = supply();
    EXPECT_EQ(s, initial_supply + minted - ledger_ops * ledger_fee);
    EXPECT_EQ(balance(alice) + balance(bob) + balance(backend_id)
                  + balance(admin),
              s);
  }

  // -- storages
  // ----------------------------------------------------------------

  invoice_stats invoices() {
    auto r = this->template call<result<invoice_stats>>(invoice, admin,
                                                        invoice_stats_arg{});
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : invoice_stats{};
  }

  std::vector<audit_entry> audit_of(const std::string& request_id) {
    audit_filter f;
    f.request_id = request_id;
    auto r = this->template call<result<audit_page>>(audit, admin, f);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->entries : std::vector<audit_entry>{};
  }

  bool has_event(const std::string& request_id, action_type action,
                 action_status status) {
    for (auto& e : audit_of(request_id))
      if (e.event.action == action && e.event.status == status)
        return true;
    return false;
  }

  // -- init arguments
  // ----------------------------------------------------------

  static token_init token_args(const std::string& name = "Alpha") {
    token_init t;
    t.name = name;
    t.symbol = "ALP";
    t.decimals = 8;
    t.fee = 10'000;
    t.initial_supply = 1'000'000 * icp;
    return t;
  }

  multisig_init multisig_args() const {
    multisig_init m;
    m.name = "Treasury";
    m.signers = {alice, bob};
    m.threshold = 2;
    return m;
  }

  distribution_init distribution_args(const principal& token) const {
    distribution_init d;
    d.name = "Vesting";
    d.token = token;
    d.recipients = {{bob, 1'000 * icp}};
    d.start_time = start_time + 3'600'000'000'000ull;
    d.cliff_seconds = 0;
    d.vesting_seconds = 86'400;
    return d;
  }

  dao_init dao_args() const {
    dao_init d;
    d.name = "Council";
    d.members = {{alice, 10}, {bob, 5}};
    d.quorum_bps = 5'000;
    d.approval_threshold_bps = 5'000;
    d.voting_period_seconds = 86'400;
    return d;
  }

  launchpad_init launchpad_args(const principal& token) const {
    launchpad_init l;
    l.name = "Sale";
    l.sale_token = token;
    l.price_e8s = icp / 100;
    l.soft_cap = 10 * icp;
    l.hard_cap = 100 * icp;
    l.min_contribution = icp;
    l.max_contribution = 10 * icp;
    l.start_time = start_time + 3'600'000'000'000ull;
    l.end_time = start_time + 7 * 86'400'000'000'000ull;
    return l;
  }

  const principal admin = test::user(1);
  const principal alice = test::user(2);
  const principal bob = test::user(3);
  const principal minter = test::user(99);
  const principal ledger_id = principal::canister_id(1);
  const principal backend_id = principal::canister_id(2);
  const principal audit_id = principal::canister_id(3);
  const principal invoice_id = principal::canister_id(4);
  const principal token_factory_id = principal::canister_id(5);
  const principal multisig_factory_id = principal::canister_id(6);
  const principal distribution_factory_id = principal::canister_id(7);
  const principal dao_factory_id = principal::canister_id(8);
  const principal launchpad_factory_id = principal::canister_id(9);
  const std::chrono::milliseconds health_interval{30'000};
  /// What the backend was (or is to be) spawned with.
  backend_config bcfg;

  ledger_actor ledger;
  audit_actor audit;
  invoice_actor invoice;
  token_factory_actor token_factory;
  multisig_factory_actor multisig_factory;
  distribution_factory_actor distribution_factory;
  dao_factory_actor dao_factory;
  launchpad_factory_actor launchpad_factory;
  backend_actor backend;

  tokens initial_supply = 0;
  tokens minted = 0;
  /// Ledger operations that burned a fee (approvals, transfers, refunds).
  uint64_t ledger_ops = 0;
};

using backend_fixture = basic_backend_fixture<test::actor_fixture>;

} // namespace icto::backend_test
