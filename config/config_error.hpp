#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace icto {

/// One problem with a topology file: where it is, which key, what is wrong.
struct config_error {
  std::string file;
  /// 1-based; 0 when the problem has no place in the file (a missing table).
  int line = 0;
  int column = 0;
  /// The key as written in the docs, with node indexes: "node[1].port".
  /// Empty for TOML syntax errors and unreadable files.
  std::string key;
  std::string message;

  /// "file:line:column: key: message", leaving out what is unknown.
  std::string to_string() const;

  friend bool operator==(const config_error& x, const config_error& y) {
    return x.file == y.file && x.line == y.line && x.column == y.column
           && x.key == y.key && x.message == y.message;
  }
};

/// Either a fully valid value or every error found on the way to it; never
/// both, never a half-made value.
template <class T>
class result_or_errors {
 public:
  result_or_errors(T x) : v_(std::move(x)) {}
  /// REQUIRES: !errors.empty()
  result_or_errors(std::vector<config_error> errors) : v_(std::move(errors)) {}

  bool ok() const {
    return v_.index() == 0;
  }
  explicit operator bool() const {
    return ok();
  }

  // REQUIRES: ok()
  const T& value() const& {
    return std::get<0>(v_);
  }
  T& value() & {
    return std::get<0>(v_);
  }
  T&& value() && {
    return std::get<0>(std::move(v_));
  }
  const T& operator*() const {
    return value();
  }
  T& operator*() {
    return value();
  }
  const T* operator->() const {
    return &value();
  }
  T* operator->() {
    return &value();
  }

  // REQUIRES: !ok()
  const std::vector<config_error>& errors() const {
    return std::get<1>(v_);
  }

 private:
  std::variant<T, std::vector<config_error>> v_;
};

} // namespace icto
