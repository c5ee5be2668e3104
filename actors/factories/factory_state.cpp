#include "actors/factories/factory_state.hpp"

#include <algorithm>
#include <map>

namespace icto {

namespace {

size_t role_slot(contract_role r) {
  return static_cast<size_t>(r);
}

std::string text(const semver& v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor) + "."
         + std::to_string(v.patch);
}

bool contains(const std::vector<principal>& xs, const principal& x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

bool same_version(const semver& x, const semver& y) {
  return !(x < y) && !(y < x);
}

/// Adds (user, role) of a contract to the role indexes.
void add_role(factory_state& st, const principal& id, const principal& user,
              contract_role role) {
  auto& idx = st.roles[role_slot(role)];
  idx = idx.add(user, id);
  if (role != contract_role::creator)
    st.members = st.members.add(id, user);
}

/// Removes (user, role) of a contract from the role indexes.
void remove_role(factory_state& st, const principal& id, const principal& user,
                 contract_role role) {
  auto& idx = st.roles[role_slot(role)];
  idx = idx.remove(user, id);
  if (role == contract_role::creator)
    return;
  for (size_t r = 1; r < contract_role_count; ++r)
    if (st.roles[r].contains(user, id))
      return;
  st.members = st.members.remove(id, user);
}

/// Applies `fn` to the recorded info of a contract in the deployed set.
template <class F>
void update_info(factory_state& st, const principal& id, F fn) {
  if (auto* old = st.contracts.find(id)) {
    auto info = *old;
    fn(info);
    st.contracts = st.contracts.insert(id, std::move(info));
  }
}

void accept(factory_state& st) {
  ++st.counters.callbacks_accepted;
}

/// The from-versions of the successful upgrades not yet rolled back.
std::vector<semver> rollback_stack(const upgrade_records& recs) {
  std::vector<semver> stack;
  for (auto& r : recs) {
    if (r.outcome != upgrade_outcome::succeeded)
      continue;
    if (r.trigger == upgrade_trigger::rollback) {
      if (!stack.empty())
        stack.pop_back();
    } else {
      stack.push_back(r.from);
    }
  }
  return stack;
}

/// Whether `who` may have the factory migrate `info`.
result<unit> check_controller(const factory_state& st, const principal& who,
                              const contract_info& info) {
  if (!contains(info.controllers, st.self))
    return make_error(factory_errc::not_controller,
                      "the factory is no longer a controller of "
                          + info.id.to_text());
  bool owner = who == info.owner && contains(info.controllers, who);
  if (!owner && !is_admin(st, who))
    return make_error(factory_errc::not_controller,
                      who.to_text() + " is not a controller of "
                          + info.id.to_text());
  return unit{};
}

result<const contract_info*> deployed(const factory_state& st,
                                      const principal& id) {
  auto* info = st.contracts.find(id);
  if (info == nullptr || info->deployment != deployment_state::deployed)
    return make_error(factory_errc::unknown_contract,
                      "no deployed contract " + id.to_text());
  return info;
}

result<unit> check_not_upgrading(const factory_state& st, const principal& id) {
  if (st.upgrading.contains(id))
    return make_error(factory_errc::invalid_argument,
                      "an upgrade of " + id.to_text() + " is under way");
  return unit{};
}

} // namespace

bool operator==(const factory_counters& x, const factory_counters& y) {
  return x.deployments_started == y.deployments_started
         && x.deployments_completed == y.deployments_completed
         && x.deployments_failed == y.deployments_failed
         && x.callbacks_accepted == y.callbacks_accepted
         && x.callbacks_refused == y.callbacks_refused
         && x.upgrades == y.upgrades && x.upgrades_failed == y.upgrades_failed
         && x.proposals == y.proposals;
}

bool operator==(const factory_state& x, const factory_state& y) {
  return x.kind == y.kind && x.self == y.self && x.started_at == y.started_at
         && x.ranges == y.ranges && x.contracts == y.contracts
         && x.failed == y.failed && x.roles == y.roles && x.members == y.members
         && x.public_set == y.public_set && x.unreachable == y.unreachable
         && x.upgrading == y.upgrading && x.history == y.history
         && x.whitelist == y.whitelist && x.admins == y.admins
         && x.versions == y.versions && x.code == y.code
         && x.deploying == y.deploying && x.counters == y.counters;
}

result<factory_state> make_factory_state(factory_core_config cfg,
                                         timestamp now) {
  if (cfg.self.is_anonymous() || cfg.self.empty())
    return make_error(factory_errc::invalid_argument,
                      "factory id: must be a real principal");
  if (cfg.ranges.empty())
    return make_error(factory_errc::invalid_argument,
                      "contract-id ranges: none given");
  for (size_t i = 0; i < cfg.ranges.size(); ++i) {
    const auto& r = cfg.ranges[i];
    if (r.first > r.last)
      return make_error(factory_errc::invalid_argument,
                        "contract-id range: first " + std::to_string(r.first)
                            + " > last " + std::to_string(r.last));
    for (size_t j = 0; j < i; ++j)
      if (cfg.ranges[j].first <= r.last && r.first <= cfg.ranges[j].last)
        return make_error(factory_errc::invalid_argument,
                          "contract-id ranges: [" + std::to_string(r.first)
                              + ", " + std::to_string(r.last)
                              + "] overlaps another");
  }
  if (cfg.code.empty())
    return make_error(factory_errc::invalid_argument,
                      "code versions: the kind has none");
  for (size_t i = 1; i < cfg.code.size(); ++i)
    if (!(cfg.code[i - 1].version < cfg.code[i].version))
      return make_error(factory_errc::invalid_argument,
                        "code versions: not strictly increasing at "
                            + text(cfg.code[i].version));
  for (auto& p : cfg.whitelist)
    if (p.is_anonymous())
      return make_error(factory_errc::invalid_argument,
                        "whitelist: the anonymous principal");
  factory_state st;
  st.kind = cfg.kind;
  st.self = cfg.self;
  st.started_at = now;
  for (auto r : cfg.ranges) {
    r.next = r.first;
    st.ranges.push_back(std::move(r));
  }
  for (auto& p : cfg.whitelist)
    if (!contains(st.whitelist, p))
      st.whitelist.push_back(p);
  for (auto& p : cfg.admins)
    if (!contains(st.admins, p))
      st.admins.push_back(p);
  st.code = std::move(cfg.code);
  auto first = st.code.front();
  first.stable = true;
  first.released_at = now;
  st.versions.push_back(std::move(first));
  return st;
}

// -- authorization ------------------------------------------------------------

bool is_admin(const factory_state& st, const principal& who) {
  return !who.is_anonymous() && contains(st.admins, who);
}

bool is_whitelisted(const factory_state& st, const principal& who) {
  return !who.is_anonymous() && contains(st.whitelist, who);
}

result<unit> setup_whitelist(factory_state& st, const principal& who,
                             const factory_setup_whitelist_arg& arg) {
  if (!is_admin(st, who))
    return make_error(factory_errc::unauthorized,
                      "setupWhitelist: " + who.to_text()
                          + " is not a factory admin");
  std::vector<principal> list;
  for (auto& p : arg.backends) {
    if (p.is_anonymous())
      return make_error(factory_errc::invalid_argument,
                        "backends: the anonymous principal");
    if (!contains(list, p))
      list.push_back(p);
  }
  st.whitelist = std::move(list);
  return unit{};
}

// -- deployment ---------------------------------------------------------------

result<semver> check_create(const factory_state& st, const principal& who,
                            const principal& owner) {
  if (!is_whitelisted(st, who))
    return make_error(factory_errc::unauthorized,
                      "createContract: " + who.to_text()
                          + " is not a whitelisted backend");
  if (owner.is_anonymous() || owner.empty())
    return make_error(factory_errc::invalid_argument,
                      "owner: must be a real principal");
  auto v = latest_stable(st);
  if (!v)
    return make_error(factory_errc::unknown_version,
                      "no stable version registered");
  return *v;
}

std::optional<size_t> range_of_node(const factory_state& st,
                                    const std::string& node) {
  if (node.empty())
    return st.ranges.empty() ? std::nullopt : std::optional<size_t>{0};
  for (size_t i = 0; i < st.ranges.size(); ++i)
    if (st.ranges[i].node == node)
      return i;
  return std::nullopt;
}

std::optional<size_t> range_holding(const factory_state& st, uint64_t index) {
  for (size_t i = 0; i < st.ranges.size(); ++i)
    if (st.ranges[i].contains(index))
      return i;
  return std::nullopt;
}

result<principal> next_contract_id(const factory_state& st, size_t range) {
  if (range >= st.ranges.size())
    return make_error(factory_errc::deploy_failed,
                      "no contract-id range " + std::to_string(range));
  const auto& r = st.ranges[range];
  if (r.next > r.last || r.next < r.first)
    return make_error(factory_errc::deploy_failed,
                      "contract-id range [" + std::to_string(r.first) + ", "
                          + std::to_string(r.last) + "]"
                          + (r.node.empty() ? "" : " of node " + r.node)
                          + " is exhausted");
  return principal::canister_id(r.next);
}

result<principal> allocate_id(factory_state& st, size_t range) {
  auto id = next_contract_id(st, range);
  if (id)
    ++st.ranges[range].next;
  return id;
}

result<unit> reconcile_ranges(factory_state& st,
                              const std::vector<id_range>& targets) {
  for (auto& t : targets) {
    bool found = false;
    for (auto& r : st.ranges) {
      if (r.first == t.first && r.last == t.last
          && (r.node.empty() || r.node == t.node)) {
        r.node = t.node;
        found = true;
        break;
      }
      if (r.first <= t.last && t.first <= r.last)
        return make_error(
            factory_errc::invalid_argument,
            "contract ids of node " + t.node + " [" + std::to_string(t.first)
                + ", " + std::to_string(t.last) + "] overlap the range ["
                + std::to_string(r.first) + ", " + std::to_string(r.last)
                + "] the factory gave ids from");
    }
    if (!found) {
      auto r = t;
      r.next = r.first;
      st.ranges.push_back(std::move(r));
    }
  }
  return unit{};
}

void record_deploying(factory_state& st, contract_info info,
                      const std::vector<role_entry>& initial_roles) {
  auto id = info.id;
  info.deployment = deployment_state::deploying;
  add_role(st, id, info.owner, contract_role::creator);
  for (auto& e : initial_roles)
    add_role(st, id, e.user, e.role);
  st.contracts = st.contracts.insert(id, std::move(info));
  ++st.deploying;
  ++st.counters.deployments_started;
}

bool is_deploying(const factory_state& st, const principal& id) {
  auto* info = st.contracts.find(id);
  return info != nullptr && info->deployment == deployment_state::deploying;
}

void fail_deployment(factory_state& st, const principal& id) {
  if (!is_deploying(st, id))
    return;
  auto info = *st.contracts.find(id);
  remove_role(st, id, info.owner, contract_role::creator);
  for (auto& user : st.members.get(id))
    for (size_t r = 1; r < contract_role_count; ++r)
      remove_role(st, id, user, static_cast<contract_role>(r));
  st.public_set = st.public_set.erase(id);
  st.unreachable = st.unreachable.erase(id);
  st.contracts = st.contracts.erase(id);
  info.deployment = deployment_state::failed;
  st.failed = st.failed.insert(id, std::move(info));
  --st.deploying;
  ++st.counters.deployments_failed;
}

void mark_unreachable(factory_state& st, const principal& id) {
  if (st.contracts.contains(id))
    st.unreachable = st.unreachable.insert(id, trie_unit{});
}

// -- callbacks ----------------------------------------------------------------

result<unit> check_callback(factory_state& st, const principal& who,
                            const principal& contract_id) {
  if (who != contract_id) {
    ++st.counters.callbacks_refused;
    return make_error(factory_errc::forged_callback,
                      "callback for " + contract_id.to_text() + " sent by "
                          + who.to_text());
  }
  if (!st.contracts.contains(contract_id)) {
    ++st.counters.callbacks_refused;
    return make_error(factory_errc::unknown_contract,
                      "no contract " + contract_id.to_text()
                          + " in the deployed set");
  }
  return unit{};
}

result<unit> on_deployment_complete(factory_state& st, const principal& who,
                                    const notify_deployment_complete_arg& arg) {
  if (auto ok = check_callback(st, who, arg.contract_id); !ok)
    return ok;
  accept(st);
  if (!is_deploying(st, arg.contract_id))
    return unit{}; // Deployed already: a repeated notice changes nothing.
  bool pub = false;
  update_info(st, arg.contract_id, [&](contract_info& info) {
    info.deployment = deployment_state::deployed;
    pub = info.is_public;
  });
  if (pub)
    st.public_set = st.public_set.insert(arg.contract_id, trie_unit{});
  --st.deploying;
  ++st.counters.deployments_completed;
  return unit{};
}

result<unit> on_visibility_changed(factory_state& st, const principal& who,
                                   const notify_visibility_changed_arg& arg) {
  if (auto ok = check_callback(st, who, arg.contract_id); !ok)
    return ok;
  accept(st);
  bool live = false;
  update_info(st, arg.contract_id, [&](contract_info& info) {
    info.is_public = arg.is_public;
    live = info.deployment == deployment_state::deployed;
  });
  if (arg.is_public && live)
    st.public_set = st.public_set.insert(arg.contract_id, trie_unit{});
  else
    st.public_set = st.public_set.erase(arg.contract_id);
  return unit{};
}

result<unit> on_status_changed(factory_state& st, const principal& who,
                               const notify_status_changed_arg& arg) {
  if (auto ok = check_callback(st, who, arg.contract_id); !ok)
    return ok;
  accept(st);
  update_info(st, arg.contract_id, [&](contract_info& info) {
    info.status = arg.status;
  });
  return unit{};
}

result<unit> on_auto_update_changed(factory_state& st, const principal& who,
                                    const notify_auto_update_changed_arg& arg) {
  if (auto ok = check_callback(st, who, arg.contract_id); !ok)
    return ok;
  accept(st);
  update_info(st, arg.contract_id, [&](contract_info& info) {
    info.auto_update = arg.auto_update;
  });
  return unit{};
}

result<unit> on_controllers_changed(factory_state& st, const principal& who,
                                    const notify_controllers_changed_arg& arg) {
  if (auto ok = check_callback(st, who, arg.contract_id); !ok)
    return ok;
  accept(st);
  update_info(st, arg.contract_id, [&](contract_info& info) {
    info.controllers = arg.controllers;
  });
  return unit{};
}

result<unit> on_role_added(factory_state& st, const principal& who,
                           const principal& contract_id, const principal& user,
                           contract_role role) {
  if (auto ok = check_callback(st, who, contract_id); !ok)
    return ok;
  if (role == contract_role::creator) {
    ++st.counters.callbacks_refused;
    return make_error(factory_errc::invalid_argument,
                      "role: the creator index is the factory's own");
  }
  accept(st);
  add_role(st, contract_id, user, role);
  return unit{};
}

result<unit> on_role_removed(factory_state& st, const principal& who,
                             const principal& contract_id,
                             const principal& user, contract_role role) {
  if (auto ok = check_callback(st, who, contract_id); !ok)
    return ok;
  if (role == contract_role::creator) {
    ++st.counters.callbacks_refused;
    return make_error(factory_errc::invalid_argument,
                      "role: the creator index is the factory's own");
  }
  accept(st);
  remove_role(st, contract_id, user, role);
  return unit{};
}

result<unit> on_holder_balances(factory_state& st, const principal& who,
                                const principal& contract_id,
                                const std::vector<holder_balance>& balances) {
  if (auto ok = check_callback(st, who, contract_id); !ok)
    return ok;
  accept(st);
  for (auto& b : balances) {
    if (b.holder.is_anonymous() || b.holder.empty())
      continue; // The minting side of a mint or burn holds nothing.
    if (b.balance > 0)
      add_role(st, contract_id, b.holder, contract_role::holder);
    else
      remove_role(st, contract_id, b.holder, contract_role::holder);
  }
  return unit{};
}

result<unit> on_proposal_created(factory_state& st, const principal& who,
                                 const notify_proposal_created_arg& arg) {
  if (auto ok = check_callback(st, who, arg.contract_id); !ok)
    return ok;
  accept(st);
  ++st.counters.proposals;
  return unit{};
}

// -- queries ------------------------------------------------------------------

my_contracts_page my_contracts(const factory_state& st,
                               const my_contracts_arg& arg) {
  my_contracts_page out;
  const uint64_t first = arg.page.offset;
  const uint64_t end = arg.page.limit == 0 ? UINT64_MAX
                                           : first + arg.page.limit;
  uint64_t pos = 0;
  for (size_t r = 0; r < contract_role_count; ++r) {
    auto role = static_cast<contract_role>(r);
    if (arg.role && *arg.role != role)
      continue;
    const auto& idx = st.roles[r];
    auto n = idx.count(arg.user);
    out.total += n;
    if (pos + n <= first || pos >= end) {
      pos += n;
      continue;
    }
    for (auto& id : idx.get(arg.user)) {
      if (pos >= first && pos < end)
        out.entries.push_back(my_contract_entry{id, st.kind, role});
      ++pos;
    }
  }
  return out;
}

contract_page public_contracts(const factory_state& st, const page& pg) {
  std::vector<const contract_info*> all;
  all.reserve(st.public_set.size());
  st.public_set.for_each([&](const principal& id, trie_unit) {
    if (auto* info = st.contracts.find(id))
      all.push_back(info);
  });
  auto newer = [](const contract_info* x, const contract_info* y) {
    if (x->created_at != y->created_at)
      return x->created_at > y->created_at;
    auto xi = x->id.canister_index();
    auto yi = y->id.canister_index();
    if (xi && yi && *xi != *yi)
      return *xi > *yi;
    return y->id < x->id;
  };
  std::sort(all.begin(), all.end(), newer);
  contract_page out;
  out.total = all.size();
  const uint64_t first = std::min<uint64_t>(pg.offset, all.size());
  const uint64_t last = pg.limit == 0
                            ? all.size()
                            : std::min<uint64_t>(all.size(), first + pg.limit);
  for (uint64_t i = first; i < last; ++i)
    out.contracts.push_back(*all[i]);
  return out;
}

result<contract_info> contract_info_of(const factory_state& st,
                                       const principal& id) {
  if (auto* info = st.contracts.find(id))
    return *info;
  if (auto* info = st.failed.find(id))
    return *info;
  return make_error(factory_errc::unknown_contract,
                    "no contract " + id.to_text()
                        + " deployed by this factory");
}

factory_stats stats_of(const factory_state& st) {
  factory_stats out;
  out.kind = st.kind;
  out.contracts = st.contracts.size();
  out.creators = st.roles[role_slot(contract_role::creator)].size();
  out.public_contracts = st.public_set.size();
  for (size_t r = 1; r < contract_role_count; ++r)
    out.role_entries += st.roles[r].total();
  out.deployments_failed = st.counters.deployments_failed;
  out.callbacks_accepted = st.counters.callbacks_accepted;
  out.callbacks_refused = st.counters.callbacks_refused;
  out.upgrades = st.counters.upgrades;
  out.upgrades_failed = st.counters.upgrades_failed;
  std::map<std::string, uint64_t> by_status;
  st.contracts.for_each([&](const principal&, const contract_info& info) {
    if (!info.status.empty())
      ++by_status[info.status];
  });
  for (auto& [status, n] : by_status)
    out.by_status.push_back(status_count{status, n});
  return out;
}

factory_setup_status setup_status_of(const factory_state& st) {
  factory_setup_status out;
  out.kind = st.kind;
  out.whitelist = st.whitelist;
  out.admins = st.admins;
  out.versions = st.versions.size();
  out.latest_version = latest_stable(st);
  if (st.whitelist.empty())
    out.missing.emplace_back("whitelist");
  if (!out.latest_version)
    out.missing.emplace_back("version");
  out.ready = out.missing.empty();
  return out;
}

factory_health health_of(const factory_state& st) {
  factory_health out;
  out.kind = st.kind;
  out.contracts = st.contracts.size();
  out.deploying = st.deploying;
  out.unreachable = st.unreachable.size();
  out.started_at = st.started_at;
  std::vector<std::string> why;
  for (auto& m : setup_status_of(st).missing)
    why.push_back("not set up: no " + m);
  if (out.unreachable > 0)
    why.push_back(std::to_string(out.unreachable) + " contract(s) unreachable");
  for (auto& w : why)
    out.message += (out.message.empty() ? "" : "; ") + w;
  out.healthy = why.empty();
  return out;
}

result<upgrade_records> version_history_of(const factory_state& st,
                                           const principal& id) {
  if (!st.contracts.contains(id) && !st.failed.contains(id))
    return make_error(factory_errc::unknown_contract,
                      "no contract " + id.to_text()
                          + " deployed by this factory");
  if (auto* recs = st.history.find(id))
    return *recs;
  return upgrade_records{};
}

std::optional<semver> latest_stable(const factory_state& st) {
  for (auto i = st.versions.rbegin(); i != st.versions.rend(); ++i)
    if (i->stable)
      return i->version;
  return std::nullopt;
}

const registered_version* find_version(const factory_state& st,
                                       const semver& v) {
  for (auto& r : st.versions)
    if (same_version(r.version, v))
      return &r;
  return nullptr;
}

// -- versions and upgrades ----------------------------------------------------

result<unit> register_version(factory_state& st, const principal& who,
                              const register_version_arg& arg, timestamp now) {
  if (!is_admin(st, who))
    return make_error(factory_errc::unauthorized,
                      "registerVersion: " + who.to_text()
                          + " is not a factory admin");
  auto known = std::find_if(st.code.begin(), st.code.end(), [&](auto& c) {
    return same_version(c.version, arg.version);
  });
  if (known == st.code.end())
    return make_error(factory_errc::unknown_version,
                      "version " + text(arg.version) + " of "
                          + std::string{to_string(st.kind)}
                          + " is not one the contract code can run");
  if (find_version(st, arg.version) != nullptr)
    return make_error(factory_errc::duplicate_version,
                      "version " + text(arg.version) + " is registered");
  if (arg.min_upgrade_from && !(*arg.min_upgrade_from < arg.version))
    return make_error(factory_errc::invalid_argument,
                      "min_upgrade_from: must be below " + text(arg.version));
  registered_version rv;
  rv.version = arg.version;
  rv.released_at = now;
  rv.notes = arg.notes.empty() ? known->notes : arg.notes;
  rv.migration = arg.migration.empty() ? known->migration : arg.migration;
  rv.stable = arg.stable;
  rv.min_upgrade_from = arg.min_upgrade_from;
  auto pos = std::find_if(st.versions.begin(), st.versions.end(), [&](auto& r) {
    return arg.version < r.version;
  });
  st.versions.insert(pos, std::move(rv));
  return unit{};
}

result<upgrade_plan> begin_upgrade(factory_state& st, const principal& who,
                                   const upgrade_contract_arg& arg) {
  auto info = deployed(st, arg.contract_id);
  if (!info)
    return info.err();
  if (auto ok = check_controller(st, who, **info); !ok)
    return ok.err();
  if (auto ok = check_not_upgrading(st, arg.contract_id); !ok)
    return ok.err();
  auto* target = find_version(st, arg.version);
  if (target == nullptr)
    return make_error(factory_errc::unknown_version,
                      "version " + text(arg.version) + " is not registered");
  const auto& from = (*info)->version;
  if (!(from < arg.version))
    return make_error(factory_errc::invalid_argument,
                      "version: " + text(arg.version) + " is not above "
                          + text(from) + " (use rollbackContract)");
  if (target->min_upgrade_from && from < *target->min_upgrade_from)
    return make_error(factory_errc::invalid_argument,
                      "version " + text(arg.version) + " needs at least "
                          + text(*target->min_upgrade_from)
                          + ", contract is on " + text(from));
  st.upgrading = st.upgrading.insert(arg.contract_id, trie_unit{});
  return upgrade_plan{arg.contract_id, from, arg.version,
                      upgrade_trigger::manual, who};
}

result<upgrade_plan> begin_rollback(factory_state& st, const principal& who,
                                    const rollback_contract_arg& arg) {
  auto info = deployed(st, arg.contract_id);
  if (!info)
    return info.err();
  if (auto ok = check_controller(st, who, **info); !ok)
    return ok.err();
  if (auto ok = check_not_upgrading(st, arg.contract_id); !ok)
    return ok.err();
  std::vector<semver> stack;
  if (auto* recs = st.history.find(arg.contract_id))
    stack = rollback_stack(*recs);
  if (stack.empty())
    return make_error(factory_errc::nothing_to_roll_back,
                      arg.contract_id.to_text()
                          + " has no upgrade to roll back");
  st.upgrading = st.upgrading.insert(arg.contract_id, trie_unit{});
  return upgrade_plan{arg.contract_id, (*info)->version, stack.back(),
                      upgrade_trigger::rollback, who};
}

void finish_upgrade(factory_state& st, const upgrade_record& rec,
                    const semver& version_now) {
  st.upgrading = st.upgrading.erase(rec.contract_id);
  auto recs = st.history.find(rec.contract_id) != nullptr
                  ? *st.history.find(rec.contract_id)
                  : upgrade_records{};
  recs.push_back(rec);
  st.history = st.history.insert(rec.contract_id, std::move(recs));
  update_info(st, rec.contract_id, [&](contract_info& info) {
    info.version = version_now;
  });
  if (rec.outcome == upgrade_outcome::succeeded)
    ++st.counters.upgrades;
  else
    ++st.counters.upgrades_failed;
}

result<rollout_plan> plan_rollout(const factory_state& st, const principal& who,
                                  const rollout_version_arg& arg) {
  if (!is_admin(st, who))
    return make_error(factory_errc::unauthorized,
                      "rolloutVersion: " + who.to_text()
                          + " is not a factory admin");
  auto* target = find_version(st, arg.version);
  if (target == nullptr)
    return make_error(factory_errc::unknown_version,
                      "version " + text(arg.version) + " is not registered");
  if (!target->stable)
    return make_error(factory_errc::invalid_argument,
                      "version " + text(arg.version)
                          + " is not stable; only stable versions roll out");
  if (arg.batch_size == 0)
    return make_error(factory_errc::invalid_argument,
                      "batch_size: must be at least 1");
  rollout_plan out;
  out.version = arg.version;
  st.contracts.for_each([&](const principal& id, const contract_info& info) {
    if (info.deployment != deployment_state::deployed
        || !(info.version < arg.version))
      return;
    bool eligible = info.auto_update && contains(info.controllers, st.self)
                    && !(target->min_upgrade_from
                         && info.version < *target->min_upgrade_from);
    if (eligible)
      out.candidates.push_back(id);
    else
      ++out.skipped;
  });
  std::sort(out.candidates.begin(), out.candidates.end());
  return out;
}

result<upgrade_plan>
begin_rollout_upgrade(factory_state& st, const principal& who,
                      const principal& id, const semver& version) {
  auto info = deployed(st, id);
  if (!info)
    return info.err();
  if (auto ok = check_not_upgrading(st, id); !ok)
    return ok.err();
  if (!contains((*info)->controllers, st.self) || !(*info)->auto_update)
    return make_error(factory_errc::not_controller,
                      id.to_text()
                          + " left the rollout (auto_update off or "
                            "the factory removed as controller)");
  if (!((*info)->version < version))
    return make_error(factory_errc::invalid_argument,
                      id.to_text() + " is on " + text((*info)->version)
                          + " already");
  st.upgrading = st.upgrading.insert(id, trie_unit{});
  return upgrade_plan{id, (*info)->version, version, upgrade_trigger::rollout,
                      who};
}

} // namespace icto
