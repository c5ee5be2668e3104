// Journal holds: a reply waits for every hold taken before it (a contract's
// callbacks to its factory), and only for those, in the order the replies
// were made. Without a store the journal is never pending, so only the
// holds decide.

#include "actors/common/durable.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace icto {
namespace {

TEST(journal_hold, nothing_held_runs_at_once) {
  actor_journal j;
  std::vector<std::string> ran;
  j.when_settled([&] {
    ran.push_back("a");
  });
  EXPECT_EQ(ran, std::vector<std::string>{"a"});
}

TEST(journal_hold, a_reply_waits_for_every_earlier_hold_in_order) {
  actor_journal j;
  std::vector<std::string> ran;
  auto h1 = j.hold();
  j.when_settled([&] {
    ran.push_back("first");
  });
  auto h2 = j.hold();
  j.when_settled([&] {
    ran.push_back("second");
  });
  j.release(h2);
  EXPECT_TRUE(ran.empty()) << "released the later hold only";
  j.release(h1);
  EXPECT_EQ(ran, (std::vector<std::string>{"first", "second"}));
}

TEST(journal_hold, a_later_hold_does_not_delay_an_earlier_reply) {
  actor_journal j;
  std::vector<std::string> ran;
  auto h1 = j.hold();
  j.when_settled([&] {
    ran.push_back("first");
  });
  auto h2 = j.hold(); // a callback of a later change
  j.release(h1);
  EXPECT_EQ(ran, std::vector<std::string>{"first"});
  j.when_settled([&] {
    ran.push_back("second");
  });
  EXPECT_EQ(ran.size(), 1u) << "the second reply waits for h2";
  j.release(h2);
  EXPECT_EQ(ran, (std::vector<std::string>{"first", "second"}));
  // Everything released: a new reply leaves at once.
  j.when_settled([&] {
    ran.push_back("third");
  });
  EXPECT_EQ(ran.size(), 3u);
}

} // namespace
} // namespace icto
