// The distribution contract actor: a thin shell around distribution_state.
// Spawned by the distribution factory (spawn_distribution_contract); one per
// distribution. It pays claims from its own account {contract id} on its
// token: the platform ledger when init.token is the ledger's principal, else
// the token contract the directory finds (spoken to with ICRC-1
// icrc1_transfer, as a dynamically typed actor); the token learns the payer
// from this actor's directory entry. Persists (later): its
// distribution_state and contract_core.

#include "actors/contracts/contract_actor.hpp"
#include "actors/contracts/distribution_state.hpp"

#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <string>
#include <utility>

namespace icto {

namespace {

/// How long a claim waits for the token's transfer.
constexpr std::chrono::seconds token_timeout{10};

/// Version 1.0.0: the state checked by `check_invariants`.
const version_table<distribution_state>& distribution_versions() {
  static const auto table = [] {
    version_table<distribution_state> t;
    t.steps.push_back(version_step<distribution_state>{
        semver{1, 0, 0},
        "linear vesting after a cliff; claims on ICRC-1",
        "initial state",
        {},
        {}});
    t.check = [](const distribution_state& st, const semver&) -> result<unit> {
      if (auto bad = check_invariants(st); !bad.empty())
        return make_error(contract_errc::invalid_state, bad);
      return unit{};
    };
    return t;
  }();
  return table;
}

/// What a distribution contract actor owns; only its handlers touch it.
struct distribution_actor_state
    : contract_actor_base<distribution_factory_actor> {
  static inline const char* name = "distribution_contract";
  distribution_state dist;

  result<migration_report> migrate_to(const semver& v) {
    return migrate(distribution_versions(), dist, core.version, v);
  }
  contract_health health() const {
    return health_of(distribution_versions(), dist, core.version);
  }
};

using distribution_self
    = distribution_contract_actor::stateful_pointer<distribution_actor_state>;

using claim_promise
    = caf::typed_response_promise<result<distribution_claim_receipt>>;

timestamp now_of(distribution_self self) {
  return self->state.ctx->now();
}

/// Records the business status in the core and tells the factory.
void status_changed(distribution_self self) {
  auto& st = self->state;
  st.core.status = std::string{to_string(st.dist.status)};
  send_callback(self, notify_status_changed_arg{st.core.id, st.core.status});
}

/// Sends `arg` to the distribution's token as this contract; calls
/// `done(result<uint64_t>)` with the block index or the error, exactly once.
template <class F>
void pay(distribution_self self, transfer_arg arg, F done) {
  auto& st = self->state;
  auto failed = [self, done](const caf::error& err) mutable {
    done(result<uint64_t>{
        make_error(system_errc::unavailable,
                   "the token did not answer: " + self->system().render(err))});
  };
  auto answered = [done](const result<uint64_t>& r) mutable {
    done(r);
  };
  const caller as{st.core.id};
  if (st.dist.token == st.ledger_id && st.ledger) {
    self->request(st.ledger, token_timeout, as, std::move(arg))
        .then(std::move(answered), std::move(failed));
    return;
  }
  auto token = st.ctx->dir.find_actor(st.dist.token);
  if (!token) {
    done(result<uint64_t>{make_error(
        system_errc::unavailable, "the token " + st.dist.token.to_text()
                                      + " is not reachable from this node")});
    return;
  }
  self->request(token, token_timeout, as, std::move(arg))
      .then(std::move(answered), std::move(failed));
}

/// Reserves and pays `who`'s claim. `who` is resolved before: making the
/// response promise takes the CAF sender away.
claim_promise claim(distribution_self self, const principal& who) {
  auto rp = self->make_response_promise<result<distribution_claim_receipt>>();
  auto& st = self->state;
  auto amount = reserve_claim(st.dist, who, now_of(self));
  if (!amount) {
    rp.deliver(result<distribution_claim_receipt>{amount.err()});
    return rp;
  }
  transfer_arg t;
  t.to = account{who, std::nullopt};
  t.amount = *amount;
  pay(self, std::move(t),
      [self, rp, who, amt = *amount](const result<uint64_t>& r) mutable {
        auto& dist = self->state.dist;
        if (!r) {
          release_claim(dist, who, amt);
          rp.deliver(result<distribution_claim_receipt>{r.err()});
          return;
        }
        if (settle_claim(dist, who))
          status_changed(self);
        rp.deliver(result<distribution_claim_receipt>{
            distribution_claim_receipt{amt, *r}});
      });
  return rp;
}

distribution_contract_actor::behavior_type
distribution_impl(distribution_self self, node_context_ptr ctx,
                  contract_params params, distribution_factory_actor factory,
                  distribution_init init) {
  if (auto ok = validate(init); !ok) {
    self->quit(
        caf::make_error(caf::sec::invalid_argument, ok.err().to_string()));
    return distribution_contract_actor::behavior_type::make_empty_behavior();
  }
  if (!distribution_versions().knows(params.version)) {
    self->quit(caf::make_error(caf::sec::invalid_argument,
                               "no distribution code version "
                                   + to_text(params.version)));
    return distribution_contract_actor::behavior_type::make_empty_behavior();
  }
  auto dist = make_distribution_state(init, params.owner);
  start_contract(self, std::move(ctx), params, std::move(factory),
                 core_from_params(contract_kind::distribution, params,
                                  init.is_public,
                                  std::string{to_string(dist.status)}));
  self->state.dist = std::move(dist);
  send_callback(self, notify_deployment_complete_arg{params.id});
  return {
      ICTO_CONTRACT_COMMON_HANDLERS(self),
      // -- queries ------------------------------------------------------------
      [self](const caller& c,
             const distribution_info_arg&) -> result<distribution_info> {
        auto& st = self->state;
        if (auto ok = check_can_read(st.dist, contract_caller(self, c),
                                     st.core.is_public);
            !ok)
          return ok.err();
        return info_of(st.dist, st.core.is_public);
      },
      [self](const caller&,
             const claimable_arg& arg) -> result<vesting_figures> {
        return figures_of(self->state.dist, arg.user, now_of(self));
      },
      [self](const caller& c,
             const distribution_recipients_arg& arg) -> result<vesting_page> {
        auto& st = self->state;
        if (auto ok = check_can_read(st.dist, contract_caller(self, c),
                                     st.core.is_public);
            !ok)
          return ok.err();
        return recipients_page(st.dist, arg.page, now_of(self));
      },
      // -- the owner's changes ------------------------------------------------
      [self](const caller& c,
             const distribution_activate_arg&) -> result<unit> {
        auto r = activate(self->state.dist, contract_caller(self, c),
                          now_of(self));
        if (r)
          status_changed(self);
        return r;
      },
      [self](const caller& c,
             const distribution_cancel_arg& arg) -> result<unit> {
        auto r = cancel(self->state.dist, contract_caller(self, c), arg.reason);
        if (r)
          status_changed(self);
        return r;
      },
      [self](const caller& c,
             const distribution_recipient& arg) -> result<unit> {
        auto r = add_recipient(self->state.dist, contract_caller(self, c), arg);
        if (r)
          send_callback(self, notify_recipient_added_arg{self->state.core.id,
                                                         arg.recipient});
        return r;
      },
      [self](const caller& c, const remove_recipient_arg& arg) -> result<unit> {
        auto r = remove_recipient(self->state.dist, contract_caller(self, c),
                                  arg.recipient);
        if (r)
          send_callback(self, notify_recipient_removed_arg{self->state.core.id,
                                                           arg.recipient});
        return r;
      },
      // -- claims -------------------------------------------------------------
      [self](const caller& c, const distribution_claim_arg&) -> claim_promise {
        return claim(self, contract_caller(self, c));
      },
  };
}

} // namespace

std::vector<code_version> distribution_code_versions() {
  return code_versions_of(distribution_versions());
}

distribution_contract_actor
spawn_distribution_contract(caf::actor_system& sys, node_context_ptr ctx,
                            contract_params params,
                            distribution_factory_actor factory,
                            distribution_init init) {
  auto id = params.id;
  return spawn_contract_actor(sys, ctx, id, distribution_impl, ctx,
                              std::move(params), std::move(factory),
                              std::move(init));
}

} // namespace icto
