#pragma once

// Boost.Serialization helpers shared by the actors' checkpoints (ledger,
// audit and invoice storage): version checks, load failures, optionals.

#include "persistence/principal_serialization.hpp"

#include <boost/archive/archive_exception.hpp>
#include <boost/serialization/nvp.hpp>

#include <optional>
#include <string>
#include <utility>

namespace icto::archive {

/// Throws archive_exception (unsupported_class_version) if `version` is
/// newer than what this build writes.
inline void check_version(unsigned version, unsigned ours, const char* what) {
  using boost::archive::archive_exception;
  if (version > ours)
    throw archive_exception(archive_exception::unsupported_class_version, what);
}

[[noreturn]] inline void fail(const std::string& what) {
  using boost::archive::archive_exception;
  throw archive_exception(archive_exception::input_stream_error, what.c_str());
}

/// An optional as a presence flag, then the value if present.
template <class Archive, class T>
void save_opt(Archive& ar, const char* name, const std::optional<T>& x) {
  using boost::serialization::make_nvp;
  const bool has = x.has_value();
  ar << make_nvp("has", has);
  if (has)
    ar << make_nvp(name, *x);
}

template <class Archive, class T>
void load_opt(Archive& ar, const char* name, std::optional<T>& x) {
  using boost::serialization::make_nvp;
  bool has = false;
  ar >> make_nvp("has", has);
  if (!has) {
    x.reset();
    return;
  }
  T value{};
  ar >> make_nvp(name, value);
  x = std::move(value);
}

} // namespace icto::archive
