#pragma once

// Writing a file so that a reader sees the old content or the new one,
// never half of it: identities, development certificates, cluster.json.

#include "messages/error.hpp"

#include <filesystem>
#include <string>
#include <sys/types.h>

namespace icto {

/// Writes `text` to `path` with permissions `mode` (set before any byte is
/// written, so a secret is never readable by others), synced, then renamed
/// over `path`; creates the parent folders. system_errc::storage_failure
/// naming the file and the reason on any failure.
result<unit> write_file_atomically(const std::filesystem::path& path,
                                   const std::string& text, mode_t mode);

} // namespace icto
