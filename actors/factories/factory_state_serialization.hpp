#pragma once

// Boost.Serialization of `icto::factory_state` (a factory's checkpoint):
// include only where archives are written or read.
//
// Format (factory_state version 2): kind, self, start time, the id ranges
// (node, first, last, next each; version 1 had one unnamed range),
// the deployed and failed sets (tries of contract_info), the role indexes,
// the members index, the public / unreachable / upgrading sets, the upgrade
// histories, whitelist, admins, registered and code versions, the deploying
// count and the counters. Message types inside are written field by field
// (persistence/described_serialization.hpp). Loading refuses newer versions
// and a state whose indexes disagree with its deployed set. Lengths are
// trusted as Boost does: the store's record checksum is checked first.

#include "actors/factories/factory_state.hpp"
#include "persistence/described_serialization.hpp"
#include "persistence/message_serialization.hpp"
#include "persistence/principal_index_serialization.hpp"
#include "persistence/trie_serialization.hpp"

#include <boost/serialization/array.hpp>
#include <boost/serialization/split_free.hpp>

ICTO_BOOST_DESCRIBED(icto::contract_info, 1)
ICTO_BOOST_DESCRIBED(icto::registered_version, 1)
ICTO_BOOST_DESCRIBED(icto::upgrade_record, 1)

BOOST_CLASS_VERSION(icto::factory_counters, 1)
BOOST_CLASS_TRACKING(icto::factory_counters, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::factory_state, 2)
BOOST_CLASS_TRACKING(icto::factory_state, boost::serialization::track_never)

namespace boost::serialization {

template <class Archive>
void serialize(Archive& ar, icto::factory_counters& x, const unsigned v) {
  icto::archive::check_version(v, 1, "factory_counters");
  ar& make_nvp("deployments_started", x.deployments_started);
  ar& make_nvp("deployments_completed", x.deployments_completed);
  ar& make_nvp("deployments_failed", x.deployments_failed);
  ar& make_nvp("callbacks_accepted", x.callbacks_accepted);
  ar& make_nvp("callbacks_refused", x.callbacks_refused);
  ar& make_nvp("upgrades", x.upgrades);
  ar& make_nvp("upgrades_failed", x.upgrades_failed);
  ar& make_nvp("proposals", x.proposals);
}

template <class Archive>
void serialize(Archive& ar, icto::factory_state& x, const unsigned v) {
  icto::archive::check_version(v, 2, "factory_state");
  ar& make_nvp("kind", x.kind);
  ar& make_nvp("self", x.self);
  ar& make_nvp("started_at", x.started_at);
  if constexpr (Archive::is_saving::value) {
    uint64_t n = x.ranges.size();
    ar& make_nvp("ranges", n);
    for (auto& r : x.ranges) {
      ar& make_nvp("node", r.node);
      ar& make_nvp("first", r.first);
      ar& make_nvp("last", r.last);
      ar& make_nvp("next", r.next);
    }
  } else if (v == 1) {
    icto::id_range r;
    ar& make_nvp("first_index", r.first);
    ar& make_nvp("last_index", r.last);
    ar& make_nvp("next_index", r.next);
    x.ranges = {r};
  } else {
    uint64_t n = 0;
    ar& make_nvp("ranges", n);
    if (n == 0 || n > 4096)
      icto::archive::fail("factory_state: " + std::to_string(n)
                          + " contract id ranges");
    x.ranges.resize(n);
    for (auto& r : x.ranges) {
      ar& make_nvp("node", r.node);
      ar& make_nvp("first", r.first);
      ar& make_nvp("last", r.last);
      ar& make_nvp("next", r.next);
    }
  }
  ar& make_nvp("contracts", x.contracts);
  ar& make_nvp("failed", x.failed);
  ar& make_nvp("roles", x.roles);
  ar& make_nvp("members", x.members);
  ar& make_nvp("public_set", x.public_set);
  ar& make_nvp("unreachable", x.unreachable);
  ar& make_nvp("upgrading", x.upgrading);
  ar& make_nvp("history", x.history);
  ar& make_nvp("whitelist", x.whitelist);
  ar& make_nvp("admins", x.admins);
  ar& make_nvp("versions", x.versions);
  ar& make_nvp("code", x.code);
  ar& make_nvp("deploying", x.deploying);
  ar& make_nvp("counters", x.counters);
  if constexpr (!Archive::is_saving::value) {
    // The creator index holds exactly the deployed set.
    if (x.roles[0].total() != x.contracts.size())
      icto::archive::fail("factory_state: the creator index ("
                          + std::to_string(x.roles[0].total())
                          + " entries) disagrees with the deployed set ("
                          + std::to_string(x.contracts.size()) + ")");
    for (auto& r : x.ranges)
      if (r.next < r.first || r.first > r.last)
        icto::archive::fail("factory_state: bad contract id range");
  }
}

} // namespace boost::serialization
