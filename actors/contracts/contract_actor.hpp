#pragma once

// The CAF side every contract kind shares (templates; include it only from
// a kind's actor .cpp). How a kind uses it:
//
//   struct my_actor_state : contract_actor_base<my_factory_actor> {
//     static inline const char* name = "my_contract";
//     my_state st;                                   // the kind's state
//     result<migration_report> migrate_to(const semver& v) {
//       return migrate(my_versions(), st, core.version, v);
//     }
//     contract_health health() const {
//       return health_of(my_versions(), st, core.version);
//     }
//   };
//   my_actor::behavior_type my_impl(my_actor::stateful_pointer<my_actor_state>
//                                   self, node_context_ptr ctx,
//                                   contract_params p, my_factory_actor f,
//                                   my_init init) {
//     start_contract(self, ctx, p, f, core_from_params(kind, p, pub,
//     "active")); self->state.st = ...;                           // build the
//     kind state send_callback(self, notify_deployment_complete_arg{p.id});
//     return {ICTO_CONTRACT_COMMON_HANDLERS(self), /* kind handlers */};
//   }
//   my_actor spawn_my_contract(...) {
//     return spawn_contract_actor(sys, ctx, p.id, my_impl, ctx, p, f, init);
//   }
//
// Kind handlers resolve who calls with `contract_caller(self, claimed)` and
// tell the factory about index changes with `send_callback(self, arg)`.

#include "actors/common/context.hpp"
#include "actors/common/directory.hpp"
#include "actors/contracts/contract_core.hpp"
#include "actors/contracts/contract_durable.hpp"
#include "actors/contracts/contract_spawn.hpp"
#include "actors/contracts/contract_versions.hpp"
#include "messages/factory.hpp"
#include "messages/interfaces.hpp"
#include "messages/type_name.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/spawn_options.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace icto {

/// How long a contract waits for its factory to answer a callback.
inline constexpr std::chrono::seconds callback_timeout{10};

/// The fields every contract actor's state has; a kind's actor state derives
/// from it. Owned by the contract actor alone.
template <class FactoryHandle>
struct contract_actor_base {
  node_context_ptr ctx;
  contract_core core;
  /// The factory that deployed the contract; every callback goes there.
  FactoryHandle factory;
  /// The platform ledger and its principal (from contract_params).
  ledger_actor ledger;
  principal ledger_id;
  callback_stats callbacks;
  actor_journal journal;
  directory_watch peers_watch;
  /// Whether the directory knew the factory at the last look (in a
  /// cluster, not: its node is down).
  bool factory_known = false;

  /// Looks the factory and the ledger up again by principal if the
  /// directory changed: a node that restarted hosts new actors under the
  /// same principals, and a contract that outlived them talks to those.
  void refresh_peers() {
    if (!ctx || !peers_watch.moved(ctx->dir))
      return;
    factory_known = refresh_handle(ctx->dir, core.factory_id, factory);
    if (!ledger_id.empty())
      refresh_handle(ctx->dir, ledger_id, ledger);
  }
  /// The factory to call now.
  const FactoryHandle& live_factory() {
    refresh_peers();
    return factory;
  }
  /// The ledger to call now.
  const ledger_actor& live_ledger() {
    refresh_peers();
    return ledger;
  }
};

/// The core of a new contract from the factory's parameters.
inline contract_core core_from_params(contract_kind kind,
                                      const contract_params& p, bool is_public,
                                      std::string status) {
  return make_contract_core(kind, p.id, p.owner, p.factory_id, p.version,
                            p.created_at, is_public, std::move(status));
}

/// The `<kind>_code_versions()` list of a kind's version table.
template <class State>
std::vector<code_version> code_versions_of(const version_table<State>& t) {
  std::vector<code_version> out;
  for (const auto& s : t.steps)
    out.push_back(code_version{s.version, s.notes, s.migration});
  return out;
}

/// Fills the base part of a contract actor's state (first thing its behavior
/// function does).
template <class Self, class FactoryHandle>
void start_contract(Self self, node_context_ptr ctx, const contract_params& p,
                    FactoryHandle factory, contract_core core) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.core = std::move(core);
  st.factory = std::move(factory);
  st.ledger = p.ledger;
  st.ledger_id = p.ledger_id;
}

/// Who a request is made for: `claimed` only from an ingress, else the
/// principal the directory maps the CAF sender to.
/// REQUIRES: called before `make_response_promise` in the same handler (the
/// promise takes the sender away; afterwards the caller reads anonymous).
template <class Self>
principal contract_caller(Self self, const caller& claimed) {
  return resolve_caller(self->state.ctx->dir, self->current_sender(), claimed);
}

/// Sends a callback to the factory as this contract (caller = its id) with
/// a finite timeout. A refusal or a lost reply is counted in
/// `state.callbacks` (failed, last_failure), never fatal. Replies made
/// meanwhile wait for its answer (a journal hold): a caller who hears of a
/// change finds it in the factory's indexes too, after a crash as well.
template <class Self, class Arg>
void send_callback_now(Self self, Arg arg) {
  auto& st = self->state;
  ++st.callbacks.sent;
  auto name = type_name<Arg>();
  if (!st.live_factory()) {
    ++st.callbacks.failed;
    st.callbacks.last_failure = name + ": no factory handle";
    return;
  }
  // In a cluster, a factory the directory does not know is on a node that
  // is down: the callback fails now instead of holding the replies until
  // its timeout. (Its index misses this change; see docs/cluster.md.)
  if (st.ctx->cluster && !st.factory_known) {
    ++st.callbacks.failed;
    st.callbacks.last_failure = name + ": the factory's node is down";
    return;
  }
  const auto hold = st.journal.hold();
  self->request(st.factory, callback_timeout, caller{st.core.id},
                std::move(arg))
      .then(
          [self, name, hold](const result<unit>& r) {
            auto& cb = self->state.callbacks;
            if (r) {
              ++cb.accepted;
            } else {
              ++cb.failed;
              cb.last_failure = name + ": " + r.err().to_string();
            }
            self->state.journal.release(hold);
          },
          [self, name, hold](const caf::error& e) {
            auto& cb = self->state.callbacks;
            ++cb.failed;
            cb.last_failure = name + ": " + self->system().render(e);
            self->state.journal.release(hold);
          });
}

template <class Self, class Arg>
void send_callback(Self self, Arg arg) {
  // The callback reports a change: it leaves once that change is durable.
  self->state.journal.after_durable([self, arg = std::move(arg)]() mutable {
    send_callback_now(self, arg);
  });
}

/// Spawns a contract actor lazily (it runs on its first message), registers
/// it in the directory as `id` (actor_role::contract) before it can run, and
/// removes that entry when it exits.
template <class Impl, class... Ts>
auto spawn_contract_actor(caf::actor_system& sys, const node_context_ptr& ctx,
                          const principal& id, Impl impl, Ts&&... xs) {
  auto h = sys.spawn<caf::lazy_init>(impl, std::forward<Ts>(xs)...);
  auto addr = caf::actor_cast<caf::actor_addr>(h);
  ctx->dir.add(addr, id, actor_role::contract);
  caf::actor_cast<caf::abstract_actor*>(h)->attach_functor([ctx, addr] {
    ctx->dir.remove(addr);
  });
  return h;
}

// -- the six common methods (messages/contracts/contract.hpp) -----------------
// Each returns a handler for a contract actor whose state derives from
// contract_actor_base and has migrate_to(semver) and health().

template <class Self>
auto contract_status_handler(Self self) {
  return [self](const caller&, const contract_status_arg&)
             -> caf::result<result<contract_status>> {
    return durable_reply(self,
                         result<contract_status>{status_of(self->state.core)});
  };
}

template <class Self>
auto set_auto_update_handler(Self self) {
  return [self](const caller& c,
                const set_auto_update_arg& arg) -> caf::result<result<unit>> {
    auto& core = self->state.core;
    const auto who = contract_caller(self, c);
    auto changed = set_auto_update(core, who, arg);
    if (!changed)
      return durable_reply(self, result<unit>{changed.err()});
    if (*changed) {
      log_op(self, contract_op::auto_update, who, self->state.ctx->now(), arg);
      send_callback(self,
                    notify_auto_update_changed_arg{core.id, core.auto_update});
    }
    return durable_reply(self, result<unit>{unit{}});
  };
}

template <class Self>
auto remove_factory_controller_handler(Self self) {
  return [self](const caller& c, const remove_factory_controller_arg& arg)
             -> caf::result<result<unit>> {
    auto& core = self->state.core;
    const auto who = contract_caller(self, c);
    auto changed = remove_factory_controller(core, who);
    if (!changed)
      return durable_reply(self, result<unit>{changed.err()});
    log_op(self, contract_op::remove_factory, who, self->state.ctx->now(), arg);
    send_callback(self,
                  notify_controllers_changed_arg{core.id, core.controllers});
    return durable_reply(self, result<unit>{unit{}});
  };
}

template <class Self>
auto set_visibility_handler(Self self) {
  return [self](const caller& c,
                const set_visibility_arg& arg) -> caf::result<result<unit>> {
    auto& core = self->state.core;
    const auto who = contract_caller(self, c);
    auto changed = set_visibility(core, who, arg);
    if (!changed)
      return durable_reply(self, result<unit>{changed.err()});
    if (*changed) {
      log_op(self, contract_op::visibility, who, self->state.ctx->now(), arg);
      send_callback(self,
                    notify_visibility_changed_arg{core.id, core.is_public});
    }
    return durable_reply(self, result<unit>{unit{}});
  };
}

template <class Self>
auto migrate_to_handler(Self self) {
  return [self](const caller& c, const migrate_to_arg& arg)
             -> caf::result<result<migration_report>> {
    auto& st = self->state;
    const auto who = contract_caller(self, c);
    if (auto ok = require_factory(st.core, who, "migrateTo"); !ok)
      return durable_reply(self, result<migration_report>{ok.err()});
    auto r = st.migrate_to(arg.version);
    if (r)
      log_op(self, contract_op::migrate, who, st.ctx->now(), arg.version);
    return durable_reply(self, std::move(r));
  };
}

template <class Self>
auto health_ping_handler(Self self) {
  return
      [self](const caller& c,
             const health_ping_arg&) -> caf::result<result<contract_health>> {
        auto& st = self->state;
        if (auto ok = require_factory(st.core, contract_caller(self, c),
                                      "healthPing");
            !ok)
          return durable_reply(self, result<contract_health>{ok.err()});
        return durable_reply(self, result<contract_health>{st.health()});
      };
}

/// The start of a contract's behavior: a restored contract takes its image
/// and attaches its journal; a fresh one writes its metadata and `created`
/// event. Either then tells the factory it is deployed (a restored one is
/// re-bound; if the factory does not know it any more, it erases its
/// records and stops). `snapshot` makes the checkpoints.
template <class Self, class KindState, class Snapshot>
void start_durable(Self self, contract_start<KindState>& start,
                   const contract_meta& meta, KindState& kind_state,
                   Snapshot snapshot) {
  auto& st = self->state;
  const bool restored = start.image.has_value();
  if (restored) {
    st.core = std::move(start.image->core);
    kind_state = std::move(start.image->state);
    st.callbacks = std::move(start.image->callbacks);
  }
  st.journal.attach(self, start.journal, st.ctx->persistence,
                    std::move(snapshot));
  if (!restored) {
    if (st.journal.enabled()) {
      auto copy = meta;
      st.ctx->persistence->writer->put_meta(st.core.id, encode_event(copy));
    }
    log_op(self, contract_op::created, meta.owner, meta.created_at, meta.id);
    send_callback(self, notify_deployment_complete_arg{st.core.id});
    return;
  }
  // Re-bind: the factory monitors the new actor again.
  const auto& f = st.live_factory();
  if (!f)
    return;
  ++st.callbacks.sent;
  self->request(f, callback_timeout, caller{st.core.id},
                notify_deployment_complete_arg{st.core.id})
      .then(
          [self](const result<unit>& r) {
            auto& s = self->state;
            if (r) {
              ++s.callbacks.accepted;
              return;
            }
            ++s.callbacks.failed;
            s.callbacks.last_failure = "rebind: " + r.err().to_string();
            if (is(r.err(), factory_errc::unknown_contract)
                && s.journal.enabled()) {
              s.ctx->persistence->writer->erase_actor(s.core.id);
              self->quit();
            }
          },
          [self](const caf::error& e) {
            auto& s = self->state;
            ++s.callbacks.failed;
            s.callbacks.last_failure = "rebind: " + self->system().render(e);
          });
}

} // namespace icto

/// The handlers of the six common methods, for a contract's behavior list.
#define ICTO_CONTRACT_COMMON_HANDLERS(self)                                    \
  ::icto::contract_status_handler(self),                                       \
      ::icto::set_auto_update_handler(self),                                   \
      ::icto::remove_factory_controller_handler(self),                         \
      ::icto::set_visibility_handler(self), ::icto::migrate_to_handler(self),  \
      ::icto::health_ping_handler(self)
