#include "node/platform.hpp"

#include "actors/audit/audit_actor.hpp"
#include "actors/backend/backend_actor.hpp"
#include "actors/common/durable.hpp"
#include "actors/contracts/contract_spawn.hpp"
#include "actors/factories/dao_factory.hpp"
#include "actors/factories/distribution_factory.hpp"
#include "actors/factories/launchpad_factory.hpp"
#include "actors/factories/multisig_factory.hpp"
#include "actors/factories/token_factory.hpp"
#include "actors/invoice/invoice_actor.hpp"
#include "actors/ledger/ledger_actor.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include <string>

namespace icto {

principal service_principal(service_id x) {
  return principal::canister_id(static_cast<uint64_t>(x) + 1);
}

std::optional<service_id> service_of(const principal& p) {
  for (auto s : all_services)
    if (service_principal(s) == p)
      return s;
  return std::nullopt;
}

std::vector<caf::actor> platform::all() const {
  std::vector<caf::actor> out;
  for (size_t i = 0; i < service_count; ++i)
    if (hosted[i] && by_service[i])
      out.push_back(by_service[i]);
  return out;
}

void kick_restored(const platform& p) {
  for (auto& h : p.restored)
    caf::anon_send(h, caller{}, contract_status_arg{});
}

namespace {

template <class Handle>
void keep(platform& p, service_id s, const Handle& h) {
  p.by_service[static_cast<size_t>(s)] = caf::actor_cast<caf::actor>(h);
  p.hosted[static_cast<size_t>(s)] = true;
}

/// `keep`, and the directory entry for a service that does not make its
/// own (the ledger and the storages; factories and backend register
/// themselves).
template <class Handle>
void keep_and_register(platform& p, node_context& ctx, service_id s,
                       const Handle& h) {
  ctx.dir.add(h.address(), service_principal(s), actor_role::service);
  keep(p, s, h);
}

/// Factory `s`'s share of a node's contract ids: the range split evenly
/// among the five factories, in service_id order, so that no two factories
/// ever give out the same id.
id_range factory_share(service_id s, const node_config& node) {
  const uint64_t share = node.contract_ids.count / 5;
  const uint64_t k = static_cast<uint64_t>(s)
                     - static_cast<uint64_t>(service_id::token_factory);
  id_range r;
  r.first = node.contract_ids.start + k * share;
  r.last = k == 4 ? node.contract_ids.end() - 1 : r.first + share - 1;
  r.next = r.first;
  return r;
}

factory_config make_factory_config(service_id s, const topology& topo,
                                   const node_config& node, const platform& p) {
  factory_config cfg;
  cfg.id = service_principal(s);
  if (topo.nodes.size() > 1) {
    for (auto* n : topo.contract_nodes()) {
      auto r = factory_share(s, *n);
      r.node = n->name;
      cfg.targets.push_back(std::move(r));
    }
  } else {
    auto r = factory_share(s, node);
    cfg.first_contract_index = r.first;
    cfg.last_contract_index = r.last;
  }
  cfg.whitelist = {service_principal(service_id::backend)};
  cfg.admins = {service_principal(service_id::backend)};
  cfg.ledger = p.ledger;
  cfg.ledger_id = service_principal(service_id::ledger);
  if (topo.cluster.request_timeout.count() > 0) {
    cfg.deployment_timeout = topo.cluster.request_timeout;
    cfg.upgrade_timeout = topo.cluster.request_timeout;
  }
  return cfg;
}

/// ICTO V2 config keys the topology sets for the backend.
std::vector<std::pair<std::string, std::string>>
backend_overrides(const topology& topo) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto s : all_services) {
    const auto* f = topo.factory(s);
    if (f == nullptr)
      continue;
    const std::string prefix{to_string(s)};
    out.emplace_back(prefix + ".fee", std::to_string(f->fee));
    out.emplace_back(prefix + ".enabled", f->enabled ? "true" : "false");
    out.emplace_back(prefix + ".initial_cycles",
                     std::to_string(f->initial_cycles));
  }
  if (topo.limits.max_deployments_per_user > 0)
    out.emplace_back("user.max_deployments",
                     std::to_string(topo.limits.max_deployments_per_user));
  return out;
}

} // namespace

result<platform> spawn_platform(caf::actor_system& sys, node_context_ptr ctx,
                                const topology& topo, const node_config& node,
                                const platform_options& opts) {
  const auto hosted = topo.services_of(node.name);
  const bool contract_node = node.has_role(node_role::contracts);
  if (hosted.empty() && !(contract_node && opts.remote))
    return platform{};
  if (hosted.size() != service_count && !opts.remote) {
    std::string elsewhere;
    for (auto s : all_services)
      if (topo.host_of(s) != node.name)
        elsewhere += std::string{elsewhere.empty() ? "" : ", "}
                     + std::string{to_string(s)} + " on " + topo.host_of(s);
    return make_error(system_errc::unavailable,
                      "node " + node.name + " hosts only some services ("
                          + elsewhere
                          + " elsewhere); services on other nodes are "
                            "reached through the node manager "
                            "(platform_options::remote), which ictod runs "
                            "for a topology of several nodes");
  }
  for (auto* n : topo.nodes.size() > 1 ? topo.contract_nodes()
                                       : std::vector<const node_config*>{&node})
    if (n->contract_ids.count < 5)
      return make_error(system_errc::unavailable,
                        "node " + n->name
                            + " hosts contracts but its contract_ids range "
                              "has fewer than 5 ids (one share per factory)");
  ctx->controllers = topo.controllers;
  platform p;
  const auto backend_id = service_principal(service_id::backend);
  auto here = [&](service_id s) {
    return topo.host_of(s) == node.name;
  };
  // A service of another node, typed as `Handle`, or an error naming it.
  auto elsewhere = [&](service_id s, auto& out) -> result<unit> {
    auto h = opts.remote(s);
    if (!h)
      return make_error(system_errc::unavailable,
                        "service " + std::string{to_string(s)} + " on node "
                            + topo.host_of(s) + " is not reachable");
    out = caf::actor_cast<std::decay_t<decltype(out)>>(h);
    p.by_service[static_cast<size_t>(s)] = h;
    return unit{};
  };

  ledger_config lc;
  lc.name = topo.ledger.token_name;
  lc.symbol = topo.ledger.token_symbol;
  lc.decimals = topo.ledger.decimals;
  lc.fee = topo.ledger.fee;
  lc.minting_account = account{topo.ledger.minting_account, std::nullopt};
  if (auto ok = validate(lc); !ok)
    return ok.err();
  // What the store holds for a journaled service, noted for the log.
  auto recover = [&](service_id s) -> result<store::recovered_actor> {
    auto rec = ctx->persistence->store->recover(service_principal(s));
    if (!rec)
      return rec.err();
    for (auto& w : rec->warnings)
      p.recovery_warnings.push_back(w);
    p.recovered.push_back(
        std::string{to_string(s)} + ": " + std::to_string(rec->last_seq)
        + " events ("
        + (rec->checkpoint
               ? "checkpoint at " + std::to_string(rec->checkpoint_seq)
               : std::string{"no checkpoint"})
        + ", " + std::to_string(rec->events.size()) + " replayed)");
    return rec;
  };
  // Spawns a journaled service from its store, or in memory.
  auto durable = [&](service_id s, auto in_memory,
                     auto from_store) -> result<decltype(in_memory())> {
    if (!ctx->persistence)
      return in_memory();
    auto rec = recover(s);
    if (!rec)
      return rec.err();
    auto h = from_store(service_principal(s), *rec);
    if (h)
      p.journaled.push_back(caf::actor_cast<caf::actor>(*h));
    return h;
  };

  const bool has_backend = here(service_id::backend);
  bool has_factory = false;
  for (auto s : all_services)
    if (is_factory(s) && here(s))
      has_factory = true;
  if (!here(service_id::ledger)) {
    if (has_backend || has_factory || contract_node)
      if (auto ok = elsewhere(service_id::ledger, p.ledger); !ok)
        return ok.err();
  } else {
    auto ledger = durable(
        service_id::ledger,
        [&] {
          return spawn_ledger(sys, ctx, lc);
        },
        [&](const principal& id, const store::recovered_actor& rec) {
          return spawn_durable_ledger(sys, ctx, lc, id, rec);
        });
    if (!ledger)
      return ledger.err();
    p.ledger = *ledger;
    keep_and_register(p, *ctx, service_id::ledger, p.ledger);
  }

  std::vector<principal> writers{backend_id};
  for (auto s : all_services)
    if (is_factory(s))
      writers.push_back(service_principal(s));
  const audit_config ac{writers, backend_id};
  if (!here(service_id::audit_storage)) {
    if (has_backend)
      if (auto ok = elsewhere(service_id::audit_storage, p.audit); !ok)
        return ok.err();
  } else {
    auto audit = durable(
        service_id::audit_storage,
        [&] {
          return spawn_audit_storage(sys, ctx, ac);
        },
        [&](const principal& id, const store::recovered_actor& rec) {
          return spawn_durable_audit_storage(sys, ctx, ac, id, rec);
        });
    if (!audit)
      return audit.err();
    p.audit = *audit;
    keep_and_register(p, *ctx, service_id::audit_storage, p.audit);
  }
  const invoice_config ic{{backend_id}, backend_id};
  if (!here(service_id::invoice_storage)) {
    if (has_backend)
      if (auto ok = elsewhere(service_id::invoice_storage, p.invoice); !ok)
        return ok.err();
  } else {
    auto invoice = durable(
        service_id::invoice_storage,
        [&] {
          return spawn_invoice_storage(sys, ctx, ic);
        },
        [&](const principal& id, const store::recovered_actor& rec) {
          return spawn_durable_invoice_storage(sys, ctx, ic, id, rec);
        });
    if (!invoice)
      return invoice.err();
    p.invoice = *invoice;
    keep_and_register(p, *ctx, service_id::invoice_storage, p.invoice);
  }

  // Factories, from the store when the node has one.
#define ICTO_FACTORY(kind)                                                     \
  if (!here(service_id::kind##_factory)) {                                     \
    if (has_backend || contract_node)                                          \
      if (auto ok = elsewhere(service_id::kind##_factory, p.kind##_factory);   \
          !ok)                                                                 \
        return ok.err();                                                       \
  } else {                                                                     \
    auto cfg = make_factory_config(service_id::kind##_factory, topo, node, p); \
    auto h = durable(                                                          \
        service_id::kind##_factory,                                            \
        [&] {                                                                  \
          return spawn_##kind##_factory(sys, ctx, cfg);                        \
        },                                                                     \
        [&](const principal&, const store::recovered_actor& rec) {             \
          return spawn_durable_##kind##_factory(sys, ctx, cfg, rec);           \
        });                                                                    \
    if (!h)                                                                    \
      return h.err();                                                          \
    p.kind##_factory = *h;                                                     \
    keep(p, service_id::kind##_factory, p.kind##_factory);                     \
  }
  ICTO_FACTORY(token)
  ICTO_FACTORY(multisig)
  ICTO_FACTORY(distribution)
  ICTO_FACTORY(dao)
  ICTO_FACTORY(launchpad)
#undef ICTO_FACTORY

  // The contracts in the store, each re-spawned under its id; it re-binds
  // with its factory by itself.
  p.peers = contract_peers{p.token_factory,        p.multisig_factory,
                           p.distribution_factory, p.dao_factory,
                           p.launchpad_factory,    p.ledger};
  if (ctx->persistence) {
    const auto& peers = p.peers;
    size_t restored = 0;
    size_t events = 0;
    for (auto& id : ctx->persistence->store->actors()) {
      if (service_of(id))
        continue;
      auto meta = ctx->persistence->store->read_meta(id);
      if (!meta)
        return meta.err();
      if (!*meta)
        return make_error(system_errc::storage_failure,
                          "the store holds records of " + id.to_text()
                              + " but no metadata saying what it is");
      auto rec = ctx->persistence->store->recover(id);
      if (!rec)
        return rec.err();
      for (auto& w : rec->warnings)
        p.recovery_warnings.push_back(w);
      auto h = restore_contract(sys, ctx, **meta, *rec, peers);
      if (!h)
        return h.err();
      p.restored.push_back(*h);
      ++restored;
      events += rec->events.size();
    }
    p.recovered.push_back("contracts: " + std::to_string(restored)
                          + " restored (" + std::to_string(events)
                          + " journal events replayed)");
    p.restored_contracts = restored;
    // Runs them (contracts start lazily): each re-binds with its factory.
    if (opts.kick_restored)
      kick_restored(p);
  }
  if (!has_backend)
    return p;

  backend_config bc;
  bc.self_id = backend_id;
  bc.ledger = p.ledger;
  bc.ledger_id = service_principal(service_id::ledger);
  bc.audit = p.audit;
  bc.audit_id = service_principal(service_id::audit_storage);
  bc.invoice = p.invoice;
  bc.invoice_id = service_principal(service_id::invoice_storage);
  bc.token_factory = p.token_factory;
  bc.token_factory_id = service_principal(service_id::token_factory);
  bc.multisig_factory = p.multisig_factory;
  bc.multisig_factory_id = service_principal(service_id::multisig_factory);
  bc.distribution_factory = p.distribution_factory;
  bc.distribution_factory_id
      = service_principal(service_id::distribution_factory);
  bc.dao_factory = p.dao_factory;
  bc.dao_factory_id = service_principal(service_id::dao_factory);
  bc.launchpad_factory = p.launchpad_factory;
  bc.launchpad_factory_id = service_principal(service_id::launchpad_factory);
  bc.ledger_fee = topo.ledger.fee;
  if (topo.cluster.health_check_interval.count() > 0)
    bc.health_interval = topo.cluster.health_check_interval;
  if (topo.cluster.request_timeout.count() > 0)
    bc.request_timeout = topo.cluster.request_timeout;
  bc.config = backend_overrides(topo);
  // Last: a restored backend ends the requests it had in flight at once,
  // calling the ledger, the storages and the factories.
  auto backend = durable(
      service_id::backend,
      [&] {
        return spawn_backend(sys, ctx, bc);
      },
      [&](const principal& id, const store::recovered_actor& rec) {
        return spawn_durable_backend(sys, ctx, bc, id, rec);
      });
  if (!backend)
    return backend.err();
  p.backend = *backend;
  keep(p, service_id::backend, p.backend);
  return p;
}

} // namespace icto
