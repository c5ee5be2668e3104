// The multisig contract actor: a thin shell around multisig_state.hpp.
// Spawned by the multisig factory (spawn_multisig_contract); one per wallet.
// It pays from its own account {contract id} on the platform ledger: the
// ledger learns the payer from the directory entry of this actor.
// Persists (later): its multisig_state and contract_core.

#include "actors/contracts/contract_actor.hpp"
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

/// Runs an owner's change and, if it succeeded, sends `notice`.
template <class Fn, class Notice>
result<unit> owner_change(multisig_self self, Fn fn, Notice notice) {
  auto r = fn();
  if (r)
    send_callback(self, std::move(notice));
  return r;
}

proposal_promise execute(multisig_self self, const caller& c,
                         const multisig_execute_arg& arg) {
  // Resolve the caller first: making the promise takes the sender away.
  const auto who = contract_caller(self, c);
  auto rp = self->make_response_promise<result<multisig_proposal>>();
  auto& st = self->state;
  const auto id = arg.proposal_id;
  auto t = begin_execute(st.wallet, who, id, now_of(self));
  if (!t) {
    rp.deliver(result<multisig_proposal>{t.err()});
    return rp;
  }
  if (!st.ledger) {
    auto e = make_error(system_errc::unavailable, "the wallet has no ledger");
    finish_execute(st.wallet, id, e, now_of(self));
    rp.deliver(result<multisig_proposal>{e});
    return rp;
  }
  self->request(st.ledger, ledger_timeout, caller{st.core.id}, std::move(*t))
      .then(
          [self, rp, id](const result<uint64_t>& r) mutable {
            auto p = finish_execute(self->state.wallet, id, r, now_of(self));
            if (p.status == multisig_proposal_status::executed)
              rp.deliver(result<multisig_proposal>{std::move(p)});
            else
              rp.deliver(result<multisig_proposal>{r.err()});
          },
          [self, rp, id](const caf::error& err) mutable {
            auto e = make_error(system_errc::timeout,
                                "the ledger did not answer ("
                                    + self->system().render(err)
                                    + "); execute again: the retry is "
                                      "deduplicated");
            finish_execute(self->state.wallet, id, e, now_of(self));
            rp.deliver(result<multisig_proposal>{e});
          });
  return rp;
}

multisig_contract_actor::behavior_type
multisig_impl(multisig_self self, node_context_ptr ctx, contract_params params,
              multisig_factory_actor factory, multisig_init init) {
  if (auto ok = validate_multisig_init(init); !ok) {
    self->quit(
        caf::make_error(caf::sec::invalid_argument, ok.err().to_string()));
    return multisig_contract_actor::behavior_type::make_empty_behavior();
  }
  if (!multisig_versions().knows(params.version)) {
    self->quit(
        caf::make_error(caf::sec::invalid_argument,
                        "no multisig code version " + to_text(params.version)));
    return multisig_contract_actor::behavior_type::make_empty_behavior();
  }
  start_contract(self, std::move(ctx), params, std::move(factory),
                 core_from_params(contract_kind::multisig, params,
                                  init.is_public, "active"));
  self->state.wallet = make_multisig_state(init, params.id, params.owner);
  send_callback(self, notify_deployment_complete_arg{params.id});
  return {
      ICTO_CONTRACT_COMMON_HANDLERS(self),
      // -- queries ------------------------------------------------------------
      [self](const caller& c, const wallet_info_arg&) -> result<wallet_info> {
        auto& st = self->state;
        if (auto ok = require_viewer(st.wallet, contract_caller(self, c),
                                     st.core.is_public);
            !ok)
          return ok.err();
        return wallet_info_of(st.wallet, st.core.is_public, now_of(self));
      },
      [self](const caller& c,
             const multisig_proposal_arg& arg) -> result<multisig_proposal> {
        auto& st = self->state;
        if (auto ok = require_viewer(st.wallet, contract_caller(self, c),
                                     st.core.is_public);
            !ok)
          return ok.err();
        return proposal_of(st.wallet, arg.proposal_id, now_of(self));
      },
      [self](const caller& c, const multisig_proposals_arg& arg)
          -> result<multisig_proposal_page> {
        auto& st = self->state;
        if (auto ok = require_viewer(st.wallet, contract_caller(self, c),
                                     st.core.is_public);
            !ok)
          return ok.err();
        return proposals_of(st.wallet, arg, now_of(self));
      },
      // -- the owner's changes ------------------------------------------------
      [self](const caller& c, const add_signer_arg& arg) -> result<unit> {
        auto who = contract_caller(self, c);
        return owner_change(
            self,
            [&] {
              return add_signer(self->state.wallet, who, arg);
            },
            notify_signer_added_arg{self->state.core.id, arg.signer});
      },
      [self](const caller& c, const remove_signer_arg& arg) -> result<unit> {
        auto who = contract_caller(self, c);
        return owner_change(
            self,
            [&] {
              return remove_signer(self->state.wallet, who, arg);
            },
            notify_signer_removed_arg{self->state.core.id, arg.signer});
      },
      [self](const caller& c, const add_observer_arg& arg) -> result<unit> {
        auto who = contract_caller(self, c);
        return owner_change(
            self,
            [&] {
              return add_observer(self->state.wallet, who, arg);
            },
            notify_observer_added_arg{self->state.core.id, arg.observer});
      },
      [self](const caller& c, const remove_observer_arg& arg) -> result<unit> {
        auto who = contract_caller(self, c);
        return owner_change(
            self,
            [&] {
              return remove_observer(self->state.wallet, who, arg);
            },
            notify_observer_removed_arg{self->state.core.id, arg.observer});
      },
      [self](const caller& c, const set_threshold_arg& arg) -> result<unit> {
        return set_threshold(self->state.wallet, contract_caller(self, c), arg);
      },
      // -- proposals ----------------------------------------------------------
      [self](const caller& c,
             const propose_transfer_arg& arg) -> result<uint64_t> {
        auto who = contract_caller(self, c);
        auto id = propose_transfer(self->state.wallet, who, arg, now_of(self));
        if (id)
          send_callback(self, notify_proposal_created_arg{self->state.core.id,
                                                          *id, who});
        return id;
      },
      [self](const caller& c,
             const multisig_approve_arg& arg) -> result<multisig_proposal> {
        return approve_proposal(self->state.wallet, contract_caller(self, c),
                                arg.proposal_id, now_of(self));
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
                              std::move(init));
}

} // namespace icto
