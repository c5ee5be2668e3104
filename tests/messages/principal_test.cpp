#include "messages/principal.hpp"

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <gtest/gtest.h>

#include <set>

using namespace icto;

namespace {

principal from_hex_or_die(std::string_view hex) {
  auto p = principal::from_hex(hex);
  EXPECT_TRUE(p.ok()) << (p ? "" : p.err().to_string());
  return p ? *p : principal{};
}

} // namespace

// Vectors from the IC interface specification and well-known canisters.
TEST(principal, known_texts) {
  EXPECT_EQ(from_hex_or_die("abcd01").to_text(), "em77e-bvlzu-aq");
  EXPECT_EQ(principal::management().to_text(), "aaaaa-aa");
  EXPECT_EQ(principal::anonymous().to_text(), "2vxsx-fae");
  // The ICP ledger canister.
  EXPECT_EQ(principal::canister_id(2).to_text(), "ryjl3-tyaaa-aaaaa-aaaba-cai");
  // The NNS registry and governance canisters.
  EXPECT_EQ(principal::canister_id(0).to_text(), "rwlgt-iiaaa-aaaaa-aaaaa-cai");
  EXPECT_EQ(principal::canister_id(1).to_text(), "rrkah-fqaaa-aaaaa-aaaaq-cai");
}

TEST(principal, text_round_trip_for_every_length) {
  std::vector<uint8_t> bytes;
  for (size_t n = 0; n <= principal::max_size; ++n) {
    auto p = principal::from_bytes(bytes);
    ASSERT_TRUE(p.ok());
    auto text = p->to_text();
    auto back = principal::from_text(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.err().to_string();
    EXPECT_EQ(*back, *p);
    EXPECT_EQ(back->to_hex(), p->to_hex());
    bytes.push_back(static_cast<uint8_t>(n * 37 + 11));
  }
}

TEST(principal, kinds) {
  EXPECT_EQ(principal::management().kind(), principal_kind::management);
  EXPECT_EQ(principal::anonymous().kind(), principal_kind::anonymous);
  EXPECT_EQ(principal::canister_id(7).kind(), principal_kind::opaque);
  EXPECT_EQ(from_hex_or_die("aa03").kind(), principal_kind::derived);
  EXPECT_EQ(from_hex_or_die("aa7f").kind(), principal_kind::reserved);
  EXPECT_EQ(from_hex_or_die("aa05").kind(), principal_kind::unassigned);
  EXPECT_EQ(from_hex_or_die("aa04").kind(), principal_kind::unassigned);
  uint8_t key[32] = {};
  auto user = principal::self_authenticating(key);
  EXPECT_EQ(user.kind(), principal_kind::self_authenticating);
  EXPECT_EQ(user.size(), 29u);
}

// SHA-224 over the DER-encoded key, as dfx derives a user's principal.
TEST(principal, self_authenticating_matches_known_key) {
  // RFC 8032 test 1 public key.
  auto key = from_hex("d75a980182b10ab7d54bfed3c964073a"
                      "0ee172f3daa62325af021a68f707511a");
  ASSERT_TRUE(key.ok());
  uint8_t raw[32];
  std::copy(key->begin(), key->end(), raw);
  auto p = principal::self_authenticating(raw);
  // `openssl dgst -sha224` of 302a300506032b6570032100 || key, then 02.
  EXPECT_EQ(p.to_hex(),
            "3d9bdaa34fe81df16699403f3e17d6030488fc8c9e37ab61036482d2"
            "02");
  auto again = principal::from_text(p.to_text());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, p);
}

TEST(principal, canister_index_round_trip) {
  for (uint64_t i : {0ull, 1ull, 255ull, 1ull << 40, ~0ull}) {
    auto p = principal::canister_id(i);
    ASSERT_TRUE(p.canister_index().has_value());
    EXPECT_EQ(*p.canister_index(), i);
  }
  EXPECT_FALSE(principal::anonymous().canister_index().has_value());
}

TEST(principal, rejects_bad_checksum) {
  // Last character changed: the CRC no longer matches.
  auto p = principal::from_text("em77e-bvlzu-ba");
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(is(p.err(), input_errc::bad_checksum)) << p.err().to_string();
  EXPECT_NE(p.err().message.find("checksum"), std::string::npos);
}

TEST(principal, rejects_bad_alphabet) {
  for (auto text : {"em77e-bvlzu-a1", "EM77E-BVLZU-AQ", "em77e-bvlzu-a!"}) {
    auto p = principal::from_text(text);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_TRUE(is(p.err(), input_errc::bad_alphabet)) << p.err().to_string();
  }
  auto upper = principal::from_text("EM77E-BVLZU-AQ");
  EXPECT_NE(upper.err().message.find("lower-case"), std::string::npos);
}

TEST(principal, rejects_bad_grouping) {
  for (auto text : {"em77ebvlzuaq", "em77-ebvlzu-aq", "em77e-bvlzu-aq-",
                    "em77e--bvlzu-aq", "-em77e-bvlzu-aq"}) {
    auto p = principal::from_text(text);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_TRUE(is(p.err(), input_errc::bad_grouping)) << p.err().to_string();
  }
}

TEST(principal, rejects_bad_length) {
  EXPECT_TRUE(is(principal::from_text("").err(), input_errc::bad_length));
  // Too short for a checksum.
  EXPECT_TRUE(is(principal::from_text("aaaa").err(), input_errc::bad_length));
  // 30 bytes.
  std::vector<uint8_t> big(30, 1);
  auto p = principal::from_bytes(big);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(is(p.err(), input_errc::bad_length));
  std::string long_text(70, 'a');
  EXPECT_TRUE(
      is(principal::from_text(long_text).err(), input_errc::bad_length));
}

TEST(principal, rejects_bad_hex) {
  EXPECT_TRUE(is(principal::from_hex("abc").err(), input_errc::bad_hex));
  EXPECT_TRUE(is(principal::from_hex("zz").err(), input_errc::bad_hex));
  EXPECT_TRUE(principal::from_hex("ABCD01").ok());
}

TEST(principal, caf_binary_round_trip) {
  auto p = principal::canister_id(42);
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  ASSERT_FALSE(sink(p));
  principal q;
  caf::binary_deserializer source{nullptr, buf};
  ASSERT_FALSE(source(q));
  EXPECT_EQ(p, q);
}

TEST(principal, caf_binary_rejects_oversized) {
  std::vector<uint8_t> big(40, 7);
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  ASSERT_FALSE(sink(big));
  principal q;
  caf::binary_deserializer source{nullptr, buf};
  EXPECT_TRUE(static_cast<bool>(source(q)));
}

TEST(principal, hash_spreads_sequential_ids) {
  std::set<size_t> low_bits;
  for (uint64_t i = 0; i < 1024; ++i)
    low_bits.insert(principal::canister_id(i).hash() & 0x3ff);
  // A good mix fills most of 1024 buckets (~632 expected for random).
  EXPECT_GT(low_bits.size(), 550u);
}
