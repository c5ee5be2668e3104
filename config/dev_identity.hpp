#pragma once

#include "messages/principal.hpp"

#include <array>
#include <cstdint>

namespace icto {

/// The Ed25519 seed of the dev admin: the ASCII bytes of
/// "icto dev admin -- not a secret!!". Development topologies name its
/// principal as controller and minting account, and the CLI's `admin`
/// identity uses it. It is public: never use it outside `dev_mode`.
inline constexpr std::array<uint8_t, 32> dev_admin_seed = {
    'i', 'c', 't', 'o', ' ', 'd', 'e', 'v', ' ', 'a', 'd',
    'm', 'i', 'n', ' ', '-', '-', ' ', 'n', 'o', 't', ' ',
    'a', ' ', 's', 'e', 'c', 'r', 'e', 't', '!', '!',
};

/// The Ed25519 public key of `dev_admin_seed`.
std::array<uint8_t, 32> dev_admin_public_key();

/// The self-authenticating principal of `dev_admin_public_key()`.
principal dev_admin_principal();

} // namespace icto
