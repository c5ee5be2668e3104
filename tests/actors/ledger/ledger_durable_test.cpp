// The durable ledger on a real store: every reply leaves only after its
// block is in the store (persist-before-reply), a restart from the store
// rebuilds the same balances, checkpoints every N blocks trim the journal.

#include "actors/common/durable.hpp"
#include "actors/ledger/ledger_actor.hpp"
#include "messages/register.hpp"
#include "persistence/journal_writer.hpp"
#include "persistence/node_store.hpp"
#include "tests/actors/ledger/ledger_test_util.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

using namespace icto;
using icto::ledger_test::acc;

namespace {

namespace fs = std::filesystem;

struct durable_ledger_test : ::testing::Test {
  durable_ledger_test() {
    char tmpl[] = "/tmp/icto-durable-ledger.XXXXXX";
    dir = mkdtemp(tmpl);
    register_messages(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    lc.name = "Test";
    lc.symbol = "TST";
    lc.fee = 10;
    lc.minting_account = acc(minter);
  }

  ~durable_ledger_test() override {
    stop();
    sys.reset();
    fs::remove_all(dir);
  }

  /// Opens the store and spawns the ledger from it.
  void start(uint64_t checkpoint_every = 1000) {
    auto opened = store::node_store::open(dir, "n1");
    ASSERT_TRUE(opened) << opened.err().message;
    st = std::move(*opened);
    writer = std::make_unique<store::journal_writer>(
        *st, store::durability::sync, [](const std::string& m) {
          ADD_FAILURE() << m;
        });
    ctx = std::make_shared<node_context>();
    ctx->persistence = std::make_shared<node_persistence>();
    ctx->persistence->store = st.get();
    ctx->persistence->writer = writer.get();
    ctx->persistence->checkpoint_every = checkpoint_every;
    auto rec = st->recover(id);
    ASSERT_TRUE(rec) << rec.err().message;
    auto spawned = spawn_durable_ledger(*sys, ctx, lc, id, *rec);
    ASSERT_TRUE(spawned) << spawned.err().message;
    ledger = *spawned;
    ctx->dir.add(ledger.address(), id, actor_role::service);
  }

  void stop() {
    if (ledger) {
      caf::scoped_actor self{*sys};
      self->send_exit(ledger, caf::exit_reason::user_shutdown);
      self->wait_for(ledger);
      ledger = nullptr;
    }
    writer.reset();
    st.reset();
  }

  result<uint64_t> mint(tokens amount) {
    // The minting account's principal speaks as itself through the
    // directory: register the scoped actor as the minter.
    caf::scoped_actor self{*sys};
    ctx->dir.add(self.address(), minter, actor_role::ingress);
    transfer_arg a;
    a.to = acc(alice);
    a.amount = amount;
    result<uint64_t> out{make_error(system_errc::timeout, "no reply")};
    self->request(ledger, std::chrono::seconds{10}, caller{minter}, a)
        .receive(
            [&](result<uint64_t>& r) {
              out = std::move(r);
            },
            [&](caf::error& e) {
              out = make_error(system_errc::unavailable, sys->render(e));
            });
    ctx->dir.remove(self.address());
    return out;
  }

  tokens balance() {
    caf::scoped_actor self{*sys};
    tokens out = 0;
    self->request(ledger, std::chrono::seconds{10}, caller{alice}, acc(alice))
        .receive(
            [&](result<tokens>& r) {
              out = r.ok() ? *r : 0;
            },
            [&](caf::error&) {});
    return out;
  }

  fs::path dir;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  ledger_config lc;
  principal id = principal::canister_id(1);
  principal minter = principal::canister_id(100);
  principal alice = principal::canister_id(200);
  std::unique_ptr<store::node_store> st;
  std::unique_ptr<store::journal_writer> writer;
  node_context_ptr ctx;
  ledger_actor ledger;
};

TEST_F(durable_ledger_test, a_reply_leaves_only_after_its_block_is_stored) {
  start();
  for (uint64_t i = 0; i < 30; ++i) {
    auto r = mint(100);
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(*r, i);
    // Read the store the moment the reply arrived: the block is there.
    auto rec = st->recover(id);
    ASSERT_TRUE(rec) << rec.err().message;
    EXPECT_GE(rec->last_seq, i + 1)
        << "reply for block " << i << " left before the block was stored";
  }
}

TEST_F(durable_ledger_test, restarts_from_checkpoint_and_journal) {
  start(/*checkpoint_every=*/8);
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(mint(1000).ok());
  ASSERT_EQ(balance(), 20'000u);
  stop();
  {
    auto s = store::node_store::open(dir, "n1");
    ASSERT_TRUE(s);
    auto sum = (*s)->summary(id);
    // Checkpoints at 8 and 16, the journal after the older one.
    EXPECT_EQ(sum.checkpoints, (std::vector<uint64_t>{8, 16}));
    EXPECT_EQ(sum.first_journal_seq, 9u);
    EXPECT_EQ(sum.last_journal_seq, 20u);
  }
  start(8);
  EXPECT_EQ(balance(), 20'000u);
  auto r = mint(1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 20u);
}

} // namespace
