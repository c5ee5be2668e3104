// Paths a real contract does not take on its own, with a scripted stand-in
// for the token contract: unhealthy after a migration (the factory migrates
// it back: rolled_back), a failed migration back, and a contract that
// answers healthPing without notifyDeploymentComplete.

#include "actors/factories/token_factory.hpp"
#include "tests/actors/factories/factory_test_util.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include <memory>

using namespace icto;
using namespace icto::factory_test;

namespace {

/// What the stand-in does, and what happened to it.
struct script {
  bool notify = true;
  bool healthy_after_migration = true;
  bool fail_migrating_back = false;
  bool started = false;
  int migrations = 0;
  semver initial;
  semver version;
  bool exited = false;
};

caf::behavior scripted(caf::event_based_actor* self, std::shared_ptr<script> s,
                       contract_params p, token_factory_actor factory) {
  s->initial = p.version;
  s->version = p.version;
  self->attach_functor([s] {
    s->exited = true;
  });
  return {
      [=](const caller&, const health_ping_arg&) -> result<contract_health> {
        if (!s->started) {
          s->started = true;
          if (s->notify)
            self->request(factory, std::chrono::seconds{10}, caller{p.id},
                          notify_deployment_complete_arg{p.id})
                .then([](result<unit>&) {});
        }
        contract_health h;
        h.version = s->version;
        h.healthy = s->version == s->initial || s->healthy_after_migration;
        if (!h.healthy)
          h.message = "scripted: unhealthy";
        return h;
      },
      [=](const caller&, const migrate_to_arg& a) -> result<migration_report> {
        ++s->migrations;
        if (a.version < s->version && s->fail_migrating_back)
          return make_error(factory_errc::migration_failed,
                            "scripted: cannot go back");
        migration_report rep{s->version, a.version};
        s->version = a.version;
        return rep;
      },
  };
}

class scripted_contract_test : public factory_fixture {
 protected:
  scripted_contract_test() : s(std::make_shared<script>()) {
    auto st = s;
    factory = spawn_token_factory(
        *sys, ctx, factory_cfg(),
        [st](caf::actor_system& as, node_context_ptr c, contract_params p,
             token_factory_actor f, token_init) {
          auto id = p.id;
          auto h = as.spawn(scripted, st, std::move(p), std::move(f));
          auto addr = h.address();
          c->dir.add(addr, id, actor_role::contract);
          h->attach_functor([c, addr] {
            c->dir.remove(addr);
          });
          return caf::actor_cast<token_contract_actor>(h);
        });
    run();
  }

  ~scripted_contract_test() override {
    caf::anon_send_exit(factory, caf::exit_reason::user_shutdown);
    run();
  }

  result<principal> create() {
    token_init ti;
    ti.name = "Scripted";
    ti.symbol = "SCR";
    return call_from<result<principal>>(backend, factory, backend_id,
                                        create_token_contract{alice, ti, "s1",
                                                              std::nullopt});
  }

  void register_stable(semver x) {
    register_version_arg arg;
    arg.version = x;
    arg.stable = true;
    ASSERT_TRUE(call<result<unit>>(factory, admin, arg).ok());
  }

  upgrade_records history(const principal& id) {
    auto r = call<result<upgrade_records>>(factory, carol,
                                           version_history_arg{id});
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : upgrade_records{};
  }

  std::shared_ptr<script> s;
  token_factory_actor factory;
};

TEST_F(scripted_contract_test, unhealthy_after_migration_is_rolled_back) {
  auto id = create();
  ASSERT_TRUE(id.ok()) << id.err().to_string();
  register_stable(v(1, 2, 0));
  s->healthy_after_migration = false;
  auto r = call<result<upgrade_record>>(factory, alice,
                                        upgrade_contract_arg{*id, v(1, 2, 0)});
  ASSERT_TRUE(fails_with(r, factory_errc::migration_failed));
  EXPECT_NE(r.err().message.find("rolled_back"), std::string::npos)
      << r.err().message;
  EXPECT_EQ(s->migrations, 2);
  EXPECT_EQ(s->version, v(1, 0, 0));
  auto h = history(*id);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].outcome, upgrade_outcome::rolled_back);
  EXPECT_NE(h[0].message.find("scripted: unhealthy"), std::string::npos);
  auto ci = call<result<contract_info>>(factory, carol, contract_info_arg{*id});
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(ci->version, v(1, 0, 0));
  auto st = call<result<factory_stats>>(factory, carol, factory_stats_arg{});
  EXPECT_EQ(st->upgrades_failed, 1u);
  // Healthy now: the same upgrade succeeds.
  s->healthy_after_migration = true;
  r = call<result<upgrade_record>>(factory, alice,
                                   upgrade_contract_arg{*id, v(1, 2, 0)});
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_EQ(s->version, v(1, 2, 0));
}

TEST_F(scripted_contract_test, a_failed_migration_back_is_recorded) {
  auto id = create();
  ASSERT_TRUE(id.ok());
  register_stable(v(1, 2, 0));
  s->healthy_after_migration = false;
  s->fail_migrating_back = true;
  auto r = call<result<upgrade_record>>(factory, alice,
                                        upgrade_contract_arg{*id, v(1, 2, 0)});
  ASSERT_TRUE(fails_with(r, factory_errc::migration_failed));
  auto h = history(*id);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].outcome, upgrade_outcome::failed);
  EXPECT_NE(h[0].message.find("migrating back failed"), std::string::npos);
  // The factory records where the contract really is.
  auto ci = call<result<contract_info>>(factory, carol, contract_info_arg{*id});
  EXPECT_EQ(ci->version, v(1, 2, 0));
  EXPECT_EQ(s->version, v(1, 2, 0));
}

TEST_F(scripted_contract_test, health_reply_without_notice_fails_the_deploy) {
  s->notify = false;
  auto r = create();
  ASSERT_TRUE(fails_with(r, factory_errc::deploy_failed));
  EXPECT_NE(r.err().message.find("without notifyDeploymentComplete"),
            std::string::npos)
      << r.err().message;
  run();
  EXPECT_TRUE(s->exited);
  EXPECT_FALSE(ctx->dir.find_actor(principal::canister_id(first_index)));
  auto st = call<result<factory_stats>>(factory, carol, factory_stats_arg{});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->deployments_failed, 1u);
  EXPECT_EQ(st->contracts, 0u);
  // The next deployment takes the next id: a failed one is never reused.
  s->notify = true;
  s->started = false;
  auto next = create();
  ASSERT_TRUE(next.ok()) << next.err().to_string();
  EXPECT_EQ(*next, principal::canister_id(first_index + 1));
}

} // namespace
