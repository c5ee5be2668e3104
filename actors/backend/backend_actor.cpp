#include "actors/backend/backend_actor.hpp"

#include "actors/backend/backend_actor_impl.hpp"
#include "actors/common/directory.hpp"

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>

#include <utility>

namespace icto {

principal caller_of(backend_self self, const caller& claimed) {
  return resolve_caller(self->state.ctx->dir, self->current_sender(), claimed);
}

void audit_note(backend_self self, audit_event ev) {
  auto& cfg = self->state.cfg;
  self->request(cfg.audit, cfg.request_timeout, caller{self->state.st.self_id},
                std::move(ev))
      .then([](const result<audit_entry>&) {}, [](const caf::error&) {});
}

audit_event make_event(backend_self self, const principal& user,
                       action_type action, action_status status,
                       service_id service, std::string message) {
  audit_event ev;
  ev.user = user;
  ev.action = action;
  ev.status = status;
  ev.severity = status == action_status::failed ? log_severity::warning
                                                : log_severity::info;
  ev.service = service;
  ev.message = std::move(message);
  ev.time = self->state.ctx->now();
  return ev;
}

namespace {

/// Audits an admin action (granted or denied) and passes `r` through.
template <class T>
result<T> audited(backend_self self, const principal& who, action_type action,
                  const std::string& what, result<T> r) {
  if (r) {
    audit_note(self, make_event(self, who, action, action_status::completed,
                                service_id::backend, what));
  } else {
    auto ev = make_event(self, who,
                         is(r.err(), backend_errc::unauthorized)
                             ? action_type::access_denied
                             : action,
                         action_status::failed, service_id::backend,
                         what + ": " + r.err().to_string());
    audit_note(self, std::move(ev));
  }
  return r;
}

result<config_entry> set_config(backend_self self, const principal& who,
                                const std::string& key,
                                const std::string& value) {
  auto& st = self->state.st;
  if (auto ok = require_config_permission(st.admins, who, key); !ok)
    return ok.err();
  auto change = decide_config_change(st.config, who, key, value,
                                     self->state.ctx->now());
  if (!change)
    return change.err();
  return apply(st.config, *change);
}

backend_actor::behavior_type
backend_impl(backend_self self, node_context_ptr ctx, backend_config cfg) {
  backend_params p;
  p.self_id = cfg.self_id;
  p.controllers = ctx->controllers;
  p.endpoints = {
      {service_id::audit_storage, cfg.audit_id},
      {service_id::invoice_storage, cfg.invoice_id},
      {service_id::token_factory, cfg.token_factory_id},
      {service_id::multisig_factory, cfg.multisig_factory_id},
      {service_id::distribution_factory, cfg.distribution_factory_id},
      {service_id::dao_factory, cfg.dao_factory_id},
      {service_id::launchpad_factory, cfg.launchpad_factory_id},
  };
  p.ledger_fee = cfg.ledger_fee;
  p.breaker_threshold = cfg.breaker_threshold;
  p.config = cfg.config;
  auto initial = make_backend_state(p, ctx->now());
  if (!initial) {
    self->quit(
        caf::make_error(caf::sec::invalid_argument, initial.err().to_string()));
    return backend_actor::behavior_type::make_empty_behavior();
  }
  self->state.ctx = std::move(ctx);
  self->state.cfg = std::move(cfg);
  self->state.st = std::move(*initial);
  arm_health_timer(self);
  return {
      // -- config
      // ---------------------------------------------------------------
      [self](const caller&, const service_fee_arg& arg) -> result<tokens> {
        if (!factory_kind(arg.service))
          return make_error(backend_errc::not_found,
                            std::string{to_string(arg.service)}
                                + " is not a factory service and has no fee");
        return service_fee(self->state.st.config, arg.service);
      },
      [self](const caller&,
             const config_value_arg& arg) -> result<config_entry> {
        auto e = self->state.st.config.values.find(arg.key);
        if (e == nullptr)
          return make_error(backend_errc::not_found,
                            "unknown config key " + arg.key);
        return *e;
      },
      [self](const caller&,
             const all_config_values_arg&) -> result<config_values> {
        return all_values(self->state.st.config);
      },
      [self](const caller& c,
             const config_history_arg& arg) -> result<config_history> {
        auto who = caller_of(self, c);
        if (auto ok = require_admin(self->state.st.admins, who,
                                    "getConfigHistory");
            !ok)
          return ok.err();
        return history_of(self->state.st.config, arg.key, arg.page);
      },
      [self](const caller& c,
             const set_config_value_arg& arg) -> result<config_entry> {
        auto who = caller_of(self, c);
        return audited(self, who, action_type::update_system_config,
                       "adminSetConfigValue " + arg.key + " = " + arg.value,
                       set_config(self, who, arg.key, arg.value));
      },
      // -- admins
      // ---------------------------------------------------------------
      [self](const caller& c,
             const backend_admins_arg&) -> result<backend_admins> {
        auto& reg = self->state.st.admins;
        if (auto ok = require_admin(reg, caller_of(self, c), "getAdmins"); !ok)
          return ok.err();
        backend_admins out;
        out.controllers = reg.controllers;
        for (auto& [id, a] : reg.admins)
          out.admins.push_back(a);
        std::sort(out.admins.begin(), out.admins.end(), [](auto& x, auto& y) {
          return x.added_at < y.added_at
                 || (x.added_at == y.added_at && x.id < y.id);
        });
        return out;
      },
      [self](const caller& c,
             const backend_add_admin_arg& arg) -> result<backend_admin> {
        auto who = caller_of(self, c);
        auto& reg = self->state.st.admins;
        auto a = decide_add_admin(reg, who, arg, self->state.ctx->now());
        if (a)
          reg.admins = reg.admins.insert(a->id, *a);
        return audited(self, who, action_type::grant_access,
                       "adminAddAdmin " + arg.admin.to_text()
                           + (arg.super_admin ? " (super admin)" : ""),
                       std::move(a));
      },
      [self](const caller& c,
             const backend_remove_admin_arg& arg) -> result<unit> {
        auto who = caller_of(self, c);
        auto& reg = self->state.st.admins;
        auto ok = decide_remove_admin(reg, who, arg.admin);
        if (ok)
          reg.admins = reg.admins.erase(arg.admin);
        return audited(self, who, action_type::revoke_access,
                       "adminRemoveAdmin " + arg.admin.to_text(),
                       std::move(ok));
      },
      [self](const caller& c, const maintenance_mode_arg& arg) -> result<unit> {
        auto who = caller_of(self, c);
        auto run = [&]() -> result<unit> {
          auto& st = self->state.st;
          if (auto ok = require_super_admin(st.admins, who,
                                            "adminSetMaintenanceMode");
              !ok)
            return ok.err();
          auto now = self->state.ctx->now();
          auto on = decide_config_change(st.config, who,
                                         "system.maintenance_mode",
                                         arg.enabled ? "true" : "false", now);
          auto why = decide_config_change(st.config, who,
                                          "system.maintenance_reason",
                                          arg.reason.value_or(""), now);
          if (!on)
            return on.err();
          if (!why)
            return why.err();
          apply(st.config, *on);
          why = decide_config_change(st.config, who,
                                     "system.maintenance_reason",
                                     arg.reason.value_or(""), now);
          apply(st.config, *why);
          return unit{};
        };
        return audited(self, who, action_type::service_maintenance,
                       std::string{"adminSetMaintenanceMode "}
                           + (arg.enabled ? "on" : "off")
                           + (arg.reason ? ": " + *arg.reason : ""),
                       run());
      },
      // -- microservices and the registry
      // ---------------------------------------
      [self](const caller& c, const setup_microservices_arg& arg) {
        return on_setup_microservices(self, c, arg);
      },
      [self](const caller&, const microservice_setup_status_arg&)
          -> result<microservice_setup_status> {
        return self->state.st.setup;
      },
      [self](const caller&,
             const factory_registry_arg&) -> result<factory_registrations> {
        return registry_of(self->state.st);
      },
      [self](const caller& c, const register_factory_arg& arg) {
        return on_register_factory(self, c, arg);
      },
      // -- deployments
      // ----------------------------------------------------------
      [self](const caller& c, const create_token_arg& arg) {
        return on_create(self, c, arg);
      },
      [self](const caller& c, const create_multisig_arg& arg) {
        return on_create(self, c, arg);
      },
      [self](const caller& c, const create_distribution_arg& arg) {
        return on_create(self, c, arg);
      },
      [self](const caller& c, const create_dao_arg& arg) {
        return on_create(self, c, arg);
      },
      [self](const caller& c, const create_launchpad_arg& arg) {
        return on_create(self, c, arg);
      },
      [self](const caller& c, const create_project_arg& arg) {
        return on_create_project(self, c, arg);
      },
      [self](const caller& c,
             const pipeline_status_arg& arg) -> result<pipeline_status> {
        auto who = caller_of(self, c);
        auto& st = self->state.st;
        auto pl = st.pipelines.find(arg.pipeline_id);
        if (pl == nullptr)
          return make_error(backend_errc::not_found,
                            "no pipeline " + std::to_string(arg.pipeline_id));
        if (pl->status.user != who && !is_admin(st.admins, who))
          return make_error(backend_errc::unauthorized,
                            "pipeline " + std::to_string(arg.pipeline_id)
                                + " is its user's or admins'");
        return pl->status;
      },
      [self](const caller& c,
             const deployment_status_arg& arg) -> result<deployment_status> {
        auto who = caller_of(self, c);
        auto& st = self->state.st;
        auto user = arg.user.value_or(who);
        if (user != who && !is_admin(st.admins, who))
          return make_error(backend_errc::unauthorized,
                            "another user's requests are for admins");
        auto rec = st.requests.find(request_key{user, arg.request_id});
        if (rec == nullptr)
          return make_error(backend_errc::not_found,
                            "no request " + arg.request_id + " of "
                                + user.to_text());
        return rec->status;
      },
      // -- refunds
      // --------------------------------------------------------------
      [self](const caller& c, const refunds_arg& arg) -> result<refund_page> {
        return refunds_of(self->state.st, caller_of(self, c), std::nullopt,
                          arg.page);
      },
      [self](const caller& c,
             const admin_refunds_arg& arg) -> result<refund_page> {
        if (auto ok = require_admin(self->state.st.admins, caller_of(self, c),
                                    "adminGetRefunds");
            !ok)
          return ok.err();
        return refunds_of(self->state.st, arg.user, arg.status, arg.page);
      },
      [self](const caller& c, const process_refund_arg& arg) {
        return on_process_refund(self, c, arg);
      },
      // -- users
      // ----------------------------------------------------------------
      [self](const caller& c,
             const user_profile_arg& arg) -> result<user_profile> {
        auto who = caller_of(self, c);
        auto& st = self->state.st;
        auto user = arg.user.value_or(who);
        if (user != who && !is_admin(st.admins, who))
          return make_error(backend_errc::unauthorized,
                            "another user's profile is for admins");
        if (!st.users.contains(user))
          return make_error(backend_errc::not_found,
                            user.to_text() + " has not deployed anything");
        return profile_of(st.config, st.users, user, self->state.ctx->now());
      },
      [self](const caller& c,
             const my_deployments_arg& arg) -> result<deployment_page> {
        return deployments_of(self->state.st.users, caller_of(self, c), arg);
      },
      // -- health
      // ---------------------------------------------------------------
      [self](const caller&,
             const microservice_health_arg&) -> result<microservice_healths> {
        return self->state.st.health;
      },
      [self](const caller&, const system_status_arg&) -> result<system_status> {
        return status_of(self->state.st, self->state.ctx->now());
      },
      [self](const caller& c, const health_check_tick_arg&) {
        return on_health_tick(self, c);
      },
  };
}

} // namespace

backend_actor spawn_backend(caf::actor_system& sys, node_context_ptr ctx,
                            backend_config cfg) {
  auto id = cfg.self_id;
  auto dir = ctx;
  auto h = sys.spawn(backend_impl, std::move(ctx), std::move(cfg));
  auto addr = h->address();
  dir->dir.add(addr, id, actor_role::service);
  h->attach_functor([dir, addr] {
    dir->dir.remove(addr);
  });
  return h;
}

} // namespace icto
