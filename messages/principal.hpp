#pragma once

#include "messages/error.hpp"

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/sec.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace icto {

/// The classes of principal the IC interface specification defines, by the
/// last byte of the raw bytes.
enum class principal_kind : uint8_t {
  /// The empty principal: the management canister (`aaaaa-aa`).
  management,
  /// Ends in 0x01: canister ids and other ids the system makes.
  opaque,
  /// Ends in 0x02: SHA-224 of a DER-encoded public key, then 0x02.
  self_authenticating,
  /// Ends in 0x03: derived from another principal.
  derived,
  /// Exactly 0x04: the anonymous caller (`2vxsx-fae`).
  anonymous,
  /// Ends in 0x7f: looks like a principal, names nothing.
  reserved,
  /// Any other last byte: a class the specification does not assign.
  unassigned,
};

const char* to_string(principal_kind x);

/// An Internet Computer principal: 0 to 29 raw bytes. Users, canisters (here:
/// services and contracts) and the anonymous caller are all principals.
/// A value type; cheap to copy (30 bytes, no allocation).
class principal {
 public:
  static constexpr size_t max_size = 29;

  /// The empty principal (the management canister).
  principal() = default;

  /// REQUIRES: size <= max_size (else: input_errc::bad_length).
  static result<principal> from_bytes(const uint8_t* data, size_t size);
  static result<principal> from_bytes(const std::vector<uint8_t>& bytes) {
    return from_bytes(bytes.data(), bytes.size());
  }

  /// Parses the textual form, e.g. "em77e-bvlzu-aq". Only the canonical
  /// form is accepted: lower-case base32 without padding, groups of five
  /// joined by '-', and a CRC-32 that matches the bytes.
  static result<principal> from_text(std::string_view text);

  /// Parses hex (upper or lower case, no prefix), e.g. "ABCD01".
  static result<principal> from_hex(std::string_view hex);

  /// The self-authenticating principal of an Ed25519 public key.
  static principal self_authenticating(const uint8_t (&ed25519_key)[32]);

  /// The canister id with this index: 8 big-endian bytes, then 0x01 0x01.
  static principal canister_id(uint64_t index);

  static principal anonymous();

  static principal management() {
    return principal{};
  }

  const uint8_t* data() const {
    return bytes_.data();
  }
  size_t size() const {
    return size_;
  }
  bool empty() const {
    return size_ == 0;
  }
  std::vector<uint8_t> to_bytes() const {
    return {bytes_.begin(), bytes_.begin() + size_};
  }

  principal_kind kind() const;

  bool is_anonymous() const {
    return kind() == principal_kind::anonymous;
  }

  /// The index of a canister id made by `canister_id`, if it is one.
  std::optional<uint64_t> canister_index() const;

  /// The textual form (CRC-32 prepended, base32, groups of five).
  std::string to_text() const;

  /// Lower-case hex of the raw bytes ("" for the management canister).
  std::string to_hex() const;

  /// A well-mixed 64-bit hash of the bytes.
  size_t hash() const;

  friend bool operator==(const principal& x, const principal& y) {
    return x.size_ == y.size_ && x.bytes_ == y.bytes_;
  }
  friend bool operator!=(const principal& x, const principal& y) {
    return !(x == y);
  }
  /// Orders by length first, then bytes (as the IC does not; any total
  /// order serves the sorted outputs).
  friend bool operator<(const principal& x, const principal& y) {
    return x.size_ != y.size_ ? x.size_ < y.size_ : x.bytes_ < y.bytes_;
  }

  template <class Inspector>
  friend typename Inspector::result_type inspect(Inspector& f, principal& x) {
    if constexpr (Inspector::reads_state) {
      if constexpr (std::is_same<typename Inspector::result_type,
                                 void>::value) {
        // Stringification (logs): the textual form reads best.
        auto text = x.to_text();
        return f(caf::meta::type_name("principal"), text);
      } else {
        auto bytes = x.to_bytes();
        return f(caf::meta::type_name("principal"), bytes);
      }
    } else {
      std::vector<uint8_t> bytes;
      auto load = [&]() -> caf::error {
        auto p = from_bytes(bytes);
        if (!p)
          return caf::make_error(caf::sec::invalid_argument, p.err().message);
        x = p.value();
        return caf::none;
      };
      return f(caf::meta::type_name("principal"), bytes,
               caf::meta::load_callback(load));
    }
  }

 private:
  // Zero beyond size_, so that == and < may compare whole arrays.
  std::array<uint8_t, max_size> bytes_{};
  uint8_t size_ = 0;
};

/// CRC-32 (ISO-HDLC, as zlib) of a byte range: the principal checksum.
uint32_t crc32(const uint8_t* data, size_t size);

/// RFC 4648 base32, lower-case, no padding.
std::string base32_encode(const uint8_t* data, size_t size);

/// Lower-case hex.
std::string to_hex(const uint8_t* data, size_t size);

/// Parses hex of either case; `what` names the field in the error.
result<std::vector<uint8_t>> from_hex(std::string_view hex,
                                      std::string_view what = "hex");

} // namespace icto

template <>
struct std::hash<icto::principal> {
  size_t operator()(const icto::principal& x) const noexcept {
    return x.hash();
  }
};
