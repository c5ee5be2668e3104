// The paid deployment flow of the backend (DESIGN §1 write path): checks,
// ICRC-2 allowance, transfer_from, invoice, audit, the factory's
// createContract, then the invoice completed and the audit success — or,
// after the fee was taken, its refund. Every path ends in exactly one call
// of the flow's `done`.
//
// Durability (issue 5): each step is a journaled backend_event (begin,
// charge, paid, stage, deployed, complete, fail, refund_add,
// refund_update); the sends that depend on one (transfer_from, the
// invoice, createContract, the refund's transfer, the audit) and `done`
// leave only once it is durable. The fee's transfer_from carries the
// request's `charge_time` and `fee_memo`, a refund's transfer its
// `refund_tx_times` entry and `refund_memo`: a transfer sent again after a
// restart or a timeout is the ledger's Duplicate{duplicate_of}, taken as
// done at that block, never a second charge or refund.

#include "actors/backend/backend_actor_impl.hpp"

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>

#include <memory>
#include <utility>

namespace icto {

namespace {

/// A deployment in flight; shared by the continuations of its requests.
struct deploy_job {
  deploy_request req;
  deploy_done done;
  service_id service = service_id::token_factory;
  tokens fee = 0;
  /// The created_at_time of the fee's transfer_from.
  std::optional<timestamp> charge_time;
  std::optional<uint64_t> block;
  /// The invoice record id allocated when the fee was taken.
  std::optional<uint64_t> allocated_payment_id;
  /// The invoice record; none until recordPayment succeeded.
  std::optional<uint64_t> payment_id;
};

using job_ptr = std::shared_ptr<deploy_job>;

timestamp now_of(backend_self self) {
  return self->state.ctx->now();
}

caller as_backend(backend_self self) {
  return caller{self->state.st.self_id};
}

/// A CAF error of a request (timeout, dead receiver) as a result error.
error from_caf(backend_self self, const caf::error& e,
               const std::string& what) {
  auto text = what + ": " + self->system().render(e);
  if (e == caf::sec::request_timeout)
    return make_error(system_errc::timeout, text);
  return make_error(system_errc::unavailable, text);
}

/// An event about the job's request.
backend_event job_change(const job_ptr& j, backend_event::kind_t kind,
                         timestamp now) {
  backend_event ev;
  ev.kind = kind;
  ev.key = j->req.key;
  ev.now = now;
  return ev;
}

/// Moves an invoice record to a new status, once every event journaled so
/// far is durable; a failure is audited and otherwise ignored on purpose
/// (the ledger is the source of truth).
void invoice_note(backend_self self, const principal& user,
                  payment_status_update upd) {
  after_durable(self, [self, user, upd = std::move(upd)]() mutable {
    auto& cfg = live_cfg(self);
    auto id = upd.id;
    self->request(cfg.invoice, cfg.request_timeout, as_backend(self),
                  std::move(upd))
        .then(
            [self, user, id](const result<payment_record>& r) {
              if (!r)
                audit_note(self,
                           make_event(self, user, action_type::status_update,
                                      action_status::failed,
                                      service_id::invoice_storage,
                                      "updatePaymentStatus of payment "
                                          + std::to_string(id)
                                          + " failed: " + r.err().to_string()));
            },
            [](const caf::error&) {});
  });
}

audit_event job_event(backend_self self, const job_ptr& j, action_type action,
                      action_status status, std::string message) {
  auto ev = make_event(self, j->req.key.user, action, status, j->service,
                       std::move(message));
  ev.request_id = j->req.key.request_id;
  ev.payment_id = j->payment_id;
  ev.pipeline_id = j->req.pipeline_id;
  if (j->fee > 0)
    ev.amount = j->fee;
  return ev;
}

/// Ends a request with nothing charged by this attempt. `uncharged`: the
/// ledger refused the request's own transfer_from, so no earlier transfer
/// of it exists either and a retry may use a new transaction time.
void fail_unpaid(backend_self self, const job_ptr& j, error why,
                 action_type action, bool uncharged = false) {
  auto ev = job_change(j, backend_event::fail, now_of(self));
  ev.stage = deployment_stage::failed;
  ev.why = why;
  ev.uncharged = uncharged;
  commit(self, ev);
  audit_note(self, job_event(self, j, action, action_status::failed,
                             "refused before payment: " + why.to_string()));
  after_durable(self, [j, why]() mutable {
    j->done(std::move(why), std::nullopt);
  });
}

/// Stores the outcome of refund `out`'s transfer (`block`, or why it
/// failed; `answered`: the ledger itself answered, so the transfer's
/// outcome is known) and calls `k` with the refund's new state once that is
/// durable.
void finish_refund(backend_self self, refund_record out, result<uint64_t> block,
                   bool answered, timestamp tx,
                   std::function<void(refund_record)> k) {
  out.updated_at = now_of(self);
  auto ev = make_event(self, out.user, action_type::refund_processed,
                       action_status::completed, out.service, "");
  ev.request_id = out.request_id;
  if (out.payment_id != 0)
    ev.payment_id = out.payment_id;
  ev.refund_id = out.id;
  ev.amount = out.amount;
  if (block) {
    out.status = refund_status::completed;
    out.block_index = *block;
    out.error.reset();
    ev.message = "refund " + std::to_string(out.id) + " of "
                 + std::to_string(out.amount) + " e8s at block "
                 + std::to_string(*block) + ": " + out.description;
  } else {
    out.status = refund_status::failed;
    out.error = block.err().to_string();
    ev.action = action_type::refund_failed;
    ev.status = action_status::failed;
    ev.severity = log_severity::error;
    ev.message = "refund " + std::to_string(out.id) + " failed: " + *out.error;
  }
  backend_event change;
  change.kind = backend_event::refund_update;
  change.now = out.updated_at;
  change.refund = out;
  if (!block && !answered)
    change.tx_time = tx;
  commit(self, change);
  if (block && out.payment_id != 0)
    invoice_note(self, out.user,
                 payment_status_update{out.payment_id, payment_status::refunded,
                                       out.description, *block});
  audit_note(self, std::move(ev));
  after_durable(self, [k, out]() mutable {
    k(std::move(out));
  });
}

/// Sends `r` back to its user from the backend's account and calls `k` with
/// the refund's new state (completed or failed). The transfer reuses the
/// refund's open transaction time if it has one (a transfer whose outcome
/// is unknown), so that the ledger deduplicates it.
void execute_refund(backend_self self, refund_record r,
                    std::function<void(refund_record)> k) {
  auto& st = self->state.st;
  auto t = now_of(self);
  auto open = st.refund_tx_times.find(r.id);
  auto tx = open != nullptr ? *open : t;
  r.status = refund_status::processing;
  r.updated_at = t;
  backend_event ev;
  ev.kind = backend_event::refund_update;
  ev.now = t;
  ev.refund = r;
  ev.tx_time = tx;
  commit(self, ev);
  after_durable(self, [self, r, tx, k] {
    auto& cfg = live_cfg(self);
    transfer_arg ta;
    ta.to = account{r.user, std::nullopt};
    ta.amount = r.amount;
    ta.fee = self->state.st.ledger_fee;
    ta.memo = refund_memo(r.id);
    ta.created_at_time = tx;
    self->request(cfg.ledger, cfg.request_timeout, as_backend(self), ta)
        .then(
            [self, r, tx, k](result<uint64_t>& b) {
              if (!b && is(b.err(), ledger_errc::duplicate))
                b = result<uint64_t>{b.err().detail};
              finish_refund(self, r, std::move(b), true, tx, k);
            },
            [self, r, tx, k](const caf::error& e) {
              finish_refund(self, r,
                            from_caf(self, e, "icrc1_transfer of the refund"),
                            false, tx, k);
            });
  });
}

/// Brings refund `refund_id` of the job's request to its end (sends it if
/// pending and payment.auto_refund, again if processing), then ends the
/// request as refunded or refund_failed.
void continue_refund(backend_self self, const job_ptr& j, uint64_t refund_id,
                     const error& why) {
  auto end = [self, j, why](refund_record out) {
    auto ev = job_change(j, backend_event::fail, now_of(self));
    error e;
    if (out.status == refund_status::completed) {
      e = make_error(
          backend_errc::deployment_failed,
          why.to_string() + "; the fee of " + std::to_string(out.amount)
              + " e8s was refunded (refund " + std::to_string(out.id)
              + ", block " + std::to_string(out.block_index.value_or(0)) + ")");
      ev.stage = deployment_stage::refunded;
    } else {
      e = make_error(backend_errc::refund_failed,
                     why.to_string() + "; refund " + std::to_string(out.id)
                         + " of " + std::to_string(out.amount) + " e8s "
                         + (out.status == refund_status::pending
                                ? std::string{"waits for adminProcessRefund "
                                              "(payment.auto_refund is "
                                              "false)"}
                                : "failed: " + out.error.value_or("?")));
      ev.stage = deployment_stage::refund_failed;
    }
    ev.why = e;
    ev.refund = out;
    commit(self, ev);
    after_durable(self, [j, e, out]() mutable {
      j->done(std::move(e), std::move(out));
    });
  };
  auto& st = self->state.st;
  auto found = st.refunds.find(refund_id);
  if (found == nullptr) {
    // Not reachable: the refund was journaled before its request refers
    // to it. Ends the request rather than leave it in flight.
    refund_record none;
    none.id = refund_id;
    none.status = refund_status::failed;
    none.error = "refund " + std::to_string(refund_id) + " is missing";
    end(std::move(none));
    return;
  }
  auto r = *found;
  switch (r.status) {
  case refund_status::completed:
  case refund_status::failed: end(std::move(r)); return;
  case refund_status::pending:
    if (!config_flag(st.config, "payment.auto_refund")) {
      end(std::move(r));
      return;
    }
    break;
  case refund_status::processing: break;
  }
  execute_refund(self, std::move(r), end);
}

/// The fee was taken and the deployment failed: store a refund, send it,
/// then end the request as refunded or refund_failed.
void refund_job(backend_self self, const job_ptr& j, refund_reason reason,
                const error& why) {
  auto& st = self->state.st;
  auto t = now_of(self);
  refund_record r;
  r.id = st.next_refund_id;
  r.user = j->req.key.user;
  r.payment_id = j->payment_id.value_or(0);
  r.request_id = j->req.key.request_id;
  r.service = j->service;
  r.amount = j->fee;
  r.reason = reason;
  r.description = why.to_string();
  r.status = refund_status::pending;
  r.created_at = t;
  r.updated_at = t;
  backend_event ev;
  ev.kind = backend_event::refund_add;
  ev.now = t;
  ev.refund = r;
  commit(self, ev);
  auto note = job_event(self, j, action_type::refund_request,
                        action_status::initiated,
                        "deployment failed after payment, refund "
                            + std::to_string(r.id) + ": " + why.to_string());
  note.refund_id = r.id;
  note.severity = log_severity::warning;
  audit_note(self, std::move(note));
  continue_refund(self, j, r.id, why);
}

/// The factory deployed `contract` (journaled): invoice completed, audit
/// success, then the request completes with its receipt.
void finish_job(backend_self self, const job_ptr& j, principal contract) {
  if (j->payment_id)
    invoice_note(self, j->req.key.user,
                 payment_status_update{*j->payment_id,
                                       payment_status::completed, std::nullopt,
                                       std::nullopt});
  auto ev = job_event(self, j, create_action(j->req.kind),
                      action_status::completed,
                      std::string{to_string(j->req.kind)} + " "
                          + contract.to_text() + " deployed");
  ev.contract_id = contract;
  auto complete = [self, j, contract](uint64_t audit_id) {
    auto& st = self->state.st;
    deployment_receipt rc;
    rc.request_id = j->req.key.request_id;
    rc.kind = j->req.kind;
    rc.contract_id = contract;
    rc.owner = j->req.key.user;
    rc.name = j->req.name;
    rc.factory = endpoint_of(st, j->service).value_or(principal{});
    rc.fee_paid = j->fee;
    rc.payment_id = j->payment_id.value_or(0);
    rc.payment_block = j->block;
    rc.audit_id = audit_id;
    rc.pipeline_id = j->req.pipeline_id;
    rc.deployed_at = now_of(self);
    auto change = job_change(j, backend_event::complete, rc.deployed_at);
    change.receipt = rc;
    commit(self, change);
    after_durable(self, [j, rc]() mutable {
      j->done(std::move(rc), std::nullopt);
    });
  };
  after_durable(self, [self, ev, complete] {
    auto& cfg = live_cfg(self);
    self->request(cfg.audit, cfg.request_timeout, as_backend(self), ev)
        .then(
            [complete](const result<audit_entry>& e) {
              complete(e ? e->id : 0);
            },
            [complete](const caf::error&) {
              complete(0);
            });
  });
}

void deploy_step(backend_self self, const job_ptr& j) {
  auto ev = job_change(j, backend_event::move_stage, now_of(self));
  ev.stage = deployment_stage::deploying;
  commit(self, ev);
  after_durable(self, [self, j] {
    j->req.call_factory(self, j->payment_id, [self, j](result<principal> r) {
      if (r) {
        auto done = job_change(j, backend_event::deployed, now_of(self));
        done.id = *r;
        commit(self, done);
        after_durable(self, [self, j, c = *r] {
          finish_job(self, j, c);
        });
      } else if (j->fee == 0) {
        // Nothing was charged: a plain failure.
        fail_unpaid(self, j, r.err(), create_action(j->req.kind));
      } else {
        refund_job(self, j, refund_reason::service_failure,
                   make_error(backend_errc::deployment_failed,
                              std::string{to_string(j->service)}
                                  + " did not deploy: " + r.err().to_string()));
      }
    });
  });
}

/// recordPayment of the job's allocated record (pending); `k` gets the
/// refusal, if any. A record that exists already (sent before a restart)
/// counts as recorded.
void record_payment(backend_self self, const job_ptr& j,
                    std::function<void(std::optional<error>)> k) {
  auto& st = self->state.st;
  auto t = now_of(self);
  payment_record pr;
  pr.id = j->allocated_payment_id.value_or(0);
  pr.user = j->req.key.user;
  pr.service = j->service;
  pr.amount = j->fee;
  pr.fee = st.ledger_fee;
  pr.block_index = j->block;
  pr.status = payment_status::pending;
  pr.request_id = j->req.key.request_id;
  pr.created_at = t;
  pr.updated_at = t;
  after_durable(self, [self, j, pr, k] {
    auto& cfg = live_cfg(self);
    self->request(cfg.invoice, cfg.request_timeout, as_backend(self), pr)
        .then(
            [j, k, id = pr.id](const result<payment_record>& r) {
              if (r) {
                j->payment_id = r->id;
                k(std::nullopt);
              } else if (is(r.err(), invoice_errc::duplicate)) {
                j->payment_id = id;
                k(std::nullopt);
              } else {
                k(make_error(backend_errc::deployment_failed,
                             "the invoice storage refused the payment record: "
                                 + r.err().to_string()));
              }
            },
            [self, k](const caf::error& e) {
              k(from_caf(self, e, "invoice recordPayment"));
            });
  });
}

/// The fee was taken at `block`: invoice, audit, then the factory.
void paid_step(backend_self self, const job_ptr& j) {
  auto system_failure = [self, j](error e) {
    refund_job(self, j, refund_reason::system_error, e);
  };
  record_payment(self, j, [self, j, system_failure](std::optional<error> e) {
    if (e) {
      system_failure(std::move(*e));
      return;
    }
    auto ev = job_event(
        self, j, create_action(j->req.kind), action_status::in_progress,
        "fee taken at block " + std::to_string(*j->block) + ", deploying");
    auto& cfg = live_cfg(self);
    self->request(cfg.audit, cfg.request_timeout, as_backend(self), ev)
        .then(
            [self, j, system_failure](const result<audit_entry>& a) {
              if (a)
                deploy_step(self, j);
              else
                system_failure(make_error(backend_errc::deployment_failed,
                                          "the audit storage refused the "
                                          "deployment's event: "
                                              + a.err().to_string()));
            },
            [self, system_failure](const caf::error& err) {
              system_failure(from_caf(self, err, "audit logEvent"));
            });
  });
}

/// The fee was taken at `block` (a new block or the duplicate_of of an
/// earlier transfer): journals it, then `k`.
void on_charged(backend_self self, const job_ptr& j, uint64_t block,
                std::function<void()> k) {
  j->block = block;
  j->allocated_payment_id = self->state.st.next_payment_id;
  auto ev = job_change(j, backend_event::paid, now_of(self));
  ev.number = block;
  ev.payment_id = j->allocated_payment_id;
  commit(self, ev);
  audit_note(self, job_event(self, j, action_type::payment_processed,
                             action_status::completed,
                             "fee taken at block " + std::to_string(block)));
  after_durable(self, std::move(k));
}

/// Sends the request's deduplicated icrc2_transfer_from (once everything
/// journaled is durable); `charged` gets the block of the fee, a refusal
/// ends the request.
void send_fee(backend_self self, const job_ptr& j,
              std::function<void(uint64_t)> charged) {
  auto& st = self->state.st;
  transfer_from_args t;
  t.from = account{j->req.key.user, std::nullopt};
  t.to = account{st.self_id, std::nullopt};
  t.amount = j->fee;
  t.fee = st.ledger_fee;
  t.memo = fee_memo(j->req.key);
  t.created_at_time = j->charge_time;
  after_durable(self, [self, j, t, charged] {
    auto& cfg = live_cfg(self);
    self->request(cfg.ledger, cfg.request_timeout, as_backend(self), t)
        .then(
            [self, j, charged](const result<uint64_t>& b) {
              if (b) {
                charged(*b);
              } else if (is(b.err(), ledger_errc::duplicate)) {
                // Sent before (a restart, a timeout): taken at that block.
                charged(b.err().detail);
              } else {
                fail_unpaid(self, j,
                            make_error(backend_errc::payment_failed,
                                       "icrc2_transfer_from refused: "
                                           + b.err().to_string()),
                            action_type::payment_failed, true);
              }
            },
            [self, j](const caf::error& e) {
              // The outcome is unknown: the request stays charge_sent, so
              // a retry of its request_id sends the same transfer and the
              // ledger deduplicates it (see actors/README.md).
              fail_unpaid(
                  self, j,
                  make_error(
                      backend_errc::payment_failed,
                      from_caf(self, e, "icrc2_transfer_from").to_string()
                          + "; the outcome is unknown, a retry of "
                            "this request_id is deduplicated by the "
                            "ledger"),
                  action_type::payment_failed);
            });
  });
}

/// The allowance covers the fee: journal that the transfer goes out, then
/// take it with icrc2_transfer_from.
void take_fee(backend_self self, const job_ptr& j) {
  commit(self, job_change(j, backend_event::charge, now_of(self)));
  send_fee(self, j, [self, j](uint64_t block) {
    on_charged(self, j, block, [self, j] {
      paid_step(self, j);
    });
  });
}

} // namespace

result<unit> check_cluster(const node_context& ctx, service_id s) {
  if (!ctx.cluster)
    return unit{};
  for (auto svc : {s, service_id::audit_storage, service_id::invoice_storage})
    if (auto down = ctx.cluster->service_host_down(static_cast<size_t>(svc)))
      return make_error(backend_errc::service_unavailable,
                        std::string{to_string(svc)} + " is unavailable: node "
                            + *down + ", which runs it, is down");
  if (!ctx.cluster->any_contract_node_up()) {
    std::string names;
    for (auto& n : ctx.cluster->contract_nodes_down())
      names += (names.empty() ? "" : ", ") + n;
    return make_error(backend_errc::service_unavailable,
                      "no node that hosts contracts is up (" + names
                          + " down); nothing was charged");
  }
  return unit{};
}

void run_deployment(backend_self self, deploy_request req, deploy_done done) {
  auto& st = self->state.st;
  auto& cfg = live_cfg(self);
  auto j = std::make_shared<deploy_job>();
  j->service = factory_service(req.kind);
  j->fee = service_fee(st.config, j->service);
  j->req = std::move(req);
  j->done = std::move(done);
  auto t = now_of(self);
  follow_cluster_circuits(self);
  auto ok = check_deployable(st, j->service, j->req.key.user, t);
  if (ok)
    ok = check_cluster(*self->state.ctx, j->service);
  // A retry keeps the transaction time of a transfer that may have
  // happened, so that the ledger deduplicates it.
  auto old = st.requests.find(j->req.key);
  j->charge_time = old != nullptr && old->charge_sent && old->charge_time
                       ? *old->charge_time
                       : t;
  auto ev = job_change(j, backend_event::begin, t);
  ev.contract = j->req.kind;
  ev.fee = j->fee;
  ev.fingerprint = j->req.fingerprint;
  ev.name = j->req.name;
  ev.pipeline_id = j->req.pipeline_id;
  ev.charge_time = j->charge_time;
  commit(self, ev);
  if (!ok) {
    fail_unpaid(self, j, ok.err(), action_type::fee_validation);
    return;
  }
  if (j->fee == 0) {
    deploy_step(self, j);
    return;
  }
  allowance_args q{account{j->req.key.user, std::nullopt},
                   account{st.self_id, std::nullopt}};
  self->request(cfg.ledger, cfg.request_timeout, as_backend(self), q)
      .then(
          [self, j](const result<allowance>& a) {
            if (!a) {
              fail_unpaid(
                  self, j,
                  make_error(backend_errc::payment_failed,
                             "icrc2_allowance failed: " + a.err().to_string()),
                  action_type::fee_validation);
              return;
            }
            auto ledger_fee = self->state.st.ledger_fee;
            auto need = j->fee + ledger_fee;
            if (need < j->fee || a->allowance < need) {
              fail_unpaid(self, j,
                          make_error(backend_errc::insufficient_allowance,
                                     "the ICRC-2 allowance of "
                                         + std::to_string(a->allowance)
                                         + " e8s to the backend does not "
                                           "cover the fee of "
                                         + std::to_string(j->fee)
                                         + " e8s plus the ledger fee of "
                                         + std::to_string(ledger_fee)),
                          action_type::fee_validation);
              return;
            }
            take_fee(self, j);
          },
          [self, j](const caf::error& e) {
            fail_unpaid(
                self, j,
                make_error(backend_errc::payment_failed,
                           from_caf(self, e, "icrc2_allowance").to_string()),
                action_type::fee_validation);
          });
}

// -- recovery (the rule: backend_recovery.cpp)
// ----------------------------------

void resume_request(backend_self self, const request_key& key,
                    deploy_done done) {
  auto& st = self->state.st;
  auto found = st.requests.find(key);
  if (found == nullptr || !in_flight(found->status.stage)) {
    done(make_error(system_errc::internal,
                    "resume_request: " + key.request_id + " is not in flight"),
         std::nullopt);
    return;
  }
  const auto rec = *found;
  auto j = std::make_shared<deploy_job>();
  j->req.key = key;
  j->req.kind = rec.status.kind;
  j->req.name = rec.name;
  j->req.fingerprint = rec.fingerprint;
  j->req.pipeline_id = rec.pipeline_id;
  j->service = factory_service(rec.status.kind);
  j->fee = rec.status.fee;
  j->charge_time = rec.charge_time;
  j->block = rec.block;
  j->allocated_payment_id = rec.payment_id;
  j->done = std::move(done);
  const auto interrupted
      = make_error(backend_errc::deployment_failed,
                   "the backend restarted while the request was in flight");
  // A refund under way: bring it to its end (never a second one).
  if (rec.status.refund) {
    continue_refund(self, j, rec.status.refund->id,
                    make_error(backend_errc::deployment_failed,
                               rec.status.refund->description));
    return;
  }
  auto refund = [self, j, interrupted](std::optional<error>) {
    refund_job(self, j, refund_reason::system_error, interrupted);
  };
  if (rec.status.stage == deployment_stage::received) {
    if (j->fee == 0 || !rec.charge_sent || !rec.charge_time) {
      fail_unpaid(self, j,
                  make_error(system_errc::unavailable,
                             "the backend restarted before the fee was taken; "
                             "nothing was charged, the request may be "
                             "retried"),
                  action_type::fee_validation);
      return;
    }
    // The transfer may have happened: send the same one to learn. A
    // Duplicate (or a new block) means charged, then refunded; a refusal
    // means it never happened.
    send_fee(self, j, [self, j, refund](uint64_t block) {
      on_charged(self, j, block, [self, j, refund] {
        record_payment(self, j, refund);
      });
    });
    return;
  }
  // paid or deploying.
  if (rec.contract) {
    j->payment_id = rec.payment_id;
    finish_job(self, j, *rec.contract);
    return;
  }
  if (j->fee == 0) {
    fail_unpaid(self, j, interrupted, create_action(j->req.kind));
    return;
  }
  if (rec.payment_id)
    record_payment(self, j, refund);
  else
    refund(std::nullopt);
}

void resume_refund(backend_self self, uint64_t id) {
  auto found = self->state.st.refunds.find(id);
  if (found == nullptr)
    return;
  execute_refund(self, *found, [](refund_record) {});
}

// -- the factory call of each kind --------------------------------------------

namespace {

/// createContract of one kind's factory, with a finite timeout.
template <class Handle, class Msg>
void call_factory(backend_self self, const Handle& h, Msg msg,
                  std::function<void(result<principal>)> k) {
  if (!h) {
    k(make_error(system_errc::unavailable, "no factory handle"));
    return;
  }
  auto& cfg = live_cfg(self);
  self->request(h, cfg.deploy_timeout, as_backend(self), std::move(msg))
      .then(
          [k](result<principal>& r) {
            k(std::move(r));
          },
          [self, k](const caf::error& e) {
            k(from_caf(self, e, "createContract"));
          });
}

template <class Arg>
promise_of<deployment_receipt>
create_front(backend_self self, const caller& c, const Arg& arg,
             deploy_request (*make)(const request_key&, const Arg&)) {
  // Before the promise: making it takes the sender out of the message.
  auto who = caller_of(self, c);
  auto rp = self->make_response_promise<result<deployment_receipt>>();
  auto reply = [self, &rp](error e) {
    deliver(self, rp, result<deployment_receipt>{e});
  };
  if (who.is_anonymous() || who.empty()) {
    reply(make_error(backend_errc::unauthorized,
                     "the anonymous principal cannot deploy"));
    return rp;
  }
  if (arg.request_id.empty() || arg.request_id.size() > 128) {
    reply(make_error(backend_errc::invalid_argument,
                     "request_id must have 1 to 128 characters"));
    return rp;
  }
  request_key key{who, arg.request_id};
  auto fp = fingerprint(arg);
  auto rec = self->state.st.requests.find(key);
  switch (classify_replay(rec, fp)) {
  case replay_action::conflict:
    reply(make_error(backend_errc::idempotency_conflict,
                     "request_id " + arg.request_id
                         + " was used with other arguments"));
    return rp;
  case replay_action::in_progress:
    reply(
        make_error(backend_errc::in_progress,
                   "request " + arg.request_id + " is still being processed"));
    return rp;
  case replay_action::reply_stored:
    deliver(self, rp, stored_result(*rec));
    return rp;
  case replay_action::start: break;
  }
  auto req = make(key, arg);
  req.fingerprint = std::move(fp);
  run_deployment(self, std::move(req),
                 [self, rp](result<deployment_receipt> r,
                            std::optional<refund_record>) {
                   deliver(self, rp, std::move(r));
                 });
  return rp;
}

/// The deployment of one kind: `Create` is its factory's createContract
/// message, `factory` the config member that holds that factory's handle.
template <class Create, class Init, class Handle>
deploy_request make_deployment(const request_key& key, contract_kind kind,
                               const Init& init,
                               Handle backend_config::*factory) {
  deploy_request r;
  r.key = key;
  r.kind = kind;
  r.name = init.name;
  r.call_factory = [key, init,
                    factory](backend_self self, std::optional<uint64_t> pid,
                             std::function<void(result<principal>)> k) {
    call_factory(self, live_cfg(self).*factory,
                 Create{key.user, init, key.request_id, pid}, std::move(k));
  };
  return r;
}

} // namespace

deploy_request token_deployment(const request_key& key,
                                const create_token_arg& arg) {
  return make_deployment<create_token_contract>(
      key, contract_kind::token, arg.init, &backend_config::token_factory);
}

deploy_request multisig_deployment(const request_key& key,
                                   const create_multisig_arg& arg) {
  return make_deployment<create_multisig_contract>(
      key, contract_kind::multisig, arg.init,
      &backend_config::multisig_factory);
}

deploy_request distribution_deployment(const request_key& key,
                                       const create_distribution_arg& arg) {
  return make_deployment<create_distribution_contract>(
      key, contract_kind::distribution, arg.init,
      &backend_config::distribution_factory);
}

deploy_request dao_deployment(const request_key& key,
                              const create_dao_arg& arg) {
  return make_deployment<create_dao_contract>(key, contract_kind::dao, arg.init,
                                              &backend_config::dao_factory);
}

deploy_request launchpad_deployment(const request_key& key,
                                    const create_launchpad_arg& arg) {
  return make_deployment<create_launchpad_contract>(
      key, contract_kind::launchpad, arg.init,
      &backend_config::launchpad_factory);
}

promise_of<deployment_receipt> on_create(backend_self self, const caller& c,
                                         const create_token_arg& arg) {
  return create_front(self, c, arg, &token_deployment);
}
promise_of<deployment_receipt> on_create(backend_self self, const caller& c,
                                         const create_multisig_arg& arg) {
  return create_front(self, c, arg, &multisig_deployment);
}
promise_of<deployment_receipt> on_create(backend_self self, const caller& c,
                                         const create_distribution_arg& arg) {
  return create_front(self, c, arg, &distribution_deployment);
}
promise_of<deployment_receipt> on_create(backend_self self, const caller& c,
                                         const create_dao_arg& arg) {
  return create_front(self, c, arg, &dao_deployment);
}
promise_of<deployment_receipt> on_create(backend_self self, const caller& c,
                                         const create_launchpad_arg& arg) {
  return create_front(self, c, arg, &launchpad_deployment);
}

// -- adminProcessRefund
// --------------------------------------------------------

promise_of<refund_record> on_process_refund(backend_self self, const caller& c,
                                            const process_refund_arg& arg) {
  // Before the promise: making it takes the sender out of the message.
  auto who = caller_of(self, c);
  auto rp = self->make_response_promise<result<refund_record>>();
  auto& st = self->state.st;
  auto ok = require_permission(st.admins, who,
                               admin_permission::change_payment_config,
                               "adminProcessRefund");
  if (!ok) {
    audit_note(self, make_event(self, who, action_type::access_denied,
                                action_status::failed, service_id::backend,
                                "adminProcessRefund: " + ok.err().to_string()));
    deliver(self, rp, result<refund_record>{ok.err()});
    return rp;
  }
  auto r = st.refunds.find(arg.refund_id);
  if (r == nullptr) {
    deliver(self, rp,
            result<refund_record>{
                make_error(backend_errc::not_found,
                           "no refund " + std::to_string(arg.refund_id))});
    return rp;
  }
  if (r->status != refund_status::pending
      && r->status != refund_status::failed) {
    deliver(self, rp,
            result<refund_record>{make_error(
                backend_errc::invalid_argument,
                "refund " + std::to_string(arg.refund_id) + " is "
                    + std::string{to_string(r->status)}
                    + "; only pending or failed refunds are processed")});
    return rp;
  }
  auto rec = *r;
  audit_note(self, make_event(self, who, action_type::admin_action,
                              action_status::initiated, service_id::backend,
                              "adminProcessRefund " + std::to_string(rec.id)));
  execute_refund(self, std::move(rec), [self, rp](refund_record done) {
    deliver(self, rp, result<refund_record>{std::move(done)});
  });
  return rp;
}

} // namespace icto
