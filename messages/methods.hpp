#pragma once

// The method table that ingress and the CLI use: a method's name, access,
// and how to turn JSON arguments into the request message and the reply
// message back into JSON.

#include "messages/common.hpp"
#include "messages/json.hpp"
#include "messages/method.hpp"

#include <caf/fwd.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace icto {

/// One callable method of a service.
struct method_info {
  std::string_view name;
  method_access access;
  std::string request_type;
  std::string reply_type;
  /// JSON arguments -> the message (caller, request), or what is wrong.
  std::function<result<caf::message>(const caller&, const json::value&)>
      make_request;
  /// A reply message -> JSON; an error if it is not of the reply type.
  std::function<result<json::value>(const caf::message&)> encode_reply;
};

/// All methods of a service, in declaration order.
const std::vector<method_info>& methods_of(service_id service);

/// The method of that name, or nullptr.
const method_info* find_method(service_id service, std::string_view name);

/// All methods a contract of that kind answers, in declaration order.
const std::vector<method_info>& methods_of(contract_kind kind);

/// The contract method of that name, or nullptr.
const method_info* find_method(contract_kind kind, std::string_view name);

} // namespace icto
