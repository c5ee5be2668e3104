#pragma once

#include "messages/error.hpp"

#include <spdlog/common.h>
#include <spdlog/logger.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace icto {

/// The pattern of every node's log lines: time, level, node name, text.
inline constexpr const char* node_log_pattern
    = "%Y-%m-%d %H:%M:%S.%e %^%-8l%$ [%n] %v";

/// Parses a log level name: one of `all_log_levels` (config/topology.hpp),
/// "trace" to "off".
result<spdlog::level::level_enum> parse_log_level(std::string_view text);

/// The level a node logs at: the command line's (`--log-level`) if given,
/// else the topology's `cluster.log_level`.
result<spdlog::level::level_enum>
resolve_log_level(const std::optional<std::string>& cli_level,
                  std::string_view config_level);

/// A logger named after the node that writes to stderr (in color when it is
/// a terminal) and, if given, appends to `log_file` (its folder is made).
/// Not registered with spdlog: the caller owns it and may make it the
/// default. The sinks are thread-safe.
result<std::shared_ptr<spdlog::logger>>
make_node_logger(const std::string& node_name, spdlog::level::level_enum level,
                 const std::optional<std::filesystem::path>& log_file
                 = std::nullopt);

} // namespace icto
