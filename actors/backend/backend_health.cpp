// Microservice setup (whitelisting the backend at the storages and the
// factories), the factory registry, and the periodic health checks that
// drive the circuit breakers.

#include "actors/backend/backend_actor_impl.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/sec.hpp>
#include <caf/send.hpp>

#include <memory>
#include <utility>

namespace icto {

namespace {

caller as_backend(backend_self self) {
  return caller{self->state.st.self_id};
}

/// Counts answers of a fan-out and runs `k` after the last one.
struct join_counter {
  size_t pending = 0;
  std::function<void()> k;
  void one_done() {
    if (--pending == 0)
      k();
  }
};

using join_ptr = std::shared_ptr<join_counter>;

/// Sends `msg` to `h` and calls `k(ok, error text)`.
template <class Handle, class Msg, class Reply>
void ask(backend_self self, const Handle& h, Msg msg,
         std::function<void(bool, std::optional<std::string>)> k,
         bool (*judge)(const result<Reply>&, std::string&)) {
  if (!h) {
    k(false, std::string{"no actor is registered for this service"});
    return;
  }
  self->request(h, self->state.cfg.request_timeout, as_backend(self),
                std::move(msg))
      .then(
          [k, judge](const result<Reply>& r) {
            std::string why;
            if (judge(r, why))
              k(true, std::nullopt);
            else
              k(false, why);
          },
          [self, k](const caf::error& e) {
            k(false, self->system().render(e));
          });
}

template <class T>
bool plain_ok(const result<T>& r, std::string& why) {
  if (r)
    return true;
  why = r.err().to_string();
  return false;
}

bool factory_ok(const result<factory_health>& r, std::string& why) {
  if (!r) {
    why = r.err().to_string();
    return false;
  }
  if (!r->healthy) {
    why = "unhealthy: " + r->message;
    return false;
  }
  return true;
}

using check_fn = std::function<void(bool, std::optional<std::string>)>;

/// Sends the health check of `s` to its actor.
void check_service(backend_self self, service_id s, check_fn k) {
  auto& cfg = live_cfg(self);
  switch (s) {
  case service_id::audit_storage:
    ask<audit_actor, audit_health_check_arg, unit>(
        self, cfg.audit, audit_health_check_arg{}, std::move(k), &plain_ok);
    return;
  case service_id::invoice_storage:
    ask<invoice_actor, invoice_health_check_arg, unit>(
        self, cfg.invoice, invoice_health_check_arg{}, std::move(k), &plain_ok);
    return;
  case service_id::token_factory:
    ask<token_factory_actor, factory_health_arg, factory_health>(
        self, cfg.token_factory, factory_health_arg{}, std::move(k),
        &factory_ok);
    return;
  case service_id::multisig_factory:
    ask<multisig_factory_actor, factory_health_arg, factory_health>(
        self, cfg.multisig_factory, factory_health_arg{}, std::move(k),
        &factory_ok);
    return;
  case service_id::distribution_factory:
    ask<distribution_factory_actor, factory_health_arg, factory_health>(
        self, cfg.distribution_factory, factory_health_arg{}, std::move(k),
        &factory_ok);
    return;
  case service_id::dao_factory:
    ask<dao_factory_actor, factory_health_arg, factory_health>(
        self, cfg.dao_factory, factory_health_arg{}, std::move(k), &factory_ok);
    return;
  case service_id::launchpad_factory:
    ask<launchpad_factory_actor, factory_health_arg, factory_health>(
        self, cfg.launchpad_factory, factory_health_arg{}, std::move(k),
        &factory_ok);
    return;
  default: k(false, std::string{"not a managed service"});
  }
}

/// Has service `s` whitelist the backend (addToWhitelist at the storages,
/// setupWhitelist at the factories).
void whitelist_at(backend_self self, service_id s, check_fn k) {
  auto& cfg = live_cfg(self);
  auto me = self->state.st.self_id;
  factory_setup_whitelist_arg fw{{me}};
  switch (s) {
  case service_id::audit_storage:
    ask<audit_actor, audit_whitelist_add_arg, unit>(
        self, cfg.audit, audit_whitelist_add_arg{me}, std::move(k), &plain_ok);
    return;
  case service_id::invoice_storage:
    ask<invoice_actor, invoice_whitelist_add_arg, unit>(
        self, cfg.invoice, invoice_whitelist_add_arg{me}, std::move(k),
        &plain_ok);
    return;
  case service_id::token_factory:
    ask<token_factory_actor, factory_setup_whitelist_arg, unit>(
        self, cfg.token_factory, fw, std::move(k), &plain_ok);
    return;
  case service_id::multisig_factory:
    ask<multisig_factory_actor, factory_setup_whitelist_arg, unit>(
        self, cfg.multisig_factory, fw, std::move(k), &plain_ok);
    return;
  case service_id::distribution_factory:
    ask<distribution_factory_actor, factory_setup_whitelist_arg, unit>(
        self, cfg.distribution_factory, fw, std::move(k), &plain_ok);
    return;
  case service_id::dao_factory:
    ask<dao_factory_actor, factory_setup_whitelist_arg, unit>(
        self, cfg.dao_factory, fw, std::move(k), &plain_ok);
    return;
  case service_id::launchpad_factory:
    ask<launchpad_factory_actor, factory_setup_whitelist_arg, unit>(
        self, cfg.launchpad_factory, fw, std::move(k), &plain_ok);
    return;
  default: k(false, std::string{"not a managed service"});
  }
}

/// Journals the outcomes of whitelisting the backend.
void commit_whitelist(backend_self self, std::vector<whitelist_outcome> xs,
                      bool setup_call) {
  backend_event ev;
  ev.kind = backend_event::whitelist;
  ev.now = self->state.ctx->now();
  ev.outcomes = std::move(xs);
  ev.setup_call = setup_call;
  commit(self, ev);
}

/// Journals that service `s` is reached at `id` (`registered`: as the
/// factory of that kind, now).
void commit_endpoint(backend_self self, service_id s, const principal& id,
                     std::optional<contract_kind> registered = std::nullopt) {
  backend_event ev;
  ev.kind = backend_event::endpoint;
  ev.now = self->state.ctx->now();
  ev.service = s;
  ev.id = id;
  ev.registered = registered;
  commit(self, ev);
}

} // namespace

backend_config& live_cfg(backend_self self) {
  auto& st = self->state;
  auto& cfg = st.cfg;
  if (!st.handles_watch.moved(st.ctx->dir))
    return cfg;
  const auto& dir = st.ctx->dir;
  refresh_handle(dir, cfg.ledger_id, cfg.ledger);
  refresh_handle(dir, cfg.audit_id, cfg.audit);
  refresh_handle(dir, cfg.invoice_id, cfg.invoice);
  refresh_handle(dir, cfg.token_factory_id, cfg.token_factory);
  refresh_handle(dir, cfg.multisig_factory_id, cfg.multisig_factory);
  refresh_handle(dir, cfg.distribution_factory_id, cfg.distribution_factory);
  refresh_handle(dir, cfg.dao_factory_id, cfg.dao_factory);
  refresh_handle(dir, cfg.launchpad_factory_id, cfg.launchpad_factory);
  return cfg;
}

bool rebind_handle(backend_self self, service_id s, const principal& id) {
  auto a = self->state.ctx->dir.find_actor(id);
  if (!a)
    return false;
  auto& cfg = self->state.cfg;
  switch (s) {
  case service_id::audit_storage:
    cfg.audit = caf::actor_cast<audit_actor>(a);
    cfg.audit_id = id;
    break;
  case service_id::invoice_storage:
    cfg.invoice = caf::actor_cast<invoice_actor>(a);
    cfg.invoice_id = id;
    break;
  case service_id::token_factory:
    cfg.token_factory = caf::actor_cast<token_factory_actor>(a);
    cfg.token_factory_id = id;
    break;
  case service_id::multisig_factory:
    cfg.multisig_factory = caf::actor_cast<multisig_factory_actor>(a);
    cfg.multisig_factory_id = id;
    break;
  case service_id::distribution_factory:
    cfg.distribution_factory = caf::actor_cast<distribution_factory_actor>(a);
    cfg.distribution_factory_id = id;
    break;
  case service_id::dao_factory:
    cfg.dao_factory = caf::actor_cast<dao_factory_actor>(a);
    cfg.dao_factory_id = id;
    break;
  case service_id::launchpad_factory:
    cfg.launchpad_factory = caf::actor_cast<launchpad_factory_actor>(a);
    cfg.launchpad_factory_id = id;
    break;
  default: return false;
  }
  return true;
}

promise_of<microservice_setup_status>
on_setup_microservices(backend_self self, const caller& c,
                       const setup_microservices_arg& arg) {
  // Before the promise: making it takes the sender out of the message.
  auto who = caller_of(self, c);
  auto rp = self->make_response_promise<result<microservice_setup_status>>();
  auto& st = self->state.st;
  auto ok = require_permission(st.admins, who,
                               admin_permission::change_service_endpoints,
                               "setupMicroservices");
  if (!ok) {
    audit_note(self, make_event(self, who, action_type::access_denied,
                                action_status::failed, service_id::backend,
                                "setupMicroservices: " + ok.err().to_string()));
    deliver(self, rp, result<microservice_setup_status>{ok.err()});
    return rp;
  }
  for (auto& e : arg.services) {
    if (!find_health(st.health, e.service)) {
      deliver(self, rp,
              result<microservice_setup_status>{
                  make_error(backend_errc::invalid_argument,
                             std::string{to_string(e.service)}
                                 + " is not a service the backend sets up")});
      return rp;
    }
    if (e.id.is_anonymous() || e.id.empty()
        || !self->state.ctx->dir.find_actor(e.id)) {
      deliver(self, rp,
              result<microservice_setup_status>{
                  make_error(backend_errc::not_found,
                             "no live " + std::string{to_string(e.service)}
                                 + " is " + e.id.to_text())});
      return rp;
    }
  }
  for (auto& e : arg.services) {
    rebind_handle(self, e.service, e.id);
    commit_endpoint(self, e.service, e.id);
  }
  auto outcomes = std::make_shared<std::vector<whitelist_outcome>>();
  auto join = std::make_shared<join_counter>();
  join->pending = managed_services().size();
  join->k = [self, who, rp, outcomes]() {
    commit_whitelist(self, std::move(*outcomes), true);
    auto& s2 = self->state.st;
    bool all = s2.setup.completed;
    audit_note(
        self, make_event(self, who, action_type::admin_action,
                         all ? action_status::completed : action_status::failed,
                         service_id::backend,
                         std::string{"setupMicroservices: "}
                             + (all ? "every service whitelisted the backend"
                                    : "some services refused")));
    deliver(self, rp, result<microservice_setup_status>{s2.setup});
  };
  for (auto s : managed_services())
    whitelist_at(
        self, s,
        [s, join, outcomes](bool fine, std::optional<std::string> why) {
          outcomes->push_back(whitelist_outcome{s, fine, std::move(why)});
          join->one_done();
        });
  return rp;
}

promise_of<factory_registration>
on_register_factory(backend_self self, const caller& c,
                    const register_factory_arg& arg) {
  // Before the promise: making it takes the sender out of the message.
  auto who = caller_of(self, c);
  auto rp = self->make_response_promise<result<factory_registration>>();
  auto& st = self->state.st;
  auto ok = require_permission(st.admins, who,
                               admin_permission::change_service_endpoints,
                               "adminRegisterFactory");
  if (!ok) {
    audit_note(self,
               make_event(self, who, action_type::access_denied,
                          action_status::failed, service_id::backend,
                          "adminRegisterFactory: " + ok.err().to_string()));
    deliver(self, rp, result<factory_registration>{ok.err()});
    return rp;
  }
  auto s = factory_service(arg.kind);
  if (!rebind_handle(self, s, arg.id)) {
    deliver(self, rp,
            result<factory_registration>{
                make_error(backend_errc::not_found,
                           "no live actor is " + arg.id.to_text())});
    return rp;
  }
  commit_endpoint(self, s, arg.id, arg.kind);
  whitelist_at(
      self, s,
      [self, s, who, arg, rp](bool fine, std::optional<std::string> why) {
        commit_whitelist(self, {whitelist_outcome{s, fine, why}}, false);
        auto& s2 = self->state.st;
        audit_note(
            self, make_event(
                      self, who, action_type::admin_action,
                      fine ? action_status::completed : action_status::failed,
                      service_id::backend,
                      "adminRegisterFactory " + std::string{to_string(arg.kind)}
                          + " " + arg.id.to_text() + (why ? ": " + *why : "")));
        for (auto& f : registry_of(s2))
          if (f.kind == arg.kind) {
            deliver(self, rp, result<factory_registration>{f});
            return;
          }
      });
  return rp;
}

namespace {

/// Opens the circuit of `s`, whose node `down` is down, without waiting
/// for more failures.
void open_for_down_node(backend_self self, service_id s,
                        const std::string& down) {
  record_check(self->state.st.health, s, false, "node " + down + " is down",
               self->state.ctx->now(), 1);
  self->state.down_with_node.insert(s);
}

} // namespace

void follow_cluster_circuits(backend_self self) {
  auto& state = self->state;
  const auto& ctx = *state.ctx;
  if (!ctx.cluster)
    return;
  auto& health = state.st.health;
  for (auto s : managed_services()) {
    auto h = find_health(health, s);
    if (h == nullptr)
      continue;
    if (auto down = ctx.cluster->service_host_down(static_cast<size_t>(s))) {
      if (h->circuit != circuit_state::open)
        open_for_down_node(self, s, *down);
      continue;
    }
    if (state.down_with_node.erase(s) == 0 || h->circuit != circuit_state::open)
      continue;
    h->circuit = circuit_state::closed;
    h->consecutive_failures = 0;
    check_service(self, s, [self, s](bool ok, std::optional<std::string> why) {
      auto& s2 = self->state.st;
      record_check(s2.health, s, ok, std::move(why), self->state.ctx->now(),
                   s2.breaker_threshold);
    });
  }
}

promise_of<unit> on_health_tick(backend_self self, const caller&) {
  // The timer's tick has no sender; only it re-arms the timer, so an
  // explicit call does not add a second one. (Checked before the promise
  // takes the sender out of the message.)
  if (self->current_sender() == nullptr)
    arm_health_timer(self);
  auto rp = self->make_response_promise<result<unit>>();
  auto& st = self->state.st;
  auto join = std::make_shared<join_counter>();
  join->pending = managed_services().size();
  join->k = [self, rp]() {
    deliver(self, rp, result<unit>{unit{}});
  };
  for (auto s : managed_services()) {
    if (auto h = find_health(st.health, s);
        h != nullptr && h->circuit == circuit_state::open)
      h->circuit = circuit_state::half_open;
    // A service whose node is down fails its check at once, and its
    // circuit opens without waiting for more failures.
    if (auto down = self->state.ctx->cluster
                        ? self->state.ctx->cluster->service_host_down(
                            static_cast<size_t>(s))
                        : std::nullopt) {
      open_for_down_node(self, s, *down);
      join->one_done();
      continue;
    }
    check_service(self, s,
                  [self, s, join](bool ok, std::optional<std::string> why) {
                    auto& s2 = self->state.st;
                    record_check(s2.health, s, ok, std::move(why),
                                 self->state.ctx->now(), s2.breaker_threshold);
                    join->one_done();
                  });
  }
  return rp;
}

void arm_health_timer(backend_self self) {
  auto interval = self->state.cfg.health_interval;
  if (interval.count() <= 0)
    return;
  caf::delayed_anon_send(caf::actor_cast<backend_actor>(self), interval,
                         as_backend(self), health_check_tick_arg{});
}

} // namespace icto
