#include "messages/api_types.hpp"

#include "messages/json.hpp"
#include "messages/services.hpp"
#include "messages/type_name.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace icto {

namespace {

using type_map = std::map<std::string, std::string, std::less<>>;

template <class T>
void visit(type_map& types);

/// How a field's type reads in a shape: type_name<T>(), except that byte
/// vectors are `blob` (a hex string in JSON) at any depth.
template <class T>
std::string shape_name() {
  if constexpr (std::is_same_v<T, std::vector<uint8_t>>)
    return "blob";
  else if constexpr (json::detail::is_vector<T>::value)
    return "vector<" + shape_name<typename T::value_type>() + ">";
  else if constexpr (json::detail::is_optional<T>::value)
    return "optional<" + shape_name<typename T::value_type>() + ">";
  else if constexpr (json::detail::is_result<T>::value)
    return "result<" + shape_name<typename T::value_type>() + ">";
  else
    return type_name<T>();
}

template <class T>
void visit_fields(type_map& types) {
  auto name = type_name<T>();
  if (types.count(name) > 0)
    return;
  types[name]; // taken: a field of its own type does not recurse
  std::string shape = "{";
  bool first = true;
  std::apply(
      [&](const auto&... fs) {
        [[maybe_unused]] auto one = [&](const auto& f) {
          using member = std::decay_t<decltype(std::declval<T&>().*(f.member))>;
          shape += first ? "\n  " : ",\n  ";
          first = false;
          shape += std::string{f.name} + ": " + shape_name<member>();
          visit<member>(types);
        };
        (one(fs), ...);
      },
      icto_fields(static_cast<const T*>(nullptr)));
  shape += first ? "}" : "\n}";
  types[name] = std::move(shape);
}

template <class T>
void visit(type_map& types) {
  if constexpr (json::detail::is_vector<T>::value
                && !std::is_same_v<T, std::vector<uint8_t>>) {
    visit<typename T::value_type>(types);
  } else if constexpr (json::detail::is_optional<T>::value
                       || json::detail::is_result<T>::value) {
    visit<typename T::value_type>(types);
  } else if constexpr (is_described_enum_v<T>) {
    std::string shape;
    for (const auto& n : icto_enum_names(static_cast<const T*>(nullptr))) {
      if (!shape.empty())
        shape += " | ";
      shape += "\"" + std::string{n.name} + "\"";
    }
    types[type_name<T>()] = std::move(shape);
  } else if constexpr (is_described_v<T>) {
    visit_fields<T>(types);
  }
  // bool, integers, string, blob, principal, unit, error: no named shape.
}

const type_map& all_types() {
  static const type_map instance = [] {
    type_map types;
    types["icto_error"]
        = "{\n  reject_code: uint8,\n  domain: string,\n  code: string,\n"
          "  message: string\n  (and for some codes one uint64 detail field "
          "named after it, e.g. balance, duplicate_of)\n}";
    for_each_method([&](auto tag) {
      using method = typename decltype(tag)::type;
      if constexpr (method::method_access != method_access::internal) {
        visit<typename method::request>(types);
        visit<typename method::reply>(types);
      }
    });
    return types;
  }();
  return instance;
}

void collect_shape(std::string_view shape, const type_map& types,
                   std::set<std::string>& out);

/// The identifiers in a type expression that name API types, and the types
/// their fields use.
void collect(std::string_view expr, const type_map& types,
             std::set<std::string>& out) {
  size_t i = 0;
  while (i < expr.size()) {
    if (std::isalpha(static_cast<unsigned char>(expr[i])) || expr[i] == '_') {
      size_t j = i;
      while (j < expr.size()
             && (std::isalnum(static_cast<unsigned char>(expr[j]))
                 || expr[j] == '_'))
        ++j;
      auto it = types.find(expr.substr(i, j - i));
      if (it != types.end() && out.insert(it->first).second)
        collect_shape(it->second, types, out);
      i = j;
    } else {
      ++i;
    }
  }
}

/// The types a struct's fields use (the text after each "name: "); an
/// enum's shape names none.
void collect_shape(std::string_view shape, const type_map& types,
                   std::set<std::string>& out) {
  if (shape.empty() || shape.front() != '{')
    return;
  size_t pos = 0;
  while (pos < shape.size()) {
    auto end = shape.find('\n', pos);
    if (end == std::string_view::npos)
      end = shape.size();
    auto line = shape.substr(pos, end - pos);
    if (auto colon = line.find(": "); colon != std::string_view::npos)
      collect(line.substr(colon + 2), types, out);
    pos = end + 1;
  }
}

} // namespace

const std::vector<api_type>& api_types() {
  static const std::vector<api_type> instance = [] {
    std::vector<api_type> out;
    for (const auto& [name, shape] : all_types())
      out.push_back({name, shape});
    return out;
  }();
  return instance;
}

std::vector<api_type> api_types_of(std::string_view type_expression) {
  const auto& types = all_types();
  std::set<std::string> names;
  collect(type_expression, types, names);
  if (type_expression.find("result<") != std::string_view::npos)
    names.insert("icto_error");
  std::vector<api_type> out;
  for (const auto& name : names)
    out.push_back({name, types.find(name)->second});
  return out;
}

std::string render_api_types(const std::vector<api_type>& types) {
  std::string out;
  for (const auto& t : types) {
    if (!out.empty())
      out += "\n";
    out += t.name + " = " + t.shape + "\n";
  }
  return out;
}

} // namespace icto
