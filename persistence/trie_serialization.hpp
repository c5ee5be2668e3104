#pragma once

// Boost.Serialization of `icto::trie_map`: include only where archives are
// written or read.
//
// Format (version 1): the entry count, then each key and value in iteration
// order (values of an empty type, as in `trie_set`, are not written). Loading
// rebuilds the trie.

#include "persistence/trie_map.hpp"

#include <boost/archive/archive_exception.hpp>
#include <boost/mpl/int.hpp>
#include <boost/mpl/integral_c_tag.hpp>
#include <boost/serialization/collection_size_type.hpp>
#include <boost/serialization/level.hpp>
#include <boost/serialization/nvp.hpp>
#include <boost/serialization/split_free.hpp>
#include <boost/serialization/tracking.hpp>
#include <boost/serialization/version.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>

namespace icto {

/// Current archive version of `trie_map`.
inline constexpr unsigned trie_map_archive_version = 1;

} // namespace icto

namespace boost::serialization {

template <class K, class V, class H, class E>
struct version<icto::trie_map<K, V, H, E>> {
  using type = mpl::int_<icto::trie_map_archive_version>;
  using tag = mpl::integral_c_tag;
  BOOST_STATIC_CONSTANT(int, value = type::value);
};

// Maps are values: never serialized through pointers, nothing to track.
template <class K, class V, class H, class E>
struct tracking_level<icto::trie_map<K, V, H, E>> {
  using type = mpl::int_<track_never>;
  using tag = mpl::integral_c_tag;
  BOOST_STATIC_CONSTANT(int, value = type::value);
};

template <class Archive, class K, class V, class H, class E>
void save(Archive& ar, const icto::trie_map<K, V, H, E>& m, unsigned) {
  const collection_size_type count{m.size()};
  ar << make_nvp("count", count);
  m.for_each([&ar](const K& key, const V& value) {
    ar << make_nvp("key", key);
    if constexpr (!std::is_empty_v<V>)
      ar << make_nvp("value", value);
  });
}

/// Throws `archive_exception` on a version newer than ours or on duplicate
/// keys; leaves `m` unchanged if anything throws.
template <class Archive, class K, class V, class H, class E>
void load(Archive& ar, icto::trie_map<K, V, H, E>& m, unsigned version) {
  using boost::archive::archive_exception;
  if (version > icto::trie_map_archive_version)
    throw archive_exception(archive_exception::unsupported_class_version,
                            "trie_map");
  collection_size_type count;
  ar >> make_nvp("count", count);
  icto::trie_map<K, V, H, E> result;
  for (std::size_t i = 0; i < count; ++i) {
    K key{};
    V value{};
    ar >> make_nvp("key", key);
    if constexpr (!std::is_empty_v<V>)
      ar >> make_nvp("value", value);
    result = result.insert(std::move(key), std::move(value));
  }
  if (result.size() != count)
    throw archive_exception(archive_exception::input_stream_error,
                            "trie_map: duplicate keys in archive");
  m = std::move(result);
}

template <class Archive, class K, class V, class H, class E>
void serialize(Archive& ar, icto::trie_map<K, V, H, E>& m,
               const unsigned version) {
  split_free(ar, m, version);
}

} // namespace boost::serialization
