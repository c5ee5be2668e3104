// The launchpad contract actor: a thin shell around launchpad_state.
// Spawned by the launchpad factory (spawn_launchpad_contract); one per sale.
// It takes contributions on the platform ledger with icrc2_transfer_from
// (contributor -> its own account {contract id}), and pays the owner or
// refunds the contributors from that account with icrc1_transfer; the ledger
// learns the spender / payer from this actor's directory entry. Status
// changes that only the clock makes (upcoming -> open -> succeeded | failed)
// are reported to the factory with the next message the sale handles.
//
// Durable (contract_durable.hpp, launchpad_journal.hpp): it journals each
// change as the operation that made it (the status it reports too), and
// a ledger transfer leaves only once the operation that began it is
// durable; the answer is journaled as its own operation. Every transfer
// carries a created_at_time (when it began) and a memo (its number), so a
// copy is deduplicated by the ledger. At a restart the sale sends every
// transfer in flight again, identical: done (ok, or Duplicate with the
// first block) -> recorded as paid / confirmed; refused -> released or
// recorded as failed; TooOld -> the outcome is unknown: it stays in flight
// with a warning in the node's log, never paid twice. A finalize under way is
// completed step by step (the fee asked again if it was not journaled, the
// payout, or the remaining refunds); the status is recomputed and a change
// reported to the factory.

#include "actors/contracts/contract_actor.hpp"
#include "actors/contracts/contract_restore.hpp"
#include "actors/contracts/launchpad_journal.hpp"
#include "actors/contracts/launchpad_state.hpp"

#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace icto {

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

namespace {

/// How long a contribution, payout or refund waits for the ledger.
constexpr std::chrono::seconds ledger_timeout{10};

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

using launchpad_image = contract_checkpoint<launchpad_state>;

timestamp now_of(launchpad_self self) {
  return self->state.ctx->now();
}

error no_answer(launchpad_self self, const caf::error& err) {
  return make_error(system_errc::unavailable,
                    "the ledger did not answer: " + self->system().render(err));
}

/// Runs an operation on the sale (run_launchpad_op, as the replay does)
/// and journals it if it succeeded.
template <class Arg>
result<launchpad_op_result>
apply(launchpad_self self, uint16_t op, const principal& who, const Arg& arg) {
  auto& st = self->state;
  const auto now = now_of(self);
  auto r = run_launchpad_op(st.core, st.sale, op, who, now, arg);
  if (r)
    log_op(self, op, who, now, arg);
  return r;
}

/// Delivers `x` once everything journaled so far is durable and the
/// factory answered the callbacks sent so far; nothing if there is no
/// promise (a restored sale finishing work of its last run).
template <class T>
void deliver(launchpad_self self,
             const std::optional<caf::typed_response_promise<result<T>>>& rp,
             result<T> x) {
  if (!rp)
    return;
  self->state.journal.when_settled([rp = *rp, x = std::move(x)]() mutable {
    rp.deliver(std::move(x));
  });
}

/// Reports the status to the factory if it changed since the last report.
void sync_status(launchpad_self self) {
  auto& st = self->state;
  auto now = std::string{to_string(status_at(st.sale, now_of(self)))};
  if (now == st.core.status)
    return;
  static_cast<void>(apply(self, lp_op_status, principal{}, now));
  send_callback(self, notify_status_changed_arg{st.core.id, st.core.status});
}

/// Asks the ledger for its fee; `done(result<tokens>)` exactly once.
template <class F>
void with_fee(launchpad_self self, F done) {
  auto& st = self->state;
  if (!st.live_ledger()) {
    done(result<tokens>{
        make_error(system_errc::unavailable, "the sale has no ledger")});
    return;
  }
  self->request(st.live_ledger(), ledger_timeout, caller{st.core.id},
                icrc1_fee_arg{})
      .then(
          [done](const result<tokens>& r) mutable {
            done(r);
          },
          [self, done](const caf::error& err) mutable {
            done(result<tokens>{no_answer(self, err)});
          });
}

/// Sends transfer `seq` as its record describes it (identical every time)
/// once everything journaled so far is durable; `done(result<uint64_t>)`
/// exactly once with the ledger's answer.
template <class F>
void send_transfer(launchpad_self self, uint64_t seq, F done) {
  self->state.journal.after_durable([self, seq, done]() mutable {
    auto& st = self->state;
    if (!st.live_ledger()) {
      done(result<uint64_t>{
          make_error(system_errc::unavailable, "the sale has no ledger")});
      return;
    }
    auto send = [&](auto request) {
      self->request(st.live_ledger(), ledger_timeout, caller{st.core.id},
                    std::move(request))
          .then(
              [done](const result<uint64_t>& r) mutable {
                done(r);
              },
              [self, done](const caf::error& err) mutable {
                done(result<uint64_t>{no_answer(self, err)});
              });
    };
    const auto* t = st.sale.transfers.find(seq);
    if (t == nullptr) {
      done(result<uint64_t>{
          make_error(system_errc::internal,
                     "transfer " + std::to_string(seq) + " has no record")});
      return;
    }
    if (t->kind == launchpad_transfer_kind::contribution) {
      auto req = contribution_request(st.sale, seq, st.core.id);
      if (!req) {
        done(result<uint64_t>{req.err()});
        return;
      }
      send(std::move(*req));
    } else {
      auto req = payment_request(st.sale, seq);
      if (!req) {
        done(result<uint64_t>{req.err()});
        return;
      }
      send(std::move(*req));
    }
  });
}

/// After a restart: whether the ledger's answer to a transfer sent again
/// leaves its outcome unknown (TooOld: past deduplication). Then it stays
/// in flight and is not paid again; the node's log says so (a warning).
bool stuck(launchpad_self self, uint64_t seq, bool resent,
           const result<uint64_t>& r) {
  if (!resent || r || !is(r.err(), ledger_errc::too_old))
    return false;
  auto& st = self->state;
  const auto* t = st.sale.transfers.find(seq);
  std::string what = "transfer " + std::to_string(seq);
  if (t != nullptr)
    what = std::string{to_string(t->kind)} + " " + what + " ("
           + t->who.to_text() + ", " + std::to_string(t->amount) + ")";
  st.ctx->report_warning("launchpad " + st.core.id.to_text() + ": the " + what
                         + " sent again after a restart: " + r.err().to_string()
                         + "; its outcome is unknown: it stays in flight and "
                           "is not sent again until the next restart");
  return true;
}

// -- contribute ---------------------------------------------------------------

/// Records the ledger's answer to contribution `seq` (confirmed or
/// released) and tells the factory about a first contribution.
void contribution_done(launchpad_self self, uint64_t seq, bool resent,
                       const result<uint64_t>& r,
                       const std::optional<contribution_promise>& rp) {
  if (stuck(self, seq, resent, r))
    return;
  auto f = apply(self, lp_op_finish_contribute, principal{},
                 transfer_reply{seq, r});
  if (!f) {
    deliver(self, rp, result<contribution>{f.err()});
    return;
  }
  if (!f->confirmed) {
    deliver(self, rp, result<contribution>{r.err()});
    return;
  }
  auto& st = self->state;
  if (f->first)
    send_callback(self, notify_participant_added_arg{
                            st.core.id, f->confirmed->contributor});
  sync_status(self);
  deliver(self, rp, result<contribution>{*f->confirmed});
}

/// Reserves `who`'s contribution and takes it with icrc2_transfer_from.
/// `who` is resolved before: making the response promise takes the CAF
/// sender away (so for finalize and claim_refund too).
contribution_promise contribute(launchpad_self self, const principal& who,
                                const contribute_arg& arg) {
  auto rp = self->make_response_promise<result<contribution>>();
  const std::optional<contribution_promise> p{rp};
  sync_status(self);
  auto r = apply(self, lp_op_reserve, who, arg);
  if (!r) {
    deliver(self, p, result<contribution>{r.err()});
    return rp;
  }
  const auto seq = *r->transfer;
  send_transfer(self, seq, [self, seq, p](const result<uint64_t>& x) {
    contribution_done(self, seq, false, x, p);
  });
  return rp;
}

// -- finalize -----------------------------------------------------------------

/// A finalize working through its steps (one ledger request in flight);
/// without a promise when a restored sale completes it.
struct finalize_run {
  std::optional<outcome_promise> rp;
  sale_outcome outcome;
};

using run_ptr = std::shared_ptr<finalize_run>;

void settle_next(launchpad_self self, run_ptr run);

void finalize_failed(launchpad_self self, const run_ptr& run, error e) {
  deliver(self, run->rp, result<sale_outcome>{std::move(e)});
}

void finalize_done(launchpad_self self, const run_ptr& run) {
  sync_status(self);
  run->outcome.payout_block = self->state.sale.payout_block;
  deliver(self, run->rp, result<sale_outcome>{run->outcome});
}

/// Asks the ledger for its fee and journals the answer.
void ask_fee(launchpad_self self, run_ptr run) {
  with_fee(self, [self, run](const result<tokens>& fee) {
    auto r = apply(self, lp_op_finalize_fee, principal{}, fee);
    if (!r) {
      finalize_failed(self, run, r.err());
      return;
    }
    if (!fee) {
      finalize_failed(self, run, fee.err());
      return;
    }
    settle_next(self, run);
  });
}

/// Sends the owner's payout `seq` and records the answer.
void pay_out(launchpad_self self, uint64_t seq, run_ptr run, bool resent) {
  send_transfer(self, seq, [self, seq, run, resent](const result<uint64_t>& r) {
    if (stuck(self, seq, resent, r))
      return;
    auto f = apply(self, lp_op_finish_payout, principal{},
                   transfer_reply{seq, r});
    if (!f) {
      finalize_failed(self, run, f.err());
      return;
    }
    if (self->state.sale.settled == sale_status::finalized) {
      finalize_done(self, run);
      return;
    }
    sync_status(self);
    finalize_failed(self, run, r.err());
  });
}

/// Sends finalize's refund `seq`, records the answer and goes on with the
/// next refund.
void refund_out(launchpad_self self, uint64_t seq, run_ptr run, bool resent) {
  send_transfer(self, seq, [self, seq, run, resent](const result<uint64_t>& r) {
    // A refund stuck in flight is claimed later; the others go on.
    if (!stuck(self, seq, resent, r)) {
      auto f = apply(self, lp_op_finish_refund, principal{},
                     transfer_reply{seq, r});
      if (!f) {
        finalize_failed(self, run, f.err());
        return;
      }
      if (f->paid) {
        send_callback(self, notify_participant_removed_arg{
                                self->state.core.id, f->refund->contributor});
        ++run->outcome.refunds_paid;
      } else {
        ++run->outcome.refunds_failed;
      }
    }
    settle_next(self, run);
  });
}

/// The next step of a finalize under way: the fee, then the owner's
/// payout, or every refund in turn, then the end.
void settle_next(launchpad_self self, run_ptr run) {
  auto& sale = self->state.sale;
  if (!sale.settling) {
    finalize_failed(self, run,
                    make_error(contract_errc::invalid_state,
                               "finalize: the sale is not being finalized"));
    return;
  }
  if (!sale.fee) {
    ask_fee(self, std::move(run));
    return;
  }
  if (sale.raised >= sale.config.soft_cap) {
    run->outcome.status = sale_status::finalized;
    auto r = apply(self, lp_op_begin_payout, principal{}, finalize_sale_arg{});
    if (!r) {
      finalize_failed(self, run, r.err());
      return;
    }
    if (!r->transfer) {
      finalize_done(self, run); // nothing the ledger fee leaves to pay
      return;
    }
    pay_out(self, *r->transfer, std::move(run), false);
    return;
  }
  run->outcome.status = sale_status::refunded;
  for (;;) {
    auto next = next_refund(sale);
    if (!next) {
      auto r = apply(self, lp_op_end_refunds, principal{}, finalize_sale_arg{});
      if (!r) {
        finalize_failed(self, run, r.err());
        return;
      }
      finalize_done(self, run);
      return;
    }
    auto r = apply(self, lp_op_begin_refund, principal{}, next->contributor);
    if (!r) {
      finalize_failed(self, run, r.err());
      return;
    }
    if (r->transfer) {
      refund_out(self, *r->transfer, std::move(run), false);
      return;
    }
    ++run->outcome.refunds_failed; // it does not cover the fee
  }
}

/// Settles an ended sale: the owner's payout, or every refund in turn.
outcome_promise finalize(launchpad_self self, const principal& who) {
  auto rp = self->make_response_promise<result<sale_outcome>>();
  auto run = std::make_shared<finalize_run>();
  run->rp = rp;
  sync_status(self);
  auto r = apply(self, lp_op_begin_finalize, who, finalize_sale_arg{});
  if (!r) {
    finalize_failed(self, run, r.err());
    return rp;
  }
  auto& sale = self->state.sale;
  run->outcome.raised = sale.raised;
  run->outcome.contributors = info_of(sale, false, now_of(self)).contributors;
  settle_next(self, std::move(run));
  return rp;
}

// -- claimRefund --------------------------------------------------------------

/// Records the ledger's answer to claimed refund `seq`.
void claim_done(launchpad_self self, uint64_t seq, bool resent,
                const result<uint64_t>& r,
                const std::optional<refund_promise>& rp) {
  if (stuck(self, seq, resent, r))
    return;
  auto f = apply(self, lp_op_finish_refund, principal{},
                 transfer_reply{seq, r});
  if (!f) {
    deliver(self, rp, result<sale_refund>{f.err()});
    return;
  }
  if (f->paid)
    send_callback(self, notify_participant_removed_arg{self->state.core.id,
                                                       f->refund->contributor});
  deliver(self, rp, result<sale_refund>{*f->refund});
}

/// Retries `who`'s refused refund (or sends the unanswered one again).
refund_promise claim_refund(launchpad_self self, const principal& who) {
  auto rp = self->make_response_promise<result<sale_refund>>();
  const std::optional<refund_promise> p{rp};
  auto r = apply(self, lp_op_claim_refund, who, claim_refund_arg{});
  if (!r) {
    deliver(self, p, result<sale_refund>{r.err()});
    return rp;
  }
  if (!r->transfer) { // refused: it does not cover the fee
    deliver(self, p, result<sale_refund>{*r->refund});
    return rp;
  }
  const auto seq = *r->transfer;
  send_transfer(self, seq, [self, seq, p](const result<uint64_t>& x) {
    claim_done(self, seq, false, x, p);
  });
  return rp;
}

// -- restart ------------------------------------------------------------------

/// A restored sale: sends every transfer in flight again (identical), then
/// completes a finalize under way and reports a changed status.
void resume(launchpad_self self) {
  auto& sale = self->state.sale;
  bool finalize_busy = false;
  for (auto seq : transfers_in_flight(sale)) {
    switch (sale.transfers.find(seq)->kind) {
    case launchpad_transfer_kind::contribution:
      send_transfer(self, seq, [self, seq](const result<uint64_t>& r) {
        contribution_done(self, seq, true, r, std::nullopt);
      });
      break;
    case launchpad_transfer_kind::payout:
      finalize_busy = true;
      pay_out(self, seq, std::make_shared<finalize_run>(), true);
      break;
    case launchpad_transfer_kind::refund:
      if (sale.settling) {
        finalize_busy = true;
        refund_out(self, seq, std::make_shared<finalize_run>(), true);
      } else {
        send_transfer(self, seq, [self, seq](const result<uint64_t>& r) {
          claim_done(self, seq, true, r, std::nullopt);
        });
      }
      break;
    }
  }
  if (sale.settling && !finalize_busy)
    settle_next(self, std::make_shared<finalize_run>());
  sync_status(self);
}

/// A new sale's image.
launchpad_image initial_image(const contract_params& params,
                              const launchpad_init& init) {
  auto sale = make_launchpad_state(init, params.owner);
  // The status at deployment; a later one is reported by sync_status.
  auto status = std::string{to_string(status_at(sale, params.created_at))};
  return launchpad_image{core_from_params(contract_kind::launchpad, params,
                                          init.is_public, std::move(status)),
                         std::move(sale),
                         {}};
}

result<unit> replay_launchpad(launchpad_image& img, const op_event& ev) {
  return replay_launchpad_event(img, ev);
}

launchpad_contract_actor::behavior_type
launchpad_impl(launchpad_self self, node_context_ptr ctx,
               contract_params params, launchpad_factory_actor factory,
               launchpad_init init, contract_start<launchpad_state> start) {
  const bool restored = start.image.has_value();
  if (!start_kind_contract(
          self, std::move(ctx), params, std::move(factory), init, start,
          contract_kind::launchpad, self->state.sale, [&] {
            return checked_image(validate(init), launchpad_versions(),
                                 "launchpad", params.version, [&] {
                                   return initial_image(params, init);
                                 });
          }))
    return launchpad_contract_actor::behavior_type::make_empty_behavior();
  if (restored)
    resume(self);
  return {
      ICTO_CONTRACT_COMMON_HANDLERS(self),
      // -- queries (anyone) ---------------------------------------------------
      durable_handler(
          self,
          [self](const caller&, const sale_info_arg&) -> result<sale_info> {
            sync_status(self);
            auto& st = self->state;
            return info_of(st.sale, st.core.is_public, now_of(self));
          }),
      durable_handler(self,
                      [self](const caller&, const contribution_arg& arg)
                          -> result<contribution> {
                        return contribution_of(self->state.sale, arg.user);
                      }),
      durable_handler(self,
                      [self](const caller&, const contributors_arg& arg)
                          -> result<contribution_page> {
                        return contributors_page(self->state.sale, arg.page);
                      }),
      durable_handler(self,
                      [self](const caller&, const sale_refunds_arg& arg)
                          -> result<sale_refund_page> {
                        return refunds_page(self->state.sale, arg.page);
                      }),
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
                              std::move(init),
                              fresh_start<launchpad_state>(id));
}

result<caf::actor>
restore_launchpad_contract(caf::actor_system& sys, node_context_ptr ctx,
                           contract_params params,
                           launchpad_factory_actor factory,
                           const std::string& init_bytes,
                           const store::recovered_actor& rec) {
  return restore_kind_contract<launchpad_state, launchpad_init>(
      sys, std::move(ctx), std::move(params), std::move(factory), init_bytes,
      rec, "launchpad", launchpad_impl, initial_image, replay_launchpad);
}

} // namespace icto
