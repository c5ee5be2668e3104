#pragma once

#include "messages/describe.hpp"
#include "messages/error.hpp"
#include "messages/principal.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace icto {

namespace detail {

template <class T>
struct type_name_of;

} // namespace detail

/// The name a message type is registered with in CAF, e.g.
/// "result<vector<contract_info>>". Unique per type.
template <class T>
std::string type_name() {
  return detail::type_name_of<T>::get();
}

namespace detail {

template <class T>
struct type_name_of {
  static std::string get() {
    if constexpr (std::is_same_v<T, bool>)
      return "bool";
    else if constexpr (std::is_same_v<T, uint8_t>)
      return "uint8";
    else if constexpr (std::is_same_v<T, uint16_t>)
      return "uint16";
    else if constexpr (std::is_same_v<T, uint32_t>)
      return "uint32";
    else if constexpr (std::is_same_v<T, uint64_t>)
      return "uint64";
    else if constexpr (std::is_same_v<T, int64_t>)
      return "int64";
    else if constexpr (std::is_same_v<T, std::string>)
      return "string";
    else if constexpr (std::is_same_v<T, std::vector<uint8_t>>)
      return "blob";
    else if constexpr (std::is_same_v<T, principal>)
      return "principal";
    else if constexpr (std::is_same_v<T, unit>)
      return "unit";
    else if constexpr (std::is_same_v<T, error>)
      return "icto_error";
    else
      return icto_type_name(static_cast<const T*>(nullptr));
  }
};

template <class T>
struct type_name_of<std::vector<T>> {
  static std::string get() {
    return "vector<" + type_name<T>() + ">";
  }
};

template <class T>
struct type_name_of<std::optional<T>> {
  static std::string get() {
    return "optional<" + type_name<T>() + ">";
  }
};

template <class T>
struct type_name_of<result<T>> {
  static std::string get() {
    return "result<" + type_name<T>() + ">";
  }
};

} // namespace detail

} // namespace icto
