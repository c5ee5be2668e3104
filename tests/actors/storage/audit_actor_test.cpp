// The audit storage actor under CAF's deterministic test coordinator:
// requests go through the typed interface, the caller comes from the CAF
// sender.

#include "actors/audit/audit_actor.hpp"
#include "tests/actors/storage/storage_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>

using namespace icto;
using namespace icto::storage_test;
using namespace std::chrono_literals;

namespace {

class audit_actor_test : public storage_fixture {
 protected:
  audit_actor_test() {
    audit_config config;
    config.writers = {backend};
    config.backend = backend;
    audit = spawn_audit_storage(*sys, ctx, config);
    run();
  }

  ~audit_actor_test() override {
    caf::anon_send_exit(audit, caf::exit_reason::user_shutdown);
    run();
  }

  audit_actor audit;
};

TEST_F(audit_actor_test, whitelisted_service_appends_users_cannot) {
  auto& be = make_service(backend);
  // The backend claims to be alice; the storage records the backend.
  auto e = call_from<result<audit_entry>>(
      be, audit, alice, event(alice, action_type::create_token));
  ASSERT_TRUE(e.ok()) << e.err().to_string();
  EXPECT_EQ(e->id, 1u);
  EXPECT_EQ(e->writer, backend);
  EXPECT_EQ(e->recorded_at, start_time);
  EXPECT_EQ(e->prev_hash, blob(32, 0));
  // A user through the ingress, even claiming the backend's principal.
  auto r = call<result<audit_entry>>(audit, alice,
                                     event(alice, action_type::create_token));
  EXPECT_TRUE(fails_with(r, audit_errc::unauthorized, alice.to_text()));
  r = call<result<audit_entry>>(audit, backend,
                                event(alice, action_type::create_token));
  EXPECT_TRUE(fails_with(r, audit_errc::unauthorized, "ingress"));
  // A service that is not whitelisted, an unknown sender.
  auto& tf = make_service(token_factory);
  r = call_from<result<audit_entry>>(tf, audit, backend,
                                     event(alice, action_type::create_dao));
  EXPECT_TRUE(fails_with(r, audit_errc::unauthorized, token_factory.to_text()));
  auto& nobody = make_unknown();
  r = call_from<result<audit_entry>>(nobody, audit, backend,
                                     event(alice, action_type::create_dao));
  EXPECT_TRUE(fails_with(r, audit_errc::unauthorized,
                         principal::anonymous().to_text()));
  auto stats = call<result<audit_stats>>(audit, bob, audit_stats_arg{});
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->entries, 1u);
  EXPECT_EQ(stats->head_hash, e->hash);
}

TEST_F(audit_actor_test, controller_manages_the_whitelist) {
  auto& tf = make_service(token_factory);
  auto& be = make_service(backend);
  auto r = call<result<unit>>(audit, alice,
                              audit_whitelist_add_arg{token_factory});
  EXPECT_TRUE(fails_with(r, audit_errc::unauthorized, alice.to_text()));
  r = call<result<unit>>(audit, admin, audit_whitelist_add_arg{token_factory});
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  auto wl = call<result<principals>>(audit, bob, audit_whitelist_arg{});
  ASSERT_TRUE(wl.ok());
  EXPECT_EQ(*wl, (principals{backend, token_factory}));
  EXPECT_TRUE(
      call_from<result<audit_entry>>(tf, audit, token_factory,
                                     event(bob, action_type::create_multisig))
          .ok());
  // The backend may add but not remove; the controller removes.
  r = call_from<result<unit>>(be, audit, backend,
                              audit_whitelist_remove_arg{token_factory});
  EXPECT_TRUE(fails_with(r, audit_errc::unauthorized, backend.to_text()));
  r = call<result<unit>>(audit, admin,
                         audit_whitelist_remove_arg{token_factory});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(fails_with(
      call_from<result<audit_entry>>(tf, audit, token_factory,
                                     event(bob, action_type::create_multisig)),
      audit_errc::unauthorized));
  r = call_from<result<unit>>(be, audit, backend,
                              audit_whitelist_add_arg{token_factory});
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_TRUE(
      call_from<result<audit_entry>>(tf, audit, token_factory,
                                     event(bob, action_type::create_multisig))
          .ok());
}

TEST_F(audit_actor_test, users_read_their_own_entries_and_the_chain_verifies) {
  auto& be = make_service(backend);
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(call_from<result<audit_entry>>(be, audit, backend,
                                               event(i % 2 == 0 ? alice : bob,
                                                     action_type::create_token))
                    .ok());
    advance(1s);
  }
  audit_filter f;
  auto mine = call<result<audit_page>>(audit, bob, f);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->total, 3u);
  for (const auto& e : mine->entries)
    EXPECT_EQ(e.event.user, bob);
  auto all = call<result<audit_page>>(audit, admin, f);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, 6u);
  EXPECT_EQ(all->entries.back().recorded_at, start_time + 5'000'000'000ull);
  f.from = start_time + 2'000'000'000ull;
  all = call_from<result<audit_page>>(be, audit, backend, f);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, 4u);
  EXPECT_TRUE(
      fails_with(call<result<audit_entry>>(audit, bob, audit_entry_arg{1}),
                 audit_errc::unauthorized, bob.to_text()));
  EXPECT_TRUE(call<result<audit_entry>>(audit, bob, audit_entry_arg{2}).ok());
  auto v = call<result<chain_verification>>(audit, carol, verify_chain_arg{});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok);
  EXPECT_EQ(v->checked, 6u);
  EXPECT_TRUE(fails_with(
      call<result<chain_verification>>(audit, carol, verify_chain_arg{3, 9}),
      audit_errc::invalid_argument));
}

TEST_F(audit_actor_test, health_check_answers_anyone) {
  EXPECT_TRUE(call<result<unit>>(audit, alice, audit_health_check_arg{}).ok());
  auto& nobody = make_unknown();
  EXPECT_TRUE(
      call_from<result<unit>>(nobody, audit, alice, audit_health_check_arg{})
          .ok());
}

} // namespace

namespace {

/// The reason `h` terminated with, once it has (none while alive).
template <class Handle>
std::optional<caf::error> exit_reason_of(const Handle& h) {
  // Shared: the functor outlives this call if the actor is still alive.
  auto out = std::make_shared<std::optional<caf::error>>();
  caf::actor_cast<caf::abstract_actor*>(h)->attach_functor(
      [out](const caf::error& reason) {
        *out = reason;
      });
  return *out;
}

TEST_F(audit_actor_test, quits_on_an_anonymous_writer_in_its_config) {
  audit_config bad;
  bad.writers = {principal::anonymous()};
  auto h = spawn_audit_storage(*sys, ctx, bad);
  run();
  auto reason = exit_reason_of(h);
  ASSERT_TRUE(reason);
  EXPECT_EQ(*reason, caf::sec::invalid_argument);
  // The good one runs on.
  EXPECT_FALSE(exit_reason_of(audit));
}

} // namespace
