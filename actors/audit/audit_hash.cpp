// The audit chain's hash: kept apart from audit_state.cpp because it pulls
// in CAF's binary serializer.

#include "actors/audit/audit_state.hpp"

#include <caf/binary_serializer.hpp>
#include <caf/error.hpp>
#include <openssl/sha.h>

#include <stdexcept>
#include <vector>

namespace icto {

blob audit_genesis_hash() {
  return blob(SHA256_DIGEST_LENGTH, 0);
}

blob audit_entry_hash(const blob& prev_hash, uint64_t id,
                      const principal& writer, timestamp recorded_at,
                      const audit_event& event) {
  std::vector<char> buf(prev_hash.begin(), prev_hash.end());
  caf::binary_serializer sink{nullptr, buf};
  auto id_copy = id;
  auto writer_copy = writer;
  auto time_copy = recorded_at;
  auto event_copy = event;
  if (auto err = sink(id_copy, writer_copy, time_copy, event_copy))
    throw std::logic_error("audit_entry_hash: cannot serialize the entry");
  blob out(SHA256_DIGEST_LENGTH);
  SHA256(reinterpret_cast<const unsigned char*>(buf.data()), buf.size(),
         out.data());
  return out;
}

} // namespace icto
