#include "config/topology.hpp"
#include "node/logging.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace icto;

namespace {

/// A fresh folder under the system's temp folder, removed at the end.
struct temp_dir {
  std::filesystem::path path;

  temp_dir() {
    path = std::filesystem::temp_directory_path()
           / ("icto-logging-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in{file};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

TEST(logging, parses_every_level_name) {
  for (auto name : all_log_levels) {
    auto level = parse_log_level(name);
    ASSERT_TRUE(level.ok()) << name;
    EXPECT_EQ(*level, spdlog::level::from_str(std::string{name})) << name;
  }
  EXPECT_EQ(*parse_log_level("warn"), spdlog::level::warn);
  EXPECT_EQ(*parse_log_level("off"), spdlog::level::off);
}

TEST(logging, rejects_unknown_levels) {
  for (auto name : {"verbose", "INFO", "", "warning "}) {
    auto level = parse_log_level(name);
    ASSERT_FALSE(level.ok()) << name;
    EXPECT_TRUE(is(level.err(), input_errc::bad_value));
    EXPECT_NE(level.err().message.find("unknown log level \""
                                       + std::string{name} + "\""),
              std::string::npos)
        << level.err().message;
    EXPECT_NE(level.err().message.find("trace, debug, info, warn, error, "
                                       "critical, off"),
              std::string::npos);
  }
}

TEST(logging, command_line_overrides_config) {
  EXPECT_EQ(*resolve_log_level(std::string{"debug"}, "info"),
            spdlog::level::debug);
  EXPECT_EQ(*resolve_log_level(std::nullopt, "warn"), spdlog::level::warn);
  // The command line wins even over a config level that would not parse.
  EXPECT_EQ(*resolve_log_level(std::string{"trace"}, "bogus"),
            spdlog::level::trace);
  auto bad = resolve_log_level(std::string{"loud"}, "info");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.err().message.rfind("--log-level: unknown log level", 0), 0u)
      << bad.err().message;
}

TEST(logging, node_logger_writes_its_name_and_level) {
  temp_dir dir;
  auto file = dir.path / "logs" / "gateway.log";
  auto logger = make_node_logger("gateway", spdlog::level::info, file);
  ASSERT_TRUE(logger.ok()) << logger.err().message;
  EXPECT_EQ((*logger)->name(), "gateway");
  EXPECT_EQ((*logger)->level(), spdlog::level::info);
  (*logger)->info("hello {}", 42);
  (*logger)->debug("not shown");
  (*logger)->flush();
  auto text = read_file(file);
  EXPECT_NE(text.find("[gateway] hello 42"), std::string::npos) << text;
  EXPECT_NE(text.find("info"), std::string::npos) << text;
  EXPECT_EQ(text.find("not shown"), std::string::npos) << text;
  // The logger is not registered: another node of the same name is fine.
  auto again = make_node_logger("gateway", spdlog::level::off);
  EXPECT_TRUE(again.ok());
}

TEST(logging, unwritable_log_file_is_an_error) {
  temp_dir dir;
  // A folder where the file should be.
  auto logger = make_node_logger("n", spdlog::level::info, dir.path);
  ASSERT_FALSE(logger.ok());
  EXPECT_NE(logger.err().message.find("cannot open log file"),
            std::string::npos)
      << logger.err().message;
}
