// Fault injection through a real node (issue 5): a store written by `ictod`
// under `icto load` (checkpoints from two clean stops, a journal tail cut
// by SIGKILL), then damaged one record at a time, at a random offset, by a
// truncation or a bit flip: checkpoints (the newest and the older one),
// journal records (ones the newest checkpoint includes, ones after it, the
// last one) and contract metadata, of services, factories and contracts.
// Every damage is detected (the log names the actor and the record), and
// the node either refuses to start with that message (exit 1), or starts
// on exactly the state it had (a fallback: compared with the undamaged
// store's through the public API), or, for a last journal record cut short
// (a write the node died in), drops that record with a warning.

#include "persistence/node_store.hpp"
#include "persistence/record.hpp"
#include "tests/node/ictod_process.hpp"
#include "tests/node/run_command.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using icto::principal;
using icto::test::ictod_process;
namespace store = icto::store;

const std::string ictod_bin = ICTOD_BINARY;
const std::string icto_bin = ICTO_BINARY;
const std::string config = std::string{ICTO_SOURCE_DIR}
                           + "/config/single-node.toml";
const char* const factories[] = {"token_factory", "multisig_factory",
                                 "distribution_factory", "dao_factory",
                                 "launchpad_factory"};

std::string read_file(const fs::path& p) {
  std::ifstream in{p};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The store of a node written under load, once for all tests; each test
/// damages a copy.
class ictod_fault : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    root = fs::temp_directory_path()
           / ("icto_fault_" + std::to_string(getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "home");
    const auto data = (root / "golden").string();
    const auto log = (root / "golden.log").string();
    ictod_process node;
    // Three loads: a clean stop (checkpoints) after the first two, SIGKILL
    // after the last, so actors have two checkpoints and a journal tail.
    for (int round = 0; round < 3; ++round) {
      auto line = node.start(ictod_bin, config, "local", data, log);
      ASSERT_TRUE(node.running()) << line << "\n" << read_file(log);
      auto r = icto("load --node " + node.url()
                    + " --users 6 --deployments 12 --concurrency 4 --seed "
                    + std::to_string(round + 1) + " --ack-log "
                    + (root / "acks.jsonl").string());
      ASSERT_EQ(r.exit_code, 0) << r.out;
      node.stop(round < 2 ? SIGTERM : SIGKILL);
    }
    // What the undamaged store starts as.
    auto copy = fresh_copy("reference");
    auto line = node.start(ictod_bin, config, "local", copy.string(),
                           (root / "reference.log").string());
    ASSERT_TRUE(node.running()) << line;
    reference = new json(fingerprint(node.url()));
    node.stop(SIGKILL);
  }

  static void TearDownTestSuite() {
    delete reference;
    reference = nullptr;
    fs::remove_all(root);
  }

 protected:
  static icto::test::command_result icto(const std::string& args) {
    return icto::test::run_command("ICTO_HOME=" + (root / "home").string() + " "
                                   + icto_bin + " " + args + " 2>/dev/null");
  }

  static json call(const std::string& url, const std::string& target,
                   const std::string& method, const json& args,
                   const std::string& as = "") {
    auto r = icto("call " + target + " " + method + " '" + args.dump()
                  + "' --node " + url
                  + (as.empty() ? " --anonymous" : " --as " + as));
    auto j = json::parse(r.out, nullptr, false);
    return j.is_discarded() ? json{{"unparsable", r.out}} : j;
  }

  /// The state a node shows through its API: the ledger's totals and every
  /// known account's balance, each deployment as its factory and the
  /// contract itself describe it, every user's index entries in every
  /// factory, the backend's counters and the audit chain's verdict.
  static json fingerprint(const std::string& url) {
    std::set<std::string> users;
    std::map<std::string, std::string> contracts; // id -> factory
    std::istringstream acks{read_file(root / "acks.jsonl")};
    for (std::string line; std::getline(acks, line);) {
      auto a = json::parse(line, nullptr, false);
      if (a.is_discarded())
        continue;
      if (a.contains("user"))
        users.insert(a["user"].get<std::string>());
      if (a["op"] == "deploy")
        contracts[a["contract_id"]] = a["factory"];
    }
    json f;
    f["ledger"] = call(url, "ledger", "getLedgerStats", json::object());
    auto balance = [&](const std::string& who) {
      return call(url, "ledger", "icrc1_balance_of",
                  {{"owner", who}, {"subaccount", nullptr}});
    };
    for (auto& u : users) {
      f["balance"][u] = balance(u);
      for (auto* fac : factories)
        f["index"][u][fac] = call(url, fac, "getMyContracts",
                                  {{"user", u},
                                   {"role", nullptr},
                                   {"page", {{"limit", 200}, {"offset", 0}}}});
    }
    for (auto& [id, fac] : contracts) {
      f["balance"][id] = balance(id);
      f["info"][id] = call(url, fac, "getContractInfo", {{"contract_id", id}});
      f["status"][id] = call(url, id, "getContractStatus", json::object());
    }
    auto st = call(url, "backend", "getSystemStatus", json::object(), "admin");
    for (auto* k : {"deployments", "refunds", "refunds_failed"})
      f["backend"][k] = st["ok"][k];
    f["audit"] = call(url, "audit_storage", "verifyChain", json::object(),
                      "admin");
    return f;
  }

  static fs::path fresh_copy(const std::string& name) {
    auto to = root / name;
    fs::remove_all(to);
    fs::copy(root / "golden", to, fs::copy_options::recursive);
    return to;
  }

  static inline fs::path root;
  static inline json* reference = nullptr;
};

/// Where a damage goes.
enum class target {
  newest_checkpoint,
  older_checkpoint,
  covered_journal, // included by the newest checkpoint
  tail_journal,    // after it, not the last
  last_journal,
  meta, // a contract's metadata
};

const char* name_of(target t) {
  switch (t) {
  case target::newest_checkpoint: return "the newest checkpoint";
  case target::older_checkpoint: return "the older checkpoint";
  case target::covered_journal:
    return "a journal record under the newest "
           "checkpoint";
  case target::tail_journal: return "a journal record after the checkpoint";
  case target::last_journal: return "the last journal record";
  case target::meta: return "a contract's metadata";
  }
  return "?";
}

struct pick {
  principal actor;
  store::record_kind kind = store::record_kind::journal;
  uint64_t seq = 0;
};

/// An actor (random among those that have one) and its record of `t`.
std::optional<pick> choose(const store::node_store& s, target t,
                           std::mt19937_64& rng) {
  std::vector<pick> all;
  for (auto& a : s.actors()) {
    auto sum = s.summary(a);
    const auto& ck = sum.checkpoints;
    const uint64_t newest = ck.empty() ? 0 : ck.back();
    switch (t) {
    case target::newest_checkpoint:
      if (ck.size() >= 2)
        all.push_back({a, store::record_kind::checkpoint, newest});
      break;
    case target::older_checkpoint:
      if (ck.size() >= 2)
        all.push_back({a, store::record_kind::checkpoint, ck[ck.size() - 2]});
      break;
    case target::covered_journal:
      if (sum.journal_records > 0 && sum.first_journal_seq <= newest
          && newest > 0)
        all.push_back({a, store::record_kind::journal,
                       sum.first_journal_seq
                           + rng() % (newest - sum.first_journal_seq + 1)});
      break;
    case target::tail_journal:
      if (sum.last_journal_seq >= newest + 2 && sum.journal_records > 0)
        all.push_back(
            {a, store::record_kind::journal,
             newest + 1 + rng() % (sum.last_journal_seq - newest - 1)});
      break;
    case target::last_journal:
      if (sum.journal_records > 0 && sum.last_journal_seq > newest)
        all.push_back({a, store::record_kind::journal, sum.last_journal_seq});
      break;
    case target::meta:
      if (sum.has_meta)
        all.push_back({a, store::record_kind::meta, 0});
      break;
    }
  }
  if (all.empty())
    return std::nullopt;
  return all[rng() % all.size()];
}

/// A truncation or a bit flip at a random offset.
std::string damage(const std::string& raw, bool truncate,
                   std::mt19937_64& rng) {
  if (truncate)
    return raw.substr(0, rng() % raw.size());
  auto out = raw;
  const auto bit = rng() % (raw.size() * 8);
  out[bit / 8] = static_cast<char>(out[bit / 8] ^ (1 << (bit % 8)));
  return out;
}

class ictod_fault_case
    : public ictod_fault,
      public ::testing::WithParamInterface<std::tuple<target, bool>> {};

TEST_P(ictod_fault_case, is_detected_and_never_starts_on_wrong_state) {
  ASSERT_NE(reference, nullptr) << "the store could not be written";
  // The reference holds real answers: 36 deployments, each known.
  ASSERT_TRUE((*reference)["ledger"].contains("ok")) << reference->dump();
  ASSERT_EQ((*reference)["info"].size(), 36u) << reference->dump();
  for (auto& [id, info] : (*reference)["info"].items())
    ASSERT_TRUE(info.contains("ok")) << id << ": " << info.dump();
  const auto [where, truncate] = GetParam();
  const auto name = std::string{name_of(where)}
                    + (truncate ? " (truncated)" : " (bit flip)");
  std::mt19937_64 rng{static_cast<uint64_t>(where) * 2 + truncate + 20261122};
  // Three trials: three actors, three offsets.
  for (int trial = 0; trial < 3; ++trial) {
    SCOPED_TRACE(name + ", trial " + std::to_string(trial));
    auto data = fresh_copy("trial");
    pick p;
    {
      auto s = store::node_store::open(data / "store", "local");
      ASSERT_TRUE(s) << s.err().message;
      auto chosen = choose(**s, where, rng);
      ASSERT_TRUE(chosen) << "the store has no " << name;
      p = *chosen;
      auto key = store::record_key(p.actor, p.kind, p.seq);
      auto raw = (*s)->get_raw(key);
      ASSERT_TRUE(raw);
      ASSERT_TRUE((*s)->put_raw(key, damage(*raw, truncate, rng)));
    }
    const auto log
        = (root / ("trial-" + std::to_string(trial) + ".log")).string();
    fs::remove(log);
    ictod_process node;
    auto line = node.start(ictod_bin, config, "local", data.string(), log);
    const auto text = read_file(log);
    const auto actor = p.actor.to_text();
    const auto seq = "seq " + std::to_string(p.seq);
    // Detected: the log names the actor and, but for metadata, the record.
    EXPECT_NE(text.find(actor), std::string::npos) << text;
    if (p.kind != store::record_kind::meta) {
      EXPECT_NE(text.find(seq), std::string::npos) << text;
    }
    const bool must_refuse = where == target::tail_journal
                             || where == target::meta
                             || (where == target::last_journal && !truncate);
    if (must_refuse) {
      EXPECT_FALSE(node.running()) << "started on a damaged store: " << line;
      EXPECT_TRUE(WIFEXITED(node.status()) && WEXITSTATUS(node.status()) == 1)
          << node.status() << "\n"
          << text;
      continue;
    }
    ASSERT_TRUE(node.running()) << line << "\n" << text;
    if (where == target::last_journal) {
      EXPECT_NE(text.find("dropped the torn last journal record at " + seq),
                std::string::npos)
          << text;
    } else {
      // A fallback: exactly the state of the undamaged store.
      EXPECT_EQ(fingerprint(node.url()), *reference)
          << "started on another state after damage to " << name << " of "
          << actor;
    }
    node.stop(SIGKILL);
  }
}

std::string
case_name(const ::testing::TestParamInfo<std::tuple<target, bool>>& p) {
  static const char* const names[] = {"newest_checkpoint", "older_checkpoint",
                                      "covered_journal",   "tail_journal",
                                      "last_journal",      "meta"};
  return std::string{names[static_cast<int>(std::get<0>(p.param))]}
         + (std::get<1>(p.param) ? "_truncated" : "_bit_flip");
}

INSTANTIATE_TEST_SUITE_P(
    damage, ictod_fault_case,
    ::testing::Combine(::testing::Values(target::newest_checkpoint,
                                         target::older_checkpoint,
                                         target::covered_journal,
                                         target::tail_journal,
                                         target::last_journal, target::meta),
                       ::testing::Bool()),
    case_name);

} // namespace
