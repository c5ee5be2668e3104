#include "messages/register.hpp"

#include "messages/catalogue_entries.hpp"
#include "messages/type_name.hpp"

#include <caf/actor_system_config.hpp>

namespace icto {

void register_messages(caf::actor_system_config& cfg) {
  cfg.add_message_type<caller>(type_name<caller>());
#define ICTO_REGISTER_ENTRY(name, key) detail::register_##name(cfg);
  ICTO_SERVICE_ENTRIES(ICTO_REGISTER_ENTRY)
  ICTO_CONTRACT_ENTRIES(ICTO_REGISTER_ENTRY)
#undef ICTO_REGISTER_ENTRY
}

} // namespace icto
