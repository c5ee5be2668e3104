// The paid deployment flow of the backend (DESIGN §1 write path): checks,
// ICRC-2 allowance, transfer_from, invoice, audit, the factory's
// createContract, then the invoice completed and the audit success — or,
// after the fee was taken, its refund. Every path ends in exactly one call
// of the flow's `done`.

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
  std::optional<uint64_t> block;
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

/// Moves an invoice record to a new status; a failure is audited and
/// otherwise ignored on purpose (the ledger is the source of truth).
void invoice_note(backend_self self, const principal& user,
                  payment_status_update upd) {
  auto& cfg = self->state.cfg;
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

/// Ends a request refused before any fee was taken.
void fail_unpaid(backend_self self, const job_ptr& j, error why,
                 action_type action) {
  auto& st = self->state.st;
  fail_request(st, j->req.key, deployment_stage::failed, why, std::nullopt,
               now_of(self));
  audit_note(self, job_event(self, j, action, action_status::failed,
                             "refused before payment: " + why.to_string()));
  j->done(std::move(why), std::nullopt);
}

/// Sends `r` back to its user from the backend's account and calls `k` with
/// the refund's new state (completed or failed).
void execute_refund(backend_self self, refund_record r,
                    std::function<void(refund_record)> k) {
  auto& st = self->state.st;
  auto& cfg = self->state.cfg;
  r.status = refund_status::processing;
  r.updated_at = now_of(self);
  update_refund(st, r);
  transfer_arg t;
  t.to = account{r.user, std::nullopt};
  t.amount = r.amount;
  t.fee = st.ledger_fee;
  auto finish = [self, k](refund_record out, result<uint64_t> block) {
    auto& bs = self->state.st;
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
      if (out.payment_id != 0)
        invoice_note(self, out.user,
                     payment_status_update{out.payment_id,
                                           payment_status::refunded,
                                           out.description, *block});
    } else {
      out.status = refund_status::failed;
      out.error = block.err().to_string();
      ev.action = action_type::refund_failed;
      ev.status = action_status::failed;
      ev.severity = log_severity::error;
      ev.message = "refund " + std::to_string(out.id)
                   + " failed: " + *out.error;
    }
    update_refund(bs, out);
    audit_note(self, std::move(ev));
    k(std::move(out));
  };
  self->request(cfg.ledger, cfg.request_timeout, as_backend(self), t)
      .then(
          [r, finish](result<uint64_t>& b) {
            finish(r, std::move(b));
          },
          [self, r, finish](const caf::error& e) {
            finish(r, from_caf(self, e, "icrc1_transfer of the refund"));
          });
}

/// The fee was taken and the deployment failed: refund it, then end the
/// request as refunded or refund_failed.
void refund_job(backend_self self, const job_ptr& j, refund_reason reason,
                const error& why) {
  auto& st = self->state.st;
  auto t = now_of(self);
  auto r = add_refund(st, j->req.key.user, j->payment_id.value_or(0),
                      j->req.key.request_id, j->service, j->fee, reason,
                      why.to_string(), t);
  auto ev = job_event(self, j, action_type::refund_request,
                      action_status::initiated,
                      "deployment failed after payment, refund "
                          + std::to_string(r.id) + ": " + why.to_string());
  ev.refund_id = r.id;
  ev.severity = log_severity::warning;
  audit_note(self, std::move(ev));
  auto end = [self, j, why](refund_record out) {
    auto& bs = self->state.st;
    if (out.status == refund_status::completed) {
      auto e = make_error(
          backend_errc::deployment_failed,
          why.to_string() + "; the fee of " + std::to_string(out.amount)
              + " e8s was refunded (refund " + std::to_string(out.id)
              + ", block " + std::to_string(*out.block_index) + ")");
      fail_request(bs, j->req.key, deployment_stage::refunded, e, out,
                   now_of(self));
      j->done(std::move(e), std::move(out));
      return;
    }
    auto e = make_error(backend_errc::refund_failed,
                        why.to_string() + "; refund " + std::to_string(out.id)
                            + " of " + std::to_string(out.amount) + " e8s "
                            + (out.status == refund_status::pending
                                   ? std::string{"waits for adminProcessRefund "
                                                 "(payment.auto_refund is "
                                                 "false)"}
                                   : "failed: " + out.error.value_or("?")));
    fail_request(bs, j->req.key, deployment_stage::refund_failed, e, out,
                 now_of(self));
    j->done(std::move(e), std::move(out));
  };
  if (!config_flag(st.config, "payment.auto_refund")) {
    end(std::move(r));
    return;
  }
  execute_refund(self, std::move(r), end);
}

/// The factory deployed `contract`: invoice completed, audit success, reply.
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
    complete_request(st, j->req.key, rc, rc.deployed_at);
    j->done(std::move(rc), std::nullopt);
  };
  auto& cfg = self->state.cfg;
  self->request(cfg.audit, cfg.request_timeout, as_backend(self), ev)
      .then(
          [complete](const result<audit_entry>& e) {
            complete(e ? e->id : 0);
          },
          [complete](const caf::error&) {
            complete(0);
          });
}

void deploy_step(backend_self self, const job_ptr& j) {
  set_stage(self->state.st, j->req.key, deployment_stage::deploying,
            now_of(self));
  j->req.call_factory(self, j->payment_id, [self, j](result<principal> r) {
    if (r) {
      finish_job(self, j, *r);
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
}

/// The fee was taken at `block`: invoice, audit, then the factory.
void paid_step(backend_self self, const job_ptr& j) {
  auto& st = self->state.st;
  auto& cfg = self->state.cfg;
  auto t = now_of(self);
  payment_record pr;
  pr.id = st.next_payment_id++;
  pr.user = j->req.key.user;
  pr.service = j->service;
  pr.amount = j->fee;
  pr.fee = st.ledger_fee;
  pr.block_index = j->block;
  pr.status = payment_status::pending;
  pr.request_id = j->req.key.request_id;
  pr.created_at = t;
  pr.updated_at = t;
  auto system_failure = [self, j](error e) {
    refund_job(self, j, refund_reason::system_error, e);
  };
  auto audited = [self, j, system_failure]() {
    auto& c2 = self->state.cfg;
    auto ev = job_event(
        self, j, create_action(j->req.kind), action_status::in_progress,
        "fee taken at block " + std::to_string(*j->block) + ", deploying");
    self->request(c2.audit, c2.request_timeout, as_backend(self), ev)
        .then(
            [self, j, system_failure](const result<audit_entry>& e) {
              if (e)
                deploy_step(self, j);
              else
                system_failure(make_error(backend_errc::deployment_failed,
                                          "the audit storage refused the "
                                          "deployment's event: "
                                              + e.err().to_string()));
            },
            [self, system_failure](const caf::error& e) {
              system_failure(from_caf(self, e, "audit logEvent"));
            });
  };
  self->request(cfg.invoice, cfg.request_timeout, as_backend(self), pr)
      .then(
          [j, audited, system_failure](const result<payment_record>& r) {
            if (!r) {
              system_failure(make_error(backend_errc::deployment_failed,
                                        "the invoice storage refused the "
                                        "payment record: "
                                            + r.err().to_string()));
              return;
            }
            j->payment_id = r->id;
            audited();
          },
          [self, system_failure](const caf::error& e) {
            system_failure(from_caf(self, e, "invoice recordPayment"));
          });
}

/// The allowance covers the fee: take it with icrc2_transfer_from.
void take_fee(backend_self self, const job_ptr& j) {
  auto& st = self->state.st;
  auto& cfg = self->state.cfg;
  transfer_from_args t;
  t.from = account{j->req.key.user, std::nullopt};
  t.to = account{st.self_id, std::nullopt};
  t.amount = j->fee;
  t.fee = st.ledger_fee;
  auto refused = [self, j](error e) {
    fail_unpaid(self, j, std::move(e), action_type::payment_failed);
  };
  self->request(cfg.ledger, cfg.request_timeout, as_backend(self), t)
      .then(
          [self, j, refused](const result<uint64_t>& b) {
            if (!b) {
              refused(make_error(backend_errc::payment_failed,
                                 "icrc2_transfer_from refused: "
                                     + b.err().to_string()));
              return;
            }
            j->block = *b;
            auto& s2 = self->state.st;
            set_stage(s2, j->req.key, deployment_stage::paid, now_of(self));
            note_payment(s2, j->req.key.user, j->fee, now_of(self));
            auto ev = job_event(self, j, action_type::payment_processed,
                                action_status::completed,
                                "fee taken at block " + std::to_string(*b));
            audit_note(self, std::move(ev));
            paid_step(self, j);
          },
          [self, refused](const caf::error& e) {
            // The outcome is unknown on a timeout; see actors/README.md.
            refused(make_error(
                backend_errc::payment_failed,
                from_caf(self, e, "icrc2_transfer_from").to_string()));
          });
}

} // namespace

void run_deployment(backend_self self, deploy_request req, deploy_done done) {
  auto& st = self->state.st;
  auto& cfg = self->state.cfg;
  auto j = std::make_shared<deploy_job>();
  j->service = factory_service(req.kind);
  j->fee = service_fee(st.config, j->service);
  j->req = std::move(req);
  j->done = std::move(done);
  auto t = now_of(self);
  auto ok = check_deployable(st, j->service, j->req.key.user, t);
  begin_request(st, j->req.key, j->req.kind, j->fee, j->req.fingerprint, t);
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
  auto& cfg = self->state.cfg;
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
  auto reply = [&rp](error e) {
    rp.deliver(result<deployment_receipt>{e});
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
  case replay_action::reply_stored: rp.deliver(stored_result(*rec)); return rp;
  case replay_action::start: break;
  }
  auto req = make(key, arg);
  req.fingerprint = std::move(fp);
  run_deployment(self, std::move(req),
                 [rp](result<deployment_receipt> r,
                      std::optional<refund_record>) mutable {
                   rp.deliver(std::move(r));
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
    call_factory(self, self->state.cfg.*factory,
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
    rp.deliver(result<refund_record>{ok.err()});
    return rp;
  }
  auto r = st.refunds.find(arg.refund_id);
  if (r == nullptr) {
    rp.deliver(result<refund_record>{
        make_error(backend_errc::not_found,
                   "no refund " + std::to_string(arg.refund_id))});
    return rp;
  }
  if (r->status != refund_status::pending
      && r->status != refund_status::failed) {
    rp.deliver(result<refund_record>{
        make_error(backend_errc::invalid_argument,
                   "refund " + std::to_string(arg.refund_id) + " is "
                       + std::string{to_string(r->status)}
                       + "; only pending or failed refunds are processed")});
    return rp;
  }
  auto rec = *r;
  audit_note(self, make_event(self, who, action_type::admin_action,
                              action_status::initiated, service_id::backend,
                              "adminProcessRefund " + std::to_string(rec.id)));
  execute_refund(self, std::move(rec), [rp](refund_record done) mutable {
    rp.deliver(result<refund_record>{std::move(done)});
  });
  return rp;
}

} // namespace icto
