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

ICTO_BOOST_DESCRIBED(icto::audit_event, 1)
ICTO_BOOST_DESCRIBED(icto::audit_entry, 1)
BOOST_CLASS_VERSION(icto::audit_state, 1)
BOOST_CLASS_TRACKING(icto::audit_state, boost::serialization::track_never)

namespace boost::serialization {

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
