#include "messages/principal.hpp"

#include <boost/crc.hpp>
#include <openssl/sha.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace icto {

namespace {

constexpr char base32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 key bytes
// follow.
constexpr uint8_t ed25519_der_prefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                          0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

int base32_value(char c) {
  if (c >= 'a' && c <= 'z')
    return c - 'a';
  if (c >= '2' && c <= '7')
    return c - '2' + 26;
  return -1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

uint64_t mix64(uint64_t x) {
  // splitmix64's finalizer.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

} // namespace

const char* to_string(principal_kind x) {
  switch (x) {
  case principal_kind::management: return "management";
  case principal_kind::opaque: return "opaque";
  case principal_kind::self_authenticating: return "self_authenticating";
  case principal_kind::derived: return "derived";
  case principal_kind::anonymous: return "anonymous";
  case principal_kind::reserved: return "reserved";
  case principal_kind::unassigned: return "unassigned";
  }
  return "unassigned";
}

uint32_t crc32(const uint8_t* data, size_t size) {
  boost::crc_32_type crc;
  crc.process_bytes(data, size);
  return crc.checksum();
}

std::string base32_encode(const uint8_t* data, size_t size) {
  std::string out;
  out.reserve((size * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < size; ++i) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 5) {
      out += base32_alphabet[(buffer >> (bits - 5)) & 0x1f];
      bits -= 5;
    }
  }
  if (bits > 0)
    out += base32_alphabet[(buffer << (5 - bits)) & 0x1f];
  return out;
}

std::string to_hex(const uint8_t* data, size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0x0f];
  }
  return out;
}

result<std::vector<uint8_t>> from_hex(std::string_view hex,
                                      std::string_view what) {
  if (hex.size() % 2 != 0)
    return make_error(input_errc::bad_hex,
                      std::string{what} + ": odd number of hex digits ("
                          + std::to_string(hex.size()) + ")");
  std::vector<uint8_t> out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto hi = hex_value(hex[i]);
    auto lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      auto pos = hi < 0 ? i : i + 1;
      return make_error(input_errc::bad_hex,
                        std::string{what} + ": '" + hex[pos] + "' at position "
                            + std::to_string(pos) + " is not a hex digit");
    }
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

result<principal> principal::from_bytes(const uint8_t* data, size_t size) {
  if (size > max_size)
    return make_error(input_errc::bad_length,
                      "a principal has at most 29 bytes, got "
                          + std::to_string(size));
  principal result;
  if (size > 0)
    std::memcpy(result.bytes_.data(), data, size);
  result.size_ = static_cast<uint8_t>(size);
  return result;
}

result<principal> principal::from_text(std::string_view text) {
  // 4 checksum bytes + 29 bytes = 33 bytes = 53 base32 characters, plus
  // 10 dashes.
  constexpr size_t max_text = 63;
  if (text.empty())
    return make_error(input_errc::bad_length, "principal text is empty");
  if (text.size() > max_text)
    return make_error(input_errc::bad_length,
                      "principal text has " + std::to_string(text.size())
                          + " characters, at most 63 are possible");
  std::string chars;
  chars.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = text[i];
    if (c == '-') {
      // Dashes stand after every fifth character, never at the end.
      if ((i + 1) % 6 != 0 || i + 1 == text.size())
        return make_error(input_errc::bad_grouping,
                          "principal text '" + std::string{text}
                              + "': '-' at position " + std::to_string(i)
                              + ", expected groups of five characters "
                                "joined by '-'");
      continue;
    }
    if ((i + 1) % 6 == 0)
      return make_error(input_errc::bad_grouping,
                        "principal text '" + std::string{text}
                            + "': expected '-' at position " + std::to_string(i)
                            + ", found '" + c + "'");
    if (base32_value(c) < 0) {
      std::string why = (c >= 'A' && c <= 'Z')
                            ? " (the textual form is lower-case)"
                        : (c == '0' || c == '1' || c == '8' || c == '9')
                            ? " (base32 has no 0, 1, 8 or 9)"
                            : "";
      return make_error(input_errc::bad_alphabet,
                        "principal text '" + std::string{text} + "': '"
                            + std::string(1, c) + "' at position "
                            + std::to_string(i)
                            + " is not in the base32 alphabet a-z2-7" + why);
    }
    chars += c;
  }
  // Unpadded base32 lengths that no byte count produces.
  auto rem = chars.size() % 8;
  if (rem == 1 || rem == 3 || rem == 6)
    return make_error(input_errc::bad_length,
                      "principal text '" + std::string{text}
                          + "': " + std::to_string(chars.size())
                          + " base32 characters cannot encode whole bytes");
  std::vector<uint8_t> bytes;
  bytes.reserve(chars.size() * 5 / 8);
  uint32_t buffer = 0;
  int bits = 0;
  for (auto c : chars) {
    buffer = (buffer << 5) | static_cast<uint32_t>(base32_value(c));
    bits += 5;
    if (bits >= 8) {
      bytes.push_back(static_cast<uint8_t>(buffer >> (bits - 8)));
      bits -= 8;
    }
  }
  if ((buffer & ((1u << bits) - 1)) != 0)
    return make_error(input_errc::bad_alphabet,
                      "principal text '" + std::string{text}
                          + "': the last character has non-zero padding "
                            "bits (not a canonical encoding)");
  if (bytes.size() < 4)
    return make_error(input_errc::bad_length,
                      "principal text '" + std::string{text}
                          + "' is too short to hold its 4-byte checksum");
  auto body_size = bytes.size() - 4;
  if (body_size > max_size)
    return make_error(input_errc::bad_length,
                      "principal text '" + std::string{text} + "' encodes "
                          + std::to_string(body_size)
                          + " bytes, at most 29 are allowed");
  uint32_t expected = uint32_t{bytes[0]} << 24 | uint32_t{bytes[1]} << 16
                      | uint32_t{bytes[2]} << 8 | uint32_t{bytes[3]};
  auto actual = crc32(bytes.data() + 4, body_size);
  if (expected != actual) {
    char buf[80];
    std::snprintf(buf, sizeof(buf),
                  "': checksum %08x does not match the bytes (CRC-32 %08x)",
                  expected, actual);
    return make_error(input_errc::bad_checksum,
                      "principal text '" + std::string{text} + buf);
  }
  auto result = from_bytes(bytes.data() + 4, body_size);
  // The last group may hold 1 to 5 characters; a text whose grouping
  // differs from the canonical one (e.g. missing trailing group split) is
  // caught here.
  if (result && result->to_text() != text)
    return make_error(input_errc::bad_grouping,
                      "principal text '" + std::string{text}
                          + "' is not in canonical form, expected '"
                          + result->to_text() + "'");
  return result;
}

result<principal> principal::from_hex(std::string_view hex) {
  auto bytes = icto::from_hex(hex, "principal hex");
  if (!bytes)
    return bytes.err();
  return from_bytes(*bytes);
}

principal principal::self_authenticating(const uint8_t (&ed25519_key)[32]) {
  uint8_t der[sizeof(ed25519_der_prefix) + 32];
  std::memcpy(der, ed25519_der_prefix, sizeof(ed25519_der_prefix));
  std::memcpy(der + sizeof(ed25519_der_prefix), ed25519_key, 32);
  principal result;
  SHA224(der, sizeof(der), result.bytes_.data());
  result.bytes_[SHA224_DIGEST_LENGTH] = 0x02;
  result.size_ = SHA224_DIGEST_LENGTH + 1;
  return result;
}

principal principal::canister_id(uint64_t index) {
  principal result;
  for (int i = 0; i < 8; ++i)
    result.bytes_[static_cast<size_t>(i)]
        = static_cast<uint8_t>(index >> (56 - 8 * i));
  result.bytes_[8] = 0x01;
  result.bytes_[9] = 0x01;
  result.size_ = 10;
  return result;
}

principal principal::anonymous() {
  principal result;
  result.bytes_[0] = 0x04;
  result.size_ = 1;
  return result;
}

principal_kind principal::kind() const {
  if (size_ == 0)
    return principal_kind::management;
  switch (bytes_[size_ - 1u]) {
  case 0x01: return principal_kind::opaque;
  case 0x02: return principal_kind::self_authenticating;
  case 0x03: return principal_kind::derived;
  case 0x04:
    return size_ == 1 ? principal_kind::anonymous : principal_kind::unassigned;
  case 0x7f: return principal_kind::reserved;
  default: return principal_kind::unassigned;
  }
}

std::optional<uint64_t> principal::canister_index() const {
  if (size_ != 10 || bytes_[8] != 0x01 || bytes_[9] != 0x01)
    return std::nullopt;
  uint64_t index = 0;
  for (size_t i = 0; i < 8; ++i)
    index = index << 8 | bytes_[i];
  return index;
}

std::string principal::to_text() const {
  uint8_t buf[4 + max_size];
  auto crc = crc32(bytes_.data(), size_);
  buf[0] = static_cast<uint8_t>(crc >> 24);
  buf[1] = static_cast<uint8_t>(crc >> 16);
  buf[2] = static_cast<uint8_t>(crc >> 8);
  buf[3] = static_cast<uint8_t>(crc);
  if (size_ > 0)
    std::memcpy(buf + 4, bytes_.data(), size_);
  auto plain = base32_encode(buf, 4u + size_);
  std::string out;
  out.reserve(plain.size() + plain.size() / 5);
  for (size_t i = 0; i < plain.size(); ++i) {
    if (i > 0 && i % 5 == 0)
      out += '-';
    out += plain[i];
  }
  return out;
}

std::string principal::to_hex() const {
  return icto::to_hex(bytes_.data(), size_);
}

size_t principal::hash() const {
  uint64_t h = mix64(size_ + 0x9e3779b97f4a7c15ULL);
  for (size_t i = 0; i < size_; i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, bytes_.data() + i, std::min<size_t>(8, max_size - i));
    h = mix64(h ^ word);
  }
  return static_cast<size_t>(h);
}

} // namespace icto
