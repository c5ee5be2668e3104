// Journal throughput with group commit, beside the disk's raw fsync rate,
// measured in the same run on the same folder.
//
//   build/bin/journal_bench [--dir DIR] [--seconds S] [--payload BYTES]
//
// Rows:
//   raw fdatasync         one 100-byte append + fdatasync per event, one
//                         writer: what persist-before-reply costs without
//                         group commit
//   journal, K actors     K threads, each an "actor" in a closed loop:
//                         append an event, wait until the writer says it is
//                         durable (persist-before-reply), repeat. One
//                         journal_writer (sync) group-commits them all.
//   journal async, K      the same with durability::async (no fsync; unsafe,
//                         for comparison only)
// Each row runs S seconds (default 2) and reports events/s, batches/s, the
// mean batch size, and events/s as a multiple of the raw fsync rate.

#include "persistence/journal_writer.hpp"
#include "persistence/node_store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace icto;
using namespace icto::store;
using clock_type = std::chrono::steady_clock;

struct options {
  std::filesystem::path dir = "/tmp";
  double seconds = 2.0;
  size_t payload = 100;
};

/// Waits until its own event is durable.
struct waiting_listener : journal_listener {
  std::mutex mtx;
  std::condition_variable cv;
  uint64_t durable = 0;

  void on_durable(uint64_t seq) override {
    {
      std::lock_guard guard{mtx};
      durable = seq;
    }
    cv.notify_one();
  }

  void wait_for(uint64_t seq) {
    std::unique_lock guard{mtx};
    cv.wait(guard, [&] {
      return durable >= seq;
    });
  }
};

double raw_fsync_rate(const options& opt) {
  auto path = opt.dir / "raw-fsync.bin";
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_APPEND, 0600);
  if (fd < 0) {
    std::perror("journal_bench: open");
    std::exit(1);
  }
  std::string buf(opt.payload, 'x');
  uint64_t n = 0;
  auto start = clock_type::now();
  auto until = start + std::chrono::duration<double>(opt.seconds);
  while (clock_type::now() < until) {
    if (::write(fd, buf.data(), buf.size()) < 0 || ::fdatasync(fd) != 0) {
      std::perror("journal_bench: write/fdatasync");
      std::exit(1);
    }
    ++n;
  }
  double secs
      = std::chrono::duration<double>(clock_type::now() - start).count();
  ::close(fd);
  std::filesystem::remove(path);
  return n / secs;
}

struct journal_figures {
  double events_per_s = 0;
  double batches_per_s = 0;
  double mean_batch = 0;
};

journal_figures journal_rate(const options& opt, int actors, durability mode) {
  auto dir = opt.dir / ("journal-bench-" + std::to_string(actors));
  std::filesystem::remove_all(dir);
  auto store = node_store::open(dir, "bench");
  if (!store) {
    std::fprintf(stderr, "journal_bench: %s\n", store.err().message.c_str());
    std::exit(1);
  }
  journal_figures out;
  {
    journal_writer writer{**store, mode, [](const std::string& m) {
                            std::fprintf(stderr, "journal_bench: %s\n",
                                         m.c_str());
                            std::exit(1);
                          }};
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> total{0};
    std::vector<std::thread> threads;
    const std::string payload(opt.payload, 'e');
    auto before = writer.stats();
    auto start = clock_type::now();
    for (int a = 0; a < actors; ++a)
      threads.emplace_back([&, a] {
        auto l = std::make_shared<waiting_listener>();
        auto who = principal::canister_id(1000 + a);
        uint64_t seq = 0;
        while (!stop.load(std::memory_order_relaxed)) {
          writer.append(who, ++seq, payload, l);
          l->wait_for(seq);
        }
        total += seq;
      });
    std::this_thread::sleep_for(std::chrono::duration<double>(opt.seconds));
    stop = true;
    for (auto& t : threads)
      t.join();
    double secs
        = std::chrono::duration<double>(clock_type::now() - start).count();
    auto after = writer.stats();
    out.events_per_s = total / secs;
    out.batches_per_s = (after.batches - before.batches) / secs;
    out.mean_batch = after.batches > before.batches
                         ? static_cast<double>(after.events - before.events)
                               / (after.batches - before.batches)
                         : 0;
  }
  store->reset();
  std::filesystem::remove_all(dir);
  return out;
}

} // namespace

int main(int argc, char** argv) {
  options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc)
      opt.dir = argv[++i];
    else if (a == "--seconds" && i + 1 < argc)
      opt.seconds = std::atof(argv[++i]);
    else if (a == "--payload" && i + 1 < argc)
      opt.payload = static_cast<size_t>(std::atol(argv[++i]));
    else {
      std::fprintf(stderr, "usage: journal_bench [--dir DIR] [--seconds S] "
                           "[--payload BYTES]\n");
      return 2;
    }
  }
  std::printf("folder %s, %.1f s per row, %zu-byte events\n\n", opt.dir.c_str(),
              opt.seconds, opt.payload);
  std::printf("%-28s %12s %12s %10s %10s\n", "row", "events/s", "batches/s",
              "batch", "x fsync");
  double fsync = raw_fsync_rate(opt);
  std::printf("%-28s %12.0f %12.0f %10.1f %10.2f\n", "raw fdatasync", fsync,
              fsync, 1.0, 1.0);
  for (int k : {1, 8, 64, 256}) {
    auto f = journal_rate(opt, k, durability::sync);
    std::printf("%-28s %12.0f %12.0f %10.1f %10.2f\n",
                ("journal sync, " + std::to_string(k) + " actors").c_str(),
                f.events_per_s, f.batches_per_s, f.mean_batch,
                f.events_per_s / fsync);
  }
  for (int k : {1, 64}) {
    auto f = journal_rate(opt, k, durability::async);
    std::printf("%-28s %12.0f %12.0f %10.1f %10.2f\n",
                ("journal async, " + std::to_string(k) + " actors").c_str(),
                f.events_per_s, f.batches_per_s, f.mean_batch,
                f.events_per_s / fsync);
  }
  // The raw rate again: the disk is shared and its rate drifts.
  double fsync2 = raw_fsync_rate(opt);
  std::printf("%-28s %12.0f %12.0f %10.1f %10.2f\n", "raw fdatasync (again)",
              fsync2, fsync2, 1.0, fsync2 / fsync);
  return 0;
}
