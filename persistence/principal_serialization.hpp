#pragma once

// Boost.Serialization of `icto::principal`: include only where archives are
// written or read.
//
// Format (version 0): the length as one byte, then the raw bytes. Loading
// checks the length before reading any byte.

#include "messages/principal.hpp"

#include <boost/archive/archive_exception.hpp>
#include <boost/serialization/array_wrapper.hpp>
#include <boost/serialization/nvp.hpp>
#include <boost/serialization/split_free.hpp>
#include <boost/serialization/tracking.hpp>
#include <boost/serialization/version.hpp>

#include <array>
#include <cstdint>
#include <string>

BOOST_CLASS_VERSION(icto::principal, 0)
BOOST_CLASS_TRACKING(icto::principal, boost::serialization::track_never)

namespace boost::serialization {

template <class Archive>
void save(Archive& ar, const icto::principal& x, unsigned) {
  const auto size = static_cast<uint8_t>(x.size());
  ar << make_nvp("size", size);
  ar << make_nvp("bytes", make_array(x.data(), x.size()));
}

/// Throws `archive_exception` on a length above `principal::max_size`.
template <class Archive>
void load(Archive& ar, icto::principal& x, unsigned) {
  using boost::archive::archive_exception;
  uint8_t size = 0;
  ar >> make_nvp("size", size);
  if (size > icto::principal::max_size) {
    const auto what = "principal: stored length " + std::to_string(size)
                      + " exceeds " + std::to_string(icto::principal::max_size);
    throw archive_exception(archive_exception::input_stream_error,
                            what.c_str());
  }
  std::array<uint8_t, icto::principal::max_size> bytes{};
  ar >> make_nvp("bytes", make_array(bytes.data(), size));
  auto p = icto::principal::from_bytes(bytes.data(), size);
  if (!p.ok())
    throw archive_exception(archive_exception::input_stream_error,
                            p.err().message.c_str());
  x = p.value();
}

template <class Archive>
void serialize(Archive& ar, icto::principal& x, const unsigned version) {
  split_free(ar, x, version);
}

} // namespace boost::serialization
