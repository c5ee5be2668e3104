// The DAO contract actor: a thin shell around dao_state. Spawned by the DAO
// factory (spawn_dao_contract); one per DAO. An executed `transfer` proposal
// pays from the DAO's own account {contract id} on the platform ledger (the
// ledger learns the payer from this actor's directory entry). Persists
// (later): its dao_state and contract_core.

#include "actors/contracts/contract_actor.hpp"
#include "actors/contracts/dao_state.hpp"

#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <string>
#include <utility>

namespace icto {

namespace {

/// How long an executed transfer waits for the ledger.
constexpr std::chrono::seconds ledger_timeout{10};

/// A DAO's business status as the factory records it: a DAO is active for
/// as long as it exists (it always keeps a member).
constexpr const char* dao_status_text = "active";

/// Version 1.0.0: the state checked by `check_invariants`.
const version_table<dao_state>& dao_versions() {
  static const auto table = [] {
    version_table<dao_state> t;
    t.steps.push_back(version_step<dao_state>{
        semver{1, 0, 0},
        "weighted votes, quorum and approval in basis points, six actions",
        "initial state",
        {},
        {}});
    t.check = [](const dao_state& st, const semver&) -> result<unit> {
      if (auto bad = check_invariants(st); !bad.empty())
        return make_error(contract_errc::invalid_state, bad);
      return unit{};
    };
    return t;
  }();
  return table;
}

/// What a DAO contract actor owns; only its handlers touch it.
struct dao_actor_state : contract_actor_base<dao_factory_actor> {
  static inline const char* name = "dao_contract";
  dao_state dao;

  result<migration_report> migrate_to(const semver& v) {
    return migrate(dao_versions(), dao, core.version, v);
  }
  contract_health health() const {
    return health_of(dao_versions(), dao, core.version);
  }
};

using dao_self = dao_contract_actor::stateful_pointer<dao_actor_state>;

using proposal_promise = caf::typed_response_promise<result<dao_proposal>>;

timestamp now_of(dao_self self) {
  return self->state.ctx->now();
}

/// Tells the factory about a membership change.
void membership_changed(dao_self self, const dao_membership_change& change) {
  const auto& id = self->state.core.id;
  if (change.added)
    send_callback(self, notify_member_added_arg{id, *change.added});
  if (change.removed)
    send_callback(self, notify_member_removed_arg{id, *change.removed});
}

/// Executes a proposal for `who` (resolved before: making the response
/// promise takes the CAF sender away); a transfer waits for the ledger.
proposal_promise execute(dao_self self, const principal& who,
                         const dao_execute_arg& arg) {
  auto rp = self->make_response_promise<result<dao_proposal>>();
  auto& st = self->state;
  const auto id = arg.proposal_id;
  auto change = execute_proposal(st.dao, who, id, now_of(self));
  if (!change) {
    rp.deliver(result<dao_proposal>{change.err()});
    return rp;
  }
  membership_changed(self, *change);
  if (!awaits_transfer(st.dao, id)) {
    rp.deliver(proposal_of(st.dao, id, now_of(self)));
    return rp;
  }
  const auto& params = st.dao.proposals.find(id)->proposal.params;
  transfer_arg t;
  t.to = *params.to;
  t.amount = *params.amount;
  auto done = [self, rp, id](std::optional<std::string> failure) mutable {
    auto& dao = self->state.dao;
    finish_transfer(dao, id, now_of(self), std::move(failure));
    rp.deliver(proposal_of(dao, id, now_of(self)));
  };
  if (!st.ledger) {
    done(std::string{"the DAO has no ledger"});
    return rp;
  }
  self->request(st.ledger, ledger_timeout, caller{st.core.id}, std::move(t))
      .then(
          [done](const result<uint64_t>& r) mutable {
            done(r ? std::nullopt
                   : std::optional<std::string>{r.err().to_string()});
          },
          [self, done](const caf::error& err) mutable {
            done("the ledger did not answer: " + self->system().render(err));
          });
  return rp;
}

dao_contract_actor::behavior_type
dao_impl(dao_self self, node_context_ptr ctx, contract_params params,
         dao_factory_actor factory, dao_init init) {
  if (auto ok = validate(init); !ok) {
    self->quit(
        caf::make_error(caf::sec::invalid_argument, ok.err().to_string()));
    return dao_contract_actor::behavior_type::make_empty_behavior();
  }
  if (!dao_versions().knows(params.version)) {
    self->quit(
        caf::make_error(caf::sec::invalid_argument,
                        "no DAO code version " + to_text(params.version)));
    return dao_contract_actor::behavior_type::make_empty_behavior();
  }
  start_contract(self, std::move(ctx), params, std::move(factory),
                 core_from_params(contract_kind::dao, params, init.is_public,
                                  dao_status_text));
  self->state.dao = make_dao_state(init, params.owner);
  send_callback(self, notify_deployment_complete_arg{params.id});
  return {
      ICTO_CONTRACT_COMMON_HANDLERS(self),
      // -- queries ------------------------------------------------------------
      [self](const caller& c, const dao_info_arg&) -> result<dao_info> {
        auto& st = self->state;
        if (auto ok = check_can_read(st.dao, contract_caller(self, c),
                                     st.core.is_public);
            !ok)
          return ok.err();
        return info_of(st.dao, st.core.is_public, now_of(self));
      },
      [self](const caller& c,
             const dao_members_arg& arg) -> result<dao_member_page> {
        auto& st = self->state;
        if (auto ok = check_can_read(st.dao, contract_caller(self, c),
                                     st.core.is_public);
            !ok)
          return ok.err();
        return members_page(st.dao, arg.page);
      },
      [self](const caller& c,
             const dao_proposal_arg& arg) -> result<dao_proposal> {
        auto& st = self->state;
        if (auto ok = check_can_read(st.dao, contract_caller(self, c),
                                     st.core.is_public);
            !ok)
          return ok.err();
        return proposal_of(st.dao, arg.proposal_id, now_of(self));
      },
      [self](const caller& c,
             const dao_proposals_arg& arg) -> result<dao_proposal_page> {
        auto& st = self->state;
        if (auto ok = check_can_read(st.dao, contract_caller(self, c),
                                     st.core.is_public);
            !ok)
          return ok.err();
        return proposals_page(st.dao, arg, now_of(self));
      },
      // -- the owner's changes ------------------------------------------------
      [self](const caller& c, const dao_member& arg) -> result<unit> {
        auto r = add_member(self->state.dao, contract_caller(self, c), arg);
        if (r)
          send_callback(self, notify_member_added_arg{self->state.core.id,
                                                      arg.member});
        return r;
      },
      [self](const caller& c,
             const dao_remove_member_arg& arg) -> result<unit> {
        auto r = remove_member(self->state.dao, contract_caller(self, c),
                               arg.member);
        if (r)
          send_callback(self, notify_member_removed_arg{self->state.core.id,
                                                        arg.member});
        return r;
      },
      // -- proposals ----------------------------------------------------------
      [self](const caller& c,
             const dao_create_proposal_arg& arg) -> result<uint64_t> {
        auto who = contract_caller(self, c);
        auto id = create_proposal(self->state.dao, who, arg, now_of(self));
        if (id)
          send_callback(self, notify_proposal_created_arg{self->state.core.id,
                                                          *id, who});
        return id;
      },
      [self](const caller& c, const dao_vote_arg& arg) -> result<dao_proposal> {
        return cast_vote(self->state.dao, contract_caller(self, c), arg,
                         now_of(self));
      },
      [self](const caller& c, const dao_execute_arg& arg) -> proposal_promise {
        return execute(self, contract_caller(self, c), arg);
      },
  };
}

} // namespace

std::vector<code_version> dao_code_versions() {
  return code_versions_of(dao_versions());
}

dao_contract_actor
spawn_dao_contract(caf::actor_system& sys, node_context_ptr ctx,
                   contract_params params, dao_factory_actor factory,
                   dao_init init) {
  auto id = params.id;
  return spawn_contract_actor(sys, ctx, id, dao_impl, ctx, std::move(params),
                              std::move(factory), std::move(init));
}

} // namespace icto
