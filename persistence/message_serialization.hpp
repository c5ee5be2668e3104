#pragma once

// Boost.Serialization of the message types (messages/common.hpp) that more
// than one actor's checkpoint holds: include only where archives are
// written or read.
//
// A type gets its class version and serialize function once per
// translation unit, so a checkpoint header that needs one of these includes
// this header and never declares it again:
//   semver   version 1 (factories, contracts)
//   account  version 1 (contracts; the ledger writes accounts its own way,
//            see ledger_state_serialization.hpp)

#include "messages/common.hpp"
#include "persistence/described_serialization.hpp"

ICTO_BOOST_DESCRIBED(icto::semver, 1)
ICTO_BOOST_DESCRIBED(icto::account, 1)
