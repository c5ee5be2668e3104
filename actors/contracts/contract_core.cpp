#include "actors/contracts/contract_core.hpp"

#include <algorithm>
#include <utility>

namespace icto {

contract_core make_contract_core(contract_kind kind, principal id,
                                 principal owner, principal factory_id,
                                 semver version, timestamp created_at,
                                 bool is_public, std::string status) {
  contract_core core;
  core.id = id;
  core.kind = kind;
  core.owner = owner;
  core.factory_id = factory_id;
  core.version = version;
  core.controllers = {factory_id, owner};
  core.auto_update = true;
  core.is_public = is_public;
  core.status = std::move(status);
  core.created_at = created_at;
  return core;
}

std::string to_text(const semver& v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor) + "."
         + std::to_string(v.patch);
}

bool is_controller(const contract_core& core, const principal& p) {
  return std::find(core.controllers.begin(), core.controllers.end(), p)
         != core.controllers.end();
}

bool factory_is_controller(const contract_core& core) {
  return is_controller(core, core.factory_id);
}

contract_status status_of(const contract_core& core) {
  contract_status out;
  out.id = core.id;
  out.kind = core.kind;
  out.owner = core.owner;
  out.factory = core.factory_id;
  out.version = core.version;
  out.controllers = core.controllers;
  out.auto_update = core.auto_update;
  out.is_public = core.is_public;
  out.status = core.status;
  out.created_at = core.created_at;
  return out;
}

result<unit> require_owner(const contract_core& core, const principal& who,
                           const char* what) {
  if (who != core.owner)
    return make_error(contract_errc::unauthorized,
                      std::string{what} + ": only the owner "
                          + core.owner.to_text() + " may call it, not "
                          + who.to_text());
  return unit{};
}

result<unit> require_factory(const contract_core& core, const principal& who,
                             const char* what) {
  if (who != core.factory_id)
    return make_error(contract_errc::unauthorized,
                      std::string{what} + ": only the factory "
                          + core.factory_id.to_text() + " may call it, not "
                          + who.to_text());
  if (!factory_is_controller(core))
    return make_error(contract_errc::unauthorized,
                      std::string{what}
                          + ": the owner removed the factory from the "
                            "controllers");
  return unit{};
}

result<bool> set_auto_update(contract_core& core, const principal& who,
                             const set_auto_update_arg& arg) {
  if (auto ok = require_owner(core, who, "setAutoUpdate"); !ok)
    return ok.err();
  const bool changed = core.auto_update != arg.enabled;
  core.auto_update = arg.enabled;
  return changed;
}

result<bool> remove_factory_controller(contract_core& core,
                                       const principal& who) {
  if (auto ok = require_owner(core, who, "removeFactoryController"); !ok)
    return ok.err();
  if (!factory_is_controller(core))
    return make_error(contract_errc::already_done,
                      "removeFactoryController: the factory is no longer a "
                      "controller");
  auto& cs = core.controllers;
  cs.erase(std::remove(cs.begin(), cs.end(), core.factory_id), cs.end());
  return true;
}

result<bool> set_visibility(contract_core& core, const principal& who,
                            const set_visibility_arg& arg) {
  if (auto ok = require_owner(core, who, "setVisibility"); !ok)
    return ok.err();
  const bool changed = core.is_public != arg.is_public;
  core.is_public = arg.is_public;
  return changed;
}

} // namespace icto
