#pragma once

// The generic version mechanism of the contract kinds (DESIGN §6), no CAF.
// A kind lists its code versions oldest first in a `version_table<State>`;
// each version but the first has a migration `up` (from the version before
// to it) and `down` (back, for a rollback), and the table has one invariant
// check of a state at a version. `migrate` walks the table one version at a
// time on a copy of the state and replaces the state only if every step and
// the final check succeed; otherwise it replies factory_errc::migration_failed
// and leaves version and state as they were.

#include "actors/contracts/contract_core.hpp"
#include "messages/contracts/contract.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace icto {

/// One code version of a kind and the migrations between it and the version
/// before it in its table.
template <class State>
struct version_step {
  semver version;
  std::string notes;
  /// What the migration to this version does (the factory shows it).
  std::string migration;
  /// From the version before to this one; empty for the first version.
  std::function<result<unit>(State&)> up;
  /// From this version to the one before; empty for the first version.
  std::function<result<unit>(State&)> down;
};

/// A kind's versions, oldest first, and the invariant a state must hold at a
/// version. Built once by the kind (e.g. `token_versions()`); immutable.
template <class State>
struct version_table {
  std::vector<version_step<State>> steps;
  /// ok if `st` is a well-formed state of `version`, else an error naming
  /// what is wrong (used after a migration and by healthPing).
  std::function<result<unit>(const State& st, const semver& version)> check;

  /// The index of `v` in `steps`, or -1.
  long index_of(const semver& v) const {
    for (size_t i = 0; i < steps.size(); ++i)
      if (steps[i].version == v)
        return static_cast<long>(i);
    return -1;
  }

  bool knows(const semver& v) const {
    return index_of(v) >= 0;
  }
};

/// Migrates `st` from `version` to `target` step by step (up or down) on a
/// copy; on success replaces `st` and `version`. A target equal to the
/// current version is a no-op that still checks the state.
/// Errors: factory_errc::unknown_version for a version the table lacks,
/// factory_errc::migration_failed naming the step that failed (state and
/// version unchanged).
template <class State>
result<migration_report> migrate(const version_table<State>& table, State& st,
                                 semver& version, const semver& target) {
  const auto from = table.index_of(version);
  const auto to = table.index_of(target);
  if (from < 0)
    return make_error(factory_errc::unknown_version,
                      "the contract's version " + to_text(version)
                          + " is not a code version of its kind");
  if (to < 0)
    return make_error(factory_errc::unknown_version,
                      "no code version " + to_text(target) + " for this kind");
  State next = st;
  auto fail = [&](const std::string& step, const error& e) {
    return make_error(factory_errc::migration_failed,
                      step + " failed: " + e.message + " (the contract stays "
                          + to_text(version) + ")");
  };
  for (auto i = from; i < to; ++i) {
    auto& s = table.steps[static_cast<size_t>(i + 1)];
    const auto name = "migration " + to_text(table.steps[i].version) + " -> "
                      + to_text(s.version) + " (" + s.migration + ")";
    if (!s.up)
      return fail(name, make_error(system_errc::internal, "no up migration"));
    if (auto r = s.up(next); !r)
      return fail(name, r.err());
  }
  for (auto i = from; i > to; --i) {
    auto& s = table.steps[static_cast<size_t>(i)];
    const auto name = "rollback " + to_text(s.version) + " -> "
                      + to_text(table.steps[i - 1].version) + " (undo "
                      + s.migration + ")";
    if (!s.down)
      return fail(name, make_error(system_errc::internal, "no down migration"));
    if (auto r = s.down(next); !r)
      return fail(name, r.err());
  }
  if (table.check) {
    if (auto r = table.check(next, target); !r)
      return fail("invariant check at " + to_text(target), r.err());
  }
  migration_report report{version, target};
  st = std::move(next);
  version = target;
  return report;
}

/// healthPing: whether `st` holds its invariants at `version`.
template <class State>
contract_health health_of(const version_table<State>& table, const State& st,
                          const semver& version) {
  contract_health out;
  out.version = version;
  if (!table.knows(version)) {
    out.message = "version " + to_text(version) + " is not a code version";
    return out;
  }
  if (table.check) {
    if (auto r = table.check(st, version); !r) {
      out.message = r.err().message;
      return out;
    }
  }
  out.healthy = true;
  return out;
}

} // namespace icto
