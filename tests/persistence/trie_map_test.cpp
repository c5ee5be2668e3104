#include "persistence/trie_map.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <iostream>
#include <iterator>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using icto::trie_map;
using icto::trie_set;

namespace {

using u64_map = trie_map<uint64_t, uint64_t>;

/// Sorted contents of any map, via the iterator.
template <class Map>
auto sorted_entries(const Map& m) {
  std::vector<std::pair<typename Map::key_type, typename Map::mapped_type>> xs(
      m.begin(), m.end());
  std::sort(xs.begin(), xs.end());
  return xs;
}

/// Checks `m` against `ref` through size, find, iteration and for_each.
template <class Map, class Ref>
::testing::AssertionResult same_contents(const Map& m, const Ref& ref) {
  if (m.size() != ref.size())
    return ::testing::AssertionFailure()
           << "size " << m.size() << " != " << ref.size();
  if (!m.check_invariants())
    return ::testing::AssertionFailure() << "invariants violated";
  for (const auto& [k, v] : ref) {
    const auto* found = m.find(k);
    if (found == nullptr || !(*found == v))
      return ::testing::AssertionFailure() << "key " << k << " lost";
  }
  std::vector<std::pair<typename Ref::key_type, typename Ref::mapped_type>>
      expected(ref.begin(), ref.end());
  if (sorted_entries(m) != expected)
    return ::testing::AssertionFailure() << "iteration differs";
  size_t visited = 0;
  m.for_each([&](const auto&, const auto&) {
    ++visited;
  });
  if (visited != ref.size())
    return ::testing::AssertionFailure() << "for_each visited " << visited;
  return ::testing::AssertionSuccess();
}

/// Hash that sends all keys to 7 buckets, i.e. 7 full 64-bit collisions.
struct terrible_hash {
  size_t operator()(uint64_t x) const noexcept {
    return x % 7;
  }
};

/// Hash that sends all strings to 3 buckets.
struct terrible_string_hash {
  size_t operator()(const std::string& x) const noexcept {
    return x.size() % 3;
  }
};

/// Runs `ops` random insert/overwrite/erase/find operations on `Map` and a
/// `std::map`, keeps every `sample_every`-th version with a sorted copy of
/// the reference, and checks at the end that each kept version is unchanged.
/// With `in_place`, modifies through set/remove instead of insert/erase;
/// the kept versions then check that in-place updates never touch a node a
/// snapshot shares.
template <class Map>
void run_property_test(uint64_t seed, size_t ops, uint64_t key_range,
                       size_t sample_every, bool in_place = false) {
  std::cout << "[ seed     ] 0x" << std::hex << seed << std::dec << " (ops "
            << ops << ", key range " << key_range << ")\n";
  std::mt19937_64 rng{seed};
  std::uniform_int_distribution<uint64_t> key_dist{0, key_range - 1};
  std::uniform_int_distribution<int> op_dist{0, 99};
  Map m;
  std::map<uint64_t, uint64_t> ref;
  std::vector<std::pair<Map, std::vector<std::pair<uint64_t, uint64_t>>>>
      samples;
  size_t hits = 0;
  size_t misses = 0;
  for (size_t i = 0; i < ops; ++i) {
    const uint64_t k = key_dist(rng);
    const int op = op_dist(rng);
    if (op < 45) {
      const uint64_t v = rng();
      if (in_place)
        m.set(k, v);
      else
        m = m.insert(k, v);
      ref[k] = v;
    } else if (op < 70) {
      if (in_place)
        ASSERT_EQ(m.remove(k), ref.erase(k) == 1) << "op " << i;
      else
        m = m.erase(k);
      ref.erase(k);
    } else {
      const auto* found = m.find(k);
      const auto it = ref.find(k);
      if (it == ref.end()) {
        ++misses;
        ASSERT_EQ(found, nullptr) << "op " << i;
      } else {
        ++hits;
        ASSERT_NE(found, nullptr) << "op " << i;
        ASSERT_EQ(*found, it->second) << "op " << i;
      }
    }
    ASSERT_EQ(m.size(), ref.size()) << "op " << i;
    if (i % sample_every == 0) {
      ASSERT_TRUE(m.check_invariants()) << "op " << i;
      samples.emplace_back(m, std::vector<std::pair<uint64_t, uint64_t>>(
                                  ref.begin(), ref.end()));
    }
  }
  EXPECT_GT(hits, ops / 20);
  EXPECT_GT(misses, ops / 20);
  EXPECT_TRUE(same_contents(m, ref));
  for (size_t i = 0; i < samples.size(); ++i) {
    const auto& [old, expected] = samples[i];
    std::map<uint64_t, uint64_t> old_ref(expected.begin(), expected.end());
    ASSERT_TRUE(same_contents(old, old_ref)) << "sample " << i;
  }
  // Erasing everything must collapse back to the empty map.
  for (const auto& [k, v] : ref) {
    if (in_place)
      m.remove(k);
    else
      m = m.erase(k);
  }
  EXPECT_TRUE(m.empty());
  EXPECT_TRUE(m.check_invariants());
  EXPECT_EQ(m, Map{});
}

/// Value whose copy constructor throws when armed.
struct fragile {
  static inline int copies_left = -1;

  fragile() = default;

  explicit fragile(int v) : value(v) {}

  fragile(const fragile& other) : value(other.value) {
    if (copies_left == 0)
      throw std::runtime_error("copy failed");
    if (copies_left > 0)
      --copies_left;
  }

  fragile& operator=(const fragile&) = default;

  friend bool operator==(const fragile& x, const fragile& y) {
    return x.value == y.value;
  }

  int value = 0;
};

} // namespace

TEST(trie_map, empty_map) {
  u64_map m;
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.find(1), nullptr);
  EXPECT_FALSE(m.contains(1));
  EXPECT_EQ(m.begin(), m.end());
  EXPECT_EQ(m.erase(1), m);
  EXPECT_TRUE(m.check_invariants());
}

TEST(trie_map, insert_find_overwrite_erase) {
  const u64_map m0;
  const auto m1 = m0.insert(1, 10);
  const auto m2 = m1.insert(2, 20);
  const auto m3 = m2.insert(1, 11);
  const auto m4 = m3.erase(2);
  EXPECT_EQ(m0.size(), 0u);
  ASSERT_EQ(m1.size(), 1u);
  EXPECT_EQ(*m1.find(1), 10u);
  EXPECT_EQ(m2.size(), 2u);
  EXPECT_EQ(*m2.find(1), 10u);
  EXPECT_EQ(*m2.find(2), 20u);
  EXPECT_EQ(m3.size(), 2u);
  EXPECT_EQ(*m3.find(1), 11u);
  EXPECT_EQ(m4.size(), 1u);
  EXPECT_EQ(m4.find(2), nullptr);
  EXPECT_EQ(*m4.find(1), 11u);
  EXPECT_EQ(m4.erase(1), m0);
}

TEST(trie_map, update_sees_old_value) {
  const trie_map<std::string, int> m{{"a", 1}};
  auto bump = [](const int* old) {
    return old == nullptr ? 100 : *old + 1;
  };
  const auto m2 = m.update("a", bump).update("b", bump);
  EXPECT_EQ(*m2.find("a"), 2);
  EXPECT_EQ(*m2.find("b"), 100);
  EXPECT_EQ(*m.find("a"), 1);
  EXPECT_FALSE(m.contains("b"));
}

TEST(trie_map, equality_is_independent_of_history) {
  std::vector<uint64_t> keys(5000);
  for (uint64_t i = 0; i < keys.size(); ++i)
    keys[i] = i * 7919;
  u64_map ascending;
  for (auto k : keys)
    ascending = ascending.insert(k, k + 1);
  u64_map shuffled;
  std::mt19937_64 rng{42};
  std::shuffle(keys.begin(), keys.end(), rng);
  for (auto k : keys)
    shuffled = shuffled.insert(k + 1, 0).insert(k, k + 1);
  for (auto k : keys)
    shuffled = shuffled.erase(k + 1);
  ASSERT_TRUE(shuffled.check_invariants());
  EXPECT_EQ(ascending, shuffled);
  EXPECT_NE(ascending, shuffled.insert(keys[0], 0));
  EXPECT_NE(ascending, shuffled.erase(keys[0]));
}

TEST(trie_map, set_insert_of_present_key_shares_the_root) {
  trie_set<int> s;
  for (int i = 0; i < 100; ++i)
    s = s.insert(i, {});
  const auto same = s.insert(42, {});
  EXPECT_EQ(same, s);
  EXPECT_EQ(same.size(), 100u);
  EXPECT_TRUE(same.contains(42));
}

TEST(trie_map, iterator_visits_each_entry_once) {
  u64_map m;
  for (uint64_t i = 0; i < 10000; ++i)
    m = m.insert(i, i * i);
  EXPECT_EQ(static_cast<size_t>(std::distance(m.begin(), m.end())), m.size());
  auto xs = sorted_entries(m);
  for (uint64_t i = 0; i < xs.size(); ++i) {
    EXPECT_EQ(xs[i].first, i);
    EXPECT_EQ(xs[i].second, i * i);
  }
  auto it = m.begin();
  auto first = it++;
  EXPECT_EQ(first->first, m.begin()->first);
  EXPECT_NE(first, it);
}

TEST(trie_map, property_against_std_map) {
  run_property_test<u64_map>(0x1c70'5eedULL, 1'000'000, 1 << 15, 10'000);
}

TEST(trie_map, in_place_updates_against_std_map_and_snapshots) {
  // Snapshots every 1000 ops: most paths are unique (updated in place),
  // some are shared with a snapshot (copied).
  run_property_test<u64_map>(0x7a45'13e7ULL, 500'000, 1 << 15, 1'000, true);
}

TEST(trie_map, in_place_updates_without_snapshots) {
  // One sample only: every path is unique, the whole run is in place.
  run_property_test<u64_map>(0x51a9'0e11ULL, 200'000, 1 << 12, 1'000'000, true);
}

TEST(trie_map, in_place_updates_in_collision_nodes) {
  run_property_test<trie_map<uint64_t, uint64_t, terrible_hash>>(
      11, 100'000, 1000, 1000, true);
  run_property_test<trie_map<uint64_t, uint64_t, terrible_hash>>(
      12, 50'000, 300, 1'000'000, true);
}

TEST(trie_map, in_place_update_leaves_a_snapshot_unchanged) {
  u64_map m;
  for (uint64_t i = 0; i < 10'000; ++i)
    m.set(i, i);
  const u64_map snapshot = m;
  for (uint64_t i = 0; i < 10'000; i += 2)
    m.set(i, i + 1);
  for (uint64_t i = 1; i < 10'000; i += 4)
    EXPECT_TRUE(m.remove(i));
  EXPECT_FALSE(m.remove(1));
  m.set(20'000, 7);
  EXPECT_EQ(snapshot.size(), 10'000u);
  EXPECT_TRUE(snapshot.check_invariants());
  for (uint64_t i = 0; i < 10'000; ++i)
    ASSERT_EQ(*snapshot.find(i), i);
  EXPECT_EQ(m.size(), 10'000u - 2'500u + 1u);
  EXPECT_TRUE(m.check_invariants());
  EXPECT_EQ(*m.find(0), 1u);
  EXPECT_EQ(m.find(1), nullptr);
  EXPECT_EQ(*m.find(3), 3u);
}

TEST(trie_map, in_place_with_string_keys_and_values) {
  using map = trie_map<std::string, std::string, terrible_string_hash>;
  map m;
  std::map<std::string, std::string> ref;
  for (int i = 0; i < 500; ++i) {
    const auto k = std::to_string(i * 31);
    m.set(k, "v" + k);
    ref[k] = "v" + k;
  }
  const auto full = m;
  for (int i = 0; i < 500; i += 3) {
    const auto k = std::to_string(i * 31);
    m.remove(k);
    ref.erase(k);
    m.set(k + "x", k);
    ref[k + "x"] = k;
  }
  EXPECT_TRUE(same_contents(m, ref));
  EXPECT_EQ(full.size(), 500u);
  EXPECT_EQ(*full.find("0"), "v0");
  EXPECT_TRUE(full.check_invariants());
}

TEST(trie_map, collision_nodes_against_std_map) {
  run_property_test<trie_map<uint64_t, uint64_t, terrible_hash>>(7, 100'000,
                                                                 1000, 1000);
}

TEST(trie_map, collision_nodes_with_string_keys) {
  using map = trie_map<std::string, std::string, terrible_string_hash>;
  map m;
  std::map<std::string, std::string> ref;
  for (int i = 0; i < 300; ++i) {
    const auto k = std::to_string(i * 37);
    m = m.insert(k, "v" + k);
    ref[k] = "v" + k;
  }
  const auto full = m;
  for (int i = 0; i < 300; i += 2) {
    const auto k = std::to_string(i * 37);
    m = m.erase(k);
    ref.erase(k);
  }
  EXPECT_TRUE(same_contents(m, ref));
  EXPECT_EQ(full.size(), 300u);
  EXPECT_EQ(*full.find("0"), "v0");
  EXPECT_EQ(m.find("0"), nullptr);
}

TEST(trie_map, failed_copy_leaves_the_map_unchanged) {
  trie_map<int, fragile> m;
  for (int i = 0; i < 1000; ++i)
    m = m.insert(i, fragile{i});
  const auto before = m;
  int failed = 0;
  for (int budget = 0; budget < 100; ++budget) {
    fragile::copies_left = budget;
    try {
      m = m.insert(5000 + budget, fragile{1}).erase(budget);
    } catch (const std::runtime_error&) {
      ++failed;
    }
    fragile::copies_left = -1;
    ASSERT_TRUE(m.check_invariants());
  }
  EXPECT_GT(failed, 0);
  EXPECT_LT(failed, 100);
  EXPECT_EQ(m.size(), 1000u);
  EXPECT_EQ(before.size(), 1000u);
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(before.find(i)->value, i);
}

TEST(trie_map, snapshot_read_on_another_thread) {
  u64_map m;
  for (uint64_t i = 0; i < 100'000; ++i)
    m = m.insert(i, i);
  const u64_map snapshot = m;
  std::atomic<uint64_t> sum{0};
  std::thread reader{[snapshot, &sum] {
    uint64_t s = 0;
    for (int round = 0; round < 5; ++round)
      snapshot.for_each([&](uint64_t, uint64_t v) {
        s += v;
      });
    sum = s;
  }};
  for (uint64_t i = 0; i < 100'000; ++i)
    m = m.erase(i).insert(i + 1'000'000, i);
  reader.join();
  EXPECT_EQ(sum.load(), 5 * (100'000ULL * 99'999ULL / 2));
  EXPECT_EQ(snapshot.size(), 100'000u);
  EXPECT_EQ(m.size(), 100'000u);
  EXPECT_EQ(m.find(0), nullptr);
}

TEST(trie_map, snapshot_read_on_another_thread_while_updating_in_place) {
  u64_map m;
  for (uint64_t i = 0; i < 100'000; ++i)
    m.set(i, i);
  const u64_map snapshot = m;
  std::atomic<uint64_t> sum{0};
  std::thread reader{[snapshot, &sum] {
    uint64_t s = 0;
    for (int round = 0; round < 5; ++round)
      snapshot.for_each([&](uint64_t, uint64_t v) {
        s += v;
      });
    sum = s;
  }};
  for (uint64_t i = 0; i < 100'000; ++i) {
    m.remove(i);
    m.set(i + 1'000'000, i);
  }
  reader.join();
  EXPECT_EQ(sum.load(), 5 * (100'000ULL * 99'999ULL / 2));
  EXPECT_EQ(snapshot.size(), 100'000u);
  EXPECT_TRUE(snapshot.check_invariants());
  EXPECT_EQ(m.size(), 100'000u);
  EXPECT_TRUE(m.check_invariants());
}
