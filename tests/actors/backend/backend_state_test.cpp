// The backend's rules as pure functions: config keys and validation, the
// version history, admin permissions, user limits, idempotency and the
// circuit breaker, pipelines.

#include "actors/backend/backend_state.hpp"

#include <gtest/gtest.h>

using namespace icto;

namespace {

constexpr timestamp t0 = 1'767'225'600'000'000'000ull;

principal user_p(uint8_t n) {
  uint8_t key[32] = {};
  key[0] = n;
  key[31] = 0x77;
  return principal::self_authenticating(key);
}

backend_params params() {
  backend_params p;
  p.self_id = principal::canister_id(100);
  p.controllers = {user_p(1)};
  uint64_t i = 200;
  for (auto s : managed_services())
    p.endpoints.push_back({s, principal::canister_id(i++)});
  p.breaker_threshold = 2;
  return p;
}

TEST(backend_config, defaults_are_icto_v2s) {
  auto cfg = make_config_store({}).value();
  EXPECT_EQ(service_fee(cfg, service_id::token_factory), 100'000'000u);
  EXPECT_EQ(service_fee(cfg, service_id::multisig_factory), 50'000'000u);
  EXPECT_EQ(service_fee(cfg, service_id::distribution_factory), 100'000'000u);
  EXPECT_EQ(service_fee(cfg, service_id::dao_factory), 500'000'000u);
  EXPECT_EQ(service_fee(cfg, service_id::launchpad_factory), 1'000'000'000u);
  for (auto s : managed_services()) {
    if (!factory_kind(s))
      continue;
    EXPECT_TRUE(service_enabled(cfg, s));
    EXPECT_NE(find_config_key(std::string{to_string(s)} + ".initial_cycles"),
              nullptr);
  }
  EXPECT_EQ(cfg.version, 0u);
  EXPECT_EQ(all_values(cfg).entries.size(), config_keys().size());
}

TEST(backend_config, values_are_validated_by_key) {
  auto cfg = make_config_store({}).value();
  auto who = user_p(1);
  auto bad_fee = decide_config_change(cfg, who, "token_factory.fee", "-1", t0);
  ASSERT_FALSE(bad_fee);
  EXPECT_TRUE(is(bad_fee.err(), backend_errc::invalid_config));
  EXPECT_NE(bad_fee.err().message.find("token_factory.fee"), std::string::npos);
  EXPECT_FALSE(decide_config_change(cfg, who, "token_factory.fee", "1.5", t0));
  EXPECT_FALSE(decide_config_change(cfg, who, "token_factory.fee", "", t0));
  EXPECT_FALSE(decide_config_change(cfg, who, "token_factory.fee",
                                    "99999999999999999999", t0));
  auto bad_flag = decide_config_change(cfg, who, "dao_factory.enabled", "yes",
                                       t0);
  ASSERT_FALSE(bad_flag);
  EXPECT_TRUE(is(bad_flag.err(), backend_errc::invalid_config));
  auto unknown = decide_config_change(cfg, who, "token_factory.colour", "1",
                                      t0);
  ASSERT_FALSE(unknown);
  EXPECT_TRUE(is(unknown.err(), backend_errc::not_found));
  EXPECT_FALSE(make_config_store({{"nope.key", "1"}}));
  EXPECT_FALSE(make_config_store({{"user.max_deployments", "x"}}));
}

TEST(backend_config, every_change_is_a_version_in_the_history) {
  auto cfg = make_config_store({}).value();
  auto who = user_p(1);
  auto c1 = decide_config_change(cfg, who, "token_factory.fee", "5", t0);
  ASSERT_TRUE(c1);
  auto e1 = apply(cfg, *c1);
  EXPECT_EQ(e1.version, 1u);
  auto c2 = decide_config_change(cfg, who, "dao_factory.enabled", "false",
                                 t0 + 1);
  apply(cfg, c2.value());
  auto c3 = decide_config_change(cfg, who, "token_factory.fee", "7", t0 + 2);
  apply(cfg, c3.value());
  EXPECT_EQ(cfg.version, 3u);
  EXPECT_EQ(service_fee(cfg, service_id::token_factory), 7u);
  EXPECT_FALSE(service_enabled(cfg, service_id::dao_factory));
  auto all = history_of(cfg, std::nullopt, page{});
  ASSERT_EQ(all.total, 3u);
  EXPECT_EQ(all.changes[0].old_value, std::optional<std::string>{"100000000"});
  EXPECT_EQ(all.changes[2].old_value, std::optional<std::string>{"5"});
  auto fee = history_of(cfg, std::string{"token_factory.fee"}, page{1, 1});
  EXPECT_EQ(fee.total, 2u);
  ASSERT_EQ(fee.changes.size(), 1u);
  EXPECT_EQ(fee.changes[0].new_value, "7");
}

TEST(backend_admins, permissions_by_key) {
  admin_registry r;
  r.controllers = {user_p(1)};
  auto fees = user_p(2);
  auto limits = user_p(3);
  backend_add_admin_arg a{fees, false, {admin_permission::change_fees}};
  auto added = decide_add_admin(r, user_p(1), a, t0);
  ASSERT_TRUE(added);
  r.admins = r.admins.insert(fees, *added);
  r.admins = r.admins.insert(
      limits,
      decide_add_admin(r, user_p(1),
                       {limits, false, {admin_permission::change_limits}}, t0)
          .value());
  EXPECT_TRUE(require_config_permission(r, fees, "token_factory.fee"));
  EXPECT_FALSE(require_config_permission(r, fees, "token_factory.enabled"));
  EXPECT_FALSE(require_config_permission(r, fees, "user.max_deployments"));
  EXPECT_TRUE(require_config_permission(r, limits, "user.max_deployments"));
  EXPECT_FALSE(require_config_permission(r, limits, "system.maintenance_mode"));
  EXPECT_TRUE(
      require_config_permission(r, user_p(1), "system.maintenance_mode"));
  auto denied = require_config_permission(r, user_p(9), "token_factory.fee");
  ASSERT_FALSE(denied);
  EXPECT_TRUE(is(denied.err(), backend_errc::unauthorized));
  // Only super admins add or remove admins; never a controller.
  EXPECT_FALSE(decide_add_admin(r, fees, {user_p(7), true, {}}, t0));
  EXPECT_FALSE(decide_add_admin(r, user_p(1), {user_p(1), false, {}}, t0));
  EXPECT_FALSE(decide_remove_admin(r, user_p(1), user_p(1)));
  EXPECT_FALSE(decide_remove_admin(r, fees, limits));
  EXPECT_TRUE(decide_remove_admin(r, user_p(1), limits));
  EXPECT_FALSE(decide_remove_admin(r, user_p(1), user_p(9)));
}

TEST(backend_idempotency, replay_rules) {
  auto st = make_backend_state(params(), t0).value();
  request_key key{user_p(5), "r1"};
  EXPECT_EQ(classify_replay(st.requests.find(key), "fp"), replay_action::start);
  begin_request(st, key, contract_kind::token, 100, "fp", t0);
  EXPECT_EQ(classify_replay(st.requests.find(key), "fp"),
            replay_action::in_progress);
  EXPECT_EQ(classify_replay(st.requests.find(key), "other"),
            replay_action::conflict);
  deployment_receipt rc;
  rc.request_id = "r1";
  rc.contract_id = principal::canister_id(9);
  complete_request(st, key, rc, t0);
  EXPECT_EQ(classify_replay(st.requests.find(key), "fp"),
            replay_action::reply_stored);
  EXPECT_EQ(stored_result(*st.requests.find(key)).value(), rc);
  // Refused before payment: may be retried.
  request_key k2{user_p(5), "r2"};
  begin_request(st, k2, contract_kind::dao, 100, "fp2", t0);
  fail_request(st, k2, deployment_stage::failed,
               make_error(backend_errc::insufficient_allowance, "x"),
               std::nullopt, t0);
  EXPECT_EQ(classify_replay(st.requests.find(k2), "fp2"), replay_action::start);
  EXPECT_EQ(st.users.find(user_p(5))->in_flight, 0u);
  EXPECT_EQ(st.users.find(user_p(5))->profile.deployments, 1u);
}

TEST(backend_state_eq, copies_compare_equal_until_changed) {
  auto st = make_backend_state(params(), t0).value();
  auto copy = st;
  EXPECT_EQ(copy, st);
  begin_request(copy, {user_p(5), "r"}, contract_kind::token, 1, "f", t0);
  EXPECT_NE(copy, st);
  auto again = st;
  begin_request(again, {user_p(5), "r"}, contract_kind::token, 1, "f", t0);
  EXPECT_EQ(again, copy);
}

TEST(backend_idempotency, request_window_bounds_the_records) {
  auto p = params();
  p.config = {{"user.request_window", "3"}};
  auto st = make_backend_state(p, t0).value();
  auto u = user_p(5);
  for (int i = 0; i < 10; ++i) {
    request_key k{u, "r" + std::to_string(i)};
    begin_request(st, k, contract_kind::token, 0, "fp", t0);
    fail_request(st, k, deployment_stage::failed,
                 make_error(backend_errc::service_disabled, "x"), std::nullopt,
                 t0);
  }
  EXPECT_EQ(st.requests.size(), 3u);
  EXPECT_EQ(st.users.find(u)->request_ids.size(), 3u);
}

TEST(backend_users, limits_count_completed_and_in_flight) {
  auto p = params();
  p.config = {{"user.max_deployments", "2"},
              {"user.max_deployments_per_day", "0"}};
  auto st = make_backend_state(p, t0).value();
  auto u = user_p(5);
  EXPECT_TRUE(check_user_limits(st.config, st.users, u, t0));
  begin_request(st, {u, "a"}, contract_kind::token, 0, "f", t0);
  complete_request(st, {u, "a"}, deployment_receipt{}, t0);
  begin_request(st, {u, "b"}, contract_kind::token, 0, "f", t0);
  auto r = check_user_limits(st.config, st.users, u, t0);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), backend_errc::limit_reached));
  EXPECT_NE(r.err().message.find("user.max_deployments"), std::string::npos);
  // History is bounded by user.history_limit.
  auto p2 = params();
  p2.config = {{"user.history_limit", "2"},
               {"user.max_deployments", "0"},
               {"user.max_deployments_per_day", "0"}};
  auto st2 = make_backend_state(p2, t0).value();
  for (int i = 0; i < 5; ++i) {
    request_key k{u, std::to_string(i)};
    begin_request(st2, k, contract_kind::token, 0, "f", t0);
    deployment_receipt rc;
    rc.request_id = k.request_id;
    complete_request(st2, k, rc, t0);
  }
  auto pg = deployments_of(st2.users, u, my_deployments_arg{});
  ASSERT_EQ(pg.total, 2u);
  EXPECT_EQ(pg.deployments[0].request_id, "4");
  EXPECT_EQ(st2.users.find(u)->profile.deployments, 5u);
}

TEST(backend_users, cooldown_and_daily_limit) {
  auto p = params();
  p.config = {{"user.cooldown_seconds", "60"},
              {"user.max_deployments_per_day", "2"}};
  auto st = make_backend_state(p, t0).value();
  auto u = user_p(5);
  begin_request(st, {u, "a"}, contract_kind::token, 0, "f", t0);
  complete_request(st, {u, "a"}, deployment_receipt{}, t0);
  EXPECT_FALSE(check_user_limits(st.config, st.users, u, t0 + 1));
  auto later = t0 + 61'000'000'000ull;
  EXPECT_TRUE(check_user_limits(st.config, st.users, u, later));
  begin_request(st, {u, "b"}, contract_kind::token, 0, "f", later);
  complete_request(st, {u, "b"}, deployment_receipt{}, later);
  auto much_later = later + 61'000'000'000ull;
  EXPECT_FALSE(check_user_limits(st.config, st.users, u, much_later));
  auto next_day = t0 + 86'400'000'000'000ull;
  EXPECT_TRUE(check_user_limits(st.config, st.users, u, next_day));
}

TEST(backend_health, breaker_opens_after_threshold_and_closes_on_success) {
  auto st = make_backend_state(params(), t0).value();
  auto s = service_id::dao_factory;
  EXPECT_TRUE(check_circuit(st.health, s));
  record_check(st.health, s, false, std::string{"down"}, t0, 2);
  EXPECT_TRUE(check_circuit(st.health, s));
  record_check(st.health, s, false, std::string{"down"}, t0, 2);
  auto r = check_circuit(st.health, s);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is(r.err(), backend_errc::service_unavailable));
  EXPECT_EQ(r.err().reject, reject_code::sys_transient);
  record_check(st.health, s, true, std::nullopt, t0, 2);
  EXPECT_TRUE(check_circuit(st.health, s));
  EXPECT_EQ(find_health(st.health, s)->consecutive_failures, 0u);
}

TEST(backend_deployable, refusals_in_order) {
  auto st = make_backend_state(params(), t0).value();
  auto u = user_p(5);
  auto s = service_id::token_factory;
  auto r = check_deployable(st, s, u, t0);
  EXPECT_TRUE(is(r.err(), backend_errc::setup_incomplete));
  st.setup.completed = true;
  EXPECT_TRUE(check_deployable(st, s, u, t0));
  EXPECT_TRUE(is(check_deployable(st, s, principal::anonymous(), t0).err(),
                 backend_errc::unauthorized));
  apply(st.config,
        decide_config_change(st.config, u, "token_factory.enabled", "false", t0)
            .value());
  EXPECT_TRUE(
      is(check_deployable(st, s, u, t0).err(), backend_errc::service_disabled));
  apply(st.config, decide_config_change(st.config, u, "system.maintenance_mode",
                                        "true", t0)
                       .value());
  EXPECT_TRUE(
      is(check_deployable(st, s, u, t0).err(), backend_errc::maintenance_mode));
}

TEST(backend_pipeline, failing_step_skips_the_rest) {
  create_project_arg arg;
  arg.request_id = "p";
  arg.name = "proj";
  auto p = make_pipeline(1, user_p(5), arg, "fp", t0);
  ASSERT_EQ(p.status.steps.size(), 3u);
  deployment_receipt rc;
  rc.fee_paid = 10;
  rc.contract_id = principal::canister_id(77);
  finish_step(p, 0, rc, std::nullopt, t0);
  EXPECT_EQ(p.status.state, pipeline_state::running);
  EXPECT_EQ(distribution_step(*p.arg, rc.contract_id).token, rc.contract_id);
  EXPECT_EQ(launchpad_step(*p.arg, rc.contract_id).sale_token, rc.contract_id);
  finish_step(p, 1, make_error(backend_errc::deployment_failed, "boom"),
              std::nullopt, t0);
  EXPECT_EQ(p.status.state, pipeline_state::failed);
  EXPECT_EQ(p.status.steps[0].state, pipeline_step_state::completed);
  EXPECT_EQ(p.status.steps[1].state, pipeline_step_state::failed);
  EXPECT_EQ(p.status.steps[2].state, pipeline_step_state::skipped);
  EXPECT_EQ(p.status.fees_paid, 10u);
  EXPECT_FALSE(p.arg);
  EXPECT_EQ(step_request_id("p", contract_kind::distribution),
            "p/distribution");
}

TEST(backend_refunds, completed_refund_counts_and_moves_the_request) {
  auto st = make_backend_state(params(), t0).value();
  auto u = user_p(5);
  request_key k{u, "r"};
  begin_request(st, k, contract_kind::token, 100, "f", t0);
  note_payment(st, u, 100, t0);
  auto r = add_refund(st, u, 1, "r", service_id::token_factory, 100,
                      refund_reason::service_failure, "x", t0);
  r.status = refund_status::failed;
  update_refund(st, r);
  fail_request(st, k, deployment_stage::refund_failed,
               make_error(backend_errc::refund_failed, "x"), r, t0);
  EXPECT_EQ(refunds_of(st, u, refund_status::failed, page{}).total, 1u);
  r.status = refund_status::completed;
  r.block_index = 5;
  update_refund(st, r);
  EXPECT_EQ(st.users.find(u)->profile.fees_refunded, 100u);
  EXPECT_EQ(st.requests.find(k)->status.stage, deployment_stage::refunded);
  EXPECT_EQ(status_of(st, t0).refunds_failed, 0u);
}

} // namespace
