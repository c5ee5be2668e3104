// The common contract core and the generic version mechanism, without
// actors.

#include "actors/contracts/contract_core.hpp"
#include "actors/contracts/contract_versions.hpp"
#include "tests/actors/contracts/contract_test_util.hpp"

#include <gtest/gtest.h>

namespace icto::contract_test {
namespace {

contract_core fresh() {
  return make_contract_core(contract_kind::multisig, contract_id, owner,
                            factory_id, semver{1, 0, 0}, t0, false, "active");
}

TEST(contract_core, starts_with_factory_and_owner_as_controllers) {
  auto core = fresh();
  EXPECT_EQ(core.controllers, (std::vector<principal>{factory_id, owner}));
  EXPECT_TRUE(core.auto_update);
  EXPECT_TRUE(factory_is_controller(core));
  EXPECT_TRUE(is_controller(core, owner));
  EXPECT_FALSE(is_controller(core, stranger));
  auto s = status_of(core);
  EXPECT_EQ(s.id, contract_id);
  EXPECT_EQ(s.kind, contract_kind::multisig);
  EXPECT_EQ(s.owner, owner);
  EXPECT_EQ(s.factory, factory_id);
  EXPECT_EQ(s.version, (semver{1, 0, 0}));
  EXPECT_EQ(s.controllers, core.controllers);
  EXPECT_EQ(s.status, "active");
  EXPECT_EQ(s.created_at, t0);
  EXPECT_FALSE(s.is_public);
}

TEST(contract_core, only_the_owner_sets_auto_update) {
  auto core = fresh();
  auto r = set_auto_update(core, stranger, set_auto_update_arg{false});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  r = set_auto_update(core, factory_id, set_auto_update_arg{false});
  ASSERT_FALSE(r);
  EXPECT_TRUE(core.auto_update);
  r = set_auto_update(core, owner, set_auto_update_arg{false});
  ASSERT_TRUE(r);
  EXPECT_TRUE(*r);
  EXPECT_FALSE(core.auto_update);
  r = set_auto_update(core, owner, set_auto_update_arg{false});
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r) << "no change, nothing to tell the factory";
}

TEST(contract_core, only_the_owner_sets_visibility) {
  auto core = fresh();
  auto r = set_visibility(core, stranger, set_visibility_arg{true});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  EXPECT_FALSE(core.is_public);
  r = set_visibility(core, owner, set_visibility_arg{true});
  ASSERT_TRUE(r);
  EXPECT_TRUE(*r);
  EXPECT_TRUE(core.is_public);
  r = set_visibility(core, owner, set_visibility_arg{true});
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
}

TEST(contract_core, the_owner_removes_the_factory_for_good) {
  auto core = fresh();
  auto r = remove_factory_controller(core, factory_id);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), contract_errc::unauthorized));
  EXPECT_TRUE(factory_is_controller(core));
  EXPECT_TRUE(require_factory(core, factory_id, "migrateTo"));
  r = remove_factory_controller(core, owner);
  ASSERT_TRUE(r);
  EXPECT_EQ(core.controllers, std::vector<principal>{owner});
  EXPECT_FALSE(factory_is_controller(core));
  auto again = remove_factory_controller(core, owner);
  ASSERT_FALSE(again);
  EXPECT_TRUE(is(again.err(), contract_errc::already_done));
  auto f = require_factory(core, factory_id, "migrateTo");
  ASSERT_FALSE(f);
  EXPECT_TRUE(is(f.err(), contract_errc::unauthorized));
  EXPECT_NE(f.err().message.find("removed the factory"), std::string::npos);
}

TEST(contract_core, factory_calls_only_from_the_factory) {
  auto core = fresh();
  EXPECT_FALSE(require_factory(core, owner, "healthPing"));
  EXPECT_FALSE(require_factory(core, stranger, "healthPing"));
  EXPECT_TRUE(require_factory(core, factory_id, "healthPing"));
}

// -- the version mechanism on a toy state -------------------------------------

/// 1.0.0 holds `a`; 2.0.0 adds `b` = a * 2 and refuses a > 100; 3.0.0 adds
/// `c`. The check: b present iff >= 2.0.0, c iff >= 3.0.0.
struct toy {
  int a = 0;
  std::optional<int> b;
  std::optional<int> c;
  friend bool operator==(const toy& x, const toy& y) {
    return x.a == y.a && x.b == y.b && x.c == y.c;
  }
};

version_table<toy> toy_table() {
  version_table<toy> t;
  t.steps.push_back({semver{1, 0, 0}, "first", "none", {}, {}});
  t.steps.push_back({semver{2, 0, 0}, "b", "add b",
                     [](toy& x) -> result<unit> {
                       if (x.a > 100)
                         return make_error(contract_errc::invalid_state,
                                           "a is above 100");
                       x.b = x.a * 2;
                       return unit{};
                     },
                     [](toy& x) -> result<unit> {
                       x.b.reset();
                       return unit{};
                     }});
  t.steps.push_back({semver{3, 0, 0}, "c", "add c",
                     [](toy& x) -> result<unit> {
                       x.c = 7;
                       return unit{};
                     },
                     [](toy& x) -> result<unit> {
                       if (*x.c != 7)
                         return make_error(contract_errc::invalid_state,
                                           "c was changed");
                       x.c.reset();
                       return unit{};
                     }});
  t.check = [](const toy& x, const semver& v) -> result<unit> {
    if (x.b.has_value() != !(v < semver{2, 0, 0}))
      return make_error(contract_errc::invalid_state, "b");
    if (x.c.has_value() != !(v < semver{3, 0, 0}))
      return make_error(contract_errc::invalid_state, "c");
    return unit{};
  };
  return t;
}

TEST(contract_versions, upgrades_step_by_step_and_rolls_back) {
  auto t = toy_table();
  toy x{5, {}, {}};
  semver v{1, 0, 0};
  auto r = migrate(t, x, v, semver{3, 0, 0});
  ASSERT_TRUE(r) << r.err().to_string();
  EXPECT_EQ(r->from, (semver{1, 0, 0}));
  EXPECT_EQ(r->to, (semver{3, 0, 0}));
  EXPECT_EQ(v, (semver{3, 0, 0}));
  EXPECT_EQ(x, (toy{5, 10, 7}));
  EXPECT_TRUE(health_of(t, x, v).healthy);
  r = migrate(t, x, v, semver{1, 0, 0});
  ASSERT_TRUE(r) << r.err().to_string();
  EXPECT_EQ(v, (semver{1, 0, 0}));
  EXPECT_EQ(x, (toy{5, {}, {}}));
}

TEST(contract_versions, failed_step_keeps_old_version_and_state) {
  auto t = toy_table();
  toy x{101, {}, {}};
  semver v{1, 0, 0};
  auto r = migrate(t, x, v, semver{3, 0, 0});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), factory_errc::migration_failed));
  EXPECT_NE(r.err().message.find("a is above 100"), std::string::npos);
  EXPECT_NE(r.err().message.find("1.0.0 -> 2.0.0"), std::string::npos);
  EXPECT_EQ(v, (semver{1, 0, 0}));
  EXPECT_EQ(x, (toy{101, {}, {}}));
}

TEST(contract_versions, failed_down_step_keeps_state) {
  auto t = toy_table();
  toy x{1, 2, 8};
  semver v{3, 0, 0};
  auto r = migrate(t, x, v, semver{1, 0, 0});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), factory_errc::migration_failed));
  EXPECT_EQ(v, (semver{3, 0, 0}));
  EXPECT_EQ(x, (toy{1, 2, 8}));
}

TEST(contract_versions, failed_check_keeps_state) {
  auto t = toy_table();
  t.steps[2].up = [](toy&) -> result<unit> {
    return unit{};
  }; // forgets c
  toy x{1, {}, {}};
  semver v{1, 0, 0};
  auto r = migrate(t, x, v, semver{3, 0, 0});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), factory_errc::migration_failed));
  EXPECT_NE(r.err().message.find("invariant"), std::string::npos);
  EXPECT_EQ(v, (semver{1, 0, 0}));
  EXPECT_EQ(x, (toy{1, {}, {}}));
}

TEST(contract_versions, unknown_versions_are_refused) {
  auto t = toy_table();
  toy x{1, {}, {}};
  semver v{1, 0, 0};
  auto r = migrate(t, x, v, semver{9, 0, 0});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), factory_errc::unknown_version));
  semver odd{0, 9, 0};
  r = migrate(t, x, odd, semver{1, 0, 0});
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), factory_errc::unknown_version));
  EXPECT_FALSE(health_of(t, x, odd).healthy);
  toy bad{1, 3, {}};
  auto h = health_of(t, bad, v);
  EXPECT_FALSE(h.healthy);
  EXPECT_EQ(h.message, "b");
}

} // namespace
} // namespace icto::contract_test
