#pragma once

// Boost.Serialization of `icto::audit_state` (the audit storage's
// checkpoint): include only where archives are written or read.
//
// Format (audit_state version 1): the entries trie (id → audit_entry, each
// entry version 1 with its event version 1), the user and action indexes,
// the status counts, the writer whitelist, the backend, then next_id,
// last_recorded_at and head_hash. Loading checks the versions and
// `check_invariants` and throws `archive_exception` if any fails. Lengths
// are trusted as Boost does: check the checkpoint's checksum first.

#include "actors/audit/audit_state.hpp"
#include "persistence/archive_helpers.hpp"
#include "persistence/principal_serialization.hpp"
#include "persistence/trie_serialization.hpp"

#include <boost/serialization/nvp.hpp>
#include <boost/serialization/split_free.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/tracking.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>

#include <utility>

BOOST_CLASS_VERSION(icto::audit_event, 1)
BOOST_CLASS_TRACKING(icto::audit_event, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::audit_entry, 1)
BOOST_CLASS_TRACKING(icto::audit_entry, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::audit_state, 1)
BOOST_CLASS_TRACKING(icto::audit_state, boost::serialization::track_never)

namespace boost::serialization {

template <class Archive>
void save(Archive& ar, const icto::audit_event& x, unsigned) {
  using namespace icto::archive;
  ar << make_nvp("user", x.user);
  ar << make_nvp("action", x.action);
  ar << make_nvp("status", x.status);
  ar << make_nvp("severity", x.severity);
  ar << make_nvp("service", x.service);
  save_opt(ar, "request_id", x.request_id);
  save_opt(ar, "payment_id", x.payment_id);
  save_opt(ar, "refund_id", x.refund_id);
  save_opt(ar, "pipeline_id", x.pipeline_id);
  save_opt(ar, "contract_id", x.contract_id);
  save_opt(ar, "amount", x.amount);
  ar << make_nvp("message", x.message);
  ar << make_nvp("time", x.time);
}

template <class Archive>
void load(Archive& ar, icto::audit_event& x, unsigned version) {
  using namespace icto::archive;
  check_version(version, 1, "audit_event");
  icto::audit_event out;
  ar >> make_nvp("user", out.user);
  ar >> make_nvp("action", out.action);
  ar >> make_nvp("status", out.status);
  ar >> make_nvp("severity", out.severity);
  ar >> make_nvp("service", out.service);
  load_opt(ar, "request_id", out.request_id);
  load_opt(ar, "payment_id", out.payment_id);
  load_opt(ar, "refund_id", out.refund_id);
  load_opt(ar, "pipeline_id", out.pipeline_id);
  load_opt(ar, "contract_id", out.contract_id);
  load_opt(ar, "amount", out.amount);
  ar >> make_nvp("message", out.message);
  ar >> make_nvp("time", out.time);
  x = std::move(out);
}

template <class Archive>
void serialize(Archive& ar, icto::audit_event& x, const unsigned version) {
  split_free(ar, x, version);
}

template <class Archive>
void serialize(Archive& ar, icto::audit_entry& x, const unsigned version) {
  icto::archive::check_version(version, 1, "audit_entry");
  ar& make_nvp("id", x.id);
  ar& make_nvp("writer", x.writer);
  ar& make_nvp("recorded_at", x.recorded_at);
  ar& make_nvp("event", x.event);
  ar& make_nvp("prev_hash", x.prev_hash);
  ar& make_nvp("hash", x.hash);
}

template <class Archive>
void save(Archive& ar, const icto::audit_state& x, unsigned) {
  ar << make_nvp("entries", x.entries);
  ar << make_nvp("by_user", x.by_user);
  ar << make_nvp("by_action", x.by_action);
  ar << make_nvp("by_status", x.by_status);
  ar << make_nvp("writers", x.writers);
  icto::archive::save_opt(ar, "backend", x.backend);
  ar << make_nvp("next_id", x.next_id);
  ar << make_nvp("last_recorded_at", x.last_recorded_at);
  ar << make_nvp("head_hash", x.head_hash);
}

/// Throws `archive_exception` on a newer version or a state that breaks
/// `check_invariants`; leaves `x` unchanged if anything throws.
template <class Archive>
void load(Archive& ar, icto::audit_state& x, unsigned version) {
  icto::archive::check_version(version, 1, "audit_state");
  icto::audit_state out;
  ar >> make_nvp("entries", out.entries);
  ar >> make_nvp("by_user", out.by_user);
  ar >> make_nvp("by_action", out.by_action);
  ar >> make_nvp("by_status", out.by_status);
  ar >> make_nvp("writers", out.writers);
  icto::archive::load_opt(ar, "backend", out.backend);
  ar >> make_nvp("next_id", out.next_id);
  ar >> make_nvp("last_recorded_at", out.last_recorded_at);
  ar >> make_nvp("head_hash", out.head_hash);
  if (!icto::check_invariants(out))
    icto::archive::fail("audit_state: entries, indexes or hash links "
                        "do not agree");
  x = std::move(out);
}

template <class Archive>
void serialize(Archive& ar, icto::audit_state& x, const unsigned version) {
  split_free(ar, x, version);
}

} // namespace boost::serialization
