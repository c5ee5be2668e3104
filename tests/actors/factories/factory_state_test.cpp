// The factory core without actors: id allocation, whitelist, indexes and
// paging, callbacks, versions, upgrades and rollouts, stats and health.

#include "actors/factories/factory_state.hpp"
#include "actors/factories/factory_state_serialization.hpp"
#include "persistence/checkpoint_archive.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace icto;

namespace {

principal user(uint8_t n) {
  uint8_t key[32] = {};
  key[0] = n;
  key[31] = 0x77;
  return principal::self_authenticating(key);
}

semver v(uint32_t a, uint32_t b, uint32_t c) {
  return semver{a, b, c};
}

registered_version code(semver x, std::string migration) {
  registered_version r;
  r.version = x;
  r.notes = "code " + migration;
  r.migration = std::move(migration);
  return r;
}

template <class T>
bool fails_with(const result<T>& r, factory_errc code) {
  return !r.ok() && is(r.err(), code);
}

constexpr timestamp t0 = 1'000'000'000;

class factory_state_test : public ::testing::Test {
 protected:
  factory_state_test()
      : self_id(principal::canister_id(900)), admin(user(1)),
        backend(principal::canister_id(800)), alice(user(10)), bob(user(11)),
        carol(user(12)) {
    factory_core_config cfg;
    cfg.kind = contract_kind::multisig;
    cfg.self = self_id;
    cfg.ranges = {id_range{{}, 100, 199, 0}};
    cfg.whitelist = {backend};
    cfg.admins = {admin};
    cfg.code = {code(v(1, 0, 0), "initial"), code(v(1, 1, 0), "add-memo"),
                code(v(2, 0, 0), "split-proposals")};
    auto st_or = make_factory_state(cfg, t0);
    EXPECT_TRUE(st_or.ok());
    st = std::move(*st_or);
  }

  /// Deploys a contract for `owner` with the given initial roles; returns
  /// its id (deploying unless `complete`).
  principal deploy(const principal& owner, std::vector<role_entry> roles = {},
                   bool is_public = false, bool complete = true,
                   timestamp at = t0) {
    auto version = check_create(st, backend, owner);
    EXPECT_TRUE(version.ok());
    auto id = allocate_id(st);
    EXPECT_TRUE(id.ok());
    contract_info info;
    info.id = *id;
    info.kind = st.kind;
    info.owner = owner;
    info.name = "c" + std::to_string(*id->canister_index());
    info.created_at = at;
    info.version = *version;
    info.is_public = is_public;
    info.controllers = {self_id, owner};
    record_deploying(st, info, roles);
    if (complete) {
      EXPECT_TRUE(on_deployment_complete(st, *id, {*id}).ok());
    }
    return *id;
  }

  principal self_id;
  principal admin;
  principal backend;
  principal alice;
  principal bob;
  principal carol;
  factory_state st;
};

// -- construction and ids -----------------------------------------------------

TEST(factory_state_make, refuses_bad_settings) {
  factory_core_config cfg;
  cfg.self = principal::canister_id(1);
  cfg.ranges = {id_range{{}, 10, 5, 0}};
  cfg.code = {code(v(1, 0, 0), "initial")};
  auto r = make_factory_state(cfg, t0);
  ASSERT_TRUE(fails_with(r, factory_errc::invalid_argument));
  EXPECT_NE(r.err().message.find("range"), std::string::npos);
  cfg.ranges.clear();
  EXPECT_TRUE(
      fails_with(make_factory_state(cfg, t0), factory_errc::invalid_argument));
  cfg.ranges = {id_range{"a", 10, 20, 0}, id_range{"b", 15, 30, 0}};
  r = make_factory_state(cfg, t0);
  ASSERT_TRUE(fails_with(r, factory_errc::invalid_argument));
  EXPECT_NE(r.err().message.find("overlaps"), std::string::npos);
  cfg.ranges = {id_range{{}, 10, 10, 0}};
  cfg.code.clear();
  EXPECT_TRUE(
      fails_with(make_factory_state(cfg, t0), factory_errc::invalid_argument));
  cfg.code = {code(v(1, 0, 0), "a"), code(v(1, 0, 0), "b")};
  EXPECT_TRUE(
      fails_with(make_factory_state(cfg, t0), factory_errc::invalid_argument));
  cfg.code = {code(v(1, 0, 0), "a")};
  cfg.self = principal::anonymous();
  EXPECT_TRUE(
      fails_with(make_factory_state(cfg, t0), factory_errc::invalid_argument));
  cfg.self = principal::canister_id(1);
  auto ok = make_factory_state(cfg, t0);
  ASSERT_TRUE(ok.ok());
  ASSERT_EQ(ok->versions.size(), 1u);
  EXPECT_TRUE(ok->versions[0].stable);
  EXPECT_EQ(ok->versions[0].released_at, t0);
}

TEST(factory_state_make, ids_come_from_the_range_and_run_out) {
  factory_core_config cfg;
  cfg.self = principal::canister_id(1);
  cfg.ranges = {id_range{{}, 5, 6, 0}};
  cfg.code = {code(v(1, 0, 0), "initial")};
  auto st = *make_factory_state(cfg, t0);
  auto a = allocate_id(st);
  auto b = allocate_id(st);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, principal::canister_id(5));
  EXPECT_EQ(*b, principal::canister_id(6));
  auto c = allocate_id(st);
  ASSERT_TRUE(fails_with(c, factory_errc::deploy_failed));
  EXPECT_NE(c.err().message.find("[5, 6] is exhausted"), std::string::npos);
  EXPECT_TRUE(fails_with(allocate_id(st), factory_errc::deploy_failed));
}

TEST(factory_state_make, each_node_has_its_range) {
  factory_core_config cfg;
  cfg.self = principal::canister_id(1);
  cfg.ranges = {id_range{"w1", 1000, 1001, 0}, id_range{"w2", 2000, 2999, 0}};
  cfg.code = {code(v(1, 0, 0), "initial")};
  auto st = *make_factory_state(cfg, t0);
  ASSERT_EQ(range_of_node(st, "w2"), std::optional<size_t>{1});
  EXPECT_FALSE(range_of_node(st, "w3"));
  EXPECT_EQ(*allocate_id(st, 1), principal::canister_id(2000));
  EXPECT_EQ(*allocate_id(st, 0), principal::canister_id(1000));
  EXPECT_EQ(*allocate_id(st, 1), principal::canister_id(2001));
  EXPECT_EQ(range_holding(st, 2500), std::optional<size_t>{1});
  EXPECT_FALSE(range_holding(st, 1500));
  static_cast<void>(allocate_id(st, 0));
  auto out = allocate_id(st, 0);
  ASSERT_TRUE(fails_with(out, factory_errc::deploy_failed));
  EXPECT_NE(out.err().message.find("of node w1 is exhausted"),
            std::string::npos);
  // A node added to the topology gets a range; an overlapping one is
  // refused; what was given out stays.
  ASSERT_TRUE(reconcile_ranges(st, {id_range{"w3", 3000, 3999, 0}}).ok());
  EXPECT_EQ(range_of_node(st, "w3"), std::optional<size_t>{2});
  EXPECT_EQ(*allocate_id(st, 2), principal::canister_id(3000));
  EXPECT_TRUE(fails_with(reconcile_ranges(st, {id_range{"w4", 2500, 2600, 0}}),
                         factory_errc::invalid_argument));
  EXPECT_EQ(st.ranges[1].next, 2002u);
}

TEST_F(factory_state_test, a_failed_deployment_keeps_its_id) {
  auto id = deploy(alice, {{bob, contract_role::signer}}, true, false);
  EXPECT_TRUE(is_deploying(st, id));
  fail_deployment(st, id);
  EXPECT_FALSE(is_deploying(st, id));
  auto next = deploy(alice);
  EXPECT_EQ(*next.canister_index(), *id.canister_index() + 1);
  auto info = contract_info_of(st, id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->deployment, deployment_state::failed);
  EXPECT_EQ(my_contracts(st, {bob, std::nullopt, {}}).total, 0u);
  auto mine = my_contracts(st, {alice, std::nullopt, {}});
  ASSERT_EQ(mine.total, 1u);
  EXPECT_EQ(mine.entries[0].id, next);
  auto stats = stats_of(st);
  EXPECT_EQ(stats.contracts, 1u);
  EXPECT_EQ(stats.deployments_failed, 1u);
  EXPECT_EQ(stats.role_entries, 0u);
  EXPECT_EQ(st.deploying, 0u);
  EXPECT_TRUE(st.members.empty());
  // A late callback from the failed contract is refused.
  EXPECT_TRUE(fails_with(on_deployment_complete(st, id, {id}),
                         factory_errc::unknown_contract));
}

// -- whitelist and authorization ----------------------------------------------

TEST_F(factory_state_test, only_admins_set_the_whitelist) {
  auto r = setup_whitelist(st, alice, {{alice}});
  ASSERT_TRUE(fails_with(r, factory_errc::unauthorized));
  EXPECT_NE(r.err().message.find("not a factory admin"), std::string::npos);
  EXPECT_EQ(st.whitelist, std::vector<principal>{backend});
  EXPECT_TRUE(fails_with(setup_whitelist(st, admin, {{principal::anonymous()}}),
                         factory_errc::invalid_argument));
  auto other = principal::canister_id(801);
  ASSERT_TRUE(setup_whitelist(st, admin, {{other, other, backend}}).ok());
  EXPECT_EQ(st.whitelist, (std::vector<principal>{other, backend}));
  ASSERT_TRUE(setup_whitelist(st, admin, {{}}).ok());
  EXPECT_FALSE(is_whitelisted(st, backend));
  auto status = setup_status_of(st);
  EXPECT_FALSE(status.ready);
  EXPECT_EQ(status.missing, std::vector<std::string>{"whitelist"});
  EXPECT_FALSE(health_of(st).healthy);
}

TEST_F(factory_state_test, create_needs_a_whitelisted_backend_and_an_owner) {
  EXPECT_TRUE(
      fails_with(check_create(st, alice, alice), factory_errc::unauthorized));
  EXPECT_TRUE(fails_with(check_create(st, principal::anonymous(), alice),
                         factory_errc::unauthorized));
  EXPECT_TRUE(fails_with(check_create(st, backend, principal::anonymous()),
                         factory_errc::invalid_argument));
  auto ok = check_create(st, backend, alice);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, v(1, 0, 0));
  EXPECT_EQ(st.ranges[0].next, 100u); // Checking takes no id.
}

// -- indexes and paging -------------------------------------------------------

TEST_F(factory_state_test, my_contracts_lists_created_and_roles_with_paging) {
  auto c1 = deploy(alice, {{bob, contract_role::signer},
                           {alice, contract_role::signer}});
  auto c2 = deploy(bob, {{alice, contract_role::observer}});
  auto c3 = deploy(alice);
  auto all = my_contracts(st, {alice, std::nullopt, {}});
  EXPECT_EQ(all.total, 4u);
  ASSERT_EQ(all.entries.size(), 4u);
  // Creator entries first (sorted ids), then the roles in enum order.
  EXPECT_EQ(all.entries[0].role, contract_role::creator);
  EXPECT_EQ(all.entries[1].role, contract_role::creator);
  EXPECT_EQ(all.entries[2].id, c1);
  EXPECT_EQ(all.entries[2].role, contract_role::signer);
  EXPECT_EQ(all.entries[3].id, c2);
  EXPECT_EQ(all.entries[3].role, contract_role::observer);
  EXPECT_EQ(all.entries[0].kind, contract_kind::multisig);
  std::vector<principal> created{all.entries[0].id, all.entries[1].id};
  EXPECT_TRUE((created == std::vector<principal>{c1, c3}
               || created == std::vector<principal>{c3, c1}));
  auto p = my_contracts(st, {alice, std::nullopt, {2, 1}});
  EXPECT_EQ(p.total, 4u);
  ASSERT_EQ(p.entries.size(), 2u);
  EXPECT_EQ(p.entries[0], all.entries[1]);
  EXPECT_EQ(p.entries[1], all.entries[2]);
  auto tail = my_contracts(st, {alice, std::nullopt, {10, 3}});
  ASSERT_EQ(tail.entries.size(), 1u);
  EXPECT_EQ(tail.entries[0], all.entries[3]);
  EXPECT_TRUE(my_contracts(st, {alice, std::nullopt, {10, 4}}).entries.empty());
  auto signer = my_contracts(st, {alice, contract_role::signer, {}});
  EXPECT_EQ(signer.total, 1u);
  ASSERT_EQ(signer.entries.size(), 1u);
  EXPECT_EQ(signer.entries[0].id, c1);
  EXPECT_EQ(my_contracts(st, {carol, std::nullopt, {}}).total, 0u);
  auto stats = stats_of(st);
  EXPECT_EQ(stats.contracts, 3u);
  EXPECT_EQ(stats.creators, 2u);
  EXPECT_EQ(stats.role_entries, 3u);
}

TEST_F(factory_state_test, role_callbacks_update_the_indexes) {
  auto c = deploy(alice, {{bob, contract_role::signer}});
  ASSERT_TRUE(on_role_added(st, c, c, carol, contract_role::observer).ok());
  ASSERT_TRUE(on_role_added(st, c, c, carol, contract_role::signer).ok());
  EXPECT_EQ(my_contracts(st, {carol, std::nullopt, {}}).total, 2u);
  ASSERT_TRUE(on_role_removed(st, c, c, carol, contract_role::signer).ok());
  EXPECT_TRUE(st.members.contains(c, carol)); // Still an observer.
  ASSERT_TRUE(on_role_removed(st, c, c, carol, contract_role::observer).ok());
  EXPECT_FALSE(st.members.contains(c, carol));
  EXPECT_EQ(my_contracts(st, {carol, std::nullopt, {}}).total, 0u);
  // The creator index is the factory's own.
  EXPECT_TRUE(fails_with(on_role_added(st, c, c, carol, contract_role::creator),
                         factory_errc::invalid_argument));
  EXPECT_EQ(st.counters.callbacks_accepted, 5u); // Incl. deployment.
  EXPECT_EQ(st.counters.callbacks_refused, 1u);
}

TEST_F(factory_state_test, holder_balances_keep_holders_above_zero) {
  auto c = deploy(alice, {{alice, contract_role::holder}});
  ASSERT_TRUE(on_holder_balances(st, c, c, {{alice, 60}, {bob, 40}}).ok());
  EXPECT_EQ(my_contracts(st, {bob, contract_role::holder, {}}).total, 1u);
  ASSERT_TRUE(on_holder_balances(st, c, c, {{bob, 0}, {carol, 40}}).ok());
  EXPECT_EQ(my_contracts(st, {bob, std::nullopt, {}}).total, 0u);
  EXPECT_EQ(my_contracts(st, {carol, contract_role::holder, {}}).total, 1u);
  // The minting side (anonymous) is never a holder.
  ASSERT_TRUE(on_holder_balances(st, c, c, {{principal::anonymous(), 5}}).ok());
  EXPECT_EQ(st.roles[static_cast<size_t>(contract_role::holder)].total(), 2u);
}

TEST_F(factory_state_test,
       forged_and_unknown_callbacks_are_refused_and_counted) {
  auto c = deploy(alice);
  auto before = st;
  auto r = on_role_added(st, bob, c, bob, contract_role::signer);
  ASSERT_TRUE(fails_with(r, factory_errc::forged_callback));
  EXPECT_NE(r.err().message.find(bob.to_text()), std::string::npos);
  auto other = principal::canister_id(150);
  EXPECT_TRUE(fails_with(on_status_changed(st, other, {other, "x"}),
                         factory_errc::unknown_contract));
  EXPECT_TRUE(fails_with(on_holder_balances(st, other, c, {{bob, 1}}),
                         factory_errc::forged_callback));
  EXPECT_TRUE(fails_with(on_visibility_changed(st, other, {c, true}),
                         factory_errc::forged_callback));
  EXPECT_EQ(st.counters.callbacks_refused, 4u);
  EXPECT_EQ(stats_of(st).callbacks_refused, 4u);
  // Nothing but the counter moved.
  st.counters.callbacks_refused = before.counters.callbacks_refused;
  EXPECT_EQ(st, before);
}

TEST_F(factory_state_test, public_contracts_newest_first_with_paging) {
  auto a = deploy(alice, {}, true, true, t0 + 1);
  auto b = deploy(bob, {}, false, true, t0 + 2);
  auto c = deploy(carol, {}, true, true, t0 + 3);
  auto d = deploy(carol, {}, true, false, t0 + 4); // Still deploying.
  auto all = public_contracts(st, {});
  ASSERT_EQ(all.total, 2u);
  EXPECT_EQ(all.contracts[0].id, c);
  EXPECT_EQ(all.contracts[1].id, a);
  ASSERT_TRUE(on_visibility_changed(st, b, {b, true}).ok());
  ASSERT_TRUE(on_deployment_complete(st, d, {d}).ok());
  auto p = public_contracts(st, {2, 1});
  EXPECT_EQ(p.total, 4u);
  ASSERT_EQ(p.contracts.size(), 2u);
  EXPECT_EQ(p.contracts[0].id, c);
  EXPECT_EQ(p.contracts[1].id, b);
  ASSERT_TRUE(on_visibility_changed(st, c, {c, false}).ok());
  auto after = public_contracts(st, {});
  ASSERT_EQ(after.total, 3u);
  EXPECT_EQ(after.contracts[0].id, d);
  EXPECT_FALSE(contract_info_of(st, c)->is_public);
  EXPECT_TRUE(public_contracts(st, {5, 9}).contracts.empty());
}

TEST_F(factory_state_test, status_auto_update_and_controllers_are_recorded) {
  auto c = deploy(alice);
  ASSERT_TRUE(on_status_changed(st, c, {c, "active"}).ok());
  ASSERT_TRUE(on_auto_update_changed(st, c, {c, false}).ok());
  ASSERT_TRUE(on_controllers_changed(st, c, {c, {alice}}).ok());
  auto info = contract_info_of(st, c);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->status, "active");
  EXPECT_FALSE(info->auto_update);
  EXPECT_EQ(info->controllers, std::vector<principal>{alice});
  EXPECT_EQ(info->deployment, deployment_state::deployed);
  auto stats = stats_of(st);
  ASSERT_EQ(stats.by_status.size(), 1u);
  EXPECT_EQ(stats.by_status[0].status, "active");
  EXPECT_EQ(stats.by_status[0].count, 1u);
  ASSERT_TRUE(on_proposal_created(st, c, {c, 1, alice}).ok());
  EXPECT_EQ(st.counters.proposals, 1u);
  EXPECT_TRUE(fails_with(contract_info_of(st, principal::canister_id(5)),
                         factory_errc::unknown_contract));
}

// -- health and setup ---------------------------------------------------------

TEST_F(factory_state_test, health_counts_deploying_and_unreachable) {
  auto a = deploy(alice);
  deploy(bob, {}, false, false);
  auto h = health_of(st);
  EXPECT_TRUE(h.healthy);
  EXPECT_EQ(h.contracts, 2u);
  EXPECT_EQ(h.deploying, 1u);
  EXPECT_EQ(h.started_at, t0);
  mark_unreachable(st, a);
  h = health_of(st);
  EXPECT_FALSE(h.healthy);
  EXPECT_EQ(h.unreachable, 1u);
  EXPECT_NE(h.message.find("1 contract(s) unreachable"), std::string::npos);
  auto s = setup_status_of(st);
  EXPECT_TRUE(s.ready);
  EXPECT_EQ(s.admins, std::vector<principal>{admin});
  EXPECT_EQ(s.versions, 1u);
  EXPECT_EQ(s.latest_version, v(1, 0, 0));
}

// -- versions -----------------------------------------------------------------

TEST_F(factory_state_test, register_only_code_versions_once_by_an_admin) {
  register_version_arg arg;
  arg.version = v(3, 0, 0);
  arg.stable = true;
  auto r = register_version(st, admin, arg, t0 + 5);
  ASSERT_TRUE(fails_with(r, factory_errc::unknown_version));
  EXPECT_NE(r.err().message.find("3.0.0"), std::string::npos);
  arg.version = v(2, 0, 0);
  EXPECT_TRUE(fails_with(register_version(st, alice, arg, t0 + 5),
                         factory_errc::unauthorized));
  ASSERT_TRUE(register_version(st, admin, arg, t0 + 5).ok());
  EXPECT_TRUE(fails_with(register_version(st, admin, arg, t0 + 6),
                         factory_errc::duplicate_version));
  arg.version = v(1, 1, 0);
  arg.stable = false;
  arg.min_upgrade_from = v(1, 1, 0);
  EXPECT_TRUE(fails_with(register_version(st, admin, arg, t0 + 6),
                         factory_errc::invalid_argument));
  arg.min_upgrade_from.reset();
  ASSERT_TRUE(register_version(st, admin, arg, t0 + 6).ok());
  ASSERT_EQ(st.versions.size(), 3u);
  EXPECT_EQ(st.versions[0].version, v(1, 0, 0));
  EXPECT_EQ(st.versions[1].version, v(1, 1, 0));
  EXPECT_EQ(st.versions[1].migration, "add-memo"); // From the code.
  EXPECT_EQ(st.versions[2].version, v(2, 0, 0));
  EXPECT_EQ(st.versions[2].released_at, t0 + 5);
  EXPECT_EQ(latest_stable(st), v(2, 0, 0));
  EXPECT_EQ(*check_create(st, backend, alice), v(2, 0, 0));
}

// -- upgrades -----------------------------------------------------------------

class factory_upgrade_test : public factory_state_test {
 protected:
  factory_upgrade_test() {
    for (auto x : {v(1, 1, 0), v(2, 0, 0)}) {
      register_version_arg arg;
      arg.version = x;
      arg.stable = true;
      EXPECT_TRUE(register_version(st, admin, arg, t0).ok());
    }
    c = deploy(alice);
    // Deployed before the new versions counted: put it back on 1.0.0.
    auto info = *st.contracts.find(c);
    info.version = v(1, 0, 0);
    st.contracts = st.contracts.insert(c, info);
  }

  upgrade_record finish(const upgrade_plan& p, upgrade_outcome o,
                        semver now_on) {
    upgrade_record rec{p.contract_id,  p.from, p.to, p.trigger, o,
                       p.requested_by, t0 + 9, ""};
    finish_upgrade(st, rec, now_on);
    return rec;
  }

  principal c;
};

TEST_F(factory_upgrade_test, only_controllers_upgrade_to_registered_versions) {
  EXPECT_TRUE(fails_with(begin_upgrade(st, bob, {c, v(2, 0, 0)}),
                         factory_errc::not_controller));
  EXPECT_TRUE(fails_with(begin_upgrade(st, alice, {c, v(1, 2, 0)}),
                         factory_errc::unknown_version));
  EXPECT_TRUE(fails_with(begin_upgrade(st, alice, {c, v(1, 0, 0)}),
                         factory_errc::invalid_argument));
  EXPECT_TRUE(fails_with(begin_upgrade(st, alice,
                                       {principal::canister_id(7), v(2, 0, 0)}),
                         factory_errc::unknown_contract));
  auto p = begin_upgrade(st, admin, {c, v(2, 0, 0)});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->from, v(1, 0, 0));
  EXPECT_EQ(p->trigger, upgrade_trigger::manual);
  // One upgrade at a time.
  EXPECT_TRUE(fails_with(begin_upgrade(st, alice, {c, v(1, 1, 0)}),
                         factory_errc::invalid_argument));
  finish(*p, upgrade_outcome::failed, p->from);
  EXPECT_EQ(contract_info_of(st, c)->version, v(1, 0, 0));
  EXPECT_EQ(stats_of(st).upgrades_failed, 1u);
  // The owner removed the factory: nobody upgrades through it.
  ASSERT_TRUE(on_controllers_changed(st, c, {c, {alice}}).ok());
  auto r = begin_upgrade(st, alice, {c, v(2, 0, 0)});
  ASSERT_TRUE(fails_with(r, factory_errc::not_controller));
  EXPECT_NE(r.err().message.find("no longer a controller"), std::string::npos);
}

TEST_F(factory_upgrade_test, rollback_goes_back_one_upgrade_at_a_time) {
  EXPECT_TRUE(fails_with(begin_rollback(st, alice, {c}),
                         factory_errc::nothing_to_roll_back));
  auto p1 = *begin_upgrade(st, alice, {c, v(1, 1, 0)});
  finish(p1, upgrade_outcome::succeeded, v(1, 1, 0));
  auto p2 = *begin_upgrade(st, alice, {c, v(2, 0, 0)});
  finish(p2, upgrade_outcome::succeeded, v(2, 0, 0));
  EXPECT_EQ(contract_info_of(st, c)->version, v(2, 0, 0));
  auto r1 = begin_rollback(st, alice, {c});
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->to, v(1, 1, 0));
  EXPECT_EQ(r1->trigger, upgrade_trigger::rollback);
  finish(*r1, upgrade_outcome::succeeded, v(1, 1, 0));
  auto r2 = *begin_rollback(st, alice, {c});
  EXPECT_EQ(r2.to, v(1, 0, 0));
  finish(r2, upgrade_outcome::succeeded, v(1, 0, 0));
  EXPECT_TRUE(fails_with(begin_rollback(st, alice, {c}),
                         factory_errc::nothing_to_roll_back));
  auto hist = version_history_of(st, c);
  ASSERT_TRUE(hist.ok());
  ASSERT_EQ(hist->size(), 4u);
  EXPECT_EQ((*hist)[2].trigger, upgrade_trigger::rollback);
  EXPECT_EQ(stats_of(st).upgrades, 4u);
  EXPECT_TRUE(fails_with(version_history_of(st, principal::canister_id(3)),
                         factory_errc::unknown_contract));
}

TEST_F(factory_upgrade_test, rollout_picks_auto_update_contracts_below) {
  auto d = deploy(bob);
  auto e = deploy(carol);
  auto f = deploy(carol);
  ASSERT_TRUE(on_auto_update_changed(st, e, {e, false}).ok());
  ASSERT_TRUE(on_controllers_changed(st, f, {f, {carol}}).ok());
  // d, e, f were deployed at 2.0.0 (latest stable) but c is on 1.0.0.
  EXPECT_TRUE(fails_with(plan_rollout(st, alice, {v(2, 0, 0), 1, 10}),
                         factory_errc::unauthorized));
  auto plan = plan_rollout(st, admin, {v(2, 0, 0), 1, 10});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->candidates, std::vector<principal>{c});
  EXPECT_EQ(plan->skipped, 0u);
  for (auto x : {d, e, f}) {
    auto info = *st.contracts.find(x);
    info.version = v(1, 0, 0);
    st.contracts = st.contracts.insert(x, info);
  }
  plan = plan_rollout(st, admin, {v(2, 0, 0), 1, 10});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->candidates.size(), 2u);
  EXPECT_EQ(plan->skipped, 2u);
  EXPECT_TRUE(std::is_sorted(plan->candidates.begin(), plan->candidates.end()));
  auto one = begin_rollout_upgrade(st, admin, d, v(2, 0, 0));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->trigger, upgrade_trigger::rollout);
  EXPECT_TRUE(fails_with(begin_rollout_upgrade(st, admin, e, v(2, 0, 0)),
                         factory_errc::not_controller));
  EXPECT_TRUE(fails_with(plan_rollout(st, admin, {v(2, 0, 0), 1, 0}),
                         factory_errc::invalid_argument));
  EXPECT_TRUE(fails_with(plan_rollout(st, admin, {v(3, 0, 0), 1, 1}),
                         factory_errc::unknown_version));
}

TEST_F(factory_state_test, equal_histories_give_equal_states) {
  auto copy = st;
  auto a = deploy(alice, {{bob, contract_role::signer}});
  EXPECT_NE(st, copy);
  std::swap(st, copy);
  auto b = deploy(alice, {{bob, contract_role::signer}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(st, copy);
}

// -- checkpoints
// ---------------------------------------------------------------

TEST_F(factory_state_test, checkpoint_round_trips_every_field) {
  auto a = deploy(alice, {{bob, contract_role::signer}}, /*is_public=*/true);
  auto b = deploy(bob, {{alice, contract_role::observer}});
  auto c = deploy(carol, {}, false, /*complete=*/false);
  fail_deployment(st, c);
  ASSERT_TRUE(on_role_added(st, b, b, carol, contract_role::signer).ok());
  ASSERT_TRUE(on_status_changed(st, a, {a, "active"}).ok());
  register_version_arg rv;
  rv.version = v(1, 1, 0);
  rv.notes = "memo";
  rv.migration = "add-memo";
  rv.stable = true;
  rv.min_upgrade_from = v(1, 0, 0);
  ASSERT_TRUE(register_version(st, admin, rv, t0 + 5).ok());
  upgrade_contract_arg up;
  up.contract_id = a;
  up.version = v(1, 1, 0);
  ASSERT_TRUE(begin_upgrade(st, alice, up).ok());
  mark_unreachable(st, b);
  auto bytes = save_checkpoint(st);
  auto back = load_checkpoint<factory_state>(bytes, "factory");
  ASSERT_TRUE(back.ok()) << back.err().message;
  EXPECT_TRUE(*back == st);
  EXPECT_EQ(back->versions.back().min_upgrade_from, v(1, 0, 0));
  EXPECT_EQ(my_contracts(*back, {carol, std::nullopt, {10, 0}}).total, 1u);
}

TEST_F(factory_state_test, a_damaged_checkpoint_does_not_load) {
  deploy(alice);
  deploy(bob);
  auto bytes = save_checkpoint(st);
  for (size_t cut : {size_t{0}, size_t{10}, bytes.size() / 2, bytes.size() - 1})
    EXPECT_FALSE(
        load_checkpoint<factory_state>(bytes.substr(0, cut), "factory").ok())
        << "cut at " << cut;
}

} // namespace
