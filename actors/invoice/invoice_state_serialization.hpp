#pragma once

// Boost.Serialization of `icto::invoice_state` (the invoice storage's
// checkpoint): include only where archives are written or read.
//
// Format (invoice_state version 1): the records trie (id → payment_record,
// version 1), the user index, the writer whitelist, the backend, last_time,
// then the stats' nine counters. Loading checks the versions and
// `check_invariants` and throws `archive_exception` if any fails. Lengths
// are trusted as Boost does: check the checkpoint's checksum first.

#include "actors/invoice/invoice_state.hpp"
#include "persistence/archive_helpers.hpp"
#include "persistence/described_serialization.hpp"
#include "persistence/principal_serialization.hpp"
#include "persistence/trie_serialization.hpp"

#include <boost/serialization/nvp.hpp>
#include <boost/serialization/split_free.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/tracking.hpp>
#include <boost/serialization/version.hpp>

#include <utility>

ICTO_BOOST_DESCRIBED(icto::payment_record, 1)
BOOST_CLASS_VERSION(icto::invoice_state, 1)
BOOST_CLASS_TRACKING(icto::invoice_state, boost::serialization::track_never)

namespace boost::serialization {

template <class Archive>
void save(Archive& ar, const icto::invoice_state& x, unsigned) {
  const auto& s = x.stats;
  ar << make_nvp("records", x.records);
  ar << make_nvp("by_user", x.by_user);
  ar << make_nvp("writers", x.writers);
  icto::archive::save_opt(ar, "backend", x.backend);
  ar << make_nvp("last_time", x.last_time);
  ar << make_nvp("records_count", s.records);
  ar << make_nvp("users", s.users);
  ar << make_nvp("pending", s.pending);
  ar << make_nvp("completed", s.completed);
  ar << make_nvp("failed", s.failed);
  ar << make_nvp("refunded", s.refunded);
  ar << make_nvp("amount_pending", s.amount_pending);
  ar << make_nvp("amount_completed", s.amount_completed);
  ar << make_nvp("amount_refunded", s.amount_refunded);
}

/// Throws `archive_exception` on a newer version or a state that breaks
/// `check_invariants`; leaves `x` unchanged if anything throws.
template <class Archive>
void load(Archive& ar, icto::invoice_state& x, unsigned version) {
  icto::archive::check_version(version, 1, "invoice_state");
  icto::invoice_state out;
  auto& s = out.stats;
  ar >> make_nvp("records", out.records);
  ar >> make_nvp("by_user", out.by_user);
  ar >> make_nvp("writers", out.writers);
  icto::archive::load_opt(ar, "backend", out.backend);
  ar >> make_nvp("last_time", out.last_time);
  ar >> make_nvp("records_count", s.records);
  ar >> make_nvp("users", s.users);
  ar >> make_nvp("pending", s.pending);
  ar >> make_nvp("completed", s.completed);
  ar >> make_nvp("failed", s.failed);
  ar >> make_nvp("refunded", s.refunded);
  ar >> make_nvp("amount_pending", s.amount_pending);
  ar >> make_nvp("amount_completed", s.amount_completed);
  ar >> make_nvp("amount_refunded", s.amount_refunded);
  if (!icto::check_invariants(out))
    icto::archive::fail("invoice_state: records, user index or stats "
                        "do not agree");
  x = std::move(out);
}

template <class Archive>
void serialize(Archive& ar, icto::invoice_state& x, const unsigned version) {
  split_free(ar, x, version);
}

} // namespace boost::serialization
