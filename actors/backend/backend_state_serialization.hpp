#pragma once

// Boost.Serialization of `icto::backend_state` (the backend's checkpoint):
// include only where archives are written or read.
//
// Format (backend_state version 1): self_id, ledger_fee, breaker_threshold;
// the config (values, history, version); the controllers and admins; the
// endpoints, the setup status and the factory registrations; the users,
// requests, refunds (with next_refund_id and the open refund transfer
// times), next_payment_id, the pipelines, their index and next_pipeline_id;
// deployments and started_at. The health table is not written: it is
// runtime liveness and is rebuilt empty (make_health_table) on load.
// Described message types go through ICTO_BOOST_DESCRIBED (version 1
// each); user_record, request_key, request_record, pipeline_record and
// icto::error are written field by field (version 1 each). Loading checks
// the versions and `check_invariants` and throws `archive_exception` if any
// fails. Lengths are trusted as Boost does: check the checkpoint's checksum
// before loading it (CAF-0.17-NOTES.md).

#include "actors/backend/backend_state.hpp"
#include "persistence/archive_helpers.hpp"
#include "persistence/described_serialization.hpp"
#include "persistence/principal_serialization.hpp"
#include "persistence/trie_serialization.hpp"

#include <boost/serialization/nvp.hpp>
#include <boost/serialization/split_free.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/tracking.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>

#include <utility>

ICTO_BOOST_DESCRIBED(icto::config_entry, 1)
ICTO_BOOST_DESCRIBED(icto::config_change, 1)
ICTO_BOOST_DESCRIBED(icto::backend_admin, 1)
ICTO_BOOST_DESCRIBED(icto::microservice_endpoint, 1)
ICTO_BOOST_DESCRIBED(icto::microservice_setup_entry, 1)
ICTO_BOOST_DESCRIBED(icto::microservice_setup_status, 1)
ICTO_BOOST_DESCRIBED(icto::factory_registration, 1)
ICTO_BOOST_DESCRIBED(icto::deployment_receipt, 1)
ICTO_BOOST_DESCRIBED(icto::refund_record, 1)
ICTO_BOOST_DESCRIBED(icto::deployment_status, 1)
ICTO_BOOST_DESCRIBED(icto::user_limits, 1)
ICTO_BOOST_DESCRIBED(icto::user_profile, 1)
ICTO_BOOST_DESCRIBED(icto::token_init, 1)
ICTO_BOOST_DESCRIBED(icto::distribution_recipient, 1)
ICTO_BOOST_DESCRIBED(icto::distribution_init, 1)
ICTO_BOOST_DESCRIBED(icto::launchpad_init, 1)
ICTO_BOOST_DESCRIBED(icto::create_project_arg, 1)
ICTO_BOOST_DESCRIBED(icto::pipeline_step, 1)
ICTO_BOOST_DESCRIBED(icto::pipeline_status, 1)
BOOST_CLASS_VERSION(icto::error, 1)
BOOST_CLASS_TRACKING(icto::error, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::user_record, 1)
BOOST_CLASS_TRACKING(icto::user_record, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::request_key, 1)
BOOST_CLASS_TRACKING(icto::request_key, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::request_record, 1)
BOOST_CLASS_TRACKING(icto::request_record, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::pipeline_record, 1)
BOOST_CLASS_TRACKING(icto::pipeline_record, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::backend_state, 1)
BOOST_CLASS_TRACKING(icto::backend_state, boost::serialization::track_never)

namespace boost::serialization {

template <class Archive>
void serialize(Archive& ar, icto::error& x, const unsigned version) {
  icto::archive::check_version(version, 1, "error");
  ar& make_nvp("reject", x.reject);
  ar& make_nvp("domain", x.domain);
  ar& make_nvp("code", x.code);
  ar& make_nvp("message", x.message);
  ar& make_nvp("detail", x.detail);
}

template <class Archive>
void serialize(Archive& ar, icto::user_record& x, const unsigned version) {
  icto::archive::check_version(version, 1, "user_record");
  ar& make_nvp("profile", x.profile);
  ar& make_nvp("history", x.history);
  ar& make_nvp("in_flight", x.in_flight);
  ar& make_nvp("day_start", x.day_start);
  icto::archive::field(ar, "last_deployment_at", x.last_deployment_at);
  ar& make_nvp("request_ids", x.request_ids);
}

template <class Archive>
void serialize(Archive& ar, icto::request_key& x, const unsigned version) {
  icto::archive::check_version(version, 1, "request_key");
  ar& make_nvp("user", x.user);
  ar& make_nvp("request_id", x.request_id);
}

template <class Archive>
void serialize(Archive& ar, icto::request_record& x, const unsigned version) {
  using icto::archive::field;
  icto::archive::check_version(version, 1, "request_record");
  ar& make_nvp("status", x.status);
  ar& make_nvp("fingerprint", x.fingerprint);
  field(ar, "failure", x.failure);
  ar& make_nvp("name", x.name);
  field(ar, "pipeline_id", x.pipeline_id);
  field(ar, "charge_time", x.charge_time);
  ar& make_nvp("charge_sent", x.charge_sent);
  field(ar, "block", x.block);
  field(ar, "payment_id", x.payment_id);
  field(ar, "contract", x.contract);
}

template <class Archive>
void serialize(Archive& ar, icto::pipeline_record& x, const unsigned version) {
  icto::archive::check_version(version, 1, "pipeline_record");
  ar& make_nvp("status", x.status);
  ar& make_nvp("fingerprint", x.fingerprint);
  icto::archive::field(ar, "arg", x.arg);
}

template <class Archive>
void save(Archive& ar, const icto::backend_state& x, unsigned) {
  ar << make_nvp("self_id", x.self_id);
  ar << make_nvp("ledger_fee", x.ledger_fee);
  ar << make_nvp("breaker_threshold", x.breaker_threshold);
  ar << make_nvp("config_values", x.config.values);
  ar << make_nvp("config_history", x.config.history);
  ar << make_nvp("config_version", x.config.version);
  ar << make_nvp("controllers", x.admins.controllers);
  ar << make_nvp("admins", x.admins.admins);
  ar << make_nvp("endpoints", x.endpoints);
  ar << make_nvp("setup", x.setup);
  ar << make_nvp("factories", x.factories);
  ar << make_nvp("users", x.users);
  ar << make_nvp("requests", x.requests);
  ar << make_nvp("refunds", x.refunds);
  ar << make_nvp("next_refund_id", x.next_refund_id);
  ar << make_nvp("refund_tx_times", x.refund_tx_times);
  ar << make_nvp("next_payment_id", x.next_payment_id);
  ar << make_nvp("pipelines", x.pipelines);
  ar << make_nvp("pipeline_ids", x.pipeline_ids);
  ar << make_nvp("next_pipeline_id", x.next_pipeline_id);
  ar << make_nvp("deployments", x.deployments);
  ar << make_nvp("started_at", x.started_at);
}

/// Throws `archive_exception` on a newer version or a state that breaks
/// `check_invariants`; leaves `x` unchanged if anything throws.
template <class Archive>
void load(Archive& ar, icto::backend_state& x, unsigned version) {
  icto::archive::check_version(version, 1, "backend_state");
  icto::backend_state out;
  ar >> make_nvp("self_id", out.self_id);
  ar >> make_nvp("ledger_fee", out.ledger_fee);
  ar >> make_nvp("breaker_threshold", out.breaker_threshold);
  ar >> make_nvp("config_values", out.config.values);
  ar >> make_nvp("config_history", out.config.history);
  ar >> make_nvp("config_version", out.config.version);
  ar >> make_nvp("controllers", out.admins.controllers);
  ar >> make_nvp("admins", out.admins.admins);
  ar >> make_nvp("endpoints", out.endpoints);
  ar >> make_nvp("setup", out.setup);
  ar >> make_nvp("factories", out.factories);
  ar >> make_nvp("users", out.users);
  ar >> make_nvp("requests", out.requests);
  ar >> make_nvp("refunds", out.refunds);
  ar >> make_nvp("next_refund_id", out.next_refund_id);
  ar >> make_nvp("refund_tx_times", out.refund_tx_times);
  ar >> make_nvp("next_payment_id", out.next_payment_id);
  ar >> make_nvp("pipelines", out.pipelines);
  ar >> make_nvp("pipeline_ids", out.pipeline_ids);
  ar >> make_nvp("next_pipeline_id", out.next_pipeline_id);
  ar >> make_nvp("deployments", out.deployments);
  ar >> make_nvp("started_at", out.started_at);
  out.health = icto::make_health_table(out.endpoints);
  if (auto ok = icto::check_invariants(out); !ok)
    icto::archive::fail(ok.err().message);
  x = std::move(out);
}

template <class Archive>
void serialize(Archive& ar, icto::backend_state& x, const unsigned version) {
  split_free(ar, x, version);
}

} // namespace boost::serialization
