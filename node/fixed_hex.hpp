#pragma once

#include "messages/error.hpp"
#include "messages/principal.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace icto {

/// Exactly N bytes from hex text (keys, seeds, signatures); the error names
/// `field` and says what is wrong (bad hex, or how many bytes it has).
template <size_t N>
result<std::array<uint8_t, N>>
fixed_hex(std::string_view text, const char* field) {
  auto bytes = from_hex(text, field);
  if (!bytes)
    return bytes.err();
  if (bytes->size() != N)
    return make_error(input_errc::bad_length,
                      std::string{field} + ": expected " + std::to_string(N)
                          + " bytes, got " + std::to_string(bytes->size()));
  std::array<uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

} // namespace icto
