// The pure parts of `icto load`: percentiles, the summary, the
// classification of replies, the ack-log parser and what an ack log implies.

#include "node/load.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace {

using icto::load::call_outcome;
using icto::load::outcome_kind;
using json = nlohmann::json;

call_outcome outcome(outcome_kind kind, std::string code, uint64_t ms) {
  call_outcome x;
  x.kind = kind;
  x.code = std::move(code);
  x.latency_ns = ms * 1'000'000;
  return x;
}

} // namespace

TEST(load_percentile, nearest_rank) {
  std::vector<uint64_t> v;
  for (uint64_t i = 1; i <= 100; ++i)
    v.push_back(i);
  EXPECT_EQ(icto::load::percentile(v, 50), 50u);
  EXPECT_EQ(icto::load::percentile(v, 90), 90u);
  EXPECT_EQ(icto::load::percentile(v, 99), 99u);
  EXPECT_EQ(icto::load::percentile(v, 100), 100u);
  EXPECT_EQ(icto::load::percentile(v, 0), 1u);
  EXPECT_EQ(icto::load::percentile({7}, 99), 7u);
  EXPECT_EQ(icto::load::percentile({}, 50), 0u);
  // Nearest rank of 10 values: p50 is the 5th, p90 the 9th, p99 the 10th.
  std::vector<uint64_t> ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 1000};
  EXPECT_EQ(icto::load::percentile(ten, 50), 5u);
  EXPECT_EQ(icto::load::percentile(ten, 90), 9u);
  EXPECT_EQ(icto::load::percentile(ten, 99), 1000u);
}

TEST(load_classify, ok_refusal_ingress_error_and_garbage) {
  auto ok = icto::load::classify_reply(200, R"({"ok":{"contract_id":"x"}})");
  EXPECT_EQ(ok.kind, outcome_kind::ok);
  EXPECT_EQ(ok.value["contract_id"], "x");
  auto refused = icto::load::classify_reply(
      200, R"({"err":{"code":"limit_reached","message":"20 a day"}})");
  EXPECT_EQ(refused.kind, outcome_kind::refused);
  EXPECT_EQ(refused.code, "limit_reached");
  EXPECT_EQ(refused.message, "20 a day");
  auto ingress = icto::load::classify_reply(
      400, R"({"err":{"code":"bad_args","message":"missing field"}})");
  EXPECT_EQ(ingress.kind, outcome_kind::failed);
  EXPECT_EQ(ingress.code, "bad_args");
  auto timeout = icto::load::classify_reply(504,
                                            R"({"err":{"code":"timeout"}})");
  EXPECT_EQ(timeout.kind, outcome_kind::failed);
  EXPECT_EQ(timeout.code, "timeout");
  auto garbage = icto::load::classify_reply(502, "<html>bad gateway</html>");
  EXPECT_EQ(garbage.kind, outcome_kind::failed);
  EXPECT_EQ(garbage.code, "bad_reply");
  EXPECT_NE(garbage.message.find("502"), std::string::npos);
  EXPECT_TRUE(icto::load::is_expected_refusal("limit_reached"));
  EXPECT_FALSE(icto::load::is_expected_refusal("deployment_failed"));
}

TEST(load_summary, counts_refusals_errors_and_lost_calls_apart) {
  icto::load::summary s;
  s.add("deploy token", outcome(outcome_kind::ok, "", 10), 0);
  s.add("deploy token", outcome(outcome_kind::ok, "", 30), 5'000'000);
  s.add("deploy token", outcome(outcome_kind::refused, "limit_reached", 2),
        10'000'000);
  s.add("deploy token", outcome(outcome_kind::refused, "deployment_failed", 4),
        20'000'000);
  s.add("query getMyContracts", outcome(outcome_kind::failed, "timeout", 5000),
        0);
  s.add("query getMyContracts", outcome(outcome_kind::lost, "unreachable", 1),
        0);
  s.wall_ns = 2'000'000'000;
  s.finish();
  const auto& d = s.ops.at("deploy token");
  EXPECT_EQ(d.ok, 2u);
  EXPECT_EQ(d.refused.at("limit_reached"), 1u);
  EXPECT_EQ(d.errors.at("deployment_failed"), 1u);
  EXPECT_EQ(d.count(), 4u);
  // First start 0, last end 5 ms + 30 ms.
  EXPECT_EQ(d.last_end_ns - d.first_start_ns, 35'000'000u);
  EXPECT_EQ(s.total_ops(), 6u);
  EXPECT_EQ(s.total_errors(), 2u);
  EXPECT_EQ(s.total_lost(), 1u);
  EXPECT_EQ(s.ok_of("deploy "), 2u);
  EXPECT_EQ(s.order,
            (std::vector<std::string>{"deploy token", "query getMyContracts"}));
  auto j = icto::load::summary_json(s);
  EXPECT_EQ(j["operations"], 6);
  EXPECT_EQ(j["unexpected_errors"], 2);
  EXPECT_EQ(j["lost_calls"], 1);
  EXPECT_DOUBLE_EQ(
      j["by_op"]["deploy token"]["latency_ms"]["p50"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(
      j["by_op"]["deploy token"]["latency_ms"]["max"].get<double>(), 30.0);
  EXPECT_DOUBLE_EQ(j["by_op"]["deploy token"]["ops_per_second"].get<double>(),
                   4 / 0.035);
  const auto table = icto::load::render_table(s);
  EXPECT_NE(table.find("limit_reached:1"), std::string::npos) << table;
  EXPECT_NE(table.find("timeout:1 unreachable:1"), std::string::npos) << table;
  EXPECT_NE(table.find("wall time 2.00 s, 6 operations, 3.0 ops/s, 2 "
                       "unexpected errors, 1 calls without an answer"),
            std::string::npos)
      << table;
}

TEST(load_ack_log, parses_lines_and_reports_bad_and_torn_ones) {
  std::istringstream in{"{\"op\":\"mint\",\"to\":\"u1\",\"amount\":5}\n"
                        "\n"
                        "not json\n"
                        "[1,2]\n"
                        "{\"op\":\"approve\",\"user\":\"u1\"}\n"
                        "{\"op\":\"deploy\",\"kind\":\"tok"};
  auto log = icto::load::parse_ack_log(in);
  ASSERT_EQ(log.entries.size(), 2u);
  EXPECT_EQ(log.entries[0]["op"], "mint");
  EXPECT_EQ(log.entries[0]["line"], 1);
  EXPECT_EQ(log.entries[1]["line"], 5);
  ASSERT_EQ(log.errors.size(), 2u);
  EXPECT_EQ(log.errors[0].rfind("line 3: not JSON", 0), 0u) << log.errors[0];
  EXPECT_EQ(log.errors[1].rfind("line 4: ", 0), 0u) << log.errors[1];
  ASSERT_EQ(log.warnings.size(), 1u);
  EXPECT_EQ(log.warnings[0].rfind("line 6: ", 0), 0u) << log.warnings[0];
}

TEST(load_expectations, deployments_calls_and_problems) {
  std::vector<json> entries = {
      {{"op", "mint"}, {"to", "alice"}, {"amount", 100}, {"line", 1}},
      {{"op", "mint"}, {"to", "bob"}, {"amount", 50}, {"line", 2}},
      // A call logged a moment before its deployment (other thread).
      {{"op", "add_participant"},
       {"contract_id", "m1"},
       {"participant", "carol"},
       {"role", "signer"},
       {"line", 3}},
      {{"op", "deploy"},
       {"kind", "multisig"},
       {"request_id", "r1"},
       {"user", "alice"},
       {"contract_id", "m1"},
       {"factory", "multisig_factory"},
       {"participants", {"bob"}},
       {"fee", 50},
       {"payment_id", 7},
       {"line", 4}},
      {{"op", "deploy"},
       {"kind", "token"},
       {"request_id", "r2"},
       {"user", "bob"},
       {"contract_id", "t1"},
       {"factory", "token_factory"},
       {"participants", json::array()},
       {"fee", 100},
       {"line", 5}},
      {{"op", "transfer"},
       {"contract_id", "t1"},
       {"to", "carol"},
       {"amount", 10},
       {"line", 6}},
      {{"op", "transfer"},
       {"contract_id", "t1"},
       {"to", "carol"},
       {"amount", 5},
       {"line", 7}},
      {{"op", "contribute"},
       {"contract_id", "nope"},
       {"user", "x"},
       {"line", 8}},
      {{"op", "deploy"}, {"kind", "dao"}, {"line", 9}},
      {{"op", "teleport"}, {"line", 10}},
  };
  auto ex = icto::load::expectations_of(entries);
  EXPECT_EQ(ex.minted, 150u);
  ASSERT_EQ(ex.contracts.size(), 2u);
  const auto& m = ex.contracts[0];
  EXPECT_EQ(m.contract_id, "m1");
  EXPECT_EQ(m.payment_id, 7u);
  EXPECT_EQ(m.roles,
            (std::set<std::pair<std::string, std::string>>{
                {"alice", "creator"}, {"bob", "signer"}, {"carol", "signer"}}));
  const auto& t = ex.contracts[1];
  EXPECT_FALSE(t.payment_id.has_value());
  EXPECT_EQ(t.roles.count({"carol", "holder"}), 1u);
  EXPECT_EQ((ex.token_received[{"t1", "carol"}]), 15u);
  EXPECT_EQ(ex.users, (std::set<std::string>{"alice", "bob", "carol"}));
  // The contribution to an unknown contract, the deployment without its
  // fields (five missing) and the unknown op.
  ASSERT_EQ(ex.problems.size(), 7u);
  EXPECT_NE(ex.problems[0].find("line 9"), std::string::npos) << ex.problems[0];
  EXPECT_NE(ex.problems[5].find("contract nope is not one of an acknowledged"),
            std::string::npos)
      << ex.problems[5];
  EXPECT_NE(ex.problems[6].find("unknown op 'teleport'"), std::string::npos)
      << ex.problems[6];
}

TEST(load_kinds, parses_and_names_a_bad_kind) {
  auto k = icto::load::parse_kinds("token,dao,token");
  ASSERT_TRUE(k);
  EXPECT_EQ(*k, (std::vector<std::string>{"token", "dao"}));
  auto bad = icto::load::parse_kinds("token,nft");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.err().message.find("'nft'"), std::string::npos);
  EXPECT_FALSE(icto::load::parse_kinds(","));
}
