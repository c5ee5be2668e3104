// Placement (actors/common/cluster_view.hpp): the node a factory gives a new
// contract under each policy, with nodes up and down.

#include "actors/common/cluster_view.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

using namespace icto;

/// gateway (no contracts), w1, w2, w3 (contracts), seen from `self`.
cluster_view make(placement_rule rule, const std::string& self = "gateway") {
  std::vector<cluster_view::node> nodes;
  for (auto name : {"gateway", "w1", "w2", "w3"}) {
    cluster_view::node n;
    n.name = name;
    n.hosts_contracts = std::string{name} != "gateway";
    n.up = true;
    nodes.push_back(n);
  }
  return cluster_view{self, nodes, rule};
}

std::string chosen(cluster_view& v, const principal& owner) {
  auto c = v.choose(owner);
  return c ? *c : "refused: " + c.err().message;
}

const principal alice = principal::canister_id(7'000);

TEST(cluster_view, round_robin_takes_the_contract_nodes_in_turn) {
  auto v = make(placement_rule::round_robin);
  EXPECT_EQ(chosen(v, alice), "w1");
  EXPECT_EQ(chosen(v, alice), "w2");
  EXPECT_EQ(chosen(v, alice), "w3");
  EXPECT_EQ(chosen(v, alice), "w1");
  v.set_up("w2", false);
  for (int i = 0; i < 6; ++i)
    EXPECT_NE(chosen(v, alice), "w2");
  v.set_up("w1", false);
  v.set_up("w3", false);
  auto r = chosen(v, alice);
  EXPECT_EQ(r.rfind("refused: every node with role contracts is down", 0), 0u)
      << r;
  EXPECT_FALSE(v.any_contract_node_up());
  EXPECT_EQ(v.contract_nodes_down().size(), 3u);
}

TEST(cluster_view, least_loaded_takes_the_node_with_fewest_contracts) {
  auto v = make(placement_rule::least_loaded);
  v.set_heartbeat("w1", 1, 100, 10);
  v.set_heartbeat("w2", 1, 100, 3);
  v.set_heartbeat("w3", 1, 100, 5);
  EXPECT_EQ(chosen(v, alice), "w2"); // 3 -> 4
  EXPECT_EQ(chosen(v, alice), "w2"); // 4 -> 5
  auto next = chosen(v, alice);      // w2 and w3 both at 5
  EXPECT_TRUE(next == "w2" || next == "w3") << next;
  v.set_up("w2", false);
  v.set_up("w3", false);
  EXPECT_EQ(chosen(v, alice), "w1");
}

TEST(cluster_view, hash_keeps_an_owners_contracts_together) {
  auto v = make(placement_rule::hash);
  std::map<std::string, int> seen;
  for (uint64_t i = 0; i < 60; ++i) {
    const auto owner = principal::canister_id(10'000 + i);
    const auto first = chosen(v, owner);
    EXPECT_EQ(chosen(v, owner), first);
    ++seen[first];
  }
  // Owners spread over all three nodes.
  EXPECT_EQ(seen.size(), 3u);
  // The owner's node down: refused, not moved elsewhere.
  const auto home = chosen(v, alice);
  v.set_up(home, false);
  auto r = chosen(v, alice);
  EXPECT_NE(r.find("refused: node " + home), std::string::npos) << r;
  EXPECT_NE(r.find("is down"), std::string::npos) << r;
}

TEST(cluster_view, local_needs_the_role_on_this_node) {
  auto here = make(placement_rule::local, "w2");
  EXPECT_EQ(chosen(here, alice), "w2");
  auto gateway = make(placement_rule::local, "gateway");
  auto r = chosen(gateway, alice);
  EXPECT_NE(r.find("node gateway has no role contracts"), std::string::npos)
      << r;
}

TEST(cluster_view, a_service_on_a_down_node_is_named) {
  auto v = make(placement_rule::round_robin);
  v.set_service_hosts({"gateway", "w1"});
  EXPECT_FALSE(v.service_host_down(0));
  v.set_up("w1", false);
  EXPECT_EQ(v.service_host_down(1), std::optional<std::string>{"w1"});
  EXPECT_FALSE(v.service_host_down(7));
  EXPECT_TRUE(v.is_up("gateway"));
  EXPECT_FALSE(v.is_up("w1"));
}

} // namespace
