#pragma once

// Boost.Serialization of a contract's whole state (a contract actor's
// checkpoint): include only where archives are written or read.
//
// A contract actor checkpoints a `contract_checkpoint<KindState>`: its
// core, its kind's state and its callback counters. Every type below is
// class-versioned (version 1, not tracked); a newer version is refused.
// Format (version 1 of each):
//   contract_core        id, kind, owner, factory_id, version, controllers,
//                        auto_update, is_public, status, created_at
//   callback_stats       sent, accepted, failed, last_failure
//   token_state          ledger (ledger_state_serialization.hpp), owner,
//                        logo?, holders, max_supply?, tx_counts?
//   multisig_state       name, wallet, owner, signers, observers, threshold,
//                        proposals, next_proposal, executing, attempts
//   distribution_entry   amount, claimed
//   distribution_pending_claim  recipient, amount, created_at_time
//   distribution_state   name, owner, token, start_time, cliff_seconds,
//                        vesting_seconds, status, recipients, total_amount,
//                        total_claimed, pending, next_claim, activated_at?,
//                        cancel_reason?
//                        (pending and next_claim replaced pending_claims in
//                        version 1 before any release wrote a distribution
//                        checkpoint, so version 1 stays)
//   dao_proposal_record  proposal, ballots, eligible_power, executing,
//                        transfer_created_at?, transfer_block?
//   dao_state            name, owner, members, total_voting_power,
//                        quorum_bps, approval_threshold_bps,
//                        voting_period_seconds, proposals, next_proposal_id
//   launchpad_entry      contribution, pending, refunding
//   launchpad_transfer   kind, who, amount, from_subaccount?, fee?,
//                        created_at, in_flight
//   launchpad_state      config, owner, contributors, raised,
//                        pending_contributions, settled?, settling,
//                        finalized_at?, payout_block?, refunds, transfers,
//                        next_transfer, fee?, refund_cursor?
//                        (transfers to refund_cursor were added to version
//                        1: no release wrote a launchpad checkpoint before)
//   contract_checkpoint  core, state, callbacks
// (`?`: an optional, as a presence flag then the value; tries as in
// trie_serialization.hpp; message types field by field through
// ICTO_BOOST_DESCRIBED, each version 1.)
//
// Loading throws `archive_exception` and leaves the target unchanged when a
// version is newer, an enum holds no named value, or the state breaks its
// kind's check (check_token_state at the version its fields imply,
// check_multisig_state, check_invariants); a contract_checkpoint also needs
// the kind of its state, a code version of that kind, the state's owner
// (and wallet or minting account) agreeing with the core, controllers
// {factory, owner} or {owner}, and the kind's check at the core's version.
// Lengths are trusted as Boost does: check the record's checksum first.

#include "actors/contracts/contract_core.hpp"
#include "actors/contracts/contract_durable.hpp"
#include "actors/contracts/contract_spawn.hpp"
#include "actors/contracts/dao_state.hpp"
#include "actors/contracts/distribution_state.hpp"
#include "actors/contracts/launchpad_state.hpp"
#include "actors/contracts/multisig_state.hpp"
#include "actors/contracts/token_state.hpp"
#include "actors/ledger/ledger_state_serialization.hpp"
#include "messages/describe.hpp"
#include "persistence/archive_helpers.hpp"
#include "persistence/described_serialization.hpp"
#include "persistence/message_serialization.hpp"
#include "persistence/principal_serialization.hpp"
#include "persistence/trie_serialization.hpp"

#include <boost/mpl/int.hpp>
#include <boost/mpl/integral_c_tag.hpp>
#include <boost/serialization/level.hpp>
#include <boost/serialization/nvp.hpp>
#include <boost/serialization/split_free.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/tracking.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace icto {

// contract_checkpoint itself is defined in contract_durable.hpp.

/// Current archive version of `contract_checkpoint`.
inline constexpr unsigned contract_checkpoint_archive_version = 1;

} // namespace icto

ICTO_BOOST_DESCRIBED(icto::multisig_proposal, 1)
ICTO_BOOST_DESCRIBED(icto::dao_action_params, 1)
ICTO_BOOST_DESCRIBED(icto::dao_ballot, 1)
ICTO_BOOST_DESCRIBED(icto::dao_proposal, 1)
ICTO_BOOST_DESCRIBED(icto::contribution, 1)
ICTO_BOOST_DESCRIBED(icto::sale_refund, 1)
ICTO_BOOST_DESCRIBED(icto::launchpad_init, 1)

BOOST_CLASS_VERSION(icto::contract_core, 1)
BOOST_CLASS_TRACKING(icto::contract_core, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::callback_stats, 1)
BOOST_CLASS_TRACKING(icto::callback_stats, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::token_state, 1)
BOOST_CLASS_TRACKING(icto::token_state, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::multisig_state, 1)
BOOST_CLASS_TRACKING(icto::multisig_state, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::distribution_entry, 1)
BOOST_CLASS_TRACKING(icto::distribution_entry,
                     boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::distribution_pending_claim, 1)
BOOST_CLASS_TRACKING(icto::distribution_pending_claim,
                     boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::distribution_state, 1)
BOOST_CLASS_TRACKING(icto::distribution_state,
                     boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::dao_proposal_record, 1)
BOOST_CLASS_TRACKING(icto::dao_proposal_record,
                     boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::dao_state, 1)
BOOST_CLASS_TRACKING(icto::dao_state, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::launchpad_entry, 1)
BOOST_CLASS_TRACKING(icto::launchpad_entry, boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::launchpad_transfer, 1)
BOOST_CLASS_TRACKING(icto::launchpad_transfer,
                     boost::serialization::track_never)
BOOST_CLASS_VERSION(icto::launchpad_state, 1)
BOOST_CLASS_TRACKING(icto::launchpad_state, boost::serialization::track_never)

namespace icto::contract_archive {

/// Throws archive_exception unless `x` is a named value of its enum (Boost
/// loads an enum from any integer).
template <class E>
void check_enum(E x, const char* what) {
  for (const auto& n : icto_enum_names(static_cast<const E*>(nullptr)))
    if (n.value == x)
      return;
  archive::fail(std::string{what} + ": no such value "
                + std::to_string(static_cast<unsigned>(x)));
}

/// Throws archive_exception naming `what` if `problem` is not empty.
inline void check(const std::string& problem, const char* what) {
  if (!problem.empty())
    archive::fail(std::string{what} + ": " + problem);
}

inline void check(const result<unit>& ok, const char* what) {
  if (!ok)
    archive::fail(std::string{what} + ": " + ok.err().message);
}

/// The token version whose fields `st` has (the newest of those that add
/// a field), so that a token_state alone can be checked.
inline semver token_version_of_fields(const token_state& st) {
  if (st.tx_counts)
    return semver{1, 2, 0};
  if (st.max_supply)
    return semver{1, 1, 0};
  return semver{1, 0, 0};
}

// -- what a contract_checkpoint adds, per kind --------------------------------

inline contract_kind kind_of(const token_state&) {
  return contract_kind::token;
}
inline contract_kind kind_of(const multisig_state&) {
  return contract_kind::multisig;
}
inline contract_kind kind_of(const distribution_state&) {
  return contract_kind::distribution;
}
inline contract_kind kind_of(const dao_state&) {
  return contract_kind::dao;
}
inline contract_kind kind_of(const launchpad_state&) {
  return contract_kind::launchpad;
}

inline std::vector<code_version> code_versions_for(contract_kind kind) {
  switch (kind) {
  case contract_kind::token: return token_code_versions();
  case contract_kind::multisig: return multisig_code_versions();
  case contract_kind::distribution: return distribution_code_versions();
  case contract_kind::dao: return dao_code_versions();
  case contract_kind::launchpad: return launchpad_code_versions();
  }
  return {};
}

/// The kind's check at the core's version, and the state's identity
/// against the core's.
inline void check_with_core(const contract_core& core, const token_state& st) {
  check(check_token_state(st, core.version), "contract_checkpoint (token)");
  if (st.ledger.config.minting_account != account{core.id, std::nullopt})
    archive::fail("contract_checkpoint (token): the minting account is not "
                  "the contract's");
}
inline void check_with_core(const contract_core& core,
                            const multisig_state& st) {
  check(check_multisig_state(st), "contract_checkpoint (multisig)");
  if (st.wallet != core.id)
    archive::fail("contract_checkpoint (multisig): the wallet is not the "
                  "contract's");
}
inline void check_with_core(const contract_core&,
                            const distribution_state& st) {
  check(check_invariants(st), "contract_checkpoint (distribution)");
}
inline void check_with_core(const contract_core&, const dao_state& st) {
  check(check_invariants(st), "contract_checkpoint (dao)");
}
inline void check_with_core(const contract_core&, const launchpad_state& st) {
  check(validate(st.config), "contract_checkpoint (launchpad)");
  check(check_invariants(st), "contract_checkpoint (launchpad)");
}

/// Throws archive_exception unless `x` is a well-formed checkpoint.
template <class KindState>
void check_checkpoint(const contract_checkpoint<KindState>& x) {
  const auto& core = x.core;
  if (core.kind != kind_of(x.state))
    archive::fail("contract_checkpoint: a " + std::string{to_string(core.kind)}
                  + " core over a " + std::string{to_string(kind_of(x.state))}
                  + " state");
  const auto versions = code_versions_for(core.kind);
  if (std::none_of(versions.begin(), versions.end(),
                   [&](const code_version& v) {
                     return v.version == core.version;
                   }))
    archive::fail("contract_checkpoint: " + to_text(core.version)
                  + " is not a code version of its kind");
  if (x.state.owner != core.owner)
    archive::fail("contract_checkpoint: the state's owner is not the core's");
  check_with_core(core, x.state);
}

} // namespace icto::contract_archive

namespace boost::serialization {

// -- the core and the callback counters ---------------------------------------

template <class Archive>
void save(Archive& ar, const icto::contract_core& x, unsigned) {
  ar << make_nvp("id", x.id);
  ar << make_nvp("kind", x.kind);
  ar << make_nvp("owner", x.owner);
  ar << make_nvp("factory_id", x.factory_id);
  ar << make_nvp("version", x.version);
  ar << make_nvp("controllers", x.controllers);
  ar << make_nvp("auto_update", x.auto_update);
  ar << make_nvp("is_public", x.is_public);
  ar << make_nvp("status", x.status);
  ar << make_nvp("created_at", x.created_at);
}

/// Throws `archive_exception` on a newer version, an unknown kind or
/// controllers other than {factory, owner} or {owner}; leaves `x`
/// unchanged if anything throws.
template <class Archive>
void load(Archive& ar, icto::contract_core& x, unsigned version) {
  icto::archive::check_version(version, 1, "contract_core");
  icto::contract_core out;
  ar >> make_nvp("id", out.id);
  ar >> make_nvp("kind", out.kind);
  ar >> make_nvp("owner", out.owner);
  ar >> make_nvp("factory_id", out.factory_id);
  ar >> make_nvp("version", out.version);
  ar >> make_nvp("controllers", out.controllers);
  ar >> make_nvp("auto_update", out.auto_update);
  ar >> make_nvp("is_public", out.is_public);
  ar >> make_nvp("status", out.status);
  ar >> make_nvp("created_at", out.created_at);
  icto::contract_archive::check_enum(out.kind, "contract_core.kind");
  const std::vector<icto::principal> with_factory{out.factory_id, out.owner};
  const std::vector<icto::principal> owner_only{out.owner};
  if (out.controllers != with_factory && out.controllers != owner_only)
    icto::archive::fail("contract_core: controllers are neither {factory, "
                        "owner} nor {owner}");
  x = std::move(out);
}

template <class Archive>
void serialize(Archive& ar, icto::contract_core& x, const unsigned version) {
  split_free(ar, x, version);
}

template <class Archive>
void save(Archive& ar, const icto::callback_stats& x, unsigned) {
  ar << make_nvp("sent", x.sent);
  ar << make_nvp("accepted", x.accepted);
  ar << make_nvp("failed", x.failed);
  ar << make_nvp("last_failure", x.last_failure);
}

/// Throws `archive_exception` on a newer version or more answers than
/// callbacks sent.
template <class Archive>
void load(Archive& ar, icto::callback_stats& x, unsigned version) {
  icto::archive::check_version(version, 1, "callback_stats");
  icto::callback_stats out;
  ar >> make_nvp("sent", out.sent);
  ar >> make_nvp("accepted", out.accepted);
  ar >> make_nvp("failed", out.failed);
  ar >> make_nvp("last_failure", out.last_failure);
  if (out.accepted > out.sent || out.failed > out.sent - out.accepted)
    icto::archive::fail("callback_stats: more callbacks answered than sent");
  x = std::move(out);
}

template <class Archive>
void serialize(Archive& ar, icto::callback_stats& x, const unsigned version) {
  split_free(ar, x, version);
}

// -- token --------------------------------------------------------------------

template <class Archive>
void save(Archive& ar, const icto::token_state& x, unsigned) {
  ar << make_nvp("ledger", x.ledger);
  ar << make_nvp("owner", x.owner);
  icto::archive::save_opt(ar, "logo", x.logo);
  ar << make_nvp("holders", x.holders);
  icto::archive::save_opt(ar, "max_supply", x.max_supply);
  icto::archive::save_opt(ar, "tx_counts", x.tx_counts);
}

/// Throws `archive_exception` on a newer version or a state that breaks
/// `check_token_state` at the version its fields imply (the ledger's
/// invariants, the holder index, the supply cap); leaves `x` unchanged if
/// anything throws.
template <class Archive>
void load(Archive& ar, icto::token_state& x, unsigned version) {
  icto::archive::check_version(version, 1, "token_state");
  icto::token_state out;
  ar >> make_nvp("ledger", out.ledger);
  ar >> make_nvp("owner", out.owner);
  icto::archive::load_opt(ar, "logo", out.logo);
  ar >> make_nvp("holders", out.holders);
  icto::archive::load_opt(ar, "max_supply", out.max_supply);
  icto::archive::load_opt(ar, "tx_counts", out.tx_counts);
  icto::contract_archive::check(
      icto::check_token_state(
          out, icto::contract_archive::token_version_of_fields(out)),
      "token_state");
  x = std::move(out);
}

template <class Archive>
void serialize(Archive& ar, icto::token_state& x, const unsigned version) {
  split_free(ar, x, version);
}

// -- multisig -----------------------------------------------------------------

template <class Archive>
void save(Archive& ar, const icto::multisig_state& x, unsigned) {
  ar << make_nvp("name", x.name);
  ar << make_nvp("wallet", x.wallet);
  ar << make_nvp("owner", x.owner);
  ar << make_nvp("signers", x.signers);
  ar << make_nvp("observers", x.observers);
  ar << make_nvp("threshold", x.threshold);
  ar << make_nvp("proposals", x.proposals);
  ar << make_nvp("next_proposal", x.next_proposal);
  ar << make_nvp("executing", x.executing);
  ar << make_nvp("attempts", x.attempts);
}

/// Throws `archive_exception` on a newer version, an unknown proposal
/// status or a state that breaks `check_multisig_state`; leaves `x`
/// unchanged if anything throws.
template <class Archive>
void load(Archive& ar, icto::multisig_state& x, unsigned version) {
  icto::archive::check_version(version, 1, "multisig_state");
  icto::multisig_state out;
  ar >> make_nvp("name", out.name);
  ar >> make_nvp("wallet", out.wallet);
  ar >> make_nvp("owner", out.owner);
  ar >> make_nvp("signers", out.signers);
  ar >> make_nvp("observers", out.observers);
  ar >> make_nvp("threshold", out.threshold);
  ar >> make_nvp("proposals", out.proposals);
  ar >> make_nvp("next_proposal", out.next_proposal);
  ar >> make_nvp("executing", out.executing);
  ar >> make_nvp("attempts", out.attempts);
  out.proposals.for_each([](uint64_t, const icto::multisig_proposal& p) {
    icto::contract_archive::check_enum(p.status, "multisig_proposal.status");
  });
  icto::contract_archive::check(icto::check_multisig_state(out),
                                "multisig_state");
  x = std::move(out);
}

template <class Archive>
void serialize(Archive& ar, icto::multisig_state& x, const unsigned version) {
  split_free(ar, x, version);
}

// -- distribution -------------------------------------------------------------

template <class Archive>
void serialize(Archive& ar, icto::distribution_entry& x,
               const unsigned version) {
  icto::archive::check_version(version, 1, "distribution_entry");
  ar& make_nvp("amount", x.amount);
  ar& make_nvp("claimed", x.claimed);
}

template <class Archive>
void serialize(Archive& ar, icto::distribution_pending_claim& x,
               const unsigned version) {
  icto::archive::check_version(version, 1, "distribution_pending_claim");
  ar& make_nvp("recipient", x.recipient);
  ar& make_nvp("amount", x.amount);
  ar& make_nvp("created_at_time", x.created_at_time);
}

template <class Archive>
void save(Archive& ar, const icto::distribution_state& x, unsigned) {
  ar << make_nvp("name", x.name);
  ar << make_nvp("owner", x.owner);
  ar << make_nvp("token", x.token);
  ar << make_nvp("start_time", x.start_time);
  ar << make_nvp("cliff_seconds", x.cliff_seconds);
  ar << make_nvp("vesting_seconds", x.vesting_seconds);
  ar << make_nvp("status", x.status);
  ar << make_nvp("recipients", x.recipients);
  ar << make_nvp("total_amount", x.total_amount);
  ar << make_nvp("total_claimed", x.total_claimed);
  ar << make_nvp("pending", x.pending);
  ar << make_nvp("next_claim", x.next_claim);
  icto::archive::save_opt(ar, "activated_at", x.activated_at);
  icto::archive::save_opt(ar, "cancel_reason", x.cancel_reason);
}

/// Throws `archive_exception` on a newer version, an unknown status or a
/// state that breaks `check_invariants`; leaves `x` unchanged if anything
/// throws.
template <class Archive>
void load(Archive& ar, icto::distribution_state& x, unsigned version) {
  icto::archive::check_version(version, 1, "distribution_state");
  icto::distribution_state out;
  ar >> make_nvp("name", out.name);
  ar >> make_nvp("owner", out.owner);
  ar >> make_nvp("token", out.token);
  ar >> make_nvp("start_time", out.start_time);
  ar >> make_nvp("cliff_seconds", out.cliff_seconds);
  ar >> make_nvp("vesting_seconds", out.vesting_seconds);
  ar >> make_nvp("status", out.status);
  ar >> make_nvp("recipients", out.recipients);
  ar >> make_nvp("total_amount", out.total_amount);
  ar >> make_nvp("total_claimed", out.total_claimed);
  ar >> make_nvp("pending", out.pending);
  ar >> make_nvp("next_claim", out.next_claim);
  icto::archive::load_opt(ar, "activated_at", out.activated_at);
  icto::archive::load_opt(ar, "cancel_reason", out.cancel_reason);
  icto::contract_archive::check_enum(out.status, "distribution_state.status");
  icto::contract_archive::check(icto::check_invariants(out),
                                "distribution_state");
  x = std::move(out);
}

template <class Archive>
void serialize(Archive& ar, icto::distribution_state& x,
               const unsigned version) {
  split_free(ar, x, version);
}

// -- dao ----------------------------------------------------------------------

/// Throws `archive_exception` on a newer version or an unknown action,
/// status or vote.
template <class Archive>
void serialize(Archive& ar, icto::dao_proposal_record& x,
               const unsigned version) {
  icto::archive::check_version(version, 1, "dao_proposal_record");
  ar& make_nvp("proposal", x.proposal);
  ar& make_nvp("ballots", x.ballots);
  ar& make_nvp("eligible_power", x.eligible_power);
  ar& make_nvp("executing", x.executing);
  // Added to version 1 with the DAO's journal (issue 5): no release wrote
  // a DAO checkpoint before, so the layout changed in place.
  if constexpr (Archive::is_saving::value) {
    icto::archive::save_opt(ar, "transfer_created_at", x.transfer_created_at);
    icto::archive::save_opt(ar, "transfer_block", x.transfer_block);
  } else {
    icto::archive::load_opt(ar, "transfer_created_at", x.transfer_created_at);
    icto::archive::load_opt(ar, "transfer_block", x.transfer_block);
  }
  if constexpr (!Archive::is_saving::value) {
    using icto::contract_archive::check_enum;
    check_enum(x.proposal.action, "dao_proposal.action");
    check_enum(x.proposal.status, "dao_proposal.status");
    for (const auto& b : x.proposal.ballots)
      check_enum(b.vote, "dao_ballot.vote");
    x.ballots.for_each([](const icto::principal&, const icto::dao_ballot& b) {
      check_enum(b.vote, "dao_ballot.vote");
    });
  }
}

template <class Archive>
void save(Archive& ar, const icto::dao_state& x, unsigned) {
  ar << make_nvp("name", x.name);
  ar << make_nvp("owner", x.owner);
  ar << make_nvp("members", x.members);
  ar << make_nvp("total_voting_power", x.total_voting_power);
  ar << make_nvp("quorum_bps", x.quorum_bps);
  ar << make_nvp("approval_threshold_bps", x.approval_threshold_bps);
  ar << make_nvp("voting_period_seconds", x.voting_period_seconds);
  ar << make_nvp("proposals", x.proposals);
  ar << make_nvp("next_proposal_id", x.next_proposal_id);
}

/// Throws `archive_exception` on a newer version or a state that breaks
/// `check_invariants`; leaves `x` unchanged if anything throws.
template <class Archive>
void load(Archive& ar, icto::dao_state& x, unsigned version) {
  icto::archive::check_version(version, 1, "dao_state");
  icto::dao_state out;
  ar >> make_nvp("name", out.name);
  ar >> make_nvp("owner", out.owner);
  ar >> make_nvp("members", out.members);
  ar >> make_nvp("total_voting_power", out.total_voting_power);
  ar >> make_nvp("quorum_bps", out.quorum_bps);
  ar >> make_nvp("approval_threshold_bps", out.approval_threshold_bps);
  ar >> make_nvp("voting_period_seconds", out.voting_period_seconds);
  ar >> make_nvp("proposals", out.proposals);
  ar >> make_nvp("next_proposal_id", out.next_proposal_id);
  icto::contract_archive::check(icto::check_invariants(out), "dao_state");
  x = std::move(out);
}

template <class Archive>
void serialize(Archive& ar, icto::dao_state& x, const unsigned version) {
  split_free(ar, x, version);
}

// -- launchpad ----------------------------------------------------------------

template <class Archive>
void serialize(Archive& ar, icto::launchpad_entry& x, const unsigned version) {
  icto::archive::check_version(version, 1, "launchpad_entry");
  ar& make_nvp("contribution", x.contribution);
  ar& make_nvp("pending", x.pending);
  ar& make_nvp("refunding", x.refunding);
}

template <class Archive>
void save(Archive& ar, const icto::launchpad_transfer& x, unsigned) {
  ar << make_nvp("kind", x.kind);
  ar << make_nvp("who", x.who);
  ar << make_nvp("amount", x.amount);
  icto::archive::save_opt(ar, "from_subaccount", x.from_subaccount);
  icto::archive::save_opt(ar, "fee", x.fee);
  ar << make_nvp("created_at", x.created_at);
  ar << make_nvp("in_flight", x.in_flight);
}

/// Throws `archive_exception` on a newer version or an unknown kind;
/// leaves `x` unchanged if anything throws.
template <class Archive>
void load(Archive& ar, icto::launchpad_transfer& x, unsigned version) {
  icto::archive::check_version(version, 1, "launchpad_transfer");
  icto::launchpad_transfer out;
  ar >> make_nvp("kind", out.kind);
  ar >> make_nvp("who", out.who);
  ar >> make_nvp("amount", out.amount);
  icto::archive::load_opt(ar, "from_subaccount", out.from_subaccount);
  icto::archive::load_opt(ar, "fee", out.fee);
  ar >> make_nvp("created_at", out.created_at);
  ar >> make_nvp("in_flight", out.in_flight);
  icto::contract_archive::check_enum(out.kind, "launchpad_transfer.kind");
  x = std::move(out);
}

template <class Archive>
void serialize(Archive& ar, icto::launchpad_transfer& x,
               const unsigned version) {
  split_free(ar, x, version);
}

template <class Archive>
void save(Archive& ar, const icto::launchpad_state& x, unsigned) {
  ar << make_nvp("config", x.config);
  ar << make_nvp("owner", x.owner);
  ar << make_nvp("contributors", x.contributors);
  ar << make_nvp("raised", x.raised);
  ar << make_nvp("pending_contributions", x.pending_contributions);
  icto::archive::save_opt(ar, "settled", x.settled);
  ar << make_nvp("settling", x.settling);
  icto::archive::save_opt(ar, "finalized_at", x.finalized_at);
  icto::archive::save_opt(ar, "payout_block", x.payout_block);
  ar << make_nvp("refunds", x.refunds);
  ar << make_nvp("transfers", x.transfers);
  ar << make_nvp("next_transfer", x.next_transfer);
  icto::archive::save_opt(ar, "fee", x.fee);
  icto::archive::save_opt(ar, "refund_cursor", x.refund_cursor);
}

/// Throws `archive_exception` on a newer version, an unknown status, a
/// config that `validate` refuses or a state that breaks
/// `check_invariants`; leaves `x` unchanged if anything throws.
template <class Archive>
void load(Archive& ar, icto::launchpad_state& x, unsigned version) {
  icto::archive::check_version(version, 1, "launchpad_state");
  icto::launchpad_state out;
  ar >> make_nvp("config", out.config);
  ar >> make_nvp("owner", out.owner);
  ar >> make_nvp("contributors", out.contributors);
  ar >> make_nvp("raised", out.raised);
  ar >> make_nvp("pending_contributions", out.pending_contributions);
  icto::archive::load_opt(ar, "settled", out.settled);
  ar >> make_nvp("settling", out.settling);
  icto::archive::load_opt(ar, "finalized_at", out.finalized_at);
  icto::archive::load_opt(ar, "payout_block", out.payout_block);
  ar >> make_nvp("refunds", out.refunds);
  ar >> make_nvp("transfers", out.transfers);
  ar >> make_nvp("next_transfer", out.next_transfer);
  icto::archive::load_opt(ar, "fee", out.fee);
  icto::archive::load_opt(ar, "refund_cursor", out.refund_cursor);
  if (out.settled)
    icto::contract_archive::check_enum(*out.settled, "launchpad_state.settled");
  // Before check_invariants: it divides by the price.
  icto::contract_archive::check(icto::validate(out.config),
                                "launchpad_state.config");
  icto::contract_archive::check(icto::check_invariants(out), "launchpad_state");
  x = std::move(out);
}

template <class Archive>
void serialize(Archive& ar, icto::launchpad_state& x, const unsigned version) {
  split_free(ar, x, version);
}

// -- the checkpoint -----------------------------------------------------------

template <class S>
struct version<icto::contract_checkpoint<S>> {
  using type = mpl::int_<icto::contract_checkpoint_archive_version>;
  using tag = mpl::integral_c_tag;
  BOOST_STATIC_CONSTANT(int, value = type::value);
};

template <class S>
struct tracking_level<icto::contract_checkpoint<S>> {
  using type = mpl::int_<track_never>;
  using tag = mpl::integral_c_tag;
  BOOST_STATIC_CONSTANT(int, value = type::value);
};

template <class Archive, class S>
void save(Archive& ar, const icto::contract_checkpoint<S>& x, unsigned) {
  ar << make_nvp("core", x.core);
  ar << make_nvp("state", x.state);
  ar << make_nvp("callbacks", x.callbacks);
}

/// Throws `archive_exception` on a newer version or a checkpoint that
/// `check_checkpoint` refuses; leaves `x` unchanged if anything throws.
template <class Archive, class S>
void load(Archive& ar, icto::contract_checkpoint<S>& x, unsigned version) {
  icto::archive::check_version(version,
                               icto::contract_checkpoint_archive_version,
                               "contract_checkpoint");
  icto::contract_checkpoint<S> out;
  ar >> make_nvp("core", out.core);
  ar >> make_nvp("state", out.state);
  ar >> make_nvp("callbacks", out.callbacks);
  icto::contract_archive::check_checkpoint(out);
  x = std::move(out);
}

template <class Archive, class S>
void serialize(Archive& ar, icto::contract_checkpoint<S>& x,
               const unsigned version) {
  split_free(ar, x, version);
}

} // namespace boost::serialization
