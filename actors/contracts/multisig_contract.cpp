// The multisig contract actor: a thin shell around multisig_state.hpp.
// Spawned by the multisig factory (spawn_multisig_contract); one per wallet.
// It pays from its own account {contract id} on the platform ledger: the
// ledger learns the payer from the directory entry of this actor.
// Durable (contract_durable.hpp): it journals each change as the operation
// that made it; an execution in flight at a restart goes back to approved
// (executing it again is deduplicated by the ledger).

#include "actors/contracts/contract_actor.hpp"
#include "actors/contracts/contract_restore.hpp"
#include "actors/contracts/multisig_state.hpp"

#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <utility>

namespace icto {

namespace {

/// How long executeProposal waits for the ledger.
constexpr std::chrono::seconds ledger_timeout{10};

/// What a multisig contract actor owns; only its handlers touch it.
struct multisig_actor_state : contract_actor_base<multisig_factory_actor> {
  static inline const char* name = "multisig_contract";
  multisig_state wallet;

  result<migration_report> migrate_to(const semver& v) {
    return migrate(multisig_versions(), wallet, core.version, v);
  }
  contract_health health() const {
    return health_of(multisig_versions(), wallet, core.version);
  }
};

using multisig_self
    = multisig_contract_actor::stateful_pointer<multisig_actor_state>;

using proposal_promise = caf::typed_response_promise<result<multisig_proposal>>;

timestamp now_of(multisig_self self) {
  return self->state.ctx->now();
}

/// The wallet's journal operations.
enum multisig_op : uint16_t {
  op_add_signer = contract_op::kind_op_base,
  op_remove_signer,
  op_add_observer,
  op_remove_observer,
  op_set_threshold,
  op_propose,
  op_approve,
  op_begin_execute,
  op_finish_execute,
};

/// The argument of op_finish_execute.
struct finish_arg {
  uint64_t id = 0;
  result<uint64_t> reply;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, finish_arg& x) {
  return f(caf::meta::type_name("multisig_finish"), x.id, x.reply);
}

using multisig_image = contract_checkpoint<multisig_state>;

/// Runs the operation an event names on `w` (live and on replay).
template <class Arg>
result<unit> run_op(multisig_state& w, uint16_t op, const principal& who,
                    timestamp now, const Arg& arg) {
  auto as_unit = [](const auto& r) -> result<unit> {
    if (!r)
      return r.err();
    return unit{};
  };
  if constexpr (std::is_same_v<Arg, add_signer_arg>)
    return add_signer(w, who, arg);
  else if constexpr (std::is_same_v<Arg, remove_signer_arg>)
    return remove_signer(w, who, arg);
  else if constexpr (std::is_same_v<Arg, add_observer_arg>)
    return add_observer(w, who, arg);
  else if constexpr (std::is_same_v<Arg, remove_observer_arg>)
    return remove_observer(w, who, arg);
  else if constexpr (std::is_same_v<Arg, set_threshold_arg>)
    return set_threshold(w, who, arg);
  else if constexpr (std::is_same_v<Arg, propose_transfer_arg>)
    return as_unit(propose_transfer(w, who, arg, now));
  else if constexpr (std::is_same_v<Arg, finish_arg>) {
    finish_execute(w, arg.id, arg.reply, now);
    return unit{};
  } else {
    static_assert(std::is_same_v<Arg, uint64_t>);
    if (op == op_approve)
      return as_unit(approve_proposal(w, who, arg, now));
    return as_unit(begin_execute(w, who, arg, now));
  }
}

/// Replays one journal event on a restored wallet.
result<unit> replay_multisig(multisig_image& img, const op_event& ev) {
  auto common = replay_common(img, multisig_versions(), ev);
  if (!common)
    return common.err();
  if (*common)
    return unit{};
  auto replay = [&](auto tag) -> result<unit> {
    using arg_type = typename decltype(tag)::type;
    auto a = op_arg<arg_type>(ev, "contract");
    if (!a)
      return a.err();
    static_cast<void>(run_op(img.state, ev.op, ev.who, ev.now, *a));
    return unit{};
  };
  switch (ev.op) {
  case op_add_signer: return replay(op_tag<add_signer_arg>{});
  case op_remove_signer: return replay(op_tag<remove_signer_arg>{});
  case op_add_observer: return replay(op_tag<add_observer_arg>{});
  case op_remove_observer: return replay(op_tag<remove_observer_arg>{});
  case op_set_threshold: return replay(op_tag<set_threshold_arg>{});
  case op_propose: return replay(op_tag<propose_transfer_arg>{});
  case op_approve:
  case op_begin_execute: return replay(op_tag<uint64_t>{});
  case op_finish_execute: return replay(op_tag<finish_arg>{});
  default: break;
  }
  return make_error(system_errc::storage_failure,
                    "unknown multisig operation " + std::to_string(ev.op));
}

/// Runs an owner's change; if it succeeded, journals it and sends `notice`.
template <class Arg, class Notice>
caf::result<result<unit>> owner_change(multisig_self self, uint16_t op,
                                       const principal& who, const Arg& arg,
                                       Notice notice) {
  const auto now = now_of(self);
  auto r = run_op(self->state.wallet, op, who, now, arg);
  if (r) {
    log_op(self, op, who, now, arg);
    send_callback(self, std::move(notice));
  }
  return durable_reply(self, std::move(r));
}

/// Ends an execution with the ledger's reply (journaled); delivers the
/// proposal or the error once durable.
void finish(multisig_self self, proposal_promise rp, uint64_t id,
            result<uint64_t> reply) {
  auto& st = self->state;
  const auto now = now_of(self);
  finish_arg arg{id, reply};
  auto p = finish_execute(st.wallet, id, reply, now);
  log_op(self, op_finish_execute, principal{}, now, arg);
  st.journal.when_settled([rp, p = std::move(p), reply]() mutable {
    if (p.status == multisig_proposal_status::executed)
      rp.deliver(result<multisig_proposal>{std::move(p)});
    else
      rp.deliver(result<multisig_proposal>{reply.err()});
  });
}

proposal_promise execute(multisig_self self, const caller& c,
                         const multisig_execute_arg& arg) {
  // Resolve the caller first: making the promise takes the sender away.
  const auto who = contract_caller(self, c);
  auto rp = self->make_response_promise<result<multisig_proposal>>();
  auto& st = self->state;
  const auto id = arg.proposal_id;
  const auto now = now_of(self);
  auto t = begin_execute(st.wallet, who, id, now);
  if (!t) {
    if (is(t.err(), contract_errc::invalid_state))
      log_op(self, op_begin_execute, who, now, id); // May mark it expired.
    st.journal.when_settled([rp, e = t.err()]() mutable {
      rp.deliver(result<multisig_proposal>{e});
    });
    return rp;
  }
  log_op(self, op_begin_execute, who, now, id);
  if (!st.live_ledger()) {
    finish(self, rp, id,
           make_error(system_errc::unavailable, "the wallet has no ledger"));
    return rp;
  }
  // The transfer leaves once its attempt (created_at_time) is durable.
  st.journal.after_durable([self, rp, id, t = std::move(*t)]() mutable {
    auto& s = self->state;
    self->request(s.live_ledger(), ledger_timeout, caller{s.core.id},
                  std::move(t))
        .then(
            [self, rp, id](const result<uint64_t>& r) mutable {
              finish(self, rp, id, r);
            },
            [self, rp, id](const caf::error& err) mutable {
              finish(self, rp, id,
                     make_error(system_errc::timeout,
                                "the ledger did not answer ("
                                    + self->system().render(err)
                                    + "); execute again: the retry is "
                                      "deduplicated"));
            });
  });
  return rp;
}

/// A new wallet's image.
multisig_image initial_image(const contract_params& params,
                             const multisig_init& init) {
  return multisig_image{core_from_params(contract_kind::multisig, params,
                                         init.is_public, "active"),
                        make_multisig_state(init, params.id, params.owner),
                        {}};
}

multisig_contract_actor::behavior_type
multisig_impl(multisig_self self, node_context_ptr ctx, contract_params params,
              multisig_factory_actor factory, multisig_init init,
              contract_start<multisig_state> start) {
  const bool restored = start.image.has_value();
  if (!start_kind_contract(
          self, std::move(ctx), params, std::move(factory), init, start,
          contract_kind::multisig, self->state.wallet, [&] {
            return checked_image(validate_multisig_init(init),
                                 multisig_versions(), "multisig",
                                 params.version, [&] {
                                   return initial_image(params, init);
                                 });
          }))
    return multisig_contract_actor::behavior_type::make_empty_behavior();
  if (restored) {
    // Executions in flight when the node stopped: back to approved.
    std::vector<uint64_t> in_flight;
    self->state.wallet.executing.for_each([&](uint64_t id, const trie_unit&) {
      in_flight.push_back(id);
    });
    for (auto id : in_flight) {
      const auto now = now_of(self);
      finish_arg arg{id, make_error(system_errc::unavailable,
                                    "the node restarted during the execution; "
                                    "execute again: the retry is "
                                    "deduplicated")};
      finish_execute(self->state.wallet, id, arg.reply, now);
      log_op(self, op_finish_execute, principal{}, now, arg);
    }
  }
  return {
      ICTO_CONTRACT_COMMON_HANDLERS(self),
      // -- queries ------------------------------------------------------------
      durable_handler(
          self,
          [self](const caller& c,
                 const wallet_info_arg&) -> result<wallet_info> {
            auto& st = self->state;
            if (auto ok = require_viewer(st.wallet, contract_caller(self, c),
                                         st.core.is_public);
                !ok)
              return ok.err();
            return wallet_info_of(st.wallet, st.core.is_public, now_of(self));
          }),
      durable_handler(
          self,
          [self](const caller& c, const multisig_proposal_arg& arg)
              -> result<multisig_proposal> {
            auto& st = self->state;
            if (auto ok = require_viewer(st.wallet, contract_caller(self, c),
                                         st.core.is_public);
                !ok)
              return ok.err();
            return proposal_of(st.wallet, arg.proposal_id, now_of(self));
          }),
      durable_handler(self,
                      [self](const caller& c, const multisig_proposals_arg& arg)
                          -> result<multisig_proposal_page> {
                        auto& st = self->state;
                        if (auto ok = require_viewer(st.wallet,
                                                     contract_caller(self, c),
                                                     st.core.is_public);
                            !ok)
                          return ok.err();
                        return proposals_of(st.wallet, arg, now_of(self));
                      }),
      // -- the owner's changes ------------------------------------------------
      [self](const caller& c,
             const add_signer_arg& arg) -> caf::result<result<unit>> {
        return owner_change(self, op_add_signer, contract_caller(self, c), arg,
                            notify_signer_added_arg{self->state.core.id,
                                                    arg.signer});
      },
      [self](const caller& c,
             const remove_signer_arg& arg) -> caf::result<result<unit>> {
        return owner_change(
            self, op_remove_signer, contract_caller(self, c), arg,
            notify_signer_removed_arg{self->state.core.id, arg.signer});
      },
      [self](const caller& c,
             const add_observer_arg& arg) -> caf::result<result<unit>> {
        return owner_change(
            self, op_add_observer, contract_caller(self, c), arg,
            notify_observer_added_arg{self->state.core.id, arg.observer});
      },
      [self](const caller& c,
             const remove_observer_arg& arg) -> caf::result<result<unit>> {
        return owner_change(
            self, op_remove_observer, contract_caller(self, c), arg,
            notify_observer_removed_arg{self->state.core.id, arg.observer});
      },
      [self](const caller& c,
             const set_threshold_arg& arg) -> caf::result<result<unit>> {
        const auto who = contract_caller(self, c);
        const auto now = now_of(self);
        auto r = run_op(self->state.wallet, op_set_threshold, who, now, arg);
        if (r)
          log_op(self, op_set_threshold, who, now, arg);
        return durable_reply(self, std::move(r));
      },
      // -- proposals ----------------------------------------------------------
      [self](const caller& c,
             const propose_transfer_arg& arg) -> caf::result<result<uint64_t>> {
        auto who = contract_caller(self, c);
        const auto now = now_of(self);
        auto id = propose_transfer(self->state.wallet, who, arg, now);
        if (id) {
          log_op(self, op_propose, who, now, arg);
          send_callback(self, notify_proposal_created_arg{self->state.core.id,
                                                          *id, who});
        }
        return durable_reply(self, std::move(id));
      },
      [self](const caller& c, const multisig_approve_arg& arg)
          -> caf::result<result<multisig_proposal>> {
        const auto who = contract_caller(self, c);
        const auto now = now_of(self);
        auto r = approve_proposal(self->state.wallet, who, arg.proposal_id,
                                  now);
        // A refusal may have marked the proposal expired: journal that too.
        if (r || is(r.err(), contract_errc::invalid_state))
          log_op(self, op_approve, who, now, arg.proposal_id);
        return durable_reply(self, std::move(r));
      },
      [self](const caller& c,
             const multisig_execute_arg& arg) -> proposal_promise {
        return execute(self, c, arg);
      },
  };
}

} // namespace

result<unit> validate(const multisig_init& init) {
  return validate_multisig_init(init);
}

std::vector<code_version> multisig_code_versions() {
  return code_versions_of(multisig_versions());
}

multisig_contract_actor
spawn_multisig_contract(caf::actor_system& sys, node_context_ptr ctx,
                        contract_params params, multisig_factory_actor factory,
                        multisig_init init) {
  auto id = params.id;
  return spawn_contract_actor(sys, ctx, id, multisig_impl, ctx,
                              std::move(params), std::move(factory),
                              std::move(init), fresh_start<multisig_state>(id));
}

result<caf::actor>
restore_multisig_contract(caf::actor_system& sys, node_context_ptr ctx,
                          contract_params params,
                          multisig_factory_actor factory,
                          const std::string& init_bytes,
                          const store::recovered_actor& rec) {
  return restore_kind_contract<multisig_state, multisig_init>(
      sys, std::move(ctx), std::move(params), std::move(factory), init_bytes,
      rec, "multisig", multisig_impl, initial_image, replay_multisig);
}

} // namespace icto
