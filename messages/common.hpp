#pragma once

// Vocabulary shared by every service's messages.

#include "messages/describe.hpp"
#include "messages/error.hpp"
#include "messages/inspect.hpp"
#include "messages/principal.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icto {

/// An amount of a token in its smallest unit (e8s for ICP).
using tokens = uint64_t;

/// Nanoseconds since the Unix epoch, as the IC's `time()`.
using timestamp = uint64_t;

/// Raw bytes; JSON form: lower-case hex.
using blob = std::vector<uint8_t>;

/// The first element of every request: who the call is made for. An actor
/// trusts it only when the CAF sender is an ingress of its cluster (which
/// checked the user's signature); from any other sender the actor uses the
/// principal its node's directory maps the sender to (DESIGN §2).
struct caller {
  principal id;
};
ICTO_FIELDS(caller, id)

/// The services of a cluster; each runs as one actor on the node the
/// topology names.
enum class service_id : uint8_t {
  ledger,
  backend,
  audit_storage,
  invoice_storage,
  token_factory,
  multisig_factory,
  distribution_factory,
  dao_factory,
  launchpad_factory,
};
ICTO_ENUM(service_id, ledger, backend, audit_storage, invoice_storage,
          token_factory, multisig_factory, distribution_factory, dao_factory,
          launchpad_factory)

/// The five kinds of contract the factories deploy.
enum class contract_kind : uint8_t {
  token,
  multisig,
  distribution,
  dao,
  launchpad,
};
ICTO_ENUM(contract_kind, token, multisig, distribution, dao, launchpad)

/// How a user relates to a contract in a factory's indexes.
enum class contract_role : uint8_t {
  creator,
  holder,
  signer,
  observer,
  recipient,
  member,
  participant,
};
ICTO_ENUM(contract_role, creator, holder, signer, observer, recipient, member,
          participant)

/// A contract version, major.minor.patch.
struct semver {
  uint32_t major = 0;
  uint32_t minor = 0;
  uint32_t patch = 0;
};
ICTO_FIELDS(semver, major, minor, patch)

inline bool operator<(const semver& x, const semver& y) {
  if (x.major != y.major)
    return x.major < y.major;
  if (x.minor != y.minor)
    return x.minor < y.minor;
  return x.patch < y.patch;
}

/// An ICRC-1 account: an owner and an optional 32-byte subaccount.
struct account {
  principal owner;
  std::optional<blob> subaccount;
};
ICTO_FIELDS(account, owner, subaccount)

/// Paging for list queries.
struct page {
  uint64_t limit = 0;
  uint64_t offset = 0;
};
ICTO_FIELDS(page, limit, offset)

} // namespace icto
