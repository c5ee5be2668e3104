#include "messages/methods.hpp"

#include "messages/services.hpp"
#include "messages/type_name.hpp"

#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include <map>

namespace icto {

namespace {

template <class M>
method_info make_info() {
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

std::map<service_id, std::vector<method_info>> make_tables() {
  std::map<service_id, std::vector<method_info>> tables;
  for_each_service([&](service_id id, auto list) {
    auto& table = tables[id];
    for_each_method(list, [&](auto tag) {
      table.push_back(make_info<typename decltype(tag)::type>());
    });
  });
  return tables;
}

const std::map<service_id, std::vector<method_info>>& tables() {
  static const auto instance = make_tables();
  return instance;
}

} // namespace

const std::vector<method_info>& methods_of(service_id service) {
  static const std::vector<method_info> none;
  auto i = tables().find(service);
  return i != tables().end() ? i->second : none;
}

const method_info* find_method(service_id service, std::string_view name) {
  for (const auto& m : methods_of(service))
    if (m.name == name)
      return &m;
  return nullptr;
}

} // namespace icto
