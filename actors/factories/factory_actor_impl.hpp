#pragma once

// The factory actor, as a template over the kind's traits: the handlers
// every factory answers (factory_common_methods), createContract's
// deployment, upgrades and rollouts. Included only by
// actors/factories/<kind>_factory.cpp, each of which supplies its traits and
// the kind's own handlers (create and index callbacks).
//
// Traits provide: `kind`, `name` (const char*), `factory_actor`,
// `contract_actor`, `init_type`, `spawner` (std::function), `spawn(...)`
// (the default spawner), `code_versions()`, `validate(init)`,
// `initial_roles(init, owner)`.
//
// Callers: createContract and the notify* callbacks are internal methods;
// their caller is the directory entry of the CAF sender (`sender_of`), never
// a claim, so an ingress cannot pose as the backend or as a contract. The
// other methods use `resolve_caller` (an ingress asserts its user). Either is
// resolved before a response promise is made (making it takes the sender).
//
// Deployment: the contract gets healthPing right after spawning, with
// `deployment_timeout`; it sends notifyDeploymentComplete before it answers,
// so an answer (or a timeout, or the actor's exit) while still deploying
// fails the deployment.
//
// Durability (issue 5; factory_journal.hpp): every state change is an
// event, applied and journaled by `journaled`; replies wait until it is
// durable (durable_reply), and a contract is spawned only once its id is.
// A factory restored from the store gives up the deployments that were
// under way and re-binds each contract whose actor, re-spawned by its node,
// sends notifyDeploymentComplete again.

#include "actors/common/context.hpp"
#include "actors/common/durable.hpp"
#include "actors/contracts/contract_durable.hpp"
#include "actors/contracts/contract_spawn.hpp"
#include "actors/factories/factory_config.hpp"
#include "actors/factories/factory_journal.hpp"
#include "actors/factories/factory_state.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace icto::factory_impl {

/// Most upgrade requests one rollout keeps in flight (CAF trap 5).
inline constexpr uint32_t max_in_flight = 64;

/// What a factory actor owns; only its own handlers touch it.
template <class Traits>
struct factory_actor_state {
  static inline const char* name = Traits::name;
  node_context_ptr ctx;
  factory_config cfg;
  factory_state core;
  typename Traits::spawner spawn;
  /// Live contract actors by id, and back (for down messages).
  std::unordered_map<principal, typename Traits::contract_actor> handles;
  std::unordered_map<caf::actor_addr, principal> by_addr;
  /// createContract requests waiting for notifyDeploymentComplete.
  std::unordered_map<principal, caf::typed_response_promise<result<principal>>>
      pending;
  actor_journal journal;
  /// When the unreachable contracts were last looked for in the directory.
  directory_watch rebind_watch;
};

/// How a factory actor starts: fresh (no state: made from the config, not
/// journaled) or from the node's store (the rebuilt state; the journal
/// continues after `journal`).
struct factory_start {
  durable_start journal;
  std::optional<factory_state> state;
};

template <class Traits>
using self_ptr = typename Traits::factory_actor::template stateful_pointer<
    factory_actor_state<Traits>>;

/// The principal the request is made for (DESIGN §2).
template <class Self>
principal caller_of(Self self, const caller& claimed) {
  return resolve_caller(self->state.ctx->dir, self->current_sender(), claimed);
}

/// The principal the directory maps the CAF sender to, ignoring any claim
/// (an ingress counts as itself): for internal methods (createContract, the
/// callbacks), which no ingress makes on a user's behalf.
template <class Self>
principal sender_of(Self self) {
  const auto& sender = self->current_sender();
  if (!sender)
    return principal::anonymous();
  auto e = self->state.ctx->dir.find(caf::actor_cast<caf::actor_addr>(sender));
  return e ? e->id : principal::anonymous();
}

/// Applies a state change and journals it (a refused callback too: its
/// refusal is counted). Returns what the state function returned.
template <class Self>
result<unit> journaled(Self self, const op_event& ev) {
  auto& st = self->state;
  auto r = apply_event(st.core, ev);
  if (r
      || (journaled_when_refused(ev)
          && !is(r.err(), system_errc::storage_failure))) {
    st.journal.append(encode_event(ev));
    st.journal.maybe_checkpoint();
  }
  return r;
}

/// A callback's or an admin change's reply: journaled, answered once
/// durable.
template <class Self>
caf::result<result<unit>> journaled_reply(Self self, const op_event& ev) {
  return durable_reply(self, journaled(self, ev));
}

/// A contract's callback: journaled as sent by the CAF sender.
template <class Self, class Arg>
caf::result<result<unit>>
callback(Self self, factory_op::kind_t kind, const Arg& arg) {
  return journaled_reply(self, make_op_event(kind, sender_of(self),
                                             self->state.ctx->now(), arg));
}

/// A role index callback (role_added / role_removed).
template <class Self>
caf::result<result<unit>>
role_change(Self self, factory_op::kind_t kind, const principal& contract_id,
            const principal& user, contract_role role) {
  return callback(self, kind, factory_role_change{contract_id, user, role});
}

/// A token's holder balances callback.
template <class Self>
caf::result<result<unit>>
holders_changed(Self self, const principal& contract_id,
                std::vector<holder_balance> balances) {
  return callback(self, factory_op::holders,
                  factory_holders{contract_id, std::move(balances)});
}

/// Monitors the live actor of deployed contract `id` again: it is
/// reachable.
template <class Self, class Handle>
void bind_contract(Self self, const principal& id, Handle handle) {
  auto& s = self->state;
  self->monitor(handle);
  s.by_addr.emplace(handle.address(), id);
  s.handles.emplace(id, std::move(handle));
  s.core.unreachable = s.core.unreachable.erase(id);
}

/// The live actor of contract `id`: the one this factory monitors, or one
/// the directory knows although it never re-bound (its node stayed up
/// while this factory restarted); bound then. Invalid if neither.
template <class Self>
auto contract_handle(Self self, const principal& id) {
  auto& s = self->state;
  using handle_type = typename std::decay_t<decltype(s.handles)>::mapped_type;
  if (auto i = s.handles.find(id); i != s.handles.end())
    return i->second;
  handle_type h;
  if (s.core.unreachable.contains(id) && refresh_handle(s.ctx->dir, id, h))
    bind_contract(self, id, h);
  return h;
}

/// Binds every unreachable contract the directory knows (after a restart
/// of this factory's node, the contracts of nodes that stayed up never
/// send notifyDeploymentComplete again: their nodes announce them). Looks
/// only when the directory changed since the last look.
template <class Self>
void rebind_from_directory(Self self) {
  auto& s = self->state;
  if (s.core.unreachable.empty() || !s.rebind_watch.moved(s.ctx->dir))
    return;
  using handle_type = typename std::decay_t<decltype(s.handles)>::mapped_type;
  std::vector<std::pair<principal, handle_type>> found;
  s.core.unreachable.for_each([&](const principal& id, const auto&) {
    handle_type h;
    if (refresh_handle(s.ctx->dir, id, h))
      found.emplace_back(id, std::move(h));
  });
  for (auto& [id, h] : found)
    bind_contract(self, id, std::move(h));
}

/// notifyDeploymentComplete: ends a deployment (its createContract answers
/// once that is durable), or re-binds a deployed contract whose actor was
/// re-spawned after a restart (the factory monitors it again).
template <class Self>
caf::result<result<unit>>
deployment_complete(Self self, const notify_deployment_complete_arg& arg) {
  auto& s = self->state;
  const auto who = sender_of(self);
  auto r = journaled(self, make_op_event(factory_op::complete, who,
                                         s.ctx->now(), arg));
  if (!r)
    return durable_reply(self, std::move(r));
  if (auto p = s.pending.find(arg.contract_id); p != s.pending.end()) {
    auto promise = std::move(p->second);
    s.pending.erase(p);
    s.journal.after_durable([promise, id = arg.contract_id]() mutable {
      promise.deliver(result<principal>{id});
    });
  } else if (s.handles.count(arg.contract_id) == 0) {
    using handle_type = typename std::decay_t<decltype(s.handles)>::mapped_type;
    if (auto handle = caf::actor_cast<handle_type>(self->current_sender()))
      bind_contract(self, arg.contract_id, std::move(handle));
  }
  return durable_reply(self, std::move(r));
}

/// Forgets a contract actor (it exited or was stopped).
template <class Self>
void forget(Self self, const principal& id) {
  auto& st = self->state;
  if (auto i = st.handles.find(id); i != st.handles.end()) {
    st.by_addr.erase(i->second.address());
    st.handles.erase(i);
  }
}

/// Gives a deployment up: the contract leaves every index, its actor is
/// stopped, the backend gets deploy_failed.
template <class Self>
void fail_deploy(Self self, const principal& id, const std::string& why) {
  auto& st = self->state;
  auto p = st.pending.find(id);
  if (p == st.pending.end())
    return;
  auto promise = std::move(p->second);
  st.pending.erase(p);
  journaled(self,
            make_op_event(factory_op::failed, principal{}, st.ctx->now(), id));
  if (auto h = st.handles.find(id); h != st.handles.end())
    self->send_exit(h->second, caf::exit_reason::kill);
  forget(self, id);
  st.journal.after_durable([promise, id, why]() mutable {
    promise.deliver(result<principal>{
        make_error(factory_errc::deploy_failed,
                   "deployment of " + id.to_text() + ": " + why)});
  });
}

/// Monitors a new contract actor and sends its first healthPing; the
/// deployment ends at its notifyDeploymentComplete or fails.
template <class Traits, class Self, class Handle>
void watch_new_contract(Self self, const principal& id, Handle handle) {
  auto& st = self->state;
  self->monitor(handle);
  st.handles.emplace(id, handle);
  st.by_addr.emplace(handle.address(), id);
  self->request(handle, st.cfg.deployment_timeout, caller{st.cfg.id},
                health_ping_arg{})
      .then(
          [self, id](result<contract_health>& h) {
            if (!h)
              fail_deploy(self, id, "healthPing: " + h.err().to_string());
            else if (!h->healthy)
              fail_deploy(self, id, "unhealthy: " + h->message);
            else
              fail_deploy(self, id,
                          "answered healthPing without "
                          "notifyDeploymentComplete");
          },
          [self, id](caf::error& e) {
            fail_deploy(self, id,
                        "no notifyDeploymentComplete: "
                            + self->system().render(e));
          });
}

/// Asks the node manager to spawn the contract on the node that hosts its
/// id (the order is its metadata: kind, id, owner, version, init), then
/// watches it like a local one.
template <class Traits, class Self, class Init>
void spawn_through_node_manager(Self self, const contract_params& params,
                                const Init& init) {
  auto& st = self->state;
  const auto id = params.id;
  std::vector<contract_meta> orders{meta_of(Traits::kind, params, init)};
  self->request(st.ctx->node_manager, st.cfg.deployment_timeout,
                caf::spawn_atom::value, std::move(orders))
      .then(
          [self, id](std::vector<caf::actor>& handles,
                     std::vector<std::string>& errors) {
            if (self->state.pending.count(id) == 0) {
              // Given up meanwhile: the late contract goes too.
              for (auto& h : handles)
                if (h)
                  self->send_exit(h, caf::exit_reason::kill);
              return;
            }
            if (handles.size() != 1 || !handles[0]) {
              fail_deploy(self, id,
                          "the contract actor could not be spawned: "
                              + (errors.empty() ? std::string{"no handle"}
                                                : errors[0]));
              return;
            }
            watch_new_contract<Traits>(
                self, id,
                caf::actor_cast<typename Traits::contract_actor>(handles[0]));
          },
          [self, id](caf::error& e) {
            fail_deploy(self, id,
                        "spawning on the contract's node: "
                            + self->system().render(e));
          });
}

/// Spawns the contract of a deployment whose id is durable and waits for
/// its notifyDeploymentComplete (deploy_timeout).
template <class Traits, class Self, class Init>
void start_contract_actor(Self self, const contract_params& params,
                          const Init& init) {
  auto& st = self->state;
  const auto id = params.id;
  if (st.pending.count(id) == 0)
    return; // Given up meanwhile.
  if (!st.cfg.targets.empty() && st.ctx->node_manager) {
    spawn_through_node_manager<Traits>(self, params, init);
    return;
  }
  auto me = caf::actor_cast<typename Traits::factory_actor>(self);
  auto handle = st.spawn
                    ? st.spawn(self->system(), st.ctx, params, me, init)
                    : Traits::spawn(self->system(), st.ctx, params, me, init);
  if (!handle) {
    fail_deploy(self, id, "the contract actor could not be spawned");
    return;
  }
  watch_new_contract<Traits>(self, id, handle);
}

/// The range a new contract of `owner` takes its id from: in a cluster,
/// that of the node placement chooses (system_errc::unavailable if none
/// can take it); else the factory's only range.
template <class Self>
result<size_t> placement_range(Self self, const principal& owner) {
  auto& st = self->state;
  if (st.cfg.targets.empty() || !st.ctx->cluster)
    return size_t{0};
  auto node = st.ctx->cluster->choose(owner);
  if (!node)
    return make_error(system_errc::unavailable,
                      "no node can host the contract: " + node.err().message);
  auto r = range_of_node(st.core, *node);
  if (!r)
    return make_error(system_errc::unavailable,
                      "the factory has no contract ids for node " + *node);
  return *r;
}

/// createContract: whitelist, validation, id, spawn, then wait for
/// notifyDeploymentComplete (delivered by that handler) or fail.
template <class Traits, class Self, class Init>
caf::typed_response_promise<result<principal>>
create_contract(Self self, const principal& owner, const Init& init) {
  auto& st = self->state;
  // Before the promise: making it moves the sender out of the message.
  const auto who = sender_of(self);
  auto promise = self->template make_response_promise<result<principal>>();
  auto version = check_create(st.core, who, owner);
  if (!version)
    return promise.deliver(result<principal>{version.err()});
  if (auto ok = Traits::validate(init); !ok)
    return promise.deliver(result<principal>{
        make_error(factory_errc::invalid_argument, ok.err().message)});
  auto range = placement_range(self, owner);
  if (!range)
    return promise.deliver(result<principal>{range.err()});
  auto id = next_contract_id(st.core, *range);
  if (!id)
    return promise.deliver(result<principal>{id.err()});
  const auto now = st.ctx->now();
  contract_info info;
  info.id = *id;
  info.kind = Traits::kind;
  info.owner = owner;
  info.name = init.name;
  info.created_at = now;
  info.version = *version;
  info.is_public = init.is_public;
  info.controllers = {st.cfg.id, owner};
  if (auto ok = journaled(
          self, deploying_event(info, Traits::initial_roles(init, owner), now));
      !ok)
    return promise.deliver(result<principal>{ok.err()});
  contract_params params;
  params.id = *id;
  params.owner = owner;
  params.factory_id = st.cfg.id;
  params.version = *version;
  params.created_at = now;
  params.ledger = st.cfg.ledger;
  params.ledger_id = st.cfg.ledger_id;
  st.pending.emplace(*id, promise);
  // The id must be durable before a contract holds it: a restart must not
  // hand it out again.
  st.journal.after_durable([self, params, init] {
    start_contract_actor<Traits>(self, params, init);
  });
  return promise;
}

/// Carries an upgrade plan out: migrateTo, healthPing, migrateTo back if
/// unhealthy; records it and calls `done` with the record or
/// migration_failed.
template <class Traits, class Self>
void run_upgrade(Self self, upgrade_plan plan,
                 std::function<void(result<upgrade_record>)> done) {
  auto& st = self->state;
  auto rec = std::make_shared<upgrade_record>();
  rec->contract_id = plan.contract_id;
  rec->from = plan.from;
  rec->to = plan.to;
  rec->trigger = plan.trigger;
  rec->requested_by = plan.requested_by;
  rec->at = st.ctx->now();
  auto finish = [self, rec, done](upgrade_outcome outcome, semver now_on,
                                  std::string why) {
    rec->outcome = outcome;
    rec->message = why;
    journaled(self, make_op_event(factory_op::upgraded, principal{},
                                  self->state.ctx->now(),
                                  factory_upgraded{*rec, now_on}));
    self->state.journal.after_durable([rec, done, outcome, why] {
      if (outcome == upgrade_outcome::succeeded)
        done(*rec);
      else
        done(result<upgrade_record>{
            make_error(factory_errc::migration_failed,
                       rec->contract_id.to_text() + " "
                           + std::string{to_string(outcome)} + ": " + why)});
    });
  };
  auto contract = contract_handle(self, plan.contract_id);
  if (!contract) {
    finish(upgrade_outcome::failed, plan.from, "the contract is not reachable");
    return;
  }
  const auto timeout = st.cfg.upgrade_timeout;
  const caller me{st.cfg.id};
  // Brings the contract back to plan.from after a failed health check.
  auto roll_back = [self, contract, timeout, me, plan,
                    finish](std::string why) {
    self->request(contract, timeout, me,
                  migrate_to_arg{plan.from, plan.requested_by})
        .then(
            [finish, plan, why](result<migration_report>& r) {
              if (r)
                finish(upgrade_outcome::rolled_back, plan.from, why);
              else
                finish(upgrade_outcome::failed, plan.to,
                       why + "; migrating back failed: " + r.err().message);
            },
            [self, finish, plan, why](caf::error& e) {
              finish(upgrade_outcome::failed, plan.to,
                     why + "; migrating back failed: "
                         + self->system().render(e));
            });
  };
  auto check_health = [self, contract, timeout, me, plan, finish, roll_back]() {
    self->request(contract, timeout, me, health_ping_arg{})
        .then(
            [plan, finish, roll_back](result<contract_health>& hr) {
              if (hr && hr->healthy)
                finish(upgrade_outcome::succeeded, plan.to, "");
              else
                roll_back("health check failed: "
                          + (hr ? hr->message : hr.err().message));
            },
            [self, roll_back](caf::error& e) {
              roll_back("health check failed: " + self->system().render(e));
            });
  };
  self->request(contract, timeout, me,
                migrate_to_arg{plan.to, plan.requested_by})
      .then(
          [plan, finish, check_health](result<migration_report>& r) {
            if (r)
              check_health();
            else
              finish(upgrade_outcome::failed, plan.from,
                     "migrateTo: " + r.err().message);
          },
          [self, plan, finish](caf::error& e) {
            finish(upgrade_outcome::failed, plan.from,
                   "migrateTo: " + self->system().render(e));
          });
}

/// A rollout under way: canaries, then batches of at most max_in_flight.
struct rollout_job {
  rollout_report report;
  std::vector<principal> queue;
  size_t next = 0;
  size_t in_flight = 0;
  size_t canaries = 0;
  uint32_t batch_size = 1;
  bool canary_phase = true;
  principal who;
  caf::typed_response_promise<result<rollout_report>> promise;
};

template <class Traits, class Self>
void rollout_step(Self self, std::shared_ptr<rollout_job> job);

/// Starts `n` upgrades of the job's queue; rollout_step runs when all end.
template <class Traits, class Self>
void rollout_start(Self self, std::shared_ptr<rollout_job> job, size_t n) {
  n = std::min(n, job->queue.size() - job->next);
  job->in_flight = n;
  if (n == 0) {
    rollout_step<Traits>(self, job);
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    auto id = job->queue[job->next++];
    if (job->canary_phase)
      job->report.canaries.push_back(id);
    auto one_done = [self, job, id](result<upgrade_record> r) {
      if (r) {
        ++job->report.upgraded;
      } else {
        ++job->report.failed;
        job->report.failures.push_back(rollout_failure{id, r.err().message});
      }
      if (--job->in_flight == 0)
        rollout_step<Traits>(self, job);
    };
    auto plan = begin_rollout_upgrade(self->state.core, job->who, id,
                                      job->report.version);
    if (!plan)
      one_done(result<upgrade_record>{plan.err()});
    else
      run_upgrade<Traits>(self, *plan, one_done);
  }
}

/// Decides what follows a finished phase: halt, the next batch, or done.
template <class Traits, class Self>
void rollout_step(Self self, std::shared_ptr<rollout_job> job) {
  if (job->canary_phase && job->report.failed > 0) {
    job->report.halted = true;
    job->promise.deliver(result<rollout_report>{job->report});
    return;
  }
  if (job->canary_phase && job->report.canaries.size() < job->canaries
      && job->next < job->queue.size()) {
    rollout_start<Traits>(self, job,
                          job->canaries - job->report.canaries.size());
    return;
  }
  job->canary_phase = false;
  if (job->next >= job->queue.size()) {
    job->promise.deliver(result<rollout_report>{job->report});
    return;
  }
  ++job->report.batches;
  rollout_start<Traits>(self, job, job->batch_size);
}

/// A fresh factory's state from its config and the kind's code versions.
template <class Traits>
result<factory_state>
initial_core(const node_context& ctx, const factory_config& cfg) {
  factory_core_config core_cfg;
  core_cfg.kind = Traits::kind;
  core_cfg.self = cfg.id;
  if (cfg.targets.empty())
    core_cfg.ranges.push_back(
        id_range{{}, cfg.first_contract_index, cfg.last_contract_index, 0});
  else
    core_cfg.ranges = cfg.targets;
  core_cfg.whitelist = cfg.whitelist;
  core_cfg.admins = ctx.controllers;
  core_cfg.admins.insert(core_cfg.admins.end(), cfg.admins.begin(),
                         cfg.admins.end());
  for (auto& cv : Traits::code_versions()) {
    registered_version rv;
    rv.version = cv.version;
    rv.notes = cv.notes;
    rv.migration = cv.migration;
    core_cfg.code.push_back(std::move(rv));
  }
  return make_factory_state(std::move(core_cfg), ctx.now());
}

/// The handlers every factory answers, followed by the kind's own.
template <class Traits, class... KindHandlers>
typename Traits::factory_actor::behavior_type
make_behavior(self_ptr<Traits> self, node_context_ptr ctx, factory_config cfg,
              typename Traits::spawner spawner, factory_start start,
              KindHandlers... kind) {
  using actor_type = typename Traits::factory_actor;
  const bool durable = start.state.has_value();
  auto core = durable ? result<factory_state>{std::move(*start.state)}
                      : initial_core<Traits>(*ctx, cfg);
  if (!core) {
    self->quit(
        caf::make_error(caf::sec::invalid_argument, core.err().to_string()));
    return actor_type::behavior_type::make_empty_behavior();
  }
  if (durable && !cfg.targets.empty())
    if (auto ok = reconcile_ranges(*core, cfg.targets); !ok) {
      self->quit(
          caf::make_error(caf::sec::invalid_argument, ok.err().to_string()));
      return actor_type::behavior_type::make_empty_behavior();
    }
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.cfg = std::move(cfg);
  st.core = std::move(*core);
  st.spawn = std::move(spawner);
  st.journal.attach(self, start.journal,
                    durable ? st.ctx->persistence : nullptr, [self] {
                      return factory_checkpoint(self->state.core);
                    });
  // Deployments under way when the node stopped never answered their
  // backend: give them up (their contracts, if re-spawned, are refused).
  for (auto& id : deploying_ids(st.core))
    journaled(self, make_op_event(factory_op::failed, principal{},
                                  st.ctx->now(), id));
  self->attach_functor([c = st.ctx, addr = self->address()] {
    c->dir.remove(addr);
  });
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& s = self->state;
    auto i = s.by_addr.find(dm.source);
    if (i == s.by_addr.end())
      return;
    auto id = i->second;
    forget(self, id);
    if (s.pending.count(id) > 0)
      fail_deploy(self, id,
                  "the contract actor exited: "
                      + self->system().render(dm.reason));
    else
      mark_unreachable(s.core, id);
  });
  using record_promise = caf::typed_response_promise<result<upgrade_record>>;
  return {
      // -- setup and queries --------------------------------------------------
      [self](const caller& c, const factory_setup_whitelist_arg& arg)
          -> caf::result<result<unit>> {
        return journaled_reply(
            self, make_op_event(factory_op::whitelist, caller_of(self, c),
                                self->state.ctx->now(), arg));
      },
      [self](const caller&,
             const factory_whitelist_arg&) -> caf::result<result<principals>> {
        return durable_reply(self,
                             result<principals>{self->state.core.whitelist});
      },
      [self](const caller&, const my_contracts_arg& arg)
          -> caf::result<result<my_contracts_page>> {
        return durable_reply(self, result<my_contracts_page>{
                                       my_contracts(self->state.core, arg)});
      },
      [self](const caller&,
             const page& pg) -> caf::result<result<contract_page>> {
        return durable_reply(self, result<contract_page>{
                                       public_contracts(self->state.core, pg)});
      },
      [self](const caller&, const contract_info_arg& arg)
          -> caf::result<result<contract_info>> {
        rebind_from_directory(self);
        return durable_reply(self, result<contract_info>{contract_info_of(
                                       self->state.core, arg.contract_id)});
      },
      [self](const caller&,
             const factory_stats_arg&) -> caf::result<result<factory_stats>> {
        rebind_from_directory(self);
        return durable_reply(self,
                             result<factory_stats>{stats_of(self->state.core)});
      },
      [self](const caller&,
             const factory_health_arg&) -> caf::result<result<factory_health>> {
        rebind_from_directory(self);
        return durable_reply(
            self, result<factory_health>{health_of(self->state.core)});
      },
      [self](const caller&, const factory_setup_status_arg&)
          -> caf::result<result<factory_setup_status>> {
        return durable_reply(self, result<factory_setup_status>{
                                       setup_status_of(self->state.core)});
      },
      // -- versions and upgrades ----------------------------------------------
      [self](const caller& c,
             const register_version_arg& arg) -> caf::result<result<unit>> {
        return journaled_reply(
            self, make_op_event(factory_op::registered, caller_of(self, c),
                                self->state.ctx->now(), arg));
      },
      [self](const caller&,
             const versions_arg&) -> caf::result<result<registered_versions>> {
        return durable_reply(
            self, result<registered_versions>{self->state.core.versions});
      },
      [self](const caller& c, const upgrade_contract_arg& arg) {
        const auto who = caller_of(self, c); // Before the promise takes it.
        auto promise
            = self->template make_response_promise<result<upgrade_record>>();
        auto plan = begin_upgrade(self->state.core, who, arg);
        if (!plan)
          return promise.deliver(result<upgrade_record>{plan.err()});
        run_upgrade<Traits>(self, *plan,
                            [promise](result<upgrade_record> r) mutable {
                              promise.deliver(std::move(r));
                            });
        return record_promise{promise};
      },
      [self](const caller& c, const rollback_contract_arg& arg) {
        const auto who = caller_of(self, c); // Before the promise takes it.
        auto promise
            = self->template make_response_promise<result<upgrade_record>>();
        auto plan = begin_rollback(self->state.core, who, arg);
        if (!plan)
          return promise.deliver(result<upgrade_record>{plan.err()});
        run_upgrade<Traits>(self, *plan,
                            [promise](result<upgrade_record> r) mutable {
                              promise.deliver(std::move(r));
                            });
        return record_promise{promise};
      },
      [self](const caller&, const version_history_arg& arg)
          -> caf::result<result<upgrade_records>> {
        return durable_reply(self, result<upgrade_records>{version_history_of(
                                       self->state.core, arg.contract_id)});
      },
      [self](const caller& c, const rollout_version_arg& arg) {
        const auto who = caller_of(self, c); // Before the promise takes it.
        auto promise
            = self->template make_response_promise<result<rollout_report>>();
        auto plan = plan_rollout(self->state.core, who, arg);
        if (!plan)
          return promise.deliver(result<rollout_report>{plan.err()});
        auto job = std::make_shared<rollout_job>();
        job->report.version = arg.version;
        job->report.candidates = plan->candidates.size();
        job->report.skipped = plan->skipped;
        job->queue = std::move(plan->candidates);
        job->canaries = std::min<size_t>(arg.canaries, max_in_flight);
        job->canary_phase = job->canaries > 0;
        job->batch_size = std::min(arg.batch_size, max_in_flight);
        job->who = who;
        job->promise = promise;
        if (job->canary_phase)
          rollout_start<Traits>(self, job, job->canaries);
        else
          rollout_step<Traits>(self, job);
        return promise;
      },
      // -- callbacks every kind sends -----------------------------------------
      [self](const caller&, const notify_deployment_complete_arg& arg)
          -> caf::result<result<unit>> {
        return deployment_complete(self, arg);
      },
      [self](const caller&, const notify_visibility_changed_arg& arg)
          -> caf::result<result<unit>> {
        return callback(self, factory_op::visibility, arg);
      },
      [self](const caller&, const notify_status_changed_arg& arg)
          -> caf::result<result<unit>> {
        return callback(self, factory_op::status, arg);
      },
      [self](const caller&, const notify_auto_update_changed_arg& arg)
          -> caf::result<result<unit>> {
        return callback(self, factory_op::auto_update, arg);
      },
      [self](const caller&, const notify_controllers_changed_arg& arg)
          -> caf::result<result<unit>> {
        return callback(self, factory_op::controllers, arg);
      },
      std::move(kind)...,
  };
}

/// Spawns a factory actor and registers it in the node's directory.
template <class Traits, class Impl>
typename Traits::factory_actor
spawn_factory(caf::actor_system& sys, node_context_ptr ctx, factory_config cfg,
              typename Traits::spawner spawner, Impl impl,
              factory_start start = {}) {
  auto id = cfg.id;
  auto dir_ctx = ctx;
  auto h = sys.spawn(impl, std::move(ctx), std::move(cfg), std::move(spawner),
                     std::move(start));
  dir_ctx->dir.add(h.address(), id, actor_role::service);
  return h;
}

/// Rebuilds a factory from what the node's store holds for it (`rec`; a
/// fresh state from the config if it holds nothing) and spawns it with its
/// journal on.
template <class Traits, class Impl>
result<typename Traits::factory_actor>
spawn_durable_factory(caf::actor_system& sys, node_context_ptr ctx,
                      factory_config cfg, typename Traits::spawner spawner,
                      Impl impl, const store::recovered_actor& rec) {
  auto st = rebuild_factory_state(
      rec, std::string{Traits::name} + " " + cfg.id.to_text(),
      initial_core<Traits>(*ctx, cfg));
  if (!st)
    return st.err();
  factory_start start{durable_start{cfg.id, rec.last_seq, rec.checkpoint_seq},
                      std::move(*st)};
  return spawn_factory<Traits>(sys, std::move(ctx), std::move(cfg),
                               std::move(spawner), impl, std::move(start));
}

} // namespace icto::factory_impl
