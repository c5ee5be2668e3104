#include "node/cluster_cli.hpp"

#include "config/load_topology.hpp"
#include "node/atomic_file.hpp"

#include <httplib.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <future>
#include <iostream>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace icto::cluster_cli {

namespace fs = std::filesystem;
using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;

namespace {

// -- small helpers
// ------------------------------------------------------------

/// Seconds with one decimal: "0.8".
std::string one_decimal(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", seconds);
  return buf;
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// A non-negative integer field of `j`, if it has one.
std::optional<uint64_t> uint_field(const json& j, const char* key) {
  if (!j.is_object())
    return std::nullopt;
  auto i = j.find(key);
  if (i == j.end() || !i->is_number_integer())
    return std::nullopt;
  if (i->is_number_unsigned())
    return i->get<uint64_t>();
  auto v = i->get<int64_t>();
  if (v < 0)
    return std::nullopt;
  return static_cast<uint64_t>(v);
}

/// A string field of `j`, if it has one.
std::optional<std::string> string_field(const json& j, const char* key) {
  if (!j.is_object())
    return std::nullopt;
  auto i = j.find(key);
  if (i == j.end() || !i->is_string())
    return std::nullopt;
  return i->get<std::string>();
}

std::string join(const std::vector<std::string>& xs, const char* sep) {
  std::string out;
  for (const auto& x : xs) {
    if (!out.empty())
      out += sep;
    out += x;
  }
  return out;
}

/// The topology, or nullopt after printing every error to `err`.
std::optional<topology> load(const fs::path& file, std::ostream& err,
                             const char* who) {
  auto t = load_topology(file);
  if (!t) {
    for (const auto& e : t.errors())
      err << who << ": " << e.to_string() << '\n';
    return std::nullopt;
  }
  return std::move(t).value();
}

/// The `--config FILE [--data-dir DIR]` that names this cluster again, for
/// hints in messages.
std::string cluster_args(const fs::path& config,
                         const std::optional<fs::path>& data_dir) {
  std::string s = "--config " + config.string();
  if (data_dir)
    s += " --data-dir " + data_dir->string();
  return s;
}

// -- status over HTTP
// ---------------------------------------------------------

/// Fills `p`'s answer from GET /api/v1/status.
void ask_status(node_probe& p, std::chrono::milliseconds timeout) {
  httplib::Client client{connect_host(p.host), p.http_port};
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  auto res = client.Get("/api/v1/status");
  p.http_status = 0;
  p.body.reset();
  if (!res) {
    p.error = httplib::to_string(res.error());
    return;
  }
  p.error.clear();
  p.http_status = res->status;
  auto body = json::parse(res->body, nullptr, false);
  if (!body.is_discarded())
    p.body = std::move(body);
}

/// Asks every node at once.
void ask_all(std::vector<node_probe>& probes,
             std::chrono::milliseconds timeout) {
  std::vector<std::future<void>> pending;
  pending.reserve(probes.size());
  for (auto& p : probes)
    pending.push_back(std::async(std::launch::async, [&p, timeout] {
      ask_status(p, timeout);
    }));
  for (auto& f : pending)
    f.get();
}

/// What a node's answer says, for a message: "no answer (Connection)" or
/// "HTTP 200 {...}" (cut at 300 characters).
std::string describe_answer(const node_probe& p) {
  if (p.http_status == 0)
    return "no answer (" + p.error + ")";
  std::string body = p.body ? p.body->dump() : std::string{"(not JSON)"};
  if (body.size() > 300)
    body = body.substr(0, 300) + "...";
  return "HTTP " + std::to_string(p.http_status) + " " + body;
}

// -- processes
// ----------------------------------------------------------------

bool is_executable_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

/// --ictod, else `ictod` next to the running `icto`.
result<fs::path> find_ictod(const std::optional<fs::path>& given) {
  if (given) {
    if (is_executable_file(*given))
      return fs::absolute(*given);
    return make_error(input_errc::bad_value, "--ictod " + given->string()
                                                 + ": no such executable file");
  }
  std::error_code ec;
  auto self = fs::read_symlink("/proc/self/exe", ec);
  if (ec)
    return make_error(input_errc::bad_value,
                      "no ictod binary: --ictod not given, and /proc/self/exe "
                      "cannot be read ("
                          + ec.message() + ")");
  auto next_to_icto = self.parent_path() / "ictod";
  if (is_executable_file(next_to_icto))
    return next_to_icto;
  return make_error(input_errc::bad_value,
                    "no ictod binary: --ictod not given, and "
                        + next_to_icto.string()
                        + " (next to icto) is no executable file");
}

/// Starts `args` in its own session, stdin from /dev/null, stdout and
/// stderr appended to `log`, SIGINT/SIGTERM at their defaults.
result<pid_t> spawn_detached(const std::vector<std::string>& args,
                             const fs::path& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGHUP);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK
                                      | POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, copy[0].c_str(), &fa, &attr, argv.data(),
                             environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    return make_error(system_errc::unavailable,
                      "cannot start " + args[0] + " (log " + log.string()
                          + "): " + std::strerror(rc));
  return pid;
}

std::string read_cmdline(int64_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/cmdline",
                   std::ios::binary};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Whether `pid` is still the ictod of node `name` (not gone, no zombie,
/// not reused by another program).
bool is_live_node(int64_t pid, const std::string& name) {
  if (pid <= 0)
    return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM)
    return false;
  return is_ictod_of(read_cmdline(pid), name);
}

/// Reaps `pid` if it is an exited child of ours; harmless otherwise.
void reap(int64_t pid) {
  int st = 0;
  ::waitpid(static_cast<pid_t>(pid), &st, WNOHANG);
}

/// The log of one node from `offset` on (at most its last 64 KiB).
std::string read_log_from(const fs::path& log, uint64_t offset) {
  std::ifstream in{log, std::ios::binary};
  if (!in)
    return {};
  in.seekg(0, std::ios::end);
  const auto size = static_cast<uint64_t>(in.tellg());
  const uint64_t limit = 64 * 1024;
  uint64_t from = std::max(offset, size > limit ? size - limit : 0);
  if (from > size)
    from = 0;
  in.seekg(static_cast<std::streamoff>(from));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

uint64_t file_size_or_zero(const fs::path& p) {
  std::error_code ec;
  auto n = fs::file_size(p, ec);
  return ec ? 0 : static_cast<uint64_t>(n);
}

/// What became of one node that was asked to stop.
enum class stop_result : uint8_t {
  /// It exited after SIGTERM.
  stopped,
  /// It was gone before.
  not_running,
  /// It exited after SIGKILL.
  killed,
  /// Still there after SIGKILL.
  left_running,
};

struct stop_outcome {
  std::string name;
  int64_t pid = 0;
  stop_result result = stop_result::not_running;
  double seconds = 0;
};

/// Sends SIGTERM to every node still running, waits up to `timeout`,
/// SIGKILLs the stragglers (a warning each on `err`) and waits for them.
std::vector<stop_outcome> stop_nodes(const std::vector<recorded_node>& nodes,
                                     std::chrono::seconds timeout,
                                     std::ostream& err, const char* who) {
  std::vector<stop_outcome> outcomes;
  std::vector<size_t> pending;
  for (const auto& n : nodes) {
    stop_outcome o{n.name, n.pid, stop_result::not_running, 0};
    reap(n.pid);
    if (is_live_node(n.pid, n.name)) {
      ::kill(static_cast<pid_t>(n.pid), SIGTERM);
      o.result = stop_result::stopped;
      pending.push_back(outcomes.size());
    }
    outcomes.push_back(std::move(o));
  }
  auto wait_for = [&](clock_type::time_point start,
                      clock_type::time_point deadline) {
    for (;;) {
      auto still = pending.begin();
      for (auto i : pending) {
        reap(outcomes[i].pid);
        if (is_live_node(outcomes[i].pid, outcomes[i].name))
          *still++ = i;
        else
          outcomes[i].seconds = seconds_since(start);
      }
      pending.erase(still, pending.end());
      if (pending.empty() || clock_type::now() >= deadline)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
  };
  const auto start = clock_type::now();
  wait_for(start, start + timeout);
  if (pending.empty())
    return outcomes;
  for (auto i : pending) {
    auto& o = outcomes[i];
    err << who << ": warning: node " << o.name << " (pid " << o.pid
        << ") did not stop within " << timeout.count()
        << " s of SIGTERM: sending SIGKILL\n";
    ::kill(static_cast<pid_t>(o.pid), SIGKILL);
    o.result = stop_result::killed;
  }
  wait_for(start, clock_type::now() + std::chrono::seconds{5});
  for (auto i : pending)
    outcomes[i].result = stop_result::left_running;
  return outcomes;
}

/// The recorded nodes whose ictod still runs.
std::vector<recorded_node> live_nodes(const cluster_record& rec) {
  std::vector<recorded_node> out;
  for (const auto& n : rec.nodes)
    if (is_live_node(n.pid, n.name))
      out.push_back(n);
  return out;
}

// -- up: waiting for readiness
// ------------------------------------------------

/// A node that did not become ready, and why.
struct not_ready {
  size_t index = 0;
  std::string why;
};

/// Polls every started node until all are ready, one exits, or `timeout`
/// passes. Returns the nodes that failed (empty: all ready).
std::vector<not_ready> wait_ready(const cluster_record& rec,
                                  std::chrono::seconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  std::vector<node_probe> probes(rec.nodes.size());
  for (size_t i = 0; i < rec.nodes.size(); ++i) {
    probes[i].name = rec.nodes[i].name;
    probes[i].host = rec.nodes[i].host;
    probes[i].http_port = rec.nodes[i].http_port;
    probes[i].error = "not asked yet";
  }
  std::vector<bool> ready(rec.nodes.size(), false);
  for (;;) {
    std::vector<not_ready> exited;
    for (size_t i = 0; i < rec.nodes.size(); ++i) {
      int st = 0;
      if (::waitpid(static_cast<pid_t>(rec.nodes[i].pid), &st, WNOHANG)
          == rec.nodes[i].pid)
        exited.push_back({i, describe_exit(st)
                                 + (ready[i] ? " after it was ready"
                                             : " before it was ready")});
    }
    if (!exited.empty())
      return exited;
    std::vector<node_probe> asked;
    std::vector<size_t> which;
    for (size_t i = 0; i < probes.size(); ++i)
      if (!ready[i]) {
        asked.push_back(probes[i]);
        which.push_back(i);
      }
    ask_all(asked, std::chrono::milliseconds{1000});
    for (size_t k = 0; k < asked.size(); ++k) {
      probes[which[k]] = asked[k];
      ready[which[k]] = asked[k].http_status == 200 && asked[k].body
                        && is_ready(*asked[k].body);
    }
    if (std::all_of(ready.begin(), ready.end(), [](bool x) {
          return x;
        }))
      return {};
    if (clock_type::now() >= deadline) {
      std::vector<not_ready> late;
      for (size_t i = 0; i < probes.size(); ++i)
        if (!ready[i])
          late.push_back(
              {i, "not ready after " + std::to_string(timeout.count())
                      + " s: last status: " + describe_answer(probes[i])});
      return late;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{200});
  }
}

/// The nodes' status table (asked with a 2 s timeout) and whether all are up.
bool print_status(const topology& topo,
                  const std::optional<cluster_record>& rec, bool as_json,
                  std::ostream& out) {
  auto probes = probes_of(topo, rec);
  ask_all(probes, std::chrono::seconds{2});
  auto rows = make_rows(probes);
  if (as_json)
    out << rows_to_json(rows).dump(2) << '\n';
  else
    out << format_table(rows);
  return std::all_of(rows.begin(), rows.end(), [](const status_row& r) {
    return r.health == node_health::up;
  });
}

/// Nodes whose HTTP port already answers: another process holds it.
std::vector<std::string> ports_taken(const topology& topo) {
  auto probes = probes_of(topo, std::nullopt);
  ask_all(probes, std::chrono::milliseconds{500});
  std::vector<std::string> taken;
  for (const auto& p : probes)
    if (p.http_status != 0)
      taken.push_back("node " + p.name + ": http://" + connect_host(p.host)
                      + ":" + std::to_string(p.http_port) + " already answers");
  return taken;
}

} // namespace

// -- base folder and cluster.json
// ---------------------------------------------

fs::path base_folder(const fs::path& config,
                     const std::optional<fs::path>& data_dir) {
  if (data_dir)
    return fs::absolute(*data_dir).lexically_normal();
  return (fs::absolute(config).parent_path() / "data").lexically_normal();
}

fs::path record_file(const fs::path& base) {
  return base / "cluster.json";
}

const recorded_node* cluster_record::find(std::string_view name) const {
  for (const auto& n : nodes)
    if (n.name == name)
      return &n;
  return nullptr;
}

json to_json(const cluster_record& x) {
  json nodes = json::array();
  for (const auto& n : x.nodes)
    nodes.push_back({{"name", n.name},
                     {"pid", n.pid},
                     {"host", n.host},
                     {"http_port", n.http_port},
                     {"log", n.log}});
  return {{"config", x.config}, {"data_dir", x.data_dir}, {"nodes", nodes}};
}

result<cluster_record> record_from_json(const json& j,
                                        const std::string& source) {
  auto bad = [&](const std::string& what) {
    return make_error(input_errc::bad_value, source + ": " + what);
  };
  if (!j.is_object())
    return bad("not a JSON object");
  cluster_record x;
  auto config = string_field(j, "config");
  if (!config)
    return bad("field 'config' is missing or not a string");
  x.config = *config;
  auto data_dir = string_field(j, "data_dir");
  if (!data_dir)
    return bad("field 'data_dir' is missing or not a string");
  x.data_dir = *data_dir;
  auto nodes = j.find("nodes");
  if (nodes == j.end() || !nodes->is_array())
    return bad("field 'nodes' is missing or not an array");
  for (size_t i = 0; i < nodes->size(); ++i) {
    const auto& e = (*nodes)[i];
    const std::string at = "nodes[" + std::to_string(i) + "]";
    recorded_node n;
    auto name = string_field(e, "name");
    auto host = string_field(e, "host");
    auto log = string_field(e, "log");
    auto pid = uint_field(e, "pid");
    auto port = uint_field(e, "http_port");
    if (!name)
      return bad("field '" + at + ".name' is missing or not a string");
    if (!host)
      return bad("field '" + at + ".host' is missing or not a string");
    if (!log)
      return bad("field '" + at + ".log' is missing or not a string");
    if (!pid || *pid == 0 || *pid > INT32_MAX)
      return bad("field '" + at + ".pid' is missing or not a process id");
    if (!port || *port == 0 || *port > 65535)
      return bad("field '" + at + ".http_port' is missing or not a port");
    n.name = *name;
    n.host = *host;
    n.log = *log;
    n.pid = static_cast<int64_t>(*pid);
    n.http_port = static_cast<uint16_t>(*port);
    x.nodes.push_back(std::move(n));
  }
  return x;
}

result<unit> write_record(const fs::path& file, const cluster_record& x) {
  return write_file_atomically(file, to_json(x).dump(2) + "\n", 0644);
}

result<std::optional<cluster_record>> read_record(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec))
    return std::optional<cluster_record>{};
  std::ifstream in{file};
  if (!in)
    return make_error(system_errc::unavailable,
                      file.string() + ": cannot read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  auto j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded())
    return make_error(input_errc::bad_json, file.string() + ": not JSON");
  auto x = record_from_json(j, file.string());
  if (!x)
    return x.err();
  return std::optional<cluster_record>{std::move(*x)};
}

// -- processes
// ----------------------------------------------------------------

std::vector<std::string>
ictod_command(const fs::path& ictod, const fs::path& config,
              const std::string& node,
              const std::optional<fs::path>& node_data_dir) {
  std::vector<std::string> args = {ictod.string(), "--config", config.string(),
                                   "--node", node};
  if (node_data_dir) {
    args.emplace_back("--data-dir");
    args.push_back(node_data_dir->string());
  }
  return args;
}

bool is_ictod_of(std::string_view cmdline, std::string_view node) {
  std::vector<std::string_view> args;
  size_t start = 0;
  while (start < cmdline.size()) {
    auto end = cmdline.find('\0', start);
    if (end == std::string_view::npos)
      end = cmdline.size();
    args.push_back(cmdline.substr(start, end - start));
    start = end + 1;
  }
  if (args.empty())
    return false;
  auto program = args[0];
  if (auto slash = program.rfind('/'); slash != std::string_view::npos)
    program = program.substr(slash + 1);
  if (program.find("ictod") == std::string_view::npos)
    return false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--node" && i + 1 < args.size() && args[i + 1] == node)
      return true;
    if (args[i].size() == 7 + node.size() && args[i].substr(0, 7) == "--node="
        && args[i].substr(7) == node)
      return true;
  }
  return false;
}

std::string describe_exit(int wait_status) {
  if (WIFEXITED(wait_status))
    return "exited with code " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    const int sig = WTERMSIG(wait_status);
    const char* name = sigabbrev_np(sig);
    return "was killed by signal " + std::to_string(sig)
           + (name != nullptr ? " (SIG" + std::string{name} + ")" : "");
  }
  return "stopped (wait status " + std::to_string(wait_status) + ")";
}

std::string last_lines(std::string_view text, size_t n) {
  if (n == 0 || text.empty())
    return {};
  size_t pos = text.size();
  if (text.back() == '\n')
    --pos;
  size_t found = 0;
  while (pos > 0) {
    auto nl = text.rfind('\n', pos - 1);
    if (nl == std::string_view::npos)
      break;
    if (++found == n)
      return std::string{text.substr(nl + 1)}
             + (text.back() == '\n' ? "" : "\n");
    pos = nl;
  }
  return std::string{text} + (text.back() == '\n' ? "" : "\n");
}

std::string connect_host(const std::string& host) {
  if (host.empty() || host == "0.0.0.0")
    return "127.0.0.1";
  if (host == "::" || host == "[::]")
    return "::1";
  return host;
}

// -- the status table
// ---------------------------------------------------------

const char* to_string(node_health x) {
  switch (x) {
  case node_health::up: return "up";
  case node_health::degraded: return "degraded";
  case node_health::down: return "down";
  }
  return "?";
}

std::vector<node_probe> probes_of(const topology& topo,
                                  const std::optional<cluster_record>& record) {
  std::vector<node_probe> out;
  for (const auto& n : topo.nodes) {
    node_probe p;
    p.name = n.name;
    p.address = n.host + ":" + std::to_string(n.port);
    p.host = n.host;
    p.http_port = n.http_port;
    for (auto r : n.roles)
      p.roles.emplace_back(to_string(r));
    if (record)
      if (const auto* rec = record->find(n.name)) {
        p.host = rec->host;
        p.http_port = rec->http_port;
      }
    out.push_back(std::move(p));
  }
  return out;
}

bool is_ready(const json& body) {
  if (!body.is_object())
    return false;
  auto ok = body.find("ok");
  if (ok == body.end() || !ok->is_boolean() || !ok->get<bool>())
    return false;
  auto ready = body.find("cluster_ready");
  return ready == body.end() || (ready->is_boolean() && ready->get<bool>());
}

node_health health_of(const node_probe& p) {
  if (p.http_status == 0)
    return node_health::down;
  if (p.http_status != 200 || !p.body || !p.body->is_object())
    return node_health::degraded;
  auto healthy = p.body->find("healthy");
  if (healthy != p.body->end()
      && !(healthy->is_boolean() && healthy->get<bool>()))
    return node_health::degraded;
  return node_health::up;
}

std::optional<uint64_t>
freshest_heartbeat(const std::string& node,
                   const std::vector<node_probe>& probes) {
  std::optional<uint64_t> best;
  for (const auto& q : probes) {
    if (q.name == node || !q.body || !q.body->is_object())
      continue;
    auto peers = q.body->find("peers");
    if (peers == q.body->end() || !peers->is_array())
      continue;
    for (const auto& peer : *peers) {
      if (string_field(peer, "node") != node)
        continue;
      auto ago = uint_field(peer, "last_heartbeat_ms_ago");
      if (ago && (!best || *ago < *best))
        best = ago;
    }
  }
  return best;
}

std::vector<status_row> make_rows(const std::vector<node_probe>& probes) {
  std::vector<status_row> rows;
  for (const auto& p : probes) {
    status_row r;
    r.node = p.name;
    r.address = p.address;
    r.roles = p.roles;
    r.health = health_of(p);
    r.last_heartbeat_ms = freshest_heartbeat(p.name, probes);
    if (p.body && p.body->is_object()) {
      const auto& b = *p.body;
      if (auto a = string_field(b, "address"))
        r.address = *a;
      auto roles = b.find("roles");
      if (roles != b.end() && roles->is_array()
          && std::all_of(roles->begin(), roles->end(), [](const json& x) {
               return x.is_string();
             }))
        r.roles = roles->get<std::vector<std::string>>();
      r.contracts = uint_field(b, "contracts");
      r.uptime_ms = uint_field(b, "uptime_ms");
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string format_uptime(uint64_t ms) {
  const uint64_t s = ms / 1000;
  char buf[64];
  if (s < 60)
    std::snprintf(buf, sizeof(buf), "%llu s",
                  static_cast<unsigned long long>(s));
  else if (s < 3600)
    std::snprintf(buf, sizeof(buf), "%llu min %02llu s",
                  static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  else if (s < 86400)
    std::snprintf(buf, sizeof(buf), "%llu h %02llu min",
                  static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s % 3600 / 60));
  else
    std::snprintf(buf, sizeof(buf), "%llu d %02llu h",
                  static_cast<unsigned long long>(s / 86400),
                  static_cast<unsigned long long>(s % 86400 / 3600));
  return buf;
}

std::string format_heartbeat(uint64_t ms) {
  return one_decimal(static_cast<double>(ms) / 1000.0) + " s ago";
}

std::string format_table(const std::vector<status_row>& rows) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"NODE", "ADDRESS", "ROLES", "CONTRACTS", "UPTIME", "HEALTH",
                   "LAST HEARTBEAT"});
  for (const auto& r : rows)
    cells.push_back(
        {r.node, r.address.empty() ? "-" : r.address,
         r.roles.empty() ? "-" : join(r.roles, ","),
         r.contracts ? std::to_string(*r.contracts) : "-",
         r.uptime_ms ? format_uptime(*r.uptime_ms) : "-", to_string(r.health),
         r.last_heartbeat_ms ? format_heartbeat(*r.last_heartbeat_ms) : "-"});
  std::vector<size_t> width(cells[0].size(), 0);
  for (const auto& line : cells)
    for (size_t c = 0; c < line.size(); ++c)
      width[c] = std::max(width[c], line[c].size());
  std::string out;
  for (const auto& line : cells) {
    std::string text;
    for (size_t c = 0; c < line.size(); ++c) {
      text += line[c];
      if (c + 1 < line.size())
        text += std::string(width[c] - line[c].size() + 2, ' ');
    }
    out += text + '\n';
  }
  return out;
}

json rows_to_json(const std::vector<status_row>& rows) {
  auto opt = [](const std::optional<uint64_t>& x) {
    return x ? json(*x) : json(nullptr);
  };
  json out = json::array();
  for (const auto& r : rows)
    out.push_back({{"node", r.node},
                   {"address", r.address},
                   {"roles", r.roles},
                   {"contracts", opt(r.contracts)},
                   {"uptime_ms", opt(r.uptime_ms)},
                   {"health", to_string(r.health)},
                   {"last_heartbeat_ms_ago", opt(r.last_heartbeat_ms)}});
  return out;
}

// -- the three commands
// -------------------------------------------------------

int run_up(const up_options& opt, std::ostream& out, std::ostream& err) {
  const char* who = "icto cluster up";
  auto topo = load(opt.config, err, who);
  if (!topo)
    return 1;
  const auto base = base_folder(opt.config, opt.data_dir);
  const auto file = record_file(base);
  const auto config = fs::absolute(opt.config).lexically_normal();
  auto ictod = find_ictod(opt.ictod);
  if (!ictod) {
    err << who << ": " << ictod.err().message << '\n';
    return 1;
  }
  auto previous = read_record(file);
  if (!previous) {
    err << who << ": " << previous.err().message
        << " (remove it if none of its nodes runs)\n";
    return 1;
  }
  if (*previous) {
    auto live = live_nodes(**previous);
    if (!live.empty()) {
      std::vector<std::string> named;
      for (const auto& n : live)
        named.push_back(n.name + " pid " + std::to_string(n.pid));
      err << who << ": cluster already running (" << join(named, ", ")
          << "): icto cluster down " << cluster_args(opt.config, opt.data_dir)
          << " first\n";
      return 1;
    }
  }
  if (auto taken = ports_taken(*topo); !taken.empty()) {
    for (const auto& t : taken)
      err << who << ": " << t << " (another ictod? stop it or change "
          << "http_port)\n";
    return 1;
  }
  std::error_code ec;
  fs::create_directories(base, ec);
  if (ec) {
    err << who << ": cannot create " << base.string() << ": " << ec.message()
        << '\n';
    return 1;
  }
  cluster_record rec{config.string(), base.string(), {}};
  std::vector<uint64_t> log_offsets;
  auto give_up = [&] {
    stop_nodes(rec.nodes, std::chrono::seconds{10}, err, who);
    fs::remove(file, ec);
    return 1;
  };
  for (const auto& n : topo->nodes) {
    const auto log = base / (n.name + ".log");
    std::optional<fs::path> node_dir;
    if (opt.data_dir)
      node_dir = base / n.name;
    log_offsets.push_back(file_size_or_zero(log));
    auto pid = spawn_detached(ictod_command(*ictod, config, n.name, node_dir),
                              log);
    if (!pid) {
      err << who << ": node " << n.name << ": " << pid.err().message << '\n';
      return give_up();
    }
    rec.nodes.push_back({n.name, *pid, n.host, n.http_port, log.string()});
  }
  if (auto written = write_record(file, rec); !written) {
    err << who << ": " << written.err().message << '\n';
    return give_up();
  }
  auto failed = wait_ready(rec, opt.timeout);
  if (!failed.empty()) {
    for (const auto& f : failed) {
      const auto& n = rec.nodes[f.index];
      auto tail = last_lines(read_log_from(n.log, log_offsets[f.index]), 10);
      err << who << ": node " << n.name << " " << f.why << "\n  log " << n.log
          << (tail.empty() ? " (nothing written)\n" : ", last lines:\n");
      std::istringstream lines{tail};
      for (std::string line; std::getline(lines, line);)
        err << "  | " << line << '\n';
    }
    err << who << ": stopping the " << rec.nodes.size() << " node"
        << (rec.nodes.size() == 1 ? "" : "s") << " started\n";
    return give_up();
  }
  print_status(*topo, rec, false, out);
  return 0;
}

int run_status(const status_options& opt, std::ostream& out,
               std::ostream& err) {
  const char* who = "icto cluster status";
  auto topo = load(opt.config, err, who);
  if (!topo)
    return 1;
  auto rec = read_record(record_file(base_folder(opt.config, opt.data_dir)));
  std::optional<cluster_record> ports;
  if (!rec)
    err << who << ": warning: " << rec.err().message
        << "; using the topology's ports\n";
  else
    ports = std::move(*rec);
  return print_status(*topo, ports, opt.json, out) ? 0 : 1;
}

int run_down(const down_options& opt, std::ostream& out, std::ostream& err) {
  const char* who = "icto cluster down";
  const auto file = record_file(base_folder(opt.config, opt.data_dir));
  auto rec = read_record(file);
  if (!rec) {
    err << who << ": " << rec.err().message << '\n';
    return 1;
  }
  if (!*rec) {
    out << "no cluster recorded in " << file.string() << ": nothing to stop\n";
    return 0;
  }
  auto outcomes = stop_nodes((*rec)->nodes, opt.timeout, err, who);
  size_t width = 0;
  for (const auto& o : outcomes)
    width = std::max(width, o.name.size());
  bool left = false;
  for (const auto& o : outcomes) {
    out << o.name << std::string(width - o.name.size() + 2, ' ');
    switch (o.result) {
    case stop_result::stopped:
      out << "stopped in " << one_decimal(o.seconds) << " s\n";
      break;
    case stop_result::not_running: out << "was not running\n"; break;
    case stop_result::killed:
      out << "killed (no exit within " << opt.timeout.count()
          << " s of SIGTERM)\n";
      break;
    case stop_result::left_running:
      out << "still running (pid " << o.pid << ") after SIGKILL\n";
      left = true;
      break;
    }
  }
  if (left) {
    err << who << ": some nodes are still running; " << file.string()
        << " kept\n";
    return 1;
  }
  std::error_code ec;
  fs::remove(file, ec);
  if (ec)
    err << who << ": warning: cannot remove " << file.string() << ": "
        << ec.message() << '\n';
  return 0;
}

} // namespace icto::cluster_cli
