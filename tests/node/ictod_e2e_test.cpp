// End to end: starts `ictod` as a real process on a free port with
// config/single-node.toml and drives it as a user would, through the `icto`
// binary (signed calls over HTTP) and raw HTTP for the refusals.

#include "config/dev_identity.hpp"
#include "node/identity.hpp"
#include "node/signed_call.hpp"
#include "tests/node/ictod_process.hpp"
#include "tests/node/run_command.hpp"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const std::string ictod_bin = ICTOD_BINARY;
const std::string icto_bin = ICTO_BINARY;
const std::string source_dir = ICTO_SOURCE_DIR;

using run_result = icto::test::command_result;

/// One ictod process per test suite, stopped at the end.
class ictod_e2e : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    home = fs::temp_directory_path() / ("icto_e2e_" + std::to_string(getpid()));
    fs::remove_all(home);
    fs::create_directories(home);
    node = std::make_unique<icto::test::ictod_process>();
    // The ready line: "ictod: node local ready on http://127.0.0.1:PORT".
    const auto line = node->start(ictod_bin,
                                  source_dir + "/config/single-node.toml",
                                  "local", (home / "data").string(),
                                  (home / "ictod.log").string());
    ASSERT_TRUE(node->running()) << line;
    url = node->url();
    ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << line;
    port = std::stoi(url.substr(url.rfind(':') + 1));
  }

  static void TearDownTestSuite() {
    node.reset(); // SIGKILL if still running
    fs::remove_all(home);
  }

  /// Runs `icto ARGS` with this suite's $ICTO_HOME.
  static run_result icto(const std::string& args) {
    const std::string cmd = "ICTO_HOME=" + home.string() + " " + icto_bin + " "
                            + args + " 2>/dev/null";
    return icto::test::run_command(cmd);
  }

  static run_result call(const std::string& who, const std::string& target,
                         const std::string& method, const json& args) {
    return icto("call " + target + " " + method + " '" + args.dump()
                + "' --node " + url + (who.empty() ? "" : " --as " + who));
  }

  static json ok_of(const run_result& r) {
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(!j.is_discarded() && j.contains("ok")) << r.out;
    return j.is_discarded() || !j.contains("ok") ? json{} : j["ok"];
  }

  static json account_of(const std::string& p) {
    return {{"owner", p}, {"subaccount", nullptr}};
  }

  static uint64_t balance(const std::string& p) {
    auto j = ok_of(call("", "ledger", "icrc1_balance_of", account_of(p)));
    return j.is_number() ? j.get<uint64_t>() : 0;
  }

  static uint64_t now_ns() {
    using namespace std::chrono;
    return static_cast<uint64_t>(
        duration_cast<nanoseconds>(system_clock::now().time_since_epoch())
            .count());
  }

  /// POSTs an envelope as is; returns (HTTP status, body).
  static std::pair<int, json> post(const icto::call_envelope& x) {
    httplib::Client client{url};
    auto res = client.Post("/api/v1/call", icto::to_json(x).dump(),
                           "application/json");
    if (!res)
      return {-1, json{}};
    return {res->status, json::parse(res->body, nullptr, false)};
  }

  static inline fs::path home;
  static inline std::unique_ptr<icto::test::ictod_process> node;
  static inline int port = 0;
  static inline std::string url;
};

const std::string backend_id = "ryjl3-tyaaa-aaaaa-aaaba-cai";
constexpr uint64_t token_fee = 100'000'000;
constexpr uint64_t ledger_fee = 10'000;

json token_args(const std::string& request_id) {
  return {{"request_id", request_id},
          {"init",
           {{"name", "E2E Coin"},
            {"symbol", "EEC"},
            {"decimals", 8},
            {"fee", 10},
            {"initial_supply", 5'000},
            {"logo", nullptr},
            {"is_public", true}}}};
}

} // namespace

TEST_F(ictod_e2e, status_answers_without_auth) {
  httplib::Client client{url};
  auto res = client.Get("/api/v1/status");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto j = json::parse(res->body);
  EXPECT_EQ(j["node"], "local");
  EXPECT_EQ(j["services"].size(), 9u);
}

TEST_F(ictod_e2e, paid_deployment_is_indexed_and_unpaid_is_refused) {
  ASSERT_EQ(icto("identity new alice").exit_code, 0);
  ASSERT_EQ(icto("identity new bob").exit_code, 0);
  const auto alice = icto("identity whoami alice").out;
  const auto bob = icto("identity whoami bob").out;
  const auto alice_id = alice.substr(0, alice.find('\n'));
  const auto bob_id = bob.substr(0, bob.find('\n'));
  ok_of(call("admin", "backend", "setupMicroservices",
             {{"services", json::array()}}));
  // The dev admin is the minting account: it mints test tokens.
  for (auto& who : {alice_id, bob_id}) {
    json mint = {{"to", account_of(who)},
                 {"amount", 20 * token_fee},
                 {"fee", nullptr},
                 {"memo", nullptr},
                 {"from_subaccount", nullptr},
                 {"created_at_time", nullptr}};
    ok_of(call("admin", "ledger", "icrc1_transfer", mint));
  }
  // Alice approves the backend and deploys a token.
  ok_of(call("alice", "ledger", "icrc2_approve",
             {{"spender", account_of(backend_id)},
              {"amount", token_fee + ledger_fee}}));
  const auto before = balance(alice_id);
  auto receipt
      = ok_of(call("alice", "backend", "createToken", token_args("e2e-1")));
  ASSERT_TRUE(receipt.contains("contract_id")) << receipt.dump();
  const std::string token = receipt["contract_id"];
  EXPECT_EQ(balance(alice_id), before - token_fee - ledger_fee);
  auto mine = ok_of(call("alice", "token_factory", "getMyContracts",
                         {{"user", alice_id},
                          {"role", nullptr},
                          {"page", {{"limit", 10}, {"offset", 0}}}}));
  ASSERT_GE(mine["total"].get<uint64_t>(), 1u);
  EXPECT_EQ(mine["entries"][0]["id"], token);
  // A contract call changes the holder index: bob becomes a holder.
  json pay = {{"to", account_of(bob_id)},
              {"amount", 100},
              {"fee", nullptr},
              {"memo", nullptr},
              {"from_subaccount", nullptr},
              {"created_at_time", nullptr}};
  ok_of(call("alice", token, "icrc1_transfer", pay));
  auto bobs = ok_of(call("bob", "token_factory", "getMyContracts",
                         {{"user", bob_id},
                          {"role", "holder"},
                          {"page", {{"limit", 10}, {"offset", 0}}}}));
  ASSERT_EQ(bobs["total"], 1u);
  EXPECT_EQ(bobs["entries"][0]["id"], token);
  // One paid deployment of each other kind; each lands in its factory.
  ok_of(call("alice", "ledger", "icrc2_approve",
             {{"spender", account_of(backend_id)},
              {"amount", 1'650'000'000 + 4 * ledger_fee}}));
  const uint64_t now = now_ns();
  const json kinds[] = {
      {{"method", "createMultisig"},
       {"factory", "multisig_factory"},
       {"init",
        {{"name", "wallet"},
         {"signers", {alice_id, bob_id}},
         {"threshold", 2},
         {"observers", json::array()},
         {"is_public", false}}}},
      {{"method", "createDistribution"},
       {"factory", "distribution_factory"},
       {"init",
        {{"name", "airdrop"},
         {"token", token},
         {"recipients", {{{"recipient", bob_id}, {"amount", 100}}}},
         {"start_time", now},
         {"cliff_seconds", 0},
         {"vesting_seconds", 60},
         {"is_public", true}}}},
      {{"method", "createDAO"},
       {"factory", "dao_factory"},
       {"init",
        {{"name", "dao"},
         {"members", {{{"member", alice_id}, {"voting_power", 1}}}},
         {"quorum_bps", 5000},
         {"approval_threshold_bps", 5000},
         {"voting_period_seconds", 60},
         {"is_public", true}}}},
      {{"method", "createLaunchpad"},
       {"factory", "launchpad_factory"},
       {"init",
        {{"name", "sale"},
         {"sale_token", token},
         {"price_e8s", 1'000'000},
         {"soft_cap", 10'000'000},
         {"hard_cap", 100'000'000},
         {"min_contribution", 1'000'000},
         {"max_contribution", 50'000'000},
         {"start_time", now},
         {"end_time", now + 3'600'000'000'000ull},
         {"is_public", true}}}},
  };
  for (const auto& k : kinds) {
    const std::string method = k["method"];
    auto r
        = ok_of(call("alice", "backend", method,
                     {{"request_id", "e2e-" + method}, {"init", k["init"]}}));
    ASSERT_TRUE(r.contains("contract_id")) << method << ": " << r.dump();
    auto listed
        = ok_of(call("alice", k["factory"].get<std::string>(), "getMyContracts",
                     {{"user", alice_id},
                      {"role", "creator"},
                      {"page", {{"limit", 10}, {"offset", 0}}}}));
    ASSERT_EQ(listed["total"], 1u) << method;
    EXPECT_EQ(listed["entries"][0]["id"], r["contract_id"]) << method;
  }
  // Bob did not approve: refused, charged nothing.
  const auto bob_before = balance(bob_id);
  auto refused = call("bob", "backend", "createToken", token_args("e2e-2"));
  EXPECT_EQ(refused.exit_code, 1);
  auto j = json::parse(refused.out, nullptr, false);
  ASSERT_TRUE(!j.is_discarded() && j.contains("err")) << refused.out;
  EXPECT_EQ(j["err"]["code"], "insufficient_allowance") << refused.out;
  EXPECT_EQ(balance(bob_id), bob_before);
}

TEST_F(ictod_e2e, tampered_expired_and_replayed_calls_are_refused) {
  auto who = icto::identity::from_seed("t", icto::dev_admin_seed);
  icto::call_envelope x;
  x.target = "ledger";
  x.method = "icrc1_fee";
  x.args = json::object();
  x.nonce = std::vector<uint8_t>(16, 7);
  x.ingress_expiry = now_ns() + 60'000'000'000ull;
  icto::sign_call(x, who);
  auto tampered = x;
  tampered.method = "icrc1_name";
  auto [s1, b1] = post(tampered);
  EXPECT_EQ(s1, 401);
  EXPECT_EQ(b1["err"]["code"], "bad_signature");
  auto expired = x;
  expired.ingress_expiry = now_ns() - 1'000'000'000ull;
  icto::sign_call(expired, who);
  auto [s2, b2] = post(expired);
  EXPECT_EQ(s2, 401);
  EXPECT_EQ(b2["err"]["code"], "expired");
  auto [s3, b3] = post(x);
  EXPECT_EQ(s3, 200) << b3.dump();
  auto [s4, b4] = post(x);
  EXPECT_EQ(s4, 409);
  EXPECT_EQ(b4["err"]["code"], "replayed");
  // Unknown target and method, bad JSON: 4xx naming the problem.
  auto y = x;
  y.nonce[0] = 8;
  y.target = "nowhere";
  icto::sign_call(y, who);
  auto [s5, b5] = post(y);
  EXPECT_EQ(s5, 404);
  EXPECT_EQ(b5["err"]["code"], "unknown_target");
  httplib::Client client{url};
  auto res = client.Post("/api/v1/call", "{not json", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
}

TEST_F(ictod_e2e, a_second_node_on_the_same_port_refuses_to_start) {
  const std::string cmd = ictod_bin + " --config " + source_dir
                          + "/config/single-node.toml --node local"
                            " --log-level error --data-dir "
                          + (home / "second").string() + " --http-port "
                          + std::to_string(port) + " 2>&1";
  const auto r = icto::test::run_command(cmd);
  const auto& out = r.out;
  ASSERT_NE(r.exit_code, -1) << "ictod did not exit normally: " << out;
  EXPECT_EQ(r.exit_code, 1) << out;
  EXPECT_NE(out.find("cannot listen on 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << out;
}

// Runs last in this file (gtest keeps declaration order): stops the node.
TEST_F(ictod_e2e, sigterm_stops_the_node_within_5_seconds) {
  ASSERT_TRUE(node->running());
  const int status = node->stop(SIGTERM, std::chrono::seconds{5});
  ASSERT_NE(status, -1) << "ictod still running 5 s after SIGTERM";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}
