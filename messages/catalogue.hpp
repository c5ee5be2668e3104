#pragma once

// For the files in messages/catalogue/ only: each registers one service's
// (or contract kind's) message types with CAF and builds its method table.
// Split per service because instantiating CAF's type-erased values for
// hundreds of types in one file takes tens of minutes and gigabytes.

#include "messages/json.hpp"
#include "messages/methods.hpp"
#include "messages/type_name.hpp"
#include "messages/typed_actor_of.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include <string>
#include <vector>

namespace icto::detail {

template <class M>
method_info make_method_info() {
  using request = typename M::request;
  using reply = typename M::reply;
  method_info info;
  info.name = M::method_name;
  info.access = M::method_access;
  info.request_type = type_name<request>();
  info.reply_type = type_name<reply>();
  info.make_request = [](const caller& who,
                         const json::value& args) -> result<caf::message> {
    auto req = json::decode<request>(args, "args");
    if (!req)
      return req.err();
    return caf::make_message(who, std::move(*req));
  };
  info.encode_reply = [](const caf::message& msg) -> result<json::value> {
    if (!msg.match_elements<reply>())
      return make_error(system_errc::internal, "reply is not of type "
                                                   + type_name<reply>() + ": "
                                                   + to_string(msg));
    return json::encode(msg.get_as<reply>(0));
  };
  return info;
}

template <class... Ms>
std::vector<method_info> make_method_table(method_list<Ms...>) {
  return {make_method_info<Ms>()...};
}

template <class T>
void add_type(caf::actor_system_config& cfg) {
  cfg.add_message_type<T>(type_name<T>());
}

template <class... Ms>
void register_method_types(caf::actor_system_config& cfg, method_list<Ms...>) {
  (add_type<typename Ms::request>(cfg), ...);
  (add_type<typename Ms::reply>(cfg), ...);
}

} // namespace icto::detail

/// Defines detail::register_NAME(cfg) and detail::methods_NAME() for a
/// method list and registers its typed handle as "NAME_actor".
#define ICTO_CATALOGUE_ENTRY(name, list)                                       \
  namespace icto::detail {                                                     \
  void register_##name(caf::actor_system_config& cfg) {                        \
    register_method_types(cfg, list{});                                        \
    cfg.add_message_type<typed_actor_of_t<list>>(#name "_actor");              \
  }                                                                            \
  std::vector<method_info> methods_##name() {                                  \
    return make_method_table(list{});                                          \
  }                                                                            \
  }
