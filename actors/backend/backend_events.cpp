#include "actors/backend/backend_events.hpp"

#include <string>
#include <utility>

namespace icto {

namespace {

result<unit> misfit(const backend_event& ev, std::string what) {
  return make_error(system_errc::internal, "backend event (kind "
                                               + std::to_string(ev.kind)
                                               + "): " + std::move(what));
}

bool managed(service_id s) {
  for (auto m : managed_services())
    if (m == s)
      return true;
  return false;
}

/// The request of `ev.key`, or nullptr.
const request_record* request_of(const backend_state& st,
                                 const backend_event& ev) {
  return st.requests.find(ev.key);
}

void put_request(backend_state& st, const request_key& key,
                 request_record rec) {
  st.requests = st.requests.insert(key, std::move(rec));
}

/// Applies to `st`, which the caller throws away on an error.
result<unit> apply_to(backend_state& st, const backend_event& ev) {
  switch (ev.kind) {
  case backend_event::config:
    for (auto& c : ev.changes) {
      if (c.version != st.config.version + 1
          || find_config_key(c.key) == nullptr)
        return misfit(ev, "config change " + std::to_string(c.version) + " of "
                              + c.key + " after version "
                              + std::to_string(st.config.version));
      apply(st.config, c);
    }
    return unit{};
  case backend_event::admin_put:
    if (ev.admin.id.empty() || is_controller(st.admins, ev.admin.id))
      return misfit(ev, "admin " + ev.admin.id.to_text());
    st.admins.admins = st.admins.admins.insert(ev.admin.id, ev.admin);
    return unit{};
  case backend_event::admin_remove:
    if (!st.admins.admins.contains(ev.id))
      return misfit(ev, ev.id.to_text() + " is no admin");
    st.admins.admins = st.admins.admins.erase(ev.id);
    return unit{};
  case backend_event::endpoint:
    if (!managed(ev.service))
      return misfit(ev, "not a managed service");
    if (ev.registered && factory_service(*ev.registered) != ev.service)
      return misfit(ev, "registered kind of another service");
    set_endpoint(st, ev.service, ev.id);
    if (ev.registered)
      for (auto& f : st.factories)
        if (f.kind == *ev.registered)
          f.registered_at = ev.now;
    return unit{};
  case backend_event::whitelist: {
    for (auto& o : ev.outcomes) {
      if (!managed(o.service))
        return misfit(ev, "not a managed service");
      set_whitelisted(st, o.service, o.ok, o.error);
    }
    auto all = all_whitelisted(st);
    st.setup.completed = all;
    if (ev.setup_call) {
      if (all && !st.setup.completed_at)
        st.setup.completed_at = ev.now;
      if (!all)
        st.setup.completed_at.reset();
    }
    return unit{};
  }
  case backend_event::begin: {
    if (ev.key.request_id.empty())
      return misfit(ev, "a request without request_id");
    if (auto old = request_of(st, ev); old && in_flight(old->status.stage))
      return misfit(ev, "request " + ev.key.request_id + " is in flight");
    begin_request(st, ev.key, ev.contract, ev.fee, ev.fingerprint, ev.now);
    auto rec = *request_of(st, ev);
    rec.name = ev.name;
    rec.pipeline_id = ev.pipeline_id;
    rec.charge_time = ev.charge_time;
    rec.block.reset();
    rec.payment_id.reset();
    rec.contract.reset();
    put_request(st, ev.key, std::move(rec));
    return unit{};
  }
  case backend_event::charge:
  case backend_event::paid:
  case backend_event::move_stage:
  case backend_event::deployed: {
    auto old = request_of(st, ev);
    if (old == nullptr || !in_flight(old->status.stage))
      return misfit(ev, "no request " + ev.key.request_id + " in flight");
    if (ev.kind == backend_event::charge) {
      auto rec = *old;
      rec.charge_sent = true;
      put_request(st, ev.key, std::move(rec));
    } else if (ev.kind == backend_event::paid) {
      if (ev.payment_id && *ev.payment_id != st.next_payment_id)
        return misfit(ev, "payment " + std::to_string(*ev.payment_id)
                              + " where " + std::to_string(st.next_payment_id)
                              + " was due");
      auto fee = old->status.fee;
      auto rec = *old;
      rec.block = ev.number;
      rec.payment_id = ev.payment_id;
      put_request(st, ev.key, std::move(rec));
      if (ev.payment_id)
        st.next_payment_id = *ev.payment_id + 1;
      set_stage(st, ev.key, deployment_stage::paid, ev.now);
      note_payment(st, ev.key.user, fee, ev.now);
    } else if (ev.kind == backend_event::move_stage) {
      if (!in_flight(ev.stage))
        return misfit(ev, "stage of an ended request");
      set_stage(st, ev.key, ev.stage, ev.now);
    } else {
      auto rec = *old;
      rec.contract = ev.id;
      rec.status.updated_at = ev.now;
      put_request(st, ev.key, std::move(rec));
    }
    return unit{};
  }
  case backend_event::complete: {
    auto old = request_of(st, ev);
    if (old == nullptr || !in_flight(old->status.stage) || !ev.receipt)
      return misfit(ev, "no request " + ev.key.request_id + " to complete");
    complete_request(st, ev.key, *ev.receipt, ev.now);
    return unit{};
  }
  case backend_event::fail: {
    auto old = request_of(st, ev);
    if (old == nullptr || !in_flight(old->status.stage) || !ev.why
        || in_flight(ev.stage) || ev.stage == deployment_stage::completed)
      return misfit(ev, "no request " + ev.key.request_id + " to fail");
    fail_request(st, ev.key, ev.stage, *ev.why, ev.refund, ev.now);
    if (ev.uncharged) {
      auto rec = *request_of(st, ev);
      rec.charge_sent = false;
      put_request(st, ev.key, std::move(rec));
    }
    return unit{};
  }
  case backend_event::refund_add:
    if (!ev.refund || ev.refund->id != st.next_refund_id
        || ev.refund->status != refund_status::pending)
      return misfit(ev, "refund out of sequence");
    st.refunds = st.refunds.insert(ev.refund->id, *ev.refund);
    st.next_refund_id = ev.refund->id + 1;
    // The request shows its refund from now on.
    update_refund(st, *ev.refund);
    return unit{};
  case backend_event::refund_update:
    if (!ev.refund || !st.refunds.contains(ev.refund->id))
      return misfit(ev, "no such refund");
    update_refund(st, *ev.refund);
    if (ev.tx_time)
      st.refund_tx_times = st.refund_tx_times.insert(ev.refund->id,
                                                     *ev.tx_time);
    else
      st.refund_tx_times = st.refund_tx_times.erase(ev.refund->id);
    return unit{};
  case backend_event::pipeline_put: {
    if (!ev.pipeline)
      return misfit(ev, "no pipeline");
    auto id = ev.pipeline->status.pipeline_id;
    if (ev.new_pipeline) {
      if (id != st.next_pipeline_id || st.pipeline_ids.contains(ev.key))
        return misfit(ev,
                      "pipeline " + std::to_string(id) + " out of sequence");
      st.pipeline_ids = st.pipeline_ids.insert(ev.key, id);
      st.next_pipeline_id = id + 1;
    } else if (!st.pipelines.contains(id)) {
      return misfit(ev, "no pipeline " + std::to_string(id));
    }
    st.pipelines = st.pipelines.insert(id, *ev.pipeline);
    return unit{};
  }
  default: return misfit(ev, "unknown kind");
  }
}

} // namespace

result<unit> apply_event(backend_state& st, const backend_event& ev) {
  auto next = st;
  if (auto ok = apply_to(next, ev); !ok)
    return ok;
  st = std::move(next);
  return unit{};
}

} // namespace icto
