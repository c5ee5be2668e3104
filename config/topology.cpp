#include "config/topology.hpp"

#include <algorithm>

namespace icto {

namespace {

template <class Enum, size_t N>
std::optional<Enum>
parse_enum(const std::array<Enum, N>& all, std::string_view text) {
  for (auto x : all)
    if (text == to_string(x))
      return x;
  return std::nullopt;
}

} // namespace

const char* to_string(placement_policy x) {
  switch (x) {
  case placement_policy::local: return "local";
  case placement_policy::round_robin: return "round_robin";
  case placement_policy::least_loaded: return "least_loaded";
  case placement_policy::hash: return "hash";
  }
  return "?";
}

const char* to_string(durability_mode x) {
  switch (x) {
  case durability_mode::sync: return "sync";
  case durability_mode::async: return "async";
  }
  return "?";
}

const char* to_string(node_role x) {
  switch (x) {
  case node_role::gateway: return "gateway";
  case node_role::factories: return "factories";
  case node_role::contracts: return "contracts";
  }
  return "?";
}

std::optional<placement_policy> parse_placement_policy(std::string_view text) {
  return parse_enum(all_placement_policies, text);
}

std::optional<durability_mode> parse_durability_mode(std::string_view text) {
  return parse_enum(all_durability_modes, text);
}

std::optional<node_role> parse_node_role(std::string_view text) {
  return parse_enum(all_node_roles, text);
}

std::optional<service_id> parse_service_id(std::string_view text) {
  return enum_from_string<service_id>(text);
}

bool is_factory(service_id x) {
  return required_role(x) == node_role::factories;
}

node_role required_role(service_id x) {
  switch (x) {
  case service_id::backend:
  case service_id::ledger:
  case service_id::audit_storage:
  case service_id::invoice_storage: return node_role::gateway;
  case service_id::token_factory:
  case service_id::multisig_factory:
  case service_id::distribution_factory:
  case service_id::dao_factory:
  case service_id::launchpad_factory: return node_role::factories;
  }
  return node_role::gateway;
}

bool node_config::has_role(node_role x) const {
  return std::find(roles.begin(), roles.end(), x) != roles.end();
}

const node_config* topology::find_node(std::string_view name) const {
  for (auto& node : nodes)
    if (node.name == name)
      return &node;
  return nullptr;
}

const node_config* topology::node_for_service(service_id x) const {
  return find_node(host_of(x));
}

const node_config* topology::node_for_service(std::string_view name) const {
  if (auto x = parse_service_id(name))
    return node_for_service(*x);
  return nullptr;
}

const node_config* topology::node_for_contract_index(uint64_t index) const {
  for (auto& node : nodes)
    if (node.contract_ids.contains(index))
      return &node;
  return nullptr;
}

std::vector<const node_config*> topology::contract_nodes() const {
  std::vector<const node_config*> result;
  for (auto& node : nodes)
    if (node.has_role(node_role::contracts))
      result.push_back(&node);
  return result;
}

std::vector<service_id>
topology::services_of(std::string_view node_name) const {
  std::vector<service_id> result;
  for (auto x : all_services)
    if (host_of(x) == node_name)
      result.push_back(x);
  return result;
}

const factory_settings* topology::factory(service_id x) const {
  switch (x) {
  case service_id::token_factory: return &fees.token_factory;
  case service_id::multisig_factory: return &fees.multisig_factory;
  case service_id::distribution_factory: return &fees.distribution_factory;
  case service_id::dao_factory: return &fees.dao_factory;
  case service_id::launchpad_factory: return &fees.launchpad_factory;
  default: return nullptr;
  }
}

} // namespace icto
