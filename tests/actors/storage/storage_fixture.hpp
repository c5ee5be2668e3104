#pragma once

// The actor fixture plus service actors: scoped actors registered in the
// node's directory as services, to call the storages as the backend or a
// factory would (caller identity from the CAF sender).

#include "tests/actors/actor_fixture.hpp"
#include "tests/actors/storage/storage_test_util.hpp"

#include <caf/scoped_actor.hpp>

#include <memory>
#include <vector>

namespace icto::storage_test {

class storage_fixture : public test::actor_fixture {
 protected:
  storage_fixture() {
    ctx->controllers = {admin};
  }

  /// A scoped actor the directory maps to `id` with the service role.
  caf::scoped_actor& make_service(const principal& id) {
    services_.push_back(std::make_unique<caf::scoped_actor>(*sys, true));
    auto& s = *services_.back();
    ctx->dir.add(s->address(), id, actor_role::service);
    return s;
  }

  /// A scoped actor the directory does not know (an anonymous sender).
  caf::scoped_actor& make_unknown() {
    services_.push_back(std::make_unique<caf::scoped_actor>(*sys, true));
    return *services_.back();
  }

  /// Sends `req` from `from` with the claimed caller `claimed`, runs every
  /// actor, returns the reply.
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

 private:
  std::vector<std::unique_ptr<caf::scoped_actor>> services_;
};

} // namespace icto::storage_test
