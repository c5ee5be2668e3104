#pragma once

// The five factories (ICTO V2's token, multisig, distribution, DAO and
// launchpad factories): one shared core — whitelist, indexes, queries,
// versions, upgrades, the callbacks every kind sends — and per kind the
// createContract the backend calls and the kind's own index callbacks.
// Errors: factory_errc.
//
// Callbacks (notify*) are internal: only the deployed contract whose id the
// message names may send them (the caller, which the factory learns from the
// CAF sender, must equal `contract_id`); any other caller is refused with
// factory_errc::forged_callback and counted in factory_stats.

#include "messages/common.hpp"
#include "messages/contract_init.hpp"
#include "messages/method.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace icto {

// -- contract records
// -----------------------------------------------------------

/// Where a contract is in its deployment: spawned and waiting for its
/// notifyDeploymentComplete, deployed, or given up on (the backend refunds).
enum class deployment_state : uint8_t {
  deploying,
  deployed,
  failed,
};
ICTO_ENUM(deployment_state, deploying, deployed, failed)

/// A deployed contract as its factory records it; the factory keeps it up to
/// date from the contract's callbacks.
struct contract_info {
  principal id;
  contract_kind kind = contract_kind::token;
  /// The owner: the user the backend deployed it for (the creator index).
  principal owner;
  std::string name;
  timestamp created_at = 0;
  semver version;
  bool is_public = false;
  /// The kind's business status as last reported (notifyStatusChanged),
  /// e.g. "active", "completed", "open".
  std::string status;
  deployment_state deployment = deployment_state::deploying;
  bool auto_update = true;
  /// {factory, owner} at deployment; the owner may remove the factory.
  std::vector<principal> controllers;
};
ICTO_FIELDS(contract_info, id, kind, owner, name, created_at, version,
            is_public, status, deployment, auto_update, controllers)

/// One line of getMyContracts: a contract and how the user relates to it. A
/// user with several roles in one contract has one line per role.
struct my_contract_entry {
  principal id;
  contract_kind kind = contract_kind::token;
  contract_role role = contract_role::creator;
};
ICTO_FIELDS(my_contract_entry, id, kind, role)

/// Argument of getMyContracts: the contracts `user` created or takes part
/// in, optionally only those where the user has `role`.
struct my_contracts_arg {
  principal user;
  std::optional<contract_role> role;
  ::icto::page page;
};
ICTO_FIELDS(my_contracts_arg, user, role, page)

/// A page of getMyContracts; `total` counts all lines, not just this page.
struct my_contracts_page {
  std::vector<my_contract_entry> entries;
  uint64_t total = 0;
};
ICTO_FIELDS(my_contracts_page, entries, total)

/// A page of contracts (getPublicContracts); `total` counts all of them.
struct contract_page {
  std::vector<contract_info> contracts;
  uint64_t total = 0;
};
ICTO_FIELDS(contract_page, contracts, total)

/// Argument of getContractInfo.
struct contract_info_arg {
  principal contract_id;
};
ICTO_FIELDS(contract_info_arg, contract_id)

// -- setup, stats, health
// -------------------------------------------------------

/// Argument of setupWhitelist: the backends that may call createContract
/// (replaces the whole list).
struct factory_setup_whitelist_arg {
  std::vector<principal> backends;
};
ICTO_FIELDS(factory_setup_whitelist_arg, backends)

/// Argument of getWhitelist.
struct factory_whitelist_arg {};
ICTO_NO_FIELDS(factory_whitelist_arg)

/// How many contracts report one business status.
struct status_count {
  std::string status;
  uint64_t count = 0;
};
ICTO_FIELDS(status_count, status, count)

/// A factory's counters (getFactoryStats).
struct factory_stats {
  contract_kind kind = contract_kind::token;
  /// The deployed set (deploying and deployed).
  uint64_t contracts = 0;
  /// Distinct owners in the creator index.
  uint64_t creators = 0;
  uint64_t public_contracts = 0;
  /// (user, contract, role) entries of the kind's role indexes.
  uint64_t role_entries = 0;
  uint64_t deployments_failed = 0;
  uint64_t callbacks_accepted = 0;
  /// Callbacks refused: not from the contract they name, or unknown id.
  uint64_t callbacks_refused = 0;
  uint64_t upgrades = 0;
  /// Upgrades that failed or were rolled back.
  uint64_t upgrades_failed = 0;
  std::vector<status_count> by_status;
};
ICTO_FIELDS(factory_stats, kind, contracts, creators, public_contracts,
            role_entries, deployments_failed, callbacks_accepted,
            callbacks_refused, upgrades, upgrades_failed, by_status)

/// Argument of getFactoryStats.
struct factory_stats_arg {};
ICTO_NO_FIELDS(factory_stats_arg)

/// A factory's health as the backend's health check reads it.
struct factory_health {
  contract_kind kind = contract_kind::token;
  /// Set up (whitelist, a version) and every contract reachable.
  bool healthy = false;
  uint64_t contracts = 0;
  /// Contracts still waiting for notifyDeploymentComplete.
  uint64_t deploying = 0;
  /// Contracts on nodes that are down.
  uint64_t unreachable = 0;
  timestamp started_at = 0;
  /// Why it is unhealthy; empty when healthy.
  std::string message;
};
ICTO_FIELDS(factory_health, kind, healthy, contracts, deploying, unreachable,
            started_at, message)

/// Argument of getHealth.
struct factory_health_arg {};
ICTO_NO_FIELDS(factory_health_arg)

/// Whether a factory can deploy: a whitelisted backend and a version.
struct factory_setup_status {
  contract_kind kind = contract_kind::token;
  std::vector<principal> whitelist;
  std::vector<principal> admins;
  uint64_t versions = 0;
  std::optional<semver> latest_version;
  bool ready = false;
  /// What is missing, e.g. "whitelist", "version"; empty when ready.
  std::vector<std::string> missing;
};
ICTO_FIELDS(factory_setup_status, kind, whitelist, admins, versions,
            latest_version, ready, missing)

/// Argument of getSetupStatus.
struct factory_setup_status_arg {};
ICTO_NO_FIELDS(factory_setup_status_arg)

// -- versions and upgrades
// ------------------------------------------------------

/// A version of the factory's contract kind and the state migration that
/// brings a contract to it (registered in code; named here).
struct registered_version {
  semver version;
  timestamp released_at = 0;
  std::string notes;
  /// What the migration to this version does to a contract's state.
  std::string migration;
  /// Only stable versions are rolled out and used for new contracts.
  bool stable = false;
  /// The oldest version that may upgrade to this one directly.
  std::optional<semver> min_upgrade_from;
};
ICTO_FIELDS(registered_version, version, released_at, notes, migration, stable,
            min_upgrade_from)

/// Argument of registerVersion; `released_at` is the factory's clock.
struct register_version_arg {
  semver version;
  std::string notes;
  std::string migration;
  bool stable = false;
  std::optional<semver> min_upgrade_from;
};
ICTO_FIELDS(register_version_arg, version, notes, migration, stable,
            min_upgrade_from)

/// Argument of getVersions.
struct versions_arg {};
ICTO_NO_FIELDS(versions_arg)

/// Why a contract changed version.
enum class upgrade_trigger : uint8_t {
  /// upgradeContract by a controller.
  manual,
  /// rolloutVersion to auto-update contracts.
  rollout,
  /// rollbackContract.
  rollback,
};
ICTO_ENUM(upgrade_trigger, manual, rollout, rollback)

/// How an upgrade ended.
enum class upgrade_outcome : uint8_t {
  succeeded,
  /// The migration failed: the contract kept its old version and state.
  failed,
  /// The new version failed its health check: the old state was restored.
  rolled_back,
};
ICTO_ENUM(upgrade_outcome, succeeded, failed, rolled_back)

/// One entry of a contract's version history.
struct upgrade_record {
  principal contract_id;
  semver from;
  semver to;
  upgrade_trigger trigger = upgrade_trigger::manual;
  upgrade_outcome outcome = upgrade_outcome::succeeded;
  principal requested_by;
  timestamp at = 0;
  /// Why it failed or was rolled back; empty on success.
  std::string message;
};
ICTO_FIELDS(upgrade_record, contract_id, from, to, trigger, outcome,
            requested_by, at, message)

/// Argument of upgradeContract.
struct upgrade_contract_arg {
  principal contract_id;
  semver version;
};
ICTO_FIELDS(upgrade_contract_arg, contract_id, version)

/// Argument of rollbackContract: back to the version before the last
/// successful upgrade.
struct rollback_contract_arg {
  principal contract_id;
};
ICTO_FIELDS(rollback_contract_arg, contract_id)

/// Argument of getContractVersionHistory.
struct version_history_arg {
  principal contract_id;
};
ICTO_FIELDS(version_history_arg, contract_id)

/// Argument of rolloutVersion: upgrade every auto-update contract below
/// `version`, first `canaries` of them, then the rest `batch_size` at a time.
struct rollout_version_arg {
  semver version;
  uint32_t canaries = 1;
  uint32_t batch_size = 10;
};
ICTO_FIELDS(rollout_version_arg, version, canaries, batch_size)

/// A contract a rollout did not upgrade, and why.
struct rollout_failure {
  principal contract_id;
  std::string reason;
};
ICTO_FIELDS(rollout_failure, contract_id, reason)

/// What a rollout did. A failed canary halts it before the batches.
struct rollout_report {
  semver version;
  /// Auto-update contracts below `version` with the factory as controller.
  uint64_t candidates = 0;
  std::vector<principal> canaries;
  uint32_t batches = 0;
  uint64_t upgraded = 0;
  uint64_t failed = 0;
  /// Contracts with auto_update off or without the factory as controller.
  uint64_t skipped = 0;
  bool halted = false;
  std::vector<rollout_failure> failures;
};
ICTO_FIELDS(rollout_report, version, candidates, canaries, batches, upgraded,
            failed, skipped, halted, failures)

// -- callbacks every kind sends
// -------------------------------------------------

/// notifyDeploymentComplete: the contract is initialized and serving.
struct notify_deployment_complete_arg {
  principal contract_id;
};
ICTO_FIELDS(notify_deployment_complete_arg, contract_id)

/// notifyVisibilityChanged: the contract joined or left the public set.
struct notify_visibility_changed_arg {
  principal contract_id;
  bool is_public = false;
};
ICTO_FIELDS(notify_visibility_changed_arg, contract_id, is_public)

/// notifyStatusChanged: the contract's business status changed.
struct notify_status_changed_arg {
  principal contract_id;
  std::string status;
};
ICTO_FIELDS(notify_status_changed_arg, contract_id, status)

/// notifyAutoUpdateChanged: the owner turned auto-update on or off.
struct notify_auto_update_changed_arg {
  principal contract_id;
  bool auto_update = false;
};
ICTO_FIELDS(notify_auto_update_changed_arg, contract_id, auto_update)

/// notifyControllersChanged: the contract's controllers now (the owner
/// removed the factory).
struct notify_controllers_changed_arg {
  principal contract_id;
  std::vector<principal> controllers;
};
ICTO_FIELDS(notify_controllers_changed_arg, contract_id, controllers)

using principals = std::vector<principal>;
using registered_versions = std::vector<registered_version>;
using upgrade_records = std::vector<upgrade_record>;

/// Replaces the backend whitelist; a factory admin.
ICTO_METHOD(factory, setupWhitelist, update, factory_setup_whitelist_arg,
            result<unit>)
/// The whitelisted backends; anyone.
ICTO_METHOD(factory, getWhitelist, query, factory_whitelist_arg,
            result<principals>)
/// The contracts a user created or takes part in, with the role; anyone.
ICTO_METHOD(factory, getMyContracts, query, my_contracts_arg,
            result<my_contracts_page>)
/// The public contracts, newest first; anyone.
ICTO_METHOD(factory, getPublicContracts, query, page, result<contract_page>)
/// One deployed contract (factory_errc::unknown_contract if none); anyone.
ICTO_METHOD(factory, getContractInfo, query, contract_info_arg,
            result<contract_info>)
/// The factory's counters; anyone.
ICTO_METHOD(factory, getFactoryStats, query, factory_stats_arg,
            result<factory_stats>)
/// The factory's health; anyone (the backend's health check).
ICTO_METHOD(factory, getHealth, query, factory_health_arg,
            result<factory_health>)
/// Whether the factory can deploy; anyone.
ICTO_METHOD(factory, getSetupStatus, query, factory_setup_status_arg,
            result<factory_setup_status>)
/// Registers a version of the kind (factory_errc::duplicate_version if
/// known); a factory admin.
ICTO_METHOD(factory, registerVersion, update, register_version_arg,
            result<unit>)
/// The registered versions, oldest first; anyone.
ICTO_METHOD(factory, getVersions, query, versions_arg,
            result<registered_versions>)
/// Migrates a contract to a registered version; a controller (the owner, or
/// a factory admin while the factory is one). A failed migration replies
/// factory_errc::migration_failed and the contract keeps its version.
ICTO_METHOD(factory, upgradeContract, update, upgrade_contract_arg,
            result<upgrade_record>)
/// Migrates a contract back to its previous version; a controller.
ICTO_METHOD(factory, rollbackContract, update, rollback_contract_arg,
            result<upgrade_record>)
/// A contract's upgrades, rollbacks and failed attempts, oldest first;
/// anyone.
ICTO_METHOD(factory, getContractVersionHistory, query, version_history_arg,
            result<upgrade_records>)
/// Rolls a version out to the auto-update contracts, canaries first; a
/// factory admin.
ICTO_METHOD(factory, rolloutVersion, update, rollout_version_arg,
            result<rollout_report>)
/// A new contract is serving; that contract only.
ICTO_METHOD(factory, notifyDeploymentComplete, internal,
            notify_deployment_complete_arg, result<unit>)
/// Updates the public set; that contract only.
ICTO_METHOD(factory, notifyVisibilityChanged, internal,
            notify_visibility_changed_arg, result<unit>)
/// Updates the recorded status; that contract only.
ICTO_METHOD(factory, notifyStatusChanged, internal, notify_status_changed_arg,
            result<unit>)
/// Updates the recorded auto_update; that contract only.
ICTO_METHOD(factory, notifyAutoUpdateChanged, internal,
            notify_auto_update_changed_arg, result<unit>)
/// Updates the recorded controllers; that contract only.
ICTO_METHOD(factory, notifyControllersChanged, internal,
            notify_controllers_changed_arg, result<unit>)

/// What every factory answers.
using factory_common_methods = method_list<
    factory_setupWhitelist, factory_getWhitelist, factory_getMyContracts,
    factory_getPublicContracts, factory_getContractInfo,
    factory_getFactoryStats, factory_getHealth, factory_getSetupStatus,
    factory_registerVersion, factory_getVersions, factory_upgradeContract,
    factory_rollbackContract, factory_getContractVersionHistory,
    factory_rolloutVersion, factory_notifyDeploymentComplete,
    factory_notifyVisibilityChanged, factory_notifyStatusChanged,
    factory_notifyAutoUpdateChanged, factory_notifyControllersChanged>;

// -- token factory
// --------------------------------------------------------------

/// createContract of the token factory. `request_id` and `payment_id` (the
/// invoice storage's record, none for a zero fee) trace the deployment.
struct create_token_contract {
  principal owner;
  token_init init;
  std::string request_id;
  std::optional<uint64_t> payment_id;
};
ICTO_FIELDS(create_token_contract, owner, init, request_id, payment_id)

/// A holder's balance after a change, summed over its subaccounts; the
/// holder index keeps exactly the principals with a balance above 0.
struct holder_balance {
  principal holder;
  tokens balance = 0;
};
ICTO_FIELDS(holder_balance, holder, balance)

/// notifyTransfer: both sides of a transfer.
struct notify_transfer_arg {
  principal contract_id;
  holder_balance from;
  holder_balance to;
};
ICTO_FIELDS(notify_transfer_arg, contract_id, from, to)

/// notifyMint: the receiver of a mint.
struct notify_mint_arg {
  principal contract_id;
  holder_balance to;
};
ICTO_FIELDS(notify_mint_arg, contract_id, to)

/// notifyBurn: the holder who burned.
struct notify_burn_arg {
  principal contract_id;
  holder_balance from;
};
ICTO_FIELDS(notify_burn_arg, contract_id, from)

/// Deploys a token contract for `owner`; the whitelisted backend only.
/// Replies the contract id once it called notifyDeploymentComplete.
ICTO_METHOD(token_factory, createContract, internal, create_token_contract,
            result<principal>)
/// Updates the holder index; that contract only.
ICTO_METHOD(token_factory, notifyTransfer, internal, notify_transfer_arg,
            result<unit>)
/// Updates the holder index; that contract only.
ICTO_METHOD(token_factory, notifyMint, internal, notify_mint_arg, result<unit>)
/// Updates the holder index; that contract only.
ICTO_METHOD(token_factory, notifyBurn, internal, notify_burn_arg, result<unit>)

using token_factory_methods = concat_methods<
    factory_common_methods,
    method_list<token_factory_createContract, token_factory_notifyTransfer,
                token_factory_notifyMint, token_factory_notifyBurn>>::type;

// -- multisig factory
// -----------------------------------------------------------

/// createContract of the multisig factory; fields as create_token_contract.
struct create_multisig_contract {
  principal owner;
  multisig_init init;
  std::string request_id;
  std::optional<uint64_t> payment_id;
};
ICTO_FIELDS(create_multisig_contract, owner, init, request_id, payment_id)

/// notifySignerAdded.
struct notify_signer_added_arg {
  principal contract_id;
  principal signer;
};
ICTO_FIELDS(notify_signer_added_arg, contract_id, signer)

/// notifySignerRemoved.
struct notify_signer_removed_arg {
  principal contract_id;
  principal signer;
};
ICTO_FIELDS(notify_signer_removed_arg, contract_id, signer)

/// notifyObserverAdded.
struct notify_observer_added_arg {
  principal contract_id;
  principal observer;
};
ICTO_FIELDS(notify_observer_added_arg, contract_id, observer)

/// notifyObserverRemoved.
struct notify_observer_removed_arg {
  principal contract_id;
  principal observer;
};
ICTO_FIELDS(notify_observer_removed_arg, contract_id, observer)

/// notifyProposalCreated (multisig and DAO): counted in the stats.
struct notify_proposal_created_arg {
  principal contract_id;
  uint64_t proposal_id = 0;
  principal proposer;
};
ICTO_FIELDS(notify_proposal_created_arg, contract_id, proposal_id, proposer)

/// Deploys a multisig wallet for `owner`; the whitelisted backend only.
ICTO_METHOD(multisig_factory, createContract, internal,
            create_multisig_contract, result<principal>)
/// Adds to the signer index; that contract only.
ICTO_METHOD(multisig_factory, notifySignerAdded, internal,
            notify_signer_added_arg, result<unit>)
/// Removes from the signer index; that contract only.
ICTO_METHOD(multisig_factory, notifySignerRemoved, internal,
            notify_signer_removed_arg, result<unit>)
/// Adds to the observer index; that contract only.
ICTO_METHOD(multisig_factory, notifyObserverAdded, internal,
            notify_observer_added_arg, result<unit>)
/// Removes from the observer index; that contract only.
ICTO_METHOD(multisig_factory, notifyObserverRemoved, internal,
            notify_observer_removed_arg, result<unit>)
/// Counts a new proposal; that contract only.
ICTO_METHOD(multisig_factory, notifyProposalCreated, internal,
            notify_proposal_created_arg, result<unit>)

using multisig_factory_methods
    = concat_methods<factory_common_methods,
                     method_list<multisig_factory_createContract,
                                 multisig_factory_notifySignerAdded,
                                 multisig_factory_notifySignerRemoved,
                                 multisig_factory_notifyObserverAdded,
                                 multisig_factory_notifyObserverRemoved,
                                 multisig_factory_notifyProposalCreated>>::type;

// -- distribution factory
// -------------------------------------------------------

/// createContract of the distribution factory; fields as
/// create_token_contract.
struct create_distribution_contract {
  principal owner;
  distribution_init init;
  std::string request_id;
  std::optional<uint64_t> payment_id;
};
ICTO_FIELDS(create_distribution_contract, owner, init, request_id, payment_id)

/// notifyRecipientAdded.
struct notify_recipient_added_arg {
  principal contract_id;
  principal recipient;
};
ICTO_FIELDS(notify_recipient_added_arg, contract_id, recipient)

/// notifyRecipientRemoved.
struct notify_recipient_removed_arg {
  principal contract_id;
  principal recipient;
};
ICTO_FIELDS(notify_recipient_removed_arg, contract_id, recipient)

/// Deploys a distribution for `owner`; the whitelisted backend only.
ICTO_METHOD(distribution_factory, createContract, internal,
            create_distribution_contract, result<principal>)
/// Adds to the recipient index; that contract only.
ICTO_METHOD(distribution_factory, notifyRecipientAdded, internal,
            notify_recipient_added_arg, result<unit>)
/// Removes from the recipient index; that contract only.
ICTO_METHOD(distribution_factory, notifyRecipientRemoved, internal,
            notify_recipient_removed_arg, result<unit>)

using distribution_factory_methods = concat_methods<
    factory_common_methods,
    method_list<distribution_factory_createContract,
                distribution_factory_notifyRecipientAdded,
                distribution_factory_notifyRecipientRemoved>>::type;

// -- DAO factory
// ----------------------------------------------------------------

/// createContract of the DAO factory; fields as create_token_contract.
struct create_dao_contract {
  principal owner;
  dao_init init;
  std::string request_id;
  std::optional<uint64_t> payment_id;
};
ICTO_FIELDS(create_dao_contract, owner, init, request_id, payment_id)

/// notifyMemberAdded.
struct notify_member_added_arg {
  principal contract_id;
  principal member;
};
ICTO_FIELDS(notify_member_added_arg, contract_id, member)

/// notifyMemberRemoved.
struct notify_member_removed_arg {
  principal contract_id;
  principal member;
};
ICTO_FIELDS(notify_member_removed_arg, contract_id, member)

/// Deploys a DAO for `owner`; the whitelisted backend only.
ICTO_METHOD(dao_factory, createContract, internal, create_dao_contract,
            result<principal>)
/// Adds to the member index; that contract only.
ICTO_METHOD(dao_factory, notifyMemberAdded, internal, notify_member_added_arg,
            result<unit>)
/// Removes from the member index; that contract only.
ICTO_METHOD(dao_factory, notifyMemberRemoved, internal,
            notify_member_removed_arg, result<unit>)
/// Counts a new proposal; that contract only.
ICTO_METHOD(dao_factory, notifyProposalCreated, internal,
            notify_proposal_created_arg, result<unit>)

using dao_factory_methods = concat_methods<
    factory_common_methods,
    method_list<dao_factory_createContract, dao_factory_notifyMemberAdded,
                dao_factory_notifyMemberRemoved,
                dao_factory_notifyProposalCreated>>::type;

// -- launchpad factory
// ----------------------------------------------------------

/// createContract of the launchpad factory; fields as create_token_contract.
struct create_launchpad_contract {
  principal owner;
  launchpad_init init;
  std::string request_id;
  std::optional<uint64_t> payment_id;
};
ICTO_FIELDS(create_launchpad_contract, owner, init, request_id, payment_id)

/// notifyParticipantAdded: a first contribution.
struct notify_participant_added_arg {
  principal contract_id;
  principal participant;
};
ICTO_FIELDS(notify_participant_added_arg, contract_id, participant)

/// notifyParticipantRemoved: a contribution refunded in full.
struct notify_participant_removed_arg {
  principal contract_id;
  principal participant;
};
ICTO_FIELDS(notify_participant_removed_arg, contract_id, participant)

/// Deploys a launchpad for `owner`; the whitelisted backend only.
ICTO_METHOD(launchpad_factory, createContract, internal,
            create_launchpad_contract, result<principal>)
/// Adds to the participant index; that contract only.
ICTO_METHOD(launchpad_factory, notifyParticipantAdded, internal,
            notify_participant_added_arg, result<unit>)
/// Removes from the participant index; that contract only.
ICTO_METHOD(launchpad_factory, notifyParticipantRemoved, internal,
            notify_participant_removed_arg, result<unit>)

using launchpad_factory_methods = concat_methods<
    factory_common_methods,
    method_list<launchpad_factory_createContract,
                launchpad_factory_notifyParticipantAdded,
                launchpad_factory_notifyParticipantRemoved>>::type;

} // namespace icto
