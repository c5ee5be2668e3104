#include "actors/backend/backend_state.hpp"

#include "messages/json.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <charconv>
#include <functional>

namespace icto {

namespace {

constexpr timestamp ns_per_second = 1'000'000'000ull;
constexpr timestamp ns_per_day = 86'400ull * ns_per_second;

template <class T>
std::string sha256_of_json(const T& x) {
  auto text = json::encode(x).dump();
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), md);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (auto b : md) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

blob sha256_blob(const std::string& text) {
  blob out(SHA256_DIGEST_LENGTH);
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         out.data());
  return out;
}

std::string prefix_of(service_id s) {
  return std::string{to_string(s)};
}

/// Pages a vector already in the wanted order; limit 0 means all.
template <class T>
std::vector<T> page_of(std::vector<T> xs, const page& pg) {
  if (pg.offset >= xs.size())
    return {};
  auto first = xs.begin() + static_cast<std::ptrdiff_t>(pg.offset);
  auto last = xs.end();
  if (pg.limit != 0 && pg.limit < static_cast<uint64_t>(last - first))
    last = first + static_cast<std::ptrdiff_t>(pg.limit);
  return {std::make_move_iterator(first), std::make_move_iterator(last)};
}

std::vector<config_key_spec> declare_keys() {
  using P = admin_permission;
  std::vector<config_key_spec> out;
  struct factory_default {
    service_id service;
    tokens fee;
  };
  // ICTO V2's ConfigService defaults, in e8s.
  const factory_default factories[] = {
      {service_id::token_factory, 100'000'000},
      {service_id::multisig_factory, 50'000'000},
      {service_id::distribution_factory, 100'000'000},
      {service_id::dao_factory, 500'000'000},
      {service_id::launchpad_factory, 1'000'000'000},
  };
  for (auto& f : factories) {
    auto p = prefix_of(f.service);
    out.push_back({p + ".enabled", config_type::flag, "true",
                   P::change_service_endpoints,
                   "whether " + p + " deployments are accepted"});
    out.push_back({p + ".fee", config_type::amount, std::to_string(f.fee),
                   P::change_fees, "the fee of a " + p + " deployment, e8s"});
    out.push_back({p + ".initial_cycles", config_type::amount, "2000000000000",
                   P::change_service_endpoints,
                   "the cycles a new " + p + " contract starts with"});
  }
  out.push_back({"payment.auto_refund", config_type::flag, "true",
                 P::change_payment_config,
                 "refund a failed deployment's fee at once (else the refund "
                 "waits for adminProcessRefund)"});
  out.push_back({"payment.min_fee", config_type::amount, "0",
                 P::change_payment_config,
                 "a service fee below this is refused as misconfigured"});
  out.push_back({"user.max_deployments", config_type::amount, "100",
                 P::change_limits,
                 "deployments a user may make in all; 0 = unlimited"});
  out.push_back({"user.max_deployments_per_day", config_type::amount, "20",
                 P::change_limits,
                 "deployments a user may make per UTC day; 0 = unlimited"});
  out.push_back({"user.cooldown_seconds", config_type::amount, "0",
                 P::change_limits, "seconds between a user's deployments"});
  out.push_back({"user.history_limit", config_type::amount, "100",
                 P::change_limits,
                 "receipts kept per user (getMyDeployments)"});
  out.push_back({"user.request_window", config_type::amount, "256",
                 P::change_limits,
                 "idempotency records kept per user; older ones are dropped"});
  out.push_back({"system.maintenance_mode", config_type::flag, "false",
                 std::nullopt, "no deployments while true"});
  out.push_back({"system.maintenance_reason", config_type::text, "",
                 std::nullopt, "why maintenance mode is on"});
  out.push_back({"system.version", config_type::text, "2.0.0", std::nullopt,
                 "the platform's version"});
  return out;
}

} // namespace

// -- services -----------------------------------------------------------------

service_id factory_service(contract_kind kind) {
  switch (kind) {
  case contract_kind::token: return service_id::token_factory;
  case contract_kind::multisig: return service_id::multisig_factory;
  case contract_kind::distribution: return service_id::distribution_factory;
  case contract_kind::dao: return service_id::dao_factory;
  case contract_kind::launchpad: return service_id::launchpad_factory;
  }
  return service_id::token_factory;
}

std::optional<contract_kind> factory_kind(service_id s) {
  switch (s) {
  case service_id::token_factory: return contract_kind::token;
  case service_id::multisig_factory: return contract_kind::multisig;
  case service_id::distribution_factory: return contract_kind::distribution;
  case service_id::dao_factory: return contract_kind::dao;
  case service_id::launchpad_factory: return contract_kind::launchpad;
  default: return std::nullopt;
  }
}

action_type create_action(contract_kind kind) {
  switch (kind) {
  case contract_kind::token: return action_type::create_token;
  case contract_kind::multisig: return action_type::create_multisig;
  case contract_kind::distribution: return action_type::create_distribution;
  case contract_kind::dao: return action_type::create_dao;
  case contract_kind::launchpad: return action_type::create_launchpad;
  }
  return action_type::custom;
}

const std::vector<service_id>& managed_services() {
  static const std::vector<service_id> xs{
      service_id::audit_storage,        service_id::invoice_storage,
      service_id::token_factory,        service_id::multisig_factory,
      service_id::distribution_factory, service_id::dao_factory,
      service_id::launchpad_factory,
  };
  return xs;
}

// -- config -------------------------------------------------------------------

const std::vector<config_key_spec>& config_keys() {
  static const auto keys = declare_keys();
  return keys;
}

const config_key_spec* find_config_key(std::string_view key) {
  for (auto& k : config_keys())
    if (k.key == key)
      return &k;
  return nullptr;
}

result<unit> validate_config_value(const config_key_spec& spec,
                                   std::string_view value) {
  switch (spec.type) {
  case config_type::flag:
    if (value != "true" && value != "false")
      return make_error(backend_errc::invalid_config,
                        spec.key + " must be true or false, not \""
                            + std::string{value} + "\"");
    break;
  case config_type::amount: {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(),
                                     n);
    if (value.empty() || ec != std::errc{}
        || end != value.data() + value.size())
      return make_error(backend_errc::invalid_config,
                        spec.key
                            + " must be a non-negative integer below 2^64, "
                              "not \""
                            + std::string{value} + "\"");
    break;
  }
  case config_type::text:
    if (value.size() > 256)
      return make_error(backend_errc::invalid_config,
                        spec.key + " must be at most 256 bytes");
    break;
  }
  return unit{};
}

result<config_store> make_config_store(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  config_store cfg;
  for (auto& k : config_keys())
    cfg.values = cfg.values.insert(k.key, config_entry{k.key, k.default_value,
                                                       0, 0, std::nullopt});
  for (auto& [key, value] : overrides) {
    auto spec = find_config_key(key);
    if (spec == nullptr)
      return make_error(backend_errc::invalid_config,
                        "unknown config key " + key);
    if (auto ok = validate_config_value(*spec, value); !ok)
      return ok.err();
    cfg.values
        = cfg.values.insert(key, config_entry{key, value, 0, 0, std::nullopt});
  }
  return cfg;
}

result<config_change>
decide_config_change(const config_store& cfg, const principal& who,
                     const std::string& key, const std::string& value,
                     timestamp now) {
  auto spec = find_config_key(key);
  if (spec == nullptr)
    return make_error(backend_errc::not_found, "unknown config key " + key);
  if (auto ok = validate_config_value(*spec, value); !ok)
    return ok.err();
  config_change c;
  c.version = cfg.version + 1;
  c.key = key;
  if (auto old = cfg.values.find(key))
    c.old_value = old->value;
  c.new_value = value;
  c.changed_by = who;
  c.changed_at = now;
  return c;
}

config_entry apply(config_store& cfg, const config_change& change) {
  config_entry e{change.key, change.new_value, change.version,
                 change.changed_at, change.changed_by};
  cfg.values = cfg.values.insert(change.key, e);
  cfg.history = cfg.history.insert(change.version, change);
  cfg.version = change.version;
  return e;
}

const std::string& config_text(const config_store& cfg, std::string_view key) {
  static const std::string empty;
  auto e = cfg.values.find(std::string{key});
  return e != nullptr ? e->value : empty;
}

bool config_flag(const config_store& cfg, std::string_view key) {
  return config_text(cfg, key) == "true";
}

uint64_t config_amount(const config_store& cfg, std::string_view key) {
  auto& v = config_text(cfg, key);
  uint64_t n = 0;
  std::from_chars(v.data(), v.data() + v.size(), n);
  return n;
}

tokens service_fee(const config_store& cfg, service_id s) {
  return config_amount(cfg, prefix_of(s) + ".fee");
}

bool service_enabled(const config_store& cfg, service_id s) {
  return config_flag(cfg, prefix_of(s) + ".enabled");
}

config_values all_values(const config_store& cfg) {
  config_values out;
  out.version = cfg.version;
  for (auto& [k, e] : cfg.values)
    out.entries.push_back(e);
  std::sort(out.entries.begin(), out.entries.end(), [](auto& x, auto& y) {
    return x.key < y.key;
  });
  return out;
}

config_history history_of(const config_store& cfg,
                          const std::optional<std::string>& key,
                          const page& pg) {
  std::vector<config_change> xs;
  for (auto& [v, c] : cfg.history)
    if (!key || c.key == *key)
      xs.push_back(c);
  std::sort(xs.begin(), xs.end(), [](auto& x, auto& y) {
    return x.version < y.version;
  });
  config_history out;
  out.total = xs.size();
  out.current_version = cfg.version;
  out.changes = page_of(std::move(xs), pg);
  return out;
}

// -- admins -------------------------------------------------------------------

bool is_controller(const admin_registry& r, const principal& p) {
  return std::find(r.controllers.begin(), r.controllers.end(), p)
         != r.controllers.end();
}

bool is_admin(const admin_registry& r, const principal& p) {
  return is_controller(r, p) || r.admins.contains(p);
}

bool is_super_admin(const admin_registry& r, const principal& p) {
  if (is_controller(r, p))
    return true;
  auto a = r.admins.find(p);
  return a != nullptr && a->super_admin;
}

bool has_permission(const admin_registry& r, const principal& p,
                    admin_permission perm) {
  if (is_super_admin(r, p))
    return true;
  auto a = r.admins.find(p);
  return a != nullptr
         && std::find(a->permissions.begin(), a->permissions.end(), perm)
                != a->permissions.end();
}

result<unit> require_permission(const admin_registry& r, const principal& p,
                                admin_permission perm, std::string_view what) {
  if (has_permission(r, p, perm))
    return unit{};
  return make_error(backend_errc::unauthorized,
                    std::string{what} + " needs the "
                        + std::string{to_string(perm)} + " permission; "
                        + p.to_text() + " lacks it");
}

result<unit> require_super_admin(const admin_registry& r, const principal& p,
                                 std::string_view what) {
  if (is_super_admin(r, p))
    return unit{};
  return make_error(backend_errc::unauthorized,
                    std::string{what} + " is for super admins; " + p.to_text()
                        + " is not one");
}

result<unit> require_admin(const admin_registry& r, const principal& p,
                           std::string_view what) {
  if (is_admin(r, p))
    return unit{};
  return make_error(backend_errc::unauthorized,
                    std::string{what} + " is for admins; " + p.to_text()
                        + " is not one");
}

result<unit> require_config_permission(const admin_registry& r,
                                       const principal& p,
                                       std::string_view key) {
  auto spec = find_config_key(key);
  if (spec == nullptr)
    return make_error(backend_errc::not_found,
                      "unknown config key " + std::string{key});
  if (!spec->permission)
    return require_super_admin(r, p, "setting " + spec->key);
  return require_permission(r, p, *spec->permission, "setting " + spec->key);
}

result<backend_admin>
decide_add_admin(const admin_registry& r, const principal& by,
                 const backend_add_admin_arg& arg, timestamp now) {
  if (auto ok = require_super_admin(r, by, "adminAddAdmin"); !ok)
    return ok.err();
  if (arg.admin.is_anonymous())
    return make_error(backend_errc::invalid_argument,
                      "the anonymous principal cannot be an admin");
  if (is_controller(r, arg.admin))
    return make_error(backend_errc::invalid_argument,
                      arg.admin.to_text()
                          + " is a controller, a super admin already");
  backend_admin a;
  a.id = arg.admin;
  a.super_admin = arg.super_admin;
  for (auto p : arg.permissions)
    if (std::find(a.permissions.begin(), a.permissions.end(), p)
        == a.permissions.end())
      a.permissions.push_back(p);
  a.added_by = by;
  a.added_at = now;
  return a;
}

result<unit> decide_remove_admin(const admin_registry& r, const principal& by,
                                 const principal& admin) {
  if (auto ok = require_super_admin(r, by, "adminRemoveAdmin"); !ok)
    return ok.err();
  if (is_controller(r, admin))
    return make_error(backend_errc::invalid_argument,
                      admin.to_text()
                          + " is a controller and cannot be removed");
  if (admin == by)
    return make_error(backend_errc::invalid_argument,
                      "an admin cannot remove itself");
  if (!r.admins.contains(admin))
    return make_error(backend_errc::not_found,
                      admin.to_text() + " is not an admin");
  return unit{};
}

// -- users --------------------------------------------------------------------

user_limits limits_of(const config_store& cfg, const user_record* rec,
                      timestamp now) {
  user_limits l;
  l.max_deployments = config_amount(cfg, "user.max_deployments");
  l.max_deployments_per_day = config_amount(cfg,
                                            "user.max_deployments_per_day");
  l.cooldown_seconds = config_amount(cfg, "user.cooldown_seconds");
  if (rec == nullptr)
    return l;
  if (rec->day_start == now - now % ns_per_day)
    l.deployments_today = rec->profile.limits.deployments_today;
  if (rec->last_deployment_at && l.cooldown_seconds > 0) {
    auto next = *rec->last_deployment_at + l.cooldown_seconds * ns_per_second;
    if (next > now)
      l.next_deployment_at = next;
  }
  return l;
}

result<unit> check_user_limits(const config_store& cfg, const user_map& users,
                               const principal& user, timestamp now) {
  auto rec = users.find(user);
  auto l = limits_of(cfg, rec, now);
  if (rec == nullptr)
    return unit{};
  auto used = rec->profile.deployments + rec->in_flight;
  if (l.max_deployments != 0 && used >= l.max_deployments)
    return make_error(backend_errc::limit_reached,
                      "user.max_deployments: " + user.to_text() + " has used "
                          + std::to_string(used) + " of "
                          + std::to_string(l.max_deployments) + " deployments");
  if (l.max_deployments_per_day != 0
      && l.deployments_today + rec->in_flight >= l.max_deployments_per_day)
    return make_error(backend_errc::limit_reached,
                      "user.max_deployments_per_day: "
                          + std::to_string(l.max_deployments_per_day)
                          + " deployments today already");
  if (l.next_deployment_at)
    return make_error(backend_errc::limit_reached,
                      "user.cooldown_seconds: the next deployment is allowed "
                      "at "
                          + std::to_string(*l.next_deployment_at));
  return unit{};
}

user_profile profile_of(const config_store& cfg, const user_map& users,
                        const principal& user, timestamp now) {
  auto rec = users.find(user);
  user_profile p;
  if (rec != nullptr)
    p = rec->profile;
  else
    p.id = user;
  p.limits = limits_of(cfg, rec, now);
  return p;
}

deployment_page deployments_of(const user_map& users, const principal& user,
                               const my_deployments_arg& arg) {
  deployment_page out;
  auto rec = users.find(user);
  if (rec == nullptr)
    return out;
  std::vector<deployment_receipt> xs;
  for (auto i = rec->history.rbegin(); i != rec->history.rend(); ++i)
    if (!arg.kind || i->kind == *arg.kind)
      xs.push_back(*i);
  out.total = xs.size();
  out.deployments = page_of(std::move(xs), arg.page);
  return out;
}

// -- idempotency --------------------------------------------------------------

size_t request_key::hash() const {
  return user.hash()
         ^ (std::hash<std::string>{}(request_id)*0x9e3779b97f4a7c15ull);
}

std::string fingerprint(const create_token_arg& x) {
  return sha256_of_json(x);
}
std::string fingerprint(const create_multisig_arg& x) {
  return sha256_of_json(x);
}
std::string fingerprint(const create_distribution_arg& x) {
  return sha256_of_json(x);
}
std::string fingerprint(const create_dao_arg& x) {
  return sha256_of_json(x);
}
std::string fingerprint(const create_launchpad_arg& x) {
  return sha256_of_json(x);
}
std::string fingerprint(const create_project_arg& x) {
  return sha256_of_json(x);
}

replay_action classify_replay(const request_record* rec,
                              const std::string& fp) {
  if (rec == nullptr)
    return replay_action::start;
  if (rec->fingerprint != fp)
    return replay_action::conflict;
  switch (rec->status.stage) {
  case deployment_stage::failed: return replay_action::start;
  case deployment_stage::completed:
  case deployment_stage::refunded:
  case deployment_stage::refund_failed: return replay_action::reply_stored;
  default: return replay_action::in_progress;
  }
}

result<deployment_receipt> stored_result(const request_record& rec) {
  if (rec.status.stage == deployment_stage::completed && rec.status.receipt)
    return *rec.status.receipt;
  if (rec.failure)
    return *rec.failure;
  return make_error(system_errc::internal,
                    "request " + rec.status.request_id + " has no result");
}

bool in_flight(deployment_stage stage) {
  return stage == deployment_stage::received || stage == deployment_stage::paid
         || stage == deployment_stage::deploying;
}

blob fee_memo(const request_key& key) {
  std::string text = "icto.backend.fee";
  text += '\0';
  text.append(reinterpret_cast<const char*>(key.user.data()), key.user.size());
  text += '\0';
  text += key.request_id;
  return sha256_blob(text);
}

blob refund_memo(uint64_t refund_id) {
  return sha256_blob("icto.backend.refund" + std::string(1, '\0')
                     + std::to_string(refund_id));
}

// -- health -------------------------------------------------------------------

health_table make_health_table(const std::vector<microservice_endpoint>& eps) {
  health_table t;
  for (auto s : managed_services()) {
    microservice_health h;
    h.service = s;
    for (auto& e : eps)
      if (e.service == s)
        h.id = e.id;
    t.push_back(std::move(h));
  }
  return t;
}

microservice_health* find_health(health_table& t, service_id s) {
  for (auto& h : t)
    if (h.service == s)
      return &h;
  return nullptr;
}

const microservice_health* find_health(const health_table& t, service_id s) {
  for (auto& h : t)
    if (h.service == s)
      return &h;
  return nullptr;
}

void record_check(health_table& t, service_id s, bool ok,
                  std::optional<std::string> error, timestamp now,
                  uint32_t threshold) {
  auto h = find_health(t, s);
  if (h == nullptr)
    return;
  h->last_check = now;
  if (ok) {
    h->healthy = true;
    h->consecutive_failures = 0;
    h->circuit = circuit_state::closed;
    h->last_error.reset();
    return;
  }
  h->healthy = false;
  ++h->consecutive_failures;
  h->last_error = std::move(error);
  if (h->consecutive_failures >= threshold
      || h->circuit == circuit_state::half_open)
    h->circuit = circuit_state::open;
}

result<unit> check_circuit(const health_table& t, service_id s) {
  auto h = find_health(t, s);
  if (h == nullptr || h->circuit == circuit_state::closed)
    return unit{};
  return make_error(backend_errc::service_unavailable,
                    std::string{to_string(s)} + " is unavailable: circuit "
                        + std::string{to_string(h->circuit)} + " after "
                        + std::to_string(h->consecutive_failures)
                        + " failed health checks"
                        + (h->last_error ? " (" + *h->last_error + ")" : ""));
}

// -- pipelines ----------------------------------------------------------------

pipeline_record make_pipeline(uint64_t id, const principal& user,
                              const create_project_arg& arg, std::string fp,
                              timestamp now) {
  pipeline_record p;
  p.status.pipeline_id = id;
  p.status.request_id = arg.request_id;
  p.status.user = user;
  p.status.name = arg.name;
  p.status.state = pipeline_state::running;
  for (auto k : {contract_kind::token, contract_kind::distribution,
                 contract_kind::launchpad}) {
    pipeline_step s;
    s.kind = k;
    p.status.steps.push_back(std::move(s));
  }
  p.status.created_at = now;
  p.status.updated_at = now;
  p.fingerprint = std::move(fp);
  p.arg = arg;
  return p;
}

std::string step_request_id(const std::string& request_id, contract_kind kind) {
  return request_id + "/" + std::string{to_string(kind)};
}

void finish_step(pipeline_record& p, size_t step,
                 const result<deployment_receipt>& r,
                 const std::optional<refund_record>& refund, timestamp now) {
  auto& steps = p.status.steps;
  if (step >= steps.size())
    return;
  p.status.updated_at = now;
  auto& s = steps[step];
  if (r) {
    s.state = pipeline_step_state::completed;
    s.receipt = *r;
    s.error.reset();
    p.status.fees_paid += r->fee_paid;
    if (step + 1 == steps.size()) {
      p.status.state = pipeline_state::completed;
      p.arg.reset();
    }
    return;
  }
  s.state = pipeline_step_state::failed;
  s.error = r.err().to_string();
  s.refund = refund;
  for (size_t i = step + 1; i < steps.size(); ++i)
    steps[i].state = pipeline_step_state::skipped;
  p.status.state = pipeline_state::failed;
  p.arg.reset();
}

distribution_init distribution_step(const create_project_arg& arg,
                                    const principal& token) {
  auto d = arg.distribution;
  d.token = token;
  return d;
}

launchpad_init launchpad_step(const create_project_arg& arg,
                              const principal& token) {
  auto l = arg.launchpad;
  l.sale_token = token;
  return l;
}

// -- the whole state ----------------------------------------------------------

bool operator==(const backend_state& x, const backend_state& y) {
  return x.self_id == y.self_id && x.ledger_fee == y.ledger_fee
         && x.breaker_threshold == y.breaker_threshold && x.config == y.config
         && x.admins == y.admins && x.endpoints == y.endpoints
         && x.setup == y.setup && x.factories == y.factories
         && x.users == y.users && x.requests == y.requests
         && x.refunds == y.refunds && x.next_refund_id == y.next_refund_id
         && x.next_payment_id == y.next_payment_id && x.pipelines == y.pipelines
         && x.pipeline_ids == y.pipeline_ids
         && x.next_pipeline_id == y.next_pipeline_id && x.health == y.health
         && x.refund_tx_times == y.refund_tx_times
         && x.deployments == y.deployments && x.started_at == y.started_at;
}

result<backend_state> make_backend_state(const backend_params& p,
                                         timestamp now) {
  if (p.self_id.is_anonymous() || p.self_id.empty())
    return make_error(backend_errc::invalid_config,
                      "the backend needs its own principal (self_id)");
  if (p.breaker_threshold == 0)
    return make_error(backend_errc::invalid_config,
                      "breaker_threshold must be at least 1");
  auto cfg = make_config_store(p.config);
  if (!cfg)
    return cfg.err();
  backend_state st;
  st.self_id = p.self_id;
  st.ledger_fee = p.ledger_fee;
  st.breaker_threshold = p.breaker_threshold;
  st.config = std::move(*cfg);
  st.admins.controllers = p.controllers;
  for (auto s : managed_services()) {
    auto i = std::find_if(p.endpoints.begin(), p.endpoints.end(), [s](auto& e) {
      return e.service == s;
    });
    if (i == p.endpoints.end())
      return make_error(backend_errc::invalid_config,
                        "no endpoint for " + std::string{to_string(s)});
    st.endpoints.push_back(*i);
    st.setup.services.push_back(
        microservice_setup_entry{s, i->id, false, std::nullopt});
  }
  for (auto k : {contract_kind::token, contract_kind::multisig,
                 contract_kind::distribution, contract_kind::dao,
                 contract_kind::launchpad}) {
    factory_registration r;
    r.kind = k;
    r.service = factory_service(k);
    r.id = *endpoint_of(st, r.service);
    r.registered_at = now;
    st.factories.push_back(r);
  }
  st.health = make_health_table(st.endpoints);
  st.started_at = now;
  return st;
}

std::optional<principal> endpoint_of(const backend_state& st, service_id s) {
  for (auto& e : st.endpoints)
    if (e.service == s)
      return e.id;
  return std::nullopt;
}

void set_endpoint(backend_state& st, service_id s, const principal& id) {
  for (auto& e : st.endpoints)
    if (e.service == s)
      e.id = id;
  for (auto& e : st.setup.services)
    if (e.service == s && e.id != id) {
      e.id = id;
      e.backend_whitelisted = false;
    }
  for (auto& f : st.factories)
    if (f.service == s && f.id != id) {
      f.id = id;
      f.backend_whitelisted = false;
    }
  if (auto h = find_health(st.health, s); h != nullptr && h->id != id) {
    auto svc = h->service;
    *h = microservice_health{};
    h->service = svc;
    h->id = id;
  }
}

void set_whitelisted(backend_state& st, service_id s, bool ok,
                     std::optional<std::string> why) {
  for (auto& e : st.setup.services)
    if (e.service == s) {
      e.backend_whitelisted = ok;
      e.error = why;
    }
  for (auto& f : st.factories)
    if (f.service == s)
      f.backend_whitelisted = ok;
}

bool all_whitelisted(const backend_state& st) {
  bool all = true;
  for (auto& e : st.setup.services)
    all = all && e.backend_whitelisted;
  return all;
}

factory_registrations registry_of(const backend_state& st) {
  auto out = st.factories;
  for (auto& f : out) {
    f.enabled = service_enabled(st.config, f.service);
    f.fee = service_fee(st.config, f.service);
  }
  return out;
}

result<unit> check_deployable(const backend_state& st, service_id s,
                              const principal& user, timestamp now) {
  if (user.is_anonymous() || user.empty())
    return make_error(backend_errc::unauthorized,
                      "the anonymous principal cannot deploy");
  if (!st.setup.completed)
    return make_error(backend_errc::setup_incomplete,
                      "setupMicroservices has not completed");
  if (config_flag(st.config, "system.maintenance_mode")) {
    auto& why = config_text(st.config, "system.maintenance_reason");
    return make_error(backend_errc::maintenance_mode,
                      "maintenance mode is on"
                          + (why.empty() ? std::string{} : ": " + why));
  }
  if (!service_enabled(st.config, s))
    return make_error(backend_errc::service_disabled,
                      std::string{to_string(s)} + ".enabled is false");
  auto fee = service_fee(st.config, s);
  auto min_fee = config_amount(st.config, "payment.min_fee");
  if (fee < min_fee)
    return make_error(backend_errc::invalid_config,
                      std::string{to_string(s)} + ".fee " + std::to_string(fee)
                          + " is below payment.min_fee "
                          + std::to_string(min_fee));
  for (auto svc : {s, service_id::audit_storage, service_id::invoice_storage})
    if (auto ok = check_circuit(st.health, svc); !ok)
      return ok.err();
  return check_user_limits(st.config, st.users, user, now);
}

void begin_request(backend_state& st, const request_key& key,
                   contract_kind kind, tokens fee, std::string fp,
                   timestamp now) {
  request_record rec;
  if (auto old = st.requests.find(key))
    rec = *old;
  rec.status.request_id = key.request_id;
  rec.status.user = key.user;
  rec.status.kind = kind;
  rec.status.stage = deployment_stage::received;
  rec.status.fee = fee;
  rec.status.receipt.reset();
  rec.status.refund.reset();
  rec.status.error.reset();
  if (rec.status.created_at == 0)
    rec.status.created_at = now;
  rec.status.updated_at = now;
  rec.fingerprint = std::move(fp);
  rec.failure.reset();
  st.requests = st.requests.insert(key, rec);
  user_record u;
  if (auto old = st.users.find(key.user))
    u = *old;
  else {
    u.profile.id = key.user;
    u.profile.registered_at = now;
  }
  u.profile.last_active_at = now;
  ++u.in_flight;
  if (std::find(u.request_ids.begin(), u.request_ids.end(), key.request_id)
      == u.request_ids.end()) {
    u.request_ids.push_back(key.request_id);
    // Drop the oldest terminal records beyond the window; in-flight ones
    // stay until they end.
    auto window = config_amount(st.config, "user.request_window");
    for (auto i = u.request_ids.begin(); window != 0
                                         && u.request_ids.size() > window
                                         && i != u.request_ids.end();) {
      request_key old{key.user, *i};
      auto r = st.requests.find(old);
      bool terminal = r == nullptr || !in_flight(r->status.stage);
      if (terminal && *i != key.request_id) {
        st.requests = st.requests.erase(old);
        i = u.request_ids.erase(i);
      } else {
        ++i;
      }
    }
  }
  st.users = st.users.insert(key.user, std::move(u));
}

void set_stage(backend_state& st, const request_key& key,
               deployment_stage stage, timestamp now) {
  auto old = st.requests.find(key);
  if (old == nullptr)
    return;
  auto rec = *old;
  rec.status.stage = stage;
  rec.status.updated_at = now;
  st.requests = st.requests.insert(key, std::move(rec));
}

void note_payment(backend_state& st, const principal& user, tokens amount,
                  timestamp now) {
  auto old = st.users.find(user);
  if (old == nullptr)
    return;
  auto u = *old;
  u.profile.fees_paid += amount;
  u.profile.last_active_at = now;
  st.users = st.users.insert(user, std::move(u));
}

void complete_request(backend_state& st, const request_key& key,
                      const deployment_receipt& receipt, timestamp now) {
  if (auto old = st.requests.find(key)) {
    auto rec = *old;
    rec.status.stage = deployment_stage::completed;
    rec.status.receipt = receipt;
    rec.status.updated_at = now;
    st.requests = st.requests.insert(key, std::move(rec));
  }
  ++st.deployments;
  auto old = st.users.find(key.user);
  if (old == nullptr)
    return;
  auto u = *old;
  if (u.in_flight > 0)
    --u.in_flight;
  ++u.profile.deployments;
  auto today = now - now % ns_per_day;
  if (u.day_start != today) {
    u.day_start = today;
    u.profile.limits.deployments_today = 0;
  }
  ++u.profile.limits.deployments_today;
  u.last_deployment_at = now;
  u.profile.last_active_at = now;
  u.history.push_back(receipt);
  auto limit = config_amount(st.config, "user.history_limit");
  if (limit != 0 && u.history.size() > limit)
    u.history.erase(u.history.begin(),
                    u.history.end() - static_cast<std::ptrdiff_t>(limit));
  st.users = st.users.insert(key.user, std::move(u));
}

void fail_request(backend_state& st, const request_key& key,
                  deployment_stage stage, const error& why,
                  const std::optional<refund_record>& refund, timestamp now) {
  if (auto old = st.requests.find(key)) {
    auto rec = *old;
    rec.status.stage = stage;
    rec.status.error = why.to_string();
    rec.status.refund = refund;
    rec.status.updated_at = now;
    rec.failure = why;
    st.requests = st.requests.insert(key, std::move(rec));
  }
  auto old = st.users.find(key.user);
  if (old == nullptr)
    return;
  auto u = *old;
  if (u.in_flight > 0)
    --u.in_flight;
  u.profile.last_active_at = now;
  st.users = st.users.insert(key.user, std::move(u));
}

refund_record
add_refund(backend_state& st, const principal& user, uint64_t payment_id,
           const std::string& request_id, service_id service, tokens amount,
           refund_reason reason, std::string description, timestamp now) {
  refund_record r;
  r.id = st.next_refund_id++;
  r.user = user;
  r.payment_id = payment_id;
  r.request_id = request_id;
  r.service = service;
  r.amount = amount;
  r.reason = reason;
  r.description = std::move(description);
  r.status = refund_status::pending;
  r.created_at = now;
  r.updated_at = now;
  st.refunds = st.refunds.insert(r.id, r);
  return r;
}

void update_refund(backend_state& st, const refund_record& r) {
  auto old = st.refunds.find(r.id);
  bool newly_completed = r.status == refund_status::completed
                         && (old == nullptr
                             || old->status != refund_status::completed);
  st.refunds = st.refunds.insert(r.id, r);
  if (newly_completed) {
    if (auto u = st.users.find(r.user)) {
      auto copy = *u;
      copy.profile.fees_refunded += r.amount;
      st.users = st.users.insert(r.user, std::move(copy));
    }
  }
  // The request record shows the refund's latest state.
  request_key key{r.user, r.request_id};
  if (auto rec = st.requests.find(key)) {
    auto copy = *rec;
    copy.status.refund = r;
    if (r.status == refund_status::completed
        && copy.status.stage == deployment_stage::refund_failed) {
      copy.status.stage = deployment_stage::refunded;
      if (copy.failure)
        copy.failure = make_error(backend_errc::deployment_failed,
                                  copy.failure->message
                                      + "; the fee was refunded later (refund "
                                      + std::to_string(r.id) + ")");
    }
    st.requests = st.requests.insert(key, std::move(copy));
  }
}

refund_page
refunds_of(const backend_state& st, const std::optional<principal>& user,
           const std::optional<refund_status>& status, const page& pg) {
  std::vector<refund_record> xs;
  for (auto& [id, r] : st.refunds)
    if ((!user || r.user == *user) && (!status || r.status == *status))
      xs.push_back(r);
  std::sort(xs.begin(), xs.end(), [](auto& x, auto& y) {
    return x.id > y.id;
  });
  refund_page out;
  out.total = xs.size();
  out.refunds = page_of(std::move(xs), pg);
  return out;
}

system_status status_of(const backend_state& st, timestamp now) {
  system_status s;
  s.maintenance_mode = config_flag(st.config, "system.maintenance_mode");
  auto& why = config_text(st.config, "system.maintenance_reason");
  if (!why.empty())
    s.maintenance_reason = why;
  s.version = config_text(st.config, "system.version");
  s.config_version = st.config.version;
  s.setup_completed = st.setup.completed;
  s.users = st.users.size();
  s.deployments = st.deployments;
  for (auto& [id, p] : st.pipelines)
    if (p.status.state == pipeline_state::running)
      ++s.pipelines_running;
  s.refunds = st.refunds.size();
  for (auto& [id, r] : st.refunds)
    if (r.status == refund_status::failed)
      ++s.refunds_failed;
  s.services = st.health;
  s.last_upgrade = st.started_at;
  s.now = now;
  return s;
}

namespace {

result<unit> broken(std::string what) {
  return make_error(system_errc::internal, "backend_state: " + std::move(what));
}

bool known_enum(contract_kind k) {
  return static_cast<uint8_t>(k)
         <= static_cast<uint8_t>(contract_kind::launchpad);
}

bool known_enum(deployment_stage s) {
  return static_cast<uint8_t>(s)
         <= static_cast<uint8_t>(deployment_stage::refund_failed);
}

bool known_enum(refund_status s) {
  return static_cast<uint8_t>(s) <= static_cast<uint8_t>(refund_status::failed);
}

bool known_enum(pipeline_state s) {
  return static_cast<uint8_t>(s)
         <= static_cast<uint8_t>(pipeline_state::failed);
}

} // namespace

result<unit> check_invariants(const backend_state& st) {
  if (st.self_id.empty() || st.self_id.is_anonymous())
    return broken("no self_id");
  if (st.breaker_threshold == 0)
    return broken("breaker_threshold is 0");
  // Services, setup entries and registrations, in their fixed order.
  const auto& services = managed_services();
  if (st.endpoints.size() != services.size()
      || st.setup.services.size() != services.size())
    return broken("endpoints or setup entries do not match the services");
  for (size_t i = 0; i < services.size(); ++i)
    if (st.endpoints[i].service != services[i]
        || st.setup.services[i].service != services[i]
        || st.setup.services[i].id != st.endpoints[i].id)
      return broken("endpoint " + std::to_string(i) + " is out of place");
  if (st.setup.completed != all_whitelisted(st))
    return broken("setup.completed disagrees with the whitelist flags");
  if (st.factories.size() != 5)
    return broken("not five factory registrations");
  for (size_t i = 0; i < st.factories.size(); ++i) {
    auto& f = st.factories[i];
    if (static_cast<size_t>(f.kind) != i || f.service != factory_service(f.kind)
        || endpoint_of(st, f.service) != f.id)
      return broken("factory registration " + std::to_string(i)
                    + " is out of place");
  }
  // Config: every declared key, valid; history up to the version.
  if (st.config.values.size() != config_keys().size())
    return broken("config keys missing or unknown");
  for (auto& k : config_keys()) {
    auto e = st.config.values.find(k.key);
    if (e == nullptr || e->key != k.key || !validate_config_value(k, e->value)
        || e->version > st.config.version)
      return broken("config value " + k.key + " is missing or invalid");
  }
  if (st.config.history.size() != st.config.version)
    return broken("config history does not match its version");
  for (auto& [v, c] : st.config.history)
    if (v != c.version || v == 0 || v > st.config.version
        || find_config_key(c.key) == nullptr)
      return broken("config change " + std::to_string(v) + " is misfiled");
  // Admins, users, requests.
  for (auto& [id, a] : st.admins.admins)
    if (id != a.id || is_controller(st.admins, id))
      return broken("admin " + id.to_text() + " is misfiled");
  for (auto& [id, u] : st.users)
    if (id != u.profile.id)
      return broken("user " + id.to_text() + " is misfiled");
  for (auto& [key, r] : st.requests) {
    if (key.user != r.status.user || key.request_id != r.status.request_id
        || !known_enum(r.status.kind) || !known_enum(r.status.stage))
      return broken("request " + key.request_id + " is misfiled");
    if (in_flight(r.status.stage) && !st.users.contains(key.user))
      return broken("request " + key.request_id + " of an unknown user");
  }
  // Refunds, pipelines and their counters.
  for (auto& [id, r] : st.refunds)
    if (id != r.id || id == 0 || id >= st.next_refund_id
        || !known_enum(r.status))
      return broken("refund " + std::to_string(id) + " is misfiled");
  for (auto& [id, t] : st.refund_tx_times)
    if (!st.refunds.contains(id))
      return broken("transfer time of unknown refund " + std::to_string(id));
  for (auto& [id, p] : st.pipelines)
    if (id != p.status.pipeline_id || id == 0 || id >= st.next_pipeline_id
        || !known_enum(p.status.state) || p.status.steps.size() != 3)
      return broken("pipeline " + std::to_string(id) + " is misfiled");
  if (st.pipeline_ids.size() != st.pipelines.size())
    return broken("pipeline index and pipelines differ in size");
  for (auto& [key, id] : st.pipeline_ids) {
    auto p = st.pipelines.find(id);
    if (p == nullptr || p->status.user != key.user
        || p->status.request_id != key.request_id)
      return broken("pipeline index entry " + key.request_id
                    + " points elsewhere");
  }
  if (st.next_payment_id == 0)
    return broken("next_payment_id is 0");
  return unit{};
}

} // namespace icto
