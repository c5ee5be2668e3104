#include "persistence/record.hpp"

#include <boost/crc.hpp>

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace icto::store {

namespace {

constexpr char magic[4] = {'I', 'C', 'T', 'R'};

template <class T>
void put_le(std::string& out, T x) {
  for (size_t i = 0; i < sizeof(T); ++i)
    out.push_back(static_cast<char>((x >> (8 * i)) & 0xff));
}

template <class T>
T get_le(const char* p) {
  T x = 0;
  for (size_t i = 0; i < sizeof(T); ++i)
    x |= static_cast<T>(static_cast<uint8_t>(p[i])) << (8 * i);
  return x;
}

std::string hex32(uint32_t x) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", x);
  return buf;
}

bool valid_kind(uint8_t k) {
  return k == 'j' || k == 'c' || k == 'm';
}

} // namespace

const char* to_string(record_kind k) {
  switch (k) {
  case record_kind::journal: return "journal";
  case record_kind::checkpoint: return "checkpoint";
  case record_kind::meta: return "meta";
  }
  return "unknown";
}

const char* to_string(record_problem p) {
  switch (p) {
  case record_problem::none: return "none";
  case record_problem::truncated: return "truncated";
  case record_problem::trailing_bytes: return "trailing_bytes";
  case record_problem::bad_magic: return "bad_magic";
  case record_problem::bad_format_version: return "bad_format_version";
  case record_problem::misplaced: return "misplaced";
  case record_problem::bad_length: return "bad_length";
  case record_problem::bad_checksum: return "bad_checksum";
  }
  return "unknown";
}

namespace {

using crc32c_type
    = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

/// CRC-32C of a record's first 20 header bytes followed by its payload.
uint32_t record_crc(std::string_view header20, std::string_view payload) {
  crc32c_type crc;
  crc.process_bytes(header20.data(), header20.size());
  crc.process_bytes(payload.data(), payload.size());
  return crc.checksum();
}

} // namespace

uint32_t crc32c(std::string_view bytes) {
  crc32c_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

std::string encode_record(record_kind kind, uint64_t seq,
                          std::string_view payload) {
  if (payload.size() >= max_record_payload)
    throw std::length_error("record payload of "
                            + std::to_string(payload.size())
                            + " bytes is above the limit");
  std::string out;
  out.reserve(record_header_size + payload.size());
  out.append(magic, sizeof(magic));
  put_le<uint16_t>(out, record_format_version);
  out.push_back(static_cast<char>(kind));
  out.push_back(0);
  put_le<uint64_t>(out, seq);
  put_le<uint32_t>(out, static_cast<uint32_t>(payload.size()));
  auto crc = record_crc(out, payload);
  put_le<uint32_t>(out, crc);
  out.append(payload);
  return out;
}

decoded_record decode_record(std::string_view bytes, record_kind kind,
                             uint64_t seq) {
  decoded_record r;
  auto fail = [&](record_problem p, std::string detail) {
    r.problem = p;
    r.detail = std::move(detail);
    return r;
  };
  if (bytes.size() < record_header_size)
    return fail(record_problem::truncated,
                std::to_string(bytes.size()) + " bytes, shorter than the "
                    + std::to_string(record_header_size) + "-byte header");
  const char* p = bytes.data();
  if (std::memcmp(p, magic, sizeof(magic)) != 0)
    return fail(record_problem::bad_magic, "no ICTR magic");
  auto version = get_le<uint16_t>(p + 4);
  if (version != record_format_version)
    return fail(record_problem::bad_format_version,
                "format version " + std::to_string(version) + ", expected "
                    + std::to_string(record_format_version));
  auto length = get_le<uint32_t>(p + 16);
  if (length >= max_record_payload)
    return fail(record_problem::bad_length, "payload length "
                                                + std::to_string(length)
                                                + " is above the limit");
  if (bytes.size() < record_header_size + length) {
    // A complete payload under a damaged length field is not a record cut
    // short: the CRC over the header with the real length tells them apart.
    std::string header{bytes.substr(0, 16)};
    put_le<uint32_t>(header,
                     static_cast<uint32_t>(bytes.size() - record_header_size));
    if (record_crc(header, bytes.substr(record_header_size))
        == get_le<uint32_t>(p + 20))
      return fail(record_problem::bad_length,
                  "the header says " + std::to_string(length)
                      + " payload bytes, but the "
                      + std::to_string(bytes.size() - record_header_size)
                      + " there are match its checksum: a damaged length");
    return fail(record_problem::truncated,
                std::to_string(bytes.size() - record_header_size)
                    + " payload bytes, the header says "
                    + std::to_string(length));
  }
  if (bytes.size() > record_header_size + length)
    return fail(record_problem::trailing_bytes,
                std::to_string(bytes.size() - record_header_size - length)
                    + " bytes after the payload");
  auto stored = get_le<uint32_t>(p + 20);
  auto payload = bytes.substr(record_header_size, length);
  auto actual = record_crc(bytes.substr(0, 20), payload);
  if (actual != stored)
    return fail(record_problem::bad_checksum, "CRC-32C " + hex32(actual)
                                                  + ", the header says "
                                                  + hex32(stored));
  auto k = static_cast<uint8_t>(p[6]);
  auto s = get_le<uint64_t>(p + 8);
  // Checked after the CRC: a flipped bit in the header is a checksum error.
  if (!valid_kind(k) || k != static_cast<uint8_t>(kind) || s != seq)
    return fail(record_problem::misplaced,
                "the record says " + std::string(1, static_cast<char>(k))
                    + " seq " + std::to_string(s) + ", its key says "
                    + to_string(kind) + " seq " + std::to_string(seq));
  r.kind = kind;
  r.seq = seq;
  r.payload = payload;
  return r;
}

} // namespace icto::store
