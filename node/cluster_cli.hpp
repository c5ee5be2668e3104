#pragma once

// `icto cluster up | status | down`: every node of a topology as a detached
// `ictod` on this machine, their health in one table, and their stop.
//
//   up      spawns `ictod --config FILE --node NAME [--data-dir B/NAME]` per
//           node (own session, stdin /dev/null, output appended to
//           B/NAME.log), records them in B/cluster.json, waits until every
//           node's GET /api/v1/status says ok (and cluster_ready if it has
//           the field); on a node's exit or a timeout it stops them all.
//   status  asks every node's /api/v1/status and prints one row per node.
//   down    SIGTERM to each recorded ictod, SIGKILL after the timeout,
//           removes B/cluster.json.
// B, the base folder, is --data-dir if given, else `<folder of FILE>/data`.
//
// The parts that need no process or socket (base folder, cluster.json,
// the status table and its heartbeat column, the ictod command line) are
// declared here so that tests reach them; the rest lives in the .cpp.

#include "config/topology.hpp"
#include "messages/error.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace icto::cluster_cli {

// -- options of the three commands
// -------------------------------------------

/// `icto cluster up`.
struct up_options {
  std::filesystem::path config;
  /// The base folder B; absent: `<folder of config>/data`, and each node
  /// keeps the topology's data_dir.
  std::optional<std::filesystem::path> data_dir;
  /// How long every node has to become ready.
  std::chrono::seconds timeout{60};
  /// The ictod binary; absent: `ictod` next to the running `icto`.
  std::optional<std::filesystem::path> ictod;
};

/// `icto cluster status`.
struct status_options {
  std::filesystem::path config;
  std::optional<std::filesystem::path> data_dir;
  /// Print the rows as a JSON array instead of a table.
  bool json = false;
};

/// `icto cluster down`.
struct down_options {
  std::filesystem::path config;
  std::optional<std::filesystem::path> data_dir;
  /// How long each node has after SIGTERM before it gets SIGKILL.
  std::chrono::seconds timeout{30};
};

/// Starts the cluster; the table goes to `out`, errors to `err`. Returns
/// the exit code: 0 every node ready (left running), 1 otherwise (every
/// node it started is stopped again).
int run_up(const up_options& opt, std::ostream& out, std::ostream& err);

/// Prints the status table (or JSON). Returns 0 if every node is up, else 1.
int run_status(const status_options& opt, std::ostream& out, std::ostream& err);

/// Stops the recorded nodes. Returns 0 when no process of the cluster is
/// left, else 1.
int run_down(const down_options& opt, std::ostream& out, std::ostream& err);

// -- base folder and cluster.json
// ---------------------------------------------

/// B: `data_dir` if given, else `<folder of config>/data`; made absolute
/// against the working directory.
std::filesystem::path
base_folder(const std::filesystem::path& config,
            const std::optional<std::filesystem::path>& data_dir);

/// `B/cluster.json`.
std::filesystem::path record_file(const std::filesystem::path& base);

/// One node that `up` started.
struct recorded_node {
  std::string name;
  int64_t pid = 0;
  std::string host;
  uint16_t http_port = 0;
  /// Where its stdout and stderr go (B/NAME.log).
  std::string log;

  friend bool operator==(const recorded_node& x, const recorded_node& y) {
    return x.name == y.name && x.pid == y.pid && x.host == y.host
           && x.http_port == y.http_port && x.log == y.log;
  }
};

/// What `up` writes to B/cluster.json and `status`/`down` read back.
struct cluster_record {
  /// The topology file, absolute.
  std::string config;
  /// B, absolute.
  std::string data_dir;
  std::vector<recorded_node> nodes;

  /// The entry of node `name`, or nullptr.
  const recorded_node* find(std::string_view name) const;

  friend bool operator==(const cluster_record& x, const cluster_record& y) {
    return x.config == y.config && x.data_dir == y.data_dir
           && x.nodes == y.nodes;
  }
};

nlohmann::json to_json(const cluster_record& x);

/// Decodes a record; an error names `source` and the field that is wrong.
result<cluster_record> record_from_json(const nlohmann::json& j,
                                        const std::string& source);

/// Writes `file` whole (a temporary file renamed over it).
result<unit> write_record(const std::filesystem::path& file,
                          const cluster_record& x);

/// Reads `file`: nullopt if it does not exist, an error naming the file if
/// it cannot be read or is not a record.
result<std::optional<cluster_record>>
read_record(const std::filesystem::path& file);

// -- processes
// ----------------------------------------------------------------

/// The command line of node `node`'s ictod: `ictod --config CONFIG --node
/// NODE`, plus `--data-dir DIR` if `node_data_dir` is given.
std::vector<std::string>
ictod_command(const std::filesystem::path& ictod,
              const std::filesystem::path& config, const std::string& node,
              const std::optional<std::filesystem::path>& node_data_dir);

/// Whether `cmdline` (the NUL-separated text of /proc/PID/cmdline) is an
/// ictod started for node `node`: its program's name contains "ictod" and
/// it has `--node NODE`. A zombie's empty cmdline is not.
bool is_ictod_of(std::string_view cmdline, std::string_view node);

/// "exited with code N" or "was killed by signal N (NAME)" for a wait
/// status.
std::string describe_exit(int wait_status);

/// The last `n` lines of `text`, each with its newline.
std::string last_lines(std::string_view text, size_t n);

/// The host to connect to for a listener on `host`: the loopback address
/// for a wildcard (0.0.0.0, ::, empty), else `host`.
std::string connect_host(const std::string& host);

// -- the status table
// ---------------------------------------------------------

/// What a node's status answer says of it.
enum class node_health : uint8_t {
  /// Answered with "healthy": true, or without the field.
  up,
  /// Answered, but "healthy": false, an error status or a body that is not
  /// JSON.
  degraded,
  /// No answer.
  down,
};

const char* to_string(node_health x);

/// One node as `status` asks it, and what it answered.
struct node_probe {
  std::string name;
  /// host:port of the cluster (BASP) listener, from the topology.
  std::string address;
  std::string host;
  uint16_t http_port = 0;
  /// From the topology.
  std::vector<std::string> roles;
  /// 0 when there was no answer.
  int http_status = 0;
  /// The answer's body if it was JSON.
  std::optional<nlohmann::json> body;
  /// Why there was no answer (connection refused, timeout, ...).
  std::string error;
};

/// The nodes of `topo` to ask, in the order of the file; the HTTP port of
/// a node `record` names is the recorded one.
std::vector<node_probe> probes_of(const topology& topo,
                                  const std::optional<cluster_record>& record);

/// Whether a status body says the node is ready: "ok": true, and
/// "cluster_ready": true if it has that field.
bool is_ready(const nlohmann::json& body);

node_health health_of(const node_probe& p);

/// The freshest `peers[].last_heartbeat_ms_ago` that any node other than
/// `node` reports for `node`; nullopt if none does.
std::optional<uint64_t>
freshest_heartbeat(const std::string& node,
                   const std::vector<node_probe>& probes);

/// One row of the status table. Values only the node knows are nullopt
/// when it did not say them.
struct status_row {
  std::string node;
  /// host:port: the node's "address" if it said one, else the topology's.
  std::string address;
  /// The node's "roles" if it said them, else the topology's.
  std::vector<std::string> roles;
  std::optional<uint64_t> contracts;
  std::optional<uint64_t> uptime_ms;
  node_health health = node_health::down;
  std::optional<uint64_t> last_heartbeat_ms;
};

/// One row per probe, in order.
std::vector<status_row> make_rows(const std::vector<node_probe>& probes);

/// "42 s", "5 min 03 s", "2 h 05 min", "3 d 04 h".
std::string format_uptime(uint64_t ms);

/// "0.4 s ago".
std::string format_heartbeat(uint64_t ms);

/// The table: a header line (NODE ADDRESS ROLES CONTRACTS UPTIME HEALTH
/// LAST HEARTBEAT) then one line per row, columns padded, "-" for values
/// not known.
std::string format_table(const std::vector<status_row>& rows);

/// The rows as a JSON array (raw numbers, null for values not known).
nlohmann::json rows_to_json(const std::vector<status_row>& rows);

} // namespace icto::cluster_cli
