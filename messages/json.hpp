#pragma once

// The JSON form of every message type: one codec for ingress and the CLI.
// Decoding is strict and names the field that is wrong: a missing field, an
// unknown field, a wrong JSON type, a number out of range, a bad principal.

#include "messages/describe.hpp"
#include "messages/error.hpp"
#include "messages/principal.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace icto::json {

using value = nlohmann::json;

namespace detail {

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_result : std::false_type {};
template <class T>
struct is_result<result<T>> : std::true_type {};

template <class T>
struct is_string_map : std::false_type {};
template <class V, class C, class A>
struct is_string_map<std::map<std::string, V, C, A>> : std::true_type {};

template <class T>
struct dependent_false : std::false_type {};

const char* type_name(const value& j);

error wrong_type(const std::string& path, const char* expected, const value& j);

std::string join(const std::string& path, std::string_view field);

} // namespace detail

value encode_error(const error& x);
std::optional<error> decode_error(const value& j, error& x,
                                  const std::string& path);

/// The JSON form of `x`.
template <class T>
value encode(const T& x) {
  if constexpr (std::is_same_v<T, bool>) {
    return x;
  } else if constexpr (std::is_integral_v<T>) {
    return x;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return x;
  } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
    return to_hex(x.data(), x.size());
  } else if constexpr (std::is_same_v<T, principal>) {
    return x.to_text();
  } else if constexpr (std::is_same_v<T, unit>) {
    return nullptr;
  } else if constexpr (std::is_same_v<T, error>) {
    return encode_error(x);
  } else if constexpr (detail::is_result<T>::value) {
    value j = value::object();
    if (x.ok())
      j["ok"] = encode(x.value());
    else
      j["err"] = encode_error(x.err());
    return j;
  } else if constexpr (detail::is_optional<T>::value) {
    return x ? encode(*x) : value(nullptr);
  } else if constexpr (detail::is_vector<T>::value) {
    value j = value::array();
    for (const auto& item : x)
      j.push_back(encode(item));
    return j;
  } else if constexpr (detail::is_string_map<T>::value) {
    value j = value::object();
    for (const auto& [k, v] : x)
      j[k] = encode(v);
    return j;
  } else if constexpr (is_described_enum_v<T>) {
    return std::string{enum_to_string(x)};
  } else if constexpr (is_described_v<T>) {
    value j = value::object();
    std::apply(
        [&](const auto&... fs) {
          ((j[std::string{fs.name}] = encode(x.*(fs.member))), ...);
        },
        icto_fields(static_cast<const T*>(nullptr)));
    return j;
  } else {
    static_assert(detail::dependent_false<T>::value,
                  "no JSON form for this type: describe it with ICTO_FIELDS "
                  "or ICTO_ENUM");
  }
}

/// Reads `x` from `j`; `path` names `j` in errors ("args", "args.to.owner").
/// Returns the error, if any; `x` is unspecified after an error.
template <class T>
std::optional<error> decode(const value& j, T& x, const std::string& path) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean())
      return detail::wrong_type(path, "a boolean", j);
    x = j.get<bool>();
    return std::nullopt;
  } else if constexpr (std::is_integral_v<T>) {
    if (!j.is_number_integer())
      return detail::wrong_type(
          path, std::is_unsigned_v<T> ? "an unsigned integer" : "an integer",
          j);
    if (j.is_number_unsigned()) {
      auto v = j.get<uint64_t>();
      if (v > static_cast<uint64_t>(std::numeric_limits<T>::max()))
        return make_error(input_errc::out_of_range,
                          "field '" + path + "': " + std::to_string(v)
                              + " is larger than "
                              + std::to_string(std::numeric_limits<T>::max()));
      x = static_cast<T>(v);
    } else {
      auto v = j.get<int64_t>();
      if constexpr (std::is_unsigned_v<T>) {
        if (v < 0)
          return make_error(input_errc::out_of_range,
                            "field '" + path + "': " + std::to_string(v)
                                + " is negative, expected an unsigned integer");
      } else {
        if (v < static_cast<int64_t>(std::numeric_limits<T>::min())
            || v > static_cast<int64_t>(std::numeric_limits<T>::max()))
          return make_error(input_errc::out_of_range,
                            "field '" + path + "': " + std::to_string(v)
                                + " is out of range");
      }
      x = static_cast<T>(v);
    }
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string())
      return detail::wrong_type(path, "a string", j);
    x = j.get<std::string>();
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
    if (!j.is_string())
      return detail::wrong_type(path, "a hex string", j);
    auto bytes = from_hex(j.get_ref<const std::string&>(),
                          "field '" + path + "'");
    if (!bytes)
      return bytes.err();
    x = std::move(*bytes);
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, principal>) {
    if (!j.is_string())
      return detail::wrong_type(path, "a principal in textual form", j);
    auto p = principal::from_text(j.get_ref<const std::string&>());
    if (!p) {
      auto e = p.err();
      e.message = "field '" + path + "': bad principal: " + e.message;
      return e;
    }
    x = *p;
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, unit>) {
    if (!j.is_null() && !(j.is_object() && j.empty()))
      return detail::wrong_type(path, "null", j);
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, error>) {
    return decode_error(j, x, path);
  } else if constexpr (detail::is_result<T>::value) {
    if (!j.is_object() || j.size() != 1
        || (!j.contains("ok") && !j.contains("err")))
      return detail::wrong_type(path, "an object {\"ok\": …} or {\"err\": …}",
                                j);
    if (j.contains("ok")) {
      typename T::value_type v{};
      if (auto e = decode(j["ok"], v, detail::join(path, "ok")))
        return e;
      x = std::move(v);
    } else {
      error v;
      if (auto e = decode_error(j["err"], v, detail::join(path, "err")))
        return e;
      x = std::move(v);
    }
    return std::nullopt;
  } else if constexpr (detail::is_optional<T>::value) {
    if (j.is_null()) {
      x.reset();
      return std::nullopt;
    }
    typename T::value_type v{};
    if (auto e = decode(j, v, path))
      return e;
    x = std::move(v);
    return std::nullopt;
  } else if constexpr (detail::is_vector<T>::value) {
    if (!j.is_array())
      return detail::wrong_type(path, "an array", j);
    x.clear();
    x.reserve(j.size());
    for (size_t i = 0; i < j.size(); ++i) {
      typename T::value_type v{};
      if (auto e = decode(j[i], v, path + "[" + std::to_string(i) + "]"))
        return e;
      x.push_back(std::move(v));
    }
    return std::nullopt;
  } else if constexpr (detail::is_string_map<T>::value) {
    if (!j.is_object())
      return detail::wrong_type(path, "an object", j);
    x.clear();
    for (auto it = j.begin(); it != j.end(); ++it) {
      typename T::mapped_type v{};
      if (auto e = decode(it.value(), v, detail::join(path, it.key())))
        return e;
      x.emplace(it.key(), std::move(v));
    }
    return std::nullopt;
  } else if constexpr (is_described_enum_v<T>) {
    if (!j.is_string())
      return detail::wrong_type(path, "a string", j);
    const auto& name = j.get_ref<const std::string&>();
    if (auto v = enum_from_string<T>(name)) {
      x = *v;
      return std::nullopt;
    }
    std::string names;
    for (const auto& n : icto_enum_names(static_cast<const T*>(nullptr))) {
      if (!names.empty())
        names += ", ";
      names += n.name;
    }
    return make_error(input_errc::bad_value, "field '" + path + "': '" + name
                                                 + "' is not one of: " + names);
  } else if constexpr (is_described_v<T>) {
    if (!j.is_object())
      return detail::wrong_type(path, "an object", j);
    const auto fields = icto_fields(static_cast<const T*>(nullptr));
    // Unknown fields are refused: a typo must not pass silently.
    for (auto it = j.begin(); it != j.end(); ++it) {
      bool known = std::apply(
          [&](const auto&... fs) {
            return ((fs.name == it.key()) || ...);
          },
          fields);
      if (!known)
        return make_error(input_errc::unknown_field,
                          "unknown field '" + detail::join(path, it.key())
                              + "'");
    }
    std::optional<error> result;
    std::apply(
        [&](const auto&... fs) {
          [[maybe_unused]] auto one = [&](const auto& f) {
            using member_type = std::decay_t<decltype(x.*(f.member))>;
            auto key = std::string{f.name};
            auto sub = detail::join(path, f.name);
            auto it = j.find(key);
            if (it == j.end()) {
              if constexpr (detail::is_optional<member_type>::value) {
                (x.*(f.member)).reset();
                return true;
              } else {
                result = make_error(input_errc::missing_field,
                                    "missing field '" + sub + "'");
                return false;
              }
            }
            result = decode(*it, x.*(f.member), sub);
            return !result.has_value();
          };
          static_cast<void>((one(fs) && ...));
        },
        fields);
    return result;
  } else {
    static_assert(detail::dependent_false<T>::value,
                  "no JSON form for this type: describe it with ICTO_FIELDS "
                  "or ICTO_ENUM");
  }
}

/// Decodes a whole value; `root` names it in errors.
template <class T>
result<T> decode(const value& j, const std::string& root = "args") {
  T x{};
  if (auto e = decode(j, x, root))
    return *e;
  return x;
}

/// Parses JSON text, then decodes it.
template <class T>
result<T> parse(std::string_view text, const std::string& root = "args") {
  auto j = value::parse(text, nullptr, false);
  if (j.is_discarded())
    return make_error(input_errc::bad_json, root + ": not valid JSON");
  return decode<T>(j, root);
}

} // namespace icto::json
