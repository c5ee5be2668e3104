// `icto`: the command-line client, like `dfx`.
//   icto principal TEXT | --from-hex HEX   show a principal as JSON
//   icto config check FILE                 validate a topology file
//   icto identity new|list|use|whoami      Ed25519 identities in $ICTO_HOME
//   icto call TARGET METHOD 'JSON' [--as NAME] [--node URL|--config FILE]
//                                          a signed call to a node's ingress
//   icto methods [TARGET [METHOD]]         what a service or contract kind
//                                          answers, with argument shapes
//   icto load [--users N --deployments N ...]
//                                          the load generator (node/load.hpp)
//   icto load check --ack-log FILE         its invariant check alone
//   icto cluster up|status|down --config FILE [--data-dir DIR]
//                                          every node of a topology as a
//                                          detached ictod
//                                          (node/cluster_cli.hpp)
//   icto cluster certs --config FILE [--out DIR] [--force] [--node NAME]
//                                          dev CA and node certificates for
//                                          BASP over TLS
//                                          (node/cluster_certs.hpp)
// Exit codes: 0 success, 1 an error (reply or refusal, printed as JSON
// {"err": …} on stdout for calls), 2 bad usage.

#include "config/dev_identity.hpp"
#include "config/load_topology.hpp"
#include "config/topology.hpp"
#include "messages/api_types.hpp"
#include "messages/json.hpp"
#include "messages/methods.hpp"
#include "messages/principal.hpp"
#include "node/cluster_certs.hpp"
#include "node/cluster_cli.hpp"
#include "node/config_check.hpp"
#include "node/identity.hpp"
#include "node/load.hpp"
#include "node/signed_call.hpp"

#include <CLI/CLI.hpp>
#include <httplib.h>
#include <sodium.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

/// Prints {"text", "hex", "kind"} of a principal; exit 1 on bad input.
int run_principal(const std::string& text, const std::string& hex) {
  auto p = hex.empty() ? icto::principal::from_text(text)
                       : icto::principal::from_hex(hex);
  if (!p) {
    std::cerr << "icto principal: " << p.err().message << '\n';
    return 1;
  }
  icto::json::value out = {
      {"text", p->to_text()},
      {"hex", p->to_hex()},
      {"kind", icto::to_string(p->kind())},
  };
  std::cout << out.dump() << '\n';
  return 0;
}

/// The identity `--as NAME` names, or the one in use. `admin` without a
/// stored identity of that name is the public dev admin key.
icto::result<icto::identity> pick_identity(const icto::identity_store& store,
                                           const std::string& as) {
  if (as.empty())
    return store.current();
  if (auto x = store.load(as))
    return x;
  if (as == "admin") {
    std::cerr << "icto: using the public dev admin key (dev topologies "
                 "only)\n";
    return icto::identity::from_seed("admin", icto::dev_admin_seed);
  }
  return store.load(as);
}

int run_identity(const std::string& action, const std::string& name) {
  icto::identity_store store{icto::identity_store::default_home()};
  if (action == "new") {
    auto x = store.create(name);
    if (!x) {
      std::cerr << "icto identity new: " << x.err().message << '\n';
      return 1;
    }
    std::cout << icto::json::value{{"name", x->name},
                                   {"principal", x->id().to_text()}}
                     .dump()
              << '\n';
    return 0;
  }
  if (action == "list") {
    auto current = store.current_name();
    for (auto& n : store.list())
      std::cout << n << (n == current ? " *" : "") << '\n';
    return 0;
  }
  if (action == "use") {
    if (auto ok = store.use(name); !ok) {
      std::cerr << "icto identity use: " << ok.err().message << '\n';
      return 1;
    }
    return 0;
  }
  // whoami
  auto x = pick_identity(store, name);
  if (!x) {
    std::cerr << "icto identity whoami: " << x.err().message << '\n';
    return 1;
  }
  std::cout << x->id().to_text() << '\n';
  return 0;
}

/// "http://host:port" of the node to call: --node, else the node of
/// --config that hosts the target (the gateway for contracts), else
/// $ICTO_URL, else the single-node default.
icto::result<std::string> node_url(const std::string& node,
                                   const std::string& config_file,
                                   const std::string& target) {
  if (!node.empty())
    return node;
  if (config_file.empty()) {
    const char* env = std::getenv("ICTO_URL");
    return std::string{
        env != nullptr && *env != '\0' ? env : "http://127.0.0.1:8100"};
  }
  auto topo = icto::load_topology(config_file);
  if (!topo) {
    std::string all;
    for (auto& e : topo.errors())
      all += e.to_string() + "\n";
    return icto::make_error(icto::input_errc::bad_value, all);
  }
  const icto::node_config* n = topo.value().node_for_service(target);
  if (n == nullptr)
    n = topo.value().node_for_service("backend");
  if (n == nullptr)
    return icto::make_error(icto::input_errc::bad_value,
                            config_file + ": no node to call");
  return "http://" + n->host + ":" + std::to_string(n->http_port);
}

int run_call(const std::string& target, const std::string& method,
             const std::string& args_text, const std::string& as,
             bool anonymous, const std::string& node,
             const std::string& config_file) {
  auto args = icto::json::value::parse(args_text, nullptr, false);
  if (args.is_discarded()) {
    std::cerr << "icto call: the arguments are not JSON: " << args_text << '\n';
    return 2;
  }
  icto::call_envelope call;
  call.target = target;
  call.method = method;
  call.args = std::move(args);
  call.nonce.resize(16);
  randombytes_buf(call.nonce.data(), call.nonce.size());
  using namespace std::chrono;
  call.ingress_expiry = static_cast<uint64_t>(
      duration_cast<nanoseconds>(
          (system_clock::now() + minutes{4}).time_since_epoch())
          .count());
  if (!anonymous) {
    icto::identity_store store{icto::identity_store::default_home()};
    auto who = pick_identity(store, as);
    if (!who) {
      std::cerr << "icto call: " << who.err().message << '\n';
      return 1;
    }
    icto::sign_call(call, *who);
  }
  auto url = node_url(node, config_file, target);
  if (!url) {
    std::cerr << "icto call: " << url.err().message << '\n';
    return 2;
  }
  httplib::Client client{*url};
  client.set_connection_timeout(5);
  client.set_read_timeout(60);
  auto res = client.Post("/api/v1/call", icto::to_json(call).dump(),
                         "application/json");
  if (!res) {
    std::cout << icto::json::value{{"err",
                                    {{"code", "unreachable"},
                                     {"message",
                                      "no answer from " + *url + ": "
                                          + httplib::to_string(res.error())}}}}
                     .dump()
              << '\n';
    return 1;
  }
  auto reply = icto::json::value::parse(res->body, nullptr, false);
  if (reply.is_discarded()) {
    std::cout << icto::json::value{{"err",
                                    {{"code", "bad_reply"},
                                     {"message",
                                      "HTTP " + std::to_string(res->status)
                                          + ": " + res->body}}}}
                     .dump()
              << '\n';
    return 1;
  }
  std::cout << reply.dump() << '\n';
  return res->status == 200 && reply.contains("ok") ? 0 : 1;
}

/// The public methods of a service name or contract kind, or nullptr.
const std::vector<icto::method_info>* methods_of_target(const std::string& t) {
  if (auto s = icto::parse_service_id(t))
    return &icto::methods_of(*s);
  if (auto k = icto::enum_from_string<icto::contract_kind>(t))
    return &icto::methods_of(*k);
  return nullptr;
}

std::string signature(const icto::method_info& m) {
  const char* access = m.access == icto::method_access::query ? "query "
                                                              : "update";
  return std::string{access} + "  " + std::string{m.name} + "(" + m.request_type
         + ") -> " + m.reply_type;
}

/// `icto methods`: the targets; `icto methods TARGET`: its methods;
/// `icto methods TARGET METHOD`: the method and the shapes of its types.
int run_methods(const std::string& target, const std::string& method) {
  if (target.empty()) {
    std::cout << "services:";
    for (const auto& n :
         icto_enum_names(static_cast<icto::service_id*>(nullptr)))
      std::cout << ' ' << n.name;
    std::cout << "\ncontract kinds:";
    for (const auto& n :
         icto_enum_names(static_cast<icto::contract_kind*>(nullptr)))
      std::cout << ' ' << n.name;
    std::cout << "\n(icto methods TARGET lists what it answers)\n";
    return 0;
  }
  const auto* table = methods_of_target(target);
  if (table == nullptr) {
    std::cerr << "icto methods: '" << target
              << "' is neither a service name nor a contract kind (run "
                 "`icto methods` for the list)\n";
    return 2;
  }
  bool found = false;
  for (const auto& m : *table) {
    if (m.access == icto::method_access::internal)
      continue;
    if (method.empty()) {
      std::cout << signature(m) << '\n';
      continue;
    }
    if (m.name != method)
      continue;
    found = true;
    std::cout << signature(m) << "\n\n"
              << icto::render_api_types(
                     icto::api_types_of(m.request_type + " " + m.reply_type));
  }
  if (!method.empty() && !found) {
    std::cerr << "icto methods: " << target << " has no method '" << method
              << "' that ingress accepts\n";
    return 1;
  }
  return 0;
}

/// Adds `cluster certs` to `cluster_cmd`; `run_cluster_certs` runs it once
/// parsed (its options are read back from the returned command).
CLI::App* add_cluster_certs_command(CLI::App& cluster_cmd) {
  auto* cmd = cluster_cmd.add_subcommand(
      "certs", "Make a dev CA and a TLS certificate per node for BASP over "
               "TLS (where each node's tls table says, else DIR)");
  cmd->add_option("--config")
      ->description("The topology file (TOML)")
      ->type_name("FILE")
      ->required();
  cmd->add_option("--out")
      ->description("Where the files of nodes without a tls table go "
                    "(default: <config folder>/certs)")
      ->type_name("DIR");
  cmd->add_flag("--force", "Overwrite existing files (and make a new CA "
                           "unless --node is given)");
  cmd->add_option("--node")
      ->description("Sign only this node, with the existing CA (repeatable)")
      ->type_name("NAME")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  return cmd;
}

/// `icto cluster certs`: 0 written, 1 refused or failed, 2 bad usage.
int run_cluster_certs(const CLI::App& cmd) {
  namespace fs = std::filesystem;
  const auto config_file = cmd.get_option("--config")->as<std::string>();
  auto topo = icto::load_topology(config_file);
  if (!topo) {
    for (auto& e : topo.errors())
      std::cerr << "icto cluster certs: " << e.to_string() << '\n';
    return 1;
  }
  icto::dev_certs_options opt;
  opt.force = cmd.count("--force") > 0;
  if (cmd.count("--node") > 0)
    opt.nodes = cmd.get_option("--node")->as<std::vector<std::string>>();
  const bool has_tls = !topo->nodes.empty() && topo->nodes.front().tls;
  if (cmd.count("--out") > 0) {
    if (has_tls) {
      std::cerr << "icto cluster certs: --out: the nodes of " << config_file
                << " have tls tables, which say where their files go\n";
      return 2;
    }
    opt.out = fs::absolute(cmd.get_option("--out")->as<std::string>());
  } else {
    opt.out = fs::absolute(config_file).parent_path() / "certs";
  }
  std::string report;
  auto ok = icto::make_dev_certs(*topo, opt, report);
  std::cout << report;
  if (!ok) {
    std::cerr << "icto cluster certs: " << ok.err().message << '\n';
    return 1;
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"icto: the ICTO Runtime command-line client"};
  app.require_subcommand(1);

  auto* principal_cmd = app.add_subcommand(
      "principal",
      "Show a principal's textual form, hex bytes and kind as JSON");
  std::string text;
  std::string hex;
  auto* text_opt = principal_cmd->add_option("text", text,
                                             "A principal in textual form");
  auto* hex_opt = principal_cmd->add_option(
      "--from-hex", hex, "The principal's raw bytes in hex instead");
  text_opt->excludes(hex_opt);
  principal_cmd->callback([&] {
    if (text.empty() && hex.empty())
      throw CLI::RequiredError("TEXT or --from-hex HEX");
  });

  auto* config_cmd = app.add_subcommand("config", "Work with topology files");
  config_cmd->require_subcommand(1);
  auto* check_cmd = config_cmd->add_subcommand(
      "check", "Validate a topology file and show what it describes");
  std::string config_file;
  check_cmd->add_option("file", config_file, "The topology file (TOML)")
      ->required();

  auto* identity_cmd = app.add_subcommand(
      "identity", "Manage Ed25519 identities (like dfx identity)");
  identity_cmd->require_subcommand(1);
  std::string identity_name;
  auto* id_new = identity_cmd->add_subcommand("new", "Make a new identity");
  id_new->add_option("name", identity_name, "Its name")->required();
  auto* id_list = identity_cmd->add_subcommand("list", "List identities");
  auto* id_use = identity_cmd->add_subcommand("use",
                                              "Use an identity from now on");
  id_use->add_option("name", identity_name, "Its name")->required();
  auto* id_whoami = identity_cmd->add_subcommand(
      "whoami", "Print the principal of the identity in use (or NAME)");
  id_whoami->add_option("name", identity_name, "An identity's name");

  auto* call_cmd = app.add_subcommand(
      "call", "Sign a call and send it to a node's ingress");
  std::string call_target;
  std::string call_method;
  std::string call_args = "{}";
  std::string call_as;
  std::string call_node;
  std::string call_config;
  bool call_anonymous = false;
  call_cmd
      ->add_option("target", call_target,
                   "A service name (backend, ledger, ...) or a contract id")
      ->required();
  call_cmd->add_option("method", call_method, "The method")->required();
  call_cmd->add_option("args", call_args, "The arguments as JSON ({})");
  call_cmd->add_option("--as", call_as, "Sign as this identity");
  auto* node_opt = call_cmd->add_option(
      "--node", call_node,
      "The node's URL (default: $ICTO_URL, else http://127.0.0.1:8100)");
  auto* config_opt = call_cmd->add_option("--config", call_config,
                                          "Find the node in this topology");
  node_opt->excludes(config_opt);
  call_cmd->add_flag("--anonymous", call_anonymous,
                     "Send unsigned (queries only)");

  auto* methods_cmd = app.add_subcommand(
      "methods", "Show what a service or contract kind answers");
  std::string methods_target;
  std::string methods_method;
  methods_cmd->add_option("target", methods_target,
                          "A service name or a contract kind (token, ...)");
  methods_cmd->add_option("method", methods_method,
                          "A method: show the shapes of its types too");

  auto* load_cmd = app.add_subcommand(
      "load", "Drive a node with signed calls from several threads: users, "
              "paid deployments, contract calls; a summary; the invariants");
  load_cmd->require_subcommand(0, 1);
  std::string load_node;
  std::string load_as = "admin";
  std::string load_kinds = "token,multisig,distribution,dao,launchpad";
  size_t load_users = 20;
  size_t load_deployments = 100;
  int64_t load_calls = -1;
  size_t load_concurrency = 8;
  double load_rate = 0;
  uint64_t load_seed = 1;
  std::string load_ack_log;
  std::string load_json;
  bool load_stop_on_disconnect = false;
  bool load_no_check = false;
  auto kinds_valid = [](const std::string& kinds_text) -> std::string {
    auto k = icto::load::parse_kinds(kinds_text);
    return k ? std::string{} : k.err().message;
  };
  load_cmd->add_option(
      "--node", load_node,
      "The node's URL (default: $ICTO_URL, else http://127.0.0.1:8100)");
  load_cmd->add_option("--as", load_as,
                       "The admin identity: runs setupMicroservices, mints "
                       "test ICP, reads invoices for the check (admin)");
  load_cmd
      ->add_option("--users", load_users,
                   "Load users: identities load-0 .. load-{N-1} in "
                   "$ICTO_HOME, made if missing (20)")
      ->check(CLI::Range(size_t{1}, size_t{10000}));
  load_cmd
      ->add_option("--deployments", load_deployments,
                   "Paid deployments through the backend (100)")
      ->check(CLI::Range(size_t{0}, size_t{10000000}));
  load_cmd
      ->add_option("--calls", load_calls,
                   "Contract calls after the deployments (2 per deployment)")
      ->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  load_cmd
      ->add_option("--concurrency", load_concurrency,
                   "Threads, each with one call in flight (8)")
      ->check(CLI::Range(size_t{1}, size_t{256}));
  load_cmd
      ->add_option("--rate", load_rate,
                   "Operations per second, 0 = flat out (0)")
      ->check(CLI::Range(0.0, 1e9));
  load_cmd->add_option("--seed", load_seed,
                       "Seeds the choice of kinds, users and calls (1)");
  load_cmd
      ->add_option("--kinds", load_kinds,
                   "Contract kinds to deploy, comma-separated (all five)")
      ->check(CLI::Validator(kinds_valid, "KINDS"));
  load_cmd->add_option("--ack-log", load_ack_log,
                       "Append one JSON line per acknowledged operation");
  load_cmd->add_option("--json", load_json, "Write the summary as JSON");
  load_cmd->add_flag("--stop-on-disconnect", load_stop_on_disconnect,
                     "A node that stops answering ends the run with exit 0");
  load_cmd->add_flag("--no-check", load_no_check,
                     "Skip the invariant check at the end");
  auto* load_check_cmd = load_cmd->add_subcommand(
      "check", "Check the invariants for what an ack log says was "
               "acknowledged");
  std::string check_ack_log;
  std::string check_node;
  std::string check_as = "admin";
  size_t check_concurrency = 8;
  load_check_cmd->add_option("--ack-log", check_ack_log, "The ack log")
      ->required();
  load_check_cmd->add_option(
      "--node", check_node,
      "The node's URL (default: $ICTO_URL, else http://127.0.0.1:8100)");
  load_check_cmd->add_option("--as", check_as,
                             "The admin identity that reads invoices and "
                             "audit entries (admin)");
  load_check_cmd->add_option("--concurrency", check_concurrency, "Threads (8)")
      ->check(CLI::Range(size_t{1}, size_t{256}));

  auto* cluster_cmd = app.add_subcommand(
      "cluster", "Start, inspect and stop every node of a topology on this "
                 "machine; make its TLS certificates");
  cluster_cmd->require_subcommand(1);
  auto* certs_cmd = add_cluster_certs_command(*cluster_cmd);
  icto::cluster_cli::up_options up_opt;
  icto::cluster_cli::status_options status_opt;
  icto::cluster_cli::down_options down_opt;
  int64_t up_timeout = 60;
  int64_t down_timeout = 30;
  const char* data_dir_help
      = "Base folder B: logs, cluster.json, and B/NODE as each node's data "
        "dir (default: <folder of FILE>/data, nodes keep their data_dir)";
  auto* up_cmd = cluster_cmd->add_subcommand(
      "up", "Start every node as a detached ictod and wait until all are "
            "ready");
  up_cmd->add_option("--config", up_opt.config, "The topology file (TOML)")
      ->required();
  up_cmd->add_option("--data-dir", up_opt.data_dir, data_dir_help);
  up_cmd
      ->add_option("--timeout", up_timeout,
                   "Seconds every node has to become ready (60)")
      ->check(CLI::Range(int64_t{0}, int64_t{86400}));
  up_cmd->add_option("--ictod", up_opt.ictod,
                     "The ictod binary (default: ictod next to icto)");
  auto* status_cmd = cluster_cmd->add_subcommand(
      "status", "Ask every node's /api/v1/status; exit 0 if all are up");
  status_cmd
      ->add_option("--config", status_opt.config, "The topology file (TOML)")
      ->required();
  status_cmd->add_option("--data-dir", status_opt.data_dir, data_dir_help);
  status_cmd->add_flag("--json", status_opt.json,
                       "Print the rows as a JSON array");
  auto* down_cmd = cluster_cmd->add_subcommand(
      "down", "Stop the nodes `icto cluster up` started (SIGTERM, then "
              "SIGKILL after the timeout)");
  down_cmd->add_option("--config", down_opt.config, "The topology file (TOML)")
      ->required();
  down_cmd->add_option("--data-dir", down_opt.data_dir, data_dir_help);
  down_cmd
      ->add_option("--timeout", down_timeout,
                   "Seconds each node has to stop after SIGTERM (30)")
      ->check(CLI::Range(int64_t{0}, int64_t{86400}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 exits 0 for --help; usage errors exit 2.
    auto rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (principal_cmd->parsed())
    return run_principal(text, hex);
  if (certs_cmd->parsed())
    return run_cluster_certs(*certs_cmd);
  if (check_cmd->parsed())
    return icto::run_config_check(config_file, std::cout, std::cerr);
  if (id_new->parsed())
    return run_identity("new", identity_name);
  if (id_list->parsed())
    return run_identity("list", identity_name);
  if (id_use->parsed())
    return run_identity("use", identity_name);
  if (id_whoami->parsed())
    return run_identity("whoami", identity_name);
  if (methods_cmd->parsed())
    return run_methods(methods_target, methods_method);
  if (up_cmd->parsed()) {
    up_opt.timeout = std::chrono::seconds{up_timeout};
    return icto::cluster_cli::run_up(up_opt, std::cout, std::cerr);
  }
  if (status_cmd->parsed())
    return icto::cluster_cli::run_status(status_opt, std::cout, std::cerr);
  if (down_cmd->parsed()) {
    down_opt.timeout = std::chrono::seconds{down_timeout};
    return icto::cluster_cli::run_down(down_opt, std::cout, std::cerr);
  }
  if (call_cmd->parsed())
    return run_call(call_target, call_method, call_args, call_as,
                    call_anonymous, call_node, call_config);
  if (load_check_cmd->parsed()) {
    icto::identity_store store{icto::identity_store::default_home()};
    auto admin = pick_identity(store, check_as);
    if (!admin) {
      std::cerr << "icto load check: --as: " << admin.err().message << '\n';
      return 2;
    }
    icto::load::check_options opt;
    opt.node_url = *node_url(check_node, "", "backend");
    opt.admin = std::move(*admin);
    opt.ack_log_file = check_ack_log;
    opt.concurrency = check_concurrency;
    return icto::load::run_check(opt, std::cout, std::cerr);
  }
  if (load_cmd->parsed()) {
    icto::identity_store store{icto::identity_store::default_home()};
    auto admin = pick_identity(store, load_as);
    if (!admin) {
      std::cerr << "icto load: --as: " << admin.err().message << '\n';
      return 2;
    }
    icto::load::options opt;
    opt.node_url = *node_url(load_node, "", "backend");
    opt.admin = std::move(*admin);
    opt.users = load_users;
    opt.deployments = load_deployments;
    opt.calls = load_calls < 0 ? 2 * load_deployments
                               : static_cast<size_t>(load_calls);
    opt.concurrency = load_concurrency;
    opt.rate = load_rate;
    opt.seed = load_seed;
    opt.kinds = *icto::load::parse_kinds(load_kinds);
    opt.ack_log_file = load_ack_log;
    opt.json_file = load_json;
    opt.stop_on_disconnect = load_stop_on_disconnect;
    opt.check = !load_no_check;
    return icto::load::run(opt, std::cout, std::cerr);
  }
  return 2;
}
