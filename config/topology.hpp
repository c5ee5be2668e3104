#pragma once

#include "messages/common.hpp"
#include "messages/principal.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace icto {

/// How a factory chooses the node that hosts a new contract.
enum class placement_policy : uint8_t {
  /// On the factory's own node.
  local,
  /// The nodes with role `contracts` in turn.
  round_robin,
  /// The node with role `contracts` that hosts the fewest contracts.
  least_loaded,
  /// By a hash of the owner's principal over the nodes with role `contracts`.
  hash,
};

/// When a state change counts as persisted.
enum class durability_mode : uint8_t {
  /// The journal write is synced before the reply.
  sync,
  /// Not synced: a crash may lose acknowledged changes (benchmarks only).
  async,
};

/// What a node may run.
enum class node_role : uint8_t {
  /// The backend, the ledger and the two storages.
  gateway,
  /// The five factories.
  factories,
  /// Deployed contracts (placement targets).
  contracts,
};

/// How many services a cluster has (`service_id` is messages/common.hpp's).
inline constexpr size_t service_count = std::extent_v<std::remove_reference_t<
    decltype(icto_enum_names(static_cast<const service_id*>(nullptr)))>>;

/// Every service, in the order of `service_id`.
inline constexpr std::array<service_id, service_count> all_services = [] {
  std::array<service_id, service_count> result{};
  for (size_t i = 0; i < service_count; ++i)
    result[i] = static_cast<service_id>(i);
  return result;
}();

inline constexpr std::array<placement_policy, 4> all_placement_policies = {
    placement_policy::local,
    placement_policy::round_robin,
    placement_policy::least_loaded,
    placement_policy::hash,
};

inline constexpr std::array<durability_mode, 2> all_durability_modes = {
    durability_mode::sync,
    durability_mode::async,
};

inline constexpr std::array<node_role, 3> all_node_roles = {
    node_role::gateway,
    node_role::factories,
    node_role::contracts,
};

/// The names spdlog knows, in the order of its levels; `cluster.log_level`
/// takes one of them.
inline constexpr std::array<std::string_view, 7> all_log_levels = {
    "trace", "debug", "info", "warn", "error", "critical", "off",
};

const char* to_string(placement_policy x);
const char* to_string(durability_mode x);
const char* to_string(node_role x);

std::optional<placement_policy> parse_placement_policy(std::string_view text);
std::optional<durability_mode> parse_durability_mode(std::string_view text);
std::optional<node_role> parse_node_role(std::string_view text);
std::optional<service_id> parse_service_id(std::string_view text);

/// Whether the service is one of the five factories.
bool is_factory(service_id x);

/// The role a node needs to host the service.
node_role required_role(service_id x);

/// The contract-id indexes a node allocates from: [start, start + count).
struct contract_id_range {
  uint64_t start = 0;
  uint64_t count = 0;

  bool empty() const {
    return count == 0;
  }
  /// One past the last index.
  uint64_t end() const {
    return start + count;
  }
  bool contains(uint64_t index) const {
    return index >= start && index - start < count;
  }
  bool overlaps(const contract_id_range& other) const {
    return !empty() && !other.empty() && start < other.end()
           && other.start < end();
  }
};

/// Certificate files for BASP over TLS between the nodes.
struct tls_config {
  std::filesystem::path cert;
  std::filesystem::path key;
  std::filesystem::path ca;
};

/// One `[[node]]` of the topology: one `ictod` process.
struct node_config {
  std::string name;
  std::string host;
  /// The cluster (CAF/BASP) port.
  uint16_t port = 0;
  /// The ingress HTTP port.
  uint16_t http_port = 0;
  /// Resolved against the config file's folder if it was relative.
  std::filesystem::path data_dir;
  /// Absent: log to stderr only.
  std::optional<std::filesystem::path> log_file;
  std::vector<node_role> roles;
  /// Empty unless the node has role `contracts`.
  contract_id_range contract_ids;
  std::optional<tls_config> tls;

  bool has_role(node_role x) const;
};

/// `[cluster]`: settings every node shares.
struct cluster_settings {
  std::string name;
  placement_policy placement = placement_policy::round_robin;
  std::chrono::milliseconds request_timeout{0};
  /// Zero turns CAF's middleman heartbeats off (single-node topologies only).
  std::chrono::milliseconds heartbeat_interval{0};
  std::chrono::milliseconds connection_timeout{0};
  std::chrono::milliseconds health_check_interval{0};
  /// One of `all_log_levels`; the command line may override it.
  std::string log_level;
  bool dev_mode = false;
};

/// `[persistence]`: how each node's store writes.
struct persistence_settings {
  uint64_t checkpoint_every_events = 0;
  durability_mode durability = durability_mode::sync;
};

/// `[ledger]`: the ICRC-1/ICRC-2 ledger that pays the fees.
struct ledger_settings {
  /// The ledger's transfer fee, in e8s.
  uint64_t fee = 0;
  principal minting_account;
  std::string token_name;
  std::string token_symbol;
  uint8_t decimals = 0;
};

/// `[fees.<factory>]`: what a deployment costs and whether it is allowed.
struct factory_settings {
  /// In e8s of the ledger's token.
  uint64_t fee = 0;
  bool enabled = false;
  uint64_t initial_cycles = 0;
};

/// `[fees]`: one entry per factory.
struct fee_settings {
  factory_settings token_factory;
  factory_settings multisig_factory;
  factory_settings distribution_factory;
  factory_settings dao_factory;
  factory_settings launchpad_factory;
};

/// `[limits]`: per-user quotas.
struct limit_settings {
  /// Zero means unlimited.
  uint64_t max_deployments_per_user = 0;
};

/// A cluster as a topology file describes it, fully validated: every node,
/// which node hosts each service, and the settings every node shares. Made
/// by `load_topology`; a plain value that nodes and tools copy freely.
struct topology {
  /// The file it was loaded from (or the source name given for a string).
  std::string source;
  cluster_settings cluster;
  persistence_settings persistence;
  /// Super admins of the backend; never empty.
  std::vector<principal> controllers;
  ledger_settings ledger;
  /// The name of the node that hosts each service, indexed by `service_id`.
  std::array<std::string, service_count> service_hosts;
  fee_settings fees;
  limit_settings limits;
  /// In the order of the file.
  std::vector<node_config> nodes;

  const node_config* find_node(std::string_view name) const;
  const node_config* node_for_service(service_id x) const;
  /// nullptr for a name that is no service.
  const node_config* node_for_service(std::string_view name) const;
  /// The node whose contract-id range holds `index`, if any.
  const node_config* node_for_contract_index(uint64_t index) const;
  /// The nodes with role `contracts`, in the order of the file.
  std::vector<const node_config*> contract_nodes() const;
  /// The services the node hosts, in `service_id` order.
  std::vector<service_id> services_of(std::string_view node_name) const;

  const std::string& host_of(service_id x) const {
    return service_hosts[static_cast<size_t>(x)];
  }
  std::string& host_of(service_id x) {
    return service_hosts[static_cast<size_t>(x)];
  }

  /// The fees and flags of a factory; nullptr for other services.
  const factory_settings* factory(service_id x) const;
};

} // namespace icto
