#pragma once

// What the backend journals (issue 5): one `backend_event` per change of
// `backend_state`, except the health table (runtime liveness, rebuilt by the
// health checks). The actor decides an event from its state and the
// clock, journals it and applies it with `apply_event`; replay calls only
// `apply_event`, so live and replayed states cannot diverge. An event
// carries every value its apply needs (the time included) and nothing is
// asked of other actors on replay.
//
// Encoded with encode_event (actors/common/event_codec.hpp): CAF's binary
// form of the inspect below. Adding a field changes the format: bump
// event_format_version (actors/common/event_codec.hpp) and decode the old one.

#include "actors/backend/backend_state.hpp"
#include "messages/inspect.hpp"

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icto {

/// Whether one service whitelisted the backend (setupMicroservices,
/// adminRegisterFactory).
struct whitelist_outcome {
  service_id service = service_id::audit_storage;
  bool ok = false;
  std::optional<std::string> error;

  friend bool operator==(const whitelist_outcome& x,
                         const whitelist_outcome& y) {
    return x.service == y.service && x.ok == y.ok && x.error == y.error;
  }
};

/// One change of backend_state. `kind` says which fields count.
struct backend_event {
  enum kind_t : uint8_t {
    /// `changes` applied in order (adminSetConfigValue,
    /// adminSetMaintenanceMode).
    config = 1,
    /// `admin` added or its rights replaced.
    admin_put,
    /// The admin `id` removed.
    admin_remove,
    /// `service` is now reached at `id`; `registered`: the factory of that
    /// kind was registered at `now`.
    endpoint,
    /// `outcomes` of whitelisting the backend; `setup_call`: a
    /// setupMicroservices, which also stamps or clears completed_at.
    whitelist,
    /// Request `key` begins (or restarts after a refusal before payment):
    /// `contract`, `fee`, `fingerprint`, `name`, `pipeline_id`,
    /// `charge_time`.
    begin,
    /// The fee's transfer_from of `key` is about to be sent.
    charge,
    /// The fee of `key` was taken at block `number`; `payment_id` is its
    /// invoice record (allocated here).
    paid,
    /// Request `key` moves to `stage` (deploying).
    move_stage,
    /// The factory deployed `id` for request `key`.
    deployed,
    /// Request `key` completed with `receipt`.
    complete,
    /// Request `key` ended at `stage` (failed, refunded, refund_failed)
    /// with `why` and `refund`; `uncharged`: the ledger refused its
    /// transfer_from, so no earlier transfer of it exists either.
    fail,
    /// `refund` stored (pending; its id allocated here).
    refund_add,
    /// `refund`'s new state; `tx_time`: the created_at_time of its transfer
    /// while the outcome is unknown (none once the ledger answered).
    refund_update,
    /// `pipeline` stored; `new_pipeline`: indexed under `key` and its id
    /// allocated here.
    pipeline_put,
  };

  uint8_t kind = 0;
  timestamp now = 0;
  request_key key;
  std::vector<config_change> changes;
  backend_admin admin;
  principal id;
  service_id service = service_id::audit_storage;
  std::optional<contract_kind> registered;
  std::vector<whitelist_outcome> outcomes;
  bool setup_call = false;
  contract_kind contract = contract_kind::token;
  tokens fee = 0;
  std::string fingerprint;
  std::string name;
  std::optional<uint64_t> pipeline_id;
  std::optional<timestamp> charge_time;
  uint64_t number = 0;
  std::optional<uint64_t> payment_id;
  deployment_stage stage = deployment_stage::received;
  std::optional<error> why;
  bool uncharged = false;
  std::optional<deployment_receipt> receipt;
  std::optional<refund_record> refund;
  std::optional<timestamp> tx_time;
  std::optional<pipeline_record> pipeline;
  bool new_pipeline = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, request_key& x) {
  return f(caf::meta::type_name("request_key"), x.user, x.request_id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pipeline_record& x) {
  return f(caf::meta::type_name("pipeline_record"), x.status, x.fingerprint,
           x.arg);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, whitelist_outcome& x) {
  return f(caf::meta::type_name("whitelist_outcome"), x.service, x.ok, x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, backend_event& x) {
  return f(caf::meta::type_name("backend_event"), x.kind, x.now, x.key,
           x.changes, x.admin, x.id, x.service, x.registered, x.outcomes,
           x.setup_call, x.contract, x.fee, x.fingerprint, x.name,
           x.pipeline_id, x.charge_time, x.number, x.payment_id, x.stage, x.why,
           x.uncharged, x.receipt, x.refund, x.tx_time, x.pipeline,
           x.new_pipeline);
}

/// Applies `ev` to `st`; the only way backend_state changes (live and on
/// replay). Refuses, leaving `st` unchanged, an event that does not fit
/// the state (an unknown kind, an id out of sequence, a request or refund
/// that does not exist): replay stops there with the event's number.
result<unit> apply_event(backend_state& st, const backend_event& ev);

} // namespace icto
