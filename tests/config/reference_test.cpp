#include "config/config_schema.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace icto;

namespace {

const std::filesystem::path doc_file = std::filesystem::path{ICTO_SOURCE_DIR}
                                       / "docs" / "configuration.md";

} // namespace

// docs/configuration.md is made from the schema. To rewrite it after a schema
// change: ICTO_UPDATE_DOCS=1 build-dir/bin/config_test
//   --gtest_filter=config_reference.doc_is_up_to_date
TEST(config_reference, doc_is_up_to_date) {
  auto expected = config_reference_markdown();
  if (std::getenv("ICTO_UPDATE_DOCS") != nullptr) {
    std::ofstream out{doc_file, std::ios::binary | std::ios::trunc};
    out << expected;
    ASSERT_TRUE(out.good()) << "cannot write " << doc_file;
  }
  std::ifstream in{doc_file, std::ios::binary};
  ASSERT_TRUE(in.good()) << "cannot read " << doc_file;
  std::ostringstream actual;
  actual << in.rdbuf();
  EXPECT_TRUE(actual.str() == expected)
      << doc_file << " is stale; rerun this test with ICTO_UPDATE_DOCS=1";
}

TEST(config_reference, schema_is_consistent) {
  std::set<std::string> paths;
  for (auto& k : config_schema()) {
    SCOPED_TRACE(k.path);
    EXPECT_TRUE(paths.insert(k.path).second) << "declared twice";
    EXPECT_FALSE(k.description.empty());
    auto parent = k.parent();
    if (!parent.empty()) {
      auto table = find_topology_key(parent);
      ASSERT_NE(table, nullptr) << "no table " << parent;
      EXPECT_TRUE(table->type == config_type::table
                  || table->type == config_type::table_array);
      EXPECT_TRUE(paths.count(table->path) > 0) << "table after its keys";
    }
    bool is_table = k.type == config_type::table
                    || k.type == config_type::table_array;
    EXPECT_EQ(k.store == nullptr, is_table);
    EXPECT_FALSE(k.required && k.default_value) << "required with a default";
    if (k.form == string_form::choice) {
      EXPECT_FALSE(k.choices.empty());
    }
    if (k.default_value && k.type == config_type::integer) {
      EXPECT_GE(k.default_value->integer(), k.min);
      EXPECT_LE(k.default_value->integer(), k.max);
    }
    if (k.default_value && k.form == string_form::choice) {
      auto& x = k.default_value->str();
      EXPECT_NE(std::find(k.choices.begin(), k.choices.end(), x),
                k.choices.end());
    }
  }
  for (auto id : all_services)
    EXPECT_NE(find_topology_key("services." + std::string{to_string(id)}),
              nullptr)
        << to_string(id);
  for (auto id : all_services) {
    if (is_factory(id)) {
      EXPECT_NE(
          find_topology_key("fees." + std::string{to_string(id)} + ".fee"),
          nullptr)
          << to_string(id);
    }
  }
}

TEST(config_reference, doc_names_every_key) {
  auto doc = config_reference_markdown();
  for (auto& k : config_schema()) {
    if (k.type != config_type::table && k.type != config_type::table_array) {
      EXPECT_NE(doc.find("| `" + k.name() + "` |"), std::string::npos)
          << k.path;
    }
  }
  EXPECT_NE(doc.find("## `[[node]]` (required)"), std::string::npos);
  EXPECT_NE(doc.find("### `[node.contract_ids]`"), std::string::npos);
  for (auto& rule : config_rules())
    EXPECT_NE(doc.find(rule), std::string::npos);
}
