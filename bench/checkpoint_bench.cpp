// Checkpoint and recovery times of a durable service holding 10^3, 10^5 and
// 10^6 index entries, and its query latency while it checkpoints.
//
//   build/bin/checkpoint_bench [--dir DIR] [--sizes 1000,100000,1000000]
//
// The service is the ledger (its balances are a trie of N accounts): the
// first durable actor. Per size:
//   build        N mints decided and applied in memory (not timed as a
//                figure; it sets the state up)
//   serialize    save_checkpoint of a snapshot (Boost.Serialization binary)
//   write        the framed checkpoint through the journal writer, synced
//   recover      node_store::recover + load_checkpoint + replaying a
//                1000-event journal tail (what a restart does; the
//                column includes the 1000 events)
// The same (without a journal tail) for a token factory with N deployed
// contracts, each with its creator and a holder in the indexes.
// Then, with the largest size, a durable ledger actor answers balance
// queries from one client in a closed loop; the latencies of queries
// issued while a checkpoint serializes on a TBB thread are reported beside
// those of queries issued before it (p50, p99, max).

#include "actors/common/durable.hpp"
#include "actors/common/recovery.hpp"
#include "actors/factories/factory_state.hpp"
#include "actors/factories/factory_state_serialization.hpp"
#include "actors/factories/token_factory.hpp"
#include "actors/ledger/ledger_actor.hpp"
#include "actors/ledger/ledger_state.hpp"
#include "actors/ledger/ledger_state_serialization.hpp"
#include "messages/register.hpp"
#include "persistence/journal_writer.hpp"
#include "persistence/node_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace icto;
using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0)
      .count();
}

const principal minter = principal::canister_id(1'000'000'000);
const principal ledger_id = principal::canister_id(1);

ledger_config config() {
  ledger_config lc;
  lc.name = "Bench";
  lc.symbol = "BCH";
  lc.fee = 10;
  lc.minting_account = account{minter, std::nullopt};
  return lc;
}

account holder(uint64_t i) {
  return account{principal::canister_id(10 + i), std::nullopt};
}

/// N mints to N accounts; the events are returned too (for a journal).
ledger_state build(uint64_t n, std::vector<ledger_event>* events = nullptr) {
  auto st = make_ledger_state(config(), 1);
  for (uint64_t i = 0; i < n; ++i) {
    transfer_arg a;
    a.to = holder(i);
    a.amount = 1000 + i;
    auto ev = decide(*st, minter, a, 2 + i);
    if (!ev) {
      std::fprintf(stderr, "checkpoint_bench: %s\n", ev.err().message.c_str());
      std::exit(1);
    }
    apply(*st, *ev);
    if (events)
      events->push_back(*ev);
  }
  return std::move(*st);
}

/// A token factory with N deployed contracts, each with its creator and
/// one holder in the indexes (what createContract and the first transfer
/// leave behind).
factory_state build_factory(uint64_t n) {
  factory_core_config cfg;
  cfg.kind = contract_kind::token;
  cfg.self = principal::canister_id(5);
  cfg.ranges = {id_range{{}, 1'000, 1'000 + n + 10, 0}};
  const auto backend = principal::canister_id(2);
  cfg.whitelist = {backend};
  cfg.admins = {principal::canister_id(1'000'000'000)}; // the bench's client
  registered_version v1;
  v1.version = semver{1, 0, 0};
  v1.stable = true;
  cfg.code = {v1};
  auto st = make_factory_state(cfg, 1);
  if (!st) {
    std::fprintf(stderr, "checkpoint_bench: %s\n", st.err().message.c_str());
    std::exit(1);
  }
  for (uint64_t i = 0; i < n; ++i) {
    const auto owner = principal::canister_id(10'000'000 + i % 50'000);
    auto id = allocate_id(*st);
    contract_info info;
    info.id = *id;
    info.kind = contract_kind::token;
    info.owner = owner;
    info.name = "token " + std::to_string(i);
    info.created_at = 2 + i;
    info.version = semver{1, 0, 0};
    info.is_public = i % 2 == 0;
    info.controllers = {cfg.self, owner};
    record_deploying(*st, info,
                     {{principal::canister_id(20'000'000 + i % 70'000),
                       contract_role::holder}});
    on_deployment_complete(*st, *id, {*id});
  }
  return std::move(*st);
}

struct percentiles {
  double p50 = 0, p99 = 0, max = 0;
  size_t n = 0;
};

percentiles summarize(std::vector<double> v) {
  percentiles p;
  p.n = v.size();
  if (v.empty())
    return p;
  std::sort(v.begin(), v.end());
  p.p50 = v[v.size() / 2];
  p.p99 = v[std::min(v.size() - 1, v.size() * 99 / 100)];
  p.max = v.back();
  return p;
}

} // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = "/tmp";
  std::vector<uint64_t> sizes{1'000, 100'000, 1'000'000};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--sizes" && i + 1 < argc) {
      sizes.clear();
      std::stringstream ss{argv[++i]};
      for (std::string x; std::getline(ss, x, ',');)
        sizes.push_back(std::stoull(x));
    } else {
      std::fprintf(stderr, "usage: checkpoint_bench [--dir DIR] [--sizes "
                           "N,N,...]\n");
      return 2;
    }
  }
  std::printf("%10s %10s %12s %10s %12s\n", "entries", "MB", "serialize ms",
              "write ms", "recover ms");
  for (auto n : sizes) {
    auto where = dir / ("checkpoint-bench-" + std::to_string(n));
    std::filesystem::remove_all(where);
    auto state = build(n);
    auto t0 = clock_type::now();
    auto bytes = save_checkpoint(state);
    const double serialize_ms = ms_since(t0);
    double write_ms = 0;
    double recover_ms = 0;
    {
      auto store = store::node_store::open(where, "bench");
      if (!store) {
        std::fprintf(stderr, "%s\n", store.err().message.c_str());
        return 1;
      }
      {
        store::journal_writer writer{**store, store::durability::sync, {}};
        // The events the checkpoint covers, then 1000 more after it.
        uint64_t seq = 0;
        for (; seq < 1; ++seq)
          writer.append(ledger_id, seq + 1, "x", nullptr);
        writer.flush();
        t0 = clock_type::now();
        writer.checkpoint(
            ledger_id, 1,
            [&bytes] {
              return bytes;
            },
            nullptr);
        writer.flush();
        write_ms = ms_since(t0);
        auto extra = state; // 1000 more blocks as a journal tail
        for (uint64_t i = 0; i < 1000; ++i) {
          transfer_arg a;
          a.to = holder(n + i);
          a.amount = 5;
          auto ev = decide(extra, minter, a, 10'000'000 + i);
          apply(extra, *ev);
          writer.append(ledger_id, 2 + i, encode_event(*ev), nullptr);
        }
        writer.flush();
      }
      t0 = clock_type::now();
      auto rec = (*store)->recover(ledger_id);
      auto rebuilt = rebuild_state<ledger_state, ledger_event>(
          *rec, "bench",
          [] {
            return make_ledger_state(config(), 1);
          },
          [](ledger_state& s, const ledger_event& ev) -> result<unit> {
            apply(s, ev);
            return unit{};
          });
      recover_ms = ms_since(t0);
      if (!rebuilt || rebuilt->balances.size() != n + 1000) {
        std::fprintf(stderr, "checkpoint_bench: recovery rebuilt a wrong "
                             "state\n");
        return 1;
      }
    }
    std::filesystem::remove_all(where);
    std::printf("%10llu %10.1f %12.1f %10.1f %12.1f\n",
                static_cast<unsigned long long>(n), bytes.size() / 1e6,
                serialize_ms, write_ms, recover_ms);
  }

  std::printf("\n%10s %10s %12s %10s %12s   (token factory)\n", "contracts",
              "MB", "serialize ms", "write ms", "recover ms");
  for (auto n : sizes) {
    auto where = dir / ("checkpoint-bench-factory-" + std::to_string(n));
    std::filesystem::remove_all(where);
    const principal factory_id = principal::canister_id(5);
    auto state = build_factory(n);
    auto t0 = clock_type::now();
    auto bytes = save_checkpoint(state);
    const double serialize_ms = ms_since(t0);
    double write_ms = 0;
    double recover_ms = 0;
    {
      auto store = store::node_store::open(where, "bench");
      {
        store::journal_writer writer{**store, store::durability::sync, {}};
        writer.append(factory_id, 1, "x", nullptr);
        writer.flush();
        t0 = clock_type::now();
        writer.checkpoint(
            factory_id, 1,
            [&bytes] {
              return bytes;
            },
            nullptr);
        writer.flush();
        write_ms = ms_since(t0);
      }
      t0 = clock_type::now();
      auto rec = (*store)->recover(factory_id);
      auto back = load_checkpoint<factory_state>(*rec->checkpoint, "factory");
      recover_ms = ms_since(t0);
      if (!back || back->contracts.size() != n) {
        std::fprintf(stderr, "checkpoint_bench: the factory did not recover\n");
        return 1;
      }
    }
    std::filesystem::remove_all(where);
    std::printf("%10llu %10.1f %12.1f %10.1f %12.1f\n",
                static_cast<unsigned long long>(n), bytes.size() / 1e6,
                serialize_ms, write_ms, recover_ms);
  }

  // -- query latency during a checkpoint ---------------------------------
  const auto n = sizes.back();
  auto where = dir / "checkpoint-bench-latency";
  std::filesystem::remove_all(where);
  auto store = store::node_store::open(where, "bench");
  store::journal_writer writer{**store, store::durability::sync, {}};
  caf::actor_system_config cfg;
  register_messages(cfg);
  caf::actor_system sys{cfg};
  auto ctx = std::make_shared<node_context>();
  ctx->persistence = std::make_shared<node_persistence>();
  ctx->persistence->store = store->get();
  ctx->persistence->writer = &writer;
  // One journaled event, so that a checkpoint has something to cover.
  auto state = build(n);
  store::recovered_actor rec;
  rec.actor = ledger_id;
  auto bytes = save_checkpoint(state);
  rec.checkpoint = bytes;
  auto ledger = spawn_durable_ledger(sys, ctx, config(), ledger_id, rec);
  ctx->dir.add(ledger->address(), ledger_id, actor_role::service);
  caf::scoped_actor client{sys};
  ctx->dir.add(client.address(), minter, actor_role::ingress);
  auto query = [&](uint64_t i) {
    auto t = clock_type::now();
    client
        ->request(*ledger, std::chrono::seconds{10}, caller{minter},
                  holder(i % n))
        .receive([](result<tokens>&) {}, [](caf::error&) {});
    return ms_since(t) * 1000.0; // µs
  };
  transfer_arg a;
  a.to = holder(0);
  a.amount = 1;
  client->request(*ledger, std::chrono::seconds{10}, caller{minter}, a)
      .receive([](result<uint64_t>&) {}, [](caf::error&) {});
  std::vector<double> before;
  for (uint64_t i = 0; i < 20'000; ++i)
    before.push_back(query(i * 7919));
  // Start a checkpoint and query until it is on disk.
  auto writer_stats = writer.stats();
  caf::anon_send(caf::actor_cast<caf::actor>(*ledger), ckpt_now_atom::value);
  std::vector<double> during;
  auto t0 = clock_type::now();
  while (writer.stats().checkpoints == writer_stats.checkpoints
         && ms_since(t0) < 60'000)
    during.push_back(query(during.size() * 7919));
  const double ckpt_ms = ms_since(t0);
  auto b = summarize(before);
  auto d = summarize(during);
  std::printf("\nbalance queries on a ledger of %llu accounts, one client, "
              "closed loop (µs)\n",
              static_cast<unsigned long long>(n));
  std::printf("%-28s %8s %8s %8s %8s\n", "", "queries", "p50", "p99", "max");
  std::printf("%-28s %8zu %8.1f %8.1f %8.1f\n", "before the checkpoint", b.n,
              b.p50, b.p99, b.max);
  std::printf("%-28s %8zu %8.1f %8.1f %8.1f\n", "while it checkpoints", d.n,
              d.p50, d.p99, d.max);
  std::printf("(the checkpoint took %.0f ms from request to disk)\n", ckpt_ms);
  caf::anon_send_exit(*ledger, caf::exit_reason::user_shutdown);

  // -- the same for a token factory holding n contracts --------------------
  {
    const principal factory_id = principal::canister_id(5);
    store::recovered_actor frec;
    frec.actor = factory_id;
    frec.checkpoint = save_checkpoint(build_factory(n));
    factory_config fcfg;
    fcfg.id = factory_id;
    fcfg.first_contract_index = 1'000;
    fcfg.last_contract_index = 1'000 + n + 10;
    fcfg.whitelist = {principal::canister_id(2)};
    auto factory = spawn_durable_token_factory(sys, ctx, fcfg, frec);
    if (!factory) {
      std::fprintf(stderr, "checkpoint_bench: %s\n",
                   factory.err().message.c_str());
      return 1;
    }
    ctx->dir.add(factory->address(), factory_id, actor_role::service);
    // The contracts of build_factory: canister ids from 1000, owners
    // 10'000'000 + i % 50'000.
    auto info = [&](uint64_t i) {
      auto t = clock_type::now();
      client
          ->request(*factory, std::chrono::seconds{10}, caller{minter},
                    contract_info_arg{principal::canister_id(1'000 + i % n)})
          .receive([](result<contract_info>&) {}, [](caf::error&) {});
      return ms_since(t) * 1000.0;
    };
    auto mine = [&](uint64_t i) {
      auto t = clock_type::now();
      my_contracts_arg q;
      q.user = principal::canister_id(10'000'000 + i % 50'000);
      q.page.limit = 20;
      client->request(*factory, std::chrono::seconds{10}, caller{minter}, q)
          .receive([](result<my_contracts_page>&) {}, [](caf::error&) {});
      return ms_since(t) * 1000.0;
    };
    std::vector<double> before_info, before_mine;
    for (uint64_t i = 0; i < 10'000; ++i) {
      before_info.push_back(info(i * 7919));
      before_mine.push_back(mine(i * 7919));
    }
    // One change to journal (a whitelist), then a checkpoint.
    client
        ->request(*factory, std::chrono::seconds{10}, caller{minter},
                  factory_setup_whitelist_arg{{principal::canister_id(2)}})
        .receive(
            [](result<unit>& r) {
              if (!r) {
                std::fprintf(stderr, "checkpoint_bench: setupWhitelist: %s\n",
                             r.err().to_string().c_str());
                std::exit(1);
              }
            },
            [&](caf::error& e) {
              std::fprintf(stderr, "checkpoint_bench: setupWhitelist: %s\n",
                           sys.render(e).c_str());
              std::exit(1);
            });
    const auto fstats = writer.stats();
    uint64_t asked = 0;
    client
        ->request(caf::actor_cast<caf::actor>(*factory),
                  std::chrono::seconds{10}, ckpt_now_atom::value)
        .receive(
            [&](uint64_t seq) {
              asked = seq;
            },
            [](caf::error&) {});
    if (asked == 0) {
      std::fprintf(stderr,
                   "checkpoint_bench: the factory took no checkpoint\n");
      return 1;
    }
    std::vector<double> during_info, during_mine;
    t0 = clock_type::now();
    while (writer.stats().checkpoints == fstats.checkpoints
           && ms_since(t0) < 120'000) {
      during_info.push_back(info(during_info.size() * 7919));
      during_mine.push_back(mine(during_mine.size() * 7919));
    }
    const double fckpt_ms = ms_since(t0);
    std::printf("\nqueries on a token factory of %llu contracts, one client, "
                "closed loop (µs)\n",
                static_cast<unsigned long long>(n));
    std::printf("%-40s %8s %8s %8s %8s\n", "", "queries", "p50", "p99", "max");
    auto row = [](const char* what, std::vector<double> v) {
      auto x = summarize(std::move(v));
      std::printf("%-40s %8zu %8.1f %8.1f %8.1f\n", what, x.n, x.p50, x.p99,
                  x.max);
    };
    row("getContractInfo before the checkpoint", before_info);
    row("getContractInfo while it checkpoints", during_info);
    row("getMyContracts before the checkpoint", before_mine);
    row("getMyContracts while it checkpoints", during_mine);
    std::printf("(the checkpoint took %.0f ms from request to disk)\n",
                fckpt_ms);
    caf::anon_send_exit(*factory, caf::exit_reason::user_shutdown);
  }
  writer.flush();
  std::filesystem::remove_all(where);
  return 0;
}
