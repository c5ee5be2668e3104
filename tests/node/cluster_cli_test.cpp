// `icto cluster up | status | down` (node/cluster_cli.hpp): the pure parts
// (base folder, cluster.json, the ictod command line, the status table and
// its heartbeat column) without processes, then the real binaries on a
// one-node copy of config/single-node.toml with free ports.

#include "config/load_topology.hpp"
#include "node/cluster_cli.hpp"
#include "tests/node/run_command.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <regex>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace icto::cluster_cli;

namespace {

const fs::path icto_bin = ICTO_BINARY;
const fs::path ictod_bin = ICTOD_BINARY;
const fs::path source_dir = ICTO_SOURCE_DIR;

/// A fresh folder under the temp dir, removed with the object.
struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string name = (fs::temp_directory_path() / "cluster_cli_XXXXXX");
    path = mkdtemp(name.data());
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read_file(const fs::path& p) {
  std::ifstream in{p};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out{p, std::ios::trunc};
  out << text;
}

node_probe answered(const std::string& name, const json& body,
                    int http_status = 200) {
  node_probe p;
  p.name = name;
  p.address = "127.0.0.1:4100";
  p.roles = {"gateway"};
  p.http_status = http_status;
  p.body = body;
  return p;
}

node_probe silent(const std::string& name) {
  node_probe p;
  p.name = name;
  p.address = "127.0.0.1:4101";
  p.roles = {"contracts"};
  p.error = "Connection";
  return p;
}

json peer(const std::string& node, uint64_t ago) {
  return {{"node", node}, {"connected", true}, {"last_heartbeat_ms_ago", ago}};
}

} // namespace

// -- base folder and cluster.json
// ---------------------------------------------

TEST(cluster_cli, base_folder_is_data_dir_or_data_next_to_the_config) {
  EXPECT_EQ(base_folder("/etc/icto/local-3.toml", std::nullopt),
            fs::path{"/etc/icto/data"});
  EXPECT_EQ(base_folder("/etc/icto/local-3.toml", fs::path{"/var/icto"}),
            fs::path{"/var/icto"});
  EXPECT_EQ(base_folder("cfg/x.toml", std::nullopt),
            (fs::current_path() / "cfg/data").lexically_normal());
  EXPECT_EQ(base_folder("/a/x.toml", fs::path{"rel/b/"}),
            (fs::current_path() / "rel/b/").lexically_normal());
  EXPECT_EQ(record_file("/var/icto"), fs::path{"/var/icto/cluster.json"});
}

TEST(cluster_cli, cluster_json_round_trips_and_absent_is_no_record) {
  temp_dir dir;
  const auto file = dir.path / "cluster.json";
  auto none = read_record(file);
  ASSERT_TRUE(none) << none.err().message;
  EXPECT_FALSE(*none);
  cluster_record rec{
      "/c/local-3.toml",
      "/c/data",
      {{"gateway", 123, "127.0.0.1", 8100, "/c/data/gateway.log"},
       {"worker", 124, "10.0.0.2", 8102, "/c/data/worker.log"}}};
  ASSERT_TRUE(write_record(file, rec));
  EXPECT_FALSE(fs::exists(dir.path / "cluster.json.tmp"));
  auto back = read_record(file);
  ASSERT_TRUE(back) << back.err().message;
  ASSERT_TRUE(*back);
  EXPECT_EQ(**back, rec);
  EXPECT_EQ((*back)->find("worker")->http_port, 8102);
  EXPECT_EQ((*back)->find("nobody"), nullptr);
  auto j = json::parse(read_file(file));
  EXPECT_EQ(j["nodes"][0]["pid"], 123);
  EXPECT_EQ(j["config"], "/c/local-3.toml");
}

TEST(cluster_cli, a_bad_cluster_json_is_an_error_naming_the_file_and_field) {
  temp_dir dir;
  const auto file = dir.path / "cluster.json";
  write_file(file, "{\"config\": ");
  auto r = read_record(file);
  ASSERT_FALSE(r);
  EXPECT_NE(r.err().message.find(file.string()), std::string::npos)
      << r.err().message;
  EXPECT_NE(r.err().message.find("not JSON"), std::string::npos);

  write_file(file, R"({"config": "/c", "data_dir": "/d", "nodes": [
                       {"name": "a", "pid": -3, "host": "h", "http_port": 1,
                        "log": "l"}]})");
  r = read_record(file);
  ASSERT_FALSE(r);
  EXPECT_NE(r.err().message.find(file.string()), std::string::npos);
  EXPECT_NE(r.err().message.find("nodes[0].pid"), std::string::npos)
      << r.err().message;

  auto x = record_from_json(json::parse(R"({"config": "/c", "nodes": []})"),
                            "somewhere.json");
  ASSERT_FALSE(x);
  EXPECT_EQ(x.err().message,
            "somewhere.json: field 'data_dir' is missing or not a string");
  x = record_from_json(json::parse(R"({"config": "/c", "data_dir": "/d",
      "nodes": [{"name": "a", "pid": 1, "host": "h", "http_port": 70000,
                 "log": "l"}]})"),
                       "s");
  ASSERT_FALSE(x);
  EXPECT_NE(x.err().message.find("nodes[0].http_port"), std::string::npos);
  x = record_from_json(json::array(), "s");
  ASSERT_FALSE(x);
  EXPECT_EQ(x.err().message, "s: not a JSON object");
}

// -- processes
// ----------------------------------------------------------------

TEST(cluster_cli, ictod_command_adds_data_dir_only_when_given) {
  EXPECT_EQ(ictod_command("/b/ictod", "/c/t.toml", "gw", std::nullopt),
            (std::vector<std::string>{"/b/ictod", "--config", "/c/t.toml",
                                      "--node", "gw"}));
  EXPECT_EQ(ictod_command("/b/ictod", "/c/t.toml", "gw", fs::path{"/d/gw"}),
            (std::vector<std::string>{"/b/ictod", "--config", "/c/t.toml",
                                      "--node", "gw", "--data-dir", "/d/gw"}));
}

TEST(cluster_cli, is_ictod_of_wants_the_program_and_the_node_name) {
  using namespace std::string_literals;
  const auto cmd = "/b/ictod\0--config\0/c/t.toml\0--node\0gw\0"s;
  EXPECT_TRUE(is_ictod_of(cmd, "gw"));
  EXPECT_FALSE(is_ictod_of(cmd, "g"));
  EXPECT_FALSE(is_ictod_of(cmd, "worker"));
  EXPECT_TRUE(is_ictod_of("ictod\0--node=gw\0"s, "gw"));
  EXPECT_FALSE(is_ictod_of("ictod\0--node=gwx\0"s, "gw"));
  // Another program that happens to mention the node, and a zombie.
  EXPECT_FALSE(is_ictod_of("/bin/sleep\0--node\0gw\0"s, "gw"));
  EXPECT_FALSE(is_ictod_of("/opt/ictod/bin/sh\0--node\0gw\0"s, "gw"));
  EXPECT_FALSE(is_ictod_of("", "gw"));
  EXPECT_FALSE(is_ictod_of("ictod\0--node\0"s, "gw"));
}

TEST(cluster_cli, describe_exit_names_code_or_signal) {
  EXPECT_EQ(describe_exit(1 << 8), "exited with code 1");
  EXPECT_EQ(describe_exit(0), "exited with code 0");
  EXPECT_EQ(describe_exit(SIGKILL), "was killed by signal 9 (SIGKILL)");
}

TEST(cluster_cli, last_lines_keeps_the_tail_with_newlines) {
  EXPECT_EQ(last_lines("", 10), "");
  EXPECT_EQ(last_lines("a\nb\nc\n", 0), "");
  EXPECT_EQ(last_lines("a\nb\nc\n", 2), "b\nc\n");
  EXPECT_EQ(last_lines("a\nb\nc", 2), "b\nc\n");
  EXPECT_EQ(last_lines("a\nb\nc\n", 3), "a\nb\nc\n");
  EXPECT_EQ(last_lines("a\nb\nc\n", 10), "a\nb\nc\n");
  EXPECT_EQ(last_lines("only", 1), "only\n");
  EXPECT_EQ(last_lines("\n\nx\n", 2), "\nx\n");
}

TEST(cluster_cli, connect_host_maps_wildcards_to_loopback) {
  EXPECT_EQ(connect_host("0.0.0.0"), "127.0.0.1");
  EXPECT_EQ(connect_host(""), "127.0.0.1");
  EXPECT_EQ(connect_host("::"), "::1");
  EXPECT_EQ(connect_host("10.1.2.3"), "10.1.2.3");
}

// -- the status table
// ---------------------------------------------------------

TEST(cluster_cli, readiness_needs_ok_and_cluster_ready_if_present) {
  EXPECT_TRUE(is_ready(json{{"ok", true}}));
  EXPECT_TRUE(is_ready(json{{"ok", true}, {"cluster_ready", true}}));
  EXPECT_FALSE(is_ready(json{{"ok", true}, {"cluster_ready", false}}));
  EXPECT_FALSE(is_ready(json{{"ok", false}}));
  EXPECT_FALSE(is_ready(json{{"node", "x"}}));
  EXPECT_FALSE(is_ready(json::array()));
}

TEST(cluster_cli, health_is_up_degraded_or_down) {
  EXPECT_EQ(health_of(answered("a", {{"ok", true}})), node_health::up);
  EXPECT_EQ(health_of(answered("a", {{"ok", true}, {"healthy", true}})),
            node_health::up);
  EXPECT_EQ(health_of(answered("a", {{"ok", true}, {"healthy", false}})),
            node_health::degraded);
  EXPECT_EQ(health_of(answered("a", {{"err", "x"}}, 503)),
            node_health::degraded);
  auto not_json = answered("a", {});
  not_json.body.reset();
  EXPECT_EQ(health_of(not_json), node_health::degraded);
  EXPECT_EQ(health_of(silent("b")), node_health::down);
  EXPECT_STREQ(to_string(node_health::degraded), "degraded");
}

TEST(cluster_cli, last_heartbeat_is_the_freshest_any_other_node_reports) {
  std::vector<node_probe> probes = {
      answered("gw", {{"ok", true},
                      {"peers", {peer("fac", 900), peer("worker", 400)}}}),
      answered("fac",
               {{"ok", true},
                {"peers",
                 {peer("gw", 1200), peer("worker", 250),
                  // Malformed entries count for nothing.
                  json{{"node", "worker"}},
                  json{{"node", "worker"}, {"last_heartbeat_ms_ago", "soon"}},
                  json{{"node", "worker"}, {"last_heartbeat_ms_ago", -5}}}}}),
      // What a node says of itself does not count.
      answered("worker", {{"ok", true}, {"peers", {peer("worker", 1)}}}),
      silent("spare"),
  };
  EXPECT_EQ(freshest_heartbeat("worker", probes), 250u);
  EXPECT_EQ(freshest_heartbeat("gw", probes), 1200u);
  EXPECT_EQ(freshest_heartbeat("fac", probes), 900u);
  EXPECT_EQ(freshest_heartbeat("spare", probes), std::nullopt);
  EXPECT_EQ(freshest_heartbeat("spare", {}), std::nullopt);
}

TEST(cluster_cli, rows_take_what_the_node_says_and_dashes_for_the_rest) {
  std::vector<node_probe> probes = {
      answered("gw", {{"ok", true},
                      {"address", "10.0.0.1:4100"},
                      {"roles", {"gateway", "factories"}},
                      {"contracts", 12},
                      {"uptime_ms", 3723000},
                      {"healthy", true},
                      {"peers", {peer("worker", 400)}}}),
      answered("worker", {{"ok", true}, {"healthy", false}}),
      silent("spare"),
  };
  auto rows = make_rows(probes);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].address, "10.0.0.1:4100");
  EXPECT_EQ(rows[0].roles, (std::vector<std::string>{"gateway", "factories"}));
  EXPECT_EQ(rows[0].contracts, 12u);
  EXPECT_EQ(rows[0].uptime_ms, 3723000u);
  EXPECT_EQ(rows[0].last_heartbeat_ms, std::nullopt);
  EXPECT_EQ(rows[1].roles, std::vector<std::string>{"gateway"});
  EXPECT_EQ(rows[1].contracts, std::nullopt);
  EXPECT_EQ(rows[1].health, node_health::degraded);
  EXPECT_EQ(rows[1].last_heartbeat_ms, 400u);
  EXPECT_EQ(rows[2].health, node_health::down);
  EXPECT_EQ(rows[2].address, "127.0.0.1:4101");

  const char* table
      = R"(NODE    ADDRESS         ROLES              CONTRACTS  UPTIME      HEALTH    LAST HEARTBEAT
gw      10.0.0.1:4100   gateway,factories  12         1 h 02 min  up        -
worker  127.0.0.1:4100  gateway            -          -           degraded  0.4 s ago
spare   127.0.0.1:4101  contracts          -          -           down      -
)";
  EXPECT_EQ(format_table(rows), table);

  auto j = rows_to_json(rows);
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["uptime_ms"], 3723000);
  EXPECT_EQ(j[0]["roles"], json({"gateway", "factories"}));
  EXPECT_EQ(j[1]["last_heartbeat_ms_ago"], 400);
  EXPECT_EQ(j[1]["health"], "degraded");
  EXPECT_TRUE(j[2]["contracts"].is_null());
}

TEST(cluster_cli, uptime_and_heartbeat_formats) {
  EXPECT_EQ(format_uptime(0), "0 s");
  EXPECT_EQ(format_uptime(59999), "59 s");
  EXPECT_EQ(format_uptime(60000), "1 min 00 s");
  EXPECT_EQ(format_uptime(303000), "5 min 03 s");
  EXPECT_EQ(format_uptime(7500000), "2 h 05 min");
  EXPECT_EQ(format_uptime(273600000), "3 d 04 h");
  EXPECT_EQ(format_heartbeat(400), "0.4 s ago");
  EXPECT_EQ(format_heartbeat(12345), "12.3 s ago");
  EXPECT_EQ(format_heartbeat(0), "0.0 s ago");
}

TEST(cluster_cli, probes_follow_the_topology_with_recorded_http_ports) {
  auto text = read_file(source_dir / "config/local-3.toml");
  auto topo = icto::load_topology_from_string(text, "local-3.toml");
  ASSERT_TRUE(topo);
  auto plain = probes_of(*topo, std::nullopt);
  ASSERT_EQ(plain.size(), topo->nodes.size());
  const auto& first = topo->nodes.front();
  EXPECT_EQ(plain[0].name, first.name);
  EXPECT_EQ(plain[0].http_port, first.http_port);
  EXPECT_EQ(plain[0].address, first.host + ":" + std::to_string(first.port));
  EXPECT_FALSE(plain[0].roles.empty());
  cluster_record rec{"/c", "/d", {{first.name, 77, "127.0.0.9", 9999, "/l"}}};
  auto recorded = probes_of(*topo, rec);
  EXPECT_EQ(recorded[0].http_port, 9999);
  EXPECT_EQ(recorded[0].host, "127.0.0.9");
  EXPECT_EQ(recorded[1].http_port, topo->nodes[1].http_port);
}

// -- the real binaries
// --------------------------------------------------------

namespace {

struct run_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `icto ARGS`, stderr through a temp file.
run_result run_icto(const std::string& args, const fs::path& dir) {
  const auto err_file = dir / "icto.stderr";
  auto ran = icto::test::run_command(icto_bin.string() + " " + args + " 2>"
                                     + err_file.string());
  return {ran.exit_code, std::move(ran.out), read_file(err_file)};
}

/// A TCP port nothing listens on right now.
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// config/single-node.toml with free cluster and HTTP ports, in `dir`.
fs::path single_node_copy(const fs::path& dir) {
  auto text = read_file(source_dir / "config/single-node.toml");
  text = std::regex_replace(text, std::regex{"\nport = [0-9]+"},
                            "\nport = " + std::to_string(free_port()));
  text = std::regex_replace(text, std::regex{"\nhttp_port = [0-9]+"},
                            "\nhttp_port = " + std::to_string(free_port()));
  auto file = dir / "single.toml";
  write_file(file, text);
  return file;
}

/// Whether `pid` is gone: no process, or a zombie nobody reaped yet.
bool process_gone(int64_t pid) {
  auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (stat.empty())
    return true;
  auto close_paren = stat.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < stat.size()
         && stat[close_paren + 2] == 'Z';
}

/// SIGKILLs a pid when the test ends early, so that no node outlives it.
struct kill_guard {
  int64_t pid = 0;
  ~kill_guard() {
    if (pid > 0 && !process_gone(pid))
      ::kill(static_cast<pid_t>(pid), SIGKILL);
  }
};

/// `--ictod PATH` unless the ictod under test is the one next to icto.
std::string ictod_arg() {
  if (ictod_bin.parent_path() == icto_bin.parent_path())
    return "";
  return " --ictod " + ictod_bin.string();
}

} // namespace

TEST(cluster_cli_process, up_status_down_a_one_node_cluster) {
  temp_dir dir;
  const auto config = single_node_copy(dir.path);
  const std::string args = " --config " + config.string();
  auto up = run_icto("cluster up" + args + ictod_arg(), dir.path);
  const auto file = dir.path / "data" / "cluster.json";
  auto rec = read_record(file);
  ASSERT_TRUE(rec) << rec.err().message;
  ASSERT_TRUE(*rec) << up.err;
  ASSERT_EQ((*rec)->nodes.size(), 1u);
  kill_guard guard{(*rec)->nodes[0].pid};
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_NE(up.out.find("NODE"), std::string::npos) << up.out;
  EXPECT_NE(up.out.find("local"), std::string::npos) << up.out;
  EXPECT_NE(up.out.find("  up  "), std::string::npos) << up.out;
  EXPECT_EQ((*rec)->config, config.string());
  EXPECT_EQ((*rec)->nodes[0].log, (dir.path / "data" / "local.log").string());
  EXPECT_FALSE(process_gone(guard.pid));

  // A second `up` refuses while the node runs.
  auto again = run_icto("cluster up" + args + ictod_arg(), dir.path);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("cluster already running (local pid "
                           + std::to_string(guard.pid) + ")"),
            std::string::npos)
      << again.err;
  EXPECT_NE(again.err.find("icto cluster down --config"), std::string::npos);

  auto status = run_icto("cluster status" + args, dir.path);
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_NE(status.out.find("  up  "), std::string::npos) << status.out;
  auto as_json = run_icto("cluster status --json" + args, dir.path);
  EXPECT_EQ(as_json.exit_code, 0);
  auto rows = json::parse(as_json.out, nullptr, false);
  ASSERT_TRUE(rows.is_array()) << as_json.out;
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["node"], "local");
  EXPECT_EQ(rows[0]["health"], "up");
  EXPECT_EQ(rows[0]["contracts"], 0);

  auto down = run_icto("cluster down" + args, dir.path);
  EXPECT_EQ(down.exit_code, 0) << down.out << down.err;
  EXPECT_NE(down.out.find("local  stopped in "), std::string::npos) << down.out;
  EXPECT_TRUE(process_gone(guard.pid));
  EXPECT_FALSE(fs::exists(file));
  EXPECT_NE(read_file(dir.path / "data" / "local.log").find("ready on"),
            std::string::npos);

  auto after = run_icto("cluster status" + args, dir.path);
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_NE(after.out.find("  down  "), std::string::npos) << after.out;
  auto twice = run_icto("cluster down" + args, dir.path);
  EXPECT_EQ(twice.exit_code, 0);
  EXPECT_NE(twice.out.find("nothing to stop"), std::string::npos);
}

TEST(cluster_cli_process, a_node_that_exits_fails_up_with_its_log_tail) {
  temp_dir dir;
  const auto config = single_node_copy(dir.path);
  // B/local, the node's data dir, is a file: ictod cannot create it.
  const auto base = dir.path / "base";
  fs::create_directories(base);
  write_file(base / "local", "in the way\n");
  auto up = run_icto("cluster up --config " + config.string() + " --data-dir "
                         + base.string() + ictod_arg(),
                     dir.path);
  EXPECT_EQ(up.exit_code, 1) << up.out << up.err;
  EXPECT_EQ(up.out, "");
  EXPECT_NE(up.err.find("node local exited with code 1 before it was ready"),
            std::string::npos)
      << up.err;
  EXPECT_NE(up.err.find((base / "local.log").string()), std::string::npos);
  EXPECT_NE(up.err.find("  | "), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("cannot create data dir"), std::string::npos) << up.err;
  EXPECT_FALSE(fs::exists(base / "cluster.json"));
}

TEST(cluster_cli_process, up_names_a_missing_ictod) {
  temp_dir dir;
  const auto config = single_node_copy(dir.path);
  auto up = run_icto("cluster up --config " + config.string() + " --ictod "
                         + (dir.path / "no-ictod").string(),
                     dir.path);
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_NE(up.err.find("--ictod " + (dir.path / "no-ictod").string()
                        + ": no such executable file"),
            std::string::npos)
      << up.err;
  auto bad = run_icto(
      "cluster down --config " + config.string() + " --timeout -1", dir.path);
  EXPECT_EQ(bad.exit_code, 2);
}
