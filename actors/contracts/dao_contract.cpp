// The DAO contract actor: a thin shell around dao_state. Spawned by the DAO
// factory (spawn_dao_contract); one per DAO. An executed `transfer` proposal
// pays from the DAO's own account {contract id} on the platform ledger (the
// ledger learns the payer from this actor's directory entry).
// Durable (contract_durable.hpp, dao_journal.hpp): it journals each change
// as the operation that made it (members, proposals, votes, executions, the
// ledger's answer to a transfer); replies and callbacks wait until it is
// durable. A transfer leaves only once its execution is durable, with a
// created_at_time and memo fixed by the proposal (transfer_of). Transfers in
// flight at a restart are sent again, identical: ok or duplicate settles the
// proposal executed with that block, another ledger error fails it, and an
// unknown outcome (too_old, no answer) keeps it in flight with a warning; it
// is never paid twice. executeProposal sends a transfer whose answer was
// unknown again too.

#include "actors/contracts/contract_actor.hpp"
#include "actors/contracts/contract_restore.hpp"
#include "actors/contracts/dao_journal.hpp"
#include "actors/contracts/dao_state.hpp"

#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <optional>
#include <set>
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
  /// Proposals whose transfer request is out (not journaled: a restart
  /// sends every transfer in flight again).
  std::set<uint64_t> sending;

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

/// Runs `arg`'s operation for `who` now; journals it if it succeeded.
template <class Arg>
auto apply(dao_self self, const principal& who, const Arg& arg) {
  const auto now = now_of(self);
  auto r = run_dao_op(self->state.dao, who, now, arg);
  if (r)
    log_op(self, dao_op_of(arg), who, now, arg);
  return r;
}

/// Delivers `x` once everything journaled so far is durable and the
/// factory answered the callbacks sent so far.
void deliver(dao_self self, proposal_promise rp, result<dao_proposal> x) {
  self->state.journal.when_settled([rp, x = std::move(x)]() mutable {
    rp.deliver(std::move(x));
  });
}

/// Ends proposal `id`'s transfer with the ledger's answer: journaled if
/// the outcome is known, else kept in flight with a warning. Answers `rp`
/// (none after a restart) once durable.
void settle(dao_self self, uint64_t id, result<uint64_t> reply,
            std::optional<proposal_promise> rp) {
  auto& st = self->state;
  st.sending.erase(id);
  const auto now = now_of(self);
  dao_settle_arg arg{id, std::move(reply)};
  auto outcome = run_dao_op(st.dao, principal{}, now, arg);
  const bool unknown = outcome && *outcome == dao_transfer_outcome::unknown;
  if (outcome && !unknown)
    log_op(self, dao_op_settle_transfer, principal{}, now, arg);
  if (unknown)
    st.ctx->report_warning(
        "DAO " + st.core.id.to_text() + ": the outcome of the transfer of "
        + "proposal " + std::to_string(id) + " is unknown ("
        + arg.reply.err().to_string()
        + "); it stays in flight and is never paid twice: executeProposal "
          "(or a restart) sends it again");
  if (!rp)
    return;
  if (unknown) {
    auto e = arg.reply.err();
    e.message = "proposal " + std::to_string(id)
                + ": the transfer's outcome is unknown (" + e.message
                + "); it stays in flight: execute again, the ledger "
                  "deduplicates the retry";
    deliver(self, *rp, std::move(e));
    return;
  }
  deliver(self, *rp, proposal_of(st.dao, id, now));
}

/// Sends proposal `id`'s transfer (rebuilt from the state, the same each
/// time) once everything journaled so far is durable.
void send_transfer(dao_self self, uint64_t id,
                   std::optional<proposal_promise> rp) {
  auto& st = self->state;
  if (!st.live_ledger()) {
    settle(self, id,
           make_error(contract_errc::invalid_state, "the DAO has no ledger"),
           std::move(rp));
    return;
  }
  st.sending.insert(id);
  st.journal.after_durable([self, id, rp, t = transfer_of(st.dao, id)] {
    auto& s = self->state;
    self->request(s.live_ledger(), ledger_timeout, caller{s.core.id}, t)
        .then(
            [self, id, rp](const result<uint64_t>& r) {
              settle(self, id, r, rp);
            },
            [self, id, rp](const caf::error& err) {
              settle(self, id,
                     make_error(system_errc::timeout,
                                "the ledger did not answer: "
                                    + self->system().render(err)),
                     rp);
            });
  });
}

/// Executes a proposal for `who` (resolved before: making the response
/// promise takes the CAF sender away); a transfer waits for the ledger. A
/// transfer in flight whose answer was unknown is sent again.
proposal_promise execute(dao_self self, const principal& who,
                         const dao_execute_arg& arg) {
  auto rp = self->make_response_promise<result<dao_proposal>>();
  auto& st = self->state;
  const auto id = arg.proposal_id;
  if (awaits_transfer(st.dao, id) && st.sending.count(id) == 0) {
    auto again = retry_transfer(st.dao, who, id);
    if (!again)
      deliver(self, rp, again.err());
    else
      send_transfer(self, id, rp);
    return rp;
  }
  const auto now = now_of(self);
  const auto* found = st.dao.proposals.find(id);
  const auto status_before = found ? std::optional{found->proposal.status}
                                   : std::nullopt;
  auto change = run_dao_op(st.dao, who, now, arg);
  if (!change) {
    // A refusal may have marked the proposal rejected: journal that too.
    const auto* after = st.dao.proposals.find(id);
    if (after && status_before != after->proposal.status)
      log_op(self, dao_op_execute, who, now, arg);
    deliver(self, rp, change.err());
    return rp;
  }
  log_op(self, dao_op_execute, who, now, arg);
  membership_changed(self, *change);
  if (!awaits_transfer(st.dao, id)) {
    deliver(self, rp, proposal_of(st.dao, id, now));
    return rp;
  }
  // The transfer leaves once its execution (created_at_time) is durable.
  send_transfer(self, id, rp);
  return rp;
}

/// A new DAO's image.
dao_image initial_image(const contract_params& params, const dao_init& init) {
  return dao_image{core_from_params(contract_kind::dao, params, init.is_public,
                                    dao_status_text),
                   make_dao_state(init, params.owner),
                   {}};
}

dao_contract_actor::behavior_type
dao_impl(dao_self self, node_context_ptr ctx, contract_params params,
         dao_factory_actor factory, dao_init init,
         contract_start<dao_state> start) {
  const bool restored = start.image.has_value();
  // The status is always dao_status_text: the image holds it as it was.
  if (!start_kind_contract(
          self, std::move(ctx), params, std::move(factory), init, start,
          contract_kind::dao, self->state.dao, [&] {
            return checked_image(validate(init), dao_versions(), "DAO",
                                 params.version, [&] {
                                   return initial_image(params, init);
                                 });
          }))
    return dao_contract_actor::behavior_type::make_empty_behavior();
  if (restored) {
    // Transfers in flight when the node stopped: send them again; the
    // ledger's answer (ok, or duplicate naming the first block) settles
    // them without paying twice.
    for (auto id : transfers_in_flight(self->state.dao))
      send_transfer(self, id, std::nullopt);
  }
  auto readable = [self](const caller& c) {
    auto& st = self->state;
    return check_can_read(st.dao, contract_caller(self, c), st.core.is_public);
  };
  return {
      ICTO_CONTRACT_COMMON_HANDLERS(self),
      // -- queries ------------------------------------------------------------
      durable_handler(self,
                      [self, readable](const caller& c, const dao_info_arg&)
                          -> result<dao_info> {
                        if (auto ok = readable(c); !ok)
                          return ok.err();
                        auto& st = self->state;
                        return info_of(st.dao, st.core.is_public, now_of(self));
                      }),
      durable_handler(self,
                      [self, readable](const caller& c,
                                       const dao_members_arg& arg)
                          -> result<dao_member_page> {
                        if (auto ok = readable(c); !ok)
                          return ok.err();
                        return members_page(self->state.dao, arg.page);
                      }),
      durable_handler(
          self,
          [self, readable](const caller& c, const dao_proposal_arg& arg)
              -> result<dao_proposal> {
            if (auto ok = readable(c); !ok)
              return ok.err();
            return proposal_of(self->state.dao, arg.proposal_id, now_of(self));
          }),
      durable_handler(
          self,
          [self, readable](const caller& c, const dao_proposals_arg& arg)
              -> result<dao_proposal_page> {
            if (auto ok = readable(c); !ok)
              return ok.err();
            return proposals_page(self->state.dao, arg, now_of(self));
          }),
      // -- the owner's changes ------------------------------------------------
      [self](const caller& c,
             const dao_member& arg) -> caf::result<result<unit>> {
        auto r = apply(self, contract_caller(self, c), arg);
        if (r)
          send_callback(self, notify_member_added_arg{self->state.core.id,
                                                      arg.member});
        return durable_reply(self, std::move(r));
      },
      [self](const caller& c,
             const dao_remove_member_arg& arg) -> caf::result<result<unit>> {
        auto r = apply(self, contract_caller(self, c), arg);
        if (r)
          send_callback(self, notify_member_removed_arg{self->state.core.id,
                                                        arg.member});
        return durable_reply(self, std::move(r));
      },
      // -- proposals ----------------------------------------------------------
      [self](const caller& c, const dao_create_proposal_arg& arg)
          -> caf::result<result<uint64_t>> {
        auto who = contract_caller(self, c);
        auto id = apply(self, who, arg);
        if (id)
          send_callback(self, notify_proposal_created_arg{self->state.core.id,
                                                          *id, who});
        return durable_reply(self, std::move(id));
      },
      [self](const caller& c,
             const dao_vote_arg& arg) -> caf::result<result<dao_proposal>> {
        return durable_reply(self, apply(self, contract_caller(self, c), arg));
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

result<unit> replay_dao_event(dao_image& img, const op_event& ev) {
  auto common = replay_common(img, dao_versions(), ev);
  if (!common)
    return common.err();
  if (*common)
    return unit{};
  auto replay = [&](auto tag) -> result<unit> {
    using arg_type = typename decltype(tag)::type;
    auto a = op_arg<arg_type>(ev, "contract");
    if (!a)
      return a.err();
    static_cast<void>(run_dao_op(img.state, ev.who, ev.now, *a));
    return unit{};
  };
  switch (ev.op) {
  case dao_op_add_member: return replay(op_tag<dao_member>{});
  case dao_op_remove_member: return replay(op_tag<dao_remove_member_arg>{});
  case dao_op_create_proposal: return replay(op_tag<dao_create_proposal_arg>{});
  case dao_op_vote: return replay(op_tag<dao_vote_arg>{});
  case dao_op_execute: return replay(op_tag<dao_execute_arg>{});
  case dao_op_settle_transfer: return replay(op_tag<dao_settle_arg>{});
  default: break;
  }
  return make_error(system_errc::storage_failure,
                    "unknown DAO operation " + std::to_string(ev.op));
}

dao_contract_actor
spawn_dao_contract(caf::actor_system& sys, node_context_ptr ctx,
                   contract_params params, dao_factory_actor factory,
                   dao_init init) {
  auto id = params.id;
  return spawn_contract_actor(sys, ctx, id, dao_impl, ctx, std::move(params),
                              std::move(factory), std::move(init),
                              fresh_start<dao_state>(id));
}

result<caf::actor>
restore_dao_contract(caf::actor_system& sys, node_context_ptr ctx,
                     contract_params params, dao_factory_actor factory,
                     const std::string& init_bytes,
                     const store::recovered_actor& rec) {
  return restore_kind_contract<dao_state, dao_init>(
      sys, std::move(ctx), std::move(params), std::move(factory), init_bytes,
      rec, "dao", dao_impl, initial_image, replay_dao_event);
}

} // namespace icto
