#pragma once

// User identities of the CLI, like `dfx identity`: Ed25519 key pairs under
// $ICTO_HOME (default ~/.config/icto), one folder per identity, files 0600.
// A user's principal is the self-authenticating principal of the public key.

#include "messages/error.hpp"
#include "messages/principal.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace icto {

/// An Ed25519 key pair with a name.
struct identity {
  std::string name;
  std::array<uint8_t, 32> public_key{};
  /// The 32-byte seed the key pair is derived from; the secret.
  std::array<uint8_t, 32> seed{};

  /// The self-authenticating principal of `public_key`.
  principal id() const;

  /// Ed25519 signature of `msg` (64 bytes).
  std::array<uint8_t, 64> sign(const uint8_t* msg, size_t len) const;

  /// The key pair derived from `seed` (libsodium crypto_sign_seed_keypair).
  static identity from_seed(std::string name,
                            const std::array<uint8_t, 32>& seed);

  /// A fresh key pair from the system's CSPRNG.
  static identity generate(std::string name);
};

/// The self-authenticating principal of an Ed25519 public key.
principal principal_of_key(const std::array<uint8_t, 32>& public_key);

/// Verifies an Ed25519 signature of `msg` by `public_key`.
bool verify_signature(const std::array<uint8_t, 32>& public_key,
                      const uint8_t* msg, size_t len,
                      const std::array<uint8_t, 64>& signature);

/// The identities kept under one home folder:
///   <home>/identity/<name>/identity.json   {"name","public_key","seed"} 0600
///   <home>/default                          the name in use
/// A fresh home has none; `current()` then reports how to make one.
class identity_store {
 public:
  explicit identity_store(std::filesystem::path home);

  /// $ICTO_HOME, else $HOME/.config/icto.
  static std::filesystem::path default_home();

  /// Creates and stores a new identity; refuses an existing or bad name
  /// (1-32 of [a-z0-9_-], starting with a letter or digit).
  result<identity> create(const std::string& name);

  /// Stores an identity made elsewhere (the dev admin); refuses to overwrite
  /// a different key under the same name.
  result<identity> import(const identity& x);

  result<identity> load(const std::string& name) const;

  /// Names of the stored identities, sorted.
  std::vector<std::string> list() const;

  /// Makes `name` the one in use.
  result<unit> use(const std::string& name);

  /// The identity in use.
  result<identity> current() const;

  /// The name in use, if any.
  std::string current_name() const;

  const std::filesystem::path& home() const {
    return home_;
  }

 private:
  std::filesystem::path dir_of(const std::string& name) const;

  std::filesystem::path home_;
};

/// Checks an identity name; the error names what is wrong.
result<unit> validate_identity_name(const std::string& name);

} // namespace icto
