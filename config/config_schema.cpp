#include "config/config_schema.hpp"

#include <algorithm>
#include <string>

namespace icto {

namespace {

constexpr int64_t max_port = 65535;
constexpr int64_t max_i64 = std::numeric_limits<int64_t>::max();
/// One day: a longer timeout or interval is a typo (seconds for ms?).
constexpr int64_t max_ms = 24 * 60 * 60 * 1000;

/// Builds one `config_key`; keeps the table below readable.
class def {
 public:
  def(std::string path, config_type type, std::string description) {
    k_.path = std::move(path);
    k_.type = type;
    k_.description = std::move(description);
  }

  def& required() {
    k_.required = true;
    return *this;
  }
  def& fallback(config_value x) {
    k_.default_value = std::move(x);
    return *this;
  }
  def& computed(std::string note) {
    k_.default_note = std::move(note);
    return *this;
  }
  def& range(int64_t min, int64_t max) {
    k_.min = min;
    k_.max = max;
    return *this;
  }
  def& at_least(size_t n) {
    k_.min_items = n;
    return *this;
  }
  def& form(string_form x) {
    k_.form = x;
    return *this;
  }
  template <class Names>
  def& one_of(const Names& names, std::string noun) {
    k_.form = string_form::choice;
    for (auto&& x : names)
      k_.choices.emplace_back(to_name(x));
    k_.noun = std::move(noun);
    return *this;
  }
  def& noun(std::string x) {
    k_.noun = std::move(x);
    return *this;
  }
  def& store(config_store_fn f) {
    k_.store = f;
    return *this;
  }

  operator config_key() const {
    return k_;
  }

 private:
  static std::string to_name(std::string_view x) {
    return std::string{x};
  }
  template <class Enum>
  static std::string to_name(Enum x) {
    return to_string(x);
  }

  config_key k_;
};

std::chrono::milliseconds ms(const config_value& x) {
  return std::chrono::milliseconds{x.integer()};
}

// REQUIRES: the key's range starts at 0 or above.
uint64_t u64(const config_value& x) {
  return static_cast<uint64_t>(x.integer());
}

// REQUIRES: the key's form is principal (checked before store).
principal to_principal(const std::string& text) {
  return principal::from_text(text).value();
}

void add_factory(std::vector<config_key>& keys, service_id id,
                 config_store_fn store_fee, config_store_fn store_enabled,
                 config_store_fn store_cycles, int64_t fee, int64_t cycles) {
  std::string name{to_string(id)};
  std::string prefix = "fees." + name;
  keys.push_back(
      def(prefix, config_type::table, "Fee and flags of the `" + name + "`."));
  keys.push_back(def(prefix + ".fee", config_type::integer,
                     "What one deployment costs the user, in e8s.")
                     .fallback(fee)
                     .range(0, max_i64)
                     .store(store_fee));
  keys.push_back(def(prefix + ".enabled", config_type::boolean,
                     "Whether the backend accepts deployments of this kind.")
                     .fallback(true)
                     .store(store_enabled));
  keys.push_back(
      def(prefix + ".initial_cycles", config_type::integer,
          "Cycles a new contract starts with (kept for ICTO V2 parity; "
          "nothing charges cycles here).")
          .fallback(cycles)
          .range(0, max_i64)
          .store(store_cycles));
}

template <factory_settings fee_settings::*Factory>
void add_factory(std::vector<config_key>& keys, service_id id, int64_t fee,
                 int64_t cycles) {
  add_factory(
      keys, id,
      [](topology& t, node_config*, const config_value& x) {
        (t.fees.*Factory).fee = u64(x);
      },
      [](topology& t, node_config*, const config_value& x) {
        (t.fees.*Factory).enabled = x.boolean();
      },
      [](topology& t, node_config*, const config_value& x) {
        (t.fees.*Factory).initial_cycles = u64(x);
      },
      fee, cycles);
}

template <service_id Service>
void store_host(topology& t, node_config*, const config_value& x) {
  t.host_of(Service) = x.str();
}

std::vector<config_key> make_schema() {
  using ct = config_type;
  std::vector<config_key> keys;
  auto add = [&keys](config_key k) {
    keys.push_back(std::move(k));
  };

  // -- [cluster] --------------------------------------------------------------

  add(def("cluster", ct::table, "Settings every node shares."));
  add(def("cluster.name", ct::string,
          "The cluster's name, shown in logs and by `icto cluster status`.")
          .fallback("icto")
          .form(string_form::name)
          .store([](topology& t, node_config*, const config_value& x) {
            t.cluster.name = x.str();
          }));
  add(def("cluster.placement", ct::string,
          "Where factories put new contracts: `local` = on the factory's "
          "node; the others choose among the nodes with role `contracts` "
          "(in turn, the least loaded, or by a hash of the owner).")
          .fallback("round_robin")
          .one_of(all_placement_policies, "placement policy")
          .store([](topology& t, node_config*, const config_value& x) {
            t.cluster.placement = *parse_placement_policy(x.str());
          }));
  add(def("cluster.request_timeout_ms", ct::integer,
          "How long a caller waits for a reply before it fails with a "
          "timeout.")
          .fallback(5000)
          .range(1, max_ms)
          .store([](topology& t, node_config*, const config_value& x) {
            t.cluster.request_timeout = ms(x);
          }));
  add(def("cluster.heartbeat_interval_ms", ct::integer,
          "Interval of CAF's middleman heartbeats, which notice a lost "
          "node; 0 = off, allowed with one node only.")
          .fallback(1000)
          .range(0, max_ms)
          .store([](topology& t, node_config*, const config_value& x) {
            t.cluster.heartbeat_interval = ms(x);
          }));
  add(def("cluster.connection_timeout_ms", ct::integer,
          "How long a node tries to reach a peer before it backs off and "
          "retries.")
          .fallback(5000)
          .range(1, max_ms)
          .store([](topology& t, node_config*, const config_value& x) {
            t.cluster.connection_timeout = ms(x);
          }));
  add(def("cluster.health_check_interval_ms", ct::integer,
          "How often the backend checks the health of each service (the "
          "circuit breaker's input).")
          .fallback(10000)
          .range(1, max_ms)
          .store([](topology& t, node_config*, const config_value& x) {
            t.cluster.health_check_interval = ms(x);
          }));
  add(def("cluster.log_level", ct::string,
          "Log level of every node; `--log-level` on the command line "
          "overrides it.")
          .fallback("info")
          .one_of(all_log_levels, "log level")
          .store([](topology& t, node_config*, const config_value& x) {
            t.cluster.log_level = x.str();
          }));
  add(def("cluster.dev_mode", ct::boolean,
          "Marks a development topology: only then may the public dev admin "
          "key (`config/README.md`) be a controller or the minting account.")
          .fallback(false)
          .store([](topology& t, node_config*, const config_value& x) {
            t.cluster.dev_mode = x.boolean();
          }));

  // -- [persistence] ----------------------------------------------------------

  add(def("persistence", ct::table, "How each node's store writes."));
  add(def("persistence.checkpoint_every_events", ct::integer,
          "An actor checkpoints its whole state after this many journal "
          "events.")
          .fallback(10000)
          .range(1, max_i64)
          .store([](topology& t, node_config*, const config_value& x) {
            t.persistence.checkpoint_every_events = u64(x);
          }));
  add(def("persistence.durability", ct::string,
          "`sync`: the journal write is synced before the reply; `async`: "
          "not synced, a crash may lose acknowledged changes (benchmarks "
          "only).")
          .fallback("sync")
          .one_of(all_durability_modes, "durability mode")
          .store([](topology& t, node_config*, const config_value& x) {
            t.persistence.durability = *parse_durability_mode(x.str());
          }));

  // -- [admins] ---------------------------------------------------------------

  add(def("admins", ct::table, "Who administers the backend.").required());
  add(def("admins.controllers", ct::string_array,
          "The backend's super admins, as principal text; no duplicates.")
          .required()
          .at_least(1)
          .form(string_form::principal)
          .store([](topology& t, node_config*, const config_value& x) {
            for (auto& text : x.strings())
              t.controllers.push_back(to_principal(text));
          }));

  // -- [ledger] ---------------------------------------------------------------

  add(def("ledger", ct::table,
          "The ICRC-1/ICRC-2 ledger that takes the fees."));
  add(def("ledger.fee", ct::integer, "The ledger's transfer fee, in e8s.")
          .fallback(10000)
          .range(0, max_i64)
          .store([](topology& t, node_config*, const config_value& x) {
            t.ledger.fee = u64(x);
          }));
  add(def("ledger.minting_account", ct::string,
          "The account that mints tokens; transfers from it mint, "
          "transfers to it burn.")
          .computed("the first controller")
          .form(string_form::principal)
          .store([](topology& t, node_config*, const config_value& x) {
            t.ledger.minting_account = to_principal(x.str());
          }));
  add(def("ledger.token_name", ct::string, "The token's name (ICRC-1).")
          .fallback("Internet Computer")
          .form(string_form::non_empty)
          .store([](topology& t, node_config*, const config_value& x) {
            t.ledger.token_name = x.str();
          }));
  add(def("ledger.token_symbol", ct::string, "The token's symbol (ICRC-1).")
          .fallback("ICP")
          .form(string_form::non_empty)
          .store([](topology& t, node_config*, const config_value& x) {
            t.ledger.token_symbol = x.str();
          }));
  add(def("ledger.decimals", ct::integer,
          "Decimal places of the token (ICRC-1).")
          .fallback(8)
          .range(0, 18)
          .store([](topology& t, node_config*, const config_value& x) {
            t.ledger.decimals = static_cast<uint8_t>(x.integer());
          }));

  // -- [services] -------------------------------------------------------------

  add(def("services", ct::table,
          "Which node hosts each service: the name of a `[[node]]` with "
          "role `gateway` (the first four) or `factories` (the five "
          "factories). Every service exactly once.")
          .required()
          .noun("service"));
  struct service_doc {
    service_id id;
    const char* text;
    config_store_fn store;
  };
  const service_doc services[] = {
      {service_id::backend,
       "The gateway: auth, payments, config, admins, factory registry, "
       "deployment pipeline.",
       store_host<service_id::backend>},
      {service_id::ledger, "The ICRC-1/ICRC-2 ledger.",
       store_host<service_id::ledger>},
      {service_id::audit_storage, "The append-only audit trail.",
       store_host<service_id::audit_storage>},
      {service_id::invoice_storage, "The payment records.",
       store_host<service_id::invoice_storage>},
      {service_id::token_factory, "Deploys token contracts.",
       store_host<service_id::token_factory>},
      {service_id::multisig_factory, "Deploys multisig wallets.",
       store_host<service_id::multisig_factory>},
      {service_id::distribution_factory, "Deploys token distributions.",
       store_host<service_id::distribution_factory>},
      {service_id::dao_factory, "Deploys DAOs.",
       store_host<service_id::dao_factory>},
      {service_id::launchpad_factory, "Deploys launchpads.",
       store_host<service_id::launchpad_factory>},
  };
  for (auto& x : services)
    add(def("services." + std::string{to_string(x.id)}, ct::string, x.text)
            .required()
            .form(string_form::node_name)
            .store(x.store));

  // -- [fees] -----------------------------------------------------------------

  add(def("fees", ct::table,
          "Fees and flags per factory; the defaults are ICTO V2's "
          "ConfigService defaults.")
          .noun("factory"));
  add_factory<&fee_settings::token_factory>(keys, service_id::token_factory,
                                            100'000'000, 200'000'000);
  add_factory<&fee_settings::multisig_factory>(
      keys, service_id::multisig_factory, 50'000'000, 200'000'000);
  add_factory<&fee_settings::distribution_factory>(
      keys, service_id::distribution_factory, 100'000'000, 200'000'000);
  add_factory<&fee_settings::dao_factory>(keys, service_id::dao_factory,
                                          500'000'000, 300'000'000);
  add_factory<&fee_settings::launchpad_factory>(
      keys, service_id::launchpad_factory, 1'000'000'000, 2'000'000'000);

  // -- [limits] ---------------------------------------------------------------

  add(def("limits", ct::table, "Per-user quotas the backend enforces."));
  add(def("limits.max_deployments_per_user", ct::integer,
          "How many contracts one user may deploy; 0 = unlimited.")
          .fallback(100)
          .range(0, max_i64)
          .store([](topology& t, node_config*, const config_value& x) {
            t.limits.max_deployments_per_user = u64(x);
          }));

  // -- [[node]] ---------------------------------------------------------------

  add(def("node", ct::table_array,
          "One table per node of the cluster, i.e. per `ictod` process.")
          .required()
          .at_least(1));
  add(def("node[].name", ct::string,
          "The node's name: `ictod --node NAME` and `[services]` use it.")
          .required()
          .form(string_form::name)
          .store([](topology&, node_config* n, const config_value& x) {
            n->name = x.str();
          }));
  add(def("node[].host", ct::string,
          "Host name or IP address the node listens on and peers connect "
          "to.")
          .fallback("127.0.0.1")
          .form(string_form::non_empty)
          .store([](topology&, node_config* n, const config_value& x) {
            n->host = x.str();
          }));
  add(def("node[].port", ct::integer,
          "The cluster (CAF/BASP) port; only nodes connect to it.")
          .required()
          .range(1, max_port)
          .store([](topology&, node_config* n, const config_value& x) {
            n->port = static_cast<uint16_t>(x.integer());
          }));
  add(def("node[].http_port", ct::integer,
          "The ingress HTTP port clients call.")
          .required()
          .range(1, max_port)
          .store([](topology&, node_config* n, const config_value& x) {
            n->http_port = static_cast<uint16_t>(x.integer());
          }));
  add(def("node[].data_dir", ct::string,
          "The folder of the node's store; one per node.")
          .computed("`data/<name>`")
          .form(string_form::path)
          .store([](topology&, node_config* n, const config_value& x) {
            n->data_dir = x.str();
          }));
  add(def("node[].log_file", ct::string,
          "A file the node logs to besides stderr; none if absent.")
          .form(string_form::path)
          .store([](topology&, node_config* n, const config_value& x) {
            n->log_file = x.str();
          }));
  add(def("node[].roles", ct::string_array,
          "What the node runs: `gateway` (backend, ledger, storages), "
          "`factories`, `contracts` (placement targets); no duplicates.")
          .required()
          .at_least(1)
          .one_of(all_node_roles, "role")
          .store([](topology&, node_config* n, const config_value& x) {
            for (auto& role : x.strings())
              n->roles.push_back(*parse_node_role(role));
          }));
  add(def("node[].contract_ids", ct::table,
          "The contract-id indexes the node allocates from, `[start, start "
          "+ count)`: required (count > 0) with role `contracts`, empty "
          "without. Write it inline: `contract_ids = { start = 1000000, "
          "count = 1000000 }`."));
  add(def("node[].contract_ids.start", ct::integer,
          "The first index of the range.")
          .fallback(0)
          .range(0, max_i64)
          .store([](topology&, node_config* n, const config_value& x) {
            n->contract_ids.start = u64(x);
          }));
  add(def("node[].contract_ids.count", ct::integer,
          "How many indexes the range holds.")
          .fallback(0)
          .range(0, max_i64)
          .store([](topology&, node_config* n, const config_value& x) {
            n->contract_ids.count = u64(x);
          }));
  add(def("node[].tls", ct::table,
          "PEM files for BASP over TLS between the nodes; give it on every "
          "node or on none."));
  add(def("node[].tls.cert", ct::string, "The node's certificate.")
          .required()
          .form(string_form::path)
          .store([](topology&, node_config* n, const config_value& x) {
            if (!n->tls)
              n->tls.emplace();
            n->tls->cert = x.str();
          }));
  add(def("node[].tls.key", ct::string, "The certificate's private key.")
          .required()
          .form(string_form::path)
          .store([](topology&, node_config* n, const config_value& x) {
            if (!n->tls)
              n->tls.emplace();
            n->tls->key = x.str();
          }));
  add(def("node[].tls.ca", ct::string,
          "The CA that signed every node's certificate.")
          .required()
          .form(string_form::path)
          .store([](topology&, node_config* n, const config_value& x) {
            if (!n->tls)
              n->tls.emplace();
            n->tls->ca = x.str();
          }));
  return keys;
}

// -- reference doc ------------------------------------------------------------

std::string md_escape(std::string text) {
  std::string result;
  for (char c : text) {
    if (c == '|')
      result += '\\';
    result += c;
  }
  return result;
}

std::string type_text(const config_key& k) {
  std::string result;
  switch (k.type) {
  case config_type::table: return "table";
  case config_type::table_array: return "array of tables";
  case config_type::boolean: return "boolean";
  case config_type::integer: return "integer";
  case config_type::string: result = "string"; break;
  case config_type::string_array: result = "array of strings"; break;
  }
  if (k.form == string_form::principal)
    result += " (principal)";
  else if (k.form == string_form::path)
    result += " (path)";
  return result;
}

std::string value_text(const config_value& x) {
  struct visitor {
    std::string operator()(bool y) const {
      return y ? "true" : "false";
    }
    std::string operator()(int64_t y) const {
      return std::to_string(y);
    }
    std::string operator()(const std::string& y) const {
      return "\"" + y + "\"";
    }
    std::string operator()(const std::vector<std::string>& ys) const {
      std::string result = "[";
      for (auto& y : ys) {
        if (result.size() > 1)
          result += ", ";
        result += "\"" + y + "\"";
      }
      return result + "]";
    }
  };
  return "`" + std::visit(visitor{}, x.v) + "`";
}

std::string default_text(const config_key& k) {
  if (k.required) {
    auto table = find_topology_key(k.parent());
    if (table != nullptr && !table->required)
      return "**required** in the table";
    return "**required**";
  }
  if (k.default_value)
    return value_text(*k.default_value);
  if (!k.default_note.empty())
    return k.default_note;
  return "-";
}

std::string allowed_text(const config_key& k) {
  std::string result;
  auto append = [&result](const std::string& x) {
    if (!result.empty())
      result += "; ";
    result += x;
  };
  if (k.type == config_type::integer) {
    if (k.max == std::numeric_limits<int64_t>::max())
      append(">= " + std::to_string(k.min));
    else
      append(std::to_string(k.min) + " .. " + std::to_string(k.max));
  }
  switch (k.form) {
  case string_form::any: break;
  case string_form::non_empty: append("not empty"); break;
  case string_form::name: append("`a-z`, `0-9`, `_`, `-`"); break;
  case string_form::principal: append("principal text, not anonymous"); break;
  case string_form::path: append("relative: to the file's folder"); break;
  case string_form::node_name: append("a `[[node]]` name"); break;
  case string_form::choice: {
    std::string names;
    for (auto& x : k.choices) {
      if (!names.empty())
        names += ", ";
      names += "`" + x + "`";
    }
    append(names);
    break;
  }
  }
  if (k.min_items > 0)
    append("at least " + std::to_string(k.min_items));
  return result.empty() ? "-" : result;
}

/// The TOML header of a table key, as a user writes it.
std::string header_text(const config_key& k) {
  std::string path = k.path;
  auto pos = path.find("[]");
  if (pos != std::string::npos)
    path.erase(pos, 2);
  return k.type == config_type::table_array ? "[[" + path + "]]"
                                            : "[" + path + "]";
}

} // namespace

std::string config_key::parent() const {
  auto pos = path.rfind('.');
  if (pos == std::string::npos)
    return {};
  auto result = path.substr(0, pos);
  if (result.size() > 2 && result.compare(result.size() - 2, 2, "[]") == 0)
    result.resize(result.size() - 2);
  return result;
}

std::string config_key::name() const {
  auto pos = path.rfind('.');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

const std::vector<config_key>& config_schema() {
  static const std::vector<config_key> keys = make_schema();
  return keys;
}

const config_key* find_topology_key(std::string_view path) {
  for (auto& k : config_schema())
    if (k.path == path)
      return &k;
  return nullptr;
}

const std::vector<std::string>& config_rules() {
  static const std::vector<std::string> rules = {
      "No key outside this reference; every value of the type and in the "
      "range its row gives.",
      "Node names are unique.",
      "No two listening ports (`port` and `http_port` of every node) share a "
      "`host` and a number.",
      "Every service names a `[[node]]`, and that node has the service's "
      "role.",
      "At least one node has role `contracts`; each such node has a "
      "contract-id range with `count` > 0, other nodes have none.",
      "Contract-id ranges do not overlap, and `start + count - 1` fits a TOML "
      "integer (<= 9223372036854775807).",
      "With `placement = \"local\"`, every node that hosts a factory has role "
      "`contracts`.",
      "`heartbeat_interval_ms` is > 0 when there is more than one node.",
      "Either every node has a `tls` table or none has.",
      "The dev admin principal (`config/README.md`) is a controller or the "
      "minting account only with `dev_mode = true`.",
  };
  return rules;
}

std::string config_reference_markdown() {
  std::string out;
  out += "# Topology configuration reference\n\n"
         "<!-- Generated from config/config_schema.cpp by "
         "icto::config_reference_markdown(); do not edit. The test "
         "config_reference.doc_is_up_to_date fails when this file is stale; "
         "run it with ICTO_UPDATE_DOCS=1 to rewrite it. -->\n\n"
         "A topology file (TOML) describes one cluster: its nodes, which node "
         "hosts each service, and the settings every node shares. Examples: "
         "`config/single-node.toml`, `config/local-3.toml`. Check a file "
         "with `icto config check FILE`.\n\n"
         "Loading rejects unknown keys, fills in the defaults below, checks "
         "types, ranges and the rules at the end, and reports every problem "
         "at once as `file:line:column: key: message`, with node keys "
         "numbered from 0 (`node[1].port`). A node starts only from a fully "
         "valid file. Relative paths are resolved against the folder of the "
         "file, not the working directory.\n";
  for (auto& k : config_schema()) {
    if (k.type != config_type::table && k.type != config_type::table_array)
      continue;
    auto depth = std::count(k.path.begin(), k.path.end(), '.');
    out += depth == 0 ? "\n## `" : "\n### `";
    out += header_text(k) + "`";
    if (k.required)
      out += " (required)";
    out += "\n\n" + k.description + "\n";
    std::string rows;
    for (auto& x : config_schema()) {
      if (x.type == config_type::table || x.type == config_type::table_array
          || x.parent() != k.path)
        continue;
      rows += "| `" + x.name() + "` | " + type_text(x) + " | "
              + md_escape(default_text(x)) + " | " + md_escape(allowed_text(x))
              + " | " + md_escape(x.description) + " |\n";
    }
    if (!rows.empty()) {
      out += "\n| key | type | default | allowed | description |\n"
             "|---|---|---|---|---|\n";
      out += rows;
    }
  }
  out += "\n## Rules across keys\n\n";
  for (auto& rule : config_rules())
    out += "- " + rule + "\n";
  return out;
}

} // namespace icto
