#include "config/dev_identity.hpp"
#include "config/load_topology.hpp"
#include "tests/config/sample_topology.hpp"

#include <gtest/gtest.h>

using namespace icto;
using icto::test::has_error;
using icto::test::load_lines;
using icto::test::sample_lines;
using icto::test::sample_with;

namespace {

/// The sample plus lines appended at its end (inside the last [[node]]).
std::vector<std::string> sample_plus(std::vector<std::string> more) {
  auto lines = sample_lines();
  lines.insert(lines.end(), more.begin(), more.end());
  return lines;
}

} // namespace

TEST(config_errors, the_sample_is_valid) {
  auto loaded = load_lines(sample_lines());
  ASSERT_TRUE(loaded.ok()) << test::dump(loaded.errors());
}

TEST(config_errors, unknown_key) {
  auto loaded = load_lines(sample_with({{18, "htp_port = 8100"}}));
  EXPECT_TRUE(
      has_error(loaded, 18, "node[0].htp_port",
                {"unknown key \"htp_port\"", "did you mean", "\"http_port\""}));
  // http_port is now missing, too.
  EXPECT_TRUE(
      has_error(loaded, 15, "node[0].http_port", {"required key is missing"}));
  auto far = load_lines(sample_with({{2, "colour = \"blue\""}}));
  EXPECT_TRUE(has_error(far, 2, "cluster.colour",
                        {"unknown key \"colour\"",
                         "expected one of:", "placement", "log_level"}));
  auto table = load_lines(sample_with({{1, "[clustr]"}}));
  EXPECT_TRUE(
      has_error(table, 1, "clustr",
                {"unknown key \"clustr\"", "did you mean \"cluster\""}));
}

TEST(config_errors, unknown_service_key) {
  auto loaded = load_lines(sample_with({{5, "[services]\nindexer = \"a\""}}));
  EXPECT_TRUE(has_error(loaded, 6, "services.indexer",
                        {"unknown service \"indexer\"", "backend",
                         "launchpad_factory"}));
}

TEST(config_errors, wrong_type) {
  auto loaded = load_lines(sample_with({{19, "roles = \"gateway\""}}));
  EXPECT_TRUE(has_error(loaded, 19, "node[0].roles",
                        {"expected an array of strings",
                         "got a string (\"gateway\")"}));
  auto element = load_lines(sample_with({{19, "roles = [\"gateway\", 3]"}}));
  EXPECT_TRUE(has_error(element, 19, "node[0].roles[1]",
                        {"expected a string, got an integer (3)"}));
  auto table = load_lines(sample_with({{1, "cluster = 5"}, {2, ""}}));
  EXPECT_TRUE(
      has_error(table, 1, "cluster", {"expected a table, got an integer (5)"}));
  auto subtable = load_lines(sample_plus({"[cluster.x]"}));
  EXPECT_TRUE(has_error(subtable, 26, "cluster.x", {"unknown key \"x\""}));
  auto dev = load_lines(sample_with({{2, "dev_mode = \"yes\""}}));
  EXPECT_TRUE(has_error(dev, 2, "cluster.dev_mode",
                        {"expected a boolean", "got a string (\"yes\")"}));
}

TEST(config_errors, duplicate_node_name) {
  auto loaded = load_lines(sample_with({{21, "name = \"a\""}}));
  EXPECT_TRUE(has_error(loaded, 21, "node[1].name",
                        {"duplicate node name \"a\"", "node[0]"}));
}

TEST(config_errors, bad_node_name) {
  auto loaded = load_lines(sample_with({{16, "name = \"Gate way\""}}));
  EXPECT_TRUE(has_error(loaded, 16, "node[0].name",
                        {"\"Gate way\" is not a valid name", "a-z"}));
  auto empty = load_lines(sample_with({{16, "name = \"\""}}));
  EXPECT_TRUE(has_error(empty, 16, "node[0].name", {"must not be empty"}));
  // The services that name node "a" are not reported on top.
  for (auto& e : empty.errors())
    EXPECT_EQ(e.key.rfind("services.", 0), std::string::npos) << e.to_string();
}

TEST(config_errors, port_clash) {
  auto loaded = load_lines(sample_with({{22, "port = 4100"}}));
  ASSERT_TRUE(has_error(loaded, 22, "node[1].port",
                        {"4100 is used by node 'a'", "port clash"}));
  EXPECT_EQ(loaded.errors().front().to_string(),
            "test.toml:22:8: node[1].port: 4100 is used by node 'a' as its "
            "port already (port clash on 127.0.0.1)");
  auto http = load_lines(sample_with({{23, "http_port = 4100"}}));
  EXPECT_TRUE(has_error(http, 23, "node[1].http_port",
                        {"4100 is used by node 'a'", "port clash"}));
  auto same_node = load_lines(sample_with({{18, "http_port = 4100"}}));
  EXPECT_TRUE(has_error(same_node, 18, "node[0].http_port",
                        {"used by node 'a' as its port", "port clash"}));
  // Another host, no clash.
  auto other_host
      = load_lines(sample_with({{22, "port = 4100\nhost = \"10.0.0.2\""}}));
  EXPECT_TRUE(other_host.ok()) << test::dump(other_host.errors());
}

TEST(config_errors, port_out_of_range) {
  auto loaded = load_lines(sample_with({{17, "port = 70000"}}));
  EXPECT_TRUE(has_error(loaded, 17, "node[0].port",
                        {"70000 is out of range", "1..65535"}));
  auto zero = load_lines(sample_with({{18, "http_port = 0"}}));
  EXPECT_TRUE(has_error(zero, 18, "node[0].http_port",
                        {"0 is out of range", "1..65535"}));
}

TEST(config_errors, service_with_no_host) {
  auto loaded = load_lines(sample_with({{13, ""}}));
  EXPECT_TRUE(has_error(loaded, 5, "services.dao_factory",
                        {"required key is missing", "the name of a [[node]]"}));
}

TEST(config_errors, service_on_unknown_node) {
  auto loaded = load_lines(sample_with({{13, "dao_factory = \"c\""}}));
  EXPECT_TRUE(has_error(loaded, 13, "services.dao_factory",
                        {"no node is named \"c\"", "nodes: a, b"}));
}

TEST(config_errors, service_on_node_without_its_role) {
  auto loaded = load_lines(sample_with({{10, "token_factory = \"a\""}}));
  EXPECT_TRUE(has_error(loaded, 10, "services.token_factory",
                        {"node 'a' cannot host token_factory",
                         "lacks role \"factories\"", "node[0].roles"}));
}

TEST(config_errors, overlapping_contract_ranges) {
  auto loaded = load_lines(sample_plus({
      "[[node]]",                                    // 26
      "name = \"c\"",                                // 27
      "port = 4102",                                 // 28
      "http_port = 8102",                            // 29
      "roles = [\"contracts\"]",                     // 30
      "contract_ids = { start = 150, count = 100 }", // 31
  }));
  EXPECT_TRUE(has_error(loaded, 31, "node[2].contract_ids",
                        {"range [150, 250) overlaps the range [100, 200) of "
                         "node 'b'"}));
  auto adjacent = load_lines(sample_plus({
      "[[node]]",
      "name = \"c\"",
      "port = 4102",
      "http_port = 8102",
      "roles = [\"contracts\"]",
      "contract_ids = { start = 200, count = 100 }",
  }));
  EXPECT_TRUE(adjacent.ok()) << test::dump(adjacent.errors());
}

TEST(config_errors, contract_range_missing_or_misplaced) {
  auto missing = load_lines(sample_with({{25, ""}}));
  EXPECT_TRUE(has_error(missing, 20, "node[1].contract_ids",
                        {"node 'b' has role \"contracts\" but no contract-id "
                         "range"}));
  auto empty = load_lines(
      sample_with({{25, "contract_ids = { start = 5, count = 0 }"}}));
  EXPECT_TRUE(
      has_error(empty, 25, "node[1].contract_ids", {"no contract-id range"}));
  auto misplaced = load_lines(sample_with(
      {{19, "roles = [\"gateway\"]\ncontract_ids = { count = 5 }"}}));
  EXPECT_TRUE(has_error(misplaced, 20, "node[0].contract_ids",
                        {"node 'a' has a contract-id range but not role "
                         "\"contracts\""}));
}

TEST(config_errors, no_node_with_role_contracts) {
  auto loaded
      = load_lines(sample_with({{24, "roles = [\"factories\"]"}, {25, ""}}));
  EXPECT_TRUE(
      has_error(loaded, 15, "node", {"no node has role \"contracts\""}));
}

TEST(config_errors, contract_range_overflow) {
  auto loaded = load_lines(sample_with(
      {{25, "contract_ids = { start = 9223372036854775807, count = 2 }"}}));
  EXPECT_TRUE(has_error(loaded, 25, "node[1].contract_ids.count",
                        {"overflows", "9223372036854775807"}));
  auto last = load_lines(sample_with(
      {{25, "contract_ids = { start = 9223372036854775807, count = 1 }"}}));
  EXPECT_TRUE(last.ok()) << test::dump(last.errors());
  auto negative = load_lines(
      sample_with({{25, "contract_ids = { start = -1, count = 10 }"}}));
  EXPECT_TRUE(has_error(negative, 25, "node[1].contract_ids.start",
                        {"-1 is out of range", ">= 0"}));
}

TEST(config_errors, bad_principal) {
  const std::string text = "rrkah-fqaaa-aaaaa-aaaar-cai"; // checksum is off
  auto reason = principal::from_text(text).err().message;
  auto loaded
      = load_lines(sample_with({{4, "controllers = [\"" + text + "\"]"}}));
  EXPECT_TRUE(has_error(loaded, 4, "admins.controllers[0]",
                        {"not a principal", reason}));
  auto minting = load_lines(
      sample_with({{3, "[ledger]\nminting_account = \"not-a-principal\""},
                   {4, "[admins]\ncontrollers = [\"rrkah-fqaaa-aaaaa-aaaaq-"
                       "cai\"]"}}));
  EXPECT_TRUE(
      has_error(minting, 4, "ledger.minting_account",
                {"not a principal",
                 principal::from_text("not-a-principal").err().message}));
  auto anonymous
      = load_lines(sample_with({{4, "controllers = [\"2vxsx-fae\"]"}}));
  EXPECT_TRUE(has_error(anonymous, 4, "admins.controllers[0]",
                        {"anonymous principal"}));
  auto none = load_lines(sample_with({{4, "controllers = []"}}));
  EXPECT_TRUE(
      has_error(none, 4, "admins.controllers", {"must hold at least 1 value"}));
  auto twice = load_lines(
      sample_with({{4, "controllers = [\"rrkah-fqaaa-aaaaa-aaaaq-cai\", "
                       "\"rrkah-fqaaa-aaaaa-aaaaq-cai\"]"}}));
  EXPECT_TRUE(has_error(twice, 4, "admins.controllers[1]", {"listed twice"}));
}

TEST(config_errors, dev_principal_needs_dev_mode) {
  auto dev = dev_admin_principal().to_text();
  auto loaded
      = load_lines(sample_with({{4, "controllers = [\"" + dev + "\"]"}}));
  EXPECT_TRUE(has_error(loaded, 4, "admins.controllers[0]",
                        {"dev admin principal", "dev_mode = true"}));
  auto allowed = load_lines(sample_with(
      {{2, "dev_mode = true"}, {4, "controllers = [\"" + dev + "\"]"}}));
  EXPECT_TRUE(allowed.ok()) << test::dump(allowed.errors());
}

TEST(config_errors, negative_fee) {
  auto loaded
      = load_lines(sample_plus({"[fees.token_factory]", "fee = -5"})); // 26, 27
  EXPECT_TRUE(has_error(loaded, 27, "fees.token_factory.fee",
                        {"-5 is out of range", ">= 0"}));
  auto ledger = load_lines(sample_plus({"[ledger]", "fee = -1"}));
  EXPECT_TRUE(has_error(ledger, 27, "ledger.fee", {"-1 is out of range"}));
}

TEST(config_errors, non_numeric_fee) {
  auto loaded = load_lines(
      sample_plus({"[fees]", "dao_factory = { fee = \"5 ICP\" }"})); // 26, 27
  EXPECT_TRUE(has_error(loaded, 27, "fees.dao_factory.fee",
                        {"expected an integer", "got a string (\"5 ICP\")"}));
  auto fraction
      = load_lines(sample_plus({"[fees.dao_factory]", "fee = 1.5"})); // 26, 27
  EXPECT_TRUE(
      has_error(fraction, 27, "fees.dao_factory.fee",
                {"expected an integer", "got a floating-point number (1.5)"}));
  auto factory = load_lines(sample_plus({"[fees.dao]", "fee = 1"}));
  EXPECT_TRUE(has_error(factory, 26, "fees.dao", {"unknown factory \"dao\""}));
}

TEST(config_errors, unknown_placement) {
  auto loaded = load_lines(sample_with({{2, "placement = \"random\""}}));
  EXPECT_TRUE(has_error(loaded, 2, "cluster.placement",
                        {"unknown placement policy \"random\"",
                         "local, round_robin, least_loaded, hash"}));
}

TEST(config_errors, placement_local_needs_contracts_on_factory_nodes) {
  auto loaded = load_lines(sample_with({{2, "placement = \"local\""},
                                        {24, "roles = [\"factories\"]"},
                                        {25, ""},
                                        {19, "roles = [\"gateway\", "
                                             "\"contracts\"]\ncontract_ids = "
                                             "{ count = 9 }"}}));
  EXPECT_TRUE(has_error(loaded, 2, "cluster.placement",
                        {"placement \"local\"", "node 'b'",
                         "lacks role \"contracts\""}));
}

TEST(config_errors, bad_log_level) {
  auto loaded = load_lines(sample_with({{2, "log_level = \"verbose\""}}));
  EXPECT_TRUE(has_error(loaded, 2, "cluster.log_level",
                        {"unknown log level \"verbose\"", "trace", "off"}));
}

TEST(config_errors, timeouts_must_be_positive) {
  auto loaded = load_lines(sample_with({{2, "request_timeout_ms = 0"}}));
  EXPECT_TRUE(has_error(loaded, 2, "cluster.request_timeout_ms",
                        {"0 is out of range", "1..86400000"}));
  auto health
      = load_lines(sample_with({{2, "health_check_interval_ms = -10"}}));
  EXPECT_TRUE(has_error(health, 2, "cluster.health_check_interval_ms",
                        {"-10 is out of range"}));
}

TEST(config_errors, heartbeat_needed_with_several_nodes) {
  auto loaded = load_lines(sample_with({{2, "heartbeat_interval_ms = 0"}}));
  EXPECT_TRUE(has_error(loaded, 2, "cluster.heartbeat_interval_ms",
                        {"must be > 0 with more than one node"}));
}

TEST(config_errors, missing_required_key) {
  auto loaded = load_lines(sample_with({{18, ""}}));
  EXPECT_TRUE(has_error(loaded, 15, "node[0].http_port",
                        {"required key is missing", "an integer 1..65535"}));
  auto no_admins = load_lines(sample_with({{3, ""}, {4, ""}}));
  EXPECT_TRUE(has_error(no_admins, 0, "admins",
                        {"required table [admins] is missing"}));
  EXPECT_EQ(no_admins.errors().back().to_string(),
            "test.toml: admins: required table [admins] is missing");
  auto no_nodes = load_lines(
      {"[admins]", "controllers = [\"rrkah-fqaaa-aaaaa-aaaaq-cai\"]"});
  EXPECT_TRUE(
      has_error(no_nodes, 0, "node", {"at least one [[node]] is required"}));
  EXPECT_TRUE(has_error(no_nodes, 0, "services",
                        {"required table [services] is missing"}));
  auto tls = load_lines(sample_plus({"tls = { cert = \"b.pem\" }"}));
  EXPECT_TRUE(
      has_error(tls, 26, "node[1].tls.key", {"required key is missing"}));
}

TEST(config_errors, tls_on_every_node_or_none) {
  auto loaded = load_lines(sample_plus(
      {"tls = { cert = \"b.pem\", key = \"b.key\", ca = \"ca.pem\" }"}));
  EXPECT_TRUE(has_error(loaded, 15, "node[0].tls",
                        {"node 'a' has no tls table but other nodes do"}));
}

TEST(config_errors, toml_syntax_error) {
  auto loaded = load_lines(sample_with({{17, "port = = 4100"}}));
  ASSERT_FALSE(loaded.ok());
  ASSERT_EQ(loaded.errors().size(), 1u);
  auto& e = loaded.errors().front();
  EXPECT_EQ(e.line, 17);
  EXPECT_GT(e.column, 0);
  EXPECT_NE(e.message.find("invalid TOML"), std::string::npos);
  EXPECT_EQ(e.to_string().rfind("test.toml:17:", 0), 0u) << e.to_string();
  auto twice = load_lines(sample_with({{22, "name = \"again\""}}));
  EXPECT_TRUE(has_error(twice, 22, "", {"invalid TOML", "redefine"}));
}

TEST(config_errors, several_errors_at_once) {
  auto loaded = load_lines(sample_with({{2, "placement = \"random\""},
                                        {13, "dao_factory = \"c\""},
                                        {17, "port = 70000"},
                                        {22, "port = 4101\nprot = 1"}}));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.errors().size(), 4u) << test::dump(loaded.errors());
  EXPECT_TRUE(has_error(loaded, 2, "cluster.placement", {"random"}));
  EXPECT_TRUE(has_error(loaded, 13, "services.dao_factory", {"\"c\""}));
  EXPECT_TRUE(has_error(loaded, 17, "node[0].port", {"70000"}));
  EXPECT_TRUE(has_error(loaded, 23, "node[1].prot", {"did you mean \"port\""}));
  // Sorted by line.
  for (size_t i = 1; i < loaded.errors().size(); ++i)
    EXPECT_LE(loaded.errors()[i - 1].line, loaded.errors()[i].line);
}

TEST(config_errors, unreadable_file) {
  auto loaded = load_topology("/nonexistent/icto/topology.toml");
  ASSERT_FALSE(loaded.ok());
  ASSERT_EQ(loaded.errors().size(), 1u);
  EXPECT_EQ(loaded.errors().front().to_string(),
            "/nonexistent/icto/topology.toml: cannot open: No such file or "
            "directory");
}
