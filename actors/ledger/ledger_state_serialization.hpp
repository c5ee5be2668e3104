#pragma once

// Boost.Serialization of `icto::ledger_state` (the ledger's checkpoint):
// include only where archives are written or read.
//
// Format (ledger_state version 1): the config, then the tries (balances,
// allowances, expiry buckets, dedup index, dedup queue; see
// trie_serialization.hpp), then the counters. Accounts in the config are
// the owner, a presence flag and 32 subaccount bytes. Loading checks the
// versions, every subaccount length and `check_invariants`, and throws
// `archive_exception` if any fails. Lengths are trusted as Boost does:
// check the checkpoint's checksum before loading it (CAF-0.17-NOTES.md).

#include "actors/ledger/ledger_state.hpp"
#include "persistence/archive_helpers.hpp"
#include "persistence/principal_serialization.hpp"
#include "persistence/trie_serialization.hpp"

#include <boost/archive/archive_exception.hpp>
#include <boost/serialization/array.hpp>
#include <boost/serialization/array_wrapper.hpp>
#include <boost/serialization/collection_size_type.hpp>
#include <boost/serialization/nvp.hpp>
#include <boost/serialization/split_free.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/tracking.hpp>
#include <boost/serialization/version.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

BOOST_CLASS_VERSION(icto::account_key, 1)
BOOST_CLASS_TRACKING(icto::account_key, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::allowance_key, 1)
BOOST_CLASS_TRACKING(icto::allowance_key, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::allowance_entry, 1)
BOOST_CLASS_TRACKING(icto::allowance_entry, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::dedup_slot, 1)
BOOST_CLASS_TRACKING(icto::dedup_slot, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::ledger_config, 1)
BOOST_CLASS_TRACKING(icto::ledger_config, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::ledger_state, 1)
BOOST_CLASS_TRACKING(icto::ledger_state, boost::serialization::track_never)

namespace icto::detail {

template <class Archive>
void save_optional_u64(Archive& ar, const std::optional<uint64_t>& x) {
  const bool has = x.has_value();
  const uint64_t value = x.value_or(0);
  ar << boost::serialization::make_nvp("has", has);
  ar << boost::serialization::make_nvp("value", value);
}

template <class Archive>
void load_optional_u64(Archive& ar, std::optional<uint64_t>& x) {
  bool has = false;
  uint64_t value = 0;
  ar >> boost::serialization::make_nvp("has", has);
  ar >> boost::serialization::make_nvp("value", value);
  x = has ? std::optional<uint64_t>{value} : std::nullopt;
}

/// An `icto::account` as owner, presence flag and 32 subaccount bytes.
/// REQUIRES (save): the subaccount, if any, has 32 bytes.
template <class Archive>
void save_account(Archive& ar, const account& x) {
  using boost::serialization::make_array;
  using boost::serialization::make_nvp;
  const auto key = key_of(x);
  const bool has_sub = x.subaccount.has_value();
  ar << make_nvp("owner", x.owner);
  ar << make_nvp("has_subaccount", has_sub);
  ar << make_nvp("subaccount",
                 make_array(key.subaccount.data(), key.subaccount.size()));
}

template <class Archive>
void load_account(Archive& ar, account& x) {
  using boost::serialization::make_array;
  using boost::serialization::make_nvp;
  account out;
  bool has_sub = false;
  subaccount_bytes sub{};
  ar >> make_nvp("owner", out.owner);
  ar >> make_nvp("has_subaccount", has_sub);
  ar >> make_nvp("subaccount", make_array(sub.data(), sub.size()));
  if (has_sub)
    out.subaccount = blob(sub.begin(), sub.end());
  x = std::move(out);
}

} // namespace icto::detail

namespace boost::serialization {

// -- keys and entries
// -----------------------------------------------------------

template <class Archive>
void serialize(Archive& ar, icto::account_key& x, const unsigned version) {
  icto::archive::check_version(version, 1, "account_key");
  ar& make_nvp("owner", x.owner);
  ar& make_nvp("subaccount",
               make_array(x.subaccount.data(), x.subaccount.size()));
}

template <class Archive>
void serialize(Archive& ar, icto::allowance_key& x, const unsigned version) {
  icto::archive::check_version(version, 1, "allowance_key");
  ar& make_nvp("from", x.from);
  ar& make_nvp("spender", x.spender);
}

template <class Archive>
void save(Archive& ar, const icto::allowance_entry& x, unsigned) {
  ar << make_nvp("amount", x.amount);
  icto::detail::save_optional_u64(ar, x.expires_at);
}

template <class Archive>
void load(Archive& ar, icto::allowance_entry& x, unsigned version) {
  icto::archive::check_version(version, 1, "allowance_entry");
  ar >> make_nvp("amount", x.amount);
  icto::detail::load_optional_u64(ar, x.expires_at);
}

template <class Archive>
void serialize(Archive& ar, icto::allowance_entry& x, const unsigned version) {
  split_free(ar, x, version);
}

template <class Archive>
void serialize(Archive& ar, icto::dedup_slot& x, const unsigned version) {
  icto::archive::check_version(version, 1, "dedup_slot");
  ar& make_nvp("hash", make_array(x.hash.data(), x.hash.size()));
  ar& make_nvp("prune_after", x.prune_after);
}

// -- config
// ---------------------------------------------------------------------

template <class Archive>
void save(Archive& ar, const icto::ledger_config& x, unsigned) {
  ar << make_nvp("name", x.name);
  ar << make_nvp("symbol", x.symbol);
  ar << make_nvp("decimals", x.decimals);
  ar << make_nvp("fee", x.fee);
  icto::detail::save_account(ar, x.minting_account);
  const collection_size_type count{x.initial_balances.size()};
  ar << make_nvp("count", count);
  for (const auto& ib : x.initial_balances) {
    icto::detail::save_account(ar, ib.account);
    ar << make_nvp("amount", ib.amount);
  }
  const int64_t window = x.tx_window.count();
  const int64_t drift = x.permitted_drift.count();
  ar << make_nvp("tx_window_ns", window);
  ar << make_nvp("permitted_drift_ns", drift);
}

template <class Archive>
void load(Archive& ar, icto::ledger_config& x, unsigned version) {
  icto::archive::check_version(version, 1, "ledger_config");
  icto::ledger_config out;
  ar >> make_nvp("name", out.name);
  ar >> make_nvp("symbol", out.symbol);
  ar >> make_nvp("decimals", out.decimals);
  ar >> make_nvp("fee", out.fee);
  icto::detail::load_account(ar, out.minting_account);
  collection_size_type count;
  ar >> make_nvp("count", count);
  for (std::size_t i = 0; i < count; ++i) {
    icto::initial_balance ib;
    icto::detail::load_account(ar, ib.account);
    ar >> make_nvp("amount", ib.amount);
    out.initial_balances.push_back(std::move(ib));
  }
  int64_t window = 0;
  int64_t drift = 0;
  ar >> make_nvp("tx_window_ns", window);
  ar >> make_nvp("permitted_drift_ns", drift);
  out.tx_window = std::chrono::nanoseconds{window};
  out.permitted_drift = std::chrono::nanoseconds{drift};
  if (auto ok = icto::validate(out); !ok)
    icto::archive::fail("ledger_config: " + ok.err().message);
  x = std::move(out);
}

template <class Archive>
void serialize(Archive& ar, icto::ledger_config& x, const unsigned version) {
  split_free(ar, x, version);
}

// -- state
// ----------------------------------------------------------------------

template <class Archive>
void save(Archive& ar, const icto::ledger_state& x, unsigned) {
  ar << make_nvp("config", x.config);
  ar << make_nvp("balances", x.balances);
  ar << make_nvp("allowances", x.allowances);
  ar << make_nvp("expiries", x.expiries);
  ar << make_nvp("expiry_cursor", x.expiry_cursor);
  ar << make_nvp("dedup", x.dedup);
  ar << make_nvp("dedup_fifo", x.dedup_fifo);
  ar << make_nvp("dedup_head", x.dedup_head);
  ar << make_nvp("dedup_tail", x.dedup_tail);
  ar << make_nvp("next_block", x.next_block);
  ar << make_nvp("last_time", x.last_time);
  ar << make_nvp("minted", x.minted);
  ar << make_nvp("burned", x.burned);
  ar << make_nvp("fees_burned", x.fees_burned);
}

/// Throws `archive_exception` on a newer version or a state that breaks
/// `check_invariants`; leaves `x` unchanged if anything throws.
template <class Archive>
void load(Archive& ar, icto::ledger_state& x, unsigned version) {
  icto::archive::check_version(version, 1, "ledger_state");
  icto::ledger_state out;
  ar >> make_nvp("config", out.config);
  ar >> make_nvp("balances", out.balances);
  ar >> make_nvp("allowances", out.allowances);
  ar >> make_nvp("expiries", out.expiries);
  ar >> make_nvp("expiry_cursor", out.expiry_cursor);
  ar >> make_nvp("dedup", out.dedup);
  ar >> make_nvp("dedup_fifo", out.dedup_fifo);
  ar >> make_nvp("dedup_head", out.dedup_head);
  ar >> make_nvp("dedup_tail", out.dedup_tail);
  ar >> make_nvp("next_block", out.next_block);
  ar >> make_nvp("last_time", out.last_time);
  ar >> make_nvp("minted", out.minted);
  ar >> make_nvp("burned", out.burned);
  ar >> make_nvp("fees_burned", out.fees_burned);
  if (!icto::check_invariants(out))
    icto::archive::fail("ledger_state: inconsistent totals or "
                        "indexes");
  x = std::move(out);
}

template <class Archive>
void serialize(Archive& ar, icto::ledger_state& x, const unsigned version) {
  split_free(ar, x, version);
}

} // namespace boost::serialization
