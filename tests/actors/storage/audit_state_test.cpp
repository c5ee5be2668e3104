// The audit storage's rules as pure functions: writers, the hash chain,
// tamper detection, queries with filters and paging, visibility.

#include "actors/audit/audit_state.hpp"
#include "tests/actors/storage/storage_test_util.hpp"

#include <caf/binary_serializer.hpp>
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <random>
#include <string>
#include <vector>

using namespace icto;
using namespace icto::storage_test;

namespace {

audit_state fresh() {
  audit_config cfg;
  cfg.writers = {backend, token_factory};
  cfg.backend = backend;
  return make_audit_state(cfg).value();
}

/// Appends `ev` as `writer` at `now`; fails the test if refused.
audit_entry log(audit_state& st, const audit_event& ev, timestamp now,
                const principal& writer = backend) {
  auto e = decide_log(st, service(writer), ev, now);
  EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.err().to_string());
  if (!e.ok())
    return {};
  apply(st, *e);
  return *e;
}

/// Five entries: alice create_token (1, 3), bob create_dao (2), alice
/// payment_processed failed (4), carol create_token (5); one second apart.
audit_state five() {
  auto st = fresh();
  log(st,
      event(alice, action_type::create_token, action_status::initiated, "r1"),
      t0 + 1 * sec);
  log(st, event(bob, action_type::create_dao), t0 + 2 * sec, token_factory);
  log(st,
      event(alice, action_type::create_token, action_status::completed, "r1"),
      t0 + 3 * sec);
  log(st, event(alice, action_type::payment_processed, action_status::failed),
      t0 + 4 * sec);
  log(st, event(carol, action_type::create_token), t0 + 5 * sec);
  return st;
}

std::vector<uint64_t> ids(const audit_page& p) {
  std::vector<uint64_t> out;
  for (const auto& e : p.entries)
    out.push_back(e.id);
  return out;
}

using id_vec = std::vector<uint64_t>;

} // namespace

// -- writers ------------------------------------------------------------------

TEST(audit_state, config_refuses_an_anonymous_writer) {
  audit_config cfg;
  cfg.writers = {backend, principal::anonymous()};
  EXPECT_TRUE(fails_with(make_audit_state(cfg), audit_errc::invalid_argument,
                         "anonymous"));
  cfg.writers = {backend};
  cfg.backend = principal::anonymous();
  EXPECT_TRUE(fails_with(make_audit_state(cfg), audit_errc::invalid_argument,
                         "backend"));
}

TEST(audit_state, only_whitelisted_writers_append) {
  auto st = fresh();
  const auto before = st;
  auto r = decide_log(st, service(stranger_service),
                      event(alice, action_type::create_token), t0);
  EXPECT_TRUE(
      fails_with(r, audit_errc::unauthorized, stranger_service.to_text()));
  // A user, even a controller, is no writer.
  r = decide_log(st, via_ingress(alice, true),
                 event(alice, action_type::create_token), t0);
  EXPECT_TRUE(fails_with(r, audit_errc::unauthorized, alice.to_text()));
  // A whitelisted principal asserted through an ingress is not the service.
  r = decide_log(st, via_ingress(backend),
                 event(alice, action_type::create_token), t0);
  EXPECT_TRUE(fails_with(r, audit_errc::unauthorized, "ingress"));
  r = decide_log(st, service(principal::anonymous()),
                 event(alice, action_type::create_token), t0);
  EXPECT_TRUE(fails_with(r, audit_errc::unauthorized));
  EXPECT_EQ(st, before);
  EXPECT_TRUE(decide_log(st, service(token_factory),
                         event(alice, action_type::create_token), t0)
                  .ok());
}

TEST(audit_state, refuses_oversized_messages_and_bad_request_ids) {
  auto st = fresh();
  auto ev = event(alice, action_type::custom);
  ev.message = std::string(max_audit_message + 1, 'x');
  EXPECT_TRUE(fails_with(decide_log(st, service(backend), ev, t0),
                         audit_errc::invalid_argument, "event.message"));
  ev.message = std::string(max_audit_message, 'x');
  EXPECT_TRUE(decide_log(st, service(backend), ev, t0).ok());
  ev.request_id = "";
  EXPECT_TRUE(fails_with(decide_log(st, service(backend), ev, t0),
                         audit_errc::invalid_argument, "request_id"));
  ev.request_id = std::string(max_audit_request_id + 1, 'r');
  EXPECT_TRUE(fails_with(decide_log(st, service(backend), ev, t0),
                         audit_errc::invalid_argument, "request_id"));
}

TEST(audit_state, whitelist_is_managed_by_controllers_and_the_backend) {
  auto st = fresh();
  const auto newcomer = principal::canister_id(55);
  // A user, a writer that is not the backend, the backend through an ingress.
  EXPECT_TRUE(fails_with(decide_whitelist(st, via_ingress(alice),
                                          audit_whitelist_add_arg{newcomer}),
                         audit_errc::unauthorized, alice.to_text()));
  EXPECT_TRUE(fails_with(decide_whitelist(st, service(token_factory),
                                          audit_whitelist_add_arg{newcomer}),
                         audit_errc::unauthorized, token_factory.to_text()));
  EXPECT_TRUE(fails_with(decide_whitelist(st, via_ingress(backend),
                                          audit_whitelist_add_arg{newcomer}),
                         audit_errc::unauthorized));
  // The backend may add (setupMicroservices), not remove.
  auto add = decide_whitelist(st, service(backend),
                              audit_whitelist_add_arg{newcomer});
  ASSERT_TRUE(add.ok());
  apply(st, *add);
  EXPECT_TRUE(is_writer(st, service(newcomer)));
  EXPECT_TRUE(fails_with(decide_whitelist(st, service(backend),
                                          audit_whitelist_remove_arg{newcomer}),
                         audit_errc::unauthorized, "controllers only"));
  EXPECT_TRUE(fails_with(
      decide_whitelist(st, via_ingress(admin, true),
                       audit_whitelist_add_arg{principal::anonymous()}),
      audit_errc::invalid_argument));
  // A removed writer's entries stay; it cannot append any more.
  auto e = log(st, event(alice, action_type::create_dao), t0, newcomer);
  auto rm = decide_whitelist(st, via_ingress(admin, true),
                             audit_whitelist_remove_arg{newcomer});
  ASSERT_TRUE(rm.ok());
  apply(st, *rm);
  EXPECT_FALSE(is_writer(st, service(newcomer)));
  EXPECT_TRUE(fails_with(decide_log(st, service(newcomer),
                                    event(alice, action_type::create_dao), t0),
                         audit_errc::unauthorized));
  EXPECT_EQ(get_entry(st, service(backend), e.id).value(), e);
  EXPECT_TRUE(fails_with(decide_whitelist(st, via_ingress(admin, true),
                                          audit_whitelist_remove_arg{newcomer}),
                         audit_errc::not_found, newcomer.to_text()));
  EXPECT_EQ(sorted(st.writers),
            (std::vector<principal>{backend, token_factory}));
  EXPECT_TRUE(check_invariants(st));
}

// -- the chain ----------------------------------------------------------------

TEST(audit_state, ids_count_from_one_and_each_entry_links_the_previous) {
  auto st = five();
  ASSERT_EQ(st.next_id, 6u);
  blob prev(32, 0);
  for (uint64_t id = 1; id <= 5; ++id) {
    const auto& e = *st.entries.find(id);
    EXPECT_EQ(e.id, id);
    EXPECT_EQ(e.prev_hash, prev);
    EXPECT_EQ(e.hash.size(), 32u);
    prev = e.hash;
  }
  EXPECT_EQ(st.head_hash, prev);
  EXPECT_EQ(st.entries.find(2)->writer, token_factory);
  EXPECT_TRUE(check_invariants(st));
}

TEST(audit_state, hash_is_sha256_of_prev_hash_and_caf_binary_form) {
  auto st = five();
  const auto& e = *st.entries.find(3);
  std::vector<char> buf(e.prev_hash.begin(), e.prev_hash.end());
  caf::binary_serializer sink{nullptr, buf};
  auto id = e.id;
  auto writer = e.writer;
  auto at = e.recorded_at;
  auto ev = e.event;
  ASSERT_FALSE(sink(id, writer, at, ev));
  blob expected(32);
  SHA256(reinterpret_cast<const unsigned char*>(buf.data()), buf.size(),
         expected.data());
  EXPECT_EQ(e.hash, expected);
}

TEST(audit_state, recorded_at_never_decreases) {
  auto st = fresh();
  auto a = log(st, event(alice, action_type::custom), t0 + 10 * sec);
  auto b = log(st, event(alice, action_type::custom), t0 + 3 * sec);
  EXPECT_EQ(a.recorded_at, t0 + 10 * sec);
  EXPECT_EQ(b.recorded_at, t0 + 10 * sec);
  auto c = log(st, event(alice, action_type::custom), t0 + 11 * sec);
  EXPECT_EQ(c.recorded_at, t0 + 11 * sec);
  EXPECT_TRUE(verify_chain(st, {}).value().ok);
}

TEST(audit_state, earlier_entries_never_change) {
  auto st = five();
  const auto snapshot = st;
  for (int i = 0; i < 20; ++i)
    log(st, event(bob, action_type::status_update), t0 + 9 * sec);
  for (uint64_t id = 1; id <= 5; ++id)
    EXPECT_EQ(*st.entries.find(id), *snapshot.entries.find(id));
  EXPECT_TRUE(check_invariants(snapshot));
  EXPECT_TRUE(check_invariants(st));
}

TEST(audit_state, verify_chain_checks_the_whole_log_and_ranges) {
  auto empty = fresh();
  auto v = verify_chain(empty, {}).value();
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.checked, 0u);
  auto st = five();
  v = verify_chain(st, {}).value();
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.checked, 5u);
  EXPECT_EQ(v.head_hash, st.head_hash);
  EXPECT_FALSE(v.first_broken_id);
  EXPECT_TRUE(v.reason.empty());
  v = verify_chain(st, {2, 4}).value();
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.checked, 3u);
  EXPECT_EQ(v.head_hash, st.entries.find(4)->hash);
  EXPECT_TRUE(fails_with(verify_chain(st, {0, 3}), audit_errc::invalid_argument,
                         "0..3"));
  EXPECT_TRUE(
      fails_with(verify_chain(st, {4, 3}), audit_errc::invalid_argument));
  EXPECT_TRUE(fails_with(verify_chain(st, {1, 6}), audit_errc::invalid_argument,
                         "1..5"));
  EXPECT_TRUE(
      fails_with(verify_chain(empty, {1, 1}), audit_errc::invalid_argument));
}

TEST(audit_state, verify_chain_names_a_tampered_entry) {
  const auto st = five();
  // Content changed, hash kept: entry 3 itself is broken.
  auto copy = st;
  auto e3 = *copy.entries.find(3);
  e3.event.message = "nothing happened";
  copy.entries = copy.entries.insert(3, e3);
  auto v = verify_chain(copy, {}).value();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_id, 3u);
  EXPECT_EQ(v.checked, 2u);
  EXPECT_NE(v.reason.find("entry 3: hash does not match"), std::string::npos)
      << v.reason;
  // Ranges that end before it still verify.
  EXPECT_TRUE(verify_chain(copy, {1, 2}).value().ok);
  // The original is untouched (the tries are persistent).
  EXPECT_TRUE(verify_chain(st, {}).value().ok);

  // Content changed and hash recomputed: the next entry's link breaks.
  e3.hash = audit_entry_hash(e3.prev_hash, e3.id, e3.writer, e3.recorded_at,
                             e3.event);
  copy.entries = copy.entries.insert(3, e3);
  v = verify_chain(copy, {}).value();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_id, 4u);
  EXPECT_NE(v.reason.find("prev_hash is not the hash of entry 3"),
            std::string::npos)
      << v.reason;
  EXPECT_FALSE(check_invariants(copy));

  // The last entry rewritten consistently: the head hash gives it away.
  copy = st;
  auto e5 = *copy.entries.find(5);
  e5.event.user = bob;
  e5.hash = audit_entry_hash(e5.prev_hash, e5.id, e5.writer, e5.recorded_at,
                             e5.event);
  copy.entries = copy.entries.insert(5, e5);
  v = verify_chain(copy, {}).value();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_id, 5u);
  EXPECT_NE(v.reason.find("head hash"), std::string::npos) << v.reason;

  // A changed writer or time breaks the hash as well.
  copy = st;
  auto e1 = *copy.entries.find(1);
  e1.writer = stranger_service;
  copy.entries = copy.entries.insert(1, e1);
  v = verify_chain(copy, {}).value();
  EXPECT_EQ(v.first_broken_id, 1u);
  copy = st;
  auto e2 = *copy.entries.find(2);
  e2.recorded_at += 1;
  copy.entries = copy.entries.insert(2, e2);
  EXPECT_EQ(verify_chain(copy, {}).value().first_broken_id, 2u);
  // A wrong genesis link.
  copy = st;
  e1 = *copy.entries.find(1);
  e1.prev_hash[0] = 1;
  copy.entries = copy.entries.insert(1, e1);
  v = verify_chain(copy, {}).value();
  EXPECT_EQ(v.first_broken_id, 1u);
  EXPECT_NE(v.reason.find("32 zero bytes"), std::string::npos) << v.reason;
}

// -- queries ------------------------------------------------------------------

TEST(audit_state, filters_by_user_action_status_request_id_and_time) {
  const auto st = five();
  const auto all = service(backend);
  audit_filter f;
  EXPECT_EQ(ids(query_logs(st, all, f).value()), (id_vec{1, 2, 3, 4, 5}));
  f.user = alice;
  EXPECT_EQ(ids(query_logs(st, all, f).value()), (id_vec{1, 3, 4}));
  f.action = action_type::create_token;
  EXPECT_EQ(ids(query_logs(st, all, f).value()), (id_vec{1, 3}));
  f.status = action_status::completed;
  EXPECT_EQ(ids(query_logs(st, all, f).value()), (id_vec{3}));
  f = {};
  f.request_id = "r1";
  EXPECT_EQ(ids(query_logs(st, all, f).value()), (id_vec{1, 3}));
  f = {};
  f.action = action_type::create_token;
  EXPECT_EQ(ids(query_logs(st, all, f).value()), (id_vec{1, 3, 5}));
  f.from = t0 + 2 * sec; // from <= recorded_at < to
  f.to = t0 + 5 * sec;
  EXPECT_EQ(ids(query_logs(st, all, f).value()), (id_vec{3}));
  f.action.reset();
  EXPECT_EQ(ids(query_logs(st, all, f).value()), (id_vec{2, 3, 4}));
  f.from = t0 + 6 * sec;
  f.to.reset();
  EXPECT_EQ(query_logs(st, all, f).value().total, 0u);
  f.from = t0 + 4 * sec;
  f.to = t0 + 3 * sec;
  EXPECT_TRUE(
      fails_with(query_logs(st, all, f), audit_errc::invalid_argument, "from"));
  f = {};
  f.user = user(42);
  EXPECT_EQ(query_logs(st, all, f).value().total, 0u);
  f = {};
  f.action = action_type::create_launchpad;
  EXPECT_EQ(query_logs(st, all, f).value().total, 0u);
}

TEST(audit_state, pages_report_the_total) {
  auto st = fresh();
  for (int i = 0; i < 250; ++i)
    log(st, event(i % 2 == 0 ? alice : bob, action_type::status_update),
        t0 + static_cast<timestamp>(i) * sec);
  const auto all = service(backend);
  audit_filter f;
  f.user = alice;
  f.page = {10, 20};
  auto p = query_logs(st, all, f).value();
  EXPECT_EQ(p.total, 125u);
  ASSERT_EQ(p.entries.size(), 10u);
  EXPECT_EQ(p.entries.front().id, 41u); // alice's 21st entry
  EXPECT_EQ(p.entries.back().id, 59u);
  f.page = {10, 120};
  EXPECT_EQ(query_logs(st, all, f).value().entries.size(), 5u);
  f.page = {10, 125};
  p = query_logs(st, all, f).value();
  EXPECT_TRUE(p.entries.empty());
  EXPECT_EQ(p.total, 125u);
  f = {};
  EXPECT_EQ(query_logs(st, all, f).value().entries.size(), default_page_limit);
  for (int i = 0; i < 900; ++i)
    log(st, event(carol, action_type::custom), t0 + 300 * sec);
  f.page.limit = 5'000;
  p = query_logs(st, all, f).value();
  EXPECT_EQ(p.entries.size(), max_page_limit);
  EXPECT_EQ(p.total, 1'150u);
}

TEST(audit_state, queries_agree_with_a_full_scan) {
  auto st = fresh();
  std::mt19937_64 rng{11};
  auto pick = [&](uint64_t n) {
    return std::uniform_int_distribution<uint64_t>{0, n - 1}(rng);
  };
  const principal users[] = {alice, bob, carol};
  timestamp now = t0;
  for (int i = 0; i < 400; ++i) {
    now += pick(3) * sec;
    auto ev = event(users[pick(3)], static_cast<action_type>(pick(4)),
                    static_cast<action_status>(pick(3)),
                    "r" + std::to_string(pick(20)));
    log(st, ev, now - pick(2) * sec);
  }
  for (int q = 0; q < 300; ++q) {
    audit_filter f;
    if (pick(2) == 0)
      f.user = users[pick(3)];
    if (pick(2) == 0)
      f.action = static_cast<action_type>(pick(5));
    if (pick(3) == 0)
      f.status = static_cast<action_status>(pick(3));
    if (pick(4) == 0)
      f.request_id = "r" + std::to_string(pick(20));
    if (pick(2) == 0)
      f.from = t0 + pick(500) * sec;
    if (pick(2) == 0)
      f.to = f.from.value_or(t0) + pick(500) * sec;
    f.page = {1 + pick(30), pick(60)};
    std::vector<uint64_t> expected;
    uint64_t total = 0;
    for (uint64_t id = 1; id < st.next_id; ++id) {
      const auto& e = *st.entries.find(id);
      const auto& ev = e.event;
      if ((f.user && ev.user != *f.user) || (f.action && ev.action != *f.action)
          || (f.status && ev.status != *f.status)
          || (f.request_id && ev.request_id != f.request_id)
          || (f.from && e.recorded_at < *f.from)
          || (f.to && e.recorded_at >= *f.to))
        continue;
      if (total >= f.page.offset && expected.size() < f.page.limit)
        expected.push_back(id);
      ++total;
    }
    auto p = query_logs(st, service(backend), f).value();
    EXPECT_EQ(p.total, total) << "query " << q;
    EXPECT_EQ(ids(p), expected) << "query " << q;
  }
}

TEST(audit_state, other_callers_see_only_their_own_entries) {
  const auto st = five();
  audit_filter f;
  // bob asks for everything, then for alice's: gets his own only.
  auto p = query_logs(st, via_ingress(bob), f).value();
  EXPECT_EQ(ids(p), (id_vec{2}));
  EXPECT_EQ(p.total, 1u);
  f.user = alice;
  EXPECT_EQ(ids(query_logs(st, via_ingress(bob), f).value()), (id_vec{2}));
  // A service that is no writer is an ordinary caller.
  EXPECT_EQ(query_logs(st, service(stranger_service), f).value().total, 0u);
  // Controllers and writers see all.
  EXPECT_EQ(ids(query_logs(st, via_ingress(admin, true), f).value()),
            (id_vec{1, 3, 4}));
  EXPECT_EQ(ids(query_logs(st, service(token_factory), f).value()),
            (id_vec{1, 3, 4}));
  EXPECT_TRUE(fails_with(query_logs(st, via_ingress(principal::anonymous()), f),
                         audit_errc::unauthorized, "anonymous"));
  // getEntry: own entries, or all for controllers and writers.
  EXPECT_EQ(get_entry(st, via_ingress(bob), 2).value().event.user, bob);
  EXPECT_TRUE(fails_with(get_entry(st, via_ingress(bob), 1),
                         audit_errc::unauthorized, bob.to_text()));
  EXPECT_TRUE(get_entry(st, via_ingress(admin, true), 1).ok());
  EXPECT_TRUE(get_entry(st, service(backend), 1).ok());
  EXPECT_TRUE(fails_with(get_entry(st, service(backend), 6),
                         audit_errc::not_found, "6"));
  EXPECT_TRUE(
      fails_with(get_entry(st, service(backend), 0), audit_errc::not_found));
}

TEST(audit_state, stats_count_actions_statuses_and_writers) {
  auto st = fresh();
  auto s = stats_of(st);
  EXPECT_EQ(s.entries, 0u);
  EXPECT_TRUE(s.head_hash.empty());
  EXPECT_FALSE(s.last_recorded_at);
  EXPECT_EQ(s.writers, 2u);
  EXPECT_TRUE(s.by_action.empty());
  st = five();
  s = stats_of(st);
  EXPECT_EQ(s.entries, 5u);
  EXPECT_EQ(s.head_hash, st.head_hash);
  EXPECT_EQ(s.last_recorded_at, t0 + 5 * sec);
  EXPECT_EQ(s.by_action, (std::vector<audit_action_count>{
                             {action_type::create_token, 3},
                             {action_type::create_dao, 1},
                             {action_type::payment_processed, 1}}));
  EXPECT_EQ(s.by_status,
            (std::vector<audit_status_count>{{action_status::initiated, 1},
                                             {action_status::completed, 3},
                                             {action_status::failed, 1}}));
}

TEST(audit_state, user_and_action_queries_read_only_indexed_entries) {
  auto st = fresh();
  for (int i = 0; i < 500; ++i)
    log(st,
        event(i % 50 == 0 ? alice : bob,
              i % 100 == 0 ? action_type::create_dao : action_type::custom),
        t0);
  // Drop every entry that is not alice's from a copy: a query that walked
  // the whole log would now find holes; one that follows the index does not.
  auto sparse = st;
  for (uint64_t id = 1; id < st.next_id; ++id)
    if (st.entries.find(id)->event.user != alice)
      sparse.entries = sparse.entries.erase(id);
  ASSERT_EQ(sparse.entries.size(), 10u);
  audit_filter f;
  f.user = alice;
  EXPECT_EQ(query_logs(sparse, service(backend), f).value(),
            query_logs(st, service(backend), f).value());
  f = {};
  f.action = action_type::create_dao;
  auto p = query_logs(sparse, service(backend), f).value();
  EXPECT_EQ(ids(p), (id_vec{1, 101, 201, 301, 401}));
  EXPECT_EQ(p, query_logs(st, service(backend), f).value());
}
