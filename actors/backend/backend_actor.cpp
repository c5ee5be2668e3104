// GCC 12 reports a false -Wmaybe-uninitialized inside CAF 0.17's
// data_processor::fill_range when it decodes a vector of enums (the admin
// permissions of a journaled backend_admin): CAF default-initializes the
// element through its deserializer before reading it. Silenced for this file
// only, where the journal is decoded.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "actors/backend/backend_actor.hpp"

#include "actors/backend/backend_actor_impl.hpp"
#include "actors/backend/backend_state_serialization.hpp"
#include "actors/common/directory.hpp"
#include "actors/common/recovery.hpp"

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>

#include <algorithm>
#include <utility>

namespace icto {

principal caller_of(backend_self self, const caller& claimed) {
  return resolve_caller(self->state.ctx->dir, self->current_sender(), claimed);
}

void commit(backend_self self, const backend_event& ev) {
  auto& s = self->state;
  auto next = s.st;
  if (auto ok = apply_event(next, ev); !ok) {
    self->quit(caf::make_error(caf::sec::runtime_error,
                               "backend: an event decided from the state does "
                               "not apply: "
                                   + ok.err().message));
    return;
  }
  s.journal.commit(encode_event(ev), [&] {
    s.st = std::move(next);
  });
}

void after_durable(backend_self self, std::function<void()> f) {
  self->state.journal.after_durable(std::move(f));
}

void audit_note(backend_self self, audit_event ev) {
  after_durable(self, [self, ev = std::move(ev)]() mutable {
    auto& cfg = live_cfg(self);
    self->request(cfg.audit, cfg.request_timeout,
                  caller{self->state.st.self_id}, std::move(ev))
        .then([](const result<audit_entry>&) {}, [](const caf::error&) {});
  });
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

/// Journals a config change made of `changes` and returns the entry of
/// the last one.
config_entry commit_config(backend_self self,
                           std::vector<config_change> changes) {
  backend_event ev;
  ev.kind = backend_event::config;
  ev.now = changes.back().changed_at;
  ev.changes = std::move(changes);
  commit(self, ev);
  auto& c = ev.changes.back();
  return config_entry{c.key, c.new_value, c.version, c.changed_at,
                      c.changed_by};
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
  return commit_config(self, {*change});
}

backend_params params_of(const backend_config& cfg, const node_context& ctx) {
  backend_params p;
  p.self_id = cfg.self_id;
  p.controllers = ctx.controllers;
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
  return p;
}

backend_actor::behavior_type
backend_impl(backend_self self, node_context_ptr ctx, backend_config cfg,
             backend_state initial, durable_start start) {
  self->state.ctx = std::move(ctx);
  self->state.cfg = std::move(cfg);
  self->state.st = std::move(initial);
  // Registered before anything is sent: the services resolve the backend's
  // requests (recovery's first) through the directory.
  self->state.ctx->dir.add(self->address(), self->state.st.self_id,
                           actor_role::service);
  self->state.journal.attach(self, start, self->state.ctx->persistence, [self] {
    return checkpoint_of(self->state.st);
  });
  // A recovered state may reach a service elsewhere than the topology
  // says (setupMicroservices, adminRegisterFactory): follow the state.
  for (auto& e : self->state.st.endpoints)
    rebind_handle(self, e.service, e.id);
  arm_health_timer(self);
  recover_in_flight(self);
  return {
      // -- config
      // ---------------------------------------------------------------
      [self](const caller&,
             const service_fee_arg& arg) -> caf::result<result<tokens>> {
        if (!factory_kind(arg.service))
          return reply(self, result<tokens>{make_error(
                                 backend_errc::not_found,
                                 std::string{to_string(arg.service)}
                                     + " is not a factory service and has no "
                                       "fee")});
        return reply(self, result<tokens>{service_fee(self->state.st.config,
                                                      arg.service)});
      },
      [self](const caller&,
             const config_value_arg& arg) -> caf::result<result<config_entry>> {
        auto e = self->state.st.config.values.find(arg.key);
        if (e == nullptr)
          return reply(self, result<config_entry>{
                                 make_error(backend_errc::not_found,
                                            "unknown config key " + arg.key)});
        return reply(self, result<config_entry>{*e});
      },
      [self](const caller&, const all_config_values_arg&)
          -> caf::result<result<config_values>> {
        return reply(self,
                     result<config_values>{all_values(self->state.st.config)});
      },
      [self](const caller& c, const config_history_arg& arg)
          -> caf::result<result<config_history>> {
        auto who = caller_of(self, c);
        if (auto ok = require_admin(self->state.st.admins, who,
                                    "getConfigHistory");
            !ok)
          return reply(self, result<config_history>{ok.err()});
        return reply(self, result<config_history>{history_of(
                               self->state.st.config, arg.key, arg.page)});
      },
      [self](const caller& c, const set_config_value_arg& arg)
          -> caf::result<result<config_entry>> {
        auto who = caller_of(self, c);
        return reply(
            self, audited(self, who, action_type::update_system_config,
                          "adminSetConfigValue " + arg.key + " = " + arg.value,
                          set_config(self, who, arg.key, arg.value)));
      },
      // -- admins
      // ---------------------------------------------------------------
      [self](const caller& c,
             const backend_admins_arg&) -> caf::result<result<backend_admins>> {
        auto& reg = self->state.st.admins;
        if (auto ok = require_admin(reg, caller_of(self, c), "getAdmins"); !ok)
          return reply(self, result<backend_admins>{ok.err()});
        backend_admins out;
        out.controllers = reg.controllers;
        for (auto& [id, a] : reg.admins)
          out.admins.push_back(a);
        std::sort(out.admins.begin(), out.admins.end(), [](auto& x, auto& y) {
          return x.added_at < y.added_at
                 || (x.added_at == y.added_at && x.id < y.id);
        });
        return reply(self, result<backend_admins>{std::move(out)});
      },
      [self](const caller& c, const backend_add_admin_arg& arg)
          -> caf::result<result<backend_admin>> {
        auto who = caller_of(self, c);
        auto a = decide_add_admin(self->state.st.admins, who, arg,
                                  self->state.ctx->now());
        if (a) {
          backend_event ev;
          ev.kind = backend_event::admin_put;
          ev.now = a->added_at;
          ev.admin = *a;
          commit(self, ev);
        }
        return reply(self,
                     audited(self, who, action_type::grant_access,
                             "adminAddAdmin " + arg.admin.to_text()
                                 + (arg.super_admin ? " (super admin)" : ""),
                             std::move(a)));
      },
      [self](const caller& c,
             const backend_remove_admin_arg& arg) -> caf::result<result<unit>> {
        auto who = caller_of(self, c);
        auto ok = decide_remove_admin(self->state.st.admins, who, arg.admin);
        if (ok) {
          backend_event ev;
          ev.kind = backend_event::admin_remove;
          ev.now = self->state.ctx->now();
          ev.id = arg.admin;
          commit(self, ev);
        }
        return reply(self, audited(self, who, action_type::revoke_access,
                                   "adminRemoveAdmin " + arg.admin.to_text(),
                                   std::move(ok)));
      },
      [self](const caller& c,
             const maintenance_mode_arg& arg) -> caf::result<result<unit>> {
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
          if (!on)
            return on.err();
          // The reason is the next version: decided over the first change.
          auto next = st.config;
          apply(next, *on);
          auto why = decide_config_change(next, who,
                                          "system.maintenance_reason",
                                          arg.reason.value_or(""), now);
          if (!why)
            return why.err();
          commit_config(self, {*on, *why});
          return unit{};
        };
        return reply(self, audited(self, who, action_type::service_maintenance,
                                   std::string{"adminSetMaintenanceMode "}
                                       + (arg.enabled ? "on" : "off")
                                       + (arg.reason ? ": " + *arg.reason : ""),
                                   run()));
      },
      // -- microservices and the registry
      // ---------------------------------------
      [self](const caller& c, const setup_microservices_arg& arg) {
        return on_setup_microservices(self, c, arg);
      },
      [self](const caller&, const microservice_setup_status_arg&)
          -> caf::result<result<microservice_setup_status>> {
        return reply(self,
                     result<microservice_setup_status>{self->state.st.setup});
      },
      [self](const caller&, const factory_registry_arg&)
          -> caf::result<result<factory_registrations>> {
        return reply(
            self, result<factory_registrations>{registry_of(self->state.st)});
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
      [self](const caller& c, const pipeline_status_arg& arg)
          -> caf::result<result<pipeline_status>> {
        auto who = caller_of(self, c);
        auto& st = self->state.st;
        auto pl = st.pipelines.find(arg.pipeline_id);
        if (pl == nullptr)
          return reply(self,
                       result<pipeline_status>{make_error(
                           backend_errc::not_found,
                           "no pipeline " + std::to_string(arg.pipeline_id))});
        if (pl->status.user != who && !is_admin(st.admins, who))
          return reply(self, result<pipeline_status>{make_error(
                                 backend_errc::unauthorized,
                                 "pipeline " + std::to_string(arg.pipeline_id)
                                     + " is its user's or admins'")});
        return reply(self, result<pipeline_status>{pl->status});
      },
      [self](const caller& c, const deployment_status_arg& arg)
          -> caf::result<result<deployment_status>> {
        auto who = caller_of(self, c);
        auto& st = self->state.st;
        auto user = arg.user.value_or(who);
        if (user != who && !is_admin(st.admins, who))
          return reply(self, result<deployment_status>{make_error(
                                 backend_errc::unauthorized,
                                 "another user's requests are for admins")});
        auto rec = st.requests.find(request_key{user, arg.request_id});
        if (rec == nullptr)
          return reply(self, result<deployment_status>{
                                 make_error(backend_errc::not_found,
                                            "no request " + arg.request_id
                                                + " of " + user.to_text())});
        return reply(self, result<deployment_status>{rec->status});
      },
      // -- refunds
      // --------------------------------------------------------------
      [self](const caller& c,
             const refunds_arg& arg) -> caf::result<result<refund_page>> {
        return reply(self, result<refund_page>{
                               refunds_of(self->state.st, caller_of(self, c),
                                          std::nullopt, arg.page)});
      },
      [self](const caller& c,
             const admin_refunds_arg& arg) -> caf::result<result<refund_page>> {
        if (auto ok = require_admin(self->state.st.admins, caller_of(self, c),
                                    "adminGetRefunds");
            !ok)
          return reply(self, result<refund_page>{ok.err()});
        return reply(self,
                     result<refund_page>{refunds_of(self->state.st, arg.user,
                                                    arg.status, arg.page)});
      },
      [self](const caller& c, const process_refund_arg& arg) {
        return on_process_refund(self, c, arg);
      },
      // -- users
      // ----------------------------------------------------------------
      [self](const caller& c,
             const user_profile_arg& arg) -> caf::result<result<user_profile>> {
        auto who = caller_of(self, c);
        auto& st = self->state.st;
        auto user = arg.user.value_or(who);
        if (user != who && !is_admin(st.admins, who))
          return reply(self, result<user_profile>{make_error(
                                 backend_errc::unauthorized,
                                 "another user's profile is for admins")});
        if (!st.users.contains(user))
          return reply(self,
                       result<user_profile>{make_error(
                           backend_errc::not_found,
                           user.to_text() + " has not deployed anything")});
        return reply(self,
                     result<user_profile>{profile_of(st.config, st.users, user,
                                                     self->state.ctx->now())});
      },
      [self](const caller& c, const my_deployments_arg& arg)
          -> caf::result<result<deployment_page>> {
        return reply(self, result<deployment_page>{deployments_of(
                               self->state.st.users, caller_of(self, c), arg)});
      },
      // -- health
      // ---------------------------------------------------------------
      [self](const caller&, const microservice_health_arg&)
          -> caf::result<result<microservice_healths>> {
        follow_cluster_circuits(self);
        return reply(self, result<microservice_healths>{self->state.st.health});
      },
      [self](const caller&,
             const system_status_arg&) -> caf::result<result<system_status>> {
        follow_cluster_circuits(self);
        return reply(self, result<system_status>{status_of(
                               self->state.st, self->state.ctx->now())});
      },
      [self](const caller& c, const health_check_tick_arg&) {
        return on_health_tick(self, c);
      },
  };
}

/// The backend's behavior with its handles bound; what spawn_in_memory and
/// spawn_recovered spawn.
auto bound_impl(backend_config cfg) {
  return [cfg = std::move(cfg)](backend_self self, node_context_ptr ctx,
                                backend_state initial, durable_start start) {
    return backend_impl(self, std::move(ctx), cfg, std::move(initial), start);
  };
}

/// Keeps the directory entry (made by the actor itself, before it sends
/// anything) from outliving the actor; adds it at once too, so that the
/// caller finds the backend as soon as this returns.
void register_backend(const node_context_ptr& ctx, const backend_actor& h,
                      const principal& id) {
  auto addr = h->address();
  ctx->dir.add(addr, id, actor_role::service);
  h->attach_functor([ctx, addr] {
    ctx->dir.remove(addr);
  });
}

} // namespace

backend_actor spawn_backend(caf::actor_system& sys, node_context_ptr ctx,
                            backend_config cfg) {
  auto id = cfg.self_id;
  auto initial = make_backend_state(params_of(cfg, *ctx), ctx->now());
  auto h = spawn_in_memory<backend_actor>(sys, bound_impl(std::move(cfg)), ctx,
                                          std::move(initial));
  register_backend(ctx, h, id);
  return h;
}

result<backend_actor>
spawn_durable_backend(caf::actor_system& sys, node_context_ptr ctx,
                      backend_config cfg, const principal& id,
                      const store::recovered_actor& rec) {
  if (id != cfg.self_id)
    return make_error(backend_errc::invalid_config,
                      "spawn_durable_backend: the store's actor " + id.to_text()
                          + " is not the backend's self_id "
                          + cfg.self_id.to_text());
  auto params = params_of(cfg, *ctx);
  const auto now = ctx->now();
  auto h = spawn_recovered<backend_actor, backend_state, backend_event>(
      sys, bound_impl(std::move(cfg)), ctx, id, "backend", rec,
      [&] {
        return make_backend_state(params, now);
      },
      apply_event);
  if (h)
    register_backend(ctx, *h, id);
  return h;
}

} // namespace icto
