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
/// The backend's principal (canister id 2, node/platform.hpp).
const std::string backend_id = "ryjl3-tyaaa-aaaaa-aaaba-cai";

json acct(const std::string& p) {
  return {{"owner", p}, {"subaccount", nullptr}};
}

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
    alice = new_user("alice");
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

  /// Makes the identity `name` in ICTO_HOME; its principal.
  std::string new_user(const std::string& name) {
    icto("identity new " + name);
    auto p = icto("identity whoami " + name).out;
    while (!p.empty() && p.back() == '\n')
      p.pop_back();
    return p;
  }

  /// Starts the node and readies it for paid deployments: the backend set
  /// up, `minted` e8s for alice, the backend approved for `approved`.
  void start_for_deployments(uint64_t minted, uint64_t approved) {
    start();
    ASSERT_TRUE(call("admin", "backend", "setupMicroservices",
                     {{"services", json::array()}})
                    .contains("ok"));
    ASSERT_TRUE(mint(minted).contains("ok"));
    ASSERT_TRUE(call("alice", "ledger", "icrc2_approve",
                     {{"spender", acct(backend_id)}, {"amount", approved}})
                    .contains("ok"));
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
  const auto bob = new_user("bob");
  const auto carol = new_user("carol");
  ASSERT_NO_FATAL_FAILURE(start_for_deployments(2'000'000'000, 1'000'000'000));
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

// A DAO comes back after SIGKILL with its members, proposals, votes and an
// executed transfer (paid once), its factory's index with it, and keeps
// journaling; then the same after a clean stop (from its checkpoint).
TEST_F(ictod_recovery, dao_contracts_survive_sigkill) {
  const auto bob = new_user("bob");
  const auto carol = new_user("carol");
  ASSERT_NO_FATAL_FAILURE(start_for_deployments(2'000'000'000, 1'000'000'000));
  auto created = call("alice", "backend", "createDAO",
                      {{"request_id", "d1"},
                       {"init",
                        {{"name", "Builders"},
                         {"members",
                          {{{"member", alice}, {"voting_power", 60}},
                           {{"member", bob}, {"voting_power", 40}}}},
                         {"quorum_bps", 5000},
                         {"approval_threshold_bps", 5000},
                         {"voting_period_seconds", 2},
                         {"is_public", false}}}});
  ASSERT_TRUE(created.contains("ok")) << created.dump();
  const std::string dao = created["ok"]["contract_id"];
  // The DAO's own account pays its transfers.
  ASSERT_TRUE(call("admin", "ledger", "icrc1_transfer",
                   {{"to", acct(dao)}, {"amount", 1'000'000}})
                  .contains("ok"));
  ASSERT_TRUE(
      call("alice", dao, "addMember", {{"member", carol}, {"voting_power", 10}})
          .contains("ok"));
  auto pay = call("alice", dao, "createProposal",
                  {{"title", "Pay carol"},
                   {"description", ""},
                   {"action", "transfer"},
                   {"params", {{"to", acct(carol)}, {"amount", 1000}}}});
  ASSERT_EQ(pay, json({{"ok", 1}}));
  auto signal = call("bob", dao, "createProposal",
                     {{"title", "Adopt a logo"},
                      {"description", "a signal vote"},
                      {"action", "text"},
                      {"params", json::object()}});
  ASSERT_EQ(signal, json({{"ok", 2}}));
  for (auto who : {"alice", "bob"})
    ASSERT_TRUE(call(who, dao, "vote", {{"proposal_id", 1}, {"vote", "yes"}})
                    .contains("ok"))
        << who;
  ASSERT_TRUE(call("alice", dao, "vote", {{"proposal_id", 2}, {"vote", "no"}})
                  .contains("ok"));
  std::this_thread::sleep_for(std::chrono::milliseconds{2500});
  auto executed = call("bob", dao, "executeProposal", {{"proposal_id", 1}});
  ASSERT_TRUE(executed.contains("ok")) << executed.dump();
  EXPECT_EQ(executed["ok"]["status"], "executed") << executed.dump();

  auto carol_icp = [&] {
    return call("", "ledger", "icrc1_balance_of", acct(carol));
  };
  auto check = [&](const char* when) {
    SCOPED_TRACE(when);
    auto info = call("alice", dao, "getDaoInfo", json::object());
    ASSERT_TRUE(info.contains("ok")) << info.dump();
    EXPECT_EQ(info["ok"]["members"], 3);
    EXPECT_EQ(info["ok"]["total_voting_power"], 110);
    EXPECT_EQ(info["ok"]["proposals"], 2);
    auto hidden = call("", dao, "getDaoInfo", json::object());
    EXPECT_TRUE(hidden.contains("err")) << hidden.dump();
    auto p1 = call("carol", dao, "getProposal", {{"proposal_id", 1}});
    ASSERT_TRUE(p1.contains("ok")) << p1.dump();
    EXPECT_EQ(p1["ok"]["status"], "executed");
    EXPECT_EQ(p1["ok"]["yes_power"], 100);
    EXPECT_EQ(p1["ok"]["ballots"].size(), 2u);
    auto p2 = call("carol", dao, "getProposal", {{"proposal_id", 2}});
    ASSERT_TRUE(p2.contains("ok")) << p2.dump();
    EXPECT_EQ(p2["ok"]["status"], "rejected");
    EXPECT_EQ(p2["ok"]["no_power"], 60);
    EXPECT_EQ(carol_icp(), json({{"ok", 1000}})) << "paid once";
    auto mine = [&](const std::string& user) {
      return call("", "dao_factory", "getMyContracts",
                  {{"user", user},
                   {"role", nullptr},
                   {"page", {{"limit", 50}, {"offset", 0}}}});
    };
    EXPECT_TRUE(has_entry(mine(alice), dao, "creator"));
    EXPECT_TRUE(has_entry(mine(bob), dao, "member"));
    EXPECT_TRUE(has_entry(mine(carol), dao, "member"));
    auto ci = call("", "dao_factory", "getContractInfo",
                   {{"contract_id", dao}});
    ASSERT_TRUE(ci.contains("ok")) << ci.dump();
    EXPECT_EQ(ci["ok"]["deployment"], "deployed");
  };
  check("before the crash");
  node.stop(SIGKILL);
  start();
  check("after SIGKILL");
  EXPECT_NE(read_log().find("contracts: 1 restored"), std::string::npos)
      << read_log();
  // Executing again pays nothing; the journal continues.
  auto again = call("bob", dao, "executeProposal", {{"proposal_id", 1}});
  EXPECT_TRUE(again.contains("err")) << again.dump();
  EXPECT_EQ(carol_icp(), json({{"ok", 1000}}));
  auto third = call("carol", dao, "createProposal",
                    {{"title", "After the crash"},
                     {"description", ""},
                     {"action", "text"},
                     {"params", json::object()}});
  ASSERT_EQ(third, json({{"ok", 3}}));
  auto st = node.stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(st)) << st;
  EXPECT_EQ(WEXITSTATUS(st), 0) << read_log();
  start();
  auto p3 = call("carol", dao, "getProposal", {{"proposal_id", 3}});
  ASSERT_TRUE(p3.contains("ok")) << p3.dump();
  EXPECT_EQ(p3["ok"]["title"], "After the crash");
  EXPECT_EQ(carol_icp(), json({{"ok", 1000}}));
  EXPECT_TRUE(has_entry(call("", "dao_factory", "getMyContracts",
                             {{"user", carol},
                              {"role", nullptr},
                              {"page", {{"limit", 50}, {"offset", 0}}}}),
                        dao, "member"));
}

// A distribution comes back after SIGKILL with its recipients, status and
// claims (paid once), its factory's index with it, and keeps journaling: a
// claim after the restart completes it; then the same after a clean stop
// (from its checkpoint).
TEST_F(ictod_recovery, distribution_contracts_survive_sigkill) {
  const auto bob = new_user("bob");
  const auto carol = new_user("carol");
  ASSERT_NO_FATAL_FAILURE(start_for_deployments(2'000'000'000, 1'000'000'000));
  // Vests everything at the start: claims pay at once, on the ledger.
  auto created
      = call("alice", "backend", "createDistribution",
             {{"request_id", "dist1"},
              {"init",
               {{"name", "Team"},
                {"token", ledger_id},
                {"recipients", {{{"recipient", bob}, {"amount", 1000}}}},
                {"start_time", 0},
                {"cliff_seconds", 0},
                {"vesting_seconds", 0},
                {"is_public", false}}}});
  ASSERT_TRUE(created.contains("ok")) << created.dump();
  const std::string dist = created["ok"]["contract_id"];
  // The distribution's own account pays the claims and their fees.
  ASSERT_TRUE(call("admin", "ledger", "icrc1_transfer",
                   {{"to", acct(dist)}, {"amount", 1'000'000}})
                  .contains("ok"));
  ASSERT_TRUE(call("alice", dist, "addRecipient",
                   {{"recipient", carol}, {"amount", 500}})
                  .contains("ok"));
  ASSERT_TRUE(call("alice", dist, "activate", json::object()).contains("ok"));
  auto paid = call("bob", dist, "claim", json::object());
  ASSERT_TRUE(paid.contains("ok")) << paid.dump();
  EXPECT_EQ(paid["ok"]["amount"], 1000);

  auto icp = [&](const std::string& who) {
    return call("", "ledger", "icrc1_balance_of", acct(who));
  };
  auto mine = [&](const std::string& user) {
    return call("", "distribution_factory", "getMyContracts",
                {{"user", user},
                 {"role", nullptr},
                 {"page", {{"limit", 50}, {"offset", 0}}}});
  };
  auto check = [&](const char* when, const std::string& status,
                   uint64_t claimed, uint64_t carol_claimed) {
    SCOPED_TRACE(when);
    auto info = call("alice", dist, "getDistributionInfo", json::object());
    ASSERT_TRUE(info.contains("ok")) << info.dump();
    EXPECT_EQ(info["ok"]["status"], status);
    EXPECT_EQ(info["ok"]["recipients"], 2);
    EXPECT_EQ(info["ok"]["total_amount"], 1500);
    EXPECT_EQ(info["ok"]["total_claimed"], claimed);
    auto hidden = call("", dist, "getDistributionInfo", json::object());
    EXPECT_TRUE(hidden.contains("err")) << hidden.dump();
    auto b = call("", dist, "getClaimable", {{"user", bob}});
    ASSERT_TRUE(b.contains("ok")) << b.dump();
    EXPECT_EQ(b["ok"]["claimed"], 1000);
    EXPECT_EQ(b["ok"]["claimable"], 0);
    auto c = call("", dist, "getClaimable", {{"user", carol}});
    ASSERT_TRUE(c.contains("ok")) << c.dump();
    EXPECT_EQ(c["ok"]["claimed"], carol_claimed);
    EXPECT_EQ(icp(bob), json({{"ok", 1000}})) << "paid once";
    EXPECT_EQ(icp(carol), json({{"ok", carol_claimed}}));
    auto s = call("", dist, "getContractStatus", json::object());
    ASSERT_TRUE(s.contains("ok")) << s.dump();
    EXPECT_EQ(s["ok"]["status"], status);
    EXPECT_TRUE(has_entry(mine(alice), dist, "creator"));
    EXPECT_TRUE(has_entry(mine(bob), dist, "recipient"));
    EXPECT_TRUE(has_entry(mine(carol), dist, "recipient"));
    auto ci = call("", "distribution_factory", "getContractInfo",
                   {{"contract_id", dist}});
    ASSERT_TRUE(ci.contains("ok")) << ci.dump();
    EXPECT_EQ(ci["ok"]["deployment"], "deployed");
    EXPECT_EQ(ci["ok"]["status"], status);
  };
  check("before the crash", "active", 1000, 0);
  node.stop(SIGKILL);
  start();
  check("after SIGKILL", "active", 1000, 0);
  EXPECT_NE(read_log().find("contracts: 1 restored"), std::string::npos)
      << read_log();
  // Claiming again pays nothing; carol's claim completes it.
  auto again = call("bob", dist, "claim", json::object());
  EXPECT_TRUE(again.contains("err")) << again.dump();
  auto last = call("carol", dist, "claim", json::object());
  ASSERT_TRUE(last.contains("ok")) << last.dump();
  EXPECT_EQ(last["ok"]["amount"], 500);
  check("after the last claim", "completed", 1500, 500);
  auto st = node.stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(st)) << st;
  EXPECT_EQ(WEXITSTATUS(st), 0) << read_log();
  start();
  check("after a clean stop", "completed", 1500, 500);
}

// A launchpad comes back after SIGKILL with its contributions, status and
// factory indexes (creator, participant), keeps taking contributions, and
// after the sale ends its finalize refunds everyone once; the refunds and
// the removed participants survive another SIGKILL.
TEST_F(ictod_recovery, launchpad_contracts_survive_sigkill) {
  const auto bob = new_user("bob");
  const auto carol = new_user("carol");
  ASSERT_NO_FATAL_FAILURE(start_for_deployments(5'000'000'000, 2'000'000'000));
  for (const auto& who : {bob, carol})
    ASSERT_TRUE(call("admin", "ledger", "icrc1_transfer",
                     {{"to", acct(who)}, {"amount", 100'000'000}})
                    .contains("ok"));
  using clock = std::chrono::system_clock;
  const auto now_ns = [] {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(
            clock::now().time_since_epoch())
            .count());
  };
  const uint64_t opens = now_ns() - 1'000'000'000ull;
  const uint64_t ends = opens + 31'000'000'000ull; // open for 30 s from now
  auto created = call("alice", "backend", "createLaunchpad",
                      {{"request_id", "l1"},
                       {"init",
                        {{"name", "ALC sale"},
                         {"sale_token", ledger_id},
                         {"price_e8s", 1'000'000},
                         {"soft_cap", 100'000'000},
                         {"hard_cap", 1'000'000'000},
                         {"min_contribution", 1'000'000},
                         {"max_contribution", 500'000'000},
                         {"start_time", opens},
                         {"end_time", ends},
                         {"is_public", true}}}});
  ASSERT_TRUE(created.contains("ok")) << created.dump();
  const std::string sale = created["ok"]["contract_id"];
  const uint64_t ledger_fee = 10'000;
  auto contribute = [&](const std::string& as, uint64_t amount) {
    auto a = call(as, "ledger", "icrc2_approve",
                  {{"spender", acct(sale)}, {"amount", amount + ledger_fee}});
    EXPECT_TRUE(a.contains("ok")) << a.dump();
    return call(as, sale, "contribute",
                {{"amount", amount}, {"from_subaccount", nullptr}});
  };
  auto c = contribute("bob", 20'000'000);
  ASSERT_TRUE(c.contains("ok")) << c.dump();
  EXPECT_EQ(c["ok"]["amount"], 20'000'000);
  c = contribute("carol", 5'000'000);
  ASSERT_TRUE(c.contains("ok")) << c.dump();
  auto ledger_balance = [&](const std::string& p) -> uint64_t {
    auto r = call("", "ledger", "icrc1_balance_of", acct(p));
    EXPECT_TRUE(r.contains("ok")) << r.dump();
    return r.contains("ok") ? r["ok"].get<uint64_t>() : 0;
  };
  auto mine = [&](const std::string& user) {
    return call("", "launchpad_factory", "getMyContracts",
                {{"user", user},
                 {"role", nullptr},
                 {"page", {{"limit", 50}, {"offset", 0}}}});
  };
  auto check = [&](const char* when, uint64_t bob_amount,
                   const std::string& status, bool participants) {
    SCOPED_TRACE(when);
    auto info = call("", sale, "getSaleInfo", json::object());
    ASSERT_TRUE(info.contains("ok")) << info.dump();
    EXPECT_EQ(info["ok"]["raised"], bob_amount + 5'000'000);
    EXPECT_EQ(info["ok"]["status"], status);
    EXPECT_EQ(info["ok"]["contributors"], 2);
    auto b = call("", sale, "getContribution", {{"user", bob}});
    ASSERT_TRUE(b.contains("ok")) << b.dump();
    EXPECT_EQ(b["ok"]["amount"], bob_amount);
    EXPECT_EQ(b["ok"]["refunded"], status == "refunded");
    EXPECT_TRUE(has_entry(mine(alice), sale, "creator"));
    EXPECT_EQ(has_entry(mine(bob), sale, "participant"), participants);
    EXPECT_EQ(has_entry(mine(carol), sale, "participant"), participants);
    auto fi = call("", "launchpad_factory", "getContractInfo",
                   {{"contract_id", sale}});
    ASSERT_TRUE(fi.contains("ok")) << fi.dump();
    EXPECT_EQ(fi["ok"]["deployment"], "deployed");
  };
  check("before the crash", 20'000'000, "open", true);
  EXPECT_EQ(ledger_balance(sale), 25'000'000u);
  node.stop(SIGKILL);
  start();
  check("after SIGKILL", 20'000'000, "open", true);
  EXPECT_NE(read_log().find("contracts: 1 restored"), std::string::npos)
      << read_log();
  // Its journal continues: bob adds to his contribution.
  c = contribute("bob", 10'000'000);
  ASSERT_TRUE(c.contains("ok")) << c.dump() << " (the sale is open 30 s)";
  EXPECT_EQ(c["ok"]["amount"], 30'000'000);
  EXPECT_EQ(ledger_balance(sale), 35'000'000u);
  // After the end the soft cap is missed: finalize refunds both, once.
  const auto bob_before = ledger_balance(bob);
  const auto carol_before = ledger_balance(carol);
  while (now_ns() < ends + 500'000'000ull)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto out = call("alice", sale, "finalize", json::object());
  ASSERT_TRUE(out.contains("ok")) << out.dump();
  EXPECT_EQ(out["ok"]["status"], "refunded");
  EXPECT_EQ(out["ok"]["refunds_paid"], 2);
  EXPECT_EQ(ledger_balance(bob), bob_before + 30'000'000 - ledger_fee);
  EXPECT_EQ(ledger_balance(carol), carol_before + 5'000'000 - ledger_fee);
  check("refunded", 30'000'000, "refunded", false);
  node.stop(SIGKILL);
  start();
  check("refunded, after SIGKILL", 30'000'000, "refunded", false);
  auto refunds = call("", sale, "getRefunds",
                      {{"page", {{"limit", 10}, {"offset", 0}}}});
  ASSERT_TRUE(refunds.contains("ok")) << refunds.dump();
  EXPECT_EQ(refunds["ok"]["total"], 2);
  EXPECT_EQ(ledger_balance(bob), bob_before + 30'000'000 - ledger_fee)
      << "no refund paid again";
  auto again = call("bob", sale, "claimRefund", json::object());
  EXPECT_TRUE(again.contains("err")) << again.dump();
}
