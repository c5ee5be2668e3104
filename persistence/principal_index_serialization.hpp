#pragma once

// Boost.Serialization of `icto::principal_index`: include only where archives
// are written or read.
//
// Format (version 1): the owner map, a `trie_map<principal,
// trie_set<principal>>` (see trie_serialization.hpp). The pair count is
// recomputed on load.

#include "persistence/principal_index.hpp"
#include "persistence/principal_serialization.hpp"
#include "persistence/trie_serialization.hpp"

#include <boost/archive/archive_exception.hpp>
#include <boost/serialization/nvp.hpp>
#include <boost/serialization/split_free.hpp>
#include <boost/serialization/tracking.hpp>
#include <boost/serialization/version.hpp>

#include <utility>

BOOST_CLASS_VERSION(icto::principal_index, 1)
BOOST_CLASS_TRACKING(icto::principal_index, boost::serialization::track_never)

namespace boost::serialization {

template <class Archive>
void save(Archive& ar, const icto::principal_index& x, unsigned) {
  ar << make_nvp("owners", x.owners());
}

/// Throws `archive_exception` on a newer version or an owner without ids.
template <class Archive>
void load(Archive& ar, icto::principal_index& x, unsigned version) {
  using boost::archive::archive_exception;
  if (version > 1)
    throw archive_exception(archive_exception::unsupported_class_version,
                            "principal_index");
  icto::principal_index::owner_map owners;
  ar >> make_nvp("owners", owners);
  bool has_empty_set = false;
  owners.for_each(
      [&](const icto::principal&, const icto::principal_index::id_set& ids) {
        has_empty_set = has_empty_set || ids.empty();
      });
  if (has_empty_set)
    throw archive_exception(archive_exception::input_stream_error,
                            "principal_index: owner without ids");
  x = icto::principal_index{std::move(owners)};
}

template <class Archive>
void serialize(Archive& ar, icto::principal_index& x, const unsigned version) {
  split_free(ar, x, version);
}

} // namespace boost::serialization
