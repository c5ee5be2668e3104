// The directory's generation and the handle lookups that follow it: an
// actor that keeps handles of services finds the new actor registered under
// a service's principal (its node restarted), and keeps the old one while
// nothing is registered.

#include "tests/actors/actor_fixture.hpp"

#include <caf/event_based_actor.hpp>

namespace icto {
namespace {

/// An actor that echoes ints. (It takes an argument: CAF 0.17 spawns an
/// argument-less function actor through a null tuple, which UBSan flags.)
caf::behavior echo(caf::event_based_actor*, int offset) {
  return {[offset](int x) {
    return x + offset;
  }};
}

class directory_test : public test::actor_fixture {
 protected:
  ~directory_test() override {
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }

  caf::actor make() {
    spawned.push_back(sys->spawn(echo, 0));
    return spawned.back();
  }

  std::vector<caf::actor> spawned;
};

TEST_F(directory_test, generation_moves_with_every_change_only) {
  directory dir;
  auto a = make();
  const auto g0 = dir.generation();
  EXPECT_EQ(dir.find_actor(principal::canister_id(1)), caf::actor{});
  EXPECT_EQ(dir.generation(), g0) << "a lookup changed the generation";
  dir.add(a.address(), principal::canister_id(1), actor_role::service);
  const auto g1 = dir.generation();
  EXPECT_GT(g1, g0);
  dir.remove(a.address());
  EXPECT_GT(dir.generation(), g1);
  const auto g2 = dir.generation();
  dir.remove(a.address()); // not there: nothing changes
  EXPECT_EQ(dir.generation(), g2);
}

TEST_F(directory_test, a_watch_says_when_to_look_again) {
  directory dir;
  directory_watch watch;
  EXPECT_TRUE(watch.moved(dir)) << "the first look must look";
  EXPECT_FALSE(watch.moved(dir));
  dir.add(make().address(), principal::canister_id(1), actor_role::contract);
  EXPECT_TRUE(watch.moved(dir));
  EXPECT_FALSE(watch.moved(dir));
}

TEST_F(directory_test, refresh_handle_follows_the_newest_actor_of_an_id) {
  directory dir;
  const auto id = principal::canister_id(7);
  auto old_actor = make();
  auto new_actor = make();
  caf::actor held = old_actor;
  // Nothing registered: the handle stays.
  EXPECT_FALSE(refresh_handle(dir, id, held));
  EXPECT_EQ(held, old_actor);
  dir.add(old_actor.address(), id, actor_role::service);
  dir.remove(old_actor.address()); // its node went away
  EXPECT_FALSE(refresh_handle(dir, id, held));
  EXPECT_EQ(held, old_actor);
  // The node came back with a new actor under the same principal.
  dir.add(new_actor.address(), id, actor_role::service);
  EXPECT_TRUE(refresh_handle(dir, id, held));
  EXPECT_EQ(held, new_actor);
}

} // namespace
} // namespace icto
