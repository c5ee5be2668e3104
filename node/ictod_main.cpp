// `ictod`: one node of an ICTO Runtime cluster.
//
//   ictod --config FILE --node NAME [--data-dir DIR] [--log-level L]
//         [--http-port P]
//
// Loads and validates the topology, spawns the services it puts on NAME
// (node/platform.hpp), opens the ingress HTTP listener on the node's
// http_port, prints one line "ictod: node NAME ready on http://HOST:PORT"
// on stdout, and runs until SIGINT or SIGTERM; then it stops the listener,
// stops every contract and service, and exits 0.

#include "actors/common/durable.hpp"
#include "config/load_topology.hpp"
#include "messages/register.hpp"
#include "node/cluster.hpp"
#include "node/cluster_certs.hpp"
#include "node/ingress.hpp"
#include "node/logging.hpp"
#include "node/platform.hpp"
#include "persistence/journal_writer.hpp"
#include "persistence/node_store.hpp"

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/after.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>
#include <pthread.h>
#include <string>
#include <thread>

namespace {

/// Blocks SIGINT and SIGTERM in this thread and every thread it starts
/// (CAF's and the HTTP server's), so that only `sigwait` sees them.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"ictod: one node of an ICTO Runtime cluster"};
  std::string config_file;
  std::string node_name;
  std::optional<std::string> data_dir;
  std::optional<std::string> log_level;
  std::optional<uint16_t> http_port;
  app.add_option("--config", config_file, "The topology file (TOML)")
      ->required();
  app.add_option("--node", node_name, "This node's name in the topology")
      ->required();
  app.add_option("--data-dir", data_dir,
                 "Overrides the node's data_dir from the topology");
  app.add_option("--log-level", log_level,
                 "trace, debug, info, warn, error, critical or off");
  app.add_option("--http-port", http_port,
                 "Overrides the node's http_port (0: any free port)");
  unsigned join_timeout = 60;
  app.add_option("--join-timeout", join_timeout,
                 "Seconds to wait for the services of other nodes at start")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  auto loaded = icto::load_topology(config_file);
  if (!loaded) {
    for (auto& e : loaded.errors())
      std::cerr << "ictod: " << e.to_string() << '\n';
    return 1;
  }
  const auto& topo = loaded.value();
  const auto* node = topo.find_node(node_name);
  if (node == nullptr) {
    std::cerr << "ictod: " << config_file << " has no node '" << node_name
              << "'\n";
    return 1;
  }
  auto level = icto::resolve_log_level(log_level, topo.cluster.log_level);
  if (!level) {
    std::cerr << "ictod: --log-level: " << level.err().message << '\n';
    return 2;
  }
  auto logger = icto::make_node_logger(node_name, *level, node->log_file);
  if (!logger) {
    std::cerr << "ictod: " << logger.err().message << '\n';
    return 1;
  }
  auto log = *logger;
  const std::filesystem::path dir = data_dir ? std::filesystem::path{*data_dir}
                                             : node->data_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    log->critical("cannot create data dir {}: {}", dir.string(), ec.message());
    return 1;
  }

  // Before any thread starts (RocksDB's, the writer's, CAF's): they inherit
  // the mask, so SIGINT/SIGTERM reach only sigwait below.
  const auto stop_signals = block_stop_signals();

  auto opened = icto::store::node_store::open(dir / "store", node_name);
  if (!opened) {
    log->critical("cannot open the store: {}", opened.err().message);
    return 1;
  }
  auto store = std::move(*opened);
  // A failed write stops the node at once: nothing after it was
  // acknowledged, and retrying could reorder what is on disk.
  icto::store::journal_writer writer{
      *store,
      topo.persistence.durability == icto::durability_mode::async
          ? icto::store::durability::async
          : icto::store::durability::sync,
      [log](const std::string& message) {
        log->critical("store write failed, stopping the node: {}", message);
        log->flush();
        std::cerr << "ictod: store write failed, stopping the node: " << message
                  << std::endl;
        std::_Exit(3);
      }};

  // A topology of several nodes: BASP between them, heartbeats and
  // connection timeouts on (CAF-0.17-NOTES trap 2).
  const bool clustered = topo.nodes.size() > 1;
  caf::actor_system_config cfg;
  icto::register_messages(cfg);
  if (clustered) {
    cfg.load<caf::io::middleman>();
    icto::register_cluster_messages(cfg);
    cfg.set("middleman.heartbeat-interval",
            caf::timespan{topo.cluster.heartbeat_interval});
    cfg.set("middleman.connection-timeout",
            caf::timespan{topo.cluster.connection_timeout});
    // BASP over TLS when the topology gives certificates (every node or
    // none): only holders of a certificate of the cluster's CA connect.
    if (node->tls) {
      if (auto ok = icto::check_tls_files(*node->tls); !ok) {
        log->critical("tls: {}", ok.err().message);
        std::cerr << "ictod: tls: " << ok.err().message << std::endl;
        return 1;
      }
      icto::configure_tls(cfg, *node->tls);
    } else {
      log->warn("the cluster port speaks BASP in the clear: give every node "
                "a tls table (icto cluster certs) unless this network is "
                "trusted");
    }
  }
  // Blocking calls from the HTTP threads: no 50 µs naps between polls
  // (CAF-0.17-NOTES trap 7).
  cfg.set("work-stealing.moderate-sleep-duration", caf::timespan{0});
  cfg.set("logger.console-verbosity", caf::atom("quiet"));
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  int exit_code = 0;
  {
    caf::actor_system sys{cfg};
    auto ctx = std::make_shared<icto::node_context>();
    ctx->warn = [log](const std::string& text) {
      log->warn("{}", text);
    };
    ctx->persistence = std::make_shared<icto::node_persistence>();
    ctx->persistence->store = store.get();
    ctx->persistence->writer = &writer;
    if (topo.persistence.checkpoint_every_events > 0)
      ctx->persistence->checkpoint_every
          = topo.persistence.checkpoint_every_events;
    // The node manager, published on the cluster port, joins the others.
    caf::actor nm;
    const auto peer_timeout = topo.cluster.connection_timeout.count() > 0
                                  ? topo.cluster.connection_timeout
                                  : std::chrono::milliseconds{5000};
    icto::platform_options popts;
    if (clustered) {
      ctx->cluster = icto::make_cluster_view(topo, node_name);
      icto::node_manager_config ncfg;
      ncfg.topo = topo;
      ncfg.self = node_name;
      ncfg.connector = node->tls ? sys.openssl_manager().actor_handle()
                                 : sys.middleman().actor_handle();
      if (node->tls) {
        ncfg.prove = [tls = *node->tls](const std::string& context) {
          return icto::make_node_proof(tls, context);
        };
        ncfg.check_peer = [tls = *node->tls](const std::string& name,
                                             const std::string& context,
                                             const icto::node_proof& p) {
          return icto::check_node_proof(tls, name, context, p);
        };
      }
      ncfg.heartbeat = topo.cluster.heartbeat_interval;
      ncfg.request_timeout = peer_timeout;
      ncfg.info = [log](const std::string& text) {
        log->info("cluster: {}", text);
      };
      ncfg.warn = [log](const std::string& text) {
        log->warn("cluster: {}", text);
      };
      nm = icto::spawn_node_manager(sys, ctx, std::move(ncfg));
      ctx->node_manager = nm;
      auto published = node->tls
                           ? caf::openssl::publish(nm, node->port,
                                                   node->host.c_str(), true)
                           : sys.middleman().publish(nm, node->port,
                                                     node->host.c_str(), true);
      if (!published) {
        log->critical("cannot listen on the cluster port {}:{}: {}", node->host,
                      node->port, sys.render(published.error()));
        std::cerr << "ictod: cannot listen on the cluster port " << node->host
                  << ":" << node->port << ": " << sys.render(published.error())
                  << std::endl;
        caf::anon_send_exit(nm, caf::exit_reason::user_shutdown);
        return 1;
      }
      log->info("cluster port {}:{}, {} other nodes", node->host, *published,
                topo.nodes.size() - 1);
      popts.kick_restored = false;
      // A service of another node: tell the peers what this node has so
      // far (they may be waiting for it), then wait for it.
      popts.remote = [&](icto::service_id s) -> caf::actor {
        const auto id = icto::service_principal(s);
        if (auto h = ctx->dir.find_actor(id))
          return h;
        icto::announce_local(sys, nm, peer_timeout);
        log->info("waiting for {} on node {}", icto::to_string(s),
                  topo.host_of(s));
        const auto deadline = std::chrono::steady_clock::now()
                              + std::chrono::seconds{join_timeout};
        while (std::chrono::steady_clock::now() < deadline) {
          if (auto h = ctx->dir.find_actor(id))
            return h;
          std::this_thread::sleep_for(std::chrono::milliseconds{20});
        }
        return {};
      };
    }
    auto svc = icto::spawn_platform(sys, ctx, topo, *node, popts);
    if (!svc) {
      log->critical("cannot start node {}: {}", node_name, svc.err().message);
      std::cerr << "ictod: cannot start node " << node_name << ": "
                << svc.err().message << std::endl;
      // What did start (services and contracts restored before the error)
      // stops, or the actor system would wait for it forever.
      for (auto role : {icto::actor_role::contract, icto::actor_role::service})
        for (auto& h : ctx->dir.actors_with_role(role))
          caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
      if (nm)
        caf::anon_send_exit(nm, caf::exit_reason::user_shutdown);
      return 1;
    }
    if (clustered) {
      // Restored contracts are announced before they run: they call their
      // factories and the ledger on other nodes, which must know them.
      icto::set_contract_peers(sys, nm, svc->peers);
      auto acks = icto::announce_local(sys, nm, peer_timeout);
      icto::kick_restored(*svc);
      log->info("announced to {} peers", acks);
    }
    // A service that stops before the node does is an operator's
    // problem: say which and why.
    for (size_t i = 0; i < icto::service_count; ++i)
      if (svc->hosted[i] && svc->by_service[i])
        svc->by_service[i]->attach_functor(
            [log, &sys,
             name = std::string{icto::to_string(icto::all_services[i])}](
                const caf::error& why) {
              if (why != caf::exit_reason::user_shutdown)
                log->error("service {} stopped: {}", name, sys.render(why));
            });
    for (auto& w : svc->recovery_warnings)
      log->warn("recovery: {}", w);
    for (auto& r : svc->recovered)
      log->info("recovered {}", r);
    log->info("node {}: {} services up, contract ids {}..{}, store {} ({})",
              node_name, svc->all().size(), node->contract_ids.start,
              node->contract_ids.end() - 1, (dir / "store").string(),
              icto::to_string(topo.persistence.durability));
    icto::ingress_config icfg;
    icfg.node_name = node_name;
    icfg.cluster_name = topo.cluster.name;
    icfg.host = node->host;
    icfg.port = http_port ? *http_port : node->http_port;
    if (topo.cluster.request_timeout.count() > 0)
      icfg.call_timeout = topo.cluster.request_timeout;
    icfg.topo = &topo;
    for (auto r : node->roles)
      icfg.roles.emplace_back(icto::to_string(r));
    icfg.cluster_address = node->host + ":" + std::to_string(node->port);
    icto::ingress_server ingress{sys, ctx, *svc, icfg};
    auto port = ingress.start();
    if (!port) {
      log->critical("{}", port.err().message);
      exit_code = 1;
    } else {
      std::cout << "ictod: node " << node_name << " ready on http://"
                << node->host << ":" << *port << std::endl;
      log->info("ingress listening on http://{}:{}", node->host, *port);
      int sig = 0;
      sigwait(&stop_signals, &sig);
      log->info("signal {}: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    ingress.stop();
    // A checkpoint of every journaled service, written before anything
    // stops, so the next start replays a short journal.
    {
      caf::scoped_actor self{sys};
      for (auto& h : svc->journaled)
        self->request(h, std::chrono::seconds{5}, icto::ckpt_now_atom::value)
            .receive([](uint64_t) {}, [](caf::error&) {});
      // The contracts, all at once: each answers (a sequence number, or an
      // error if it keeps no journal) once its checkpoint is handed over.
      auto contracts = ctx->dir.actors_with_role(icto::actor_role::contract);
      for (auto& h : contracts)
        self->send(h, icto::ckpt_now_atom::value);
      size_t answered = 0;
      bool waited_out = false;
      self->receive_while([&] {
        return answered < contracts.size() && !waited_out;
      })(
          [&](uint64_t) {
            ++answered;
          },
          [&](caf::error&) {
            ++answered;
          },
          caf::after(std::chrono::seconds{10}) >>
              [&] {
                waited_out = true;
              });
      if (waited_out)
        log->warn("{} of {} contracts did not take their shutdown checkpoint "
                  "in time; they replay their journal at the next start",
                  contracts.size() - answered, contracts.size());
    }
    if (!writer.flush())
      exit_code = 3;
    // Contracts first (they call their factories), then the services.
    for (auto& h : ctx->dir.actors_with_role(icto::actor_role::contract))
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    for (auto& h : svc->all())
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    if (nm)
      caf::anon_send_exit(nm, caf::exit_reason::user_shutdown);
    sys.await_all_actors_done();
    log->info("node {} stopped", node_name);
  }
  log->flush();
  return exit_code;
}
