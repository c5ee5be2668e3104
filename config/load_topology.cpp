#include "config/load_topology.hpp"

#include "config/config_schema.hpp"
#include "config/dev_identity.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

namespace icto {

namespace {

using position = toml::source_position;

constexpr position nowhere{0, 0};

std::string quote(std::string_view x) {
  std::string result = "\"";
  result += x;
  result += '"';
  return result;
}

std::string join(const std::vector<std::string>& xs) {
  std::string result;
  for (auto& x : xs) {
    if (!result.empty())
      result += ", ";
    result += x;
  }
  return result;
}

const char* toml_type_name(toml::node_type x) {
  switch (x) {
  case toml::node_type::none: return "nothing";
  case toml::node_type::table: return "a table";
  case toml::node_type::array: return "an array";
  case toml::node_type::string: return "a string";
  case toml::node_type::integer: return "an integer";
  case toml::node_type::floating_point: return "a floating-point number";
  case toml::node_type::boolean: return "a boolean";
  case toml::node_type::date: return "a date";
  case toml::node_type::time: return "a time";
  case toml::node_type::date_time: return "a date-time";
  }
  return "a value";
}

/// "a string ("abc")": what the file has, for type errors.
std::string describe(const toml::node& x) {
  std::string result = toml_type_name(x.type());
  if (auto s = x.as_string()) {
    result += " (" + quote(s->get()) + ")";
  } else if (auto i = x.as_integer()) {
    result += " (" + std::to_string(i->get()) + ")";
  } else if (auto f = x.as_floating_point()) {
    std::ostringstream os;
    os << f->get();
    result += " (" + os.str() + ")";
  } else if (auto b = x.as_boolean()) {
    result += b->get() ? " (true)" : " (false)";
  }
  return result;
}

std::string range_text(const config_key& k) {
  if (k.max == std::numeric_limits<int64_t>::max())
    return ">= " + std::to_string(k.min);
  return std::to_string(k.min) + ".." + std::to_string(k.max);
}

std::string expected_text(const config_key& k) {
  std::string result;
  switch (k.type) {
  case config_type::table: return "a table";
  case config_type::table_array:
    return "an array of tables ([[" + k.path + "]])";
  case config_type::boolean: return "a boolean (true or false)";
  case config_type::integer: return "an integer " + range_text(k);
  case config_type::string: result = "a string"; break;
  case config_type::string_array: result = "an array of strings"; break;
  }
  switch (k.form) {
  case string_form::any:
  case string_form::non_empty: break;
  case string_form::name: result += " of a-z, 0-9, '_', '-'"; break;
  case string_form::principal: result += " of principal text"; break;
  case string_form::path: result += " (a path)"; break;
  case string_form::node_name: result += ": the name of a [[node]]"; break;
  case string_form::choice:
    result += " (one of: " + join(k.choices) + ")";
    break;
  }
  return result;
}

bool is_name(std::string_view x) {
  return !x.empty() && std::all_of(x.begin(), x.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'
           || c == '-';
  });
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// "node[1].port" -> "node[1]"; "node[1]" -> "node"; "cluster" -> "".
std::string parent_key(const std::string& key) {
  auto cut = key.find_last_of(".[");
  return cut == std::string::npos ? std::string{} : key.substr(0, cut);
}

std::string node_key(size_t index, std::string_view rest) {
  std::string result = "node[" + std::to_string(index) + "]";
  if (!rest.empty()) {
    result += '.';
    result += rest;
  }
  return result;
}

std::string range_text(const contract_id_range& x) {
  return "[" + std::to_string(x.start) + ", " + std::to_string(x.end()) + ")";
}

/// Walks one parsed file against the schema; collects every error.
class loader {
 public:
  loader(std::string file, std::filesystem::path base_dir)
      : file_(std::move(file)), base_dir_(std::move(base_dir)) {
    out_.source = file_;
  }

  result_or_errors<topology> run(std::string_view text) {
    toml::table root;
    try {
      root = toml::parse(text, std::string_view{file_});
    } catch (const toml::parse_error& e) {
      add({}, e.source().begin,
          "invalid TOML: " + std::string{e.description()});
      return std::move(errors_);
    }
    walk_table(root, "", "", nullptr);
    fill_missing();
    finish();
    check_nodes();
    check_services();
    check_contract_ids();
    check_cluster();
    check_dev_principal();
    if (errors_.empty())
      return std::move(out_);
    std::stable_sort(errors_.begin(), errors_.end(),
                     [](const config_error& x, const config_error& y) {
                       return std::make_tuple(x.line == 0, x.line, x.column)
                              < std::make_tuple(y.line == 0, y.line, y.column);
                     });
    return std::move(errors_);
  }

 private:
  // -- errors -----------------------------------------------------------------

  void add(std::string key, position pos, std::string message) {
    errors_.push_back(config_error{file_, static_cast<int>(pos.line),
                                   static_cast<int>(pos.column), std::move(key),
                                   std::move(message)});
  }

  /// Reports at the key's value, or at the closest table that is there.
  void add_at(const std::string& key, std::string message) {
    add(key, where(key), std::move(message));
  }

  position where(std::string key) const {
    while (!key.empty()) {
      if (auto i = where_.find(key); i != where_.end())
        return i->second;
      key = parent_key(key);
    }
    return nowhere;
  }

  bool given(const std::string& key) const {
    return where_.count(key) > 0;
  }

  bool bad(const std::string& key) const {
    return bad_.count(key) > 0;
  }

  /// Given in the file and accepted.
  bool good(const std::string& key) const {
    return given(key) && !bad(key);
  }

  // -- walking the file -------------------------------------------------------

  void walk_table(const toml::table& table, const std::string& schema_prefix,
                  const std::string& key_prefix, node_config* node) {
    for (auto&& [k, v] : table) {
      std::string name{k.str()};
      std::string key = key_prefix + name;
      where_[key] = v.source().begin;
      auto spec = find_topology_key(schema_prefix + name);
      if (spec == nullptr) {
        unknown_key(key, name, schema_prefix, k.source().begin);
        continue;
      }
      walk(v, *spec, key, node);
    }
  }

  void walk(const toml::node& v, const config_key& spec, const std::string& key,
            node_config* node) {
    auto pos = v.source().begin;
    if (spec.type == config_type::table) {
      if (auto table = v.as_table())
        walk_table(*table, spec.path + ".", key + ".", node);
      else
        wrong_type(v, spec, key);
      return;
    }
    if (spec.type == config_type::table_array) {
      // Only [[node]] is a table array: its elements become `out_.nodes`.
      auto array = v.as_array();
      if (array == nullptr
          || (!array->empty() && !array->is_array_of_tables())) {
        wrong_type(v, spec, key);
        return;
      }
      if (array->size() < spec.min_items) {
        bad_.insert(key);
        add(key, pos, "at least one [[" + key + "]] is required");
        return;
      }
      out_.nodes.resize(array->size());
      for (size_t i = 0; i < array->size(); ++i) {
        auto& element = *array->get(i);
        auto element_key = node_key(i, "");
        where_[element_key] = element.source().begin;
        walk_table(*element.as_table(), spec.path + "[].", element_key + ".",
                   &out_.nodes[i]);
      }
      return;
    }
    if (auto value = to_value(v, spec, key))
      spec.store(out_, node, *value);
    else
      bad_.insert(key);
  }

  void wrong_type(const toml::node& v, const config_key& spec,
                  const std::string& key) {
    bad_.insert(key);
    add(key, v.source().begin,
        "expected " + expected_text(spec) + ", got " + describe(v));
  }

  void unknown_key(const std::string& key, const std::string& name,
                   const std::string& schema_prefix, position pos) {
    bad_.insert(key);
    std::string parent = schema_prefix.empty()
                             ? std::string{}
                             : schema_prefix.substr(0,
                                                    schema_prefix.size() - 1);
    if (parent.size() > 2 && parent.compare(parent.size() - 2, 2, "[]") == 0)
      parent.resize(parent.size() - 2);
    std::string noun = "key";
    if (auto spec = find_topology_key(parent); spec && !spec->noun.empty())
      noun = spec->noun;
    std::vector<std::string> names;
    std::string best;
    size_t best_distance = 3; // Suggest only close misspellings.
    for (auto& k : config_schema()) {
      if (k.parent() != parent)
        continue;
      names.push_back(k.name());
      if (auto d = edit_distance(name, k.name()); d < best_distance) {
        best_distance = d;
        best = k.name();
      }
    }
    std::string message = "unknown " + noun + " " + quote(name);
    if (!best.empty())
      message += " (did you mean " + quote(best) + "?)";
    else
      message += " (expected one of: " + join(names) + ")";
    add(key, pos, std::move(message));
  }

  std::optional<config_value> to_value(const toml::node& v,
                                       const config_key& spec,
                                       const std::string& key) {
    auto pos = v.source().begin;
    switch (spec.type) {
    case config_type::boolean:
      if (auto b = v.as_boolean())
        return config_value{b->get()};
      break;
    case config_type::integer:
      if (auto i = v.as_integer()) {
        auto x = i->get();
        if (x >= spec.min && x <= spec.max)
          return config_value{x};
        add(key, pos,
            std::to_string(x) + " is out of range (expected " + range_text(spec)
                + ")");
        return std::nullopt;
      }
      break;
    case config_type::string:
      if (auto s = v.as_string()) {
        if (!check_string(spec, s->get(), key, pos))
          return std::nullopt;
        return config_value{s->get()};
      }
      break;
    case config_type::string_array:
      if (auto array = v.as_array())
        return to_strings(*array, spec, key);
      break;
    case config_type::table:
    case config_type::table_array: break;
    }
    wrong_type(v, spec, key);
    return std::nullopt;
  }

  std::optional<config_value> to_strings(const toml::array& array,
                                         const config_key& spec,
                                         const std::string& key) {
    std::vector<std::string> result;
    bool ok = true;
    for (size_t i = 0; i < array.size(); ++i) {
      auto& element = *array.get(i);
      auto element_key = key + "[" + std::to_string(i) + "]";
      auto pos = element.source().begin;
      where_[element_key] = pos;
      auto s = element.as_string();
      if (s == nullptr) {
        add(element_key, pos, "expected a string, got " + describe(element));
        ok = false;
      } else if (!check_string(spec, s->get(), element_key, pos)) {
        ok = false;
      } else if (std::find(result.begin(), result.end(), s->get())
                 != result.end()) {
        add(element_key, pos, quote(s->get()) + " is listed twice");
        ok = false;
      } else {
        result.push_back(s->get());
      }
    }
    if (ok && result.size() < spec.min_items) {
      add(key, array.source().begin,
          "must hold at least " + std::to_string(spec.min_items)
              + (spec.min_items == 1 ? " value" : " values"));
      ok = false;
    }
    if (!ok)
      return std::nullopt;
    return config_value{std::move(result)};
  }

  bool check_string(const config_key& spec, const std::string& x,
                    const std::string& key, position pos) {
    if (spec.form != string_form::any && x.empty()) {
      add(key, pos, "must not be empty");
      return false;
    }
    switch (spec.form) {
    case string_form::any:
    case string_form::non_empty:
    case string_form::path:
    case string_form::node_name: return true;
    case string_form::name:
      if (is_name(x))
        return true;
      add(key, pos,
          quote(x) + " is not a valid name (use only a-z, 0-9, '_' and '-')");
      return false;
    case string_form::principal: {
      auto p = principal::from_text(x);
      if (!p) {
        add(key, pos, "not a principal: " + p.err().message);
        return false;
      }
      if (p->is_anonymous() || p->empty()) {
        add(key, pos,
            quote(x) + " is the " + to_string(p->kind())
                + " principal, which names no one in particular");
        return false;
      }
      return true;
    }
    case string_form::choice:
      if (std::find(spec.choices.begin(), spec.choices.end(), x)
          != spec.choices.end())
        return true;
      add(key, pos,
          "unknown " + spec.noun + " " + quote(x)
              + " (expected one of: " + join(spec.choices) + ")");
      return false;
    }
    return true;
  }

  // -- defaults ---------------------------------------------------------------

  void fill_missing() {
    static const std::string node_prefix = "node[].";
    for (auto& spec : config_schema()) {
      if (spec.path.compare(0, node_prefix.size(), node_prefix) == 0) {
        auto rest = spec.path.substr(node_prefix.size());
        for (size_t i = 0; i < out_.nodes.size(); ++i)
          fill(spec, node_key(i, rest), &out_.nodes[i]);
      } else {
        fill(spec, spec.path, nullptr);
      }
    }
  }

  void fill(const config_key& spec, const std::string& key, node_config* node) {
    if (given(key))
      return;
    auto parent = parent_key(key);
    if (!parent.empty() && !given(parent)) {
      // A missing table reports itself if it is required; the required keys
      // of a missing optional table are not required.
      if (!spec.required && spec.default_value && spec.store)
        spec.store(out_, node, *spec.default_value);
      return;
    }
    if (spec.required) {
      bad_.insert(key);
      auto pos = parent.empty() ? nowhere : where(parent);
      if (spec.type == config_type::table)
        add(key, pos, "required table [" + key + "] is missing");
      else if (spec.type == config_type::table_array)
        add(key, pos, "at least one [[" + key + "]] is required");
      else
        add(key, pos,
            "required key is missing (expected " + expected_text(spec) + ")");
      return;
    }
    if (spec.default_value && spec.store)
      spec.store(out_, node, *spec.default_value);
  }

  std::filesystem::path resolve(const std::filesystem::path& x) const {
    if (x.empty() || x.is_absolute() || base_dir_.empty())
      return x;
    return (base_dir_ / x).lexically_normal();
  }

  /// Computed defaults and relative paths.
  void finish() {
    for (size_t i = 0; i < out_.nodes.size(); ++i) {
      auto& node = out_.nodes[i];
      if (!given(node_key(i, "data_dir")) && good(node_key(i, "name")))
        node.data_dir = std::filesystem::path{"data"} / node.name;
      node.data_dir = resolve(node.data_dir);
      if (node.log_file)
        node.log_file = resolve(*node.log_file);
      if (node.tls) {
        node.tls->cert = resolve(node.tls->cert);
        node.tls->key = resolve(node.tls->key);
        node.tls->ca = resolve(node.tls->ca);
      }
    }
    if (!given("ledger.minting_account") && !out_.controllers.empty())
      out_.ledger.minting_account = out_.controllers.front();
  }

  // -- rules across keys ------------------------------------------------------

  /// A node's name for messages: "node 'gateway'", else "node[1]".
  std::string node_label(size_t i) const {
    if (good(node_key(i, "name")))
      return "node '" + out_.nodes[i].name + "'";
    return node_key(i, "");
  }

  bool all_names_good() const {
    for (size_t i = 0; i < out_.nodes.size(); ++i)
      if (!good(node_key(i, "name")))
        return false;
    return true;
  }

  bool roles_good(size_t i) const {
    return good(node_key(i, "roles"));
  }

  void check_nodes() {
    std::map<std::string, size_t> names;
    std::map<std::pair<std::string, uint16_t>, std::string> ports;
    for (size_t i = 0; i < out_.nodes.size(); ++i) {
      auto& node = out_.nodes[i];
      auto name_key = node_key(i, "name");
      if (good(name_key)) {
        auto [first, fresh] = names.emplace(node.name, i);
        if (!fresh)
          add_at(name_key, "duplicate node name " + quote(node.name) + " ("
                               + node_key(first->second, "")
                               + " has it already)");
      }
      if (bad(node_key(i, "host")))
        continue;
      for (auto field : {"port", "http_port"}) {
        auto key = node_key(i, field);
        if (!good(key))
          continue;
        auto port = std::string_view{field} == "port" ? node.port
                                                      : node.http_port;
        auto [first, fresh] = ports.emplace(std::make_pair(node.host, port),
                                            node_label(i) + " as its " + field);
        if (!fresh)
          add_at(key, std::to_string(port) + " is used by " + first->second
                          + " already (port clash on " + node.host + ")");
      }
    }
  }

  void check_services() {
    std::vector<std::string> names;
    for (auto& node : out_.nodes)
      names.push_back(node.name);
    for (auto id : all_services) {
      auto key = "services." + std::string{to_string(id)};
      if (!good(key))
        continue;
      auto& host = out_.host_of(id);
      auto i = std::find(names.begin(), names.end(), host) - names.begin();
      if (static_cast<size_t>(i) == names.size()) {
        // A node whose name was refused may be the one meant: say nothing.
        if (all_names_good() && !bad("node"))
          add_at(key, "no node is named " + quote(host)
                          + " (nodes: " + join(names) + ")");
        continue;
      }
      auto role = required_role(id);
      auto index = static_cast<size_t>(i);
      if (roles_good(index) && !out_.nodes[index].has_role(role))
        add_at(key, "node '" + host + "' cannot host "
                        + std::string{to_string(id)} + ": it lacks role \""
                        + to_string(role) + "\" (add it to "
                        + node_key(index, "roles") + ")");
    }
  }

  void check_contract_ids() {
    constexpr auto max_index
        = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    std::vector<size_t> ranges; // nodes with a usable, non-empty range
    bool any_contracts = false;
    bool all_known = true;
    for (size_t i = 0; i < out_.nodes.size(); ++i) {
      auto& node = out_.nodes[i];
      auto key = node_key(i, "contract_ids");
      if (bad(key) || bad(key + ".start") || bad(key + ".count")) {
        all_known = false;
        continue;
      }
      if (!roles_good(i)) {
        all_known = false;
        continue;
      }
      auto& range = node.contract_ids;
      bool contracts = node.has_role(node_role::contracts);
      any_contracts = any_contracts || contracts;
      if (contracts && range.empty()) {
        add_at(key, node_label(i)
                        + " has role \"contracts\" but no contract-id range "
                          "(set contract_ids = { start = ..., count = ... } "
                          "with count > 0)");
        continue;
      }
      if (!contracts && !range.empty()) {
        add_at(key, node_label(i)
                        + " has a contract-id range but not role \"contracts\" "
                          "(add the role or drop the range)");
        continue;
      }
      if (range.empty())
        continue;
      if (range.start + (range.count - 1) > max_index) {
        add_at(key + ".count",
               "start + count - 1 = " + std::to_string(range.end() - 1)
                   + " overflows the index range (largest: "
                   + std::to_string(max_index) + ")");
        continue;
      }
      for (auto j : ranges)
        if (range.overlaps(out_.nodes[j].contract_ids))
          add_at(key, "range " + range_text(range) + " overlaps the range "
                          + range_text(out_.nodes[j].contract_ids) + " of "
                          + node_label(j));
      ranges.push_back(i);
    }
    if (!any_contracts && all_known && !out_.nodes.empty())
      add_at("node", "no node has role \"contracts\": deployed contracts "
                     "need a node to run on");
  }

  void check_cluster() {
    if (out_.nodes.size() > 1 && !bad("cluster.heartbeat_interval_ms")
        && out_.cluster.heartbeat_interval.count() == 0)
      add_at("cluster.heartbeat_interval_ms",
             "must be > 0 with more than one node (heartbeats notice a lost "
             "node)");
    if (!bad("cluster.placement")
        && out_.cluster.placement == placement_policy::local) {
      std::set<size_t> reported;
      for (auto id : all_services) {
        if (!is_factory(id) || !good("services." + std::string{to_string(id)}))
          continue;
        auto node = out_.find_node(out_.host_of(id));
        if (node == nullptr)
          continue;
        auto index = static_cast<size_t>(node - out_.nodes.data());
        if (roles_good(index) && !node->has_role(node_role::contracts)
            && reported.insert(index).second)
          add_at("cluster.placement",
                 "placement \"local\" puts contracts on their factory's node, "
                 "but node '"
                     + node->name + "' (host of " + std::string{to_string(id)}
                     + ") lacks role \"contracts\"");
      }
    }
    size_t with_tls = 0;
    for (size_t i = 0; i < out_.nodes.size(); ++i)
      if (given(node_key(i, "tls")))
        ++with_tls;
    if (with_tls > 0 && with_tls < out_.nodes.size())
      for (size_t i = 0; i < out_.nodes.size(); ++i)
        if (!given(node_key(i, "tls")))
          add_at(node_key(i, "tls"),
                 node_label(i)
                     + " has no tls table but other nodes do: give every node "
                       "tls or none");
  }

  void check_dev_principal() {
    if (out_.cluster.dev_mode || bad("cluster.dev_mode"))
      return;
    auto dev = dev_admin_principal();
    auto message = [] {
      return std::string{"is the dev admin principal, whose key is public; "
                         "allowed only with cluster.dev_mode = true"};
    };
    if (good("admins.controllers"))
      for (size_t i = 0; i < out_.controllers.size(); ++i)
        if (out_.controllers[i] == dev)
          add_at("admins.controllers[" + std::to_string(i) + "]", message());
    if (good("ledger.minting_account") && out_.ledger.minting_account == dev)
      add_at("ledger.minting_account", message());
  }

  std::string file_;
  std::filesystem::path base_dir_;
  topology out_;
  std::vector<config_error> errors_;
  /// Position of every key, table and array element the file gives.
  std::map<std::string, position> where_;
  /// Keys whose value was refused or that are missing though required.
  std::set<std::string> bad_;
};

} // namespace

result_or_errors<topology> load_topology(const std::filesystem::path& file) {
  auto fail = [&file](std::string message) {
    return std::vector<config_error>{
        config_error{file.string(), 0, 0, {}, std::move(message)}};
  };
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    return fail("is a folder, not a topology file");
  std::ifstream in{file, std::ios::binary};
  if (!in)
    return fail(std::string{"cannot open: "} + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return fail(std::string{"cannot read: "} + std::strerror(errno));
  auto base_dir = std::filesystem::absolute(file, ec).parent_path();
  if (ec)
    base_dir = file.parent_path();
  return loader{file.string(), base_dir}.run(text.str());
}

result_or_errors<topology>
load_topology_from_string(std::string_view toml, std::string_view source_name,
                          const std::filesystem::path& base_dir) {
  return loader{std::string{source_name}, base_dir}.run(toml);
}

} // namespace icto
