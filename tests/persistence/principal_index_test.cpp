#include "persistence/principal_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <vector>

using icto::principal;
using icto::principal_index;

namespace {

principal user(uint64_t i) {
  uint8_t bytes[29] = {};
  for (size_t j = 0; j < 8; ++j)
    bytes[j] = static_cast<uint8_t>(i >> (8 * j));
  bytes[28] = 0x02;
  return principal::from_bytes(bytes, sizeof(bytes)).value();
}

principal contract(uint64_t i) {
  return principal::canister_id(i);
}

using reference = std::map<principal, std::set<principal>>;

::testing::AssertionResult same_contents(const principal_index& idx,
                                         const reference& ref) {
  size_t total = 0;
  for (const auto& [owner, ids] : ref) {
    total += ids.size();
    const std::vector<principal> expected(ids.begin(), ids.end());
    if (idx.get(owner) != expected)
      return ::testing::AssertionFailure() << "ids of " << owner.to_text();
    if (idx.count(owner) != ids.size())
      return ::testing::AssertionFailure() << "count of " << owner.to_text();
  }
  if (idx.size() != ref.size())
    return ::testing::AssertionFailure()
           << "size " << idx.size() << " != " << ref.size();
  if (idx.total() != total)
    return ::testing::AssertionFailure()
           << "total " << idx.total() << " != " << total;
  return ::testing::AssertionSuccess();
}

} // namespace

TEST(principal_index, empty_index) {
  const principal_index idx;
  EXPECT_TRUE(idx.empty());
  EXPECT_EQ(idx.size(), 0u);
  EXPECT_EQ(idx.total(), 0u);
  EXPECT_TRUE(idx.get(user(1)).empty());
  EXPECT_EQ(idx.count(user(1)), 0u);
  EXPECT_FALSE(idx.contains(user(1), contract(1)));
  EXPECT_EQ(idx.find(user(1)), nullptr);
  EXPECT_EQ(idx.remove(user(1), contract(1)), idx);
  EXPECT_EQ(idx.remove_all(user(1)), idx);
}

TEST(principal_index, duplicate_add_changes_nothing) {
  const auto once = principal_index{}.add(user(1), contract(7));
  const auto twice = once.add(user(1), contract(7));
  EXPECT_EQ(once, twice);
  EXPECT_EQ(twice.total(), 1u);
  EXPECT_EQ(twice.count(user(1)), 1u);
  EXPECT_EQ(twice.get(user(1)), std::vector<principal>{contract(7)});
}

TEST(principal_index, removing_a_missing_id_changes_nothing) {
  const auto idx = principal_index{}.add(user(1), contract(7));
  EXPECT_EQ(idx.remove(user(1), contract(8)), idx);
  EXPECT_EQ(idx.remove(user(2), contract(7)), idx);
  EXPECT_EQ(idx.remove(user(1), contract(8)).total(), 1u);
}

TEST(principal_index, last_remove_drops_the_owner) {
  const auto idx = principal_index{}
                       .add(user(1), contract(7))
                       .add(user(1), contract(8))
                       .add(user(2), contract(9));
  const auto one = idx.remove(user(1), contract(7));
  EXPECT_EQ(one.size(), 2u);
  EXPECT_EQ(one.total(), 2u);
  const auto none = one.remove(user(1), contract(8));
  EXPECT_EQ(none.size(), 1u);
  EXPECT_EQ(none.total(), 1u);
  EXPECT_EQ(none.find(user(1)), nullptr);
  EXPECT_EQ(none, principal_index{}.add(user(2), contract(9)));
}

TEST(principal_index, remove_all) {
  auto idx = principal_index{}.add(user(2), contract(1));
  for (uint64_t i = 0; i < 50; ++i)
    idx = idx.add(user(1), contract(i));
  const auto removed = idx.remove_all(user(1));
  EXPECT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed.total(), 1u);
  EXPECT_FALSE(removed.contains(user(1), contract(3)));
  EXPECT_EQ(idx.total(), 51u);
  EXPECT_EQ(idx.count(user(1)), 50u);
}

TEST(principal_index, get_is_sorted) {
  principal_index idx;
  for (uint64_t i : {9, 3, 27, 1, 14, 2})
    idx = idx.add(user(1), contract(i * 1000003));
  const auto ids = idx.get(user(1));
  ASSERT_EQ(ids.size(), 6u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
}

TEST(principal_index, old_versions_are_unchanged) {
  const uint64_t seed = 0x1d3e;
  std::cout << "[ seed     ] 0x" << std::hex << seed << std::dec << "\n";
  std::mt19937_64 rng{seed};
  std::uniform_int_distribution<uint64_t> owner_dist{0, 99};
  std::uniform_int_distribution<uint64_t> id_dist{0, 499};
  std::uniform_int_distribution<int> op_dist{0, 99};
  principal_index idx;
  reference ref;
  std::vector<std::pair<principal_index, reference>> samples;
  for (int i = 0; i < 50'000; ++i) {
    const auto owner = user(owner_dist(rng));
    const auto id = contract(id_dist(rng));
    const int op = op_dist(rng);
    if (op < 60) {
      idx = idx.add(owner, id);
      ref[owner].insert(id);
    } else if (op < 95) {
      idx = idx.remove(owner, id);
      if (auto it = ref.find(owner); it != ref.end()) {
        it->second.erase(id);
        if (it->second.empty())
          ref.erase(it);
      }
    } else {
      idx = idx.remove_all(owner);
      ref.erase(owner);
    }
    auto it = ref.find(owner);
    ASSERT_EQ(idx.contains(owner, id),
              it != ref.end() && it->second.count(id) == 1);
    if (i % 5'000 == 0)
      samples.emplace_back(idx, ref);
  }
  EXPECT_TRUE(same_contents(idx, ref));
  for (const auto& [old, old_ref] : samples)
    EXPECT_TRUE(same_contents(old, old_ref));
}
