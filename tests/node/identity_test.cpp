// Identities under a temporary $ICTO_HOME: creation, files 0600, listing,
// the identity in use, and refusals that name what is wrong.

#include "node/identity.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace icto;
namespace fs = std::filesystem;

namespace {

class identity_store_test : public ::testing::Test {
 protected:
  identity_store_test()
      : home(fs::temp_directory_path()
             / ("icto_identity_test_" + std::to_string(getpid()) + "_"
                + ::testing::UnitTest::GetInstance()
                      ->current_test_info()
                      ->name())),
        store(home) {
    fs::remove_all(home);
  }

  ~identity_store_test() override {
    fs::remove_all(home);
  }

  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 0777;
  }

  fs::path home;
  identity_store store;
};

} // namespace

TEST(identity, seed_gives_the_rfc8032_key_and_a_self_authenticating_principal) {
  // RFC 8032, section 7.1, TEST 1.
  std::array<uint8_t, 32> seed{};
  auto bytes = from_hex(
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  ASSERT_TRUE(bytes.ok());
  std::copy(bytes->begin(), bytes->end(), seed.begin());
  auto x = identity::from_seed("rfc", seed);
  EXPECT_EQ(to_hex(x.public_key.data(), 32),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(x.id().kind(), principal_kind::self_authenticating);
  auto sig = x.sign(nullptr, 0);
  EXPECT_EQ(to_hex(sig.data(), 64),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(verify_signature(x.public_key, nullptr, 0, sig));
  sig[0] ^= 1;
  EXPECT_FALSE(verify_signature(x.public_key, nullptr, 0, sig));
}

TEST_F(identity_store_test, new_identity_is_stored_0600_and_becomes_current) {
  EXPECT_FALSE(store.current().ok());
  auto alice = store.create("alice");
  ASSERT_TRUE(alice.ok()) << alice.err().message;
  const auto file = home / "identity" / "alice" / "identity.json";
  ASSERT_TRUE(fs::exists(file));
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(mode_of(home / "identity" / "alice"), 0700u);
  EXPECT_EQ(store.current_name(), "alice");
  auto loaded = store.load("alice");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->public_key, alice->public_key);
  EXPECT_EQ(loaded->id(), alice->id());
}

TEST_F(identity_store_test, list_and_use) {
  ASSERT_TRUE(store.create("bob").ok());
  ASSERT_TRUE(store.create("alice").ok());
  EXPECT_EQ(store.list(), (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(store.current_name(), "bob");
  ASSERT_TRUE(store.use("alice").ok());
  EXPECT_EQ(store.current()->name, "alice");
  auto missing = store.use("carol");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.err().message.find("no identity 'carol'"),
            std::string::npos);
  EXPECT_EQ(store.current_name(), "alice");
}

TEST_F(identity_store_test, refusals_name_the_problem) {
  ASSERT_TRUE(store.create("alice").ok());
  auto again = store.create("alice");
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.err().message.find("exists already"), std::string::npos);
  for (auto bad : {"", "Alice", "a b", "-x", "../etc",
                   "a-name-that-is-far-too-long-for-us"}) {
    auto r = store.create(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  // Two identities never share a key.
  auto bob = store.create("bob");
  ASSERT_TRUE(bob.ok());
  EXPECT_NE(bob->public_key, store.load("alice")->public_key);
}

TEST_F(identity_store_test, a_corrupt_file_is_reported_not_used) {
  ASSERT_TRUE(store.create("alice").ok());
  const auto file = home / "identity" / "alice" / "identity.json";
  {
    std::ofstream f{file, std::ios::trunc};
    f << R"({"name":"alice","seed":"00"})";
  }
  auto r = store.load("alice");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.err().message.find("seed"), std::string::npos) << r.err().message;
  {
    std::ofstream f{file, std::ios::trunc};
    f << "not json";
  }
  EXPECT_FALSE(store.load("alice").ok());
}

TEST_F(identity_store_test, import_keeps_a_known_key_and_refuses_another) {
  std::array<uint8_t, 32> seed{};
  seed[0] = 1;
  auto admin = identity::from_seed("admin", seed);
  ASSERT_TRUE(store.import(admin).ok());
  ASSERT_TRUE(store.import(admin).ok());
  seed[0] = 2;
  auto other = identity::from_seed("admin", seed);
  EXPECT_FALSE(store.import(other).ok());
  EXPECT_EQ(store.load("admin")->public_key, admin.public_key);
}
