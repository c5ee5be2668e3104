#include "config/dev_identity.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>

namespace icto {

std::array<uint8_t, 32> dev_admin_public_key() {
  static_assert(crypto_sign_SEEDBYTES == 32
                && crypto_sign_PUBLICKEYBYTES == 32);
  if (sodium_init() < 0)
    std::abort(); // libsodium cannot run at all on this machine.
  std::array<uint8_t, 32> pk;
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> sk;
  crypto_sign_seed_keypair(pk.data(), sk.data(), dev_admin_seed.data());
  return pk;
}

principal dev_admin_principal() {
  auto pk = dev_admin_public_key();
  uint8_t key[32];
  std::copy(pk.begin(), pk.end(), key);
  return principal::self_authenticating(key);
}

} // namespace icto
