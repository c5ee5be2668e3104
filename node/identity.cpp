#include "node/identity.hpp"

#include "node/atomic_file.hpp"
#include "node/fixed_hex.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace icto {

namespace {

namespace fs = std::filesystem;

/// libsodium must be initialized once before use; safe to call repeatedly.
void ensure_sodium() {
  static const int rc = sodium_init();
  if (rc < 0)
    std::abort(); // no usable randomness: nothing sensible to do
}

result<std::string> read_file(const fs::path& path) {
  std::ifstream in{path};
  if (!in)
    return make_error(system_errc::unknown_target,
                      "cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

} // namespace

// -- identity -----------------------------------------------------------------

principal principal_of_key(const std::array<uint8_t, 32>& public_key) {
  uint8_t key[32];
  std::copy(public_key.begin(), public_key.end(), key);
  return principal::self_authenticating(key);
}

principal identity::id() const {
  return principal_of_key(public_key);
}

std::array<uint8_t, 64> identity::sign(const uint8_t* msg, size_t len) const {
  ensure_sodium();
  uint8_t sk[crypto_sign_SECRETKEYBYTES];
  uint8_t pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, seed.data());
  std::array<uint8_t, 64> sig{};
  crypto_sign_detached(sig.data(), nullptr, msg, len, sk);
  sodium_memzero(sk, sizeof(sk));
  return sig;
}

identity identity::from_seed(std::string name,
                             const std::array<uint8_t, 32>& seed) {
  ensure_sodium();
  identity x;
  x.name = std::move(name);
  x.seed = seed;
  uint8_t sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(x.public_key.data(), sk, seed.data());
  sodium_memzero(sk, sizeof(sk));
  return x;
}

identity identity::generate(std::string name) {
  ensure_sodium();
  std::array<uint8_t, 32> seed{};
  randombytes_buf(seed.data(), seed.size());
  return from_seed(std::move(name), seed);
}

bool verify_signature(const std::array<uint8_t, 32>& public_key,
                      const uint8_t* msg, size_t len,
                      const std::array<uint8_t, 64>& signature) {
  ensure_sodium();
  return crypto_sign_verify_detached(signature.data(), msg, len,
                                     public_key.data())
         == 0;
}

// -- identity_store -----------------------------------------------------------

result<unit> validate_identity_name(const std::string& name) {
  if (name.empty() || name.size() > 32)
    return make_error(input_errc::bad_length,
                      "identity name must have 1 to 32 characters, got "
                          + std::to_string(name.size()));
  auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'
           || c == '-';
  };
  for (char c : name)
    if (!ok(c))
      return make_error(input_errc::bad_value, "identity name '" + name
                                                   + "' may only use a-z, 0-9, "
                                                     "'_' and '-'");
  if (name[0] == '-' || name[0] == '_')
    return make_error(input_errc::bad_value, "identity name '" + name
                                                 + "' must start with a "
                                                   "letter or digit");
  return unit{};
}

identity_store::identity_store(fs::path home) : home_(std::move(home)) {}

fs::path identity_store::default_home() {
  if (const char* h = std::getenv("ICTO_HOME"); h != nullptr && *h != '\0')
    return h;
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0')
    return fs::path{h} / ".config" / "icto";
  return fs::current_path() / ".icto";
}

fs::path identity_store::dir_of(const std::string& name) const {
  return home_ / "identity" / name;
}

result<identity> identity_store::create(const std::string& name) {
  if (auto ok = validate_identity_name(name); !ok)
    return ok.err();
  if (fs::exists(dir_of(name) / "identity.json"))
    return make_error(input_errc::bad_value,
                      "identity '" + name + "' exists already");
  return import(identity::generate(name));
}

result<identity> identity_store::import(const identity& x) {
  if (auto ok = validate_identity_name(x.name); !ok)
    return ok.err();
  if (auto old = load(x.name)) {
    if (old->public_key != x.public_key)
      return make_error(input_errc::bad_value,
                        "identity '" + x.name
                            + "' exists already with another key");
    return *old;
  }
  std::error_code ec;
  fs::create_directories(dir_of(x.name), ec);
  if (ec)
    return make_error(system_errc::storage_failure,
                      "cannot create " + dir_of(x.name).string() + ": "
                          + ec.message());
  fs::permissions(home_, fs::perms::owner_all, ec);
  fs::permissions(home_ / "identity", fs::perms::owner_all, ec);
  fs::permissions(dir_of(x.name), fs::perms::owner_all, ec);
  nlohmann::json j = {
      {"name", x.name},
      {"public_key", to_hex(x.public_key.data(), x.public_key.size())},
      {"seed", to_hex(x.seed.data(), x.seed.size())},
      {"principal", x.id().to_text()},
  };
  if (auto ok = write_file_atomically(dir_of(x.name) / "identity.json",
                                      j.dump(2) + "\n", 0600);
      !ok)
    return ok.err();
  if (current_name().empty())
    if (auto ok = use(x.name); !ok)
      return ok.err();
  return x;
}

result<identity> identity_store::load(const std::string& name) const {
  if (auto ok = validate_identity_name(name); !ok)
    return ok.err();
  const auto file = dir_of(name) / "identity.json";
  if (!fs::exists(file))
    return make_error(system_errc::unknown_target,
                      "no identity '" + name + "' in " + home_.string()
                          + " (make one with: icto identity new " + name + ")");
  auto text = read_file(file);
  if (!text)
    return text.err();
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("seed")
      || !j["seed"].is_string())
    return make_error(input_errc::bad_json,
                      file.string() + ": not an identity file");
  auto seed = fixed_hex<32>(j["seed"].get<std::string>(), "seed");
  if (!seed)
    return make_error(input_errc::bad_value,
                      file.string() + ": " + seed.err().message);
  auto x = identity::from_seed(name, *seed);
  if (j.contains("public_key") && j["public_key"].is_string()
      && j["public_key"].get<std::string>()
             != to_hex(x.public_key.data(), x.public_key.size()))
    return make_error(input_errc::bad_value,
                      file.string() + ": public_key does not match the seed");
  return x;
}

std::vector<std::string> identity_store::list() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(home_ / "identity", ec))
    if (fs::exists(e.path() / "identity.json"))
      out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

result<unit> identity_store::use(const std::string& name) {
  auto x = load(name);
  if (!x)
    return x.err();
  return write_file_atomically(home_ / "default", name + "\n", 0600);
}

std::string identity_store::current_name() const {
  auto text = read_file(home_ / "default");
  if (!text)
    return {};
  auto name = *text;
  while (!name.empty() && (name.back() == '\n' || name.back() == ' '))
    name.pop_back();
  return name;
}

result<identity> identity_store::current() const {
  auto name = current_name();
  if (name.empty())
    return make_error(system_errc::unknown_target,
                      "no identity in use in " + home_.string()
                          + " (make one with: icto identity new NAME)");
  return load(name);
}

} // namespace icto
