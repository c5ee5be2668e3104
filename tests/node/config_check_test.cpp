#include "node/config_check.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace icto;

namespace {

const std::filesystem::path source_dir = ICTO_SOURCE_DIR;

} // namespace

TEST(config_check, summarizes_a_valid_topology) {
  std::ostringstream out;
  std::ostringstream err;
  auto file = source_dir / "config" / "local-3.toml";
  EXPECT_EQ(run_config_check(file, out, err), 0);
  EXPECT_EQ(err.str(), "");
  auto text = out.str();
  EXPECT_NE(text.find(file.string() + ": valid"), std::string::npos) << text;
  EXPECT_NE(text.find("cluster icto-local: 3 nodes, placement round_robin"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("node       host       port  http  roles      "
                      "contract ids      services"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("worker     127.0.0.1  4102  8102  contracts  "
                      "1000000..1999999  -"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ledger, backend, audit_storage, invoice_storage"),
            std::string::npos)
      << text;
}

TEST(config_check, prints_every_error) {
  auto file = std::filesystem::temp_directory_path()
              / ("icto-config-check-" + std::to_string(::getpid()) + ".toml");
  {
    std::ofstream out{file};
    out << "[cluster]\nplacement = \"random\"\nlog_level = \"loud\"\n";
  }
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_config_check(file, out, err), 1);
  std::filesystem::remove(file);
  EXPECT_EQ(out.str(), "");
  auto text = err.str();
  auto prefix = file.string() + ":2:13: cluster.placement: unknown placement";
  EXPECT_NE(text.find(prefix), std::string::npos) << text;
  EXPECT_NE(text.find(file.string() + ":3:13: cluster.log_level:"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("required table [admins] is missing"), std::string::npos)
      << text;
  EXPECT_NE(text.find("5 errors in " + file.string()), std::string::npos)
      << text;
}
