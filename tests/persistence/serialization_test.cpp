#include "persistence/principal_index_serialization.hpp"
#include "persistence/principal_serialization.hpp"
#include "persistence/trie_serialization.hpp"

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/archive/text_iarchive.hpp>
#include <boost/archive/text_oarchive.hpp>
#include <boost/serialization/string.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

using icto::principal;
using icto::principal_index;
using icto::trie_map;

namespace {

template <class T>
std::string save_binary(const T& x) {
  std::ostringstream out;
  {
    boost::archive::binary_oarchive ar{out};
    ar << x;
  }
  return out.str();
}

template <class T>
T load_binary(const std::string& bytes) {
  std::istringstream in{bytes};
  boost::archive::binary_iarchive ar{in};
  T x;
  ar >> x;
  return x;
}

template <class T>
T round_trip(const T& x) {
  return load_binary<T>(save_binary(x));
}

/// Loading `bytes` as `T` fails with an archive_exception of code `code`.
template <class T>
void expect_rejected(const std::string& bytes,
                     boost::archive::archive_exception::exception_code code) {
  try {
    auto x = load_binary<T>(bytes);
    ADD_FAILURE() << "loaded a corrupt archive (" << x.size() << " entries)";
  } catch (const boost::archive::archive_exception& e) {
    EXPECT_EQ(e.code, code) << e.what();
  }
}

principal user(uint64_t i) {
  uint8_t bytes[29] = {};
  for (size_t j = 0; j < 8; ++j)
    bytes[j] = static_cast<uint8_t>(i >> (8 * j));
  bytes[28] = 0x02;
  return principal::from_bytes(bytes, sizeof(bytes)).value();
}

principal_index make_index(uint64_t owners, uint64_t ids_per_owner) {
  principal_index idx;
  for (uint64_t o = 0; o < owners; ++o)
    for (uint64_t i = 0; i < ids_per_owner; ++i)
      idx = idx.add(user(o), principal::canister_id(o * 1000 + i));
  return idx;
}

/// Saved like a principal_index of version `Version`, from any owner map.
template <int Version>
struct fake_index {
  principal_index::owner_map owners;
};

/// The index {user(1): {canister 7, canister 8}} saved by version 1 (Boost
/// 1.74 binary archive, x86-64).
const char* const index_v1_hex
    = "160000000000000073657269616c697a6174696f6e3a3a61726368697665120004080408"
      "0100000000010000000001000000010000000000000000000000001d01000000000000"
      "00000000000000000000000000000000000000000002000100000002000000000000000a"
      "000000000000000701010a00000000000000080101";

std::string bytes_of(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

} // namespace

namespace boost::serialization {

template <int Version>
struct version<fake_index<Version>> {
  using type = mpl::int_<Version>;
  using tag = mpl::integral_c_tag;
  BOOST_STATIC_CONSTANT(int, value = type::value);
};

template <class Archive, int Version>
void serialize(Archive& ar, fake_index<Version>& x, unsigned) {
  ar& make_nvp("owners", x.owners);
}

} // namespace boost::serialization

TEST(trie_serialization, empty_map_round_trip) {
  const trie_map<uint64_t, uint64_t> m;
  EXPECT_EQ(round_trip(m), m);
  EXPECT_EQ(round_trip(principal_index{}), principal_index{});
}

TEST(trie_serialization, large_map_round_trip) {
  trie_map<uint64_t, std::string> m;
  for (uint64_t i = 0; i < 100'000; ++i)
    m = m.insert(i * 31, std::to_string(i));
  const auto loaded = round_trip(m);
  EXPECT_EQ(loaded, m);
  EXPECT_EQ(loaded.size(), 100'000u);
  EXPECT_TRUE(loaded.check_invariants());
  EXPECT_EQ(*loaded.find(31 * 777), "777");
}

TEST(trie_serialization, text_archive_round_trip) {
  trie_map<principal, uint64_t> m;
  for (uint64_t i = 0; i < 100; ++i)
    m = m.insert(principal::canister_id(i), i);
  m = m.insert(principal{}, 1000);
  std::ostringstream out;
  {
    boost::archive::text_oarchive ar{out};
    ar << m;
  }
  std::istringstream in{out.str()};
  boost::archive::text_iarchive ar{in};
  trie_map<principal, uint64_t> loaded;
  ar >> loaded;
  EXPECT_EQ(loaded, m);
}

TEST(trie_serialization, principal_index_round_trip) {
  const auto small = make_index(3, 4);
  EXPECT_EQ(round_trip(small), small);
  const auto large = make_index(1'000, 100);
  ASSERT_EQ(large.total(), 100'000u);
  const auto loaded = round_trip(large);
  EXPECT_EQ(loaded, large);
  EXPECT_EQ(loaded.total(), 100'000u);
  EXPECT_EQ(loaded.size(), 1'000u);
  EXPECT_EQ(loaded.get(user(5)), large.get(user(5)));
}

TEST(trie_serialization, principal_length_above_29_is_rejected) {
  const auto target = principal::canister_id(0x0102030405060708);
  const trie_map<principal, uint64_t> m{{target, 1}};
  const auto good = save_binary(m);
  // The archive holds the length byte (10) followed by the 10 bytes.
  std::string needle(1, static_cast<char>(target.size()));
  needle.append(reinterpret_cast<const char*>(target.data()), target.size());
  const auto pos = good.find(needle);
  ASSERT_NE(pos, std::string::npos);
  for (unsigned bad_length : {30u, 200u, 255u}) {
    auto bad = good;
    bad[pos] = static_cast<char>(bad_length);
    expect_rejected<trie_map<principal, uint64_t>>(
        bad, boost::archive::archive_exception::input_stream_error);
  }
}

TEST(trie_serialization, newer_class_version_is_rejected) {
  const auto bytes = save_binary(fake_index<2>{make_index(2, 2).owners()});
  expect_rejected<principal_index>(
      bytes, boost::archive::archive_exception::unsupported_class_version);
}

TEST(trie_serialization, owner_without_ids_is_rejected) {
  const auto owners
      = make_index(2, 2).owners().insert(user(99), principal_index::id_set{});
  expect_rejected<principal_index>(
      save_binary(fake_index<1>{owners}),
      boost::archive::archive_exception::input_stream_error);
}

TEST(trie_serialization, duplicate_keys_are_rejected) {
  // Saved as a list of pairs, then loaded as a map that must have 2 keys.
  std::ostringstream out;
  {
    boost::archive::binary_oarchive ar{out};
    const trie_map<uint64_t, uint64_t> m{{1, 10}, {2, 20}};
    ar << m;
  }
  auto bytes = out.str();
  // Entries are (key, value) pairs of 8 bytes each at the end; make the
  // second key equal to the first.
  const auto second_key = bytes.size() - 16;
  const auto first_key = bytes.size() - 32;
  bytes.replace(second_key, 8, bytes.substr(first_key, 8));
  expect_rejected<trie_map<uint64_t, uint64_t>>(
      bytes, boost::archive::archive_exception::input_stream_error);
}

TEST(trie_serialization, truncated_archive_is_rejected) {
  const auto good = save_binary(make_index(10, 10));
  for (size_t cut : {good.size() / 4, good.size() / 2, good.size() - 1}) {
    try {
      auto idx = load_binary<principal_index>(good.substr(0, cut));
      ADD_FAILURE() << "loaded a truncated archive (" << idx.total() << ")";
    } catch (const boost::archive::archive_exception&) {
      SUCCEED();
    }
  }
}

TEST(trie_serialization, loads_version_1_archive) {
  const auto expected = principal_index{}
                            .add(user(1), principal::canister_id(7))
                            .add(user(1), principal::canister_id(8));
  EXPECT_EQ(load_binary<principal_index>(bytes_of(index_v1_hex)), expected);
}
