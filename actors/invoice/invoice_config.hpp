#pragma once

#include "messages/principal.hpp"

#include <optional>
#include <vector>

namespace icto {

/// What an invoice storage is made with. Read by the node from the
/// topology; kept in the storage's state (and checkpoint) from then on.
struct invoice_config {
  /// The initial writer whitelist (the backend).
  std::vector<principal> writers;
  /// The backend, which may add writers (setupMicroservices) besides the
  /// controllers; none if only controllers manage the whitelist.
  std::optional<principal> backend;
};

} // namespace icto
