#include "node/logging.hpp"

#include "config/topology.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <vector>

namespace icto {

namespace {

std::string level_names() {
  std::string result;
  for (auto name : all_log_levels) {
    if (!result.empty())
      result += ", ";
    result += name;
  }
  return result;
}

} // namespace

result<spdlog::level::level_enum> parse_log_level(std::string_view text) {
  // all_log_levels lists spdlog's levels in the order of level_enum.
  static_assert(all_log_levels.size() == spdlog::level::n_levels);
  for (size_t i = 0; i < all_log_levels.size(); ++i)
    if (all_log_levels[i] == text)
      return static_cast<spdlog::level::level_enum>(i);
  return make_error(input_errc::bad_value,
                    "unknown log level \"" + std::string{text}
                        + "\" (expected one of: " + level_names() + ")");
}

result<spdlog::level::level_enum>
resolve_log_level(const std::optional<std::string>& cli_level,
                  std::string_view config_level) {
  if (!cli_level)
    return parse_log_level(config_level);
  auto level = parse_log_level(*cli_level);
  if (!level)
    level.err().message = "--log-level: " + level.err().message;
  return level;
}

result<std::shared_ptr<spdlog::logger>>
make_node_logger(const std::string& node_name, spdlog::level::level_enum level,
                 const std::optional<std::filesystem::path>& log_file) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (log_file) {
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(
          log_file->string(), false));
    } catch (const spdlog::spdlog_ex& e) {
      return make_error(system_errc::storage_failure, "cannot open log file "
                                                          + log_file->string()
                                                          + ": " + e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>(node_name, sinks.begin(),
                                                 sinks.end());
  logger->set_pattern(node_log_pattern);
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  return logger;
}

} // namespace icto
