// End to end: a cluster of three real `ictod` processes on 127.0.0.1, split
// as config/local-3.toml splits it (gateway: backend, ledger, storages;
// factories: the five factories; worker: the contracts), on free ports.
// A deployment of every kind lands its contract on the worker; both
// ingresses answer the same; the worker is SIGKILLed (calls to its
// contracts fail at once with a transient error, the gateway keeps
// answering, deployments are refused before any fee is charged) and
// restarted (the same contracts answer with the same state). The nodes of
// the services die and come back under a live worker, and everything
// finds the new actors.

#include "node/load.hpp"
#include "tests/node/ictod_process.hpp"
#include "tests/node/run_command.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <netinet/in.h>
#include <regex>
#include <sstream>
#include <sys/socket.h>
#include <thread>

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using icto::test::ictod_process;

const std::string ictod_bin = ICTOD_BINARY;
const std::string icto_bin = ICTO_BINARY;
const std::string local3 = std::string{ICTO_SOURCE_DIR}
                           + "/config/local-3.toml";
/// The ledger's and the backend's principals (node/platform.hpp).
const std::string ledger_id = "rrkah-fqaaa-aaaaa-aaaaq-cai";
const std::string backend_id = "ryjl3-tyaaa-aaaaa-aaaba-cai";
const std::vector<std::string> node_names = {"gateway", "factories", "worker"};

json acct(const std::string& p) {
  return {{"owner", p}, {"subaccount", nullptr}};
}

/// A port nothing listens on right now.
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string read_file(const fs::path& p) {
  std::ifstream in{p};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class cluster_e2e : public ::testing::Test {
 protected:
  void SetUp() override {
    home
        = fs::temp_directory_path()
          / ("icto_cluster_" + std::to_string(getpid()) + "_"
             + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(home);
    fs::create_directories(home);
    // local-3.toml with free ports (cluster and HTTP).
    auto text = read_file(local3);
    for (auto port : {"4100", "4101", "4102", "8100", "8101", "8102"})
      text = std::regex_replace(text, std::regex{std::string{"= "} + port},
                                "= " + std::to_string(free_port()));
    config = (home / "cluster.toml").string();
    std::ofstream{config} << text;
    alice = new_user("alice");
    bob = new_user("bob");
  }

  void TearDown() override {
    for (auto& [name, n] : nodes)
      n->stop(SIGKILL);
    if (!HasFailure())
      fs::remove_all(home);
  }

  icto::test::command_result icto(const std::string& args) {
    return icto::test::run_command("ICTO_HOME=" + home.string() + " " + icto_bin
                                   + " " + args + " 2>/dev/null");
  }

  std::string new_user(const std::string& name) {
    icto("identity new " + name);
    auto p = icto("identity whoami " + name).out;
    while (!p.empty() && p.back() == '\n')
      p.pop_back();
    return p;
  }

  std::string log_of(const std::string& name) {
    return (home / (name + ".log")).string();
  }

  /// Starts the named nodes at once (each waits for the services of the
  /// others) and waits for their ready lines.
  void start(const std::vector<std::string>& names) {
    std::map<std::string, std::string> lines;
    std::vector<std::thread> threads;
    for (auto& name : names) {
      nodes[name] = std::make_unique<ictod_process>();
      lines[name];
    }
    for (auto& name : names)
      threads.emplace_back([this, name, &lines] {
        lines[name] = nodes[name]->start(ictod_bin, config, name,
                                         (home / "data" / name).string(),
                                         log_of(name));
      });
    for (auto& t : threads)
      t.join();
    for (auto& name : names)
      ASSERT_TRUE(nodes[name]->running()) << name << ": " << lines[name] << "\n"
                                          << read_file(log_of(name));
  }

  /// Starts every node, waits until each is ready, and has the backend
  /// set up its services.
  void start_and_set_up() {
    ASSERT_NO_FATAL_FAILURE(start(node_names));
    for (auto& n : node_names)
      ASSERT_TRUE(wait_cluster_ready(n)) << n << ": " << status(n).dump();
    ASSERT_TRUE(call("admin", "backend", "setupMicroservices",
                     {{"services", json::array()}})
                    .contains("ok"));
  }

  /// Gives alice 50 ICP and lets the backend take 40 in fees.
  void fund_alice() {
    ASSERT_TRUE(call("admin", "ledger", "icrc1_transfer",
                     {{"to", acct(alice)}, {"amount", 5'000'000'000ULL}})
                    .contains("ok"));
    ASSERT_TRUE(
        call("alice", "ledger", "icrc2_approve",
             {{"spender", acct(backend_id)}, {"amount", 4'000'000'000ULL}})
            .contains("ok"));
  }

  json call_at(const std::string& node, const std::string& as,
               const std::string& target, const std::string& method,
               const json& args) {
    auto r = icto("call " + target + " " + method + " '" + args.dump()
                  + "' --node " + nodes.at(node)->url()
                  + (as.empty() ? " --anonymous" : " --as " + as));
    auto j = json::parse(r.out, nullptr, false);
    return j.is_discarded() ? json{{"unparsable", r.out}} : j;
  }

  json call(const std::string& as, const std::string& target,
            const std::string& method, const json& args) {
    return call_at("gateway", as, target, method, args);
  }

  json status(const std::string& node) {
    auto r = icto::test::run_command("curl -s " + nodes.at(node)->url()
                                     + "/api/v1/status");
    auto j = json::parse(r.out, nullptr, false);
    return j.is_discarded() ? json{} : j;
  }

  /// Waits until the gateway sees every node connected (the heartbeat of
  /// a node that just came back).
  bool wait_cluster_ready(const std::string& node) {
    for (int i = 0; i < 200; ++i) {
      auto s = status(node);
      if (s.is_object() && s.contains("cluster_ready")
          && s["cluster_ready"] == json(true))
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    return false;
  }

  uint64_t balance_of(const std::string& who) {
    auto r = call("", "ledger", "icrc1_balance_of", acct(who));
    EXPECT_TRUE(r.contains("ok")) << r.dump();
    return r.contains("ok") ? r["ok"].get<uint64_t>() : 0;
  }

  /// The index of a canister id (its first 8 bytes, big-endian), through
  /// `icto principal`.
  uint64_t index_of(const std::string& id) {
    auto j = json::parse(icto("principal " + id).out, nullptr, false);
    if (j.is_discarded() || !j.contains("hex")
        || j["hex"].get<std::string>().size() != 20)
      return 0;
    return std::stoull(j["hex"].get<std::string>().substr(0, 16), nullptr, 16);
  }

  fs::path home;
  std::string config;
  std::string alice;
  std::string bob;
  std::map<std::string, std::unique_ptr<ictod_process>> nodes;
};

json init_of(const std::string& kind, const std::string& alice,
             const std::string& bob) {
  const uint64_t now = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  if (kind == "token")
    return {{"name", "Alice Coin"},
            {"symbol", "ALC"},
            {"decimals", 8},
            {"fee", 10},
            {"initial_supply", 1'000'000},
            {"is_public", true}};
  if (kind == "multisig")
    return {{"name", "Team"},
            {"signers", {alice, bob}},
            {"threshold", 2},
            {"observers", json::array()},
            {"is_public", false}};
  if (kind == "distribution")
    return {{"name", "Airdrop"},
            {"token", ledger_id},
            {"recipients", {{{"recipient", bob}, {"amount", 1000}}}},
            {"start_time", now},
            {"cliff_seconds", 0},
            {"vesting_seconds", 3600},
            {"is_public", true}};
  if (kind == "dao")
    return {{"name", "Guild"},
            {"members", {{{"member", alice}, {"voting_power", 10}}}},
            {"quorum_bps", 5000},
            {"approval_threshold_bps", 5000},
            {"voting_period_seconds", 3600},
            {"is_public", true}};
  return {{"name", "Sale"},
          {"sale_token", ledger_id},
          {"price_e8s", 1'000'000},
          {"soft_cap", 100'000'000},
          {"hard_cap", 100'000'000'000ULL},
          {"min_contribution", 1000},
          {"max_contribution", 10'000'000'000ULL},
          {"start_time", now},
          {"end_time", now + 3'600'000'000'000ULL},
          {"is_public", true}};
}

const std::vector<std::string> kinds = {"token", "multisig", "distribution",
                                        "dao", "launchpad"};

TEST_F(cluster_e2e, contracts_live_on_the_worker_and_survive_its_death) {
  ASSERT_NO_FATAL_FAILURE(start_and_set_up());
  ASSERT_NO_FATAL_FAILURE(fund_alice());

  // One deployment of every kind, through the gateway: each contract's id
  // is in the worker's range, and the worker hosts it.
  std::map<std::string, std::string> ids;
  for (auto& kind : kinds) {
    auto r = call("alice", "backend", icto::load::create_method(kind),
                  {{"request_id", kind + "-1"},
                   {"init", init_of(kind, alice, bob)}});
    ASSERT_TRUE(r.contains("ok")) << kind << ": " << r.dump();
    ids[kind] = r["ok"]["contract_id"];
    const auto index = index_of(ids[kind]);
    EXPECT_GE(index, 1'000'000u) << kind << " " << ids[kind];
    EXPECT_LT(index, 2'000'000u) << kind << " " << ids[kind];
  }
  EXPECT_EQ(status("worker")["contracts"], 5) << status("worker").dump();
  EXPECT_EQ(status("gateway")["contracts"], 0);
  EXPECT_EQ(status("factories")["contracts"], 0);

  // A call through the gateway's ingress reaches the worker as alice.
  ASSERT_TRUE(call("alice", ids["token"], "icrc1_transfer",
                   {{"to", acct(bob)}, {"amount", 5000}})
                  .contains("ok"));

  // Both ingresses answer the same, for the contracts and the factories.
  auto snapshot = [&](const std::string& node) {
    json out;
    for (auto& kind : kinds) {
      out[kind]["status"] = call_at(node, "", ids[kind], "getContractStatus",
                                    json::object());
      out[kind]["info"] = call_at(node, "", kind + "_factory",
                                  "getContractInfo",
                                  {{"contract_id", ids[kind]}});
    }
    out["bob"] = call_at(node, "", ids["token"], "icrc1_balance_of", acct(bob));
    return out;
  };
  const auto before = snapshot("gateway");
  for (auto& kind : kinds) {
    ASSERT_TRUE(before[kind]["status"].contains("ok")) << before.dump();
    EXPECT_EQ(before[kind]["info"]["ok"]["deployment"], "deployed");
  }
  EXPECT_EQ(before["bob"], json({{"ok", 5000}}));
  EXPECT_EQ(snapshot("worker"), before);
  EXPECT_EQ(snapshot("factories"), before);

  // The worker dies.
  nodes["worker"]->stop(SIGKILL);
  auto dead = call("", ids["token"], "icrc1_balance_of", acct(bob));
  ASSERT_TRUE(dead.contains("err")) << dead.dump();
  EXPECT_EQ(dead["err"]["code"], "unavailable") << dead.dump();
  EXPECT_NE(dead.dump().find("worker"), std::string::npos) << dead.dump();
  // The gateway keeps answering.
  const auto paid = balance_of(alice);
  EXPECT_GT(paid, 0u);
  // A deployment is refused before any fee is charged.
  auto refused = call("alice", "backend", "createToken",
                      {{"request_id", "while-down"},
                       {"init", init_of("token", alice, bob)}});
  ASSERT_TRUE(refused.contains("err")) << refused.dump();
  EXPECT_NE(refused.dump().find("worker"), std::string::npos) << refused.dump();
  EXPECT_EQ(balance_of(alice), paid);
  // The factories still answer from their indexes.
  auto info = call("", "token_factory", "getContractInfo",
                   {{"contract_id", ids["token"]}});
  EXPECT_TRUE(info.contains("ok")) << info.dump();

  // It comes back: the same contracts, the same state, through both.
  ASSERT_NO_FATAL_FAILURE(start({"worker"}));
  for (auto& n : node_names)
    ASSERT_TRUE(wait_cluster_ready(n)) << n << ": " << status(n).dump();
  EXPECT_EQ(status("worker")["contracts"], 5);
  EXPECT_EQ(snapshot("gateway"), before);
  EXPECT_EQ(snapshot("worker"), before);
  // And it takes new work: a transfer, a new deployment.
  ASSERT_TRUE(call("bob", ids["token"], "icrc1_transfer",
                   {{"to", acct(alice)}, {"amount", 100}})
                  .contains("ok"));
  auto again
      = call("alice", "backend", "createToken",
             {{"request_id", "after"}, {"init", init_of("token", alice, bob)}});
  ASSERT_TRUE(again.contains("ok")) << again.dump();
  EXPECT_GE(index_of(again["ok"]["contract_id"]), 1'000'000u);
  for (auto& name : node_names) {
    auto st = nodes[name]->stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
        << name << " " << st << "\n"
        << read_file(log_of(name));
  }
}

/// The entry of `service` in the backend's getMicroserviceHealth.
json health_of(const json& healths, const std::string& service) {
  if (healths.contains("ok"))
    for (auto& h : healths["ok"])
      if (h.contains("service") && h["service"] == json(service))
        return h;
  return json{};
}

// The nodes of the services die and come back while the worker stays up.
// The factories node dies: the backend's circuits for the factories open
// at once and deployments are refused before any fee; the worker's
// contracts keep answering. It comes back: the factories re-bind the
// contracts they never heard from again (healthy, none unreachable), the
// contracts' callbacks reach the new factories, the backend deploys
// through them. Then the gateway node dies and comes back: the contracts
// reach the new ledger (a launchpad contribution) and the new backend
// deploys.
TEST_F(cluster_e2e, service_nodes_restart_under_a_live_worker) {
  ASSERT_NO_FATAL_FAILURE(start_and_set_up());
  ASSERT_NO_FATAL_FAILURE(fund_alice());
  ASSERT_TRUE(call("admin", "ledger", "icrc1_transfer",
                   {{"to", acct(bob)}, {"amount", 100'000'000}})
                  .contains("ok"));
  std::map<std::string, std::string> ids;
  for (auto kind : {"token", "launchpad"}) {
    auto r = call("alice", "backend", icto::load::create_method(kind),
                  {{"request_id", std::string{kind} + "-1"},
                   {"init", init_of(kind, alice, bob)}});
    ASSERT_TRUE(r.contains("ok")) << kind << ": " << r.dump();
    ids[kind] = r["ok"]["contract_id"];
  }

  // The factories node dies.
  nodes["factories"]->stop(SIGKILL);
  auto factories_seen_down = [&] {
    for (int i = 0; i < 100; ++i) {
      auto st = status("gateway");
      if (st.contains("peers"))
        for (auto& p : st["peers"])
          if (p["node"] == json("factories") && p["connected"] == json(false))
            return true;
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    return false;
  };
  ASSERT_TRUE(factories_seen_down()) << status("gateway").dump();
  // Its circuits are open at once, not at the next health check (10 s).
  auto healths = call("", "backend", "getMicroserviceHealth", json::object());
  for (auto service : {"token_factory", "launchpad_factory"}) {
    auto h = health_of(healths, service);
    EXPECT_EQ(h["circuit"], "open") << healths.dump();
    EXPECT_NE(h.dump().find("factories"), std::string::npos) << h.dump();
  }
  EXPECT_EQ(health_of(healths, "audit_storage")["circuit"], "closed")
      << healths.dump();
  const auto paid = balance_of(alice);
  auto refused = call("alice", "backend", "createToken",
                      {{"request_id", "while-factories-down"},
                       {"init", init_of("token", alice, bob)}});
  ASSERT_TRUE(refused.contains("err")) << refused.dump();
  EXPECT_NE(refused.dump().find("factories"), std::string::npos)
      << refused.dump();
  EXPECT_EQ(balance_of(alice), paid);
  // The worker's contracts keep answering.
  ASSERT_TRUE(call("alice", ids["token"], "icrc1_transfer",
                   {{"to", acct(bob)}, {"amount", 100}})
                  .contains("ok"));

  // It comes back.
  ASSERT_NO_FATAL_FAILURE(start({"factories"}));
  for (auto& n : node_names)
    ASSERT_TRUE(wait_cluster_ready(n)) << n << ": " << status(n).dump();
  // The worker's contracts never re-sent notifyDeploymentComplete: the
  // factories found them through the directory.
  for (auto kind : {"token", "launchpad"}) {
    auto h = call("", std::string{kind} + "_factory", "getHealth",
                  json::object());
    ASSERT_TRUE(h.contains("ok")) << h.dump();
    EXPECT_EQ(h["ok"]["unreachable"], 0) << kind << ": " << h.dump();
    EXPECT_EQ(h["ok"]["healthy"], true) << kind << ": " << h.dump();
  }
  // A contract's callback reaches the new token factory: carol becomes a
  // holder in its index.
  const auto carol = new_user("carol");
  ASSERT_TRUE(call("alice", ids["token"], "icrc1_transfer",
                   {{"to", acct(carol)}, {"amount", 50}})
                  .contains("ok"));
  auto carols = [&] {
    return call("", "token_factory", "getMyContracts",
                {{"user", carol},
                 {"role", nullptr},
                 {"page", {{"limit", 10}, {"offset", 0}}}});
  };
  bool indexed = false;
  for (int i = 0; i < 100 && !indexed; ++i) {
    indexed = carols().dump().find(ids["token"]) != std::string::npos;
    if (!indexed)
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  EXPECT_TRUE(indexed) << carols().dump();
  // The backend deploys through the new factory.
  auto after_factories = call("alice", "backend", "createToken",
                              {{"request_id", "after-factories"},
                               {"init", init_of("token", alice, bob)}});
  ASSERT_TRUE(after_factories.contains("ok")) << after_factories.dump();

  // The gateway node dies and comes back.
  nodes["gateway"]->stop(SIGKILL);
  ASSERT_NO_FATAL_FAILURE(start({"gateway"}));
  for (auto& n : node_names)
    ASSERT_TRUE(wait_cluster_ready(n)) << n << ": " << status(n).dump();
  // The launchpad reaches the new ledger: bob contributes.
  const uint64_t amount = 1'000'000;
  ASSERT_TRUE(
      call("bob", "ledger", "icrc2_approve",
           {{"spender", acct(ids["launchpad"])}, {"amount", amount + 10'000}})
          .contains("ok"));
  auto c = call("bob", ids["launchpad"], "contribute",
                {{"amount", amount}, {"from_subaccount", nullptr}});
  ASSERT_TRUE(c.contains("ok")) << c.dump();
  EXPECT_EQ(c["ok"]["amount"], amount);
  // The new backend deploys through the factories, onto the worker.
  auto after_gateway = call("alice", "backend", "createToken",
                            {{"request_id", "after-gateway"},
                             {"init", init_of("token", alice, bob)}});
  ASSERT_TRUE(after_gateway.contains("ok")) << after_gateway.dump();
  EXPECT_EQ(status("worker")["contracts"], 4) << status("worker").dump();
  for (auto& name : node_names) {
    auto st = nodes[name]->stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
        << name << " " << st << "\n"
        << read_file(log_of(name));
  }
}

/// Whether `pid` is a live process (a zombie counts as gone).
bool alive(int pid) {
  std::ifstream st{"/proc/" + std::to_string(pid) + "/stat"};
  std::string line;
  if (!std::getline(st, line))
    return false;
  auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size()
         && line[close + 2] != 'Z';
}

// `icto cluster up` starts the three nodes, `status` shows them all up with
// their roles and heartbeats, a deployment lands on the worker, and
// `icto cluster down` leaves no process behind.
TEST_F(cluster_e2e, cluster_up_status_and_down) {
  const auto data = (home / "run").string();
  auto up = icto("cluster up --config " + config + " --data-dir " + data
                 + " --ictod " + ictod_bin + " --timeout 60");
  ASSERT_EQ(up.exit_code, 0) << up.out;
  for (auto& n : node_names)
    EXPECT_NE(up.out.find(n), std::string::npos) << up.out;
  auto record = json::parse(read_file(fs::path{data} / "cluster.json"), nullptr,
                            false);
  ASSERT_FALSE(record.is_discarded());
  std::vector<int> pids;
  for (auto& n : record["nodes"])
    pids.push_back(n["pid"].get<int>());
  ASSERT_EQ(pids.size(), 3u);
  for (auto pid : pids)
    EXPECT_TRUE(alive(pid)) << pid;

  // Heartbeats need a moment to be seen.
  std::this_thread::sleep_for(std::chrono::milliseconds{1500});
  auto st = icto("cluster status --config " + config + " --data-dir " + data
                 + " --json");
  ASSERT_EQ(st.exit_code, 0) << st.out;
  auto rows = json::parse(st.out, nullptr, false);
  ASSERT_FALSE(rows.is_discarded()) << st.out;
  ASSERT_EQ(rows.size(), 3u) << st.out;
  EXPECT_NE(st.out.find("contracts"), std::string::npos) << st.out;
  EXPECT_EQ(st.out.find("\"down\""), std::string::npos) << st.out;

  auto down = icto("cluster down --config " + config + " --data-dir " + data);
  EXPECT_EQ(down.exit_code, 0) << down.out;
  for (auto pid : pids)
    EXPECT_FALSE(alive(pid)) << "pid " << pid << " is still running";
  EXPECT_FALSE(fs::exists(fs::path{data} / "cluster.json"));
}

/// `text` with every node given a tls table under `dir`.
std::string with_tls(std::string text, const std::string& dir) {
  for (auto& n : node_names)
    text = std::regex_replace(text, std::regex{"(name = \"" + n + "\"\n)"},
                              "$1tls = { cert = \"" + dir + "/" + n
                                  + ".crt\", key = \"" + dir + "/" + n
                                  + ".key\", ca = \"" + dir + "/ca.crt\" }\n");
  return text;
}

// BASP over TLS: the cluster comes up with certificates of its CA; a node
// whose certificate another CA signed cannot join, a node with a good
// certificate but a name the topology does not list is refused, and so is
// a node that claims a name of the topology with another node's
// certificate.
TEST_F(cluster_e2e, only_certified_nodes_of_the_topology_join) {
  const auto plain = read_file(config);
  std::ofstream{config} << with_tls(plain, (home / "certs").string());
  auto made = icto("cluster certs --config " + config);
  ASSERT_EQ(made.exit_code, 0) << made.out;
  ASSERT_NO_FATAL_FAILURE(start(node_names));
  for (auto& n : node_names)
    ASSERT_TRUE(wait_cluster_ready(n)) << n << ": " << status(n).dump();
  EXPECT_EQ(read_file(log_of("gateway")).find("in the clear"),
            std::string::npos);

  // Another CA: the same topology with its own certificates.
  fs::create_directories(home / "other");
  const auto other = (home / "other" / "cluster.toml").string();
  std::ofstream{other} << with_tls(plain, (home / "other" / "certs").string());
  ASSERT_EQ(icto("cluster certs --config " + other).exit_code, 0);
  nodes["worker"]->stop(SIGKILL);
  {
    ictod_process impostor;
    auto line = impostor.start(ictod_bin, other, "worker",
                               (home / "data" / "impostor").string(),
                               log_of("impostor"), {"--join-timeout", "3"});
    // It never gets the factories it waits for, and gives up.
    EXPECT_FALSE(impostor.running()) << line;
    EXPECT_EQ(status("gateway")["peers"][1]["connected"], false)
        << status("gateway").dump();
  }

  // A node the topology does not list, with a certificate of the CA.
  auto extended = read_file(config)
                  + "\n[[node]]\nname = \"intruder\"\nhost = "
                    "\"127.0.0.1\"\nport = "
                  + std::to_string(free_port())
                  + "\nhttp_port = " + std::to_string(free_port())
                  + "\nroles = [\"contracts\"]\n"
                    "contract_ids = { start = 5_000_000, count = 1000 }\n"
                    "tls = { cert = \""
                  + (home / "certs" / "intruder.crt").string() + "\", key = \""
                  + (home / "certs" / "intruder.key").string() + "\", ca = \""
                  + (home / "certs" / "ca.crt").string() + "\" }\n";
  const auto intruder_config = (home / "intruder.toml").string();
  std::ofstream{intruder_config} << extended;
  ASSERT_EQ(
      icto("cluster certs --config " + intruder_config + " --node intruder")
          .exit_code,
      0);
  ASSERT_NO_FATAL_FAILURE(start({"worker"}));
  ictod_process intruder;
  auto line = intruder.start(ictod_bin, intruder_config, "intruder",
                             (home / "data" / "intruder").string(),
                             log_of("intruder"), {"--join-timeout", "3"});
  EXPECT_FALSE(intruder.running()) << line;
  EXPECT_NE(read_file(log_of("worker")).find("refused node 'intruder'"),
            std::string::npos)
      << read_file(log_of("worker"));
  for (auto& n : node_names)
    EXPECT_TRUE(wait_cluster_ready(n)) << n;

  // A node of the topology with a certificate of the CA that names another
  // node: the intruder's certificate, used as the worker's.
  nodes["worker"]->stop(SIGKILL);
  const auto certs = (home / "certs").string();
  const auto borrowed = (home / "borrowed.toml").string();
  std::ofstream{borrowed} << std::regex_replace(
      read_file(config), std::regex{certs + "/worker\\.(crt|key)"},
      certs + "/intruder.$1");
  ASSERT_NE(read_file(borrowed).find("intruder.key"), std::string::npos);
  {
    ictod_process impostor;
    auto l = impostor.start(ictod_bin, borrowed, "worker",
                            (home / "data" / "borrowed").string(),
                            log_of("borrowed"), {"--join-timeout", "3"});
    EXPECT_FALSE(impostor.running()) << l;
  }
  EXPECT_NE(read_file(log_of("gateway"))
                .find("its certificate names 'intruder', not 'worker'"),
            std::string::npos)
      << read_file(log_of("gateway"));
  // The real worker still joins.
  ASSERT_NO_FATAL_FAILURE(start({"worker"}));
  for (auto& n : node_names)
    EXPECT_TRUE(wait_cluster_ready(n)) << n;
}

} // namespace
