// The backend against the real ledger, storages, factories and contracts
// under the test coordinator: the paid deployment flow of each kind, every
// refusal before payment, refunds after it, idempotency, the circuit
// breaker, limits and the pipeline. After each flow: ledger supply
// conserved, invoices = charges, audit events present.

#include "tests/actors/backend/backend_fixture.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>

#include <memory>
#include <vector>

using namespace icto;
using namespace icto::backend_test;

namespace {

class backend_actor_test : public backend_fixture {};

// -- config and admins --------------------------------------------------------

TEST_F(backend_actor_test, config_defaults_and_admin_changes) {
  auto fee = call<result<tokens>>(backend, alice,
                                  service_fee_arg{service_id::dao_factory});
  ASSERT_TRUE(fee.ok());
  EXPECT_EQ(*fee, 5 * icp);
  // A user may not change the config; the refusal is audited.
  auto denied = call<result<config_entry>>(
      backend, alice, set_config_value_arg{"token_factory.fee", "1"});
  EXPECT_TRUE(is_backend_error(denied, backend_errc::unauthorized));
  // A controller may; values are validated by key.
  auto bad = call<result<config_entry>>(
      backend, admin, set_config_value_arg{"token_factory.fee", "-3"});
  EXPECT_TRUE(is_backend_error(bad, backend_errc::invalid_config));
  auto unknown = call<result<config_entry>>(
      backend, admin, set_config_value_arg{"token_factory.size", "3"});
  EXPECT_TRUE(is_backend_error(unknown, backend_errc::not_found));
  auto ok = call<result<config_entry>>(
      backend, admin, set_config_value_arg{"token_factory.fee", "200000000"});
  ASSERT_TRUE(ok.ok()) << ok.err().to_string();
  EXPECT_EQ(ok->version, 1u);
  EXPECT_EQ(ok->updated_by, std::optional<principal>{admin});
  // An admin with change_fees only.
  auto added = call<result<backend_admin>>(
      backend, admin,
      backend_add_admin_arg{bob, false, {admin_permission::change_fees}});
  ASSERT_TRUE(added.ok());
  EXPECT_TRUE(call<result<config_entry>>(
                  backend, bob, set_config_value_arg{"dao_factory.fee", "7"})
                  .ok());
  EXPECT_TRUE(is_backend_error(
      call<result<config_entry>>(
          backend, bob, set_config_value_arg{"dao_factory.enabled", "false"}),
      backend_errc::unauthorized));
  EXPECT_TRUE(is_backend_error(
      call<result<unit>>(backend, bob, maintenance_mode_arg{true, {}}),
      backend_errc::unauthorized));
  auto hist = call<result<config_history>>(backend, bob,
                                           config_history_arg{{}, page{}});
  ASSERT_TRUE(hist.ok());
  EXPECT_EQ(hist->total, 2u);
  EXPECT_EQ(hist->current_version, 2u);
  EXPECT_TRUE(is_backend_error(
      call<result<config_history>>(backend, alice, config_history_arg{}),
      backend_errc::unauthorized));
  // Removing: never a controller; the admin loses its rights.
  EXPECT_TRUE(is_backend_error(
      call<result<unit>>(backend, admin, backend_remove_admin_arg{admin}),
      backend_errc::invalid_argument));
  EXPECT_TRUE(
      call<result<unit>>(backend, admin, backend_remove_admin_arg{bob}).ok());
  EXPECT_TRUE(is_backend_error(
      call<result<config_entry>>(backend, bob,
                                 set_config_value_arg{"dao_factory.fee", "8"}),
      backend_errc::unauthorized));
  auto all = call<result<config_values>>(backend, alice,
                                         all_config_values_arg{});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->version, 2u);
  // Every admin action is in the audit trail (after setup whitelisted the
  // backend; before it, the audit storage refuses the backend's writes).
}

TEST_F(backend_actor_test, admin_actions_are_audited) {
  setup();
  ASSERT_TRUE(
      call<result<config_entry>>(
          backend, admin, set_config_value_arg{"multisig_factory.fee", "1000"})
          .ok());
  EXPECT_FALSE(
      call<result<config_entry>>(
          backend, alice, set_config_value_arg{"multisig_factory.fee", "0"})
          .ok());
  audit_filter f;
  f.action = action_type::update_system_config;
  auto r = call<result<audit_page>>(audit, admin, f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 1u);
  f.action = action_type::access_denied;
  r = call<result<audit_page>>(audit, admin, f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 1u);
  ASSERT_EQ(r->entries.size(), 1u);
  EXPECT_EQ(r->entries[0].event.user, alice);
  EXPECT_EQ(r->entries[0].writer, backend_id);
}

TEST_F(backend_actor_test, setup_whitelists_the_backend_everywhere) {
  auto before = call<result<microservice_setup_status>>(
      backend, alice, microservice_setup_status_arg{});
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before->completed);
  EXPECT_TRUE(is_backend_error(call<result<microservice_setup_status>>(
                                   backend, alice, setup_microservices_arg{}),
                               backend_errc::unauthorized));
  setup();
  auto wl = call<result<principals>>(token_factory, alice,
                                     factory_whitelist_arg{});
  ASSERT_TRUE(wl.ok());
  EXPECT_EQ(*wl, principals{backend_id});
  auto awl = call<result<principals>>(audit, alice, audit_whitelist_arg{});
  ASSERT_TRUE(awl.ok());
  EXPECT_EQ(*awl, principals{backend_id});
  auto reg = call<result<factory_registrations>>(backend, alice,
                                                 factory_registry_arg{});
  ASSERT_TRUE(reg.ok());
  ASSERT_EQ(reg->size(), 5u);
  for (auto& f : *reg)
    EXPECT_TRUE(f.backend_whitelisted);
  EXPECT_EQ((*reg)[4].fee, 10 * icp);
}

// -- the deployment flow ------------------------------------------------------

TEST_F(backend_actor_test, create_token_full_flow) {
  setup();
  approve(alice, icp + ledger_fee);
  auto before = balance(alice);
  auto r = call<result<deployment_receipt>>(
      backend, alice, create_token_arg{"t-1", token_args()});
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  ++ledger_ops;
  EXPECT_EQ(r->owner, alice);
  EXPECT_EQ(r->kind, contract_kind::token);
  EXPECT_EQ(r->fee_paid, icp);
  EXPECT_TRUE(r->payment_block.has_value());
  EXPECT_NE(r->audit_id, 0u);
  EXPECT_EQ(balance(alice), before - icp - ledger_fee);
  // The factory indexes the contract for its owner.
  auto info = call<result<contract_info>>(token_factory, alice,
                                          contract_info_arg{r->contract_id});
  ASSERT_TRUE(info.ok()) << info.err().to_string();
  EXPECT_EQ(info->owner, alice);
  // Invoice completed, audit success, history.
  auto inv = invoices();
  EXPECT_EQ(inv.records, 1u);
  EXPECT_EQ(inv.completed, 1u);
  EXPECT_EQ(inv.amount_completed, icp);
  EXPECT_TRUE(
      has_event("t-1", action_type::create_token, action_status::completed));
  auto mine = call<result<deployment_page>>(backend, alice,
                                            my_deployments_arg{});
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->total, 1u);
  EXPECT_EQ(mine->deployments[0].contract_id, r->contract_id);
  auto prof = call<result<user_profile>>(backend, alice, user_profile_arg{});
  ASSERT_TRUE(prof.ok());
  EXPECT_EQ(prof->deployments, 1u);
  EXPECT_EQ(prof->fees_paid, icp);
  expect_supply_conserved();
  EXPECT_EQ(balance(backend_id), 2 * icp);
}

TEST_F(backend_actor_test, create_multisig_dao_distribution_launchpad) {
  setup();
  approve(alice, 20 * icp);
  auto tok = call<result<deployment_receipt>>(
      backend, alice, create_token_arg{"t", token_args()});
  ASSERT_TRUE(tok.ok()) << tok.err().to_string();
  auto ms = call<result<deployment_receipt>>(
      backend, alice, create_multisig_arg{"m", multisig_args()});
  ASSERT_TRUE(ms.ok()) << ms.err().to_string();
  auto dist = call<result<deployment_receipt>>(
      backend, alice,
      create_distribution_arg{"d", distribution_args(tok->contract_id)});
  ASSERT_TRUE(dist.ok()) << dist.err().to_string();
  auto dao = call<result<deployment_receipt>>(backend, alice,
                                              create_dao_arg{"o", dao_args()});
  ASSERT_TRUE(dao.ok()) << dao.err().to_string();
  auto lp = call<result<deployment_receipt>>(
      backend, alice,
      create_launchpad_arg{"l", launchpad_args(tok->contract_id)});
  ASSERT_TRUE(lp.ok()) << lp.err().to_string();
  ledger_ops += 5;
  EXPECT_EQ(ms->fee_paid, icp / 2);
  EXPECT_EQ(dist->fee_paid, icp);
  EXPECT_EQ(dao->fee_paid, 5 * icp);
  EXPECT_EQ(lp->fee_paid, 10 * icp);
  auto inv = invoices();
  EXPECT_EQ(inv.records, 5u);
  EXPECT_EQ(inv.completed, 5u);
  EXPECT_EQ(inv.amount_completed, icp + icp / 2 + icp + 5 * icp + 10 * icp);
  EXPECT_TRUE(
      has_event("m", action_type::create_multisig, action_status::completed));
  EXPECT_TRUE(has_event("d", action_type::create_distribution,
                        action_status::completed));
  EXPECT_TRUE(
      has_event("o", action_type::create_dao, action_status::completed));
  EXPECT_TRUE(
      has_event("l", action_type::create_launchpad, action_status::completed));
  auto by_kind = call<result<deployment_page>>(
      backend, alice, my_deployments_arg{contract_kind::dao, page{}});
  ASSERT_TRUE(by_kind.ok());
  EXPECT_EQ(by_kind->total, 1u);
  expect_supply_conserved();
}

TEST_F(backend_actor_test, zero_fee_deploys_without_payment_or_invoice) {
  setup();
  ASSERT_TRUE(
      call<result<config_entry>>(backend, admin,
                                 set_config_value_arg{"token_factory.fee", "0"})
          .ok());
  auto before = balance(alice);
  // No allowance at all.
  auto r = call<result<deployment_receipt>>(
      backend, alice, create_token_arg{"free", token_args()});
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_EQ(r->fee_paid, 0u);
  EXPECT_FALSE(r->payment_block.has_value());
  EXPECT_EQ(r->payment_id, 0u);
  EXPECT_EQ(balance(alice), before);
  EXPECT_EQ(invoices().records, 0u);
  EXPECT_TRUE(
      has_event("free", action_type::create_token, action_status::completed));
  expect_supply_conserved();
}

// -- refusals before payment --------------------------------------------------

TEST_F(backend_actor_test, refusals_before_any_fee) {
  // Before setup.
  approve(alice, 100 * icp);
  auto r = call<result<deployment_receipt>>(
      backend, alice, create_token_arg{"a", token_args()});
  EXPECT_TRUE(is_backend_error(r, backend_errc::setup_incomplete));
  setup();
  // No allowance (bob never approved).
  r = call<result<deployment_receipt>>(backend, bob,
                                       create_token_arg{"b", token_args()});
  EXPECT_TRUE(is_backend_error(r, backend_errc::insufficient_allowance));
  // An allowance that misses the ledger fee.
  approve(bob, icp);
  r = call<result<deployment_receipt>>(backend, bob,
                                       create_token_arg{"c", token_args()});
  EXPECT_TRUE(is_backend_error(r, backend_errc::insufficient_allowance));
  // Disabled service.
  ASSERT_TRUE(call<result<config_entry>>(
                  backend, admin,
                  set_config_value_arg{"token_factory.enabled", "false"})
                  .ok());
  r = call<result<deployment_receipt>>(backend, alice,
                                       create_token_arg{"d", token_args()});
  EXPECT_TRUE(is_backend_error(r, backend_errc::service_disabled));
  // Maintenance mode.
  ASSERT_TRUE(
      call<result<unit>>(backend, admin, maintenance_mode_arg{true, "upgrade"})
          .ok());
  r = call<result<deployment_receipt>>(backend, alice,
                                       create_dao_arg{"e", dao_args()});
  ASSERT_TRUE(is_backend_error(r, backend_errc::maintenance_mode));
  EXPECT_NE(r.err().message.find("upgrade"), std::string::npos);
  auto status = call<result<system_status>>(backend, alice,
                                            system_status_arg{});
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->maintenance_mode);
  // Anonymous.
  r = call<result<deployment_receipt>>(backend, principal::anonymous(),
                                       create_dao_arg{"f", dao_args()});
  EXPECT_TRUE(is_backend_error(r, backend_errc::unauthorized));
  // Nothing was charged, nothing invoiced; the refusals are audited.
  EXPECT_EQ(invoices().records, 0u);
  EXPECT_TRUE(
      has_event("b", action_type::fee_validation, action_status::failed));
  auto st = call<result<deployment_status>>(
      backend, bob, deployment_status_arg{"c", std::nullopt});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->stage, deployment_stage::failed);
  expect_supply_conserved();
  EXPECT_EQ(balance(backend_id), icp);
}

TEST_F(backend_actor_test, refused_request_may_be_retried_after_approving) {
  setup();
  auto r = call<result<deployment_receipt>>(
      backend, alice, create_token_arg{"x", token_args()});
  EXPECT_TRUE(is_backend_error(r, backend_errc::insufficient_allowance));
  approve(alice, icp + ledger_fee);
  r = call<result<deployment_receipt>>(backend, alice,
                                       create_token_arg{"x", token_args()});
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  ++ledger_ops;
  EXPECT_EQ(invoices().records, 1u);
  expect_supply_conserved();
}

// -- idempotency --------------------------------------------------------------

TEST_F(backend_actor_test, duplicate_request_id_charges_once) {
  setup();
  approve(alice, 10 * icp);
  auto first = call<result<deployment_receipt>>(
      backend, alice, create_token_arg{"same", token_args()});
  ASSERT_TRUE(first.ok()) << first.err().to_string();
  ++ledger_ops;
  auto after_first = balance(alice);
  auto again = call<result<deployment_receipt>>(
      backend, alice, create_token_arg{"same", token_args()});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(balance(alice), after_first);
  auto other = call<result<deployment_receipt>>(
      backend, alice, create_token_arg{"same", token_args("Beta")});
  EXPECT_TRUE(is_backend_error(other, backend_errc::idempotency_conflict));
  // Another user's request_id is another key.
  approve(bob, 2 * icp);
  auto bobs = call<result<deployment_receipt>>(
      backend, bob, create_token_arg{"same", token_args()});
  ASSERT_TRUE(bobs.ok());
  ++ledger_ops;
  EXPECT_NE(bobs->contract_id, first->contract_id);
  EXPECT_EQ(invoices().records, 2u);
  expect_supply_conserved();
}

TEST_F(backend_actor_test, in_flight_request_replies_in_progress) {
  setup();
  approve(alice, 10 * icp);
  // Two sends before running anything: the second finds the first in
  // flight.
  auto h1 = (*ingress)->request(backend, caf::infinite, caller{alice},
                                create_token_arg{"fly", token_args()});
  auto h2 = (*ingress)->request(backend, caf::infinite, caller{alice},
                                create_token_arg{"fly", token_args()});
  run();
  result<deployment_receipt> r1, r2;
  h1.receive(
      [&](result<deployment_receipt>& x) {
        r1 = std::move(x);
      },
      [&](caf::error&) {
        ADD_FAILURE();
      });
  h2.receive(
      [&](result<deployment_receipt>& x) {
        r2 = std::move(x);
      },
      [&](caf::error&) {
        ADD_FAILURE();
      });
  EXPECT_TRUE(r1.ok());
  EXPECT_TRUE(is_backend_error(r2, backend_errc::in_progress));
  EXPECT_EQ(r2.err().reject, reject_code::sys_transient);
  ++ledger_ops;
  EXPECT_EQ(invoices().records, 1u);
  expect_supply_conserved();
}

// -- refunds ------------------------------------------------------------------

TEST_F(backend_actor_test, factory_refusal_after_payment_refunds) {
  setup();
  // The token factory's whitelist is emptied by a controller behind the
  // backend's back: the backend's checks pass, the factory refuses.
  ASSERT_TRUE(
      call<result<unit>>(token_factory, admin, factory_setup_whitelist_arg{{}})
          .ok());
  approve(alice, 2 * icp);
  auto before = balance(alice);
  auto r = call<result<deployment_receipt>>(
      backend, alice, create_token_arg{"refund-me", token_args()});
  ASSERT_TRUE(is_backend_error(r, backend_errc::deployment_failed))
      << (r.ok() ? "ok" : r.err().to_string());
  EXPECT_NE(r.err().message.find("refunded"), std::string::npos);
  ledger_ops += 2; // transfer_from, refund transfer
  // The payer gets the whole fee back; only the transfer_from's ledger fee
  // is lost. The backend bore the refund's ledger fee.
  EXPECT_EQ(balance(alice), before - ledger_fee);
  EXPECT_EQ(balance(backend_id), icp - ledger_fee);
  auto inv = invoices();
  EXPECT_EQ(inv.records, 1u);
  EXPECT_EQ(inv.refunded, 1u);
  EXPECT_EQ(inv.completed, 0u);
  EXPECT_TRUE(has_event("refund-me", action_type::refund_processed,
                        action_status::completed));
  auto st = call<result<deployment_status>>(
      backend, alice, deployment_status_arg{"refund-me", std::nullopt});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->stage, deployment_stage::refunded);
  ASSERT_TRUE(st->refund.has_value());
  EXPECT_EQ(st->refund->status, refund_status::completed);
  // No contract exists for it.
  auto stats = call<result<factory_stats>>(token_factory, alice,
                                           factory_stats_arg{});
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->contracts, 0u);
  // A retry replies the first result and charges nothing.
  auto again = call<result<deployment_receipt>>(
      backend, alice, create_token_arg{"refund-me", token_args()});
  EXPECT_TRUE(is_backend_error(again, backend_errc::deployment_failed));
  EXPECT_EQ(balance(alice), before - ledger_fee);
  auto refunds = call<result<refund_page>>(backend, alice, refunds_arg{});
  ASSERT_TRUE(refunds.ok());
  EXPECT_EQ(refunds->total, 1u);
  expect_supply_conserved();
}

TEST_F(backend_actor_test, invalid_init_refused_by_factory_is_refunded) {
  setup();
  approve(alice, 2 * icp);
  auto bad = multisig_args();
  bad.threshold = 5; // more than the two signers
  auto before = balance(alice);
  auto r = call<result<deployment_receipt>>(backend, alice,
                                            create_multisig_arg{"ms", bad});
  ASSERT_TRUE(is_backend_error(r, backend_errc::deployment_failed))
      << (r.ok() ? "ok" : r.err().to_string());
  ledger_ops += 2;
  EXPECT_EQ(balance(alice), before - ledger_fee);
  EXPECT_EQ(invoices().refunded, 1u);
  expect_supply_conserved();
}

TEST_F(backend_actor_test, factory_timeout_after_payment_refunds) {
  setup();
  // A token factory that takes createContract and never answers.
  auto held = std::make_shared<std::vector<caf::response_promise>>();
  // The promises go in as an argument, not a capture: CAF 0.17 dereferences a
  // null argument tuple for functions without arguments (UBSan reports it).
  using held_ptr = std::shared_ptr<std::vector<caf::response_promise>>;
  auto stalled = sys->spawn(
      [](caf::event_based_actor* self, held_ptr promises) -> caf::behavior {
        return {
            [self, promises](const caller&, const create_token_contract&) {
              promises->push_back(self->make_response_promise());
            },
            [](const caller&, const factory_setup_whitelist_arg&) {
              return result<unit>{unit{}};
            },
            [](const caller&, const factory_health_arg&) {
              factory_health h;
              h.healthy = true;
              return result<factory_health>{h};
            },
        };
      },
      held);
  auto stalled_id = principal::canister_id(19);
  ctx->dir.add(stalled->address(), stalled_id, actor_role::service);
  auto reg = call<result<factory_registration>>(
      backend, admin, register_factory_arg{contract_kind::token, stalled_id});
  ASSERT_TRUE(reg.ok()) << reg.err().to_string();
  approve(alice, 2 * icp);
  auto before = balance(alice);
  auto h = (*ingress)->request(backend, caf::infinite, caller{alice},
                               create_token_arg{"slow", token_args()});
  run();
  EXPECT_TRUE((*ingress)->mailbox().empty());
  auto st = call<result<deployment_status>>(
      backend, alice, deployment_status_arg{"slow", std::nullopt});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->stage, deployment_stage::deploying);
  // The backend's deploy_timeout (20 s) ends the wait with a refund.
  advance(20s);
  result<deployment_receipt> r;
  h.receive(
      [&](result<deployment_receipt>& x) {
        r = std::move(x);
      },
      [&](caf::error&) {
        ADD_FAILURE();
      });
  ASSERT_TRUE(is_backend_error(r, backend_errc::deployment_failed))
      << (r.ok() ? "ok" : r.err().to_string());
  EXPECT_NE(r.err().message.find("system.timeout"), std::string::npos)
      << r.err().message;
  ledger_ops += 2;
  EXPECT_EQ(balance(alice), before - ledger_fee);
  EXPECT_EQ(invoices().refunded, 1u);
  EXPECT_TRUE(has_event("slow", action_type::refund_processed,
                        action_status::completed));
  caf::anon_send_exit(stalled, caf::exit_reason::user_shutdown);
  run();
  expect_supply_conserved();
}

class backend_no_reserve_test : public backend_fixture {
 public:
  backend_no_reserve_test() : backend_fixture(0) {}
};

TEST_F(backend_no_reserve_test, failed_refund_is_processed_by_an_admin) {
  setup();
  ASSERT_TRUE(
      call<result<unit>>(token_factory, admin, factory_setup_whitelist_arg{{}})
          .ok());
  approve(alice, 2 * icp);
  auto before = balance(alice);
  // The backend holds only this fee: it cannot pay the refund's ledger fee.
  auto r = call<result<deployment_receipt>>(
      backend, alice, create_token_arg{"stuck", token_args()});
  ASSERT_TRUE(is_backend_error(r, backend_errc::refund_failed))
      << (r.ok() ? "ok" : r.err().to_string());
  ++ledger_ops;
  EXPECT_EQ(balance(alice), before - icp - ledger_fee);
  auto failed = call<result<refund_page>>(
      backend, admin,
      admin_refunds_arg{std::nullopt, refund_status::failed, page{}});
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ(failed->total, 1u);
  EXPECT_TRUE(
      has_event("stuck", action_type::refund_failed, action_status::failed));
  auto sys_status = call<result<system_status>>(backend, alice,
                                                system_status_arg{});
  EXPECT_EQ(sys_status->refunds_failed, 1u);
  // A user may not process refunds.
  auto id = failed->refunds[0].id;
  EXPECT_TRUE(is_backend_error(
      call<result<refund_record>>(backend, alice, process_refund_arg{id}),
      backend_errc::unauthorized));
  // Top up the backend; an admin retries.
  mint(backend_id, icp);
  auto done = call<result<refund_record>>(backend, admin,
                                          process_refund_arg{id});
  ASSERT_TRUE(done.ok()) << done.err().to_string();
  ++ledger_ops;
  EXPECT_EQ(done->status, refund_status::completed);
  EXPECT_EQ(balance(alice), before - ledger_fee);
  EXPECT_EQ(invoices().refunded, 1u);
  auto st = call<result<deployment_status>>(
      backend, alice, deployment_status_arg{"stuck", std::nullopt});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->stage, deployment_stage::refunded);
  // Processing twice is refused.
  EXPECT_TRUE(is_backend_error(
      call<result<refund_record>>(backend, admin, process_refund_arg{id}),
      backend_errc::invalid_argument));
  expect_supply_conserved();
}

// -- health and the circuit breaker -------------------------------------------

TEST_F(backend_actor_test, open_circuit_refuses_before_payment_then_closes) {
  setup();
  advance(health_interval);
  auto h = call<result<microservice_healths>>(backend, alice,
                                              microservice_health_arg{});
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 7u);
  for (auto& s : *h) {
    EXPECT_TRUE(s.healthy) << to_string(s.service) << " "
                           << s.last_error.value_or("");
    EXPECT_EQ(s.circuit, circuit_state::closed);
  }
  // Stop the DAO factory; two failed checks open its circuit.
  caf::anon_send_exit(dao_factory, caf::exit_reason::kill);
  run();
  advance(health_interval);
  approve(alice, 10 * icp);
  auto still = call<result<microservice_healths>>(backend, alice,
                                                  microservice_health_arg{});
  EXPECT_EQ((*still)[5].consecutive_failures, 1u);
  EXPECT_EQ((*still)[5].circuit, circuit_state::closed);
  advance(health_interval);
  auto open = call<result<microservice_healths>>(backend, alice,
                                                 microservice_health_arg{});
  EXPECT_EQ((*open)[5].service, service_id::dao_factory);
  EXPECT_EQ((*open)[5].circuit, circuit_state::open);
  auto before = balance(alice);
  auto r = call<result<deployment_receipt>>(backend, alice,
                                            create_dao_arg{"dao", dao_args()});
  ASSERT_TRUE(is_backend_error(r, backend_errc::service_unavailable));
  EXPECT_EQ(r.err().reject, reject_code::sys_transient);
  EXPECT_EQ(balance(alice), before);
  // Other kinds still deploy.
  EXPECT_TRUE(call<result<deployment_receipt>>(
                  backend, alice, create_token_arg{"tok", token_args()})
                  .ok());
  ++ledger_ops;
  // A new DAO factory is registered; the next check closes the circuit.
  auto fresh_id = principal::canister_id(18);
  dao_factory = spawn_dao_factory(*sys, ctx, fcfg(fresh_id, 8));
  run();
  auto reg = call<result<factory_registration>>(
      backend, admin, register_factory_arg{contract_kind::dao, fresh_id});
  ASSERT_TRUE(reg.ok()) << reg.err().to_string();
  EXPECT_TRUE(reg->backend_whitelisted);
  advance(health_interval);
  auto closed = call<result<microservice_healths>>(backend, alice,
                                                   microservice_health_arg{});
  EXPECT_EQ((*closed)[5].circuit, circuit_state::closed);
  EXPECT_EQ((*closed)[5].id, fresh_id);
  r = call<result<deployment_receipt>>(backend, alice,
                                       create_dao_arg{"dao", dao_args()});
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  ++ledger_ops;
  EXPECT_EQ(r->factory, fresh_id);
  expect_supply_conserved();
}

// -- limits -------------------------------------------------------------------

class backend_limit_test : public backend_fixture {
 public:
  backend_limit_test()
      : backend_fixture(icp, {{"user.max_deployments", "2"}}) {}
};

TEST_F(backend_limit_test, per_user_limit_refuses_before_any_fee) {
  setup();
  approve(alice, 10 * icp);
  for (auto id : {"1", "2"}) {
    ASSERT_TRUE(call<result<deployment_receipt>>(
                    backend, alice, create_token_arg{id, token_args()})
                    .ok());
    ++ledger_ops;
  }
  auto before = balance(alice);
  auto r = call<result<deployment_receipt>>(
      backend, alice, create_token_arg{"3", token_args()});
  EXPECT_TRUE(is_backend_error(r, backend_errc::limit_reached));
  EXPECT_EQ(balance(alice), before);
  auto prof = call<result<user_profile>>(backend, alice, user_profile_arg{});
  ASSERT_TRUE(prof.ok());
  EXPECT_EQ(prof->limits.max_deployments, 2u);
  EXPECT_EQ(prof->deployments, 2u);
  // Another user's profile is for admins.
  EXPECT_TRUE(is_backend_error(
      call<result<user_profile>>(backend, bob, user_profile_arg{alice}),
      backend_errc::unauthorized));
  EXPECT_TRUE(
      call<result<user_profile>>(backend, admin, user_profile_arg{alice}).ok());
  EXPECT_EQ(invoices().records, 2u);
  expect_supply_conserved();
}

// -- pipelines ----------------------------------------------------------------

create_project_arg project(const backend_fixture& f, const std::string& id) {
  create_project_arg p;
  p.request_id = id;
  p.name = "Project";
  p.token = backend_fixture::token_args("Proj");
  p.distribution = f.distribution_args(principal::canister_id(424242));
  p.launchpad = f.launchpad_args(principal::canister_id(424242));
  return p;
}

TEST_F(backend_actor_test, pipeline_deploys_token_distribution_launchpad) {
  setup();
  approve(alice, 13 * icp);
  auto r = call<result<pipeline_status>>(backend, alice, project(*this, "p"));
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  ledger_ops += 3;
  EXPECT_EQ(r->state, pipeline_state::completed);
  ASSERT_EQ(r->steps.size(), 3u);
  auto token = r->steps[0].receipt->contract_id;
  EXPECT_EQ(r->fees_paid, 12 * icp);
  for (auto& s : r->steps) {
    EXPECT_EQ(s.state, pipeline_step_state::completed);
    EXPECT_EQ(s.receipt->pipeline_id, std::optional<uint64_t>{r->pipeline_id});
  }
  // The later steps use the token of the first.
  auto lp = call<result<contract_info>>(
      launchpad_factory, alice,
      contract_info_arg{r->steps[2].receipt->contract_id});
  ASSERT_TRUE(lp.ok());
  EXPECT_NE(token, principal::canister_id(424242));
  // Retry: the same status, nothing charged.
  auto bal = balance(alice);
  auto again = call<result<pipeline_status>>(backend, alice,
                                             project(*this, "p"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *r);
  EXPECT_EQ(balance(alice), bal);
  auto other = project(*this, "p");
  other.name = "Other";
  EXPECT_TRUE(
      is_backend_error(call<result<pipeline_status>>(backend, alice, other),
                       backend_errc::idempotency_conflict));
  auto st = call<result<pipeline_status>>(backend, alice,
                                          pipeline_status_arg{r->pipeline_id});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, pipeline_state::completed);
  EXPECT_TRUE(
      is_backend_error(call<result<pipeline_status>>(
                           backend, bob, pipeline_status_arg{r->pipeline_id}),
                       backend_errc::unauthorized));
  EXPECT_EQ(invoices().completed, 3u);
  EXPECT_TRUE(has_event("p", action_type::pipeline_completed,
                        action_status::completed));
  expect_supply_conserved();
}

TEST_F(backend_actor_test, pipeline_with_a_failing_step_compensates) {
  setup();
  approve(alice, 13 * icp);
  // The distribution factory stops accepting the backend: step 2 fails
  // after its fee was taken.
  ASSERT_TRUE(call<result<unit>>(distribution_factory, admin,
                                 factory_setup_whitelist_arg{{}})
                  .ok());
  auto before = balance(alice);
  auto r = call<result<pipeline_status>>(backend, alice, project(*this, "q"));
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  ledger_ops += 3; // token transfer_from, distribution transfer_from, refund
  EXPECT_EQ(r->state, pipeline_state::failed);
  EXPECT_EQ(r->steps[0].state, pipeline_step_state::completed);
  EXPECT_EQ(r->steps[1].state, pipeline_step_state::failed);
  ASSERT_TRUE(r->steps[1].refund.has_value());
  EXPECT_EQ(r->steps[1].refund->status, refund_status::completed);
  EXPECT_EQ(r->steps[2].state, pipeline_step_state::skipped);
  EXPECT_EQ(r->fees_paid, icp);
  // The token's fee is kept (its contract exists); the distribution's fee
  // came back; the launchpad was never charged.
  EXPECT_EQ(balance(alice), before - icp - 2 * ledger_fee);
  auto inv = invoices();
  EXPECT_EQ(inv.records, 2u);
  EXPECT_EQ(inv.completed, 1u);
  EXPECT_EQ(inv.refunded, 1u);
  EXPECT_TRUE(
      has_event("q", action_type::pipeline_failed, action_status::failed));
  EXPECT_TRUE(has_event("q/distribution", action_type::refund_processed,
                        action_status::completed));
  // A retry replies the failed pipeline and charges nothing.
  auto bal = balance(alice);
  auto again = call<result<pipeline_status>>(backend, alice,
                                             project(*this, "q"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->state, pipeline_state::failed);
  EXPECT_EQ(balance(alice), bal);
  expect_supply_conserved();
}

TEST_F(backend_actor_test, pipeline_refused_when_allowance_misses_a_step) {
  setup();
  approve(alice, 5 * icp);
  auto before = balance(alice);
  auto r = call<result<pipeline_status>>(backend, alice, project(*this, "z"));
  EXPECT_TRUE(is_backend_error(r, backend_errc::insufficient_allowance));
  EXPECT_EQ(balance(alice), before);
  EXPECT_EQ(invoices().records, 0u);
  expect_supply_conserved();
}

} // namespace
