// The node store: record framing, the group-commit writer, checkpoints and
// trimming, recovery with fallback, and fault injection (truncation and bit
// flips at every offset: all detected, never handed on as good data).

#include "persistence/journal_writer.hpp"
#include "persistence/node_store.hpp"
#include "persistence/record.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace icto;
using namespace icto::store;
namespace fs = std::filesystem;

struct temp_dir {
  fs::path path;
  temp_dir() {
    char tmpl[] = "/tmp/icto-store-test.XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

principal actor_n(uint64_t n) {
  return principal::canister_id(n);
}

std::string payload_of(uint64_t actor, uint64_t seq) {
  return "actor " + std::to_string(actor) + " event " + std::to_string(seq)
         + std::string(seq % 7, '*');
}

/// Remembers what it was told.
struct recording_listener : journal_listener {
  std::mutex mtx;
  uint64_t durable = 0;
  std::vector<std::tuple<uint64_t, bool, std::string>> checkpoints;
  std::thread::id checkpoint_thread;

  void on_durable(uint64_t seq) override {
    std::lock_guard guard{mtx};
    EXPECT_GT(seq, durable) << "durable positions only move forward";
    durable = seq;
  }
  void on_checkpoint(uint64_t seq, bool ok, const std::string& msg) override {
    std::lock_guard guard{mtx};
    checkpoints.emplace_back(seq, ok, msg);
  }
};

std::unique_ptr<node_store> open_store(const fs::path& dir,
                                       const std::string& node = "n1") {
  auto s = node_store::open(dir, node);
  if (!s) {
    ADD_FAILURE() << s.err().message;
    return nullptr;
  }
  return std::move(*s);
}

// -- records
// -------------------------------------------------------------------

TEST(record, crc32c_matches_the_standard_check_value) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0u);
}

TEST(record, round_trips) {
  auto bytes = encode_record(record_kind::journal, 42, "hello");
  EXPECT_EQ(bytes.size(), record_header_size + 5);
  auto r = decode_record(bytes, record_kind::journal, 42);
  ASSERT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(r.payload, "hello");
  auto empty = encode_record(record_kind::checkpoint, 1, "");
  EXPECT_TRUE(decode_record(empty, record_kind::checkpoint, 1).ok());
}

TEST(record, every_truncation_is_detected) {
  auto bytes = encode_record(record_kind::checkpoint, 7, std::string(100, 'x'));
  for (size_t len = 0; len < bytes.size(); ++len) {
    auto r = decode_record(std::string_view{bytes}.substr(0, len),
                           record_kind::checkpoint, 7);
    EXPECT_FALSE(r.ok()) << "cut to " << len << " bytes";
  }
  EXPECT_EQ(decode_record(bytes + "z", record_kind::checkpoint, 7).problem,
            record_problem::trailing_bytes);
}

TEST(record, every_single_bit_flip_is_detected) {
  auto bytes = encode_record(record_kind::journal, 3, "some event payload");
  for (size_t i = 0; i < bytes.size(); ++i)
    for (int bit = 0; bit < 8; ++bit) {
      auto copy = bytes;
      copy[i] = static_cast<char>(copy[i] ^ (1 << bit));
      EXPECT_FALSE(decode_record(copy, record_kind::journal, 3).ok())
          << "byte " << i << " bit " << bit;
    }
}

TEST(record, a_record_under_the_wrong_key_is_misplaced) {
  auto bytes = encode_record(record_kind::journal, 3, "x");
  EXPECT_EQ(decode_record(bytes, record_kind::journal, 4).problem,
            record_problem::misplaced);
  EXPECT_EQ(decode_record(bytes, record_kind::checkpoint, 3).problem,
            record_problem::misplaced);
}

// -- the store
// -----------------------------------------------------------------

TEST(node_store, refuses_another_nodes_folder) {
  temp_dir dir;
  { ASSERT_TRUE(open_store(dir.path, "gateway")); }
  auto other = node_store::open(dir.path, "worker");
  ASSERT_FALSE(other);
  EXPECT_NE(other.err().message.find("gateway"), std::string::npos)
      << other.err().message;
  EXPECT_TRUE(node_store::open(dir.path, "gateway"));
}

TEST(journal_writer, group_commits_many_actors_and_survives_reopen) {
  temp_dir dir;
  constexpr int actors = 8;
  constexpr uint64_t per_actor = 300;
  {
    auto store = open_store(dir.path);
    journal_writer writer{*store, durability::sync, [](auto& m) {
                            ADD_FAILURE() << m;
                          }};
    std::vector<std::shared_ptr<recording_listener>> listeners;
    for (int a = 0; a < actors; ++a)
      listeners.push_back(std::make_shared<recording_listener>());
    std::vector<std::thread> threads;
    for (int a = 0; a < actors; ++a)
      threads.emplace_back([&, a] {
        for (uint64_t s = 1; s <= per_actor; ++s)
          writer.append(actor_n(a + 100), s, payload_of(a, s), listeners[a]);
      });
    for (auto& t : threads)
      t.join();
    writer.flush();
    for (auto& l : listeners)
      EXPECT_EQ(l->durable, per_actor);
    auto st = writer.stats();
    EXPECT_EQ(st.events, actors * per_actor);
    EXPECT_LE(st.batches, st.events);
  }
  auto store = open_store(dir.path);
  EXPECT_EQ(store->actors().size(), static_cast<size_t>(actors));
  for (int a = 0; a < actors; ++a) {
    auto rec = store->recover(actor_n(a + 100));
    ASSERT_TRUE(rec) << rec.err().message;
    EXPECT_FALSE(rec->checkpoint);
    ASSERT_EQ(rec->events.size(), per_actor);
    EXPECT_EQ(rec->last_seq, per_actor);
    for (uint64_t s = 1; s <= per_actor; ++s) {
      EXPECT_EQ(rec->events[s - 1].first, s);
      EXPECT_EQ(rec->events[s - 1].second, payload_of(a, s));
    }
  }
}

/// Events 1..n of one actor with checkpoints at each of `at` (payload
/// "state@SEQ"), written through the writer.
void write_history(node_store& store, const principal& who, uint64_t n,
                   std::vector<uint64_t> at) {
  journal_writer writer{*&store, durability::sync, [](auto& m) {
                          ADD_FAILURE() << m;
                        }};
  auto l = std::make_shared<recording_listener>();
  size_t next = 0;
  for (uint64_t s = 1; s <= n; ++s) {
    writer.append(who, s, payload_of(1, s), l);
    if (next < at.size() && at[next] == s) {
      writer.checkpoint(
          who, s,
          [s] {
            return "state@" + std::to_string(s);
          },
          l);
      writer.flush(); // one checkpoint in flight at a time, as actors do
      ++next;
    }
  }
  writer.flush();
  EXPECT_EQ(l->checkpoints.size(), at.size());
  for (auto& [seq, ok, msg] : l->checkpoints)
    EXPECT_TRUE(ok) << seq << ": " << msg;
}

TEST(checkpoints, keep_two_and_trim_the_journal_before_the_older) {
  temp_dir dir;
  auto store = open_store(dir.path);
  auto who = actor_n(7);
  write_history(*store, who, 35, {10, 20, 30});
  auto sum = store->summary(who);
  EXPECT_EQ(sum.checkpoints, (std::vector<uint64_t>{20, 30}));
  EXPECT_EQ(sum.first_journal_seq, 21u);
  EXPECT_EQ(sum.last_journal_seq, 35u);
  auto rec = store->recover(who);
  ASSERT_TRUE(rec) << rec.err().message;
  EXPECT_EQ(rec->checkpoint, "state@30");
  EXPECT_EQ(rec->checkpoint_seq, 30u);
  ASSERT_EQ(rec->events.size(), 5u);
  EXPECT_EQ(rec->events.front().first, 31u);
  EXPECT_EQ(rec->last_seq, 35u);
  EXPECT_TRUE(rec->warnings.empty());
}

TEST(checkpoints, are_serialized_off_the_callers_thread) {
  temp_dir dir;
  auto store = open_store(dir.path);
  journal_writer writer{*store, durability::sync, {}};
  auto l = std::make_shared<recording_listener>();
  writer.append(actor_n(1), 1, "e", l);
  std::atomic<bool> other_thread{false};
  const auto caller = std::this_thread::get_id();
  writer.checkpoint(
      actor_n(1), 1,
      [&] {
        other_thread = std::this_thread::get_id() != caller;
        return std::string{"snapshot"};
      },
      l);
  writer.flush();
  EXPECT_TRUE(other_thread);
  ASSERT_EQ(l->checkpoints.size(), 1u);
  EXPECT_TRUE(std::get<1>(l->checkpoints[0]));
}

TEST(checkpoints, a_serializer_that_throws_is_reported_not_written) {
  temp_dir dir;
  auto store = open_store(dir.path);
  journal_writer writer{*store, durability::sync, {}};
  auto l = std::make_shared<recording_listener>();
  writer.append(actor_n(1), 1, "e", l);
  writer.checkpoint(
      actor_n(1), 1,
      []() -> std::string {
        throw std::runtime_error("boom");
      },
      l);
  writer.flush();
  ASSERT_EQ(l->checkpoints.size(), 1u);
  EXPECT_FALSE(std::get<1>(l->checkpoints[0]));
  EXPECT_NE(std::get<2>(l->checkpoints[0]).find("boom"), std::string::npos);
  EXPECT_TRUE(store->summary(actor_n(1)).checkpoints.empty());
  EXPECT_TRUE(writer.healthy());
}

// -- recovery and faults
// -------------------------------------------------------

std::string flip_bit(std::string bytes, size_t bit) {
  const auto at = bit / 8;
  const auto flipped = static_cast<char>(bytes.at(at) ^ (1 << (bit % 8)));
  return bytes.replace(at, 1, 1, flipped);
}

TEST(recovery, a_corrupt_newest_checkpoint_falls_back_to_the_previous) {
  temp_dir dir;
  auto store = open_store(dir.path);
  auto who = actor_n(9);
  write_history(*store, who, 35, {10, 20, 30});
  auto key = record_key(who, record_kind::checkpoint, 30);
  auto raw = store->get_raw(key);
  ASSERT_TRUE(raw);
  ASSERT_TRUE(store->put_raw(key, flip_bit(*raw, 8 * record_header_size + 3)));
  auto rec = store->recover(who);
  ASSERT_TRUE(rec) << rec.err().message;
  EXPECT_EQ(rec->checkpoint, "state@20");
  ASSERT_EQ(rec->events.size(), 15u); // 21..35: the longer journal
  EXPECT_EQ(rec->events.front().first, 21u);
  EXPECT_EQ(rec->last_seq, 35u);
  ASSERT_EQ(rec->warnings.size(), 1u);
  EXPECT_NE(rec->warnings[0].find("seq 30"), std::string::npos);
}

TEST(recovery, a_torn_last_journal_record_is_dropped_and_reported) {
  temp_dir dir;
  auto store = open_store(dir.path);
  auto who = actor_n(11);
  write_history(*store, who, 12, {});
  auto key = record_key(who, record_kind::journal, 12);
  auto raw = *store->get_raw(key);
  ASSERT_TRUE(store->put_raw(key, raw.substr(0, raw.size() - 4)));
  auto rec = store->recover(who);
  ASSERT_TRUE(rec) << rec.err().message;
  EXPECT_EQ(rec->last_seq, 11u);
  EXPECT_EQ(rec->events.size(), 11u);
  ASSERT_EQ(rec->warnings.size(), 1u);
  EXPECT_NE(rec->warnings[0].find("torn"), std::string::npos);
}

TEST(recovery, a_corrupt_record_inside_the_journal_stops_with_actor_and_seq) {
  temp_dir dir;
  auto store = open_store(dir.path);
  auto who = actor_n(12);
  write_history(*store, who, 12, {});
  auto key = record_key(who, record_kind::journal, 5);
  ASSERT_TRUE(store->put_raw(key, flip_bit(*store->get_raw(key), 200)));
  auto rec = store->recover(who);
  ASSERT_FALSE(rec);
  EXPECT_NE(rec.err().message.find(who.to_text()), std::string::npos)
      << rec.err().message;
  EXPECT_NE(rec.err().message.find("seq 5"), std::string::npos)
      << rec.err().message;
}

TEST(recovery, no_usable_checkpoint_and_a_trimmed_journal_is_an_error) {
  temp_dir dir;
  auto store = open_store(dir.path);
  auto who = actor_n(13);
  write_history(*store, who, 25, {10, 20});
  for (uint64_t s : {10, 20}) {
    auto key = record_key(who, record_kind::checkpoint, s);
    ASSERT_TRUE(store->put_raw(key, flip_bit(*store->get_raw(key), 5)));
  }
  auto rec = store->recover(who);
  ASSERT_FALSE(rec);
  EXPECT_NE(rec.err().message.find("no usable checkpoint"), std::string::npos)
      << rec.err().message;
}

// Random truncations and bit flips in checkpoints and journal records: each
// is detected by decode_record, and recovery either succeeds with exactly
// the data that was written (falling back where it must) or refuses.
TEST(recovery, random_faults_are_always_detected_and_never_misread) {
  std::mt19937_64 rng{20261122};
  int recovered = 0;
  int refused = 0;
  for (int trial = 0; trial < 200; ++trial) {
    temp_dir dir;
    auto store = open_store(dir.path);
    auto who = actor_n(500 + trial);
    write_history(*store, who, 30, {10, 20});
    // Pick a record: one of the two checkpoints or a journal record 11..30.
    std::vector<std::string> keys{record_key(who, record_kind::checkpoint, 10),
                                  record_key(who, record_kind::checkpoint, 20)};
    for (uint64_t s = 11; s <= 30; ++s)
      keys.push_back(record_key(who, record_kind::journal, s));
    const auto pick = rng() % keys.size();
    const auto& key = keys[pick];
    const auto kind = pick < 2 ? record_kind::checkpoint : record_kind::journal;
    const uint64_t seq = pick < 2 ? 10 * (pick + 1) : pick - 2 + 11;
    auto raw = *store->get_raw(key);
    std::string damaged;
    if (rng() % 2 == 0)
      damaged = raw.substr(0, rng() % raw.size());
    else
      damaged = flip_bit(raw, rng() % (raw.size() * 8));
    // The damage is detected, whatever it is.
    ASSERT_FALSE(decode_record(damaged, kind, seq).ok())
        << "trial " << trial << ": undetected damage";
    ASSERT_TRUE(store->put_raw(key, damaged));
    auto rec = store->recover(who);
    if (!rec) {
      ++refused;
      continue;
    }
    ++recovered;
    // Whatever came back is what was written.
    if (rec->checkpoint) {
      EXPECT_EQ(*rec->checkpoint,
                "state@" + std::to_string(rec->checkpoint_seq));
    }
    for (auto& [s, payload] : rec->events)
      EXPECT_EQ(payload, payload_of(1, s)) << "trial " << trial;
    // Only the damaged record can be missing: the last journal record (cut
    // short) or a checkpoint (fallback); every damage is reported, also to
    // a record recovery does not need now (the older checkpoint, the
    // journal under the newest one).
    EXPECT_GE(rec->last_seq, 29u);
    if (rec->last_seq == 29u) {
      EXPECT_TRUE(kind == record_kind::journal && seq == 30
                  && damaged.size() < raw.size())
          << "trial " << trial << ": only a cut-short last record is dropped";
    }
    ASSERT_FALSE(rec->warnings.empty())
        << "trial " << trial << ": a damaged record went unnoticed";
    EXPECT_NE(rec->warnings[0].find("seq " + std::to_string(seq)),
              std::string::npos)
        << rec->warnings[0];
  }
  EXPECT_GT(recovered, 0);
  EXPECT_GT(refused, 0);
}

// The last journal record: cut short, it is dropped (the node died
// writing it); bit-flipped, or with a damaged length field over a complete
// payload, it may be an acknowledged event, and the start is refused.
TEST(recovery, only_a_cut_short_last_record_is_dropped) {
  temp_dir dir;
  auto store = open_store(dir.path);
  auto who = actor_n(41);
  write_history(*store, who, 12, {10});
  const auto key = record_key(who, record_kind::journal, 12);
  const auto raw = *store->get_raw(key);
  ASSERT_TRUE(store->put_raw(key, flip_bit(raw, (raw.size() - 1) * 8)));
  auto rec = store->recover(who);
  ASSERT_FALSE(rec);
  EXPECT_NE(rec.err().message.find("seq 12"), std::string::npos)
      << rec.err().message;
  EXPECT_NE(rec.err().message.find("not cut short"), std::string::npos)
      << rec.err().message;
  // A length field raised by a flipped bit looks short, but the payload
  // matches the checksum: damage, not a torn write.
  ASSERT_TRUE(store->put_raw(key, flip_bit(raw, 18 * 8)));
  auto d = decode_record(*store->get_raw(key), record_kind::journal, 12);
  EXPECT_EQ(d.problem, record_problem::bad_length) << d.detail;
  EXPECT_FALSE(store->recover(who));
  // Cut short: dropped and reported.
  ASSERT_TRUE(store->put_raw(key, raw.substr(0, raw.size() - 3)));
  rec = store->recover(who);
  ASSERT_TRUE(rec) << rec.err().message;
  EXPECT_EQ(rec->last_seq, 11u);
  ASSERT_EQ(rec->warnings.size(), 1u);
  EXPECT_NE(rec->warnings[0].find("torn last journal record at seq 12"),
            std::string::npos)
      << rec->warnings[0];
}

// Damage to records recovery does not need now (the older checkpoint, the
// journal the newest checkpoint includes) is reported too.
TEST(recovery, damage_to_unneeded_records_is_reported) {
  temp_dir dir;
  auto store = open_store(dir.path);
  auto who = actor_n(42);
  write_history(*store, who, 25, {10, 20});
  auto damage = [&](record_kind k, uint64_t seq) {
    auto key = record_key(who, k, seq);
    ASSERT_TRUE(store->put_raw(key, flip_bit(*store->get_raw(key), 40)));
  };
  damage(record_kind::checkpoint, 10);
  damage(record_kind::journal, 15);
  auto rec = store->recover(who);
  ASSERT_TRUE(rec) << rec.err().message;
  EXPECT_EQ(rec->checkpoint_seq, 20u);
  EXPECT_EQ(rec->last_seq, 25u);
  ASSERT_EQ(rec->warnings.size(), 2u);
  EXPECT_NE(rec->warnings[0].find("checkpoint at seq 10"), std::string::npos)
      << rec->warnings[0];
  EXPECT_NE(rec->warnings[0].find("not needed"), std::string::npos);
  EXPECT_NE(rec->warnings[1].find("journal record at seq 15"),
            std::string::npos)
      << rec->warnings[1];
}

// A write that fails stops the node: the writer calls on_fatal once. The
// failure is real: the file size limit makes RocksDB's writes fail (EFBIG).
void write_until_the_disk_refuses(const fs::path& dir) {
  auto store = open_store(dir);
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit lim{1 << 20, 1 << 20};
  setrlimit(RLIMIT_FSIZE, &lim);
  journal_writer writer{*store, durability::sync, [](const std::string& m) {
                          std::fprintf(stderr, "fatal: %s\n", m.c_str());
                          std::_Exit(3);
                        }};
  auto l = std::make_shared<recording_listener>();
  for (uint64_t s = 1; s <= 100; ++s) {
    writer.append(actor_n(1), s, std::string(64 * 1024, 'x'), l);
    if (!writer.flush())
      std::_Exit(4); // failed without calling on_fatal first
  }
  auto st = writer.stats();
  std::fprintf(stderr, "no failure: %llu events in %llu batches, %llu bytes\n",
               static_cast<unsigned long long>(st.events),
               static_cast<unsigned long long>(st.batches),
               static_cast<unsigned long long>(st.bytes));
  std::_Exit(0);
}

TEST(journal_writer_death, a_failed_write_is_fatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  temp_dir dir;
  EXPECT_EXIT(write_until_the_disk_refuses(dir.path),
              testing::ExitedWithCode(3),
              "fatal: the journal write of .* failed");
}

} // namespace
