// The launchpad contract actor: a thin shell around launchpad_state.
// Spawned by the launchpad factory (spawn_launchpad_contract); one per sale.
// It takes contributions on the platform ledger with icrc2_transfer_from
// (contributor -> its own account {contract id}), and pays the owner or
// refunds the contributors from that account with icrc1_transfer; the ledger
// learns the spender / payer from this actor's directory entry. Status
// changes that only the clock makes (upcoming -> open -> succeeded | failed)
// are reported to the factory with the next message the sale handles.
// Persists (later): its launchpad_state and contract_core.

#include "actors/contracts/contract_actor.hpp"
#include "actors/contracts/launchpad_state.hpp"

#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace icto {

namespace {

/// How long a contribution, payout or refund waits for the ledger.
constexpr std::chrono::seconds ledger_timeout{10};

/// Version 1.0.0: the state checked by `check_invariants`.
const version_table<launchpad_state>& launchpad_versions() {
  static const auto table = [] {
    version_table<launchpad_state> t;
    t.steps.push_back(version_step<launchpad_state>{
        semver{1, 0, 0},
        "ICRC-2 contributions within caps; payout or refunds on finalize",
        "initial state",
        {},
        {}});
    t.check = [](const launchpad_state& st, const semver&) -> result<unit> {
      if (auto bad = check_invariants(st); !bad.empty())
        return make_error(contract_errc::invalid_state, bad);
      return unit{};
    };
    return t;
  }();
  return table;
}

/// What a launchpad contract actor owns; only its handlers touch it.
struct launchpad_actor_state : contract_actor_base<launchpad_factory_actor> {
  static inline const char* name = "launchpad_contract";
  launchpad_state sale;

  result<migration_report> migrate_to(const semver& v) {
    return migrate(launchpad_versions(), sale, core.version, v);
  }
  contract_health health() const {
    return health_of(launchpad_versions(), sale, core.version);
  }
};

using launchpad_self
    = launchpad_contract_actor::stateful_pointer<launchpad_actor_state>;

using contribution_promise = caf::typed_response_promise<result<contribution>>;
using outcome_promise = caf::typed_response_promise<result<sale_outcome>>;
using refund_promise = caf::typed_response_promise<result<sale_refund>>;

timestamp now_of(launchpad_self self) {
  return self->state.ctx->now();
}

error no_answer(launchpad_self self, const caf::error& err) {
  return make_error(system_errc::unavailable,
                    "the ledger did not answer: " + self->system().render(err));
}

/// Reports the status to the factory if it changed since the last report.
void sync_status(launchpad_self self) {
  auto& st = self->state;
  auto now = std::string{to_string(status_at(st.sale, now_of(self)))};
  if (now == st.core.status)
    return;
  st.core.status = std::move(now);
  send_callback(self, notify_status_changed_arg{st.core.id, st.core.status});
}

/// Asks the ledger for its fee; `done(result<tokens>)` exactly once.
template <class F>
void with_fee(launchpad_self self, F done) {
  auto& st = self->state;
  if (!st.ledger) {
    done(result<tokens>{
        make_error(system_errc::unavailable, "the sale has no ledger")});
    return;
  }
  self->request(st.ledger, ledger_timeout, caller{st.core.id}, icrc1_fee_arg{})
      .then(
          [done](const result<tokens>& r) mutable {
            done(r);
          },
          [self, done](const caf::error& err) mutable {
            done(result<tokens>{no_answer(self, err)});
          });
}

/// Pays `amount` from the sale's account to `to`; `done(result<uint64_t>)`
/// exactly once.
template <class F>
void pay(launchpad_self self, const principal& to, tokens amount, F done) {
  auto& st = self->state;
  transfer_arg t;
  t.to = account{to, std::nullopt};
  t.amount = amount;
  self->request(st.ledger, ledger_timeout, caller{st.core.id}, std::move(t))
      .then(
          [done](const result<uint64_t>& r) mutable {
            done(r);
          },
          [self, done](const caf::error& err) mutable {
            done(result<uint64_t>{no_answer(self, err)});
          });
}

// -- contribute ---------------------------------------------------------------

/// Reserves `who`'s contribution and takes it with icrc2_transfer_from.
/// `who` is resolved before: making the response promise takes the CAF
/// sender away (so for finalize and claim_refund too).
contribution_promise contribute(launchpad_self self, const principal& who,
                                const contribute_arg& arg) {
  auto rp = self->make_response_promise<result<contribution>>();
  auto& st = self->state;
  sync_status(self);
  if (auto ok = reserve_contribution(st.sale, who, arg, now_of(self)); !ok) {
    rp.deliver(result<contribution>{ok.err()});
    return rp;
  }
  if (!st.ledger) {
    release_contribution(st.sale, who, arg.amount);
    rp.deliver(result<contribution>{
        make_error(system_errc::unavailable, "the sale has no ledger")});
    return rp;
  }
  transfer_from_args t;
  t.from = account{who, arg.from_subaccount};
  t.to = account{st.core.id, std::nullopt};
  t.amount = arg.amount;
  auto done = [self, rp, who,
               amount = arg.amount](const result<uint64_t>& r) mutable {
    auto& s = self->state;
    if (!r) {
      release_contribution(s.sale, who, amount);
      rp.deliver(result<contribution>{r.err()});
      return;
    }
    auto [record, first] = confirm_contribution(s.sale, who, amount,
                                                now_of(self));
    if (first)
      send_callback(self, notify_participant_added_arg{s.core.id, who});
    sync_status(self);
    rp.deliver(result<contribution>{std::move(record)});
  };
  self->request(st.ledger, ledger_timeout, caller{st.core.id}, std::move(t))
      .then(
          [done](const result<uint64_t>& r) mutable {
            done(r);
          },
          [self, done](const caf::error& err) mutable {
            done(result<uint64_t>{no_answer(self, err)});
          });
  return rp;
}

// -- finalize -----------------------------------------------------------------

/// A finalize of a failed sale working through its refunds one at a time
/// (one ledger request in flight).
struct refund_run {
  outcome_promise rp;
  std::vector<contribution> todo;
  size_t next = 0;
  tokens fee = 0;
  sale_outcome outcome;
};

/// Records a refund attempt and tells the factory about a full refund.
void refund_done(launchpad_self self, const contribution& c, tokens paid,
                 const result<uint64_t>& r) {
  auto& st = self->state;
  sale_refund refund;
  refund.contributor = c.contributor;
  refund.amount = paid;
  refund.at = now_of(self);
  if (r)
    refund.block_index = *r;
  else
    refund.failure = r.err().to_string();
  if (record_refund(st.sale, std::move(refund)))
    send_callback(self,
                  notify_participant_removed_arg{st.core.id, c.contributor});
}

void refund_next(launchpad_self self, std::shared_ptr<refund_run> run) {
  auto& st = self->state;
  if (run->next == run->todo.size()) {
    end_finalize(st.sale, sale_status::refunded, std::nullopt, now_of(self));
    sync_status(self);
    run->rp.deliver(result<sale_outcome>{run->outcome});
    return;
  }
  const auto c = run->todo[run->next++];
  begin_refund(st.sale, c.contributor);
  if (!refund_covers_fee(c, run->fee)) {
    refund_done(self, c, 0,
                make_error(contract_errc::insufficient_funds,
                           "the contribution does not cover the ledger fee"));
    ++run->outcome.refunds_failed;
    refund_next(self, std::move(run));
    return;
  }
  const tokens paid = c.amount - run->fee;
  pay(self, c.contributor, paid,
      [self, run, c, paid](const result<uint64_t>& r) mutable {
        refund_done(self, c, paid, r);
        ++(r ? run->outcome.refunds_paid : run->outcome.refunds_failed);
        refund_next(self, std::move(run));
      });
}

/// Settles an ended sale: the owner's payout, or every refund in turn.
outcome_promise finalize(launchpad_self self, const principal& who) {
  auto rp = self->make_response_promise<result<sale_outcome>>();
  auto& st = self->state;
  sync_status(self);
  auto from = begin_finalize(st.sale, who, now_of(self));
  if (!from) {
    rp.deliver(result<sale_outcome>{from.err()});
    return rp;
  }
  auto run = std::make_shared<refund_run>();
  run->rp = rp;
  run->outcome.raised = st.sale.raised;
  run->outcome.contributors
      = info_of(st.sale, false, now_of(self)).contributors;
  const bool success = *from == sale_status::succeeded;
  with_fee(self, [self, run, success](const result<tokens>& fee) mutable {
    auto& s = self->state;
    if (!fee) {
      end_finalize(s.sale, std::nullopt, std::nullopt, now_of(self));
      run->rp.deliver(result<sale_outcome>{fee.err()});
      return;
    }
    run->fee = *fee;
    if (!success) {
      run->outcome.status = sale_status::refunded;
      run->todo = refundable(s.sale);
      refund_next(self, std::move(run));
      return;
    }
    run->outcome.status = sale_status::finalized;
    auto settle = [self, run](std::optional<uint64_t> block) {
      end_finalize(self->state.sale, sale_status::finalized, block,
                   now_of(self));
      sync_status(self);
      run->outcome.payout_block = block;
      run->rp.deliver(result<sale_outcome>{run->outcome});
    };
    if (s.sale.raised <= *fee) {
      settle(std::nullopt); // nothing the ledger fee leaves to pay
      return;
    }
    pay(self, s.sale.owner, s.sale.raised - *fee,
        [self, run, settle](const result<uint64_t>& r) mutable {
          if (!r) {
            end_finalize(self->state.sale, std::nullopt, std::nullopt,
                         now_of(self));
            run->rp.deliver(result<sale_outcome>{r.err()});
            return;
          }
          settle(*r);
        });
  });
  return rp;
}

// -- claimRefund --------------------------------------------------------------

/// Retries `who`'s refused refund.
refund_promise claim_refund(launchpad_self self, const principal& who) {
  auto rp = self->make_response_promise<result<sale_refund>>();
  auto& st = self->state;
  auto mine = begin_claim_refund(st.sale, who);
  if (!mine) {
    rp.deliver(result<sale_refund>{mine.err()});
    return rp;
  }
  auto finish = [self, rp, c = *mine](tokens paid,
                                      const result<uint64_t>& r) mutable {
    refund_done(self, c, paid, r);
    auto& refunds = self->state.sale.refunds;
    rp.deliver(result<sale_refund>{*refunds.find(refunds.size() - 1)});
  };
  with_fee(self, [self, finish, c = *mine](const result<tokens>& fee) mutable {
    if (!fee) {
      finish(0, result<uint64_t>{fee.err()});
      return;
    }
    if (!refund_covers_fee(c, *fee)) {
      finish(0, result<uint64_t>{make_error(
                    contract_errc::insufficient_funds,
                    "the contribution does not cover the ledger fee")});
      return;
    }
    const tokens paid = c.amount - *fee;
    pay(self, c.contributor, paid,
        [finish, paid](const result<uint64_t>& r) mutable {
          finish(paid, r);
        });
  });
  return rp;
}

launchpad_contract_actor::behavior_type
launchpad_impl(launchpad_self self, node_context_ptr ctx,
               contract_params params, launchpad_factory_actor factory,
               launchpad_init init) {
  if (auto ok = validate(init); !ok) {
    self->quit(
        caf::make_error(caf::sec::invalid_argument, ok.err().to_string()));
    return launchpad_contract_actor::behavior_type::make_empty_behavior();
  }
  if (!launchpad_versions().knows(params.version)) {
    self->quit(caf::make_error(caf::sec::invalid_argument,
                               "no launchpad code version "
                                   + to_text(params.version)));
    return launchpad_contract_actor::behavior_type::make_empty_behavior();
  }
  auto sale = make_launchpad_state(init, params.owner);
  // The status at deployment; a later one is reported by sync_status.
  auto status = std::string{to_string(status_at(sale, params.created_at))};
  start_contract(self, std::move(ctx), params, std::move(factory),
                 core_from_params(contract_kind::launchpad, params,
                                  init.is_public, std::move(status)));
  self->state.sale = std::move(sale);
  send_callback(self, notify_deployment_complete_arg{params.id});
  return {
      ICTO_CONTRACT_COMMON_HANDLERS(self),
      // -- queries (anyone) ---------------------------------------------------
      [self](const caller&, const sale_info_arg&) -> result<sale_info> {
        sync_status(self);
        auto& st = self->state;
        return info_of(st.sale, st.core.is_public, now_of(self));
      },
      [self](const caller&,
             const contribution_arg& arg) -> result<contribution> {
        return contribution_of(self->state.sale, arg.user);
      },
      [self](const caller&,
             const contributors_arg& arg) -> result<contribution_page> {
        return contributors_page(self->state.sale, arg.page);
      },
      [self](const caller&,
             const sale_refunds_arg& arg) -> result<sale_refund_page> {
        return refunds_page(self->state.sale, arg.page);
      },
      // -- updates ------------------------------------------------------------
      [self](const caller& c,
             const contribute_arg& arg) -> contribution_promise {
        return contribute(self, contract_caller(self, c), arg);
      },
      [self](const caller& c, const finalize_sale_arg&) -> outcome_promise {
        return finalize(self, contract_caller(self, c));
      },
      [self](const caller& c, const claim_refund_arg&) -> refund_promise {
        return claim_refund(self, contract_caller(self, c));
      },
  };
}

} // namespace

std::vector<code_version> launchpad_code_versions() {
  return code_versions_of(launchpad_versions());
}

launchpad_contract_actor
spawn_launchpad_contract(caf::actor_system& sys, node_context_ptr ctx,
                         contract_params params,
                         launchpad_factory_actor factory, launchpad_init init) {
  auto id = params.id;
  return spawn_contract_actor(sys, ctx, id, launchpad_impl, ctx,
                              std::move(params), std::move(factory),
                              std::move(init));
}

} // namespace icto
