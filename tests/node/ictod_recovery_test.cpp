// End to end: what a node acknowledged survives its death. Starts `ictod`
// as a real process with a data folder, changes the ledger through `icto`,
// kills the node (SIGKILL, or SIGTERM for a clean stop with a checkpoint),
// restarts it on the same folder and reads the state back. Then damages
// the store on disk: a torn last journal record is dropped with a warning;
// a damaged record inside the journal stops the start with an error naming
// the actor and the sequence number.

#include "persistence/node_store.hpp"
#include "persistence/record.hpp"
#include "tests/node/ictod_process.hpp"
#include "tests/node/run_command.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using icto::test::ictod_process;

const std::string ictod_bin = ICTOD_BINARY;
const std::string icto_bin = ICTO_BINARY;
const std::string config = std::string{ICTO_SOURCE_DIR}
                           + "/config/single-node.toml";
/// The ledger's principal (canister id 1, node/platform.hpp).
const std::string ledger_id = "rrkah-fqaaa-aaaaa-aaaaq-cai";

class ictod_recovery : public ::testing::Test {
 protected:
  void SetUp() override {
    home
        = fs::temp_directory_path()
          / ("icto_recovery_" + std::to_string(getpid()) + "_"
             + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(home);
    fs::create_directories(home);
    data = (home / "data").string();
    log = (home / "ictod.log").string();
    icto("identity new alice");
    alice = icto("identity whoami alice").out;
    while (!alice.empty() && alice.back() == '\n')
      alice.pop_back();
  }

  void TearDown() override {
    node.stop(SIGKILL);
    fs::remove_all(home);
  }

  icto::test::command_result icto(const std::string& args) {
    return icto::test::run_command("ICTO_HOME=" + home.string() + " " + icto_bin
                                   + " " + args + " 2>/dev/null");
  }

  void start() {
    auto line = node.start(ictod_bin, config, "local", data, log);
    ASSERT_TRUE(node.running()) << line << "\n" << read_log();
  }

  json call(const std::string& as, const std::string& target,
            const std::string& method, const json& args) {
    auto r = icto("call " + target + " " + method + " '" + args.dump()
                  + "' --node " + node.url()
                  + (as.empty() ? " --anonymous" : " --as " + as));
    auto j = json::parse(r.out, nullptr, false);
    return j.is_discarded() ? json{{"unparsable", r.out}} : j;
  }

  json mint(uint64_t amount) {
    return call("admin", "ledger", "icrc1_transfer",
                {{"to", {{"owner", alice}, {"subaccount", nullptr}}},
                 {"amount", amount}});
  }

  uint64_t balance() {
    auto r = call("", "ledger", "icrc1_balance_of",
                  {{"owner", alice}, {"subaccount", nullptr}});
    EXPECT_TRUE(r.contains("ok")) << r.dump();
    return r.contains("ok") ? r["ok"].get<uint64_t>() : 0;
  }

  std::string read_log() {
    std::ifstream in{log};
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  /// Opens the stopped node's store directly.
  std::unique_ptr<icto::store::node_store> open_store() {
    auto s = icto::store::node_store::open(fs::path{data} / "store", "local");
    EXPECT_TRUE(s) << (s ? "" : s.err().message);
    return s ? std::move(*s) : nullptr;
  }

  fs::path home;
  std::string data;
  std::string log;
  std::string alice;
  ictod_process node;
};

TEST_F(ictod_recovery, acknowledged_blocks_survive_sigkill) {
  start();
  uint64_t expected = 0;
  for (uint64_t i = 1; i <= 20; ++i) {
    auto r = mint(i * 1000);
    ASSERT_TRUE(r.contains("ok")) << r.dump();
    expected += i * 1000;
  }
  ASSERT_EQ(balance(), expected);
  node.stop(SIGKILL);
  start();
  EXPECT_EQ(balance(), expected);
  // The chain of blocks continues where it stopped: the next is block 20.
  auto r = mint(1);
  ASSERT_TRUE(r.contains("ok")) << r.dump();
  EXPECT_EQ(r["ok"].get<uint64_t>(), 20u);
  EXPECT_EQ(balance(), expected + 1);
}

TEST_F(ictod_recovery, storage_whitelists_survive_sigkill) {
  start();
  for (auto target : {"audit_storage", "invoice_storage"}) {
    auto r = call("admin", target, "addToWhitelist", {{"writer", alice}});
    ASSERT_TRUE(r.contains("ok")) << target << ": " << r.dump();
  }
  node.stop(SIGKILL);
  start();
  for (auto target : {"audit_storage", "invoice_storage"}) {
    auto r = call("admin", target, "getWhitelist", json::object());
    ASSERT_TRUE(r.contains("ok")) << target << ": " << r.dump();
    EXPECT_NE(r["ok"].dump().find(alice), std::string::npos)
        << target << ": " << r.dump();
  }
  EXPECT_NE(read_log().find("recovered audit_storage: 1 events"),
            std::string::npos)
      << read_log();
}

TEST_F(ictod_recovery, a_clean_stop_checkpoints_and_the_next_start_loads_it) {
  start();
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(mint(100).contains("ok"));
  auto st = node.stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(st)) << st;
  EXPECT_EQ(WEXITSTATUS(st), 0);
  {
    auto store = open_store();
    ASSERT_TRUE(store);
    auto id = icto::principal::from_text(ledger_id);
    auto sum = store->summary(*id);
    EXPECT_EQ(sum.checkpoints, std::vector<uint64_t>{5});
  }
  start();
  EXPECT_EQ(balance(), 500u);
  EXPECT_NE(read_log().find("recovered ledger: 5 events (checkpoint at 5, 0 "
                            "replayed)"),
            std::string::npos)
      << read_log();
}

TEST_F(ictod_recovery, a_torn_last_record_is_dropped_with_a_warning) {
  start();
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(mint(100).contains("ok"));
  node.stop(SIGKILL);
  {
    auto store = open_store();
    ASSERT_TRUE(store);
    auto key = icto::store::record_key(*icto::principal::from_text(ledger_id),
                                       icto::store::record_kind::journal, 4);
    auto raw = store->get_raw(key);
    ASSERT_TRUE(raw);
    ASSERT_TRUE(store->put_raw(key, raw->substr(0, raw->size() / 2)));
  }
  start();
  EXPECT_EQ(balance(), 300u);
  EXPECT_NE(read_log().find("torn last journal record at seq 4"),
            std::string::npos)
      << read_log();
}

TEST_F(ictod_recovery, a_damaged_record_inside_the_journal_refuses_the_start) {
  start();
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(mint(100).contains("ok"));
  node.stop(SIGKILL);
  {
    auto store = open_store();
    ASSERT_TRUE(store);
    auto key = icto::store::record_key(*icto::principal::from_text(ledger_id),
                                       icto::store::record_kind::journal, 2);
    auto raw = *store->get_raw(key);
    raw[raw.size() - 1] = static_cast<char>(raw[raw.size() - 1] ^ 0x10);
    ASSERT_TRUE(store->put_raw(key, raw));
  }
  auto line = node.start(ictod_bin, config, "local", data, log);
  EXPECT_FALSE(node.running()) << "started on a damaged journal: " << line;
  EXPECT_TRUE(WIFEXITED(node.status()) && WEXITSTATUS(node.status()) == 1)
      << node.status();
  auto text = read_log();
  EXPECT_NE(text.find(ledger_id), std::string::npos) << text;
  EXPECT_NE(text.find("seq 2"), std::string::npos) << text;
}

} // namespace

namespace {

/// The backend's principal (canister id 2, node/platform.hpp).
const std::string backend_id = "ryjl3-tyaaa-aaaaa-aaaba-cai";

json acct(const std::string& p) {
  return {{"owner", p}, {"subaccount", nullptr}};
}

bool has_entry(const json& page, const std::string& id,
               const std::string& role) {
  if (!page.contains("ok"))
    return false;
  for (auto& e : page["ok"]["entries"])
    if (e["id"] == id && e["role"] == role)
      return true;
  return false;
}

} // namespace

// Deployed contracts come back after SIGKILL under the same ids with the
// same state, their factories' indexes with them, and keep working; then
// the same after a clean stop (from their checkpoints).
TEST_F(ictod_recovery, deployed_contracts_survive_sigkill_and_rebind) {
  icto("identity new bob");
  icto("identity new carol");
  auto whoami = [&](const std::string& n) {
    auto s = icto("identity whoami " + n).out;
    while (!s.empty() && s.back() == '\n')
      s.pop_back();
    return s;
  };
  const auto bob = whoami("bob");
  const auto carol = whoami("carol");
  start();
  ASSERT_TRUE(call("admin", "backend", "setupMicroservices",
                   {{"services", json::array()}})
                  .contains("ok"));
  ASSERT_TRUE(mint(2'000'000'000).contains("ok"));
  ASSERT_TRUE(call("alice", "ledger", "icrc2_approve",
                   {{"spender", acct(backend_id)}, {"amount", 1'000'000'000}})
                  .contains("ok"));
  auto tok = call("alice", "backend", "createToken",
                  {{"request_id", "t1"},
                   {"init",
                    {{"name", "Alice Coin"},
                     {"symbol", "ALC"},
                     {"decimals", 8},
                     {"fee", 10},
                     {"initial_supply", 1'000'000},
                     {"is_public", true}}}});
  ASSERT_TRUE(tok.contains("ok")) << tok.dump();
  const std::string token = tok["ok"]["contract_id"];
  auto ms = call("alice", "backend", "createMultisig",
                 {{"request_id", "m1"},
                  {"init",
                   {{"name", "Team"},
                    {"signers", {alice, bob}},
                    {"threshold", 2},
                    {"observers", json::array()},
                    {"is_public", false}}}});
  ASSERT_TRUE(ms.contains("ok")) << ms.dump();
  const std::string multisig = ms["ok"]["contract_id"];
  ASSERT_TRUE(call("alice", token, "icrc1_transfer",
                   {{"to", acct(bob)}, {"amount", 5000}})
                  .contains("ok"));
  ASSERT_TRUE(
      call("alice", multisig, "addSigner", {{"signer", carol}}).contains("ok"));

  auto check = [&](const char* when) {
    SCOPED_TRACE(when);
    auto b = call("", token, "icrc1_balance_of", acct(bob));
    EXPECT_EQ(b, json({{"ok", 5000}}));
    auto a = call("", token, "icrc1_balance_of", acct(alice));
    EXPECT_EQ(a, json({{"ok", 1'000'000 - 5000 - 10}}));
    auto w = call("alice", multisig, "getWalletInfo", json::object());
    ASSERT_TRUE(w.contains("ok")) << w.dump();
    EXPECT_NE(w["ok"]["signers"].dump().find(carol), std::string::npos);
    auto mine = [&](const std::string& factory, const std::string& user) {
      return call("", factory, "getMyContracts",
                  {{"user", user},
                   {"role", nullptr},
                   {"page", {{"limit", 50}, {"offset", 0}}}});
    };
    EXPECT_TRUE(has_entry(mine("token_factory", alice), token, "creator"));
    EXPECT_TRUE(has_entry(mine("token_factory", bob), token, "holder"));
    EXPECT_TRUE(has_entry(mine("multisig_factory", carol), multisig, "signer"));
    auto info = call("", "token_factory", "getContractInfo",
                     {{"contract_id", token}});
    ASSERT_TRUE(info.contains("ok")) << info.dump();
    EXPECT_EQ(info["ok"]["deployment"], "deployed");
  };
  check("before the crash");
  node.stop(SIGKILL);
  start();
  check("after SIGKILL");
  EXPECT_NE(read_log().find("contracts: 2 restored"), std::string::npos)
      << read_log();
  // The token's journal continues; the factory hands out a new id.
  ASSERT_TRUE(call("bob", token, "icrc1_transfer",
                   {{"to", acct(carol)}, {"amount", 100}})
                  .contains("ok"));
  auto tok2 = call("alice", "backend", "createToken",
                   {{"request_id", "t2"},
                    {"init",
                     {{"name", "Second"},
                      {"symbol", "SEC"},
                      {"decimals", 8},
                      {"fee", 10},
                      {"initial_supply", 0},
                      {"is_public", false}}}});
  ASSERT_TRUE(tok2.contains("ok")) << tok2.dump();
  EXPECT_NE(tok2["ok"]["contract_id"], token);
  auto st = node.stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(st)) << st;
  EXPECT_EQ(WEXITSTATUS(st), 0) << read_log();
  start();
  auto c = call("", token, "icrc1_balance_of", acct(carol));
  EXPECT_EQ(c, json({{"ok", 100}}));
  EXPECT_NE(read_log().find("contracts: 3 restored"), std::string::npos)
      << read_log();
}
