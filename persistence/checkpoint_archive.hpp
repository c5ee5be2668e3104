#pragma once

// A checkpoint's payload: the state in a Boost.Serialization binary
// archive (class-versioned by each type's BOOST_CLASS_VERSION). The store's
// record frame (magic, format version, length, CRC-32C) is checked before
// `load_checkpoint` sees the bytes: Boost trusts the lengths inside.

#include "messages/error.hpp"

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>

#include <exception>
#include <sstream>
#include <string>
#include <string_view>

namespace icto {

template <class T>
std::string save_checkpoint(const T& state) {
  std::ostringstream out;
  {
    boost::archive::binary_oarchive ar{out};
    ar << state;
  }
  return std::move(out).str();
}

template <class T>
result<T> load_checkpoint(std::string_view bytes, const std::string& what) {
  try {
    std::istringstream in{std::string{bytes}};
    boost::archive::binary_iarchive ar{in};
    T state{};
    ar >> state;
    return state;
  } catch (const std::exception& e) {
    return make_error(system_errc::storage_failure,
                      what + ": the checkpoint does not load: " + e.what());
  }
}

} // namespace icto
