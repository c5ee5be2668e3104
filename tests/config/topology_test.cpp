#include "config/dev_identity.hpp"
#include "config/load_topology.hpp"
#include "tests/config/sample_topology.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace icto;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path source_dir = ICTO_SOURCE_DIR;

std::vector<std::string> role_names(const node_config& node) {
  std::vector<std::string> result;
  for (auto x : node.roles)
    result.emplace_back(to_string(x));
  return result;
}

} // namespace

TEST(config_topology, dev_admin_principal_is_fixed) {
  // The shipped dev topologies and config/README.md spell this text.
  EXPECT_EQ(dev_admin_principal().to_text(),
            "tkrkc-2wfba-vfc57-x4zni-n2bij-4j2to-kjskv-rq3kx-yosqd-u2bs5-hqe");
  EXPECT_EQ(dev_admin_principal().kind(), principal_kind::self_authenticating);
}

TEST(config_topology, local_3_loads) {
  auto file = source_dir / "config" / "local-3.toml";
  auto loaded = load_topology(file);
  ASSERT_TRUE(loaded.ok()) << test::dump(loaded.errors());
  auto& t = *loaded;
  EXPECT_EQ(t.source, file.string());
  EXPECT_EQ(t.cluster.name, "icto-local");
  EXPECT_TRUE(t.cluster.dev_mode);
  EXPECT_EQ(t.cluster.placement, placement_policy::round_robin);
  EXPECT_EQ(t.cluster.heartbeat_interval, 1000ms);
  ASSERT_EQ(t.nodes.size(), 3u);
  EXPECT_EQ(t.nodes[0].name, "gateway");
  EXPECT_EQ(t.nodes[1].name, "factories");
  EXPECT_EQ(t.nodes[2].name, "worker");
  EXPECT_EQ(role_names(t.nodes[0]), std::vector<std::string>{"gateway"});
  EXPECT_EQ(role_names(t.nodes[1]), std::vector<std::string>{"factories"});
  EXPECT_EQ(role_names(t.nodes[2]), std::vector<std::string>{"contracts"});
  for (auto id : {service_id::backend, service_id::ledger,
                  service_id::audit_storage, service_id::invoice_storage}) {
    ASSERT_NE(t.node_for_service(id), nullptr);
    EXPECT_EQ(t.node_for_service(id)->name, "gateway");
  }
  for (auto id : all_services) {
    if (is_factory(id)) {
      ASSERT_NE(t.node_for_service(id), nullptr);
      EXPECT_EQ(t.node_for_service(id)->name, "factories");
    }
  }
  EXPECT_EQ(t.node_for_service("dao_factory"), t.find_node("factories"));
  EXPECT_EQ(t.node_for_service("no_such_service"), nullptr);
  EXPECT_EQ(t.services_of("worker").size(), 0u);
  EXPECT_EQ(t.services_of("gateway").size(), 4u);
  EXPECT_EQ(t.node_for_contract_index(1'500'000), t.find_node("worker"));
  EXPECT_EQ(t.node_for_contract_index(5), nullptr);
  EXPECT_EQ(t.node_for_contract_index(2'000'000), nullptr);
  ASSERT_EQ(t.contract_nodes().size(), 1u);
  EXPECT_EQ(t.contract_nodes()[0]->name, "worker");
  ASSERT_EQ(t.controllers.size(), 1u);
  EXPECT_EQ(t.controllers[0], dev_admin_principal());
  EXPECT_EQ(t.ledger.minting_account, dev_admin_principal());
  EXPECT_EQ(t.find_node("factories")->port, 4101);
  EXPECT_EQ(t.find_node("factories")->http_port, 8101);
  // Relative paths resolve against the file's folder.
  EXPECT_EQ(
      t.find_node("gateway")->data_dir,
      std::filesystem::absolute(source_dir / "config" / "data" / "gateway")
          .lexically_normal());
  EXPECT_EQ(t.fees.launchpad_factory.fee, 1'000'000'000u);
  EXPECT_EQ(t.factory(service_id::dao_factory)->initial_cycles, 300'000'000u);
  EXPECT_EQ(t.factory(service_id::ledger), nullptr);
}

TEST(config_topology, single_node_loads) {
  auto loaded = load_topology(source_dir / "config" / "single-node.toml");
  ASSERT_TRUE(loaded.ok()) << test::dump(loaded.errors());
  auto& t = *loaded;
  ASSERT_EQ(t.nodes.size(), 1u);
  auto& node = t.nodes[0];
  EXPECT_EQ(node.name, "local");
  EXPECT_TRUE(node.has_role(node_role::gateway));
  EXPECT_TRUE(node.has_role(node_role::factories));
  EXPECT_TRUE(node.has_role(node_role::contracts));
  for (auto id : all_services)
    EXPECT_EQ(t.node_for_service(id), &node) << to_string(id);
  EXPECT_TRUE(t.cluster.dev_mode);
  EXPECT_EQ(t.controllers, std::vector<principal>{dev_admin_principal()});
  EXPECT_EQ(t.ledger.minting_account, dev_admin_principal());
  EXPECT_EQ(node.data_dir.filename(), "local");
  EXPECT_EQ(node.data_dir.parent_path().filename(), "data");
  EXPECT_FALSE(node.contract_ids.empty());
  EXPECT_EQ(t.node_for_contract_index(node.contract_ids.start), &node);
}

TEST(config_topology, defaults_apply_to_absent_keys) {
  auto loaded = test::load_lines(test::sample_lines());
  ASSERT_TRUE(loaded.ok()) << test::dump(loaded.errors());
  auto& t = *loaded;
  EXPECT_EQ(t.cluster.name, "test");
  EXPECT_EQ(t.cluster.placement, placement_policy::round_robin);
  EXPECT_EQ(t.cluster.request_timeout, 5000ms);
  EXPECT_EQ(t.cluster.heartbeat_interval, 1000ms);
  EXPECT_EQ(t.cluster.connection_timeout, 5000ms);
  EXPECT_EQ(t.cluster.health_check_interval, 10000ms);
  EXPECT_EQ(t.cluster.log_level, "info");
  EXPECT_FALSE(t.cluster.dev_mode);
  EXPECT_EQ(t.persistence.checkpoint_every_events, 10000u);
  EXPECT_EQ(t.persistence.durability, durability_mode::sync);
  EXPECT_EQ(t.ledger.fee, 10000u);
  EXPECT_EQ(t.ledger.minting_account, t.controllers.at(0));
  EXPECT_EQ(t.ledger.token_name, "Internet Computer");
  EXPECT_EQ(t.ledger.token_symbol, "ICP");
  EXPECT_EQ(t.ledger.decimals, 8);
  // ICTO V2 ConfigService defaults.
  EXPECT_EQ(t.fees.token_factory.fee, 100'000'000u);
  EXPECT_EQ(t.fees.multisig_factory.fee, 50'000'000u);
  EXPECT_EQ(t.fees.distribution_factory.fee, 100'000'000u);
  EXPECT_EQ(t.fees.dao_factory.fee, 500'000'000u);
  EXPECT_EQ(t.fees.launchpad_factory.fee, 1'000'000'000u);
  EXPECT_EQ(t.fees.token_factory.initial_cycles, 200'000'000u);
  EXPECT_EQ(t.fees.dao_factory.initial_cycles, 300'000'000u);
  EXPECT_EQ(t.fees.launchpad_factory.initial_cycles, 2'000'000'000u);
  for (auto id : all_services) {
    if (auto f = t.factory(id)) {
      EXPECT_TRUE(f->enabled) << to_string(id);
    }
  }
  EXPECT_EQ(t.limits.max_deployments_per_user, 100u);
  auto& a = t.nodes.at(0);
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.data_dir, std::filesystem::path{"data/a"});
  EXPECT_FALSE(a.log_file);
  EXPECT_FALSE(a.tls);
  EXPECT_TRUE(a.contract_ids.empty());
  EXPECT_EQ(t.nodes.at(1).contract_ids.start, 100u);
  EXPECT_EQ(t.nodes.at(1).contract_ids.count, 100u);
}

TEST(config_topology, given_values_override_defaults) {
  auto lines = test::sample_with(
      {{2, "name = \"test\"\nplacement = \"hash\"\nlog_level = \"debug\""},
       {14, "launchpad_factory = \"b\"\n[fees.dao_factory]\nenabled = "
            "false\n[persistence]\ndurability = \"async\""},
       {19, "roles = [\"gateway\"]\nlog_file = \"logs/a.log\"\ndata_dir = "
            "\"/var/lib/icto/a\""}});
  auto loaded = load_topology_from_string(test::join_lines(lines), "x.toml",
                                          "/etc/icto");
  ASSERT_TRUE(loaded.ok()) << test::dump(loaded.errors());
  auto& t = *loaded;
  EXPECT_EQ(t.cluster.placement, placement_policy::hash);
  EXPECT_EQ(t.cluster.log_level, "debug");
  EXPECT_FALSE(t.fees.dao_factory.enabled);
  EXPECT_EQ(t.fees.dao_factory.fee, 500'000'000u);
  EXPECT_TRUE(t.fees.token_factory.enabled);
  EXPECT_EQ(t.persistence.durability, durability_mode::async);
  auto& a = t.nodes.at(0);
  EXPECT_EQ(a.data_dir, std::filesystem::path{"/var/lib/icto/a"});
  ASSERT_TRUE(a.log_file);
  EXPECT_EQ(*a.log_file, std::filesystem::path{"/etc/icto/logs/a.log"});
  EXPECT_EQ(t.nodes.at(1).data_dir, std::filesystem::path{"/etc/icto/data/b"});
}

TEST(config_topology, tls_paths) {
  auto lines = test::sample_lines();
  lines[18] += "\ntls = { cert = \"a.pem\", key = \"a.key\", ca = \"ca.pem\" }";
  lines.push_back(
      "tls = { cert = \"b.pem\", key = \"b.key\", ca = \"ca.pem\" }");
  auto loaded = load_topology_from_string(test::join_lines(lines), "x.toml",
                                          "/pki");
  ASSERT_TRUE(loaded.ok()) << test::dump(loaded.errors());
  ASSERT_TRUE(loaded->nodes[0].tls);
  EXPECT_EQ(loaded->nodes[0].tls->cert, std::filesystem::path{"/pki/a.pem"});
  EXPECT_EQ(loaded->nodes[1].tls->key, std::filesystem::path{"/pki/b.key"});
  EXPECT_EQ(loaded->nodes[1].tls->ca, std::filesystem::path{"/pki/ca.pem"});
}

TEST(config_topology, contract_id_range) {
  contract_id_range r{10, 5};
  EXPECT_TRUE(r.contains(10));
  EXPECT_TRUE(r.contains(14));
  EXPECT_FALSE(r.contains(15));
  EXPECT_FALSE(r.contains(9));
  EXPECT_TRUE(r.overlaps({14, 1}));
  EXPECT_FALSE(r.overlaps({15, 10}));
  EXPECT_FALSE(r.overlaps({12, 0}));
  EXPECT_FALSE((contract_id_range{0, 0}).contains(0));
}

TEST(config_topology, enum_names_round_trip) {
  for (auto x : all_placement_policies)
    EXPECT_EQ(parse_placement_policy(to_string(x)), x);
  for (auto x : all_durability_modes)
    EXPECT_EQ(parse_durability_mode(to_string(x)), x);
  for (auto x : all_node_roles)
    EXPECT_EQ(parse_node_role(to_string(x)), x);
  for (auto x : all_services)
    EXPECT_EQ(parse_service_id(to_string(x)), x);
  EXPECT_FALSE(parse_node_role("worker"));
  EXPECT_EQ(all_services.size(), 9u);
}
