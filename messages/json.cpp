#include "messages/json.hpp"

namespace icto::json {

namespace detail {

const char* type_name(const value& j) {
  switch (j.type()) {
  case value::value_t::null: return "null";
  case value::value_t::object: return "an object";
  case value::value_t::array: return "an array";
  case value::value_t::string: return "a string";
  case value::value_t::boolean: return "a boolean";
  case value::value_t::number_integer:
  case value::value_t::number_unsigned: return "an integer";
  case value::value_t::number_float: return "a floating-point number";
  case value::value_t::binary: return "binary";
  case value::value_t::discarded: return "invalid JSON";
  }
  return "unknown";
}

error wrong_type(const std::string& path, const char* expected,
                 const value& j) {
  return make_error(input_errc::wrong_type, "field '" + path + "': expected "
                                                + expected + ", got "
                                                + type_name(j));
}

std::string join(const std::string& path, std::string_view field) {
  if (path.empty())
    return std::string{field};
  std::string result = path;
  result += '.';
  result += field;
  return result;
}

} // namespace detail

namespace {

constexpr error_domain all_domains[] = {
    error_domain::system,  error_domain::input,    error_domain::ledger,
    error_domain::backend, error_domain::audit,    error_domain::invoice,
    error_domain::factory, error_domain::contract,
};

} // namespace

value encode_error(const error& x) {
  value j = value::object();
  j["reject_code"] = static_cast<int>(x.reject);
  j["domain"] = to_string(x.domain);
  j["code"] = x.code_name();
  j["message"] = x.message;
  if (auto name = x.detail_name())
    j[name] = x.detail;
  return j;
}

std::optional<error> decode_error(const value& j, error& x,
                                  const std::string& path) {
  if (!j.is_object())
    return detail::wrong_type(path, "an error object", j);
  for (auto key : {"reject_code", "domain", "code", "message"})
    if (!j.contains(key))
      return make_error(input_errc::missing_field,
                        "missing field '" + detail::join(path, key) + "'");
  uint8_t reject = 0;
  if (auto e = decode(j["reject_code"], reject,
                      detail::join(path, "reject_code")))
    return e;
  if (reject < 1 || reject > 6)
    return make_error(input_errc::out_of_range,
                      "field '" + detail::join(path, "reject_code")
                          + "': expected 1 to 6");
  x.reject = static_cast<reject_code>(reject);
  std::string domain;
  if (auto e = decode(j["domain"], domain, detail::join(path, "domain")))
    return e;
  bool found = false;
  for (auto d : all_domains)
    if (domain == to_string(d)) {
      x.domain = d;
      found = true;
    }
  if (!found)
    return make_error(input_errc::bad_value,
                      "field '" + detail::join(path, "domain") + "': '" + domain
                          + "' is not an error domain");
  std::string code;
  if (auto e = decode(j["code"], code, detail::join(path, "code")))
    return e;
  found = false;
  for (int c = 1; c < 256 && !found; ++c) {
    x.code = static_cast<uint8_t>(c);
    found = code == x.code_name() && code != "unknown";
  }
  if (!found)
    return make_error(input_errc::bad_value,
                      "field '" + detail::join(path, "code") + "': '" + code
                          + "' is not a code of domain " + domain);
  if (auto e = decode(j["message"], x.message, detail::join(path, "message")))
    return e;
  x.detail = 0;
  if (auto name = x.detail_name()) {
    if (!j.contains(name))
      return make_error(input_errc::missing_field,
                        "missing field '" + detail::join(path, name) + "'");
    if (auto e = decode(j[name], x.detail, detail::join(path, name)))
      return e;
  }
  return std::nullopt;
}

} // namespace icto::json
