#pragma once

// The framing of every record a node stores (journal events, checkpoints,
// actor metadata): a fixed header, then the payload.
//
//   offset size  field
//        0    4  magic "ICTR"
//        4    2  format version (little endian), 1
//        6    1  kind: 'j' journal event, 'c' checkpoint, 'm' actor metadata
//        7    1  reserved, 0
//        8    8  sequence number (little endian)
//       16    4  payload length (little endian)
//       20    4  CRC-32C of bytes 0..19 and the payload
//       24    n  payload
//
// `decode_record` checks all of it before anyone looks at the payload, so a
// truncated, bit-flipped or misplaced record is never handed to
// Boost.Serialization.

#include <cstdint>
#include <string>
#include <string_view>

namespace icto::store {

/// What a record holds.
enum class record_kind : uint8_t {
  journal = 'j',
  checkpoint = 'c',
  meta = 'm',
};

const char* to_string(record_kind k);

constexpr size_t record_header_size = 24;
constexpr uint16_t record_format_version = 1;
/// Larger payloads are refused on write and reported as corrupt on read.
constexpr uint32_t max_record_payload = 1u << 31;

/// CRC-32C (Castagnoli), as iSCSI and RocksDB use it.
uint32_t crc32c(std::string_view bytes);

/// The framed record. The payload must be below max_record_payload.
std::string encode_record(record_kind kind, uint64_t seq,
                          std::string_view payload);

/// Why a record cannot be used.
enum class record_problem : uint8_t {
  none,
  /// Shorter than its header, or than the length its header gives.
  truncated,
  /// Longer than the header says.
  trailing_bytes,
  bad_magic,
  bad_format_version,
  /// The header's kind or sequence number is not the one its key names.
  misplaced,
  /// Length above max_record_payload.
  bad_length,
  bad_checksum,
};

const char* to_string(record_problem p);

/// A record as read back. `payload` views the input bytes.
struct decoded_record {
  record_problem problem = record_problem::none;
  /// What is wrong, for a human ("CRC-32C 1a2b3c4d, expected 5e6f7a8b").
  std::string detail;
  record_kind kind = record_kind::journal;
  uint64_t seq = 0;
  std::string_view payload;

  bool ok() const {
    return problem == record_problem::none;
  }
};

/// Checks and decodes `bytes`, which its key says is a `kind` record with
/// sequence number `seq`.
decoded_record decode_record(std::string_view bytes, record_kind kind,
                             uint64_t seq);

} // namespace icto::store
