#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

namespace icto {

/// Empty mapped type that turns a `trie_map` into a set (see `trie_set`).
struct trie_unit {
  friend constexpr bool operator==(trie_unit, trie_unit) noexcept {
    return true;
  }
  friend constexpr bool operator!=(trie_unit, trie_unit) noexcept {
    return false;
  }
};

namespace detail {

/// MurmurHash3's 64-bit finalizer: every input bit reaches every output bit,
/// so identity hashes (libstdc++'s `std::hash<int>`) still fill all levels.
constexpr uint64_t trie_mix(uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

/// Popcount without the POPCNT instruction (GCC would call libgcc).
constexpr uint32_t trie_popcount_portable(uint32_t x) noexcept {
  x = x - ((x >> 1) & 0x55555555u);
  x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
  x = (x + (x >> 4)) & 0x0f0f0f0fu;
  return (x * 0x01010101u) >> 24;
}

inline uint32_t trie_popcount(uint32_t x) noexcept {
#if defined(__POPCNT__)
  return static_cast<uint32_t>(__builtin_popcount(x));
#else
  return trie_popcount_portable(x);
#endif
}

#if (defined(__x86_64__) || defined(__i386__)) && !defined(__POPCNT__)
// The baseline x86-64 target has no POPCNT, which makes lookups about twice
// as slow; `trie_map::find` checks this once and then uses a variant
// compiled for POPCNT. Zero (the portable path) until initialized.
#  define ICTO_TRIE_POPCNT_DISPATCH 1
inline const bool trie_cpu_has_popcnt = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("popcnt") != 0;
}();
#endif

} // namespace detail

/// Persistent (immutable) hash map: a CHAMP-style hash array mapped trie with
/// 32-way bitmap nodes and collision nodes below the last hash level.
///
/// Every modifier is `const` and returns a new map that shares all untouched
/// nodes with `*this`; older versions stay valid and unchanged. Copying a map
/// copies one pointer and the size, so a snapshot is O(1).
///
/// Thread safety: nodes are immutable after construction and reference
/// counted atomically, so different threads may read, copy and destroy maps
/// that share nodes. A single `trie_map` object is not synchronized: do not
/// assign to it while another thread reads it (the same rule as `int`).
///
/// Canonical form (CHAMP): every non-root node holds at least two entries in
/// its subtree, so a set of keys has exactly one shape (only the order inside
/// collision nodes may differ). `operator==` relies on it.
///
/// `Hash` and `Eq` are default-constructed at each use and must be stateless.
/// Hash values are mixed before use, so a weak (identity) hash is fine.
template <class K, class V, class Hash = std::hash<K>,
          class Eq = std::equal_to<K>>
class trie_map {
  static constexpr unsigned bits_per_level = 5;
  /// Bitmap nodes live at shifts 0, 5, ..., 60 (13 levels, the last one
  /// using the top 4 hash bits); below that, only collision nodes whose
  /// entries share the full 64-bit hash.
  static constexpr unsigned max_shift = 60;
  static constexpr unsigned max_levels = max_shift / bits_per_level + 1;

  struct node;
  struct entry;

 public:
  using key_type = K;
  using mapped_type = V;
  using value_type = std::pair<K, V>;
  using size_type = std::size_t;
  using hasher = Hash;
  using key_equal = Eq;

  class const_iterator;
  using iterator = const_iterator;

  // -- construction -----------------------------------------------------------

  trie_map() noexcept = default;

  trie_map(std::initializer_list<value_type> xs) {
    for (const auto& x : xs)
      *this = insert(x.first, x.second);
  }

  trie_map(const trie_map& other) noexcept
      : root_(other.root_), size_(other.size_) {
    if (root_ != nullptr)
      add_ref(root_);
  }

  trie_map(trie_map&& other) noexcept
      : root_(std::exchange(other.root_, nullptr)),
        size_(std::exchange(other.size_, 0)) {}

  trie_map& operator=(const trie_map& other) noexcept {
    trie_map tmp{other};
    swap(tmp);
    return *this;
  }

  trie_map& operator=(trie_map&& other) noexcept {
    trie_map tmp{std::move(other)};
    swap(tmp);
    return *this;
  }

  ~trie_map() {
    release(root_);
  }

  void swap(trie_map& other) noexcept {
    std::swap(root_, other.root_);
    std::swap(size_, other.size_);
  }

  // -- observers --------------------------------------------------------------

  size_type size() const noexcept {
    return size_;
  }

  bool empty() const noexcept {
    return size_ == 0;
  }

  /// Returns the value stored for `key`, or nullptr. The pointer stays valid
  /// as long as any map sharing the node (e.g. `*this`) is alive.
  const V* find(const K& key) const {
#if defined(ICTO_TRIE_POPCNT_DISPATCH)
    if (detail::trie_cpu_has_popcnt)
      return find_popcnt(key);
#endif
    return find_impl<false>(key);
  }

  bool contains(const K& key) const {
    return find(key) != nullptr;
  }

  /// Calls `fn(key, value)` once per entry, in unspecified (hash) order.
  template <class F>
  void for_each(F&& fn) const {
    if (root_ != nullptr)
      for_each_rec(root_, fn);
  }

  const_iterator begin() const {
    return const_iterator{root_};
  }

  const_iterator end() const noexcept {
    return const_iterator{};
  }

  // -- modifiers (each returns a new version) ---------------------------------

  /// Returns a map where `key` maps to `value` (inserted or overwritten).
  /// Returns a copy of `*this` if nothing changes (`V` empty, key present).
  [[nodiscard]] trie_map insert(K key, V value) const {
    const uint64_t h = hash_of(key);
    if (root_ == nullptr) {
      builder b{bit_of(h, 0), 0, 1};
      b.add_entry(h, std::move(key), std::move(value));
      return trie_map(b.finish(), 1);
    }
    bool added = false;
    node_ref r = insert_rec(root_, 0, h, key, value, added);
    if (!r)
      return *this;
    return trie_map(r.release(), size_ + (added ? 1 : 0));
  }

  /// Returns a map where `key` maps to `fn(old)`, `old` being a `const V*`
  /// to the current value or nullptr if `key` is absent.
  template <class F>
  [[nodiscard]] trie_map update(const K& key, F&& fn) const {
    return insert(key, std::forward<F>(fn)(find(key)));
  }

  /// Returns a map without `key` (a copy of `*this` if `key` is absent).
  [[nodiscard]] trie_map erase(const K& key) const {
    if (root_ == nullptr)
      return *this;
    erase_result r = erase_rec(root_, 0, hash_of(key), key);
    switch (r.what) {
    case erase_kind::not_found: return *this;
    case erase_kind::empty: return trie_map{};
    case erase_kind::replaced: return trie_map(r.n.release(), size_ - 1);
    case erase_kind::single: break;
    }
    assert(!"the root never collapses into a parent");
    return *this;
  }

  // -- in-place modifiers -----------------------------------------------------
  //
  // Same results as `*this = insert(...)` / `*this = erase(...)`, but nodes
  // that no other version shares (reference count 1 along the whole path
  // from the root) are updated in place or rebuilt by moving their contents,
  // instead of being copied. Nodes a snapshot still holds are copied as
  // usual, so every other version stays valid and unchanged. This is the
  // fast path for an actor's state between snapshots ("transients" in
  // Clojure and immer).

  /// Makes `key` map to `value` (inserted or overwritten) in this map.
  void set(K key, V value) {
    if constexpr (!std::is_nothrow_move_constructible_v<value_type>) {
      *this = insert(std::move(key), std::move(value));
    } else {
      if (root_ == nullptr || !unique(root_)) {
        *this = insert(std::move(key), std::move(value));
        return;
      }
      bool added = false;
      root_ = set_rec(root_, 0, hash_of(key), key, value, added);
      if (added)
        ++size_;
    }
  }

  /// Removes `key` from this map; returns whether it was present.
  bool remove(const K& key) {
    if (root_ == nullptr)
      return false;
    if constexpr (!std::is_nothrow_move_constructible_v<value_type>) {
      const auto before = size_;
      *this = erase(key);
      return size_ != before;
    } else {
      if (!unique(root_)) {
        const auto before = size_;
        *this = erase(key);
        return size_ != before;
      }
      owned_erase r = remove_rec(root_, 0, hash_of(key), key);
      switch (r.what) {
      case erase_kind::not_found: return false;
      case erase_kind::empty: root_ = nullptr; break;
      case erase_kind::replaced: root_ = r.n; break;
      case erase_kind::single:
        assert(!"the root never collapses into a parent");
        break;
      }
      --size_;
      return true;
    }
  }

  // -- comparison -------------------------------------------------------------

  /// Requires `V` to be equality-comparable. Shared subtrees compare in O(1).
  friend bool operator==(const trie_map& x, const trie_map& y) {
    if (x.size_ != y.size_)
      return false;
    if (x.root_ == y.root_)
      return true;
    return x.root_ != nullptr && y.root_ != nullptr
           && nodes_equal(x.root_, y.root_, 0);
  }

  friend bool operator!=(const trie_map& x, const trie_map& y) {
    return !(x == y);
  }

  /// Checks the structural invariants (hash placement, canonical form, size);
  /// O(n), meant for tests.
  bool check_invariants() const {
    if (root_ == nullptr)
      return size_ == 0;
    if (root_->ndata == 0 && root_->nodemap == 0)
      return false;
    size_type count = 0;
    return check_rec(root_, 0, 0, count) && count == size_;
  }

  // -- iteration --------------------------------------------------------------

  /// Forward iterator over `std::pair<K, V>` in unspecified (hash) order.
  /// Valid while a map holding the iterated version is alive.
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::pair<K, V>;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    const_iterator() noexcept = default;

    reference operator*() const noexcept {
      return cur_->kv;
    }

    pointer operator->() const noexcept {
      return &cur_->kv;
    }

    const_iterator& operator++() noexcept {
      if (++cur_ == data_end_)
        seek();
      return *this;
    }

    const_iterator operator++(int) noexcept {
      auto tmp = *this;
      ++*this;
      return tmp;
    }

    friend bool operator==(const const_iterator& x,
                           const const_iterator& y) noexcept {
      return x.cur_ == y.cur_;
    }

    friend bool operator!=(const const_iterator& x,
                           const const_iterator& y) noexcept {
      return x.cur_ != y.cur_;
    }

   private:
    friend class trie_map;

    struct frame {
      const node* n;
      uint32_t next_child;
      uint32_t num_children;
    };

    explicit const_iterator(const node* root) noexcept {
      if (root == nullptr)
        return;
      if (!enter(root))
        seek();
    }

    /// Pushes `n`; returns whether it has entries (then `cur_` points there).
    bool enter(const node* n) noexcept {
      stack_[depth_++] = frame{n, 0, n->num_children()};
      if (n->ndata == 0)
        return false;
      cur_ = n->entries();
      data_end_ = cur_ + n->ndata;
      return true;
    }

    void seek() noexcept {
      while (depth_ > 0) {
        frame& f = stack_[depth_ - 1];
        if (f.next_child < f.num_children) {
          if (enter(f.n->children()[f.next_child++]))
            return;
        } else {
          --depth_;
        }
      }
      cur_ = nullptr;
      data_end_ = nullptr;
    }

    frame stack_[max_levels + 1] = {};
    unsigned depth_ = 0;
    const entry* cur_ = nullptr;
    const entry* data_end_ = nullptr;
  };

 private:
  struct entry {
    uint64_t hash;
    value_type kv;
  };

  /// A trie node, allocated together with its arrays: header, one child
  /// pointer per bit of `nodemap`, then `ndata` entries (children first: the
  /// pointer followed at inner levels then shares a cache line with the
  /// header). Immutable once built. A node with both bitmaps zero is a
  /// collision node (the empty map has no root, so no bitmap node is empty).
  struct node {
    static constexpr size_t children_offset = (sizeof(std::atomic<uint32_t>)
                                               + 3 * sizeof(uint32_t)
                                               + alignof(node*) - 1)
                                              / alignof(node*) * alignof(node*);

    node(uint32_t dmap, uint32_t nmap, uint32_t nd) noexcept
        : refs(1), datamap(dmap), nodemap(nmap), ndata(nd) {}

    static size_t entries_offset(uint32_t num_children) noexcept {
      constexpr size_t a = alignof(entry);
      return (children_offset + num_children * sizeof(node*) + a - 1) / a * a;
    }

    static size_t bytes(uint32_t nd, uint32_t nmap) noexcept {
      return entries_offset(detail::trie_popcount(nmap)) + nd * sizeof(entry);
    }

    /// REQUIRES: `num_children == popcount(nodemap)`.
    entry* entries(uint32_t num_children) noexcept {
      return std::launder(
          reinterpret_cast<entry*>(reinterpret_cast<unsigned char*>(this)
                                   + entries_offset(num_children)));
    }

    const entry* entries(uint32_t num_children) const noexcept {
      return const_cast<node*>(this)->entries(num_children);
    }

    entry* entries() noexcept {
      return entries(num_children());
    }

    const entry* entries() const noexcept {
      return const_cast<node*>(this)->entries();
    }

    node** children() noexcept {
      return std::launder(reinterpret_cast<node**>(
          reinterpret_cast<unsigned char*>(this) + children_offset));
    }

    node* const* children() const noexcept {
      return const_cast<node*>(this)->children();
    }

    uint32_t num_children() const noexcept {
      return detail::trie_popcount(nodemap);
    }

    bool is_collision() const noexcept {
      return (datamap | nodemap) == 0;
    }

    mutable std::atomic<uint32_t> refs;
    const uint32_t datamap;
    const uint32_t nodemap;
    /// Number of entries; `popcount(datamap)` except in collision nodes.
    const uint32_t ndata;
  };

  static_assert(sizeof(node) <= node::children_offset);
  static_assert(alignof(entry) <= alignof(std::max_align_t),
                "over-aligned keys or values are not supported");

  // -- reference counting -----------------------------------------------------

  static void add_ref(const node* n) noexcept {
    n->refs.fetch_add(1, std::memory_order_relaxed);
  }

  static void release(node* n) noexcept {
    if (n == nullptr)
      return;
    // A count of 1 means no other owner exists who could add a reference.
    if (n->refs.load(std::memory_order_acquire) == 1
        || n->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
      destroy(n);
  }

  static void destroy(node* n) noexcept {
    entry* es = n->entries();
    for (uint32_t i = 0; i < n->ndata; ++i)
      es[i].~entry();
    node** cs = n->children();
    for (uint32_t i = 0, nc = n->num_children(); i < nc; ++i)
      release(cs[i]);
    n->~node();
    ::operator delete(n);
  }

  /// True if no other node or map refers to `n`. Acquire: a release by
  /// another thread's snapshot happens before we mutate the node.
  static bool unique(const node* n) noexcept {
    return n->refs.load(std::memory_order_acquire) == 1;
  }

  /// Frees a node whose children were handed over to another node or freed
  /// already: destroys its entries, releases no child.
  static void free_shell(node* n) noexcept {
    entry* es = n->entries();
    for (uint32_t i = 0; i < n->ndata; ++i)
      es[i].~entry();
    n->~node();
    ::operator delete(n);
  }

  /// Owns one reference to a node.
  class node_ref {
   public:
    node_ref() noexcept = default;

    explicit node_ref(node* n) noexcept : n_(n) {}

    node_ref(node_ref&& other) noexcept
        : n_(std::exchange(other.n_, nullptr)) {}

    node_ref& operator=(node_ref&& other) noexcept {
      trie_map::release(std::exchange(n_, std::exchange(other.n_, nullptr)));
      return *this;
    }

    ~node_ref() {
      trie_map::release(n_);
    }

    explicit operator bool() const noexcept {
      return n_ != nullptr;
    }

    node* release() noexcept {
      return std::exchange(n_, nullptr);
    }

   private:
    node* n_ = nullptr;
  };

  /// Builds a node: all entries first (which may throw), then the children
  /// (which cannot). If destroyed before `finish()`, undoes a partial build.
  class builder {
   public:
    builder(uint32_t datamap, uint32_t nodemap, uint32_t ndata) {
      void* mem = ::operator new(node::bytes(ndata, nodemap));
      n_ = new (mem) node{datamap, nodemap, ndata};
      entries_ = n_->entries();
    }

    builder(const builder&) = delete;
    builder& operator=(const builder&) = delete;

    ~builder() {
      if (n_ == nullptr)
        return;
      for (uint32_t i = 0; i < built_; ++i)
        entries_[i].~entry();
      n_->~node();
      ::operator delete(n_);
    }

    void add_entry(const entry& e) {
      new (entries_ + built_) entry(e);
      ++built_;
    }

    template <class KK, class VV>
    void add_entry(uint64_t h, KK&& k, VV&& v) {
      new (entries_ + built_)
          entry{h, value_type(std::forward<KK>(k), std::forward<VV>(v))};
      ++built_;
    }

    void add_entry(entry&& e) {
      new (entries_ + built_) entry(std::move(e));
      ++built_;
    }

    void add_entries(const entry* first, const entry* last) {
      for (; first != last; ++first)
        add_entry(*first);
    }

    /// Moves `first..last` in (their node is about to be freed).
    /// REQUIRES: moving an entry cannot throw.
    void take_entries(entry* first, entry* last) noexcept {
      for (; first != last; ++first)
        add_entry(std::move(*first));
    }

    /// Stores `src[first..last)` at `dst..`, taking over their references.
    void transfer_children(uint32_t dst, node* const* src, uint32_t first,
                           uint32_t last) noexcept {
      for (uint32_t i = first; i < last; ++i)
        set_child(dst++, src[i]);
    }

    /// Takes over one reference to `child`.
    void set_child(uint32_t i, node* child) noexcept {
      assert(built_ == n_->ndata);
      n_->children()[i] = child;
    }

    /// Stores `src[first..last)` at `dst..`, adding a reference to each.
    void share_children(uint32_t dst, node* const* src, uint32_t first,
                        uint32_t last) noexcept {
      for (uint32_t i = first; i < last; ++i) {
        add_ref(src[i]);
        set_child(dst++, src[i]);
      }
    }

    node_ref finish() noexcept {
      assert(built_ == n_->ndata);
      return node_ref{std::exchange(n_, nullptr)};
    }

   private:
    node* n_ = nullptr;
    entry* entries_ = nullptr;
    uint32_t built_ = 0;
  };

  trie_map(node_ref root, size_type size) noexcept
      : root_(root.release()), size_(size) {}

  trie_map(node* root, size_type size) noexcept : root_(root), size_(size) {}

  // -- hashing ----------------------------------------------------------------

  static uint64_t hash_of(const K& key) {
    return detail::trie_mix(static_cast<uint64_t>(Hash{}(key)));
  }

  static uint32_t bit_of(uint64_t h, unsigned shift) noexcept {
    return uint32_t{1} << (static_cast<uint32_t>(h >> shift) & 31u);
  }

  static uint32_t index_of(uint32_t bitmap, uint32_t bit) noexcept {
    return detail::trie_popcount(bitmap & (bit - 1));
  }

  // -- lookup -----------------------------------------------------------------

  /// With `HwPopcnt`, only call from a function compiled for POPCNT.
  template <bool HwPopcnt>
  __attribute__((always_inline)) const V* find_impl(const K& key) const {
    auto popcount = [](uint32_t x) -> uint32_t {
      if constexpr (HwPopcnt)
        return static_cast<uint32_t>(__builtin_popcount(x));
      else
        return detail::trie_popcount(x);
    };
    const node* n = root_;
    if (n == nullptr)
      return nullptr;
    const uint64_t h = hash_of(key);
    for (unsigned shift = 0; shift <= max_shift; shift += bits_per_level) {
      const uint32_t bit = bit_of(h, shift);
      if ((n->datamap & bit) != 0) {
        const entry& e = n->entries(
            popcount(n->nodemap))[popcount(n->datamap & (bit - 1))];
        return e.hash == h && Eq{}(e.kv.first, key) ? &e.kv.second : nullptr;
      }
      if ((n->nodemap & bit) == 0)
        return nullptr;
      n = n->children()[popcount(n->nodemap & (bit - 1))];
    }
    const entry* es = n->entries(0);
    for (uint32_t i = 0; i < n->ndata; ++i)
      if (es[i].hash == h && Eq{}(es[i].kv.first, key))
        return &es[i].kv.second;
    return nullptr;
  }

#if defined(ICTO_TRIE_POPCNT_DISPATCH)
  __attribute__((target("popcnt"), noinline)) const V*
  find_popcnt(const K& key) const {
    return find_impl<true>(key);
  }
#endif

  // -- path copying -----------------------------------------------------------

  static node_ref copy_set_value(const node* n, uint32_t idx, V&& value) {
    builder b{n->datamap, n->nodemap, n->ndata};
    const entry* es = n->entries();
    b.add_entries(es, es + idx);
    b.add_entry(es[idx].hash, es[idx].kv.first, std::move(value));
    b.add_entries(es + idx + 1, es + n->ndata);
    b.share_children(0, n->children(), 0, n->num_children());
    return b.finish();
  }

  static node_ref copy_insert_data(const node* n, uint32_t bit, uint64_t h,
                                   K&& key, V&& value) {
    const uint32_t idx = index_of(n->datamap, bit);
    builder b{n->datamap | bit, n->nodemap, n->ndata + 1};
    const entry* es = n->entries();
    b.add_entries(es, es + idx);
    b.add_entry(h, std::move(key), std::move(value));
    b.add_entries(es + idx, es + n->ndata);
    b.share_children(0, n->children(), 0, n->num_children());
    return b.finish();
  }

  static node_ref copy_remove_data(const node* n, uint32_t bit) {
    const uint32_t idx = index_of(n->datamap, bit);
    builder b{n->datamap ^ bit, n->nodemap, n->ndata - 1};
    const entry* es = n->entries();
    b.add_entries(es, es + idx);
    b.add_entries(es + idx + 1, es + n->ndata);
    b.share_children(0, n->children(), 0, n->num_children());
    return b.finish();
  }

  static node_ref copy_set_child(const node* n, uint32_t idx, node_ref child) {
    builder b{n->datamap, n->nodemap, n->ndata};
    b.add_entries(n->entries(), n->entries() + n->ndata);
    b.share_children(0, n->children(), 0, idx);
    b.set_child(idx, child.release());
    b.share_children(idx + 1, n->children(), idx + 1, n->num_children());
    return b.finish();
  }

  /// Replaces the entry at `bit` by the subtree `child`.
  static node_ref copy_data_to_node(const node* n, uint32_t bit,
                                    node_ref child) {
    const uint32_t didx = index_of(n->datamap, bit);
    const uint32_t cidx = index_of(n->nodemap, bit);
    builder b{n->datamap ^ bit, n->nodemap | bit, n->ndata - 1};
    const entry* es = n->entries();
    b.add_entries(es, es + didx);
    b.add_entries(es + didx + 1, es + n->ndata);
    b.share_children(0, n->children(), 0, cidx);
    b.set_child(cidx, child.release());
    b.share_children(cidx + 1, n->children(), cidx, n->num_children());
    return b.finish();
  }

  /// Replaces the subtree at `bit` by its last remaining entry `e`.
  static node_ref copy_node_to_data(const node* n, uint32_t bit,
                                    const entry& e) {
    const uint32_t didx = index_of(n->datamap, bit);
    const uint32_t cidx = index_of(n->nodemap, bit);
    builder b{n->datamap | bit, n->nodemap ^ bit, n->ndata + 1};
    const entry* es = n->entries();
    b.add_entries(es, es + didx);
    b.add_entry(e);
    b.add_entries(es + didx, es + n->ndata);
    b.share_children(0, n->children(), 0, cidx);
    b.share_children(cidx, n->children(), cidx + 1, n->num_children());
    return b.finish();
  }

  static node_ref copy_collision_append(const node* n, uint64_t h, K&& key,
                                        V&& value) {
    builder b{0, 0, n->ndata + 1};
    b.add_entries(n->entries(), n->entries() + n->ndata);
    b.add_entry(h, std::move(key), std::move(value));
    return b.finish();
  }

  static node_ref copy_collision_remove(const node* n, uint32_t idx) {
    builder b{0, 0, n->ndata - 1};
    const entry* es = n->entries();
    b.add_entries(es, es + idx);
    b.add_entries(es + idx + 1, es + n->ndata);
    return b.finish();
  }

  /// Builds the smallest subtree at `shift` holding `old` and the new entry.
  static node_ref merge_two(unsigned shift, const entry& old, uint64_t h,
                            K&& key, V&& value) {
    if (shift > max_shift) {
      builder b{0, 0, 2};
      b.add_entry(old);
      b.add_entry(h, std::move(key), std::move(value));
      return b.finish();
    }
    const uint32_t old_bit = bit_of(old.hash, shift);
    const uint32_t new_bit = bit_of(h, shift);
    if (old_bit != new_bit) {
      builder b{old_bit | new_bit, 0, 2};
      if (old_bit < new_bit) {
        b.add_entry(old);
        b.add_entry(h, std::move(key), std::move(value));
      } else {
        b.add_entry(h, std::move(key), std::move(value));
        b.add_entry(old);
      }
      return b.finish();
    }
    node_ref sub = merge_two(shift + bits_per_level, old, h, std::move(key),
                             std::move(value));
    builder b{0, old_bit, 0};
    b.set_child(0, sub.release());
    return b.finish();
  }

  // -- recursive algorithms ---------------------------------------------------

  /// Returns the new version of `n`, or nothing if it does not change.
  static node_ref insert_rec(const node* n, unsigned shift, uint64_t h, K& key,
                             V& value, bool& added) {
    if (shift > max_shift) {
      const entry* es = n->entries();
      for (uint32_t i = 0; i < n->ndata; ++i) {
        if (es[i].hash == h && Eq{}(es[i].kv.first, key)) {
          if constexpr (std::is_empty_v<V>)
            return {};
          else
            return copy_set_value(n, i, std::move(value));
        }
      }
      added = true;
      return copy_collision_append(n, h, std::move(key), std::move(value));
    }
    const uint32_t bit = bit_of(h, shift);
    if ((n->datamap & bit) != 0) {
      const uint32_t idx = index_of(n->datamap, bit);
      const entry& e = n->entries()[idx];
      if (e.hash == h && Eq{}(e.kv.first, key)) {
        if constexpr (std::is_empty_v<V>)
          return {};
        else
          return copy_set_value(n, idx, std::move(value));
      }
      added = true;
      return copy_data_to_node(n, bit,
                               merge_two(shift + bits_per_level, e, h,
                                         std::move(key), std::move(value)));
    }
    if ((n->nodemap & bit) != 0) {
      const uint32_t idx = index_of(n->nodemap, bit);
      node_ref child = insert_rec(n->children()[idx], shift + bits_per_level, h,
                                  key, value, added);
      if (!child)
        return {};
      return copy_set_child(n, idx, std::move(child));
    }
    added = true;
    return copy_insert_data(n, bit, h, std::move(key), std::move(value));
  }

  enum class erase_kind : uint8_t {
    not_found,
    /// The root lost its last entry.
    empty,
    /// The subtree shrank to one entry, `single`, which points into the old
    /// version (alive: the caller holds it); the parent inlines it.
    single,
    /// `n` is the new subtree.
    replaced,
  };

  struct erase_result {
    erase_kind what;
    node_ref n;
    const entry* single;
  };

  static erase_result erase_rec(const node* n, unsigned shift, uint64_t h,
                                const K& key) {
    if (shift > max_shift) {
      const entry* es = n->entries();
      for (uint32_t i = 0; i < n->ndata; ++i) {
        if (es[i].hash == h && Eq{}(es[i].kv.first, key)) {
          if (n->ndata == 2)
            return {erase_kind::single, {}, &es[1 - i]};
          return {erase_kind::replaced, copy_collision_remove(n, i), nullptr};
        }
      }
      return {erase_kind::not_found, {}, nullptr};
    }
    const uint32_t bit = bit_of(h, shift);
    if ((n->datamap & bit) != 0) {
      const uint32_t idx = index_of(n->datamap, bit);
      const entry* es = n->entries();
      if (es[idx].hash != h || !Eq{}(es[idx].kv.first, key))
        return {erase_kind::not_found, {}, nullptr};
      if (n->nodemap == 0 && n->ndata == 2 && shift > 0)
        return {erase_kind::single, {}, &es[1 - idx]};
      if (n->nodemap == 0 && n->ndata == 1) {
        assert(shift == 0);
        return {erase_kind::empty, {}, nullptr};
      }
      return {erase_kind::replaced, copy_remove_data(n, bit), nullptr};
    }
    if ((n->nodemap & bit) != 0) {
      const uint32_t idx = index_of(n->nodemap, bit);
      erase_result r = erase_rec(n->children()[idx], shift + bits_per_level, h,
                                 key);
      switch (r.what) {
      case erase_kind::not_found: return r;
      case erase_kind::single:
        if (shift > 0 && n->ndata == 0 && n->num_children() == 1)
          return r;
        return {erase_kind::replaced, copy_node_to_data(n, bit, *r.single),
                nullptr};
      case erase_kind::replaced:
        return {erase_kind::replaced, copy_set_child(n, idx, std::move(r.n)),
                nullptr};
      case erase_kind::empty: break;
      }
      assert(!"a non-root subtree never becomes empty");
    }
    return {erase_kind::not_found, {}, nullptr};
  }

  // -- in-place algorithms (REQUIRES: `n` and its path are unique) -----------
  //
  // Each returns the node that replaces `n`: `n` itself if it was updated in
  // place, else a new node, in which case `n` was freed. The builder
  // allocates before anything is moved, so a failed allocation leaves `n`
  // as it was; after that nothing throws (entries are nothrow-movable).

  static node* consume_insert_data(node* n, uint32_t bit, uint64_t h, K&& key,
                                   V&& value) {
    const uint32_t idx = index_of(n->datamap, bit);
    builder b{n->datamap | bit, n->nodemap, n->ndata + 1};
    entry* es = n->entries();
    b.take_entries(es, es + idx);
    b.add_entry(h, std::move(key), std::move(value));
    b.take_entries(es + idx, es + n->ndata);
    b.transfer_children(0, n->children(), 0, n->num_children());
    free_shell(n);
    return b.finish().release();
  }

  static node* consume_data_to_node(node* n, uint32_t bit, node_ref child) {
    const uint32_t didx = index_of(n->datamap, bit);
    const uint32_t cidx = index_of(n->nodemap, bit);
    builder b{n->datamap ^ bit, n->nodemap | bit, n->ndata - 1};
    entry* es = n->entries();
    b.take_entries(es, es + didx);
    b.take_entries(es + didx + 1, es + n->ndata);
    b.transfer_children(0, n->children(), 0, cidx);
    b.set_child(cidx, child.release());
    b.transfer_children(cidx + 1, n->children(), cidx, n->num_children());
    free_shell(n);
    return b.finish().release();
  }

  static node* consume_remove_data(node* n, uint32_t bit) {
    const uint32_t idx = index_of(n->datamap, bit);
    builder b{n->datamap ^ bit, n->nodemap, n->ndata - 1};
    entry* es = n->entries();
    b.take_entries(es, es + idx);
    b.take_entries(es + idx + 1, es + n->ndata);
    b.transfer_children(0, n->children(), 0, n->num_children());
    free_shell(n);
    return b.finish().release();
  }

  /// Replaces the subtree at `bit` (already released or freed by the
  /// caller) by the entry `e`.
  static node* consume_node_to_data(node* n, uint32_t bit, entry&& e) {
    const uint32_t didx = index_of(n->datamap, bit);
    const uint32_t cidx = index_of(n->nodemap, bit);
    builder b{n->datamap | bit, n->nodemap ^ bit, n->ndata + 1};
    entry* es = n->entries();
    b.take_entries(es, es + didx);
    b.add_entry(std::move(e));
    b.take_entries(es + didx, es + n->ndata);
    b.transfer_children(0, n->children(), 0, cidx);
    b.transfer_children(cidx, n->children(), cidx + 1, n->num_children());
    free_shell(n);
    return b.finish().release();
  }

  static node* consume_collision_append(node* n, uint64_t h, K&& key,
                                        V&& value) {
    builder b{0, 0, n->ndata + 1};
    b.take_entries(n->entries(), n->entries() + n->ndata);
    b.add_entry(h, std::move(key), std::move(value));
    free_shell(n);
    return b.finish().release();
  }

  static node* consume_collision_remove(node* n, uint32_t idx) {
    builder b{0, 0, n->ndata - 1};
    entry* es = n->entries();
    b.take_entries(es, es + idx);
    b.take_entries(es + idx + 1, es + n->ndata);
    free_shell(n);
    return b.finish().release();
  }

  static node* set_rec(node* n, unsigned shift, uint64_t h, K& key, V& value,
                       bool& added) {
    if (shift > max_shift) {
      entry* es = n->entries();
      for (uint32_t i = 0; i < n->ndata; ++i) {
        if (es[i].hash == h && Eq{}(es[i].kv.first, key)) {
          if constexpr (!std::is_empty_v<V>)
            es[i].kv.second = std::move(value);
          return n;
        }
      }
      added = true;
      return consume_collision_append(n, h, std::move(key), std::move(value));
    }
    const uint32_t bit = bit_of(h, shift);
    if ((n->datamap & bit) != 0) {
      entry& e = n->entries()[index_of(n->datamap, bit)];
      if (e.hash == h && Eq{}(e.kv.first, key)) {
        if constexpr (!std::is_empty_v<V>)
          e.kv.second = std::move(value);
        return n;
      }
      added = true;
      node_ref sub = merge_two(shift + bits_per_level, e, h, std::move(key),
                               std::move(value));
      return consume_data_to_node(n, bit, std::move(sub));
    }
    if ((n->nodemap & bit) != 0) {
      node*& c = n->children()[index_of(n->nodemap, bit)];
      if (unique(c)) {
        c = set_rec(c, shift + bits_per_level, h, key, value, added);
      } else if (node_ref r = insert_rec(c, shift + bits_per_level, h, key,
                                         value, added)) {
        release(std::exchange(c, r.release()));
      }
      return n;
    }
    added = true;
    return consume_insert_data(n, bit, h, std::move(key), std::move(value));
  }

  /// Like erase_result, but `single` is owned (its node is gone already)
  /// and `n` is the node replacing the subtree.
  struct owned_erase {
    erase_kind what = erase_kind::not_found;
    node* n = nullptr;
    std::optional<entry> single;
  };

  static owned_erase remove_rec(node* n, unsigned shift, uint64_t h,
                                const K& key) {
    if (shift > max_shift) {
      entry* es = n->entries();
      for (uint32_t i = 0; i < n->ndata; ++i) {
        if (es[i].hash == h && Eq{}(es[i].kv.first, key)) {
          if (n->ndata == 2) {
            owned_erase r{erase_kind::single, nullptr, std::move(es[1 - i])};
            destroy(n);
            return r;
          }
          return {erase_kind::replaced, consume_collision_remove(n, i), {}};
        }
      }
      return {erase_kind::not_found, nullptr, {}};
    }
    const uint32_t bit = bit_of(h, shift);
    if ((n->datamap & bit) != 0) {
      const uint32_t idx = index_of(n->datamap, bit);
      entry* es = n->entries();
      if (es[idx].hash != h || !Eq{}(es[idx].kv.first, key))
        return {erase_kind::not_found, nullptr, {}};
      if (n->nodemap == 0 && n->ndata == 2 && shift > 0) {
        owned_erase r{erase_kind::single, nullptr, std::move(es[1 - idx])};
        destroy(n);
        return r;
      }
      if (n->nodemap == 0 && n->ndata == 1) {
        assert(shift == 0);
        destroy(n);
        return {erase_kind::empty, nullptr, {}};
      }
      return {erase_kind::replaced, consume_remove_data(n, bit), {}};
    }
    if ((n->nodemap & bit) == 0)
      return {erase_kind::not_found, nullptr, {}};
    node*& c = n->children()[index_of(n->nodemap, bit)];
    owned_erase r;
    if (unique(c)) {
      r = remove_rec(c, shift + bits_per_level, h, key);
    } else {
      // A shared subtree: copy its path as erase does; the old version
      // stays with its other owners.
      erase_result shared = erase_rec(c, shift + bits_per_level, h, key);
      r.what = shared.what;
      if (shared.what == erase_kind::replaced)
        r.n = shared.n.release();
      else if (shared.what == erase_kind::single)
        r.single.emplace(*shared.single); // copied before `c` goes
      if (shared.what != erase_kind::not_found)
        release(c);
    }
    switch (r.what) {
    case erase_kind::not_found: return r;
    case erase_kind::replaced: c = r.n; return {erase_kind::replaced, n, {}};
    case erase_kind::single:
      // The subtree at `bit` is gone; inline its last entry here, or pass
      // it further up if `n` would be left with nothing else.
      if (shift > 0 && n->ndata == 0 && n->num_children() == 1) {
        free_shell(n);
        return r;
      }
      return {erase_kind::replaced,
              consume_node_to_data(n, bit, std::move(*r.single)),
              {}};
    case erase_kind::empty: break;
    }
    assert(!"a non-root subtree never becomes empty");
    return {erase_kind::not_found, nullptr, {}};
  }

  template <class F>
  static void for_each_rec(const node* n, F& fn) {
    const entry* es = n->entries();
    for (uint32_t i = 0; i < n->ndata; ++i)
      fn(es[i].kv.first, es[i].kv.second);
    node* const* cs = n->children();
    for (uint32_t i = 0, nc = n->num_children(); i < nc; ++i)
      for_each_rec(cs[i], fn);
  }

  static bool nodes_equal(const node* x, const node* y, unsigned shift) {
    if (x == y)
      return true;
    if (x->datamap != y->datamap || x->nodemap != y->nodemap
        || x->ndata != y->ndata)
      return false;
    const entry* xs = x->entries();
    const entry* ys = y->entries();
    if (shift > max_shift) {
      for (uint32_t i = 0; i < x->ndata; ++i) {
        uint32_t j = 0;
        while (j < y->ndata && !Eq{}(xs[i].kv.first, ys[j].kv.first))
          ++j;
        if (j == y->ndata || !(xs[i].kv.second == ys[j].kv.second))
          return false;
      }
      return true;
    }
    for (uint32_t i = 0; i < x->ndata; ++i)
      if (xs[i].hash != ys[i].hash || !Eq{}(xs[i].kv.first, ys[i].kv.first)
          || !(xs[i].kv.second == ys[i].kv.second))
        return false;
    for (uint32_t i = 0, nc = x->num_children(); i < nc; ++i)
      if (!nodes_equal(x->children()[i], y->children()[i],
                       shift + bits_per_level))
        return false;
    return true;
  }

  /// `prefix` holds the hash bits below `shift` that lead to `n`.
  static bool check_rec(const node* n, unsigned shift, uint64_t prefix,
                        size_type& count) {
    const uint64_t mask = shift >= 64 ? ~uint64_t{0}
                                      : (uint64_t{1} << shift) - 1;
    const entry* es = n->entries();
    if (shift > max_shift) {
      if (!n->is_collision() || n->ndata < 2)
        return false;
      for (uint32_t i = 0; i < n->ndata; ++i) {
        if (es[i].hash != es[0].hash || (es[i].hash & mask) != prefix)
          return false;
        for (uint32_t j = 0; j < i; ++j)
          if (Eq{}(es[i].kv.first, es[j].kv.first))
            return false;
      }
      count += n->ndata;
      return true;
    }
    if (n->ndata != detail::trie_popcount(n->datamap)
        || (n->datamap & n->nodemap) != 0)
      return false;
    if (shift > 0 && n->nodemap == 0 && n->ndata < 2)
      return false;
    for (uint32_t i = 0; i < n->ndata; ++i) {
      if ((es[i].hash & mask) != prefix || es[i].hash != hash_of(es[i].kv.first)
          || (n->datamap & bit_of(es[i].hash, shift)) == 0
          || index_of(n->datamap, bit_of(es[i].hash, shift)) != i)
        return false;
    }
    count += n->ndata;
    node* const* cs = n->children();
    uint32_t i = 0;
    for (uint32_t frag = 0; frag < 32; ++frag) {
      if ((n->nodemap & (uint32_t{1} << frag)) == 0)
        continue;
      const node* c = cs[i++];
      const size_type before = count;
      const uint64_t child_prefix = prefix | (uint64_t{frag} << shift);
      if (!check_rec(c, shift + bits_per_level, child_prefix, count))
        return false;
      if (count - before < 2)
        return false;
    }
    return true;
  }

  node* root_ = nullptr;
  size_type size_ = 0;
};

/// Persistent hash set: a `trie_map` whose values are `trie_unit`.
template <class K, class Hash = std::hash<K>, class Eq = std::equal_to<K>>
using trie_set = trie_map<K, trie_unit, Hash, Eq>;

} // namespace icto
