// The storages' checkpoints: Boost.Serialization of audit_state and
// invoice_state round-trips, and loading refuses inconsistent states.

#include "actors/audit/audit_state_serialization.hpp"
#include "actors/invoice/invoice_state_serialization.hpp"
#include "tests/actors/storage/storage_test_util.hpp"

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/archive/text_iarchive.hpp>
#include <boost/archive/text_oarchive.hpp>
#include <gtest/gtest.h>

#include <sstream>
#include <string>

using namespace icto;
using namespace icto::storage_test;

namespace {

template <class OArchive, class T>
std::string save(const T& x) {
  std::ostringstream out;
  {
    OArchive ar{out};
    ar << x;
  }
  return out.str();
}

template <class IArchive, class T>
T load(const std::string& bytes) {
  std::istringstream in{bytes};
  IArchive ar{in};
  T x;
  ar >> x;
  return x;
}

/// Every optional field set somewhere, several users, actions, statuses.
audit_state busy_audit() {
  audit_config cfg;
  cfg.writers = {backend, token_factory};
  cfg.backend = backend;
  auto st = make_audit_state(cfg).value();
  for (uint64_t i = 0; i < 300; ++i) {
    auto ev = event(user(static_cast<uint8_t>(i % 7)),
                    static_cast<action_type>(i % 33),
                    static_cast<action_status>(i % 6),
                    i % 2 == 0 ? "req-" + std::to_string(i) : "");
    if (i % 3 == 0) {
      ev.payment_id = i;
      ev.refund_id = i + 1;
      ev.pipeline_id = i + 2;
      ev.contract_id = principal::canister_id(1000 + i);
      ev.amount = i * 1000;
    }
    ev.severity = static_cast<log_severity>(i % 5);
    ev.message = std::string(i % 50, 'm');
    auto w = storage_caller{i % 4 == 0 ? token_factory : backend, false, false};
    apply(st, decide_log(st, w, ev, t0 + i * sec).value());
  }
  return st;
}

invoice_state busy_invoice() {
  invoice_config cfg;
  cfg.writers = {backend};
  auto st = make_invoice_state(cfg).value();
  const auto w = service(backend);
  for (uint64_t id = 1; id <= 200; ++id) {
    apply(st, decide_record(st, w,
                            payment(id, user(static_cast<uint8_t>(id % 5)),
                                    id * 100),
                            t0 + id * sec)
                  .value());
    payment_status_update up;
    up.id = id;
    switch (id % 4) {
    case 0: continue;
    case 1: up.status = payment_status::completed; break;
    case 2:
      up.status = payment_status::failed;
      up.reason = "ledger down";
      break;
    case 3:
      up.status = payment_status::refunded;
      up.refund_block_index = id * 10 + 1;
      break;
    }
    apply(st, decide_update(st, w, up, t0 + id * sec + 1).value());
  }
  return st;
}

} // namespace

TEST(storage_serialization, audit_state_round_trips) {
  const auto st = busy_audit();
  ASSERT_TRUE(check_invariants(st));
  auto bin = load<boost::archive::binary_iarchive, audit_state>(
      save<boost::archive::binary_oarchive>(st));
  EXPECT_EQ(bin, st);
  EXPECT_TRUE(verify_chain(bin, {}).value().ok);
  auto txt = load<boost::archive::text_iarchive, audit_state>(
      save<boost::archive::text_oarchive>(st));
  EXPECT_EQ(txt, st);
  // The loaded log goes on where the saved one stopped.
  auto e = decide_log(bin, service(backend), event(alice, action_type::custom),
                      t0);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->id, 301u);
  EXPECT_EQ(e->prev_hash, st.head_hash);
  // An empty one too.
  audit_state empty;
  EXPECT_EQ((load<boost::archive::binary_iarchive, audit_state>(
                save<boost::archive::binary_oarchive>(empty))),
            empty);
}

TEST(storage_serialization, audit_load_refuses_a_broken_chain_or_index) {
  auto st = busy_audit();
  auto bad = st;
  auto e = *bad.entries.find(10);
  e.prev_hash[3] ^= 1;
  bad.entries = bad.entries.insert(10, e);
  const auto bytes = save<boost::archive::binary_oarchive>(bad);
  EXPECT_THROW((load<boost::archive::binary_iarchive, audit_state>(bytes)),
               boost::archive::archive_exception);
  bad = st;
  bad.by_user = bad.by_user.erase(user(3));
  EXPECT_THROW((load<boost::archive::binary_iarchive, audit_state>(
                   save<boost::archive::binary_oarchive>(bad))),
               boost::archive::archive_exception);
  bad = st;
  bad.next_id += 1;
  EXPECT_THROW((load<boost::archive::binary_iarchive, audit_state>(
                   save<boost::archive::binary_oarchive>(bad))),
               boost::archive::archive_exception);
}

TEST(storage_serialization, invoice_state_round_trips) {
  const auto st = busy_invoice();
  ASSERT_TRUE(check_invariants(st));
  EXPECT_EQ(st.stats.records, 200u);
  auto bin = load<boost::archive::binary_iarchive, invoice_state>(
      save<boost::archive::binary_oarchive>(st));
  EXPECT_EQ(bin, st);
  auto txt = load<boost::archive::text_iarchive, invoice_state>(
      save<boost::archive::text_oarchive>(st));
  EXPECT_EQ(txt, st);
  EXPECT_EQ(txt.records.find(3)->refund_block_index, 31u);
  EXPECT_EQ(txt.records.find(2)->reason, "ledger down");
}

TEST(storage_serialization, invoice_load_refuses_inconsistent_stats) {
  auto bad = busy_invoice();
  bad.stats.completed += 1;
  EXPECT_THROW((load<boost::archive::binary_iarchive, invoice_state>(
                   save<boost::archive::binary_oarchive>(bad))),
               boost::archive::archive_exception);
}
