// What the backend does on start with what was in flight when it last
// stopped (a crash, or a stop before the flows ended). Nothing is left
// hanging; no fee is taken twice, no refund paid twice (the ledger
// deduplicates every transfer sent again: same memo, same
// created_at_time).
//
// The rule, for each request in flight (stage received, paid, deploying):
// - A refund of it is under way: that refund is brought to its end (sent
//   again if it was processing: deduplicated), then the request ends
//   refunded or refund_failed. Never a second refund.
// - received, and its transfer_from was never sent (no `charge` event), or
//   the fee is 0: never charged. It ends `failed` (retryable under the same
//   request_id, as a refusal before the fee).
// - received, and its transfer_from may have been sent: the same
//   deduplicated transfer_from is sent again to learn. A new block or
//   Duplicate{duplicate_of} means charged: the payment is recorded, then
//   refunded through the refund path (payment.auto_refund applies; the
//   user sees it with getRefunds / getDeploymentStatus). A refusal means it
//   never happened: `failed`. No answer (the ledger is unreachable): `failed`
//   with the transfer still marked sent, so a retry of the request_id is
//   deduplicated.
// - paid or deploying and the factory's contract was journaled
//   (`deployed`): the deployment is finished (invoice completed, audit,
//   receipt) — the contract exists and keeps its fee.
// - paid or deploying otherwise: charged, deployment not recorded: the
//   invoice record is made sure of (recordPayment again; a duplicate is
//   fine) and the fee refunded. (The factory may still hold a contract of
//   it if it deployed just before the stop; createContract is not
//   idempotent. See actors/README.md.)
// Each running pipeline ends at its first unfinished step: if that step's
// request was in flight, with that request's end by the rule above; if it
// ended already, with its stored result; if it never began, as failed
// (nothing charged). A completed step that is not the last does not start
// the next: the remaining steps are skipped, never charged, and the
// pipeline ends failed (its completed steps keep their contracts and fees).
// Refunds in `processing` not tied to a request in flight (an
// adminProcessRefund interrupted) are sent again, deduplicated.

#include "actors/backend/backend_actor_impl.hpp"

#include <map>
#include <set>
#include <utility>
#include <vector>

namespace icto {

namespace {

/// The step of a running pipeline that recovery ends, and how.
struct pipeline_stop {
  uint64_t id = 0;
  size_t step = 0;
};

} // namespace

void recover_in_flight(backend_self self) {
  auto& st = self->state.st;
  std::vector<request_key> requests;
  std::set<std::pair<principal, std::string>> busy;
  for (auto& [key, rec] : st.requests)
    if (in_flight(rec.status.stage)) {
      requests.push_back(key);
      busy.emplace(key.user, key.request_id);
    }
  std::vector<uint64_t> refunds;
  for (auto& [id, r] : st.refunds)
    if (r.status == refund_status::processing
        && busy.count({r.user, r.request_id}) == 0)
      refunds.push_back(id);
  // Pipelines: the step each one stops at, and whether a request in
  // flight decides its end.
  std::map<std::pair<principal, std::string>, pipeline_stop> by_request;
  std::vector<std::pair<pipeline_stop, request_key>> ended_steps;
  for (auto& [id, p] : st.pipelines) {
    if (p.status.state != pipeline_state::running || !p.arg)
      continue;
    size_t i = 0;
    while (i < p.status.steps.size()
           && p.status.steps[i].state == pipeline_step_state::completed)
      ++i;
    if (i == p.status.steps.size())
      continue; // Not reachable: the last step's end ends the pipeline.
    request_key key{p.status.user,
                    step_request_id(p.arg->request_id, p.status.steps[i].kind)};
    auto rec = st.requests.find(key);
    pipeline_stop stop{id, i};
    if (rec != nullptr && rec->pipeline_id == id
        && in_flight(rec->status.stage))
      by_request[{key.user, key.request_id}] = stop;
    else
      ended_steps.emplace_back(stop, key);
  }
  if (requests.empty() && refunds.empty() && by_request.empty()
      && ended_steps.empty())
    return;
  audit_note(
      self,
      make_event(self, st.self_id, action_type::custom,
                 action_status::in_progress, service_id::backend,
                 "backend restarted: ending " + std::to_string(requests.size())
                     + " requests, "
                     + std::to_string(ended_steps.size() + by_request.size())
                     + " pipelines and " + std::to_string(refunds.size())
                     + " refunds in flight"));
  for (auto& [stop, key] : ended_steps) {
    auto rec = st.requests.find(key);
    if (rec != nullptr && rec->pipeline_id == stop.id) {
      end_pipeline_after_restart(self, stop.id, stop.step, stored_result(*rec),
                                 rec->status.refund);
    } else {
      end_pipeline_after_restart(
          self, stop.id, stop.step,
          make_error(backend_errc::deployment_failed,
                     "the backend restarted before this step began; nothing "
                     "was charged for it"),
          std::nullopt);
    }
  }
  for (auto& key : requests) {
    deploy_done done = [](result<deployment_receipt>,
                          std::optional<refund_record>) {};
    if (auto i = by_request.find({key.user, key.request_id});
        i != by_request.end()) {
      auto stop = i->second;
      done = [self, stop](result<deployment_receipt> r,
                          std::optional<refund_record> refund) {
        end_pipeline_after_restart(self, stop.id, stop.step, std::move(r),
                                   std::move(refund));
      };
    }
    resume_request(self, key, std::move(done));
  }
  for (auto id : refunds)
    resume_refund(self, id);
}

} // namespace icto
