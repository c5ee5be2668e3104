// The token factory actor with real token contracts under CAF's
// deterministic test coordinator: deployment, the creator and holder
// indexes, callbacks, authorization, upgrades, rollbacks, rollouts and the
// deployment timeout.

#include "actors/factories/token_factory.hpp"
#include "tests/actors/factories/factory_test_util.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/skip.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <string>

using namespace icto;
using namespace icto::factory_test;

namespace {

class token_factory_test : public factory_fixture {
 protected:
  token_factory_test() {
    factory = spawn_token_factory(*sys, ctx, factory_cfg());
    run();
  }

  ~token_factory_test() override {
    caf::anon_send_exit(factory, caf::exit_reason::user_shutdown);
    run();
  }

  token_init init(tokens supply = 1'000, bool is_public = false) {
    token_init ti;
    ti.name = "Alpha";
    ti.symbol = "ALP";
    ti.fee = 0;
    ti.initial_supply = supply;
    ti.is_public = is_public;
    return ti;
  }

  result<principal> create(const principal& owner, token_init ti) {
    return call_from<result<principal>>(
        backend, factory, backend_id,
        create_token_contract{owner, std::move(ti), "req-1", std::nullopt});
  }

  principal deploy(const principal& owner, tokens supply = 1'000,
                   bool is_public = false) {
    auto r = create(owner, init(supply, is_public));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().to_string());
    return r.ok() ? *r : principal{};
  }

  my_contracts_page mine(const principal& user,
                         std::optional<contract_role> role = std::nullopt) {
    auto r = call<result<my_contracts_page>>(factory, carol,
                                             my_contracts_arg{user, role, {}});
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : my_contracts_page{};
  }

  factory_stats stats() {
    auto r = call<result<factory_stats>>(factory, carol, factory_stats_arg{});
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : factory_stats{};
  }

  contract_info info(const principal& id) {
    auto r = call<result<contract_info>>(factory, carol, contract_info_arg{id});
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : contract_info{};
  }

  contract_status status_of(const principal& id) {
    auto r = call<result<contract_status>>(contract<token_contract_actor>(id),
                                           carol, contract_status_arg{});
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : contract_status{};
  }

  void register_stable(semver x) {
    register_version_arg arg;
    arg.version = x;
    arg.stable = true;
    auto r = call<result<unit>>(factory, admin, arg);
    ASSERT_TRUE(r.ok()) << r.err().to_string();
  }

  token_factory_actor factory;
};

TEST_F(token_factory_test, deploys_a_token_and_indexes_creator_and_holder) {
  auto id = deploy(alice);
  EXPECT_EQ(id, principal::canister_id(first_index));
  auto ci = info(id);
  EXPECT_EQ(ci.deployment, deployment_state::deployed);
  EXPECT_EQ(ci.owner, alice);
  EXPECT_EQ(ci.kind, contract_kind::token);
  EXPECT_EQ(ci.name, "Alpha");
  EXPECT_EQ(ci.version, v(1, 0, 0));
  EXPECT_EQ(ci.controllers, (std::vector<principal>{factory_id, alice}));
  EXPECT_EQ(ci.created_at, start_time);
  // The contract is live, and it knows its controllers.
  auto st = status_of(id);
  EXPECT_EQ(st.owner, alice);
  EXPECT_EQ(st.factory, factory_id);
  auto m = mine(alice);
  ASSERT_EQ(m.total, 2u);
  EXPECT_EQ(m.entries[0].role, contract_role::creator);
  EXPECT_EQ(m.entries[1].role, contract_role::holder);
  EXPECT_EQ(m.entries[1].id, id);
  auto s = stats();
  EXPECT_EQ(s.contracts, 1u);
  EXPECT_EQ(s.creators, 1u);
  EXPECT_EQ(s.role_entries, 1u);
  EXPECT_GE(s.callbacks_accepted, 1u);
  EXPECT_EQ(s.callbacks_refused, 0u);
  auto h = call<result<factory_health>>(factory, carol, factory_health_arg{});
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->healthy) << h->message;
  EXPECT_EQ(h->deploying, 0u);
}

TEST_F(token_factory_test, a_transfer_moves_the_holder_index) {
  auto id = deploy(alice, 1'000);
  auto token = contract<token_contract_actor>(id);
  transfer_arg t;
  t.to = account{bob, std::nullopt};
  t.amount = 400;
  ASSERT_TRUE(call<result<uint64_t>>(token, alice, t).ok());
  auto b = mine(bob, contract_role::holder);
  ASSERT_EQ(b.total, 1u);
  EXPECT_EQ(b.entries[0].id, id);
  EXPECT_EQ(mine(alice, contract_role::holder).total, 1u);
  // Alice sends the rest: she leaves the holder index, stays creator.
  t.amount = 600;
  ASSERT_TRUE(call<result<uint64_t>>(token, alice, t).ok());
  EXPECT_EQ(mine(alice, contract_role::holder).total, 0u);
  EXPECT_EQ(mine(alice).total, 1u);
  token_burn_arg burn;
  burn.amount = 1'000;
  ASSERT_TRUE(call<result<uint64_t>>(token, bob, burn).ok());
  EXPECT_EQ(mine(bob).total, 0u);
  EXPECT_EQ(stats().callbacks_refused, 0u);
}

TEST_F(token_factory_test, forged_callbacks_are_refused_and_counted) {
  auto id = deploy(alice);
  notify_mint_arg forged{id, holder_balance{bob, 1'000'000}};
  // A user through the ingress, even claiming the contract's id.
  auto r = call<result<unit>>(factory, id, forged);
  EXPECT_TRUE(fails_with(r, factory_errc::forged_callback));
  // Another service (the whitelisted backend).
  r = call_from<result<unit>>(backend, factory, id, forged);
  EXPECT_TRUE(fails_with(r, factory_errc::forged_callback));
  // Another contract (a live one, and one the factory does not know).
  auto other = deploy(carol);
  auto real = ctx->dir.find_actor(other);
  for (auto as : {other, principal::canister_id(5000)}) {
    caf::scoped_actor impostor{*sys, true};
    ctx->dir.add(impostor->address(), as, actor_role::contract);
    r = call_from<result<unit>>(impostor, factory, id, forged);
    EXPECT_TRUE(fails_with(r, factory_errc::forged_callback));
    EXPECT_NE(r.err().message.find(as.to_text()), std::string::npos);
    ctx->dir.remove(impostor->address());
  }
  ctx->dir.add(real.address(), other, actor_role::contract); // Restored.
  // A stranger the directory does not know.
  caf::scoped_actor stranger{*sys, true};
  r = call_from<result<unit>>(stranger, factory, id,
                              notify_status_changed_arg{id, "hacked"});
  EXPECT_TRUE(fails_with(r, factory_errc::forged_callback));
  EXPECT_EQ(mine(bob).total, 0u);
  EXPECT_EQ(info(id).status, "");
  EXPECT_EQ(stats().callbacks_refused, 5u);
}

TEST_F(token_factory_test, only_whitelisted_backends_create) {
  create_token_contract req{alice, init(), "r", std::nullopt};
  // A user through the ingress, even claiming the backend's principal.
  auto r = call<result<principal>>(factory, backend_id, req);
  EXPECT_TRUE(fails_with(r, factory_errc::unauthorized));
  caf::scoped_actor other{*sys, true};
  ctx->dir.add(other->address(), principal::canister_id(801),
               actor_role::service);
  r = call_from<result<principal>>(other, factory, backend_id, req);
  EXPECT_TRUE(fails_with(r, factory_errc::unauthorized));
  EXPECT_NE(r.err().message.find("not a whitelisted backend"),
            std::string::npos);
  // An admin whitelists it; the old backend is out.
  ASSERT_TRUE(call<result<unit>>(
                  factory, admin,
                  factory_setup_whitelist_arg{{principal::canister_id(801)}})
                  .ok());
  r = call_from<result<principal>>(other, factory, backend_id, req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, principal::canister_id(first_index));
  EXPECT_TRUE(fails_with(create(alice, init()), factory_errc::unauthorized));
  ctx->dir.remove(other->address());
}

TEST_F(token_factory_test, only_admins_set_the_whitelist) {
  auto r = call<result<unit>>(factory, alice,
                              factory_setup_whitelist_arg{{alice}});
  EXPECT_TRUE(fails_with(r, factory_errc::unauthorized));
  auto wl = call<result<principals>>(factory, alice, factory_whitelist_arg{});
  ASSERT_TRUE(wl.ok());
  EXPECT_EQ(*wl, std::vector<principal>{backend_id});
  ASSERT_TRUE(
      call<result<unit>>(factory, admin, factory_setup_whitelist_arg{{}}).ok());
  auto setup = call<result<factory_setup_status>>(factory, alice,
                                                  factory_setup_status_arg{});
  ASSERT_TRUE(setup.ok());
  EXPECT_FALSE(setup->ready);
  EXPECT_EQ(setup->missing, std::vector<std::string>{"whitelist"});
  EXPECT_EQ(setup->admins, std::vector<principal>{admin});
  EXPECT_EQ(setup->latest_version, v(1, 0, 0));
}

TEST_F(token_factory_test, an_invalid_init_is_refused_before_any_id) {
  auto bad = init();
  bad.symbol = "A-B";
  auto r = create(alice, bad);
  ASSERT_TRUE(fails_with(r, factory_errc::invalid_argument));
  EXPECT_NE(r.err().message.find("symbol"), std::string::npos);
  EXPECT_TRUE(fails_with(create(principal::anonymous(), init()),
                         factory_errc::invalid_argument));
  EXPECT_EQ(deploy(alice), principal::canister_id(first_index));
  EXPECT_EQ(stats().contracts, 1u);
  EXPECT_EQ(stats().deployments_failed, 0u);
}

TEST_F(token_factory_test, public_tokens_are_listed_newest_first) {
  auto a = deploy(alice, 10, true);
  advance(1s);
  deploy(bob, 10, false);
  advance(1s);
  auto c = deploy(carol, 10, true);
  auto p = call<result<contract_page>>(factory, carol, page{});
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->total, 2u);
  EXPECT_EQ(p->contracts[0].id, c);
  EXPECT_EQ(p->contracts[1].id, a);
  p = call<result<contract_page>>(factory, carol, page{1, 1});
  ASSERT_EQ(p->contracts.size(), 1u);
  EXPECT_EQ(p->contracts[0].id, a);
  // The owner leaves the public set through the contract.
  ASSERT_TRUE(call<result<unit>>(contract<token_contract_actor>(c), carol,
                                 set_visibility_arg{false})
                  .ok());
  p = call<result<contract_page>>(factory, carol, page{});
  ASSERT_EQ(p->total, 1u);
  EXPECT_EQ(p->contracts[0].id, a);
}

TEST_F(token_factory_test, upgrade_and_rollback_between_versions) {
  auto id = deploy(alice);
  // Not registered yet.
  auto r = call<result<upgrade_record>>(factory, alice,
                                        upgrade_contract_arg{id, v(1, 2, 0)});
  EXPECT_TRUE(fails_with(r, factory_errc::unknown_version));
  // Registering needs an admin and a version the code knows.
  register_version_arg reg;
  reg.version = v(1, 2, 0);
  EXPECT_TRUE(fails_with(call<result<unit>>(factory, alice, reg),
                         factory_errc::unauthorized));
  reg.version = v(9, 0, 0);
  EXPECT_TRUE(fails_with(call<result<unit>>(factory, admin, reg),
                         factory_errc::unknown_version));
  register_stable(v(1, 2, 0));
  EXPECT_TRUE(fails_with(
      call<result<unit>>(factory, admin,
                         register_version_arg{v(1, 2, 0), "", "", true, {}}),
      factory_errc::duplicate_version));
  // Bob is no controller.
  r = call<result<upgrade_record>>(factory, bob,
                                   upgrade_contract_arg{id, v(1, 2, 0)});
  EXPECT_TRUE(fails_with(r, factory_errc::not_controller));
  r = call<result<upgrade_record>>(factory, alice,
                                   upgrade_contract_arg{id, v(1, 2, 0)});
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_EQ(r->outcome, upgrade_outcome::succeeded);
  EXPECT_EQ(r->from, v(1, 0, 0));
  EXPECT_EQ(r->to, v(1, 2, 0));
  EXPECT_EQ(r->requested_by, alice);
  EXPECT_EQ(info(id).version, v(1, 2, 0));
  EXPECT_EQ(status_of(id).version, v(1, 2, 0));
  // The token still works after the migration, and still calls back.
  transfer_arg t;
  t.to = account{bob, std::nullopt};
  t.amount = 10;
  ASSERT_TRUE(
      call<result<uint64_t>>(contract<token_contract_actor>(id), alice, t)
          .ok());
  EXPECT_EQ(mine(bob, contract_role::holder).total, 1u);
  // Back to 1.0.0 (an admin may, while the factory is a controller).
  auto rb = call<result<upgrade_record>>(factory, admin,
                                         rollback_contract_arg{id});
  ASSERT_TRUE(rb.ok()) << rb.err().to_string();
  EXPECT_EQ(rb->trigger, upgrade_trigger::rollback);
  EXPECT_EQ(rb->to, v(1, 0, 0));
  EXPECT_EQ(status_of(id).version, v(1, 0, 0));
  EXPECT_EQ(info(id).version, v(1, 0, 0));
  rb = call<result<upgrade_record>>(factory, alice, rollback_contract_arg{id});
  EXPECT_TRUE(fails_with(rb, factory_errc::nothing_to_roll_back));
  auto hist = call<result<upgrade_records>>(factory, carol,
                                            version_history_arg{id});
  ASSERT_TRUE(hist.ok());
  ASSERT_EQ(hist->size(), 2u);
  EXPECT_EQ((*hist)[0].trigger, upgrade_trigger::manual);
  EXPECT_EQ((*hist)[1].trigger, upgrade_trigger::rollback);
  EXPECT_EQ(stats().upgrades, 2u);
  // New tokens start at the latest stable version.
  auto id2 = deploy(bob);
  EXPECT_EQ(status_of(id2).version, v(1, 2, 0));
}

TEST_F(token_factory_test, a_failed_migration_keeps_the_old_version) {
  auto id = deploy(alice);
  register_stable(v(1, 1, 0));
  // Above the 1.1.0 cap of 2^53-1: the migration must fail.
  token_mint_arg m;
  m.to = account{alice, std::nullopt};
  m.amount = tokens{1} << 60;
  ASSERT_TRUE(
      call<result<uint64_t>>(contract<token_contract_actor>(id), alice, m)
          .ok());
  auto r = call<result<upgrade_record>>(factory, alice,
                                        upgrade_contract_arg{id, v(1, 1, 0)});
  ASSERT_TRUE(fails_with(r, factory_errc::migration_failed));
  EXPECT_NE(r.err().message.find("cap"), std::string::npos) << r.err().message;
  EXPECT_EQ(info(id).version, v(1, 0, 0));
  EXPECT_EQ(status_of(id).version, v(1, 0, 0));
  auto hist = call<result<upgrade_records>>(factory, carol,
                                            version_history_arg{id});
  ASSERT_TRUE(hist.ok());
  ASSERT_EQ(hist->size(), 1u);
  EXPECT_EQ((*hist)[0].outcome, upgrade_outcome::failed);
  auto s = stats();
  EXPECT_EQ(s.upgrades, 0u);
  EXPECT_EQ(s.upgrades_failed, 1u);
  // Nothing to roll back: the failed attempt changed nothing.
  EXPECT_TRUE(fails_with(
      call<result<upgrade_record>>(factory, alice, rollback_contract_arg{id}),
      factory_errc::nothing_to_roll_back));
}

TEST_F(token_factory_test, the_owner_can_cut_the_factory_out) {
  auto id = deploy(alice);
  register_stable(v(1, 2, 0));
  ASSERT_TRUE(call<result<unit>>(contract<token_contract_actor>(id), alice,
                                 remove_factory_controller_arg{})
                  .ok());
  EXPECT_EQ(info(id).controllers, std::vector<principal>{alice});
  auto r = call<result<upgrade_record>>(factory, admin,
                                        upgrade_contract_arg{id, v(1, 2, 0)});
  EXPECT_TRUE(fails_with(r, factory_errc::not_controller));
  r = call<result<upgrade_record>>(factory, alice,
                                   upgrade_contract_arg{id, v(1, 2, 0)});
  EXPECT_TRUE(fails_with(r, factory_errc::not_controller));
  EXPECT_EQ(status_of(id).version, v(1, 0, 0));
}

TEST_F(token_factory_test, rollout_upgrades_auto_update_tokens_in_batches) {
  auto a = deploy(alice);
  auto b = deploy(bob);
  auto c = deploy(carol);
  auto d = deploy(carol);
  ASSERT_TRUE(call<result<unit>>(contract<token_contract_actor>(d), carol,
                                 set_auto_update_arg{false})
                  .ok());
  EXPECT_FALSE(info(d).auto_update);
  register_stable(v(1, 2, 0));
  auto r = call<result<rollout_report>>(factory, alice,
                                        rollout_version_arg{v(1, 2, 0), 1, 2});
  EXPECT_TRUE(fails_with(r, factory_errc::unauthorized));
  r = call<result<rollout_report>>(factory, admin,
                                   rollout_version_arg{v(1, 2, 0), 1, 2});
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_EQ(r->candidates, 3u);
  EXPECT_EQ(r->skipped, 1u);
  EXPECT_EQ(r->canaries, std::vector<principal>{a});
  EXPECT_EQ(r->batches, 1u);
  EXPECT_EQ(r->upgraded, 3u);
  EXPECT_EQ(r->failed, 0u);
  EXPECT_FALSE(r->halted);
  for (auto x : {a, b, c})
    EXPECT_EQ(status_of(x).version, v(1, 2, 0));
  EXPECT_EQ(status_of(d).version, v(1, 0, 0));
  auto hist = call<result<upgrade_records>>(factory, carol,
                                            version_history_arg{b});
  ASSERT_TRUE(hist.ok());
  ASSERT_EQ(hist->size(), 1u);
  EXPECT_EQ((*hist)[0].trigger, upgrade_trigger::rollout);
  EXPECT_EQ((*hist)[0].requested_by, admin);
}

TEST_F(token_factory_test, a_failed_canary_halts_the_rollout) {
  auto a = deploy(alice);
  auto b = deploy(bob);
  token_mint_arg m;
  m.to = account{alice, std::nullopt};
  m.amount = tokens{1} << 60;
  ASSERT_TRUE(
      call<result<uint64_t>>(contract<token_contract_actor>(a), alice, m).ok());
  register_stable(v(1, 1, 0));
  auto r = call<result<rollout_report>>(factory, admin,
                                        rollout_version_arg{v(1, 1, 0), 1, 5});
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_TRUE(r->halted);
  EXPECT_EQ(r->canaries, std::vector<principal>{a});
  EXPECT_EQ(r->failed, 1u);
  EXPECT_EQ(r->upgraded, 0u);
  EXPECT_EQ(r->batches, 0u);
  ASSERT_EQ(r->failures.size(), 1u);
  EXPECT_EQ(r->failures[0].contract_id, a);
  EXPECT_EQ(status_of(a).version, v(1, 0, 0));
  EXPECT_EQ(status_of(b).version, v(1, 0, 0));
}

TEST_F(token_factory_test, a_contract_that_exits_is_unreachable) {
  auto id = deploy(alice);
  caf::anon_send_exit(contract<token_contract_actor>(id),
                      caf::exit_reason::kill);
  run();
  auto h = call<result<factory_health>>(factory, carol, factory_health_arg{});
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->healthy);
  EXPECT_EQ(h->unreachable, 1u);
  register_stable(v(1, 2, 0));
  auto r = call<result<upgrade_record>>(factory, alice,
                                        upgrade_contract_arg{id, v(1, 2, 0)});
  ASSERT_TRUE(fails_with(r, factory_errc::migration_failed));
  EXPECT_NE(r.err().message.find("not reachable"), std::string::npos);
}

// -- deployments that fail ----------------------------------------------------

/// A contract stand-in that never answers: registers in the directory like
/// a real contract and keeps every message unanswered.
token_contract_actor
silent_contract(caf::actor_system& sys, node_context_ptr ctx,
                contract_params params, token_factory_actor, token_init) {
  // The id is an argument, not a capture: CAF 0.17 dereferences a null
  // argument tuple for functions without arguments (UBSan reports it).
  auto h = sys.spawn(
      [](caf::event_based_actor* self, const principal&) -> caf::behavior {
        self->set_default_handler(caf::skip);
        return {[](int) {}};
      },
      params.id);
  auto addr = h.address();
  ctx->dir.add(addr, params.id, actor_role::contract);
  h->attach_functor([ctx, addr] {
    ctx->dir.remove(addr);
  });
  return caf::actor_cast<token_contract_actor>(h);
}

class token_factory_timeout_test : public factory_fixture {
 protected:
  token_factory_timeout_test() {
    factory = spawn_token_factory(*sys, ctx, factory_cfg(), silent_contract);
    run();
  }

  ~token_factory_timeout_test() override {
    caf::anon_send_exit(factory, caf::exit_reason::user_shutdown);
    run();
  }

  token_factory_actor factory;
};

TEST_F(token_factory_timeout_test, a_silent_contract_fails_and_is_stopped) {
  token_init ti;
  ti.name = "Silent";
  ti.symbol = "SIL";
  ti.initial_supply = 5;
  auto handle = backend->request(factory, caf::infinite, caller{backend_id},
                                 create_token_contract{alice, ti, "req-t",
                                                       uint64_t{7}});
  run();
  EXPECT_TRUE(backend->mailbox().empty()); // Still waiting.
  const auto id = principal::canister_id(first_index);
  EXPECT_TRUE(ctx->dir.find_actor(id));
  auto h = call<result<factory_health>>(factory, carol, factory_health_arg{});
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->deploying, 1u);
  advance(deployment_timeout + 1ms);
  ASSERT_FALSE(backend->mailbox().empty());
  result<principal> reply;
  handle.receive(
      [&](result<principal>& x) {
        reply = std::move(x);
      },
      [&](caf::error& e) {
        ADD_FAILURE() << sys->render(e);
      });
  ASSERT_TRUE(fails_with(reply, factory_errc::deploy_failed));
  EXPECT_NE(reply.err().message.find(id.to_text()), std::string::npos);
  run();
  // No contract exists whose deployment failed.
  EXPECT_FALSE(ctx->dir.find_actor(id));
  auto ci = call<result<contract_info>>(factory, carol, contract_info_arg{id});
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(ci->deployment, deployment_state::failed);
  auto mine = call<result<my_contracts_page>>(
      factory, carol, my_contracts_arg{alice, std::nullopt, {}});
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->total, 0u);
  auto s = call<result<factory_stats>>(factory, carol, factory_stats_arg{});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->deployments_failed, 1u);
  EXPECT_EQ(s->contracts, 0u);
  h = call<result<factory_health>>(factory, carol, factory_health_arg{});
  EXPECT_EQ(h->deploying, 0u);
  EXPECT_TRUE(h->healthy);
}

} // namespace
