#pragma once

// `icto load`: the load generator (DESIGN §7). It drives a running node over
// its real HTTP ingress with signed calls from several threads: a setup
// phase (setupMicroservices, test ICP minted to the load users, the backend
// approved for fees), paid deployments of the five kinds, then contract
// calls (transfers, participants added, contributions, queries). Every
// acknowledged state change is appended to an ack log the moment its reply
// arrives; `icto load check` verifies against a node that what the log says
// was acknowledged is there (deployments indexed, invoices, the audit chain,
// the ledger's supply, fees charged once).
//
// The pure parts (latency percentiles, the summary, the ack-log parser, the
// classification of replies, the expectations an ack log implies) are here
// so that tests reach them without a node.

#include "node/identity.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace icto::load {

// -- results of one call
// -------------------------------------------------------

/// The backend method that deploys a contract of `kind` ("token" →
/// "createToken", …, "dao" → "createDAO").
std::string create_method(const std::string& kind);

/// What became of one HTTP call.
enum class outcome_kind : uint8_t {
  /// 200 with {"ok": ...}.
  ok = 1,
  /// 200 with {"err": ...}: the service refused; `code` says why.
  refused,
  /// Any other answer: an ingress refusal (4xx), a timeout or unavailable
  /// actor (5xx), a body that is not a reply.
  failed,
  /// No answer: connection refused or reset. The node went away.
  lost,
};

/// The classified reply of one call.
struct call_outcome {
  outcome_kind kind = outcome_kind::failed;
  /// The `ok` payload, or the `err` object.
  nlohmann::json value;
  /// The error code (`limit_reached`, `timeout`, `unreachable`, ...); empty
  /// when ok.
  std::string code;
  std::string message;
  int http_status = 0;
  /// Measured around the HTTP exchange, client side.
  uint64_t latency_ns = 0;
};

/// Classifies an HTTP answer (status and body text).
call_outcome classify_reply(int http_status, const std::string& body);

/// True for refusals the load expects now and then and does not count as
/// errors (user limits, a participant added twice, a closed sale, funds).
bool is_expected_refusal(const std::string& code);

// -- statistics
// ----------------------------------------------------------------

/// The value at percentile `p` (0..100) of `sorted` (nearest rank); 0 for
/// an empty vector.
uint64_t percentile(const std::vector<uint64_t>& sorted, double p);

/// Everything measured for one operation type. Not thread-safe: the
/// recorder below serializes access.
struct op_stats {
  uint64_t ok = 0;
  /// Expected refusals, per error code.
  std::map<std::string, uint64_t> refused;
  /// Unexpected errors, per error code.
  std::map<std::string, uint64_t> errors;
  /// Calls that got no answer (the node went away).
  uint64_t lost = 0;
  /// Latency of each call, in ns (sorted by `summary::finish`).
  std::vector<uint64_t> latencies_ns;
  /// Steady-clock ns of the first call's start and the last call's end.
  uint64_t first_start_ns = 0;
  uint64_t last_end_ns = 0;

  uint64_t count() const;
  uint64_t refused_count() const;
  uint64_t error_count() const;
};

/// The summary of a run: per operation type, and the whole.
struct summary {
  std::map<std::string, op_stats> ops;
  /// Operation types in the order of their first call.
  std::vector<std::string> order;
  uint64_t wall_ns = 0;
  bool node_lost = false;

  /// Adds one call's outcome to `op`. `start_ns` is steady-clock time.
  void add(const std::string& op, const call_outcome& x, uint64_t start_ns);

  /// Sorts the latencies; call once, before rendering.
  void finish();

  uint64_t total_ops() const;
  /// Unexpected errors (calls without an answer not included).
  uint64_t total_errors() const;
  uint64_t total_lost() const;
  uint64_t ok_of(const std::string& op_prefix) const;
};

/// The table printed on stdout: per operation type count ok, refused by
/// code, errors by code, ops/s and latency p50 / p90 / p99 / max in ms; then
/// wall time and total ops/s.
std::string render_table(const summary& s);

/// The same as JSON (for scripts and the benchmark doc).
nlohmann::json summary_json(const summary& s);

// -- the ack log
// ---------------------------------------------------------------

/// The ack log read back: one JSON object per line.
struct ack_log {
  std::vector<nlohmann::json> entries;
  /// Lines that are not a JSON object with an "op", each "line N: why".
  std::vector<std::string> errors;
  /// A last line without its newline (the writer was killed mid-line); it
  /// was never complete, so it is skipped with a warning.
  std::vector<std::string> warnings;
};

/// Parses an ack log. Blank lines are skipped.
ack_log parse_ack_log(std::istream& in);

/// One acknowledged deployment, as the check needs it.
struct expected_contract {
  std::string request_id;
  std::string kind;
  std::string contract_id;
  std::string factory;
  std::string owner;
  uint64_t fee = 0;
  std::optional<uint64_t> payment_id;
  /// (participant, role) pairs the factory must index for this contract,
  /// from the deployment and the later acknowledged calls.
  std::set<std::pair<std::string, std::string>> roles;
};

/// What an ack log says must hold on the node.
struct expectations {
  std::vector<expected_contract> contracts;
  /// Sum of the acknowledged mints.
  uint64_t minted = 0;
  /// (token contract, recipient) -> the acknowledged transfers' sum.
  std::map<std::pair<std::string, std::string>, uint64_t> token_received;
  /// Every user principal the log names (owners, participants, minted to).
  std::set<std::string> users;
  /// Entries that name a contract no acknowledged deployment made; checked
  /// for existence only through what they name.
  std::vector<std::string> problems;
};

/// Derives the expectations from parsed entries.
expectations expectations_of(const std::vector<nlohmann::json>& entries);

// -- running
// -------------------------------------------------------------------

/// The options of `icto load` (see node/icto_main.cpp for their flags).
struct options {
  std::string node_url;
  identity admin;
  size_t users = 20;
  size_t deployments = 100;
  /// Contract calls after the deployments.
  size_t calls = 200;
  size_t concurrency = 8;
  /// Operations per second over the deploy and call phases; 0 = flat out.
  double rate = 0;
  uint64_t seed = 1;
  std::vector<std::string> kinds{"token", "multisig", "distribution", "dao",
                                 "launchpad"};
  std::string ack_log_file;
  std::string json_file;
  bool stop_on_disconnect = false;
  bool check = true;
};

/// Parses `--kinds a,b,c`; the error names the bad kind.
result<std::vector<std::string>> parse_kinds(const std::string& text);

/// Runs the load; prints the summary on `out`, progress and problems on
/// `err`. Exit code: 0 all went as expected, 1 unexpected errors, a lost
/// node (without stop_on_disconnect) or a failed check.
int run(const options& opt, std::ostream& out, std::ostream& err);

/// The options of `icto load check`.
struct check_options {
  std::string node_url;
  identity admin;
  std::string ack_log_file;
  size_t concurrency = 8;
};

/// Checks the invariants for what the ack log says was acknowledged; one
/// line per violation on `out`. Exit code: 0 all hold, 1 otherwise.
int run_check(const check_options& opt, std::ostream& out, std::ostream& err);

} // namespace icto::load
