// GCC 12's false -Wmaybe-uninitialized inside CAF 0.17's fill_range when it
// decodes a vector of enums (see actors/backend/backend_actor.cpp).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// The durable backend (issue 5): its checkpoint (Boost.Serialization of
// backend_state), and the actor on a real store — replies only after their
// events are durable, a restart rebuilds the same state (from the journal
// and from a checkpoint plus the journal's tail), a damaged checkpoint is
// detected, and a request caught in flight by a "crash" (the journal cut
// after its payment) is refunded exactly once and never charged twice.
//
// The actor tests run the platform of backend_fixture.hpp on a threaded
// scheduler: the journal writer's thread notifies the actors, which the
// test coordinator cannot take from another thread.

#include "actors/backend/backend_events.hpp"
#include "actors/backend/backend_state_serialization.hpp"
#include "actors/common/durable.hpp"
#include "actors/common/recovery.hpp"
#include "messages/json.hpp"
#include "persistence/journal_writer.hpp"
#include "persistence/node_store.hpp"
#include "persistence/record.hpp"
#include "tests/actors/backend/backend_fixture.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

using namespace icto;
using namespace icto::backend_test;

namespace {

namespace fs = std::filesystem;

constexpr timestamp t0 = test::actor_fixture::start_time;

// -- the checkpoint -----------------------------------------------------------

principal pid(uint64_t n) {
  return principal::canister_id(n);
}

backend_params small_params() {
  backend_params p;
  p.self_id = pid(2);
  p.controllers = {test::user(1)};
  uint64_t n = 3;
  for (auto s : managed_services())
    p.endpoints.push_back({s, pid(n++)});
  p.config = {{"user.max_deployments", "50"}};
  return p;
}

/// Applies `ev`, which must fit.
void put(backend_state& st, const backend_event& ev) {
  auto ok = apply_event(st, ev);
  ASSERT_TRUE(ok.ok()) << ok.err().message;
}

backend_event request_event(backend_event::kind_t kind, const request_key& k,
                            timestamp now) {
  backend_event ev;
  ev.kind = kind;
  ev.key = k;
  ev.now = now;
  return ev;
}

/// Every kind of event at least once: config, admins, endpoints and
/// setup, completed, failed, refunded and in-flight requests, refunds in
/// every state, pipelines.
backend_state busy_state() {
  auto st = make_backend_state(small_params(), t0).value();
  const auto admin = test::user(1);
  const auto alice = test::user(2);
  const auto bob = test::user(3);
  auto t = t0;
  backend_event ev;
  ev.kind = backend_event::config;
  ev.now = ++t;
  ev.changes
      = {decide_config_change(st.config, admin, "token_factory.fee", "7000", t)
             .value()};
  put(st, ev);
  ev.changes = {
      decide_config_change(st.config, admin, "payment.auto_refund", "false", t)
          .value()};
  put(st, ev);
  backend_event a;
  a.kind = backend_event::admin_put;
  a.now = ++t;
  a.admin = decide_add_admin(st.admins, admin,
                             {bob, false, {admin_permission::change_fees}}, t)
                .value();
  put(st, a);
  backend_event e;
  e.kind = backend_event::endpoint;
  e.now = ++t;
  e.service = service_id::dao_factory;
  e.id = pid(77);
  e.registered = contract_kind::dao;
  put(st, e);
  backend_event w;
  w.kind = backend_event::whitelist;
  w.now = ++t;
  w.setup_call = true;
  for (auto s : managed_services())
    w.outcomes.push_back({s, s != service_id::launchpad_factory,
                          s == service_id::launchpad_factory
                              ? std::optional<std::string>{"refused"}
                              : std::nullopt});
  put(st, w);
  // Requests: one completed, one failed before payment, one refunded with
  // its refund pending, one in flight (paid).
  for (int i = 0; i < 4; ++i) {
    request_key k{i % 2 == 0 ? alice : bob, "req-" + std::to_string(i)};
    auto b = request_event(backend_event::begin, k, ++t);
    b.contract = static_cast<contract_kind>(i);
    b.fee = 7000;
    b.fingerprint = "fp" + std::to_string(i);
    b.name = "name " + std::to_string(i);
    b.charge_time = t;
    if (i == 3)
      b.pipeline_id = 9;
    put(st, b);
    if (i == 1) {
      auto f = request_event(backend_event::fail, k, ++t);
      f.stage = deployment_stage::failed;
      f.why = make_error(backend_errc::insufficient_allowance, "no");
      f.uncharged = true;
      put(st, f);
      continue;
    }
    put(st, request_event(backend_event::charge, k, ++t));
    auto p = request_event(backend_event::paid, k, ++t);
    p.number = 100 + i;
    p.payment_id = st.next_payment_id;
    put(st, p);
    if (i == 3)
      continue;
    auto d = request_event(backend_event::move_stage, k, ++t);
    d.stage = deployment_stage::deploying;
    put(st, d);
    if (i == 0) {
      auto dep = request_event(backend_event::deployed, k, ++t);
      dep.id = pid(5000);
      put(st, dep);
      deployment_receipt rc;
      rc.request_id = k.request_id;
      rc.kind = contract_kind::token;
      rc.contract_id = pid(5000);
      rc.owner = k.user;
      rc.name = "name 0";
      rc.fee_paid = 7000;
      rc.payment_id = 1;
      rc.payment_block = 100;
      rc.deployed_at = t;
      auto c = request_event(backend_event::complete, k, t);
      c.receipt = rc;
      put(st, c);
      continue;
    }
    refund_record r;
    r.id = st.next_refund_id;
    r.user = k.user;
    r.payment_id = 2;
    r.request_id = k.request_id;
    r.amount = 7000;
    r.description = "factory refused";
    r.created_at = r.updated_at = ++t;
    backend_event ra;
    ra.kind = backend_event::refund_add;
    ra.now = t;
    ra.refund = r;
    put(st, ra);
    r.status = refund_status::processing;
    backend_event ru;
    ru.kind = backend_event::refund_update;
    ru.now = ++t;
    ru.refund = r;
    ru.tx_time = t;
    put(st, ru);
    auto f = request_event(backend_event::fail, k, ++t);
    f.stage = deployment_stage::refund_failed;
    f.why = make_error(backend_errc::refund_failed, "refund pending");
    f.refund = r;
    put(st, f);
  }
  pipeline_record pl = make_pipeline(
      st.next_pipeline_id, alice,
      create_project_arg{"proj", "Project", {}, {}, {}}, "fp", ++t);
  backend_event pp;
  pp.kind = backend_event::pipeline_put;
  pp.now = t;
  pp.key = request_key{alice, "proj"};
  pp.pipeline = pl;
  pp.new_pipeline = true;
  put(st, pp);
  return st;
}

TEST(backend_checkpoint, a_busy_state_round_trips) {
  const auto st = busy_state();
  ASSERT_TRUE(check_invariants(st).ok()) << check_invariants(st).err().message;
  EXPECT_EQ(st.requests.size(), 4u);
  EXPECT_EQ(st.refunds.size(), 1u);
  EXPECT_EQ(st.refund_tx_times.size(), 1u);
  EXPECT_EQ(st.pipelines.size(), 1u);
  EXPECT_EQ(st.config.version, 2u);
  auto bytes = save_checkpoint(st);
  auto back = load_checkpoint<backend_state>(bytes, "backend");
  ASSERT_TRUE(back.ok()) << back.err().message;
  EXPECT_EQ(*back, st);
  // Fields operator== of backend_state relies on, checked once by hand.
  auto rec = back->requests.find(request_key{test::user(2), "req-2"});
  ASSERT_NE(rec, nullptr);
  EXPECT_EQ(rec->status.stage, deployment_stage::refund_failed);
  EXPECT_EQ(rec->block, std::optional<uint64_t>{102});
  EXPECT_TRUE(rec->charge_sent);
  EXPECT_EQ(rec->status.refund->status, refund_status::processing);
  EXPECT_EQ(back->endpoints[5].id, pid(77));
  EXPECT_FALSE(back->setup.completed);
  // A fresh state too.
  auto fresh = make_backend_state(small_params(), t0).value();
  auto again = load_checkpoint<backend_state>(save_checkpoint(fresh), "b");
  ASSERT_TRUE(again.ok()) << again.err().message;
  EXPECT_EQ(*again, fresh);
}

TEST(backend_checkpoint, the_health_table_is_rebuilt_empty) {
  auto st = busy_state();
  record_check(st.health, service_id::token_factory, false, "down", t0, 1);
  auto back = load_checkpoint<backend_state>(save_checkpoint(st), "backend");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->health, make_health_table(st.endpoints));
  EXPECT_NE(back->health, st.health);
}

TEST(backend_checkpoint, every_truncation_is_refused) {
  const auto bytes = save_checkpoint(busy_state());
  ASSERT_GT(bytes.size(), 500u);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = load_checkpoint<backend_state>(bytes.substr(0, n), "backend");
    ASSERT_FALSE(r.ok()) << "a checkpoint cut to " << n << " of "
                         << bytes.size() << " bytes loaded";
    EXPECT_TRUE(is(r.err(), system_errc::storage_failure));
  }
}

TEST(backend_checkpoint, an_inconsistent_state_is_refused) {
  auto st = busy_state();
  st.next_refund_id = 1; // refund 1 exists
  auto r = load_checkpoint<backend_state>(save_checkpoint(st), "backend");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.err().message.find("refund 1"), std::string::npos)
      << r.err().message;
  st = busy_state();
  st.config.version = 5; // history has 2 changes
  EXPECT_FALSE(load_checkpoint<backend_state>(save_checkpoint(st), "b").ok());
  st = busy_state();
  st.setup.completed = true; // launchpad refused
  EXPECT_FALSE(load_checkpoint<backend_state>(save_checkpoint(st), "b").ok());
}

TEST(backend_events, an_event_out_of_sequence_leaves_the_state_unchanged) {
  auto st = busy_state();
  const auto before = st;
  backend_event ev;
  ev.kind = backend_event::refund_add;
  ev.refund = refund_record{};
  ev.refund->id = 99;
  EXPECT_FALSE(apply_event(st, ev).ok());
  ev = request_event(backend_event::paid, {test::user(2), "nope"}, t0);
  EXPECT_FALSE(apply_event(st, ev).ok());
  ev.kind = 200;
  EXPECT_FALSE(apply_event(st, ev).ok());
  EXPECT_EQ(st, before);
  // And an event round-trips through the journal's codec.
  backend_event b = request_event(backend_event::begin, {test::user(2), "r"},
                                  t0);
  b.charge_time = t0;
  b.pipeline_id = 4;
  b.why = make_error(backend_errc::in_progress, "x");
  auto back = decode_event<backend_event>(encode_event(b), "e");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->key, b.key);
  EXPECT_EQ(back->charge_time, b.charge_time);
  EXPECT_EQ(back->pipeline_id, b.pipeline_id);
  EXPECT_EQ(back->why, b.why);
}

// -- the actor on a real store ------------------------------------------------

/// actor_fixture's interface on a threaded scheduler.
class threaded_fixture : public ::testing::Test {
 public:
  static constexpr timestamp start_time = test::actor_fixture::start_time;

  threaded_fixture() : clock(start_time) {
    register_messages(cfg);
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    cfg.set("logger.console-verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    ingress = std::make_unique<caf::scoped_actor>(*sys, true);
    ctx = std::make_shared<node_context>();
    ctx->now = clock.fn();
    ctx->dir.add((*ingress)->address(), principal::canister_id(0xfffffff0),
                 actor_role::ingress);
  }

  template <class Reply, class Handle, class Request>
  Reply call(const Handle& dest, const principal& user, Request req) {
    Reply out;
    bool got = false;
    (*ingress)
        ->request(dest, std::chrono::seconds{60}, caller{user}, std::move(req))
        .receive(
            [&](Reply& x) {
              out = std::move(x);
              got = true;
            },
            [&](caf::error& err) {
              ADD_FAILURE() << "call failed: " << sys->render(err);
            });
    EXPECT_TRUE(got);
    return out;
  }

  /// Actors run on their own.
  void run() {}

  // The clock outlives the actor system: actors read it until they end.
  manual_clock clock;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<caf::scoped_actor> ingress;
  node_context_ptr ctx;
};

class backend_durable_test : public basic_backend_fixture<threaded_fixture> {
 public:
  backend_durable_test()
      : basic_backend_fixture(1 * icp, {}, /*spawn_backend_now=*/false) {
    char tmpl[] = "/tmp/icto-durable-backend.XXXXXX";
    dir = mkdtemp(tmpl);
    // Every service has started (and attached no journal) before the
    // store appears in ctx.
    invoices();
    audit_of("");
    for (auto f : {caf::actor_cast<caf::actor>(token_factory),
                   caf::actor_cast<caf::actor>(multisig_factory),
                   caf::actor_cast<caf::actor>(distribution_factory),
                   caf::actor_cast<caf::actor>(dao_factory),
                   caf::actor_cast<caf::actor>(launchpad_factory)})
      call<result<factory_health>>(caf::actor_cast<token_factory_actor>(f),
                                   alice, factory_health_arg{});
  }

  ~backend_durable_test() override {
    stop();
    fs::remove_all(dir);
  }

  /// Opens the store in `where` (default: the test's) and spawns the
  /// backend from it.
  void start(uint64_t checkpoint_every = 1000, fs::path where = {}) {
    auto opened = store::node_store::open(where.empty() ? dir : where, "n1");
    ASSERT_TRUE(opened) << opened.err().message;
    st = std::move(*opened);
    writer = std::make_unique<store::journal_writer>(
        *st, store::durability::sync, [](const std::string& m) {
          ADD_FAILURE() << m;
        });
    ctx->persistence = std::make_shared<node_persistence>();
    ctx->persistence->store = st.get();
    ctx->persistence->writer = writer.get();
    ctx->persistence->checkpoint_every = checkpoint_every;
    auto rec = st->recover(backend_id);
    ASSERT_TRUE(rec) << rec.err().message;
    auto spawned = spawn_durable_backend(*sys, ctx, bcfg, backend_id, *rec);
    ASSERT_TRUE(spawned) << spawned.err().message;
    backend = *spawned;
  }

  /// Stops the backend, then the writer (which drains) and the store.
  void stop() {
    if (backend) {
      caf::scoped_actor self{*sys};
      self->send_exit(backend, caf::exit_reason::user_shutdown);
      self->wait_for(backend);
      backend = nullptr;
    }
    writer.reset();
    if (ctx)
      ctx->persistence.reset();
    st.reset();
  }

  /// What the store holds for the backend now.
  store::recovered_actor recovered() {
    auto rec = st->recover(backend_id);
    EXPECT_TRUE(rec) << rec.err().message;
    return rec ? *rec : store::recovered_actor{};
  }

  backend_state initial_state() {
    backend_params p;
    p.self_id = backend_id;
    p.controllers = ctx->controllers;
    p.endpoints = {
        {service_id::audit_storage, audit_id},
        {service_id::invoice_storage, invoice_id},
        {service_id::token_factory, token_factory_id},
        {service_id::multisig_factory, multisig_factory_id},
        {service_id::distribution_factory, distribution_factory_id},
        {service_id::dao_factory, dao_factory_id},
        {service_id::launchpad_factory, launchpad_factory_id},
    };
    p.ledger_fee = bcfg.ledger_fee;
    p.breaker_threshold = bcfg.breaker_threshold;
    return make_backend_state(p, start_time).value();
  }

  /// The state a restart would rebuild from `rec`.
  backend_state rebuilt(const store::recovered_actor& rec) {
    auto s = rebuild_state<backend_state, backend_event>(
        rec, "backend",
        [&] {
          return result<backend_state>{initial_state()};
        },
        apply_event);
    EXPECT_TRUE(s.ok()) << s.err().message;
    return s.ok() ? *s : backend_state{};
  }

  result<deployment_receipt> create_token(const principal& who,
                                          const std::string& request_id,
                                          token_init init = token_args()) {
    return call<result<deployment_receipt>>(backend, who,
                                            create_token_arg{request_id, init});
  }

  /// What a user and an admin see of the backend's state.
  std::string visible_state() {
    std::string out;
    auto add = [&out](const auto& r) {
      if (r.ok())
        out += json::encode(*r).dump() + "\n";
      else
        out += r.err().to_string() + "\n";
    };
    add(call<result<config_values>>(backend, alice, all_config_values_arg{}));
    add(call<result<config_history>>(backend, admin, config_history_arg{}));
    add(call<result<backend_admins>>(backend, admin, backend_admins_arg{}));
    add(call<result<microservice_setup_status>>(
        backend, alice, microservice_setup_status_arg{}));
    add(call<result<factory_registrations>>(backend, alice,
                                            factory_registry_arg{}));
    for (auto& who : {alice, bob}) {
      add(call<result<user_profile>>(backend, who, user_profile_arg{}));
      add(call<result<deployment_page>>(backend, who, my_deployments_arg{}));
      add(call<result<refund_page>>(backend, who, refunds_arg{}));
    }
    add(call<result<refund_page>>(backend, admin, admin_refunds_arg{}));
    return out;
  }

  /// Polls `f` until it holds or 20 s passed.
  template <class F>
  bool eventually(F f) {
    for (int i = 0; i < 2000; ++i) {
      if (f())
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    return f();
  }

  deployment_stage stage_of(const principal& who, const std::string& id) {
    auto r = call<result<deployment_status>>(backend, who,
                                             deployment_status_arg{id, {}});
    return r.ok() ? r->stage : deployment_stage::received;
  }

  /// The sequence number of the first event of `kind` for `request_id`.
  static uint64_t seq_of(const store::recovered_actor& rec,
                         backend_event::kind_t kind,
                         const std::string& request_id) {
    for (auto& [seq, payload] : rec.events) {
      auto ev = decode_event<backend_event>(payload, "event");
      if (ev && ev->kind == kind && ev->key.request_id == request_id)
        return seq;
    }
    return 0;
  }

  /// A store in `where` holding the backend's events 1..`last` of `rec`:
  /// the journal of a backend that stopped right after event `last`.
  void cut_journal(const store::recovered_actor& rec, uint64_t last,
                   const fs::path& where) {
    ASSERT_FALSE(rec.checkpoint) << "cut_journal needs the whole journal";
    auto s = store::node_store::open(where, "n1");
    ASSERT_TRUE(s) << s.err().message;
    {
      store::journal_writer w{**s, store::durability::sync,
                              [](const std::string& m) {
                                ADD_FAILURE() << m;
                              }};
      for (auto& [seq, payload] : rec.events)
        if (seq <= last)
          w.append(backend_id, seq, payload, nullptr);
      ASSERT_TRUE(w.flush());
    }
  }

  fs::path dir;
  std::unique_ptr<store::node_store> st;
  std::unique_ptr<store::journal_writer> writer;
};

TEST_F(backend_durable_test,
       a_paid_deployment_replies_after_its_events_are_durable) {
  start();
  setup();
  approve(alice, 3 * (icp + ledger_fee));
  for (int i = 0; i < 3; ++i) {
    auto id = "tok-" + std::to_string(i);
    auto r = create_token(alice, id);
    ASSERT_TRUE(r.ok()) << r.err().to_string();
    // Read the store the moment the reply arrived: the request's end is
    // there, and what it rebuilds holds the receipt that was replied.
    auto rec = recovered();
    ASSERT_NE(seq_of(rec, backend_event::complete, id), 0u)
        << "the reply of " << id << " left before its completion was stored";
    auto s = rebuilt(rec);
    auto stored = s.requests.find(request_key{alice, id});
    ASSERT_NE(stored, nullptr);
    EXPECT_EQ(stored->status.stage, deployment_stage::completed);
    EXPECT_EQ(stored->status.receipt, std::optional<deployment_receipt>{*r});
    EXPECT_NE(seq_of(rec, backend_event::paid, id), 0u);
  }
  // Queries wait for pending events too; the admin change is durable when
  // its reply is.
  auto e = call<result<config_entry>>(
      backend, admin, set_config_value_arg{"dao_factory.fee", "5"});
  ASSERT_TRUE(e.ok());
  auto s = rebuilt(recovered());
  EXPECT_EQ(config_text(s.config, "dao_factory.fee"), "5");
}

TEST_F(backend_durable_test, a_restart_rebuilds_the_same_state) {
  start(/*checkpoint_every=*/6);
  setup();
  approve(alice, 10 * icp);
  ASSERT_TRUE(create_token(alice, "a").ok());
  ASSERT_TRUE(create_token(alice, "b", token_args("Beta")).ok());
  // Refused by the factory after payment: refunded.
  auto bad = token_args();
  bad.name.clear();
  EXPECT_FALSE(create_token(alice, "c", bad).ok());
  // Refused before payment (no allowance): failed, retryable.
  EXPECT_FALSE(create_token(bob, "d").ok());
  ASSERT_TRUE(
      call<result<backend_admin>>(
          backend, admin,
          backend_add_admin_arg{bob, false, {admin_permission::change_fees}})
          .ok());
  ASSERT_TRUE(
      call<result<unit>>(backend, admin, maintenance_mode_arg{false, {"none"}})
          .ok());
  const auto before = visible_state();
  stop();
  {
    auto s = store::node_store::open(dir, "n1");
    ASSERT_TRUE(s);
    auto sum = (*s)->summary(backend_id);
    EXPECT_FALSE(sum.checkpoints.empty()) << "no checkpoint was written";
  }
  start(6);
  auto rec1 = recovered();
  ASSERT_TRUE(rec1.checkpoint) << "expected a checkpoint and a tail";
  const auto from_store = rebuilt(rec1);
  EXPECT_EQ(visible_state(), before);
  // Recovery found nothing in flight: nothing new was journaled.
  stop();
  start(6);
  auto rec2 = recovered();
  EXPECT_EQ(rec2.last_seq, rec1.last_seq);
  EXPECT_EQ(rebuilt(rec2), from_store);
  auto c = from_store.requests.find(request_key{alice, "c"});
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->status.stage, deployment_stage::refunded);
  EXPECT_EQ(from_store.refunds.size(), 1u);
  EXPECT_TRUE(from_store.refund_tx_times.empty());
  // And it goes on where it stopped.
  auto r = create_token(alice, "e", token_args("Eta"));
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_EQ(r->payment_id, 4u);
  // Four transfer_from fees (a, b, c, e) and one refund's.
  ledger_ops += 5;
  expect_supply_conserved();
}

TEST_F(backend_durable_test,
       a_checkpoint_and_the_tail_equal_the_whole_journal) {
  start(/*checkpoint_every=*/100'000);
  setup();
  approve(alice, 10 * icp);
  ASSERT_TRUE(create_token(alice, "a").ok());
  auto bad = token_args();
  bad.name.clear();
  EXPECT_FALSE(create_token(alice, "b", bad).ok());
  ASSERT_TRUE(create_token(alice, "c", token_args("Gamma")).ok());
  stop();
  start(100'000);
  const auto all = recovered();
  ASSERT_FALSE(all.checkpoint);
  ASSERT_GT(all.events.size(), 10u);
  const auto whole = rebuilt(all);
  ASSERT_TRUE(check_invariants(whole).ok());
  for (size_t k : {size_t{1}, all.events.size() / 2, all.events.size() - 1}) {
    store::recovered_actor head = all;
    head.events.resize(k);
    head.last_seq = head.events.back().first;
    store::recovered_actor tail = all;
    tail.checkpoint = save_checkpoint(rebuilt(head));
    tail.checkpoint_seq = head.last_seq;
    tail.events.erase(tail.events.begin(),
                      tail.events.begin() + static_cast<std::ptrdiff_t>(k));
    EXPECT_EQ(rebuilt(tail), whole) << "checkpoint after event " << k;
  }
}

TEST_F(backend_durable_test, a_damaged_checkpoint_is_detected) {
  start(/*checkpoint_every=*/5);
  setup();
  approve(alice, 10 * icp);
  for (auto id : {"a", "b", "c"})
    ASSERT_TRUE(create_token(alice, id, token_args(id)).ok());
  stop();
  std::vector<uint64_t> ckpts;
  backend_state good;
  {
    auto s = store::node_store::open(dir, "n1");
    ASSERT_TRUE(s);
    ckpts = (*s)->summary(backend_id).checkpoints;
    ASSERT_EQ(ckpts.size(), 2u);
    auto rec = (*s)->recover(backend_id);
    ASSERT_TRUE(rec);
    good = rebuilt(*rec);
    // One bit of the newest checkpoint's payload.
    auto key = store::record_key(backend_id, store::record_kind::checkpoint,
                                 ckpts.back());
    auto raw = (*s)->get_raw(key);
    ASSERT_TRUE(raw);
    auto at = store::record_header_size + raw->size() / 3;
    (*raw)[at] = static_cast<char>((*raw)[at] ^ 0x10);
    ASSERT_TRUE((*s)->put_raw(key, *raw).ok());
  }
  start(5);
  auto rec = recovered();
  // Detected by its checksum: recovery falls back to the older checkpoint
  // and a longer journal, and rebuilds the same state.
  EXPECT_EQ(rec.checkpoint_seq, ckpts.front());
  EXPECT_FALSE(rec.warnings.empty());
  EXPECT_EQ(rebuilt(rec), good);
  EXPECT_EQ(stage_of(alice, "c"), deployment_stage::completed);
}

/// A backend stopped after its request's fee was taken (journal cut after
/// `cut_after` of request "x") refunds the fee exactly once after its
/// restart; a retry of "x" is not charged.
void crash_after(backend_durable_test& t, backend_event::kind_t cut_after) {
  const auto& alice = t.alice;
  t.start();
  t.setup();
  t.approve(alice, 10 * icp);
  const auto before = t.balance(alice);
  const auto backend_before = t.balance(t.backend_id);
  // In the run that "crashed", the fee was taken once.
  ASSERT_TRUE(t.create_token(alice, "x").ok());
  EXPECT_EQ(t.balance(alice), before - icp - ledger_fee);
  t.stop();
  fs::path crashed = t.dir / "crashed";
  {
    auto s = store::node_store::open(t.dir, "n1");
    ASSERT_TRUE(s);
    auto rec = (*s)->recover(t.backend_id);
    ASSERT_TRUE(rec);
    auto last = backend_durable_test::seq_of(*rec, cut_after, "x");
    ASSERT_NE(last, 0u);
    ASSERT_EQ(backend_durable_test::seq_of(*rec, backend_event::deployed, "x")
                  > last,
              true);
    t.cut_journal(*rec, last, crashed);
  }
  t.start(1000, crashed);
  ASSERT_TRUE(t.eventually([&] {
    return t.stage_of(alice, "x") == deployment_stage::refunded;
  })) << "request x did not end refunded";
  auto refunds = t.call<result<refund_page>>(t.backend, alice, refunds_arg{});
  ASSERT_TRUE(refunds.ok());
  ASSERT_EQ(refunds->total, 1u);
  EXPECT_EQ(refunds->refunds[0].status, refund_status::completed);
  EXPECT_EQ(refunds->refunds[0].amount, icp);
  // Charged once, refunded once: alice lost only her transfer_from's
  // ledger fee; the backend paid the refund's.
  EXPECT_EQ(t.balance(alice), before - ledger_fee);
  EXPECT_EQ(t.balance(t.backend_id), backend_before - ledger_fee);
  // A retry of the same request replies its stored end, charges nothing.
  auto again = t.create_token(alice, "x");
  EXPECT_TRUE(is_backend_error(again, backend_errc::deployment_failed))
      << (again.ok() ? "ok" : again.err().to_string());
  EXPECT_EQ(t.balance(alice), before - ledger_fee);
  // Another restart finds nothing in flight: still one refund.
  t.stop();
  t.start(1000, crashed);
  auto later = t.call<result<refund_page>>(t.backend, alice, refunds_arg{});
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->total, 1u);
  EXPECT_EQ(t.balance(alice), before - ledger_fee);
  auto profile = t.call<result<user_profile>>(t.backend, alice,
                                              user_profile_arg{});
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->fees_paid, icp);
  EXPECT_EQ(profile->fees_refunded, icp);
}

TEST_F(backend_durable_test, a_request_stopped_after_payment_is_refunded_once) {
  crash_after(*this, backend_event::paid);
}

TEST_F(backend_durable_test,
       a_request_stopped_after_its_transfer_was_sent_is_refunded_once) {
  // The journal ends at `charge`: the transfer_from happened, which the
  // restarted backend learns from the ledger's Duplicate.
  crash_after(*this, backend_event::charge);
}

TEST_F(backend_durable_test, a_request_stopped_before_its_transfer_fails) {
  start();
  setup();
  approve(alice, 10 * icp);
  const auto before = balance(alice);
  ASSERT_TRUE(create_token(alice, "y").ok());
  EXPECT_EQ(balance(alice), before - icp - ledger_fee);
  stop();
  fs::path crashed = dir / "crashed";
  {
    auto s = store::node_store::open(dir, "n1");
    ASSERT_TRUE(s);
    auto rec = (*s)->recover(backend_id);
    ASSERT_TRUE(rec);
    // Cut right after "y" began: its transfer_from was never journaled as
    // sent, so the restarted backend takes it as never charged.
    cut_journal(*rec, seq_of(*rec, backend_event::begin, "y"), crashed);
  }
  start(1000, crashed);
  ASSERT_TRUE(eventually([&] {
    return stage_of(alice, "y") == deployment_stage::failed;
  }));
  auto refunds = call<result<refund_page>>(backend, alice, refunds_arg{});
  ASSERT_TRUE(refunds.ok());
  EXPECT_EQ(refunds->total, 0u);
  // Failed before any fee: the same request_id may run again. Its transfer
  // is the same transaction (same memo; the clock has not moved, so the
  // same created_at_time) as the one of the first run: the ledger answers
  // Duplicate and the fee is not taken a second time.
  auto r = create_token(alice, "y");
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_EQ(balance(alice), before - icp - ledger_fee);
}

} // namespace
