#pragma once

#include "config/topology.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace icto {

/// The TOML type a topology key takes.
enum class config_type : uint8_t {
  table,
  /// `[[name]]`: an array of tables.
  table_array,
  boolean,
  integer,
  string,
  string_array,
};

/// What a string (or each string of an array) must look like beyond its type.
enum class string_form : uint8_t {
  any,
  non_empty,
  /// Non-empty, only [a-z0-9_-].
  name,
  /// The IC textual form of a principal.
  principal,
  /// A non-empty path; a relative one is resolved against the file's folder.
  path,
  /// The name of a `[[node]]` (checked once every node is known).
  node_name,
  /// One of `config_key::choices`.
  choice,
};

/// A key's value, from the file or from the schema's default.
struct config_value {
  std::variant<bool, int64_t, std::string, std::vector<std::string>> v;

  config_value(bool x) : v(x) {}
  config_value(int x) : v(int64_t{x}) {}
  config_value(int64_t x) : v(x) {}
  config_value(const char* x) : v(std::string{x}) {}
  config_value(std::string x) : v(std::move(x)) {}
  config_value(std::vector<std::string> x) : v(std::move(x)) {}

  // REQUIRES: the value holds that type.
  bool boolean() const {
    return std::get<bool>(v);
  }
  int64_t integer() const {
    return std::get<int64_t>(v);
  }
  const std::string& str() const {
    return std::get<std::string>(v);
  }
  const std::vector<std::string>& strings() const {
    return std::get<std::vector<std::string>>(v);
  }
};

/// Writes a checked value into the topology. `node` is the `[[node]]` the
/// key belongs to, nullptr for keys outside `[[node]]`.
using config_store_fn = void (*)(topology& out, node_config* node,
                                 const config_value& value);

/// One key of the topology file: the single place that says what it is, what
/// it defaults to and what it accepts. The loader and the reference doc both
/// read it.
struct config_key {
  /// Dotted; keys of each `[[node]]` start with "node[].".
  std::string path;
  config_type type = config_type::string;
  /// One line, Markdown.
  std::string description;
  /// A required key inside an optional table is required only when the
  /// table is given.
  bool required = false;
  std::optional<config_value> default_value;
  /// A default computed at load time (Markdown), if `default_value` is unset.
  std::string default_note;
  /// Integers: the allowed range, inclusive.
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
  /// Arrays: the fewest elements.
  size_t min_items = 0;
  string_form form = string_form::any;
  std::vector<std::string> choices;
  /// What a choice (or a child key of a table) is called in errors, e.g.
  /// "placement policy", "service".
  std::string noun;
  /// nullptr for tables.
  config_store_fn store = nullptr;

  /// "cluster.port" -> "cluster"; "cluster" -> "".
  std::string parent() const;
  /// The last component: "cluster.port" -> "port".
  std::string name() const;
};

/// Every key a topology file may have, tables before their keys, in the
/// order of the reference.
const std::vector<config_key>& config_schema();

/// nullptr if no key has that schema path ("node[].port", not "node[1].port").
const config_key* find_topology_key(std::string_view path);

/// The rules across keys the loader checks, one Markdown line each.
const std::vector<std::string>& config_rules();

/// docs/configuration.md: the reference of every key, made from the schema.
std::string config_reference_markdown();

} // namespace icto
