// Spawning N contract-like actors on a "target" node from a "spawner" node
// over a real TCP socket on 127.0.0.1, two ways, side by side in one run:
//
//   build/bin/remote_spawn_bench [--n 1000,20000] [--batch 1,16,256,4096]
//                                [--inflight 16] [--reps 3]
//                                [--policy sharing|stealing] [--threads 2]
//                                [--link]
//
// Both nodes are actor systems in this one process, each with its own
// middleman; they talk BASP over a loopback socket like two processes would.
// Each system: scheduler policy `--policy` (default sharing) with
// `--threads` workers, middleman.workers=0.
//
// Rows (per N):
//   A remote_spawn, sequential   CAF's `middleman().remote_spawn` of the
//                                type the target registered with
//                                add_actor_type, one call after the other
//                                from the main thread (a blocking call).
//   A remote_spawn, K threads    the same blocking call from K threads, so
//                                K spawns are in flight.
//   A middleman actor, K flight  what remote_spawn does inside, from one
//                                event-based actor: (spawn_atom, node, name,
//                                args, interface) requests to the
//                                middleman actor, K in flight.
//   B batch b, sequential        one request carrying b spawn orders to a
//                                node-manager-like actor on the target,
//                                which spawns them locally
//                                (spawn<lazy_init>) and replies with their
//                                handles (vector<actor>); one batch after the
//                                other.
//   B batch b, K in flight       the same, K batches in flight (batch 1, 16).
// Only the spawn phase is timed: from the first request until every handle
// is in hand. Then every handle is checked by one request round trip (the
// actor answers with the serial and the name it was spawned with); a
// missing handle or a wrong answer ends the program with exit code 1. Then
// the spawner sends each actor an exit message (with --link: each contract
// links itself to a per-row supervisor when it starts, CAF trap 1's
// workaround, and the supervisor's exit takes them down), and the next row
// starts once all of them are gone.

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

using ping_atom = caf::atom_constant<caf::atom("bping")>;
using run_atom = caf::atom_constant<caf::atom("brun")>;
using quit_atom = caf::atom_constant<caf::atom("bquit")>;

/// Timeout of one spawn or check request.
constexpr auto request_timeout = std::chrono::seconds{30};
/// Timeout of a whole pipelined phase.
constexpr auto phase_timeout = std::chrono::minutes{10};
/// The name the target registers the contract factory under.
const char* const contract_type_name = "bench_contract";

// -- wire types (registered on both nodes by register_bench_types) ----------

/// A principal-like id: the 10 raw bytes of a canister id.
struct bench_principal {
  std::vector<uint8_t> bytes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, bench_principal& x) {
  return f(caf::meta::type_name("bench_principal"), x.bytes);
}

/// One actor to spawn: about what icto::contract_meta carries.
struct spawn_order {
  /// The position of the order in its row; the actor answers with it.
  uint64_t serial = 0;
  uint8_t kind = 0;
  bench_principal id;
  bench_principal owner;
  bench_principal factory_id;
  std::string name;
  uint32_t major = 1;
  uint32_t minor = 0;
  uint32_t patch = 0;
  uint64_t created_at = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, spawn_order& x) {
  return f(caf::meta::type_name("spawn_order"), x.serial, x.kind, x.id, x.owner,
           x.factory_id, x.name, x.major, x.minor, x.patch, x.created_at);
}

/// One request to the manager: spawn these, reply with their handles in
/// the same order.
struct spawn_batch {
  std::vector<spawn_order> orders;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, spawn_batch& x) {
  return f(caf::meta::type_name("spawn_batch"), x.orders);
}

/// A contract-like actor: answers with the serial and name it was spawned
/// with (and counts the questions).
using bench_contract_actor
    = caf::typed_actor<caf::replies_to<ping_atom>::with<uint64_t, std::string>>;

/// The node-manager-like actor of the target: spawns a batch locally.
using bench_manager_actor = caf::typed_actor<
    caf::replies_to<spawn_batch>::with<std::vector<caf::actor>>>;

/// The same type list on both nodes (CAF trap 4: an unregistered type
/// arrives empty). The contract handle uses the name add_actor_type gives
/// it on the target.
void register_bench_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<bench_principal>("bench_principal");
  cfg.add_message_type<spawn_order>("spawn_order");
  cfg.add_message_type<spawn_batch>("spawn_batch");
  cfg.add_message_type<bench_contract_actor>(contract_type_name);
  cfg.add_message_type<bench_manager_actor>("bench_manager_actor");
}

// -- the target node's actors -----------------------------------------------

/// Contract actors alive in this process (only the target spawns them);
/// rows wait for 0 before they start.
std::atomic<int64_t> live_contracts{0};

/// Whether contracts link themselves to the row's supervisor (--link),
/// the project's answer to CAF trap 1, or are stopped one by one.
std::atomic<bool> link_to_supervisor{false};

/// The registry key of the target's current supervisor.
const caf::atom_value supervisor_key = caf::atom("bsup");

/// A contract's small state. Touched by its actor only.
struct bench_contract_state {
  std::string contract_name;
  std::map<std::string, uint64_t> fields;
  uint64_t serial = 0;
  uint64_t counter = 0;

  bench_contract_state() {
    live_contracts.fetch_add(1, std::memory_order_relaxed);
  }
  ~bench_contract_state() {
    live_contracts.fetch_sub(1, std::memory_order_relaxed);
  }
  bench_contract_state(const bench_contract_state&) = delete;
  bench_contract_state& operator=(const bench_contract_state&) = delete;
};

/// The contract actor; spawned on the target by CAF's spawn server (A) or
/// by the manager (B). With --link it links itself to the row's
/// supervisor (CAF trap 1).
bench_contract_actor::behavior_type bench_contract(
    bench_contract_actor::stateful_pointer<bench_contract_state> self,
    spawn_order order) {
  if (link_to_supervisor.load(std::memory_order_relaxed)) {
    if (auto sup = self->home_system().registry().get(supervisor_key))
      self->link_to(sup);
  }
  auto& st = self->state;
  st.contract_name = std::move(order.name);
  st.serial = order.serial;
  st.fields = {{"created_at", order.created_at},
               {"kind", order.kind},
               {"version", order.major * 1'000'000ull + order.minor * 1'000ull
                               + order.patch},
               {"owner_size", order.owner.bytes.size()}};
  return {
      [self](ping_atom) {
        ++self->state.counter;
        return std::make_tuple(self->state.serial, self->state.contract_name);
      },
  };
}

/// Holds the links of one row's contracts; quitting takes them down.
caf::behavior supervisor(caf::event_based_actor* self) {
  self->set_exit_handler([](caf::exit_msg&) {});
  return {
      [self](quit_atom) {
        self->quit(caf::exit_reason::user_shutdown);
      },
  };
}

/// Spawns each batch on its own node, lazily (the contracts run their
/// initialization at their first message).
bench_manager_actor::behavior_type
bench_manager(bench_manager_actor::pointer self) {
  return {
      [self](spawn_batch& batch) {
        std::vector<caf::actor> out;
        out.reserve(batch.orders.size());
        for (auto& order : batch.orders)
          out.push_back(caf::actor_cast<caf::actor>(
              self->spawn<caf::lazy_init>(bench_contract, std::move(order))));
        return out;
      },
  };
}

// -- pipelining from one actor -----------------------------------------------

/// Ends one job: an empty string for success, else what went wrong.
using job_done = std::function<void(std::string)>;

/// Starts job `j` from `self`; calls `done` exactly once when it ends.
using job_fn = std::function<void(caf::event_based_actor*, size_t, job_done)>;

/// The progress of one pipelined phase. Touched by its actor only.
struct pipeline_run {
  size_t next = 0;
  size_t finished = 0;
  uint64_t ok = 0;
  std::string first_error;
  std::function<void()> start_next;
  caf::typed_response_promise<uint64_t, std::string> rp;
};

/// Runs `jobs` jobs, at most `k` at a time; replies to run_atom with the
/// number that succeeded and the first error, then quits.
caf::behavior pipeline(caf::event_based_actor* self, size_t jobs, size_t k,
                       job_fn job) {
  return {
      [=](run_atom) {
        auto run = std::make_shared<pipeline_run>();
        run->rp = self->make_response_promise<uint64_t, std::string>();
        auto rp = run->rp;
        if (jobs == 0) {
          run->rp.deliver(uint64_t{0}, std::string{});
          self->quit();
          return rp;
        }
        run->start_next = [self, run, jobs, job] {
          const auto j = run->next++;
          job(self, j, [self, run, jobs](std::string error) {
            ++run->finished;
            if (error.empty())
              ++run->ok;
            else if (run->first_error.empty())
              run->first_error = std::move(error);
            if (run->next < jobs) {
              run->start_next();
            } else if (run->finished == jobs) {
              run->rp.deliver(run->ok, run->first_error);
              run->start_next = nullptr; // breaks the cycle through `run`
              self->quit();
            }
          });
        };
        for (size_t i = 0; i < std::min(k, jobs); ++i)
          run->start_next();
        return rp;
      },
  };
}

/// What a pipelined phase reports.
struct phase_outcome {
  uint64_t ok = 0;
  std::string first_error;
};

/// Runs `job` for 0..jobs-1 from a fresh actor, `k` in flight; blocks.
phase_outcome run_pipeline(caf::actor_system& sys, size_t jobs, size_t k,
                           job_fn job) {
  auto runner = sys.spawn(pipeline, jobs, k, std::move(job));
  caf::scoped_actor self{sys};
  phase_outcome out;
  self->request(runner, phase_timeout, run_atom::value)
      .receive(
          [&](uint64_t ok, std::string& first_error) {
            out.ok = ok;
            out.first_error = std::move(first_error);
          },
          [&](caf::error& err) {
            out.first_error = sys.render(err);
          });
  return out;
}

// -- the spawn methods --------------------------------------------------------

using handles_t = std::vector<bench_contract_actor>;
using orders_t = std::vector<spawn_order>;

/// Ends the program: a benchmark that measured something wrong must not
/// print a figure.
[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "remote_spawn_bench: %s\n", what.c_str());
  std::exit(1);
}

/// Spawns orders[i] for each i in [first, n) with step `step` through the
/// blocking remote_spawn; stores the handle at its serial.
std::string remote_spawn_range(caf::actor_system& sys, const caf::node_id& node,
                               const orders_t& orders, handles_t& handles,
                               size_t first, size_t step) {
  for (size_t i = first; i < orders.size(); i += step) {
    auto h = sys.middleman().remote_spawn<bench_contract_actor>(
        node, contract_type_name, caf::make_message(orders[i]),
        request_timeout);
    if (!h)
      return "remote_spawn #" + std::to_string(i) + ": "
             + sys.render(h.error());
    handles[i] = std::move(*h);
  }
  return {};
}

/// A, sequential: one blocking remote_spawn after the other.
std::string spawn_a_sequential(caf::actor_system& sys, const caf::node_id& node,
                               const orders_t& orders, handles_t& handles) {
  return remote_spawn_range(sys, node, orders, handles, 0, 1);
}

/// A, K threads each calling the blocking remote_spawn.
std::string spawn_a_threads(caf::actor_system& sys, const caf::node_id& node,
                            const orders_t& orders, handles_t& handles,
                            size_t k) {
  std::vector<std::string> errors(k);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < k; ++t)
    threads.emplace_back([&, t] {
      errors[t] = remote_spawn_range(sys, node, orders, handles, t, k);
    });
  for (auto& t : threads)
    t.join();
  for (auto& e : errors)
    if (!e.empty())
      return e;
  return {};
}

/// A, from one actor: spawn requests to the middleman actor, K in flight.
std::string spawn_a_actor(caf::actor_system& sys, const caf::node_id& node,
                          const orders_t& orders, handles_t& handles,
                          size_t k) {
  auto mm = sys.middleman().actor_handle();
  auto ifs = sys.message_types<bench_contract_actor>();
  auto job = [&, mm, ifs, node](caf::event_based_actor* self, size_t j,
                                job_done done) {
    self->request(mm, request_timeout, caf::spawn_atom::value, node,
                  std::string{contract_type_name}, caf::make_message(orders[j]),
                  ifs)
        .then(
            [&handles, j, done](caf::strong_actor_ptr& ptr) {
              handles[j]
                  = caf::actor_cast<bench_contract_actor>(std::move(ptr));
              done(handles[j] ? std::string{} : "spawn_atom: a null handle");
            },
            [self, done](caf::error& err) {
              done("spawn_atom: " + self->system().render(err));
            });
  };
  auto out = run_pipeline(sys, orders.size(), k, job);
  return out.first_error;
}

/// B: batches of `batch` orders to the manager, K batches in flight.
std::string spawn_b(caf::actor_system& sys, const bench_manager_actor& manager,
                    const orders_t& orders, handles_t& handles, size_t batch,
                    size_t k) {
  const size_t n = orders.size();
  const size_t jobs = (n + batch - 1) / batch;
  auto job = [&, manager, batch, n](caf::event_based_actor* self, size_t j,
                                    job_done done) {
    const size_t first = j * batch;
    const size_t last = std::min(n, first + batch);
    spawn_batch msg;
    msg.orders.assign(orders.begin() + first, orders.begin() + last);
    self->request(manager, request_timeout, std::move(msg))
        .then(
            [&handles, first, last, done](std::vector<caf::actor>& got) {
              if (got.size() != last - first) {
                done("batch at " + std::to_string(first) + ": "
                     + std::to_string(got.size()) + " handles for "
                     + std::to_string(last - first) + " orders");
                return;
              }
              for (size_t i = 0; i < got.size(); ++i)
                handles[first + i]
                    = caf::actor_cast<bench_contract_actor>(std::move(got[i]));
              done({});
            },
            [self, first, done](caf::error& err) {
              done("batch at " + std::to_string(first) + ": "
                   + self->system().render(err));
            });
  };
  auto out = run_pipeline(sys, jobs, k, job);
  return out.first_error;
}

// -- verification and teardown ----------------------------------------------

/// One round trip per handle; fails the program unless every actor answers
/// with its own serial and name.
void verify(caf::actor_system& sys, const orders_t& orders,
            const handles_t& handles, size_t k, const std::string& row) {
  size_t null_handles = 0;
  for (auto& h : handles)
    if (!h)
      ++null_handles;
  if (null_handles > 0)
    fail(row + ": " + std::to_string(null_handles) + " of "
         + std::to_string(handles.size()) + " handles are invalid");
  auto job = [&](caf::event_based_actor* self, size_t j, job_done done) {
    self->request(handles[j], request_timeout, ping_atom::value)
        .then(
            [&orders, j, done](uint64_t serial, std::string& name) {
              if (serial != j || name != orders[j].name)
                done("actor #" + std::to_string(j) + " answered serial "
                     + std::to_string(serial) + ", name \"" + name + "\"");
              else
                done({});
            },
            [self, j, done](caf::error& err) {
              done("actor #" + std::to_string(j) + ": "
                   + self->system().render(err));
            });
  };
  auto out = run_pipeline(sys, handles.size(), k, job);
  if (out.ok != handles.size())
    fail(row + ": " + std::to_string(out.ok) + " of "
         + std::to_string(handles.size())
         + " actors answered correctly; first error: " + out.first_error);
}

/// Starts a fresh supervisor on the target and names it in the registry.
caf::actor start_supervisor(caf::actor_system& target) {
  auto sup = target.spawn(supervisor);
  target.registry().put(supervisor_key,
                        caf::actor_cast<caf::strong_actor_ptr>(sup));
  return sup;
}

/// Takes down the row's contracts: through their supervisor (--link), or
/// an exit message to each handle from the spawner. Then waits until all
/// of them are gone.
void stop_row(caf::actor_system& target, const caf::actor& sup,
              handles_t& handles) {
  target.registry().erase(supervisor_key);
  caf::anon_send(sup, quit_atom::value);
  if (!link_to_supervisor.load())
    for (auto& h : handles)
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
  handles.clear();
  const auto t0 = clock_type::now();
  while (live_contracts.load() != 0) {
    if (clock_type::now() - t0 > std::chrono::seconds{60})
      fail(std::to_string(live_contracts.load())
           + " contracts still alive 60 s after they were told to stop");
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
}

// -- driver
// --------------------------------------------------------------------

struct options {
  std::vector<size_t> sizes{1'000, 20'000};
  std::vector<size_t> batches{1, 16, 256, 4'096};
  size_t inflight = 16;
  size_t reps = 3;
  std::string policy = "sharing";
  size_t threads = 2;
  bool link = false;
};

std::vector<size_t> parse_list(const char* text) {
  std::vector<size_t> out;
  std::stringstream ss{text};
  for (std::string x; std::getline(ss, x, ',');)
    out.push_back(std::stoull(x));
  return out;
}

bool parse_options(int argc, char** argv, options& opt) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--n" && has_value)
      opt.sizes = parse_list(argv[++i]);
    else if (a == "--batch" && has_value)
      opt.batches = parse_list(argv[++i]);
    else if (a == "--inflight" && has_value)
      opt.inflight = std::stoull(argv[++i]);
    else if (a == "--reps" && has_value)
      opt.reps = std::stoull(argv[++i]);
    else if (a == "--policy" && has_value)
      opt.policy = argv[++i];
    else if (a == "--threads" && has_value)
      opt.threads = std::stoull(argv[++i]);
    else if (a == "--link")
      opt.link = true;
    else
      return false;
  }
  return !opt.sizes.empty() && opt.inflight > 0 && opt.reps > 0
         && opt.threads > 0
         && (opt.policy == "sharing" || opt.policy == "stealing")
         && std::find(opt.batches.begin(), opt.batches.end(), size_t{0})
                == opt.batches.end();
}

/// The same settings on both nodes.
void configure(caf::actor_system_config& cfg, const options& opt) {
  cfg.load<caf::io::middleman>();
  cfg.set("scheduler.policy", caf::atom_from_string(opt.policy));
  cfg.set("scheduler.max-threads", opt.threads);
  cfg.set("middleman.workers", size_t{0});
  register_bench_types(cfg);
}

/// N orders shaped like contract_meta records.
orders_t make_orders(size_t n) {
  auto canister = [](uint64_t index) {
    bench_principal p;
    for (int shift = 56; shift >= 0; shift -= 8)
      p.bytes.push_back(static_cast<uint8_t>(index >> shift));
    p.bytes.push_back(1);
    p.bytes.push_back(1);
    return p;
  };
  orders_t out(n);
  for (size_t i = 0; i < n; ++i) {
    auto& o = out[i];
    o.serial = i;
    o.kind = static_cast<uint8_t>(i % 3);
    o.id = canister(1'000 + i);
    o.owner = canister(10'000'000 + i % 50'000);
    o.factory_id = canister(5);
    o.name = "contract " + std::to_string(i);
    o.created_at = 1'700'000'000'000'000'000ull + i;
  }
  return out;
}

/// One method of spawning, as a row of the table.
struct row {
  std::string label;
  /// Spawns all orders into handles; returns an error or "".
  std::function<std::string(const orders_t&, handles_t&)> spawn;
  /// A: CAF's remote_spawn; B: the manager.
  bool is_a = false;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// Runs a row `reps` times on fresh orders; returns the median spawns/s.
double measure(caf::actor_system& spawner, caf::actor_system& target,
               const row& r, size_t n, const options& opt) {
  auto orders = make_orders(n);
  std::vector<double> rates;
  for (size_t rep = 0; rep < opt.reps; ++rep) {
    auto sup = start_supervisor(target);
    handles_t handles(n);
    const auto t0 = clock_type::now();
    auto err = r.spawn(orders, handles);
    const double secs
        = std::chrono::duration<double>(clock_type::now() - t0).count();
    if (!err.empty())
      fail(r.label + ": " + err);
    verify(spawner, orders, handles, std::min<size_t>(opt.inflight, 64),
           r.label);
    stop_row(target, sup, handles);
    rates.push_back(static_cast<double>(n) / secs);
  }
  return median(std::move(rates));
}

std::vector<row> make_rows(caf::actor_system& spawner, const caf::node_id& node,
                           const bench_manager_actor& manager,
                           const options& opt) {
  const size_t k = opt.inflight;
  const auto ks = std::to_string(k);
  std::vector<row> rows;
  rows.push_back({"A remote_spawn, sequential",
                  [&spawner, node](const orders_t& o, handles_t& h) {
                    return spawn_a_sequential(spawner, node, o, h);
                  },
                  true});
  rows.push_back({"A remote_spawn, " + ks + " threads",
                  [&spawner, node, k](const orders_t& o, handles_t& h) {
                    return spawn_a_threads(spawner, node, o, h, k);
                  },
                  true});
  rows.push_back({"A middleman actor, " + ks + " in flight",
                  [&spawner, node, k](const orders_t& o, handles_t& h) {
                    return spawn_a_actor(spawner, node, o, h, k);
                  },
                  true});
  for (auto b : opt.batches)
    rows.push_back({"B batch " + std::to_string(b) + ", sequential",
                    [&spawner, manager, b](const orders_t& o, handles_t& h) {
                      return spawn_b(spawner, manager, o, h, b, 1);
                    },
                    false});
  for (size_t b : {size_t{1}, size_t{16}})
    rows.push_back({"B batch " + std::to_string(b) + ", " + ks + " in flight",
                    [&spawner, manager, b, k](const orders_t& o, handles_t& h) {
                      return spawn_b(spawner, manager, o, h, b, k);
                    },
                    false});
  return rows;
}

} // namespace

int main(int argc, char** argv) {
  options opt;
  if (!parse_options(argc, argv, opt)) {
    std::fprintf(stderr,
                 "usage: remote_spawn_bench [--n N,N,...] [--batch B,B,...] "
                 "[--inflight K] [--reps R] [--policy sharing|stealing] "
                 "[--threads T] [--link]\n");
    return 2;
  }
  link_to_supervisor = opt.link;
  caf::actor_system_config target_cfg;
  configure(target_cfg, opt);
  target_cfg.add_actor_type(contract_type_name, bench_contract);
  caf::actor_system target{target_cfg};
  auto manager = target.spawn(bench_manager);
  auto port = target.middleman().publish(manager, 0, "127.0.0.1", true);
  if (!port)
    fail("publish: " + target.render(port.error()));

  caf::actor_system_config spawner_cfg;
  configure(spawner_cfg, opt);
  int exit_code = 0;
  {
    caf::actor_system spawner{spawner_cfg};
    auto remote_manager = spawner.middleman().remote_actor<bench_manager_actor>(
        "127.0.0.1", *port);
    if (!remote_manager)
      fail("remote_actor: " + spawner.render(remote_manager.error()));
    const auto node = remote_manager->node();
    if (node == spawner.node())
      fail("both actor systems have the same node id");
    auto rows = make_rows(spawner, node, *remote_manager, opt);
    std::printf("scheduler %s, %zu threads per node, middleman.workers=0, "
                "K=%zu, median of %zu runs%s\n",
                opt.policy.c_str(), opt.threads, opt.inflight, opt.reps,
                opt.link ? ", contracts linked to a supervisor" : "");
    for (auto n : opt.sizes) {
      std::printf("\nN = %zu\n%-34s %12s %10s %10s\n", n, "method", "spawns/s",
                  "x A seq", "x A best");
      std::vector<double> rates;
      for (auto& r : rows)
        rates.push_back(measure(spawner, target, r, n, opt));
      double a_seq = rates[0];
      double a_best = 0;
      for (size_t i = 0; i < rows.size(); ++i)
        if (rows[i].is_a)
          a_best = std::max(a_best, rates[i]);
      for (size_t i = 0; i < rows.size(); ++i)
        std::printf("%-34s %12.0f %10.2f %10.2f\n", rows[i].label.c_str(),
                    rates[i], rates[i] / a_seq, rates[i] / a_best);
      std::fflush(stdout);
    }
    // The last message before the spawner leaves is a round trip (CAF
    // trap 3), and nothing of the spawner's is left on the target.
    caf::scoped_actor self{spawner};
    self->request(*remote_manager, request_timeout, spawn_batch{})
        .receive([](std::vector<caf::actor>&) {},
                 [&](caf::error& err) {
                   std::fprintf(stderr,
                                "remote_spawn_bench: last round trip: "
                                "%s\n",
                                spawner.render(err).c_str());
                   exit_code = 1;
                 });
  }
  caf::anon_send_exit(manager, caf::exit_reason::user_shutdown);
  return exit_code;
}
