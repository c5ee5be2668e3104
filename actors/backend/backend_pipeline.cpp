// The pipeline engine (createProject): a token, then a distribution and a
// launchpad of it, each a paid deployment of its own (run_deployment) under
// "<request_id>/<kind>". A failing step's fee is refunded by its deployment;
// later steps are skipped and never charged; earlier steps keep their
// contracts and fees (pipeline_state::failed). The pipeline is idempotent
// under its request_id.

#include "actors/backend/backend_actor_impl.hpp"

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>

#include <utility>

namespace icto {

namespace {

using pipeline_promise = promise_of<pipeline_status>;

/// Audits a pipeline's progress.
void pipeline_note(backend_self self, const pipeline_status& p,
                   action_type action, action_status status,
                   std::string message) {
  auto ev = make_event(self, p.user, action, status, service_id::backend,
                       std::move(message));
  ev.request_id = p.request_id;
  ev.pipeline_id = p.pipeline_id;
  audit_note(self, std::move(ev));
}

/// The deployment of step `i` of pipeline `p`.
/// REQUIRES: p.arg; for i > 0, step 0 completed.
deploy_request step_deployment(const pipeline_record& p, size_t i) {
  auto& arg = *p.arg;
  auto kind = p.status.steps[i].kind;
  request_key key{p.status.user, step_request_id(arg.request_id, kind)};
  deploy_request req;
  switch (kind) {
  case contract_kind::token: {
    create_token_arg a{key.request_id, arg.token};
    req = token_deployment(key, a);
    req.fingerprint = fingerprint(a);
    break;
  }
  case contract_kind::distribution: {
    create_distribution_arg a{
        key.request_id,
        distribution_step(arg, p.status.steps[0].receipt->contract_id)};
    req = distribution_deployment(key, a);
    req.fingerprint = fingerprint(a);
    break;
  }
  default: {
    create_launchpad_arg a{
        key.request_id,
        launchpad_step(arg, p.status.steps[0].receipt->contract_id)};
    req = launchpad_deployment(key, a);
    req.fingerprint = fingerprint(a);
    break;
  }
  }
  req.pipeline_id = p.status.pipeline_id;
  return req;
}

/// Journals pipeline `p` (a new one is indexed under `key`).
void store_pipeline(backend_self self, const pipeline_record& p,
                    const std::optional<request_key>& key = std::nullopt) {
  backend_event ev;
  ev.kind = backend_event::pipeline_put;
  ev.now = p.status.updated_at;
  ev.pipeline = p;
  if (key) {
    ev.key = *key;
    ev.new_pipeline = true;
  }
  commit(self, ev);
}

/// How a pipeline answers its caller (nothing after a restart).
using pipeline_reply = std::function<void(result<pipeline_status>)>;

void run_step(backend_self self, uint64_t id, size_t i, pipeline_reply reply);

/// Step `i` of pipeline `id` ended with `r`: records it, audits, and runs
/// the next step (`go_on`) or ends the pipeline (the later steps skipped
/// when not `go_on`) and replies.
void end_step(backend_self self, uint64_t id, size_t i,
              result<deployment_receipt> r, std::optional<refund_record> refund,
              bool go_on, pipeline_reply reply) {
  auto& s2 = self->state.st;
  auto f2 = s2.pipelines.find(id);
  if (f2 == nullptr) {
    reply(make_error(system_errc::internal, "pipeline vanished"));
    return;
  }
  auto pl = *f2;
  auto kind = pl.status.steps[i].kind;
  auto now = self->state.ctx->now();
  finish_step(pl, i, r, refund, now);
  if (pl.status.state == pipeline_state::running && !go_on)
    finish_step(pl, i + 1,
                make_error(backend_errc::deployment_failed,
                           "the backend restarted during the pipeline; this "
                           "step was not run and nothing was charged for it"),
                std::nullopt, now);
  store_pipeline(self, pl);
  if (r) {
    pipeline_note(
        self, pl.status, action_type::step_completed, action_status::completed,
        "step " + std::to_string(i + 1) + " (" + std::string{to_string(kind)}
            + ") deployed " + r->contract_id.to_text());
  } else {
    pipeline_note(
        self, pl.status, action_type::step_failed, action_status::failed,
        "step " + std::to_string(i + 1) + " (" + std::string{to_string(kind)}
            + ") failed: " + r.err().to_string());
  }
  switch (pl.status.state) {
  case pipeline_state::running: run_step(self, id, i + 1, reply); return;
  case pipeline_state::completed:
    pipeline_note(self, pl.status, action_type::pipeline_completed,
                  action_status::completed,
                  "project " + pl.status.name + " deployed");
    break;
  case pipeline_state::failed:
    pipeline_note(
        self, pl.status, action_type::pipeline_failed, action_status::failed,
        "project " + pl.status.name + " failed at step " + std::to_string(i + 1)
            + "; later steps skipped, the failed step's fee "
              "refunded");
    break;
  }
  after_durable(self, [reply, status = pl.status] {
    reply(status);
  });
}

void run_step(backend_self self, uint64_t id, size_t i, pipeline_reply reply) {
  auto& st = self->state.st;
  auto found = st.pipelines.find(id);
  if (found == nullptr) {
    reply(make_error(system_errc::internal, "pipeline vanished"));
    return;
  }
  auto p = *found;
  auto req = step_deployment(p, i);
  p.status.steps[i].state = pipeline_step_state::running;
  p.status.updated_at = self->state.ctx->now();
  store_pipeline(self, p);
  // A step's request_id may not have been used by the user already.
  auto mode = classify_replay(st.requests.find(req.key), req.fingerprint);
  if (mode != replay_action::start) {
    end_step(self, id, i,
             make_error(backend_errc::idempotency_conflict,
                        "request_id " + req.key.request_id
                            + " of this step was used already"),
             std::nullopt, true, reply);
    return;
  }
  run_deployment(self, std::move(req),
                 [self, id, i, reply](result<deployment_receipt> r,
                                      std::optional<refund_record> refund) {
                   end_step(self, id, i, std::move(r), std::move(refund), true,
                            reply);
                 });
}

} // namespace

promise_of<pipeline_status> on_create_project(backend_self self,
                                              const caller& c,
                                              const create_project_arg& arg) {
  // Before the promise: making it takes the sender out of the message.
  auto who = caller_of(self, c);
  auto rp = self->make_response_promise<result<pipeline_status>>();
  auto& st = self->state.st;
  auto& cfg = live_cfg(self);
  auto reply = [self, &rp](error e) {
    deliver(self, rp, result<pipeline_status>{e});
  };
  if (who.is_anonymous() || who.empty()) {
    reply(make_error(backend_errc::unauthorized,
                     "the anonymous principal cannot deploy"));
    return rp;
  }
  if (arg.request_id.empty() || arg.request_id.size() > 100) {
    reply(make_error(backend_errc::invalid_argument,
                     "request_id must have 1 to 100 characters"));
    return rp;
  }
  request_key key{who, arg.request_id};
  auto fp = fingerprint(arg);
  if (auto id = st.pipeline_ids.find(key)) {
    auto p = st.pipelines.find(*id);
    if (p->fingerprint != fp)
      reply(make_error(backend_errc::idempotency_conflict,
                       "request_id " + arg.request_id
                           + " was used with other arguments"));
    else if (p->status.state == pipeline_state::running)
      reply(make_error(backend_errc::in_progress,
                       "pipeline " + std::to_string(*id) + " is running"));
    else
      deliver(self, rp, result<pipeline_status>{p->status});
    return rp;
  }
  // Refuse before anything is charged what would refuse a step: setup,
  // maintenance, disabled services, open circuits, limits, and an
  // allowance that cannot cover all three fees.
  auto t = self->state.ctx->now();
  follow_cluster_circuits(self);
  tokens total = 0;
  for (auto s : {service_id::token_factory, service_id::distribution_factory,
                 service_id::launchpad_factory}) {
    auto ok = check_deployable(st, s, who, t);
    if (ok)
      ok = check_cluster(*self->state.ctx, s);
    if (!ok) {
      reply(ok.err());
      return rp;
    }
    if (auto fee = service_fee(st.config, s); fee > 0)
      total += fee + st.ledger_fee;
  }
  auto start = [self, who, key, fp, arg, rp]() {
    auto& s2 = self->state.st;
    // A pipeline of this request_id may have started while the allowance
    // was being checked.
    if (s2.pipeline_ids.contains(key)) {
      deliver(self, rp,
              result<pipeline_status>{make_error(
                  backend_errc::in_progress,
                  "request " + arg.request_id + " is still being processed")});
      return;
    }
    auto id = s2.next_pipeline_id;
    auto pl = make_pipeline(id, who, arg, fp, self->state.ctx->now());
    store_pipeline(self, pl, key);
    pipeline_note(self, pl.status, action_type::start_pipeline,
                  action_status::initiated,
                  "project " + arg.name + ": token, distribution, launchpad");
    run_step(self, id, 0, [self, rp](result<pipeline_status> r) {
      deliver(self, rp, std::move(r));
    });
  };
  if (total == 0) {
    start();
    return rp;
  }
  allowance_args q{account{who, std::nullopt},
                   account{st.self_id, std::nullopt}};
  self->request(cfg.ledger, cfg.request_timeout, caller{st.self_id}, q)
      .then(
          [self, rp, total, start](const result<allowance>& a) {
            if (!a) {
              deliver(self, rp,
                      result<pipeline_status>{make_error(
                          backend_errc::payment_failed,
                          "icrc2_allowance failed: " + a.err().to_string())});
              return;
            }
            if (a->allowance < total) {
              deliver(
                  self, rp,
                  result<pipeline_status>{make_error(
                      backend_errc::insufficient_allowance,
                      "the ICRC-2 allowance of " + std::to_string(a->allowance)
                          + " e8s does not cover the three steps' fees and "
                            "ledger fees, "
                          + std::to_string(total) + " e8s")});
              return;
            }
            start();
          },
          [self, rp](const caf::error& e) {
            deliver(self, rp,
                    result<pipeline_status>{make_error(
                        backend_errc::payment_failed,
                        "icrc2_allowance: " + self->system().render(e))});
          });
  return rp;
}

void end_pipeline_after_restart(backend_self self, uint64_t id, size_t step,
                                result<deployment_receipt> r,
                                std::optional<refund_record> refund) {
  end_step(self, id, step, std::move(r), std::move(refund), false,
           [](result<pipeline_status>) {});
}

} // namespace icto
