#pragma once

// A GoogleTest fixture for deterministic actor tests: CAF's test coordinator
// runs every actor in this thread, only when the test says so, and time only
// moves when the test moves it.

#include "actors/common/context.hpp"
#include "messages/interfaces.hpp"
#include "messages/register.hpp"
#include "messages/type_name.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

namespace icto::test {

class actor_fixture : public ::testing::Test {
 public:
  /// 2026-01-01T00:00:00Z.
  static constexpr timestamp start_time = 1'767'225'600'000'000'000ull;

  actor_fixture() : clock(start_time) {
    register_messages(cfg);
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    cfg.set("logger.console-verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    ingress = std::make_unique<caf::scoped_actor>(*sys, true);
    ctx = std::make_shared<node_context>();
    ctx->now = clock.fn();
    ctx->dir.add((*ingress)->address(), principal::canister_id(0xfffffff0),
                 actor_role::ingress);
  }

  ~actor_fixture() override {
    sched->run();
  }

  /// Sends `req` to `dest` as the ingress would on behalf of `user`, runs
  /// every actor until no message is left, and returns the reply.
  template <class Reply, class Handle, class Request>
  Reply call(const Handle& dest, const principal& user, Request req) {
    auto handle = (*ingress)->request(dest, caf::infinite, caller{user},
                                      std::move(req));
    sched->run();
    Reply out;
    if ((*ingress)->mailbox().empty()) {
      ADD_FAILURE() << "no reply to " << type_name<Request>();
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

  /// Runs every actor until no message is left.
  void run() {
    sched->run();
  }

  /// Moves the clock (and CAF's timers) forward.
  void advance(std::chrono::nanoseconds d) {
    clock.advance(d);
    sched->advance_time(d);
    sched->run();
  }

  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::unique_ptr<caf::scoped_actor> ingress;
  manual_clock clock;
  node_context_ptr ctx;
};

/// A user principal for tests: self-authenticating, from a key made of `n`.
inline principal user(uint8_t n) {
  uint8_t key[32] = {};
  key[0] = n;
  key[31] = 0x55;
  return principal::self_authenticating(key);
}

} // namespace icto::test
