// trie_map against std::unordered_map: find, insert, erase and snapshot at
// 10^3, 10^5 and 10^6 entries. Results: docs/trie-benchmark.md.

#include "messages/principal.hpp"
#include "persistence/trie_map.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <unordered_map>
#include <vector>

namespace {

uint64_t splitmix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

template <class Key>
Key make_key(uint64_t x);

template <>
uint64_t make_key<uint64_t>(uint64_t x) {
  return x;
}

template <>
icto::principal make_key<icto::principal>(uint64_t x) {
  return icto::principal::canister_id(x);
}

/// `n` distinct keys in random order; `fresh` keys are disjoint from them.
template <class Key>
std::vector<Key> make_keys(size_t n, bool fresh) {
  uint64_t state = fresh ? 2 : 1;
  const uint64_t top = uint64_t{1} << 63;
  std::vector<Key> keys;
  keys.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t x = splitmix(state);
    keys.push_back(make_key<Key>(fresh ? (x | top) : (x & ~top)));
  }
  return keys;
}

/// The operations under test, for one map type.
template <class Key>
struct trie_ops {
  using key = Key;
  using map = icto::trie_map<Key, uint64_t>;

  static const uint64_t* find(const map& m, const Key& k) {
    return m.find(k);
  }

  static void insert(map& m, const Key& k, uint64_t v) {
    m = m.insert(k, v);
  }

  static void erase(map& m, const Key& k) {
    m = m.erase(k);
  }

  static map private_copy(const map& m) {
    return m;
  }
};

/// trie_map updated in place (set / remove) while no snapshot shares its
/// nodes: the common case of an actor's state between checkpoints.
template <class Key>
struct trie_in_place_ops : trie_ops<Key> {
  using map = typename trie_ops<Key>::map;

  static void insert(map& m, const Key& k, uint64_t v) {
    m.set(k, v);
  }

  static void erase(map& m, const Key& k) {
    m.remove(k);
  }

  /// A map with the same entries that shares no node with `m`.
  static map private_copy(const map& m) {
    map out;
    m.for_each([&](const Key& k, uint64_t v) {
      out.set(k, v);
    });
    return out;
  }
};

template <class Key>
struct unordered_ops {
  using key = Key;
  using map = std::unordered_map<Key, uint64_t>;

  static const uint64_t* find(const map& m, const Key& k) {
    auto i = m.find(k);
    return i == m.end() ? nullptr : &i->second;
  }

  static void insert(map& m, const Key& k, uint64_t v) {
    m.insert_or_assign(k, v);
  }

  static void erase(map& m, const Key& k) {
    m.erase(k);
  }

  static map private_copy(const map& m) {
    return m;
  }
};

/// Keys and a map of size n, built once per (Ops, n).
template <class Ops>
struct fixture {
  /// In insertion order.
  std::vector<typename Ops::key> keys;
  /// The same keys in another order: looking up in insertion order would
  /// walk `std::unordered_map`'s nodes in allocation order.
  std::vector<typename Ops::key> lookups;
  std::vector<typename Ops::key> fresh;
  typename Ops::map map;

  static const fixture& get(size_t n) {
    static std::map<size_t, fixture> cache;
    auto i = cache.find(n);
    if (i == cache.end()) {
      fixture f;
      f.keys = make_keys<typename Ops::key>(n, false);
      f.fresh = make_keys<typename Ops::key>(std::max<size_t>(n / 10, 100),
                                             true);
      for (size_t j = 0; j < n; ++j)
        Ops::insert(f.map, f.keys[j], j);
      f.lookups = f.keys;
      std::shuffle(f.lookups.begin(), f.lookups.end(), std::mt19937_64{3});
      i = cache.emplace(n, std::move(f)).first;
    }
    return i->second;
  }
};

template <class Ops>
void bm_find_hit(benchmark::State& state) {
  const auto& f = fixture<Ops>::get(static_cast<size_t>(state.range(0)));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Ops::find(f.map, f.lookups[i]));
    if (++i == f.lookups.size())
      i = 0;
  }
}

// Inserts n/10 fresh keys one by one into a map of size n (each insert makes
// the new version current and drops the old one), then erases them again
// with the clock stopped.
template <class Ops>
void bm_insert(benchmark::State& state) {
  const auto& f = fixture<Ops>::get(static_cast<size_t>(state.range(0)));
  auto m = Ops::private_copy(f.map);
  size_t i = 0;
  for (auto _ : state) {
    Ops::insert(m, f.fresh[i], i);
    if (++i == f.fresh.size()) {
      state.PauseTiming();
      for (size_t j = 0; j < i; ++j)
        Ops::erase(m, f.fresh[j]);
      i = 0;
      state.ResumeTiming();
    }
  }
}

// Erases n/10 present keys one by one, then inserts them again with the
// clock stopped.
template <class Ops>
void bm_erase(benchmark::State& state) {
  const auto& f = fixture<Ops>::get(static_cast<size_t>(state.range(0)));
  const size_t batch = std::max<size_t>(f.keys.size() / 10, 1);
  auto m = Ops::private_copy(f.map);
  size_t i = 0;
  for (auto _ : state) {
    Ops::erase(m, f.keys[i]);
    if (++i == batch) {
      state.PauseTiming();
      for (size_t j = 0; j < i; ++j)
        Ops::insert(m, f.keys[j], j);
      i = 0;
      state.ResumeTiming();
    }
  }
}

template <class Ops>
void bm_snapshot(benchmark::State& state) {
  const auto& f = fixture<Ops>::get(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto copy = f.map;
    benchmark::DoNotOptimize(copy);
  }
}

void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(1'000)->Arg(100'000)->Arg(1'000'000);
}

using trie_u64 = trie_ops<uint64_t>;
using unordered_u64 = unordered_ops<uint64_t>;
using trie_principal = trie_ops<icto::principal>;
using trie_in_place_u64 = trie_in_place_ops<uint64_t>;
using trie_in_place_principal = trie_in_place_ops<icto::principal>;
using unordered_principal = unordered_ops<icto::principal>;

} // namespace

BENCHMARK_TEMPLATE(bm_find_hit, trie_u64)->Apply(sizes);
BENCHMARK_TEMPLATE(bm_find_hit, unordered_u64)->Apply(sizes);
BENCHMARK_TEMPLATE(bm_insert, trie_u64)->Apply(sizes);
BENCHMARK_TEMPLATE(bm_insert, trie_in_place_u64)->Apply(sizes);
BENCHMARK_TEMPLATE(bm_insert, unordered_u64)->Apply(sizes);
BENCHMARK_TEMPLATE(bm_erase, trie_u64)->Apply(sizes);
BENCHMARK_TEMPLATE(bm_erase, trie_in_place_u64)->Apply(sizes);
BENCHMARK_TEMPLATE(bm_erase, unordered_u64)->Apply(sizes);
BENCHMARK_TEMPLATE(bm_snapshot, trie_u64)->Apply(sizes);
BENCHMARK_TEMPLATE(bm_snapshot, unordered_u64)->Apply(sizes);
BENCHMARK_TEMPLATE(bm_find_hit, trie_principal)->Apply(sizes);
BENCHMARK_TEMPLATE(bm_find_hit, unordered_principal)->Apply(sizes);
BENCHMARK_TEMPLATE(bm_insert, trie_principal)->Apply(sizes);
BENCHMARK_TEMPLATE(bm_insert, trie_in_place_principal)->Apply(sizes);
BENCHMARK_TEMPLATE(bm_insert, unordered_principal)->Apply(sizes);

BENCHMARK_MAIN();
