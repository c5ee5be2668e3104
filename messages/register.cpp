#include "messages/register.hpp"

#include "messages/interfaces.hpp"
#include "messages/type_name.hpp"

#include <caf/actor_system_config.hpp>

#include <set>
#include <string>

namespace icto {

void register_messages(caf::actor_system_config& cfg) {
  std::set<std::string> done;
  auto add = [&](auto tag) {
    using type = typename decltype(tag)::type;
    auto name = type_name<type>();
    if (done.insert(name).second)
      cfg.add_message_type<type>(name);
  };
  add(method_tag<caller>{});
  for_each_method([&](auto m) {
    using method = typename decltype(m)::type;
    add(method_tag<typename method::request>{});
    add(method_tag<typename method::reply>{});
  });
  cfg.add_message_type<ledger_actor>("ledger_actor");
}

} // namespace icto
