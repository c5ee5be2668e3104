// The invoice storage's rules as pure functions: writers, idempotent
// recording, the payment state machine, paging and visibility, stats.

#include "actors/invoice/invoice_state.hpp"
#include "tests/actors/storage/storage_test_util.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace icto;
using namespace icto::storage_test;

namespace {

invoice_state fresh() {
  invoice_config cfg;
  cfg.writers = {backend};
  cfg.backend = backend;
  return make_invoice_state(cfg).value();
}

payment_record record(invoice_state& st, const payment_record& r,
                      timestamp now) {
  auto ch = decide_record(st, service(backend), r, now);
  EXPECT_TRUE(ch.ok()) << (ch.ok() ? "" : ch.err().to_string());
  if (!ch.ok())
    return {};
  apply(st, *ch);
  return ch->record;
}

result<payment_record> update(invoice_state& st, uint64_t id, payment_status to,
                              timestamp now,
                              std::optional<uint64_t> refund_block = {},
                              std::optional<std::string> reason = {}) {
  payment_status_update up;
  up.id = id;
  up.status = to;
  up.refund_block_index = refund_block;
  up.reason = std::move(reason);
  auto ch = decide_update(st, service(backend), up, now);
  if (!ch)
    return ch.err();
  apply(st, *ch);
  return ch->record;
}

std::vector<uint64_t> ids(const payment_page& p) {
  std::vector<uint64_t> out;
  for (const auto& r : p.records)
    out.push_back(r.id);
  return out;
}

using id_vec = std::vector<uint64_t>;

const payment_status all_statuses[]
    = {payment_status::pending, payment_status::completed,
       payment_status::failed, payment_status::refunded};

} // namespace

// -- writers ------------------------------------------------------------------

TEST(invoice_state, only_whitelisted_writers_record_and_update) {
  auto st = fresh();
  record(st, payment(1, alice), t0);
  const auto before = st;
  EXPECT_TRUE(fails_with(
      decide_record(st, service(stranger_service), payment(2, alice), t0),
      invoice_errc::unauthorized, stranger_service.to_text()));
  EXPECT_TRUE(
      fails_with(decide_record(st, via_ingress(alice), payment(2, alice), t0),
                 invoice_errc::unauthorized, alice.to_text()));
  EXPECT_TRUE(
      fails_with(decide_record(st, via_ingress(backend), payment(2, alice), t0),
                 invoice_errc::unauthorized, "ingress"));
  EXPECT_TRUE(fails_with(decide_record(st, via_ingress(admin, true),
                                       payment(2, alice), t0),
                         invoice_errc::unauthorized));
  payment_status_update up{1, payment_status::completed, {}, {}};
  EXPECT_TRUE(fails_with(decide_update(st, via_ingress(alice), up, t0),
                         invoice_errc::unauthorized, alice.to_text()));
  EXPECT_TRUE(fails_with(decide_update(st, service(token_factory), up, t0),
                         invoice_errc::unauthorized, token_factory.to_text()));
  EXPECT_EQ(st, before);
}

TEST(invoice_state, config_refuses_an_anonymous_writer) {
  invoice_config cfg;
  cfg.writers = {principal::anonymous()};
  EXPECT_TRUE(fails_with(make_invoice_state(cfg),
                         invoice_errc::invalid_argument, "anonymous"));
}

TEST(invoice_state, whitelist_is_managed_by_controllers_and_the_backend) {
  auto st = fresh();
  EXPECT_TRUE(
      fails_with(decide_whitelist(st, via_ingress(alice),
                                  invoice_whitelist_add_arg{token_factory}),
                 invoice_errc::unauthorized, alice.to_text()));
  auto add = decide_whitelist(st, service(backend),
                              invoice_whitelist_add_arg{token_factory});
  ASSERT_TRUE(add.ok());
  apply(st, *add);
  EXPECT_TRUE(
      decide_record(st, service(token_factory), payment(1, bob), t0).ok());
  EXPECT_TRUE(
      fails_with(decide_whitelist(st, service(backend),
                                  invoice_whitelist_remove_arg{token_factory}),
                 invoice_errc::unauthorized, "controllers only"));
  auto rm = decide_whitelist(st, via_ingress(admin, true),
                             invoice_whitelist_remove_arg{token_factory});
  ASSERT_TRUE(rm.ok());
  apply(st, *rm);
  EXPECT_TRUE(
      fails_with(decide_record(st, service(token_factory), payment(1, bob), t0),
                 invoice_errc::unauthorized));
  EXPECT_TRUE(
      fails_with(decide_whitelist(st, via_ingress(admin, true),
                                  invoice_whitelist_remove_arg{token_factory}),
                 invoice_errc::not_found));
  EXPECT_TRUE(fails_with(
      decide_whitelist(st, via_ingress(admin, true),
                       invoice_whitelist_add_arg{principal::anonymous()}),
      invoice_errc::invalid_argument));
  EXPECT_EQ(sorted(st.writers), std::vector<principal>{backend});
}

// -- recording ----------------------------------------------------------------

TEST(invoice_state, records_are_stamped_by_the_storage) {
  auto st = fresh();
  auto r = payment(1, alice);
  r.created_at = 5;
  r.updated_at = 6;
  auto stored = record(st, r, t0 + 7 * sec);
  EXPECT_EQ(stored.created_at, t0 + 7 * sec);
  EXPECT_EQ(stored.updated_at, t0 + 7 * sec);
  // The clock going back does not move stamps back.
  stored = record(st, payment(2, alice), t0);
  EXPECT_EQ(stored.created_at, t0 + 7 * sec);
  EXPECT_EQ(get_record(st, service(backend), 2).value(), stored);
  EXPECT_TRUE(check_invariants(st));
}

TEST(invoice_state, same_record_again_replies_it_unchanged) {
  auto st = fresh();
  const auto stored = record(st, payment(1, alice), t0);
  const auto before = st;
  auto again = payment(1, alice);
  again.created_at = 123; // stamps are the storage's: ignored
  auto ch = decide_record(st, service(backend), again, t0 + 60 * sec);
  ASSERT_TRUE(ch.ok());
  EXPECT_FALSE(ch->changed);
  EXPECT_EQ(ch->record, stored);
  apply(st, *ch);
  EXPECT_EQ(st, before);
}

TEST(invoice_state, another_record_with_the_same_id_is_a_duplicate) {
  auto st = fresh();
  record(st, payment(1, alice), t0);
  auto other = payment(1, alice);
  other.amount += 1;
  EXPECT_TRUE(fails_with(decide_record(st, service(backend), other, t0),
                         invoice_errc::duplicate, "payment 1"));
  EXPECT_TRUE(
      fails_with(decide_record(st, service(backend), payment(1, bob), t0),
                 invoice_errc::duplicate, alice.to_text()));
  // A record that moved on is not "the same" as its first version.
  ASSERT_TRUE(update(st, 1, payment_status::completed, t0).ok());
  EXPECT_TRUE(
      fails_with(decide_record(st, service(backend), payment(1, alice), t0),
                 invoice_errc::duplicate, "completed"));
}

TEST(invoice_state, refuses_invalid_new_records) {
  auto st = fresh();
  const auto w = service(backend);
  EXPECT_TRUE(
      fails_with(decide_record(st, w, payment(1, principal::anonymous()), t0),
                 invoice_errc::invalid_argument, "anonymous"));
  for (auto s : {payment_status::completed, payment_status::refunded}) {
    auto r = payment(1, alice);
    r.status = s;
    EXPECT_TRUE(fails_with(decide_record(st, w, r, t0),
                           invoice_errc::invalid_argument,
                           std::string{to_string(s)}));
  }
  auto r = payment(1, alice);
  r.block_index.reset();
  EXPECT_TRUE(fails_with(decide_record(st, w, r, t0),
                         invoice_errc::invalid_argument, "block_index"));
  r.amount = 0; // nothing was transferred
  EXPECT_TRUE(decide_record(st, w, r, t0).ok());
  r = payment(1, alice);
  r.status = payment_status::failed; // the fee could not be taken
  r.block_index.reset();
  EXPECT_TRUE(decide_record(st, w, r, t0).ok());
  r = payment(1, alice);
  r.refund_block_index = 3;
  EXPECT_TRUE(fails_with(decide_record(st, w, r, t0),
                         invoice_errc::invalid_argument, "refund_block_index"));
  r = payment(1, alice);
  r.request_id = std::string(max_invoice_request_id + 1, 'x');
  EXPECT_TRUE(fails_with(decide_record(st, w, r, t0),
                         invoice_errc::invalid_argument, "request_id"));
  record(st, payment(1, alice, ~tokens{0} - 5), t0);
  EXPECT_TRUE(fails_with(decide_record(st, w, payment(2, bob, 10), t0),
                         invoice_errc::invalid_argument, "overflow"));
}

// -- the state machine --------------------------------------------------------

TEST(invoice_state, transitions_follow_the_state_machine) {
  // from → to: allowed?
  for (auto from : all_statuses) {
    for (auto to : all_statuses) {
      SCOPED_TRACE(std::string{to_string(from)} + " -> "
                   + std::string{to_string(to)});
      auto st = fresh();
      record(st, payment(1, alice), t0);
      if (from != payment_status::pending) {
        std::optional<uint64_t> refund;
        if (from == payment_status::refunded)
          refund = 99;
        ASSERT_TRUE(update(st, 1, from, t0, refund).ok());
      }
      const auto before = st;
      const bool expect_ok = from == to
                             || (from == payment_status::pending && to != from)
                             || (from == payment_status::completed
                                 && to == payment_status::refunded);
      EXPECT_EQ(allowed_transition(from, to), from != to && expect_ok);
      std::optional<uint64_t> refund;
      if (to == payment_status::refunded && from != to)
        refund = 77;
      auto r = update(st, 1, to, t0 + sec, refund);
      if (expect_ok) {
        ASSERT_TRUE(r.ok()) << r.err().to_string();
        EXPECT_EQ(r->status, to);
        if (from == to) {
          EXPECT_EQ(st, before); // a no-op
          EXPECT_EQ(r->updated_at, t0);
        } else {
          EXPECT_EQ(r->updated_at, t0 + sec);
        }
      } else {
        EXPECT_TRUE(fails_with(r, invoice_errc::invalid_transition,
                               "payment 1: " + std::string{to_string(from)}
                                   + " -> " + std::string{to_string(to)}));
        EXPECT_EQ(st, before);
      }
      EXPECT_TRUE(check_invariants(st));
    }
  }
}

TEST(invoice_state, refunds_need_their_block_unless_nothing_was_paid) {
  auto st = fresh();
  record(st, payment(1, alice), t0);
  EXPECT_TRUE(fails_with(update(st, 1, payment_status::refunded, t0),
                         invoice_errc::invalid_argument, "refund_block_index"));
  EXPECT_TRUE(fails_with(update(st, 1, payment_status::completed, t0, 5),
                         invoice_errc::invalid_argument,
                         "refund_block_index with status completed"));
  auto r = update(st, 1, payment_status::refunded, t0, 12, "deploy failed");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->refund_block_index, 12u);
  EXPECT_EQ(r->reason, "deploy failed");
  auto free = payment(2, bob, 0);
  free.block_index.reset();
  record(st, free, t0);
  EXPECT_TRUE(update(st, 2, payment_status::refunded, t0).ok());
  EXPECT_TRUE(fails_with(update(st, 3, payment_status::completed, t0),
                         invoice_errc::not_found, "payment 3"));
}

// -- queries ------------------------------------------------------------------

TEST(invoice_state, user_records_newest_first_with_total) {
  auto st = fresh();
  for (uint64_t id = 1; id <= 30; ++id)
    record(st, payment(id * 3 % 31, id % 3 == 0 ? bob : alice), t0 + id * sec);
  // alice has the 20 records made at ids 1,2,4,5,...; newest first.
  user_payments_arg a{alice, 5, 0};
  auto p = user_records(st, service(backend), a).value();
  EXPECT_EQ(p.total, 20u);
  EXPECT_EQ(ids(p), (id_vec{29 * 3 % 31, 28 * 3 % 31, 26 * 3 % 31, 25 * 3 % 31,
                            23 * 3 % 31}));
  for (size_t i = 1; i < p.records.size(); ++i)
    EXPECT_GT(p.records[i - 1].created_at, p.records[i].created_at);
  a.offset = 18;
  EXPECT_EQ(ids(user_records(st, service(backend), a).value()),
            (id_vec{2 * 3 % 31, 1 * 3 % 31}));
  a.offset = 20;
  p = user_records(st, service(backend), a).value();
  EXPECT_TRUE(p.records.empty());
  EXPECT_EQ(p.total, 20u);
  a = {alice, 0, 0};
  EXPECT_EQ(user_records(st, service(backend), a).value().records.size(), 20u);
  a = {carol, 10, 0};
  p = user_records(st, via_ingress(carol), a).value();
  EXPECT_EQ(p.total, 0u);
  EXPECT_TRUE(p.records.empty());
}

TEST(invoice_state, records_are_visible_to_their_user_writers_controllers) {
  auto st = fresh();
  record(st, payment(1, alice), t0);
  record(st, payment(2, bob), t0);
  user_payments_arg a{alice, 10, 0};
  EXPECT_EQ(user_records(st, via_ingress(alice), a).value().total, 1u);
  EXPECT_EQ(user_records(st, via_ingress(admin, true), a).value().total, 1u);
  EXPECT_EQ(user_records(st, service(backend), a).value().total, 1u);
  EXPECT_TRUE(fails_with(user_records(st, via_ingress(bob), a),
                         invoice_errc::unauthorized, bob.to_text()));
  EXPECT_TRUE(fails_with(user_records(st, service(token_factory), a),
                         invoice_errc::unauthorized));
  EXPECT_EQ(get_record(st, via_ingress(alice), 1).value().user, alice);
  EXPECT_TRUE(fails_with(get_record(st, via_ingress(alice), 2),
                         invoice_errc::unauthorized, alice.to_text()));
  EXPECT_TRUE(get_record(st, via_ingress(admin, true), 2).ok());
  EXPECT_TRUE(get_record(st, service(backend), 2).ok());
  EXPECT_TRUE(fails_with(get_record(st, via_ingress(alice), 3),
                         invoice_errc::not_found));
  EXPECT_TRUE(fails_with(get_record(st, via_ingress(principal::anonymous()), 1),
                         invoice_errc::unauthorized));
}

TEST(invoice_state, stats_follow_every_change) {
  auto st = fresh();
  record(st, payment(1, alice, 100), t0);
  record(st, payment(2, alice, 200), t0);
  record(st, payment(3, bob, 400), t0);
  auto failed = payment(4, carol, 800);
  failed.status = payment_status::failed;
  failed.block_index.reset();
  record(st, failed, t0);
  ASSERT_TRUE(update(st, 1, payment_status::completed, t0).ok());
  ASSERT_TRUE(update(st, 2, payment_status::completed, t0).ok());
  ASSERT_TRUE(update(st, 2, payment_status::refunded, t0, 7).ok());
  const auto& s = st.stats;
  EXPECT_EQ(s.records, 4u);
  EXPECT_EQ(s.users, 3u);
  EXPECT_EQ(s.pending, 1u);
  EXPECT_EQ(s.completed, 1u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.refunded, 1u);
  EXPECT_EQ(s.amount_pending, 400u);
  EXPECT_EQ(s.amount_completed, 100u);
  EXPECT_EQ(s.amount_refunded, 200u);
  EXPECT_TRUE(check_invariants(st));
  auto broken = st;
  broken.stats.amount_pending += 1;
  EXPECT_FALSE(check_invariants(broken));
  broken = st;
  auto r = *broken.records.find(3);
  r.user = carol;
  broken.records = broken.records.insert(3, r);
  EXPECT_FALSE(check_invariants(broken));
}
