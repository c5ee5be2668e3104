#pragma once

#include "config/config_error.hpp"
#include "config/topology.hpp"

#include <filesystem>
#include <string_view>

namespace icto {

/// Loads and validates a topology file. Relative paths in it are resolved
/// against the file's folder (made absolute). Either a fully valid topology
/// or every error found, sorted by line.
result_or_errors<topology> load_topology(const std::filesystem::path& file);

/// As `load_topology`, from text; `source_name` names it in errors. Relative
/// paths are resolved against `base_dir`, or kept relative if it is empty.
result_or_errors<topology>
load_topology_from_string(std::string_view toml, std::string_view source_name,
                          const std::filesystem::path& base_dir = {});

} // namespace icto
