#pragma once

// What the factory actor tests share: a fixture with an admin, a backend
// service actor, users, a factory config, and a way to call from an actor
// other than the ingress.

#include "actors/factories/factory_config.hpp"
#include "tests/actors/actor_fixture.hpp"

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace icto::factory_test {

using namespace std::chrono_literals;

/// Whether `r` failed with `code`.
template <class T, class Enum>
bool fails_with(const result<T>& r, Enum code) {
  return !r.ok() && is(r.err(), code);
}

inline semver v(uint32_t a, uint32_t b, uint32_t c) {
  return semver{a, b, c};
}

/// The fixture of the factory actor tests.
class factory_fixture : public test::actor_fixture {
 protected:
  factory_fixture()
      : admin(test::user(1)), alice(test::user(10)), bob(test::user(11)),
        carol(test::user(12)), backend_id(principal::canister_id(800)),
        factory_id(principal::canister_id(900)), backend(*sys, true) {
    ctx->controllers = {admin};
    ctx->dir.add(backend->address(), backend_id, actor_role::service);
  }

  /// Stops every contract of the range still alive (a live actor would
  /// keep the actor system from shutting down).
  ~factory_fixture() override {
    for (uint64_t i = first_index; i < first_index + 100; ++i)
      if (auto h = ctx->dir.find_actor(principal::canister_id(i)))
        caf::anon_send_exit(h, caf::exit_reason::kill);
    run();
    ctx->dir.remove(backend->address());
  }

  /// A factory on contract-id range [1000, 1099] with the backend
  /// whitelisted.
  factory_config factory_cfg() {
    factory_config fc;
    fc.id = factory_id;
    fc.first_contract_index = first_index;
    fc.last_contract_index = first_index + 99;
    fc.whitelist = {backend_id};
    fc.deployment_timeout = deployment_timeout;
    fc.upgrade_timeout = 5s;
    return fc;
  }

  /// Sends `req` to `dest` from `from` claiming `claimed`, runs every actor,
  /// returns the reply.
  template <class Reply, class Handle, class Request>
  Reply call_from(caf::scoped_actor& from, const Handle& dest,
                  const principal& claimed, Request req) {
    auto handle = from->request(dest, caf::infinite, caller{claimed},
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

  /// The live actor of a contract, as handle type H.
  template <class H>
  H contract(const principal& id) {
    return caf::actor_cast<H>(ctx->dir.find_actor(id));
  }

  static constexpr uint64_t first_index = 1000;
  static constexpr std::chrono::milliseconds deployment_timeout{5000};

  principal admin;
  principal alice;
  principal bob;
  principal carol;
  principal backend_id;
  principal factory_id;
  caf::scoped_actor backend;
};

} // namespace icto::factory_test
