#include "node/load.hpp"

#include "node/signed_call.hpp"

#include <httplib.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iomanip>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace icto::load {

using json = nlohmann::json;

namespace {

const std::string backend_id = "ryjl3-tyaaa-aaaaa-aaaba-cai";
const std::string ledger_id = "rrkah-fqaaa-aaaaa-aaaaq-cai";
const std::vector<std::string> all_kinds = {"token", "multisig", "distribution",
                                            "dao", "launchpad"};

/// What a contributor gives a launchpad per contribution (its minimum).
constexpr uint64_t contribution = 1'000'000;
/// What a token owner sends per transfer, in the token's units.
constexpr uint64_t token_transfer = 1'000;
constexpr uint64_t token_fee = 10;
constexpr uint64_t recipient_amount = 100;

uint64_t steady_ns() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<nanoseconds>(steady_clock::now().time_since_epoch())
          .count());
}

uint64_t wall_clock_ns() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<nanoseconds>(system_clock::now().time_since_epoch())
          .count());
}

json account_of(const std::string& owner) {
  return {{"owner", owner}, {"subaccount", nullptr}};
}

std::string factory_of(const std::string& kind) {
  return kind + "_factory";
}

/// The role the factory indexes for a participant of a contract kind.
std::string participant_role(const std::string& kind) {
  if (kind == "multisig")
    return "signer";
  if (kind == "distribution")
    return "recipient";
  if (kind == "dao")
    return "member";
  if (kind == "launchpad")
    return "participant";
  return "holder";
}

double ms_of(uint64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

std::string fixed(double x, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << x;
  return out.str();
}

/// "code:n code:n" of a count map, "-" when empty.
std::string codes_text(const std::map<std::string, uint64_t>& m,
                       uint64_t lost = 0) {
  std::string out;
  for (const auto& [code, n] : m)
    out += (out.empty() ? "" : " ") + code + ":" + std::to_string(n);
  if (lost > 0)
    out += (out.empty() ? "" : " ") + std::string{"unreachable:"}
           + std::to_string(lost);
  return out.empty() ? "-" : out;
}

double rate_of(uint64_t n, uint64_t ns) {
  return ns == 0 ? 0.0 : static_cast<double>(n) * 1e9 / static_cast<double>(ns);
}

} // namespace

std::string create_method(const std::string& kind) {
  if (kind == "token")
    return "createToken";
  if (kind == "multisig")
    return "createMultisig";
  if (kind == "distribution")
    return "createDistribution";
  if (kind == "dao")
    return "createDAO";
  return "createLaunchpad";
}

// -- results of one call
// -------------------------------------------------------

call_outcome classify_reply(int http_status, const std::string& body) {
  call_outcome x;
  x.http_status = http_status;
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    x.kind = outcome_kind::failed;
    x.code = "bad_reply";
    x.message = "HTTP " + std::to_string(http_status) + ": "
                + body.substr(0, 200);
    return x;
  }
  if (http_status == 200 && j.contains("ok")) {
    x.kind = outcome_kind::ok;
    x.value = std::move(j["ok"]);
    return x;
  }
  if (j.contains("err") && j["err"].is_object()) {
    const auto& e = j["err"];
    x.kind = http_status == 200 ? outcome_kind::refused : outcome_kind::failed;
    x.code = e.contains("code") && e["code"].is_string()
                 ? e["code"].get<std::string>()
                 : std::string{"unknown"};
    if (e.contains("message") && e["message"].is_string())
      x.message = e["message"].get<std::string>();
    x.value = e;
    return x;
  }
  x.kind = outcome_kind::failed;
  x.code = "bad_reply";
  x.message = "HTTP " + std::to_string(http_status) + ": "
              + body.substr(0, 200);
  return x;
}

bool is_expected_refusal(const std::string& code) {
  static const std::set<std::string> expected = {
      "limit_reached",    "already_done",      "invalid_state",
      "maintenance_mode", "InsufficientFunds", "InsufficientAllowance",
  };
  return expected.count(code) > 0;
}

// -- statistics
// ----------------------------------------------------------------

uint64_t percentile(const std::vector<uint64_t>& sorted, double p) {
  if (sorted.empty())
    return 0;
  const double n = static_cast<double>(sorted.size());
  auto rank
      = static_cast<size_t>(std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * n));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

uint64_t op_stats::count() const {
  return ok + refused_count() + error_count() + lost;
}

uint64_t op_stats::refused_count() const {
  uint64_t n = 0;
  for (const auto& kv : refused)
    n += kv.second;
  return n;
}

uint64_t op_stats::error_count() const {
  uint64_t n = 0;
  for (const auto& kv : errors)
    n += kv.second;
  return n;
}

void summary::add(const std::string& op, const call_outcome& x,
                  uint64_t start_ns) {
  auto [it, fresh] = ops.try_emplace(op);
  if (fresh)
    order.push_back(op);
  auto& s = it->second;
  if (fresh || start_ns < s.first_start_ns)
    s.first_start_ns = start_ns;
  s.last_end_ns = std::max(s.last_end_ns, start_ns + x.latency_ns);
  switch (x.kind) {
  case outcome_kind::ok: ++s.ok; break;
  case outcome_kind::refused:
    if (is_expected_refusal(x.code))
      ++s.refused[x.code];
    else
      ++s.errors[x.code];
    break;
  case outcome_kind::failed: ++s.errors[x.code]; break;
  case outcome_kind::lost: ++s.lost; break;
  }
  if (x.kind != outcome_kind::lost)
    s.latencies_ns.push_back(x.latency_ns);
}

void summary::finish() {
  for (auto& kv : ops)
    std::sort(kv.second.latencies_ns.begin(), kv.second.latencies_ns.end());
}

uint64_t summary::total_ops() const {
  uint64_t n = 0;
  for (const auto& kv : ops)
    n += kv.second.count();
  return n;
}

uint64_t summary::total_errors() const {
  uint64_t n = 0;
  for (const auto& kv : ops)
    n += kv.second.error_count();
  return n;
}

uint64_t summary::total_lost() const {
  uint64_t n = 0;
  for (const auto& kv : ops)
    n += kv.second.lost;
  return n;
}

uint64_t summary::ok_of(const std::string& op_prefix) const {
  uint64_t n = 0;
  for (const auto& [name, s] : ops)
    if (name.compare(0, op_prefix.size(), op_prefix) == 0)
      n += s.ok;
  return n;
}

std::string render_table(const summary& s) {
  std::ostringstream out;
  auto row = [&out](const std::string& op, const std::string& ok,
                    const std::string& refused, const std::string& errors,
                    const std::string& rate, const std::string& p50,
                    const std::string& p90, const std::string& p99,
                    const std::string& max) {
    out << std::left << std::setw(26) << op << std::right << std::setw(7) << ok
        << "  " << std::left << std::setw(26) << refused << " " << std::setw(16)
        << errors << std::right << std::setw(9) << rate << std::setw(9) << p50
        << std::setw(9) << p90 << std::setw(9) << p99 << std::setw(9) << max
        << '\n';
  };
  row("operation", "ok", "refused", "errors", "ops/s", "p50 ms", "p90 ms",
      "p99 ms", "max ms");
  std::vector<uint64_t> all;
  uint64_t ok = 0;
  std::map<std::string, uint64_t> refused;
  std::map<std::string, uint64_t> errors;
  uint64_t lost = 0;
  for (const auto& name : s.order) {
    const auto& x = s.ops.at(name);
    row(name, std::to_string(x.ok), codes_text(x.refused),
        codes_text(x.errors, x.lost),
        fixed(rate_of(x.count(), x.last_end_ns - x.first_start_ns), 1),
        fixed(ms_of(percentile(x.latencies_ns, 50)), 2),
        fixed(ms_of(percentile(x.latencies_ns, 90)), 2),
        fixed(ms_of(percentile(x.latencies_ns, 99)), 2),
        fixed(ms_of(x.latencies_ns.empty() ? 0 : x.latencies_ns.back()), 2));
    all.insert(all.end(), x.latencies_ns.begin(), x.latencies_ns.end());
    ok += x.ok;
    for (const auto& [c, n] : x.refused)
      refused[c] += n;
    for (const auto& [c, n] : x.errors)
      errors[c] += n;
    lost += x.lost;
  }
  std::sort(all.begin(), all.end());
  row("all", std::to_string(ok), codes_text(refused), codes_text(errors, lost),
      fixed(rate_of(s.total_ops(), s.wall_ns), 1),
      fixed(ms_of(percentile(all, 50)), 2),
      fixed(ms_of(percentile(all, 90)), 2),
      fixed(ms_of(percentile(all, 99)), 2),
      fixed(ms_of(all.empty() ? 0 : all.back()), 2));
  out << "wall time " << fixed(static_cast<double>(s.wall_ns) / 1e9, 2)
      << " s, " << s.total_ops() << " operations, "
      << fixed(rate_of(s.total_ops(), s.wall_ns), 1) << " ops/s, "
      << s.total_errors() << " unexpected errors";
  if (lost > 0)
    out << ", " << lost << " calls without an answer";
  out << '\n';
  return out.str();
}

json summary_json(const summary& s) {
  json by_op = json::object();
  for (const auto& name : s.order) {
    const auto& x = s.ops.at(name);
    by_op[name] = {
        {"ok", x.ok},
        {"refused", x.refused},
        {"errors", x.errors},
        {"lost", x.lost},
        {"ops_per_second",
         rate_of(x.count(), x.last_end_ns - x.first_start_ns)},
        {"latency_ms",
         {{"p50", ms_of(percentile(x.latencies_ns, 50))},
          {"p90", ms_of(percentile(x.latencies_ns, 90))},
          {"p99", ms_of(percentile(x.latencies_ns, 99))},
          {"max", ms_of(x.latencies_ns.empty() ? 0 : x.latencies_ns.back())}}},
    };
  }
  return {
      {"wall_seconds", static_cast<double>(s.wall_ns) / 1e9},
      {"operations", s.total_ops()},
      {"ops_per_second", rate_of(s.total_ops(), s.wall_ns)},
      {"unexpected_errors", s.total_errors()},
      {"lost_calls", s.total_lost()},
      {"node_lost", s.node_lost},
      {"by_op", by_op},
  };
}

// -- the ack log
// ---------------------------------------------------------------

ack_log parse_ack_log(std::istream& in) {
  ack_log out;
  std::string text;
  std::array<char, 65536> buf{};
  while (in.read(buf.data(), buf.size()) || in.gcount() > 0)
    text.append(buf.data(), static_cast<size_t>(in.gcount()));
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    ++line_no;
    auto nl = text.find('\n', pos);
    const bool complete = nl != std::string::npos;
    std::string line = text.substr(pos,
                                   complete ? nl - pos : std::string::npos);
    pos = complete ? nl + 1 : text.size();
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    if (!complete) {
      out.warnings.push_back("line " + std::to_string(line_no)
                             + ": no newline at its end (the writer stopped "
                               "mid-line); skipped");
      continue;
    }
    auto j = json::parse(line, nullptr, false);
    if (j.is_discarded()) {
      out.errors.push_back("line " + std::to_string(line_no)
                           + ": not JSON: " + line.substr(0, 80));
      continue;
    }
    if (!j.is_object() || !j.contains("op") || !j["op"].is_string()) {
      out.errors.push_back("line " + std::to_string(line_no)
                           + ": not an object with a string \"op\"");
      continue;
    }
    j["line"] = line_no;
    out.entries.push_back(std::move(j));
  }
  return out;
}

namespace {

/// The string field `key` of an ack, or nullopt (and a problem noted).
std::optional<std::string> ack_string(const json& e, const char* key,
                                      std::vector<std::string>& problems) {
  if (e.contains(key) && e[key].is_string())
    return e[key].get<std::string>();
  problems.push_back("line " + e.value("line", json{0}).dump() + " (op "
                     + e["op"].get<std::string>() + "): missing string field '"
                     + key + "'");
  return std::nullopt;
}

/// A count or amount: a JSON integer that is not negative.
bool is_count(const json& j) {
  return j.is_number_unsigned()
         || (j.is_number_integer() && j.get<int64_t>() >= 0);
}

std::optional<uint64_t> ack_number(const json& e, const char* key,
                                   std::vector<std::string>& problems) {
  if (e.contains(key) && is_count(e[key]))
    return e[key].get<uint64_t>();
  problems.push_back("line " + e.value("line", json{0}).dump() + " (op "
                     + e["op"].get<std::string>() + "): missing number field '"
                     + key + "'");
  return std::nullopt;
}

} // namespace

expectations expectations_of(const std::vector<json>& entries) {
  expectations out;
  std::map<std::string, size_t> by_id;
  auto& problems = out.problems;
  // Deployments first: a later call names a contract of an earlier line,
  // and concurrent writers may log it a moment before its deployment.
  for (const auto& e : entries) {
    if (e["op"] != "deploy")
      continue;
    expected_contract c;
    auto rid = ack_string(e, "request_id", problems);
    auto kind = ack_string(e, "kind", problems);
    auto id = ack_string(e, "contract_id", problems);
    auto factory = ack_string(e, "factory", problems);
    auto owner = ack_string(e, "user", problems);
    auto fee = ack_number(e, "fee", problems);
    if (!rid || !kind || !id || !factory || !owner || !fee)
      continue;
    if (std::find(all_kinds.begin(), all_kinds.end(), *kind)
        == all_kinds.end()) {
      problems.push_back("deploy " + *rid + ": unknown kind '" + *kind + "'");
      continue;
    }
    c.request_id = *rid;
    c.kind = *kind;
    c.contract_id = *id;
    c.factory = *factory;
    c.owner = *owner;
    c.fee = *fee;
    if (e.contains("payment_id") && is_count(e["payment_id"]))
      c.payment_id = e["payment_id"].get<uint64_t>();
    c.roles.emplace(c.owner, "creator");
    out.users.insert(c.owner);
    if (e.contains("participants") && e["participants"].is_array()) {
      for (const auto& p : e["participants"]) {
        if (!p.is_string())
          continue;
        c.roles.emplace(p.get<std::string>(), participant_role(c.kind));
        out.users.insert(p.get<std::string>());
      }
    }
    if (by_id.count(c.contract_id) > 0) {
      problems.push_back("deploy " + c.request_id + ": contract "
                         + c.contract_id
                         + " was acknowledged for an earlier deployment too");
      continue;
    }
    by_id[c.contract_id] = out.contracts.size();
    out.contracts.push_back(std::move(c));
  }
  auto contract_of = [&](const json& e) -> expected_contract* {
    auto id = ack_string(e, "contract_id", problems);
    if (!id)
      return nullptr;
    auto it = by_id.find(*id);
    if (it == by_id.end()) {
      problems.push_back("line " + e.value("line", json{0}).dump() + " (op "
                         + e["op"].get<std::string>() + "): contract " + *id
                         + " is not one of an acknowledged deployment");
      return nullptr;
    }
    return &out.contracts[it->second];
  };
  for (const auto& e : entries) {
    const auto op = e["op"].get<std::string>();
    if (op == "deploy")
      continue;
    if (op == "mint") {
      auto to = ack_string(e, "to", problems);
      auto amount = ack_number(e, "amount", problems);
      if (to && amount) {
        out.minted += *amount;
        out.users.insert(*to);
      }
    } else if (op == "approve") {
      if (auto u = ack_string(e, "user", problems))
        out.users.insert(*u);
    } else if (op == "add_participant") {
      auto* c = contract_of(e);
      auto who = ack_string(e, "participant", problems);
      auto role = ack_string(e, "role", problems);
      if (c != nullptr && who && role) {
        c->roles.emplace(*who, *role);
        out.users.insert(*who);
      }
    } else if (op == "transfer") {
      auto* c = contract_of(e);
      auto to = ack_string(e, "to", problems);
      auto amount = ack_number(e, "amount", problems);
      if (c != nullptr && to && amount) {
        c->roles.emplace(*to, "holder");
        out.token_received[{c->contract_id, *to}] += *amount;
        out.users.insert(*to);
      }
    } else if (op == "contribute") {
      auto* c = contract_of(e);
      auto who = ack_string(e, "user", problems);
      if (c != nullptr && who) {
        c->roles.emplace(*who, "participant");
        out.users.insert(*who);
      }
    } else {
      problems.push_back("line " + e.value("line", json{0}).dump()
                         + ": unknown op '" + op + "'");
    }
  }
  return out;
}

result<std::vector<std::string>> parse_kinds(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in{text};
  std::string k;
  while (std::getline(in, k, ',')) {
    if (k.empty())
      continue;
    if (std::find(all_kinds.begin(), all_kinds.end(), k) == all_kinds.end())
      return make_error(input_errc::bad_value,
                        "'" + k
                            + "' is not a contract kind (token, multisig, "
                              "distribution, dao, launchpad)");
    if (std::find(out.begin(), out.end(), k) == out.end())
      out.push_back(k);
  }
  if (out.empty())
    return make_error(input_errc::bad_value, "names no contract kind");
  return out;
}

// -- running
// -------------------------------------------------------------------

namespace {

constexpr long connect_timeout_us = 25'000;
/// 5 s of connect attempts before a node counts as gone.
constexpr int connect_attempts = 200;
/// Connects refused or failed (not a timeout) before a call counts as
/// unreachable: 20, 40, 60 ms apart.
constexpr int connect_refusals = 4;

/// One thread's connection to the node. Not thread-safe: one per thread.
class node_client {
 public:
  explicit node_client(const std::string& url) : http_(url) {
    // A short connect timeout, tried again: the ingress listens with a
    // backlog of 5, and a SYN dropped from a full queue is otherwise sent
    // again only after a second, which the latencies would then show.
    http_.set_connection_timeout(0, connect_timeout_us);
    http_.set_read_timeout(60);
    // A fresh connection per call: over a kept-alive one, the ingress's
    // reply waits ~40 ms for a delayed ACK (Nagle), which would measure
    // TCP, not the node. The node closes it, so no TIME_WAIT piles up here.
    http_.set_keep_alive(false);
    http_.set_tcp_nodelay(true);
  }

  /// Signs (unless `who` is null) and sends one call. A call without an
  /// answer is sent once more, the same envelope, so the node's replay
  /// window makes sure it runs at most once.
  call_outcome call(const identity* who, const std::string& target,
                    const std::string& method, json args) {
    call_envelope env;
    env.target = target;
    env.method = method;
    env.args = std::move(args);
    env.nonce.resize(16);
    randombytes_buf(env.nonce.data(), env.nonce.size());
    env.ingress_expiry = wall_clock_ns() + 240'000'000'000ULL;
    if (who != nullptr)
      sign_call(env, *who);
    const auto body = to_json(env).dump();
    const auto t0 = steady_ns();
    auto post = [&] {
      // Not connected is not sent: trying again is always safe. A refused
      // or failed connect (a node restarting, a host short of sockets
      // under load) waits a little first.
      for (int i = 1, refused = 0;; ++i) {
        auto r = http_.Post("/api/v1/call", body, "application/json");
        if (r || i == connect_attempts)
          return r;
        if (r.error() == httplib::Error::Connection) {
          if (++refused == connect_refusals)
            return r;
          std::this_thread::sleep_for(std::chrono::milliseconds{20 * refused});
        } else if (r.error() != httplib::Error::ConnectionTimeout) {
          return r;
        }
      }
    };
    auto res = post();
    bool retried = false;
    if (!res && res.error() != httplib::Error::Connection
        && res.error() != httplib::Error::ConnectionTimeout) {
      retried = true;
      res = post();
    }
    const auto t1 = steady_ns();
    call_outcome x;
    if (!res) {
      x.kind = outcome_kind::lost;
      x.code = "unreachable";
      x.message = httplib::to_string(res.error());
    } else {
      x = classify_reply(res->status, res->body);
      if (retried && x.code == "replayed") {
        // The first send reached the node; its answer was lost.
        x.kind = outcome_kind::failed;
        x.code = "unknown_outcome";
      }
    }
    x.latency_ns = t1 - t0;
    return x;
  }

 private:
  httplib::Client http_;
};

/// Appends acknowledged operations to the ack log, flushed line by line, and
/// keeps them for the final check. Shared by the worker threads.
class ack_writer {
 public:
  result<unit> open(const std::string& file) {
    if (file.empty())
      return unit{};
    file_ = std::fopen(file.c_str(), "a");
    if (file_ == nullptr)
      return make_error(input_errc::bad_value,
                        "--ack-log: cannot open " + file + " for appending");
    return unit{};
  }

  ~ack_writer() {
    if (file_ != nullptr)
      std::fclose(file_);
  }

  void write(json entry) {
    auto line = entry.dump() + "\n";
    std::lock_guard<std::mutex> guard{mu_};
    if (file_ != nullptr) {
      std::fwrite(line.data(), 1, line.size(), file_);
      std::fflush(file_);
    }
    entries_.push_back(std::move(entry));
  }

  std::vector<json> entries() const {
    std::lock_guard<std::mutex> guard{mu_};
    return entries_;
  }

 private:
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;
  std::vector<json> entries_;
};

/// A contract deployed in this run, for the call phase.
struct live_contract {
  std::string kind;
  std::string id;
  size_t owner = 0;
  /// Users (by index) that take part already, owner included.
  std::set<size_t> members;
  /// Users with a contribution in flight (launchpads).
  std::set<size_t> busy;
};

struct planned_deployment {
  std::string kind;
  size_t user = 0;
  std::vector<size_t> participants;
};

/// State the worker threads share during a run.
struct run_state {
  explicit run_state(const options& o) : opt(o) {}

  const options& opt;
  std::string run_id;
  std::vector<identity> users;
  std::vector<std::string> user_ids;
  std::atomic<uint64_t> next_request{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> lost{false};
  ack_writer acks;
  /// The ledger's fee, read during the setup.
  uint64_t ledger_fee = 0;

  std::mutex mu;
  summary stats;
  std::vector<live_contract> contracts;

  // Progress (the phase is set before its threads start).
  std::string phase;
  size_t phase_total = 0;
  std::atomic<size_t> phase_done{0};
  uint64_t phase_start_ns = 0;

  std::string next_request_id() {
    return "load-" + run_id + "-" + std::to_string(next_request++);
  }

  /// Records one call; a call without an answer stops the run.
  void record(const std::string& op, const call_outcome& x, uint64_t start) {
    {
      std::lock_guard<std::mutex> guard{mu};
      stats.add(op, x, start);
    }
    if (x.kind == outcome_kind::lost) {
      lost = true;
      stop = true;
    }
  }

  /// Calls and records; returns the outcome.
  call_outcome call(node_client& node, const std::string& op,
                    const identity* who, const std::string& target,
                    const std::string& method, json args) {
    const auto start = steady_ns();
    auto x = node.call(who, target, method, std::move(args));
    record(op, x, start);
    return x;
  }

  uint64_t errors() {
    std::lock_guard<std::mutex> guard{mu};
    return stats.total_errors() + stats.total_lost();
  }
};

/// Runs `fn(n, client)` for n in [0, total) on `threads` threads, at most
/// `rate` starts per second (0: no limit), until done or `st.stop`.
void run_pool(run_state& st, size_t threads, size_t total, double rate,
              const std::function<void(size_t, node_client&)>& fn) {
  std::atomic<size_t> next{0};
  const auto t0 = std::chrono::steady_clock::now();
  auto worker = [&] {
    node_client node{st.opt.node_url};
    for (;;) {
      if (st.stop)
        return;
      const size_t n = next++;
      if (n >= total)
        return;
      if (rate > 0) {
        auto at = t0
                  + std::chrono::nanoseconds{static_cast<int64_t>(
                      static_cast<double>(n) * 1e9 / rate)};
        std::this_thread::sleep_until(at);
        if (st.stop)
          return;
      }
      fn(n, node);
      ++st.phase_done;
    }
  };
  std::vector<std::thread> pool;
  const size_t k = std::max<size_t>(1, std::min(threads, total));
  for (size_t i = 0; i < k; ++i)
    pool.emplace_back(worker);
  for (auto& t : pool)
    t.join();
}

/// Prints "[phase] done/total ops, ops/s, errors" on stderr every 250 ms
/// while it lives, if stderr is a terminal.
class progress_line {
 public:
  progress_line(run_state& st, std::ostream& err) : st_(st), err_(err) {
    if (isatty(STDERR_FILENO) == 0)
      return;
    thread_ = std::thread{[this] {
      std::unique_lock<std::mutex> lock{mu_};
      while (!cv_.wait_for(lock, std::chrono::milliseconds{250}, [this] {
        return done_;
      }))
        print();
      print();
      err_ << '\n';
    }};
  }

  ~progress_line() {
    {
      std::lock_guard<std::mutex> guard{mu_};
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable())
      thread_.join();
  }

 private:
  void print() {
    std::string phase;
    size_t total = 0;
    uint64_t start = 0;
    {
      std::lock_guard<std::mutex> guard{st_.mu};
      phase = st_.phase;
      total = st_.phase_total;
      start = st_.phase_start_ns;
    }
    const size_t done = st_.phase_done;
    err_ << "\r\033[K[" << phase << "] " << done << "/" << total << " ops, "
         << fixed(rate_of(done, steady_ns() - start), 1) << " ops/s, "
         << st_.errors() << " errors" << std::flush;
  }

  run_state& st_;
  std::ostream& err_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

void begin_phase(run_state& st, const std::string& name, size_t total) {
  std::lock_guard<std::mutex> guard{st.mu};
  st.phase = name;
  st.phase_total = total;
  st.phase_done = 0;
  st.phase_start_ns = steady_ns();
}

/// The deployments of a run: kinds and owners spread evenly, the order and
/// the participants drawn from `seed`.
std::vector<planned_deployment> plan_deployments(const options& opt) {
  std::mt19937_64 rng{opt.seed};
  std::vector<planned_deployment> out;
  const size_t n = opt.users;
  const size_t k = opt.kinds.size();
  for (size_t i = 0; i < opt.deployments; ++i) {
    planned_deployment d;
    d.user = i % n;
    d.kind = opt.kinds[(i / n + i) % k];
    std::vector<size_t> others;
    for (size_t u = 0; u < n; ++u)
      if (u != d.user)
        others.push_back(u);
    std::shuffle(others.begin(), others.end(), rng);
    if (d.kind != "token" && d.kind != "launchpad")
      others.resize(std::min<size_t>(others.size(), 1 + rng() % 2));
    else
      others.clear();
    d.participants = std::move(others);
    out.push_back(std::move(d));
  }
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

json init_of(const planned_deployment& d, const std::vector<std::string>& ids,
             const std::string& request_id) {
  const auto now = wall_clock_ns();
  const std::string name = "load " + request_id;
  if (d.kind == "token")
    return {{"name", name},
            {"symbol", "LOAD"},
            {"decimals", 8},
            {"fee", token_fee},
            {"initial_supply", 1'000'000'000},
            {"is_public", true}};
  if (d.kind == "multisig") {
    json signers = json::array({ids[d.user]});
    for (auto p : d.participants)
      signers.push_back(ids[p]);
    return {{"name", name},
            {"signers", signers},
            {"threshold", 1},
            {"observers", json::array()},
            {"is_public", true}};
  }
  if (d.kind == "distribution") {
    json recipients = json::array();
    for (auto p : d.participants)
      recipients.push_back(
          {{"recipient", ids[p]}, {"amount", recipient_amount}});
    return {
        {"name", name},      {"token", ledger_id}, {"recipients", recipients},
        {"start_time", now}, {"cliff_seconds", 0}, {"vesting_seconds", 3600},
        {"is_public", true}};
  }
  if (d.kind == "dao") {
    json members
        = json::array({{{"member", ids[d.user]}, {"voting_power", 10}}});
    for (auto p : d.participants)
      members.push_back({{"member", ids[p]}, {"voting_power", 5}});
    return {{"name", name},
            {"members", members},
            {"quorum_bps", 5000},
            {"approval_threshold_bps", 5000},
            {"voting_period_seconds", 3600},
            {"is_public", true}};
  }
  return {{"name", name},
          {"sale_token", ledger_id},
          {"price_e8s", 1'000'000},
          {"soft_cap", 100'000'000},
          {"hard_cap", 100'000'000'000ULL},
          {"min_contribution", contribution},
          {"max_contribution", 10'000'000'000ULL},
          {"start_time", now},
          {"end_time", now + 3'600'000'000'000ULL},
          {"is_public", true}};
}

/// Loads identity `name` from the store, creating it if missing.
result<identity> load_user(identity_store& store, const std::string& name) {
  if (auto x = store.load(name))
    return x;
  auto made = store.create(name);
  if (made)
    return made;
  // Another `icto load` may have made it a moment ago.
  return store.load(name);
}

/// A call during the setup that must succeed; the error says which.
result<json> must(run_state& st, node_client& node, const std::string& op,
                  const identity* who, const std::string& target,
                  const std::string& method, json args) {
  auto x = st.call(node, op, who, target, method, std::move(args));
  if (x.kind == outcome_kind::ok)
    return x.value;
  return make_error(input_errc::bad_value,
                    target + " " + method + ": " + x.code
                        + (x.message.empty() ? "" : " (" + x.message + ")"));
}

/// Setup: identities, backend setup, test ICP and the backend's allowance.
/// Returns false (and says why on `err`) when the run cannot go on.
bool setup(run_state& st, const std::vector<planned_deployment>& plan,
           std::ostream& err) {
  const auto& opt = st.opt;
  identity_store store{identity_store::default_home()};
  for (size_t i = 0; i < opt.users; ++i) {
    auto name = "load-" + std::to_string(i);
    auto u = load_user(store, name);
    if (!u) {
      err << "icto load: identity " << name << ": " << u.err().message << '\n';
      return false;
    }
    st.user_ids.push_back(u->id().to_text());
    st.users.push_back(std::move(*u));
  }
  node_client node{opt.node_url};
  auto fail = [&err](const error& e) {
    err << "icto load: setup: " << e.message << '\n';
    return false;
  };
  auto ledger_fee = must(st, node, "setup", nullptr, "ledger", "icrc1_fee",
                         json::object());
  if (!ledger_fee)
    return fail(ledger_fee.err());
  const uint64_t lfee = ledger_fee->get<uint64_t>();
  st.ledger_fee = lfee;
  auto status = must(st, node, "setup", nullptr, "backend",
                     "getMicroserviceSetupStatus", json::object());
  if (!status)
    return fail(status.err());
  if (!status->value("completed", false)) {
    auto done = must(st, node, "setup", &opt.admin, "backend",
                     "setupMicroservices", {{"services", json::array()}});
    if (!done)
      return fail(done.err());
    if (!done->value("completed", false))
      return fail(
          make_error(input_errc::bad_value,
                     "setupMicroservices did not complete: " + done->dump()));
  }
  auto registry = must(st, node, "setup", nullptr, "backend",
                       "getFactoryRegistry", json::object());
  if (!registry)
    return fail(registry.err());
  std::map<std::string, uint64_t> fee_of;
  for (const auto& r : *registry) {
    fee_of[r.value("kind", "")] = r.value("fee", uint64_t{0});
    if (!r.value("enabled", true)
        && std::find(opt.kinds.begin(), opt.kinds.end(), r.value("kind", ""))
               != opt.kinds.end())
      err << "icto load: warning: " << r.value("service", "")
          << " is disabled; its deployments will be refused\n";
  }
  // What each user pays: the fees of its deployments (each plus the
  // ledger fee of the transfer_from), its share of the contributions, and
  // the ledger fees of its approvals.
  std::vector<uint64_t> fees(opt.users, 0);
  for (const auto& d : plan)
    fees[d.user] += fee_of[d.kind] + lfee;
  const bool launchpads = std::find(opt.kinds.begin(), opt.kinds.end(),
                                    "launchpad")
                          != opt.kinds.end();
  const uint64_t per_user_calls = (opt.calls + opt.users - 1) / opt.users;
  const uint64_t contributions
      = launchpads ? per_user_calls * (contribution + 2 * lfee) : 0;
  for (size_t i = 0; i < opt.users && !st.stop; ++i) {
    const auto& id = st.user_ids[i];
    const uint64_t want = fees[i] + contributions + 10 * lfee;
    auto balance = must(st, node, "setup", nullptr, "ledger",
                        "icrc1_balance_of", account_of(id));
    if (!balance)
      return fail(balance.err());
    if (balance->get<uint64_t>() < want) {
      const uint64_t amount = want - balance->get<uint64_t>();
      const auto rid = st.next_request_id();
      auto block = must(st, node, "mint", &opt.admin, "ledger",
                        "icrc1_transfer",
                        {{"to", account_of(id)}, {"amount", amount}});
      if (!block)
        return fail(block.err());
      st.acks.write({{"op", "mint"},
                     {"request_id", rid},
                     {"user", opt.admin.id().to_text()},
                     {"to", id},
                     {"amount", amount},
                     {"block", *block}});
    }
    if (fees[i] == 0)
      continue;
    auto allowance = must(
        st, node, "setup", nullptr, "ledger", "icrc2_allowance",
        {{"account", account_of(id)}, {"spender", account_of(backend_id)}});
    if (!allowance)
      return fail(allowance.err());
    if (allowance->value("allowance", uint64_t{0}) < fees[i]) {
      const auto rid = st.next_request_id();
      auto block
          = must(st, node, "approve", &st.users[i], "ledger", "icrc2_approve",
                 {{"spender", account_of(backend_id)}, {"amount", fees[i]}});
      if (!block)
        return fail(block.err());
      st.acks.write({{"op", "approve"},
                     {"request_id", rid},
                     {"user", id},
                     {"spender", backend_id},
                     {"amount", fees[i]},
                     {"block", *block}});
    }
  }
  return !st.stop;
}

void deploy_one(run_state& st, node_client& node, const planned_deployment& d) {
  const auto rid = st.next_request_id();
  auto x
      = st.call(node, "deploy " + d.kind, &st.users[d.user], "backend",
                create_method(d.kind),
                {{"request_id", rid}, {"init", init_of(d, st.user_ids, rid)}});
  if (x.kind != outcome_kind::ok)
    return;
  const auto& r = x.value;
  json participants = json::array();
  live_contract c;
  c.kind = d.kind;
  c.id = r.value("contract_id", "");
  c.owner = d.user;
  c.members.insert(d.user);
  for (auto p : d.participants) {
    participants.push_back(st.user_ids[p]);
    c.members.insert(p);
  }
  json ack = {{"op", "deploy"},
              {"kind", d.kind},
              {"request_id", rid},
              {"user", st.user_ids[d.user]},
              {"contract_id", c.id},
              {"factory", factory_of(d.kind)},
              {"factory_id", r.value("factory", "")},
              {"participants", participants},
              {"fee", r.value("fee_paid", uint64_t{0})},
              {"payment_id", r.value("payment_id", uint64_t{0})}};
  if (r.contains("payment_block"))
    ack["payment_block"] = r["payment_block"];
  st.acks.write(std::move(ack));
  std::lock_guard<std::mutex> guard{st.mu};
  st.contracts.push_back(std::move(c));
}

/// A contribution of user `who` to launchpad `c`: the approval of the
/// launchpad on the ledger, then contribute.
void contribute_one(run_state& st, node_client& node, const live_contract& c,
                    size_t who, const std::string& rid) {
  const auto& to = st.user_ids[who];
  const auto& contributor = st.users[who];
  const uint64_t lfee = st.ledger_fee;
  auto approved = st.call(
      node, "approve launchpad", &contributor, "ledger", "icrc2_approve",
      {{"spender", account_of(c.id)}, {"amount", contribution + lfee}});
  if (approved.kind != outcome_kind::ok)
    return;
  st.acks.write({{"op", "approve"},
                 {"request_id", rid + "a"},
                 {"user", to},
                 {"spender", c.id},
                 {"amount", contribution + lfee},
                 {"block", approved.value}});
  auto x = st.call(node, "contribute", &contributor, c.id, "contribute",
                   {{"amount", contribution}});
  if (x.kind == outcome_kind::ok)
    st.acks.write({{"op", "contribute"},
                   {"request_id", rid},
                   {"contract_id", c.id},
                   {"factory", factory_of(c.kind)},
                   {"user", to},
                   {"amount", contribution}});
}

/// One call of the call phase, drawn from `rng`.
void call_one(run_state& st, node_client& node, std::mt19937_64& rng) {
  const size_t n_users = st.users.size();
  const size_t user = rng() % n_users;
  const auto& kind = st.opt.kinds[rng() % st.opt.kinds.size()];
  const unsigned dice = rng() % 100;
  // Draw a contract and, for an update, a participant to add; reserve it so
  // that no other thread adds the same one.
  std::optional<live_contract> c;
  std::optional<size_t> who;
  std::optional<size_t> contract_index;
  {
    std::lock_guard<std::mutex> guard{st.mu};
    if (!st.contracts.empty()) {
      auto& pick = st.contracts[rng() % st.contracts.size()];
      if (dice < 50 && n_users > 1) {
        std::vector<size_t> free;
        for (size_t u = 0; u < n_users; ++u) {
          bool can = pick.members.count(u) == 0;
          if (pick.kind == "token")
            can = u != pick.owner;
          else if (pick.kind == "launchpad")
            can = u != pick.owner && pick.busy.count(u) == 0;
          if (can)
            free.push_back(u);
        }
        if (!free.empty()) {
          who = free[rng() % free.size()];
          pick.members.insert(*who);
          // A contribution is an approval then a transfer_from: a second
          // one of the same user would overwrite the first's allowance.
          if (pick.kind == "launchpad") {
            pick.busy.insert(*who);
            contract_index = static_cast<size_t>(&pick - st.contracts.data());
          }
        }
      }
      c = pick;
    }
  }
  const auto rid = st.next_request_id();
  if (c && who) {
    const auto& owner = st.users[c->owner];
    const auto& to = st.user_ids[*who];
    auto added = [&](const std::string& role) {
      st.acks.write({{"op", "add_participant"},
                     {"request_id", rid},
                     {"kind", c->kind},
                     {"contract_id", c->id},
                     {"factory", factory_of(c->kind)},
                     {"user", st.user_ids[c->owner]},
                     {"participant", to},
                     {"role", role}});
    };
    if (c->kind == "token") {
      auto x = st.call(node, "transfer", &owner, c->id, "icrc1_transfer",
                       {{"to", account_of(to)}, {"amount", token_transfer}});
      if (x.kind == outcome_kind::ok)
        st.acks.write({{"op", "transfer"},
                       {"request_id", rid},
                       {"contract_id", c->id},
                       {"user", st.user_ids[c->owner]},
                       {"to", to},
                       {"amount", token_transfer},
                       {"block", x.value}});
    } else if (c->kind == "multisig") {
      if (st.call(node, "add_signer", &owner, c->id, "addSigner",
                  {{"signer", to}})
              .kind
          == outcome_kind::ok)
        added("signer");
    } else if (c->kind == "distribution") {
      if (st.call(node, "add_recipient", &owner, c->id, "addRecipient",
                  {{"recipient", to}, {"amount", recipient_amount}})
              .kind
          == outcome_kind::ok)
        added("recipient");
    } else if (c->kind == "dao") {
      if (st.call(node, "add_member", &owner, c->id, "addMember",
                  {{"member", to}, {"voting_power", 1}})
              .kind
          == outcome_kind::ok)
        added("member");
    } else {
      contribute_one(st, node, *c, *who, rid);
      std::lock_guard<std::mutex> guard{st.mu};
      st.contracts[*contract_index].busy.erase(*who);
    }
    return;
  }
  // A query.
  if (!c || dice < 65) {
    st.call(node, "query getMyContracts", nullptr, factory_of(kind),
            "getMyContracts",
            {{"user", st.user_ids[user]},
             {"role", nullptr},
             {"page", {{"limit", 20}, {"offset", 0}}}});
  } else if (dice < 80) {
    st.call(node, "query getContractInfo", nullptr, factory_of(c->kind),
            "getContractInfo", {{"contract_id", c->id}});
  } else if (dice < 90) {
    st.call(node, "query icrc1_balance_of", nullptr, "ledger",
            "icrc1_balance_of", account_of(st.user_ids[user]));
  } else {
    st.call(node, "query getContractStatus", nullptr, c->id,
            "getContractStatus", json::object());
  }
}

// -- the check
// -----------------------------------------------------------------

/// Runs `fn(i, client)` for i in [0, n) on up to `threads` threads.
void parallel_for(const std::string& url, size_t threads, size_t n,
                  const std::function<void(size_t, node_client&)>& fn) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    node_client node{url};
    for (size_t i = next++; i < n; i = next++)
      fn(i, node);
  };
  std::vector<std::thread> pool;
  const size_t k = std::max<size_t>(1, std::min(threads, n));
  for (size_t i = 0; i < k; ++i)
    pool.emplace_back(worker);
  for (auto& t : pool)
    t.join();
}

/// What the check found: violations (each names the contract, request or
/// account), notes, and whether the node stopped answering.
struct check_report {
  std::vector<std::string> violations;
  std::vector<std::string> notes;
  bool node_lost = false;
  std::mutex mu;

  void violation(std::string text) {
    std::lock_guard<std::mutex> guard{mu};
    violations.push_back(std::move(text));
  }

  /// Notes a failed call; true if it failed.
  bool failed(const call_outcome& x, const std::string& what) {
    if (x.kind == outcome_kind::ok)
      return false;
    if (x.kind == outcome_kind::lost) {
      std::lock_guard<std::mutex> guard{mu};
      node_lost = true;
    }
    violation(what + ": " + x.code
              + (x.message.empty() ? "" : " (" + x.message + ")"));
    return true;
  }
};

/// Every page of a paged query: `page_of(offset)` gives the arguments,
/// `items` the array key, up to `total`.
result<std::vector<json>>
all_pages(node_client& node, const identity* who, const std::string& target,
          const std::string& method, const std::function<json(uint64_t)>& args,
          const std::string& items, call_outcome& last) {
  std::vector<json> out;
  for (uint64_t offset = 0;;) {
    last = node.call(who, target, method, args(offset));
    if (last.kind != outcome_kind::ok)
      return make_error(input_errc::bad_value, last.code);
    const auto& page = last.value[items];
    for (const auto& x : page)
      out.push_back(x);
    offset += page.size();
    if (page.empty() || offset >= last.value.value("total", uint64_t{0}))
      return out;
  }
}

uint64_t number_of(const json& j) {
  return is_count(j) ? j.get<uint64_t>() : 0;
}

void check_contracts(const expectations& ex, const std::string& url,
                     size_t threads, check_report& rep) {
  parallel_for(
      url, threads, ex.contracts.size(), [&](size_t i, node_client& node) {
        const auto& c = ex.contracts[i];
        const auto what = "deploy " + c.request_id + " (" + c.kind + " "
                          + c.contract_id + ")";
        auto info = node.call(nullptr, c.factory, "getContractInfo",
                              {{"contract_id", c.contract_id}});
        if (!rep.failed(info, what + ": " + c.factory + " getContractInfo")) {
          const auto& v = info.value;
          if (v.value("deployment", "") != "deployed")
            rep.violation(what + ": " + c.factory + " says deployment '"
                          + v.value("deployment", "") + "', not 'deployed'");
          if (v.value("owner", "") != c.owner)
            rep.violation(what + ": " + c.factory + " says owner "
                          + v.value("owner", "") + ", acknowledged for "
                          + c.owner);
          if (v.value("kind", "") != c.kind)
            rep.violation(what + ": " + c.factory + " says kind "
                          + v.value("kind", ""));
        }
        auto status = node.call(nullptr, c.contract_id, "getContractStatus",
                                json::object());
        if (!rep.failed(status, what + ": getContractStatus")
            && status.value.value("id", "") != c.contract_id)
          rep.violation(what + ": getContractStatus answers for "
                        + status.value.value("id", ""));
      });
}

/// (contract, role) lines the factory indexes, per (factory, user).
using index_map = std::map<std::pair<std::string, std::string>,
                           std::set<std::pair<std::string, std::string>>>;

index_map fetch_index(const std::set<std::pair<std::string, std::string>>& keys,
                      const std::string& url, size_t threads,
                      check_report& rep) {
  std::vector<std::pair<std::string, std::string>> list(keys.begin(),
                                                        keys.end());
  index_map out;
  std::mutex mu;
  parallel_for(url, threads, list.size(), [&](size_t i, node_client& node) {
    const auto& [factory, user] = list[i];
    auto x = node.call(nullptr, factory, "getMyContracts",
                       {{"user", user},
                        {"role", nullptr},
                        {"page", {{"limit", 0}, {"offset", 0}}}});
    if (rep.failed(x, factory + " getMyContracts of " + user))
      return;
    std::set<std::pair<std::string, std::string>> lines;
    for (const auto& e : x.value["entries"])
      lines.emplace(e.value("id", ""), e.value("role", ""));
    std::lock_guard<std::mutex> guard{mu};
    out[list[i]] = std::move(lines);
  });
  return out;
}

/// Every acknowledged role is in its user's getMyContracts. Index callbacks
/// reach the factory a moment after the contract replied: a missing line is
/// looked up once more after a second before it counts.
void check_index(const expectations& ex, const std::string& url, size_t threads,
                 check_report& rep) {
  auto missing = [&ex](const index_map& idx) {
    std::vector<std::string> out;
    for (const auto& c : ex.contracts)
      for (const auto& [user, role] : c.roles) {
        auto it = idx.find({c.factory, user});
        if (it == idx.end())
          continue; // the query failed, already a violation
        if (it->second.count({c.contract_id, role}) == 0)
          out.push_back("deploy " + c.request_id + " (" + c.kind + " "
                        + c.contract_id + "): not in " + c.factory
                        + " getMyContracts of " + user + " as " + role);
      }
    return out;
  };
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& c : ex.contracts)
    for (const auto& r : c.roles)
      keys.emplace(c.factory, r.first);
  auto idx = fetch_index(keys, url, threads, rep);
  if (missing(idx).empty())
    return;
  std::this_thread::sleep_for(std::chrono::seconds{1});
  check_report again;
  idx = fetch_index(keys, url, threads, again);
  for (auto& v : missing(idx))
    rep.violation(std::move(v));
}

/// Invoices (2) and no double charge (5, per request), and the audit events
/// of each acknowledged deployment.
void check_records(const expectations& ex, const std::string& url,
                   const identity& admin, size_t threads, check_report& rep) {
  std::map<std::string, std::vector<const expected_contract*>> by_owner;
  for (const auto& c : ex.contracts)
    by_owner[c.owner].push_back(&c);
  std::vector<std::string> owners;
  for (const auto& kv : by_owner)
    owners.push_back(kv.first);
  std::atomic<uint64_t> pending{0};
  parallel_for(url, threads, owners.size(), [&](size_t i, node_client& node) {
    const auto& user = owners[i];
    call_outcome last;
    auto records = all_pages(
        node, &admin, "invoice_storage", "getUserPaymentRecords",
        [&user](uint64_t offset) {
          return json{{"user", user}, {"limit", 1000}, {"offset", offset}};
        },
        "records", last);
    if (!records) {
      rep.failed(last, "invoice_storage getUserPaymentRecords of " + user);
      return;
    }
    std::map<std::string, std::vector<json>> by_request;
    for (auto& r : *records)
      by_request[r.value("request_id", "")].push_back(r);
    for (const auto& [rid, list] : by_request) {
      size_t charged = 0;
      for (const auto& r : list)
        charged += r.value("status", "") != "failed" ? 1 : 0;
      if (charged > 1)
        rep.violation("request " + rid + " of " + user + ": charged "
                      + std::to_string(charged) + " times (invoice records)");
    }
    auto entries = all_pages(
        node, &admin, "audit_storage", "getAuditLogs",
        [&user](uint64_t offset) {
          return json{{"user", user},
                      {"page", {{"limit", 1000}, {"offset", offset}}}};
        },
        "entries", last);
    if (!entries) {
      rep.failed(last, "audit_storage getAuditLogs of " + user);
      return;
    }
    std::map<std::string, std::vector<json>> events;
    for (auto& e : *entries)
      events[e["event"].value("request_id", "")].push_back(e["event"]);
    for (const auto* c : by_owner[user]) {
      const auto what = "deploy " + c->request_id + " (" + c->kind + " "
                        + c->contract_id + ")";
      if (c->fee > 0) {
        auto it = by_request.find(c->request_id);
        if (it == by_request.end()) {
          rep.violation(what + ": no invoice record of " + user
                        + " for the request");
        } else {
          const json* rec = nullptr;
          for (const auto& r : it->second)
            if (!c->payment_id || r.value("id", uint64_t{0}) == *c->payment_id)
              rec = &r;
          if (rec == nullptr) {
            rep.violation(what + ": no invoice record with payment id "
                          + std::to_string(*c->payment_id));
          } else {
            const auto st = rec->value("status", "");
            if (rec->value("amount", uint64_t{0}) != c->fee)
              rep.violation(what + ": invoice amount "
                            + std::to_string(rec->value("amount", uint64_t{0}))
                            + ", acknowledged fee " + std::to_string(c->fee));
            if (st == "pending")
              ++pending;
            else if (st != "completed")
              rep.violation(what + ": invoice record is " + st);
          }
        }
      }
      bool paid = c->fee == 0;
      bool completed = false;
      for (const auto& e : events[c->request_id]) {
        if (e.value("action", "") == "payment_processed"
            && e.value("status", "") == "completed")
          paid = true;
        if (e.value("action", "") == "create_" + c->kind
            && e.value("status", "") == "completed"
            && e.value("contract_id", json{}) == c->contract_id)
          completed = true;
      }
      if (!paid)
        rep.violation(what + ": no payment_processed audit event");
      if (!completed)
        rep.violation(what + ": no completed create_" + c->kind
                      + " audit event naming the contract");
    }
  });
  if (pending > 0)
    rep.notes.push_back(std::to_string(pending.load())
                        + " invoice record(s) of acknowledged deployments "
                          "still pending (the backend marks them completed "
                          "after its reply)");
}

/// Ledger supply (4), token transfers, and the backend's fee account (5).
void check_ledger(const expectations& ex, const std::string& url,
                  const identity& admin, size_t threads, check_report& rep) {
  node_client node{url};
  auto supply = node.call(nullptr, "ledger", "icrc1_total_supply",
                          json::object());
  auto stats = node.call(nullptr, "ledger", "getLedgerStats", json::object());
  auto fee = node.call(nullptr, "ledger", "icrc1_fee", json::object());
  if (rep.failed(supply, "ledger icrc1_total_supply")
      || rep.failed(stats, "ledger getLedgerStats")
      || rep.failed(fee, "ledger icrc1_fee"))
    return;
  const uint64_t total = number_of(supply.value);
  const uint64_t minted = stats.value.value("minted", uint64_t{0});
  const uint64_t burned = stats.value.value("burned", uint64_t{0});
  if (minted < burned || total != minted - burned)
    rep.violation("ledger: icrc1_total_supply " + std::to_string(total)
                  + " != minted " + std::to_string(minted) + " - burned "
                  + std::to_string(burned));
  if (minted < ex.minted)
    rep.violation("ledger: minted " + std::to_string(minted)
                  + " is below the acknowledged mints' "
                  + std::to_string(ex.minted));
  std::vector<std::string> accounts(ex.users.begin(), ex.users.end());
  accounts.push_back(backend_id);
  for (const auto& c : ex.contracts)
    accounts.push_back(c.contract_id);
  std::vector<uint64_t> balances(accounts.size(), 0);
  parallel_for(url, threads, accounts.size(), [&](size_t i, node_client& n) {
    auto x = n.call(nullptr, "ledger", "icrc1_balance_of",
                    account_of(accounts[i]));
    if (!rep.failed(x, "ledger icrc1_balance_of " + accounts[i]))
      balances[i] = number_of(x.value);
  });
  uint64_t sum = 0;
  for (auto b : balances)
    sum += b;
  if (sum > total)
    rep.violation("ledger: the " + std::to_string(accounts.size())
                  + " known accounts hold " + std::to_string(sum)
                  + ", more than the supply " + std::to_string(total));
  std::vector<std::pair<std::pair<std::string, std::string>, uint64_t>>
      received(ex.token_received.begin(), ex.token_received.end());
  parallel_for(url, threads, received.size(), [&](size_t i, node_client& n) {
    const auto& [key, amount] = received[i];
    auto x = n.call(nullptr, key.first, "icrc1_balance_of",
                    account_of(key.second));
    if (rep.failed(x, "token " + key.first + " icrc1_balance_of " + key.second))
      return;
    if (number_of(x.value) < amount)
      rep.violation("token " + key.first + ": " + key.second + " holds "
                    + std::to_string(number_of(x.value))
                    + ", below the acknowledged transfers' "
                    + std::to_string(amount));
  });
  // The backend's fee account: fees taken (the records' amounts) less what
  // refunds sent back (amount + ledger fee each). A refunded record nets
  // -ledger fee; a refund of a fee without record (the invoice storage
  // refused it) too, and only the audit log tells of those.
  auto inv = node.call(nullptr, "invoice_storage", "getInvoiceStats",
                       json::object());
  if (rep.failed(inv, "invoice_storage getInvoiceStats"))
    return;
  call_outcome last;
  auto refunds = all_pages(
      node, &admin, "audit_storage", "getAuditLogs",
      [](uint64_t offset) {
        return json{{"action", "refund_processed"},
                    {"status", "completed"},
                    {"page", {{"limit", 1000}, {"offset", offset}}}};
      },
      "entries", last);
  if (!refunds) {
    rep.failed(last, "audit_storage getAuditLogs of refund_processed");
    return;
  }
  uint64_t unrecorded = 0;
  for (const auto& e : *refunds)
    if (e["event"].value("payment_id", json{}).is_null())
      ++unrecorded;
  const uint64_t lfee = number_of(fee.value);
  const auto& s = inv.value;
  const uint64_t held = s.value("amount_completed", uint64_t{0})
                        + s.value("amount_pending", uint64_t{0});
  const uint64_t refund_fees = (s.value("refunded", uint64_t{0}) + unrecorded)
                               * lfee;
  auto backend = node.call(nullptr, "ledger", "icrc1_balance_of",
                           account_of(backend_id));
  if (rep.failed(backend, "ledger icrc1_balance_of " + backend_id))
    return;
  const uint64_t have = number_of(backend.value);
  if (held < refund_fees || have != held - refund_fees)
    rep.violation("backend fee account " + backend_id + ": holds "
                  + std::to_string(have) + ", the invoice records say "
                  + std::to_string(held) + " - " + std::to_string(refund_fees)
                  + " of refund ledger fees");
}

/// Runs every check of the invariants; writes violations and notes.
bool check_all(const std::vector<json>& entries, const std::string& url,
               const identity& admin, size_t threads, std::ostream& out,
               json* report_json) {
  auto ex = expectations_of(entries);
  check_report rep;
  for (const auto& p : ex.problems)
    rep.violation("ack log: " + p);
  {
    node_client node{url};
    auto chain = node.call(nullptr, "audit_storage", "verifyChain",
                           json::object());
    if (!rep.failed(chain, "audit_storage verifyChain")
        && !chain.value.value("ok", false))
      rep.violation("audit chain: broken at id "
                    + chain.value.value("first_broken_id", json{}).dump() + ": "
                    + chain.value.value("reason", ""));
  }
  if (!rep.node_lost)
    check_contracts(ex, url, threads, rep);
  if (!rep.node_lost)
    check_index(ex, url, threads, rep);
  if (!rep.node_lost)
    check_records(ex, url, admin, threads, rep);
  if (!rep.node_lost)
    check_ledger(ex, url, admin, threads, rep);
  for (const auto& v : rep.violations)
    out << "violation: " << v << '\n';
  for (const auto& n : rep.notes)
    out << "note: " << n << '\n';
  size_t roles = 0;
  for (const auto& c : ex.contracts)
    roles += c.roles.size();
  out << "check: " << ex.contracts.size() << " deployments, " << roles
      << " index lines, " << ex.users.size() << " users, "
      << ex.token_received.size() << " token holdings: "
      << (rep.violations.empty()
              ? std::string{"all invariants hold"}
              : std::to_string(rep.violations.size()) + " violation(s)")
      << '\n';
  if (report_json != nullptr)
    *report_json = {{"deployments", ex.contracts.size()},
                    {"index_lines", roles},
                    {"users", ex.users.size()},
                    {"violations", rep.violations},
                    {"notes", rep.notes},
                    {"ok", rep.violations.empty()}};
  return rep.violations.empty();
}

std::string make_run_id() {
  std::array<uint8_t, 4> b{};
  randombytes_buf(b.data(), b.size());
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (auto x : b) {
    out.push_back(hex[x >> 4]);
    out.push_back(hex[x & 15]);
  }
  return out;
}

} // namespace

int run(const options& opt, std::ostream& out, std::ostream& err) {
  if (sodium_init() < 0) {
    err << "icto load: libsodium failed to start\n";
    return 1;
  }
  run_state st{opt};
  st.run_id = make_run_id();
  if (auto ok = st.acks.open(opt.ack_log_file); !ok) {
    err << "icto load: " << ok.err().message << '\n';
    return 2;
  }
  const auto plan = plan_deployments(opt);
  const auto t0 = steady_ns();
  bool setup_ok = false;
  {
    progress_line progress{st, err};
    begin_phase(st, "setup", opt.users);
    setup_ok = setup(st, plan, err);
    if (setup_ok) {
      begin_phase(st, "deploy", plan.size());
      run_pool(st, opt.concurrency, plan.size(), opt.rate,
               [&](size_t n, node_client& node) {
                 deploy_one(st, node, plan[n]);
               });
    }
    if (setup_ok && !st.stop) {
      begin_phase(st, "calls", opt.calls);
      run_pool(st, opt.concurrency, opt.calls, opt.rate,
               [&](size_t n, node_client& node) {
                 std::mt19937_64 rng{opt.seed * 1'000'003 + n};
                 call_one(st, node, rng);
               });
    }
  }
  st.stats.wall_ns = steady_ns() - t0;
  st.stats.node_lost = st.lost;
  st.stats.finish();
  const uint64_t deployed = st.stats.ok_of("deploy ");
  out << "icto load: run " << st.run_id << " against " << opt.node_url << ", "
      << opt.users << " users, " << deployed << "/" << opt.deployments
      << " deployments acknowledged\n"
      << render_table(st.stats);
  auto report = summary_json(st.stats);
  report["run_id"] = st.run_id;
  report["node"] = opt.node_url;
  report["deployments_planned"] = opt.deployments;
  report["deployments_acknowledged"] = deployed;
  int rc = 0;
  if (st.lost) {
    if (opt.stop_on_disconnect) {
      out << "the node went away (a call got no answer); stopped issuing "
             "operations, the ack log holds what was acknowledged\n";
    } else {
      err << "icto load: the node stopped answering\n";
      rc = 1;
    }
  } else if (!setup_ok) {
    rc = 1;
  } else if (st.stats.total_errors() > 0) {
    err << "icto load: " << st.stats.total_errors() << " unexpected errors\n";
    rc = 1;
  }
  if (opt.check && !st.lost && setup_ok) {
    std::vector<json> entries;
    if (opt.ack_log_file.empty()) {
      entries = st.acks.entries();
    } else {
      std::ifstream in{opt.ack_log_file};
      auto log = parse_ack_log(in);
      for (const auto& w : log.warnings)
        err << "icto load: ack log: " << w << '\n';
      for (const auto& e : log.errors)
        out << "violation: ack log: " << e << '\n';
      entries = std::move(log.entries);
      if (!log.errors.empty())
        rc = 1;
    }
    json check_json;
    if (!check_all(entries, opt.node_url, opt.admin, opt.concurrency, out,
                   &check_json))
      rc = 1;
    report["check"] = check_json;
  } else {
    report["check"] = nullptr;
  }
  if (!opt.json_file.empty()) {
    std::ofstream f{opt.json_file};
    f << report.dump(2) << '\n';
    if (!f) {
      err << "icto load: --json: cannot write " << opt.json_file << '\n';
      rc = 1;
    }
  }
  return rc;
}

int run_check(const check_options& opt, std::ostream& out, std::ostream& err) {
  if (sodium_init() < 0) {
    err << "icto load check: libsodium failed to start\n";
    return 1;
  }
  std::ifstream in{opt.ack_log_file};
  if (!in) {
    err << "icto load check: --ack-log: cannot read " << opt.ack_log_file
        << '\n';
    return 2;
  }
  auto log = parse_ack_log(in);
  for (const auto& w : log.warnings)
    err << "icto load check: ack log: " << w << '\n';
  for (const auto& e : log.errors)
    out << "violation: ack log: " << e << '\n';
  const bool ok = check_all(log.entries, opt.node_url, opt.admin,
                            opt.concurrency, out, nullptr);
  return ok && log.errors.empty() ? 0 : 1;
}

} // namespace icto::load
