#pragma once

#include <filesystem>
#include <iosfwd>

namespace icto {

/// `icto config check FILE`: loads the topology and prints a summary of it
/// (nodes, roles, ports, services, contract-id ranges) to `out`, or every
/// error, one per line, to `err`. Returns the exit code: 0 valid, 1 not.
int run_config_check(const std::filesystem::path& file, std::ostream& out,
                     std::ostream& err);

} // namespace icto
