#pragma once

// Boost.Serialization for message types described with ICTO_FIELDS (the
// types factories and contracts keep in their state): every field in
// declaration order, optionals as a presence flag then the value.
//
//   ICTO_BOOST_DESCRIBED(icto::contract_info, 1)
//
// at global scope declares the class version (checked on load: a newer one
// is refused) and the serialize function. Adding a field to a described
// type changes this format: bump the version and load the old one.

#include "messages/describe.hpp"
#include "persistence/archive_helpers.hpp"
#include "persistence/principal_serialization.hpp"

#include <boost/serialization/nvp.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/tracking.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>

#include <optional>
#include <tuple>
#include <type_traits>

namespace icto::archive {

template <class T>
struct is_std_optional : std::false_type {};
template <class T>
struct is_std_optional<std::optional<T>> : std::true_type {};

/// One field: optionals through save_opt / load_opt, the rest as is.
template <class Archive, class T>
void field(Archive& ar, const char* name, T& x) {
  if constexpr (is_std_optional<T>::value) {
    if constexpr (Archive::is_saving::value)
      save_opt(ar, name, x);
    else
      load_opt(ar, name, x);
  } else {
    ar& boost::serialization::make_nvp(name, x);
  }
}

/// Every field of a described type, in declaration order.
template <class Archive, class T>
void fields(Archive& ar, T& x) {
  std::apply(
      [&](const auto&... fs) {
        (field(ar, fs.name.data(), x.*(fs.member)), ...);
      },
      icto_fields(static_cast<const T*>(nullptr)));
}

} // namespace icto::archive

#define ICTO_BOOST_DESCRIBED(type, version)                                    \
  BOOST_CLASS_VERSION(type, version)                                           \
  BOOST_CLASS_TRACKING(type, boost::serialization::track_never)                \
  namespace boost::serialization {                                             \
  template <class Archive>                                                     \
  void serialize(Archive& ar, type& x, const unsigned v) {                     \
    icto::archive::check_version(v, version, #type);                           \
    icto::archive::fields(ar, x);                                              \
  }                                                                            \
  }
