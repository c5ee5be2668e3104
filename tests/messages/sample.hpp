#pragma once

// Random values of any message type, for round-trip tests.

#include "messages/common.hpp"
#include "messages/json.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

namespace icto::test {

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_result : std::false_type {};
template <class T>
struct is_result<result<T>> : std::true_type {};

/// A random value of T; `depth` bounds nested containers.
template <class T>
T sample(std::mt19937_64& gen, int depth = 0) {
  if constexpr (std::is_same_v<T, bool>) {
    return gen() % 2 == 0;
  } else if constexpr (std::is_integral_v<T>) {
    // Mix small values and the extremes.
    switch (gen() % 4) {
    case 0: return 0;
    case 1: return std::numeric_limits<T>::max();
    default: return static_cast<T>(gen());
    }
  } else if constexpr (std::is_same_v<T, std::string>) {
    static const char* texts[] = {"", "ICTO", "quote \" and \\ backslash",
                                  "ünïcödé ✓", "line\nbreak"};
    return texts[gen() % 5] + std::to_string(gen() % 1000);
  } else if constexpr (std::is_same_v<T, blob>) {
    blob x(gen() % 33);
    for (auto& b : x)
      b = static_cast<uint8_t>(gen());
    return x;
  } else if constexpr (std::is_same_v<T, principal>) {
    if (gen() % 2 == 0)
      return principal::canister_id(gen());
    uint8_t key[32];
    for (auto& b : key)
      b = static_cast<uint8_t>(gen());
    return principal::self_authenticating(key);
  } else if constexpr (std::is_same_v<T, unit>) {
    return unit{};
  } else if constexpr (std::is_same_v<T, error>) {
    return make_error(ledger_errc::bad_fee, "sample", gen());
  } else if constexpr (is_result<T>::value) {
    if (gen() % 3 == 0)
      return T{make_error(contract_errc::invalid_state, "sample error")};
    return T{sample<typename T::value_type>(gen, depth)};
  } else if constexpr (is_optional<T>::value) {
    if (gen() % 3 == 0)
      return std::nullopt;
    return sample<typename T::value_type>(gen, depth);
  } else if constexpr (is_vector<T>::value) {
    T x;
    auto n = depth > 2 ? 0 : gen() % 4;
    for (size_t i = 0; i < n; ++i)
      x.push_back(sample<typename T::value_type>(gen, depth + 1));
    return x;
  } else if constexpr (is_described_enum_v<T>) {
    const auto& names = icto_enum_names(static_cast<const T*>(nullptr));
    auto n = std::size(names);
    return names[gen() % n].value;
  } else {
    static_assert(is_described_v<T>, "sample: not a message type");
    T x{};
    std::apply(
        [&](const auto&... fs) {
          ((x.*(fs.member)
            = sample<std::decay_t<decltype(x.*(fs.member))>>(gen, depth + 1)),
           ...);
        },
        icto_fields(static_cast<const T*>(nullptr)));
    return x;
  }
}

} // namespace icto::test
