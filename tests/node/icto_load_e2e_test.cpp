// End to end: `icto load` against a real `ictod` (config/single-node.toml,
// a temporary data folder, a free port): a small run must get every
// deployment acknowledged without unexpected errors, `icto load check` must
// pass on its ack log, and must fail, naming it, on an ack log that claims
// what the node does not have.

#include "messages/principal.hpp"
#include "tests/node/ictod_process.hpp"
#include "tests/node/run_command.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const std::string ictod_bin = ICTOD_BINARY;
const std::string icto_bin = ICTO_BINARY;
const std::string source_dir = ICTO_SOURCE_DIR;

class icto_load_e2e : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    home = fs::temp_directory_path()
           / ("icto_load_e2e_" + std::to_string(getpid()));
    fs::remove_all(home);
    fs::create_directories(home);
    node = std::make_unique<icto::test::ictod_process>();
    const auto line = node->start(ictod_bin,
                                  source_dir + "/config/single-node.toml",
                                  "local", (home / "data").string(),
                                  (home / "ictod.log").string());
    ASSERT_TRUE(node->running()) << line;
    url = node->url();
    // The run every test looks at.
    acks = home / "acks.jsonl";
    summary_file = home / "summary.json";
    run = icto("load --users 5 --deployments 20 --concurrency 4 --ack-log "
               + acks.string() + " --json " + summary_file.string());
  }

  static void TearDownTestSuite() {
    node.reset();
    fs::remove_all(home);
  }

  /// Runs `icto ARGS --node URL` with this suite's $ICTO_HOME.
  static icto::test::command_result icto(const std::string& args) {
    return icto::test::run_command("ICTO_HOME=" + home.string() + " " + icto_bin
                                   + " " + args + " --node " + url + " 2>>"
                                   + (home / "icto.err").string());
  }

  struct bad_result {
    int exit_code = -1;
    std::string err;
  };

  /// Runs `icto ARGS` expecting a usage error; stderr is kept.
  static bad_result icto_bad(const std::string& args) {
    const auto err = home / "bad.err";
    auto r = icto::test::run_command("ICTO_HOME=" + home.string() + " "
                                     + icto_bin + " " + args + " 2>"
                                     + err.string());
    return {r.exit_code, read(err)};
  }

  static std::string read(const fs::path& p) {
    std::ifstream in{p};
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  static std::vector<json> ack_lines() {
    std::vector<json> out;
    std::ifstream in{acks};
    for (std::string line; std::getline(in, line);)
      out.push_back(json::parse(line));
    return out;
  }

  /// Writes the run's ack log plus `extra` lines to a new file.
  static fs::path ack_log_with(const std::string& name,
                               const std::vector<json>& extra) {
    auto p = home / name;
    std::ofstream out{p};
    out << read(acks);
    for (const auto& e : extra)
      out << e.dump() << '\n';
    return p;
  }

  static inline fs::path home;
  static inline std::unique_ptr<icto::test::ictod_process> node;
  static inline std::string url;
  static inline fs::path acks;
  static inline fs::path summary_file;
  static inline icto::test::command_result run;
};

} // namespace

TEST_F(icto_load_e2e, small_run_acknowledges_every_deployment) {
  ASSERT_EQ(run.exit_code, 0) << run.out << read(home / "icto.err");
  auto s = json::parse(read(summary_file), nullptr, false);
  ASSERT_FALSE(s.is_discarded()) << read(summary_file);
  EXPECT_EQ(s["deployments_acknowledged"], 20) << s.dump(2);
  EXPECT_EQ(s["unexpected_errors"], 0) << s.dump(2);
  EXPECT_EQ(s["lost_calls"], 0);
  EXPECT_EQ(s["node_lost"], false);
  EXPECT_EQ(s["check"]["ok"], true) << s["check"].dump(2);
  EXPECT_EQ(s["check"]["deployments"], 20);
  // Every kind was deployed, and the calls after them ran.
  for (const auto* kind :
       {"token", "multisig", "distribution", "dao", "launchpad"})
    EXPECT_GT(s["by_op"][std::string{"deploy "} + kind]["ok"].get<int>(), 0)
        << kind;
  EXPECT_TRUE(s["by_op"].contains("query getMyContracts")) << s.dump(2);
  // The table on stdout and the ack log agree with the summary.
  EXPECT_NE(run.out.find("20/20 deployments acknowledged"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("all invariants hold"), std::string::npos) << run.out;
  size_t deploys = 0;
  size_t mints = 0;
  for (const auto& e : ack_lines()) {
    deploys += e["op"] == "deploy" ? 1 : 0;
    mints += e["op"] == "mint" ? 1 : 0;
  }
  EXPECT_EQ(deploys, 20u);
  EXPECT_EQ(mints, 5u);
}

TEST_F(icto_load_e2e, check_passes_on_the_ack_log) {
  ASSERT_EQ(run.exit_code, 0);
  auto r = icto("load check --ack-log " + acks.string());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("check: 20 deployments"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("violation"), std::string::npos) << r.out;
}

TEST_F(icto_load_e2e, check_names_a_contract_that_does_not_exist) {
  ASSERT_EQ(run.exit_code, 0);
  // A contract id of the node's range that no deployment took.
  const auto ghost = icto::principal::canister_id(1'999'999).to_text();
  json deploy;
  for (const auto& e : ack_lines())
    if (e["op"] == "deploy" && e["kind"] == "multisig")
      deploy = e;
  ASSERT_FALSE(deploy.is_null());
  deploy["contract_id"] = ghost;
  deploy["request_id"] = "ghost-request";
  auto log = ack_log_with("ghost.jsonl", {deploy});
  auto r = icto("load check --ack-log " + log.string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("violation: deploy ghost-request (multisig " + ghost
                       + "): multisig_factory getContractInfo: "
                         "unknown_contract"),
            std::string::npos)
      << r.out;
  // No invoice and no audit event for it either, and nothing else is wrong.
  EXPECT_NE(
      r.out.find("ghost-request (multisig " + ghost + "): no invoice record"),
      std::string::npos)
      << r.out;
  std::istringstream lines{r.out};
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("violation:", 0) == 0) {
      EXPECT_NE(line.find(ghost), std::string::npos) << line;
    }
  }
}

TEST_F(icto_load_e2e, check_names_a_token_holding_that_is_not_there) {
  ASSERT_EQ(run.exit_code, 0);
  json token;
  for (const auto& e : ack_lines())
    if (e["op"] == "deploy" && e["kind"] == "token")
      token = e;
  ASSERT_FALSE(token.is_null());
  const auto stranger = icto::principal::canister_id(42).to_text();
  auto log = ack_log_with("holding.jsonl",
                          {{{"op", "transfer"},
                            {"request_id", "ghost-transfer"},
                            {"contract_id", token["contract_id"]},
                            {"user", token["user"]},
                            {"to", stranger},
                            {"amount", 1000}}});
  auto r = icto("load check --ack-log " + log.string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("violation: token "
                       + token["contract_id"].get<std::string>() + ": "
                       + stranger
                       + " holds 0, below the acknowledged "
                         "transfers' 1000"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("not in token_factory getMyContracts of " + stranger
                       + " as holder"),
            std::string::npos)
      << r.out;
}

TEST_F(icto_load_e2e, bad_options_are_named) {
  auto r = icto_bad("load --kinds token,nft");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--kinds"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'nft'"), std::string::npos) << r.err;
  r = icto_bad("load --concurrency 0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--concurrency"), std::string::npos) << r.err;
  r = icto_bad("load check");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--ack-log"), std::string::npos) << r.err;
}
