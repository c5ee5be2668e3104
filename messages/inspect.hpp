#pragma once

// CAF inspect overloads for the vocabulary types of messages/: error,
// result<T>, unit and std::optional (which CAF 0.17 does not know).

#include "messages/error.hpp"

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/sec.hpp>

#include <optional>
#include <type_traits>

namespace caf {

// Found by ADL through the inspector's namespace.
template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, std::optional<T>& x) {
  if constexpr (Inspector::reads_state) {
    bool has = x.has_value();
    if (has)
      return f(meta::type_name("optional"), has, *x);
    return f(meta::type_name("optional"), has);
  } else {
    bool has = false;
    if (auto err = f(has))
      return err;
    if (!has) {
      x.reset();
      return none;
    }
    T tmp{};
    if (auto err = f(tmp))
      return err;
    x = std::move(tmp);
    return none;
  }
}

} // namespace caf

namespace icto {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, error& x) {
  return f(caf::meta::type_name("icto_error"), x.reject, x.domain, x.code,
           x.message, x.detail);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, unit&) {
  return f(caf::meta::type_name("unit"));
}

template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, result<T>& x) {
  if constexpr (Inspector::reads_state) {
    bool ok = x.ok();
    if (ok)
      return f(caf::meta::type_name("result"), ok, x.value());
    return f(caf::meta::type_name("result"), ok, x.err());
  } else {
    bool ok = false;
    if (auto err = f(ok))
      return err;
    if (ok) {
      T tmp{};
      if (auto err = f(tmp))
        return err;
      x = std::move(tmp);
    } else {
      error tmp;
      if (auto err = f(tmp))
        return err;
      x = std::move(tmp);
    }
    return caf::none;
  }
}

} // namespace icto
