#pragma once

// The named types of the message API and their JSON shapes, for people:
// `icto methods` and the Types section of docs/api.md. Generated from the
// same field tables the JSON codec uses, so they cannot drift from it.

#include <string>
#include <string_view>
#include <vector>

namespace icto {

/// A struct or enum of the message API and the JSON it reads and writes as.
struct api_type {
  /// The name requests and replies use for it (type_name<T>()).
  std::string name;
  /// `{ field: type, ... }` for a struct (one field per line), or
  /// `"a" | "b"` for an enum.
  std::string shape;
};

/// Every named type that a query or update method takes or returns,
/// directly or through a field, sorted by name. `icto_error` included.
const std::vector<api_type>& api_types();

/// The named types a type expression refers to, directly or through their
/// fields, sorted by name: for "result<vector<contract_info>>", contract_info
/// and the types of its fields, and icto_error.
std::vector<api_type> api_types_of(std::string_view type_expression);

/// `name = shape` for each of `types`, separated by blank lines.
std::string render_api_types(const std::vector<api_type>& types);

} // namespace icto
