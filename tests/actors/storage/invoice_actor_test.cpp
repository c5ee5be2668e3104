// The invoice storage actor under CAF's deterministic test coordinator:
// requests go through the typed interface, the caller comes from the CAF
// sender.

#include "actors/invoice/invoice_actor.hpp"
#include "tests/actors/storage/storage_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>

using namespace icto;
using namespace icto::storage_test;
using namespace std::chrono_literals;

namespace {

class invoice_actor_test : public storage_fixture {
 protected:
  invoice_actor_test() {
    invoice_config config;
    config.writers = {backend};
    invoice = spawn_invoice_storage(*sys, ctx, config);
    run();
  }

  ~invoice_actor_test() override {
    caf::anon_send_exit(invoice, caf::exit_reason::user_shutdown);
    run();
  }

  invoice_actor invoice;
};

TEST_F(invoice_actor_test, backend_records_and_moves_a_payment) {
  auto& be = make_service(backend);
  auto r = call_from<result<payment_record>>(be, invoice, alice,
                                             payment(1, alice));
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_EQ(r->created_at, start_time);
  // Same record again: unchanged; another with the same id: duplicate.
  advance(1s);
  auto again = call_from<result<payment_record>>(be, invoice, backend,
                                                 payment(1, alice));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *r);
  EXPECT_TRUE(fails_with(call_from<result<payment_record>>(be, invoice, backend,
                                                           payment(1, bob)),
                         invoice_errc::duplicate));
  auto done = call_from<result<payment_record>>(
      be, invoice, backend,
      payment_status_update{1, payment_status::completed, {}, {}});
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, payment_status::completed);
  EXPECT_EQ(done->updated_at, start_time + 1'000'000'000ull);
  EXPECT_TRUE(
      fails_with(call_from<result<payment_record>>(
                     be, invoice, backend,
                     payment_status_update{1, payment_status::failed, {}, {}}),
                 invoice_errc::invalid_transition, "completed -> failed"));
  auto refunded = call_from<result<payment_record>>(
      be, invoice, backend,
      payment_status_update{1, payment_status::refunded, "rollback", 44});
  ASSERT_TRUE(refunded.ok());
  EXPECT_EQ(refunded->refund_block_index, 44u);
  auto stats = call<result<invoice_stats>>(invoice, carol, invoice_stats_arg{});
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->records, 1u);
  EXPECT_EQ(stats->refunded, 1u);
  EXPECT_EQ(stats->amount_refunded, payment(1, alice).amount);
}

TEST_F(invoice_actor_test, users_and_strangers_cannot_write) {
  auto r = call<result<payment_record>>(invoice, alice, payment(1, alice));
  EXPECT_TRUE(fails_with(r, invoice_errc::unauthorized, alice.to_text()));
  r = call<result<payment_record>>(invoice, backend, payment(1, alice));
  EXPECT_TRUE(fails_with(r, invoice_errc::unauthorized, "ingress"));
  auto& tf = make_service(token_factory);
  r = call_from<result<payment_record>>(tf, invoice, backend,
                                        payment(1, alice));
  EXPECT_TRUE(
      fails_with(r, invoice_errc::unauthorized, token_factory.to_text()));
  r = call<result<payment_record>>(
      invoice, admin, payment_status_update{1, payment_status::failed, {}, {}});
  EXPECT_TRUE(fails_with(r, invoice_errc::unauthorized, admin.to_text()));
}

TEST_F(invoice_actor_test, records_are_read_by_their_user_and_controllers) {
  auto& be = make_service(backend);
  for (uint64_t id = 1; id <= 3; ++id) {
    ASSERT_TRUE(call_from<result<payment_record>>(be, invoice, backend,
                                                  payment(id, alice))
                    .ok());
    advance(1s);
  }
  ASSERT_TRUE(
      call_from<result<payment_record>>(be, invoice, backend, payment(4, bob))
          .ok());
  auto page = call<result<payment_page>>(invoice, alice,
                                         user_payments_arg{alice, 2, 0});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 3u);
  ASSERT_EQ(page->records.size(), 2u);
  EXPECT_EQ(page->records[0].id, 3u);
  EXPECT_EQ(page->records[1].id, 2u);
  EXPECT_TRUE(fails_with(
      call<result<payment_page>>(invoice, bob, user_payments_arg{alice, 2, 0}),
      invoice_errc::unauthorized, bob.to_text()));
  EXPECT_TRUE(
      call<result<payment_page>>(invoice, admin, user_payments_arg{alice, 2, 0})
          .ok());
  EXPECT_TRUE(
      call<result<payment_record>>(invoice, bob, payment_record_arg{4}).ok());
  EXPECT_TRUE(fails_with(call<result<payment_record>>(invoice, bob,
                                                      payment_record_arg{1}),
                         invoice_errc::unauthorized, bob.to_text()));
  EXPECT_TRUE(fails_with(call<result<payment_record>>(invoice, bob,
                                                      payment_record_arg{9}),
                         invoice_errc::not_found));
}

TEST_F(invoice_actor_test, controller_manages_the_whitelist) {
  auto& tf = make_service(token_factory);
  EXPECT_TRUE(
      fails_with(call<result<unit>>(invoice, alice,
                                    invoice_whitelist_add_arg{token_factory}),
                 invoice_errc::unauthorized, alice.to_text()));
  ASSERT_TRUE(call<result<unit>>(invoice, admin,
                                 invoice_whitelist_add_arg{token_factory})
                  .ok());
  EXPECT_EQ(
      call<result<principals>>(invoice, carol, invoice_whitelist_arg{}).value(),
      (principals{backend, token_factory}));
  EXPECT_TRUE(call_from<result<payment_record>>(tf, invoice, token_factory,
                                                payment(7, carol))
                  .ok());
  ASSERT_TRUE(call<result<unit>>(invoice, admin,
                                 invoice_whitelist_remove_arg{token_factory})
                  .ok());
  EXPECT_TRUE(fails_with(call_from<result<payment_record>>(
                             tf, invoice, token_factory, payment(8, carol)),
                         invoice_errc::unauthorized));
  EXPECT_TRUE(
      call<result<unit>>(invoice, alice, invoice_health_check_arg{}).ok());
}

} // namespace

namespace {

TEST_F(invoice_actor_test, quits_on_an_anonymous_writer_in_its_config) {
  invoice_config bad;
  bad.writers = {principal::anonymous()};
  auto h = spawn_invoice_storage(*sys, ctx, bad);
  run();
  std::optional<caf::error> reason;
  caf::actor_cast<caf::abstract_actor*>(h)->attach_functor(
      [&](const caf::error& e) {
        reason = e;
      });
  ASSERT_TRUE(reason);
  EXPECT_EQ(*reason, caf::sec::invalid_argument);
}

} // namespace
