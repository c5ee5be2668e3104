// Restoring a contract from its metadata record: decode it and hand it to
// its kind's restore function.

#include "actors/common/event_codec.hpp"
#include "actors/contracts/contract_durable.hpp"
#include "actors/contracts/contract_spawn.hpp"

#include <caf/actor_cast.hpp>

namespace icto {

namespace {

contract_params params_of(const contract_meta& m, const ledger_actor& ledger) {
  contract_params p;
  p.id = m.id;
  p.owner = m.owner;
  p.factory_id = m.factory_id;
  p.version = m.version;
  p.created_at = m.created_at;
  p.ledger = ledger;
  p.ledger_id = m.ledger_id;
  return p;
}

result<contract_meta> decode_meta(const std::string& meta) {
  return decode_event<contract_meta>(meta, "contract metadata");
}

} // namespace

result<contract_kind> contract_kind_of_meta(const std::string& meta) {
  auto m = decode_meta(meta);
  if (!m)
    return m.err();
  return m->kind;
}

result<caf::actor>
restore_contract(caf::actor_system& sys, node_context_ptr ctx,
                 const std::string& meta, const store::recovered_actor& rec,
                 const contract_peers& peers) {
  auto m = decode_meta(meta);
  if (!m)
    return m.err();
  if (m->id != rec.actor)
    return make_error(system_errc::storage_failure,
                      "the metadata of " + rec.actor.to_text() + " names "
                          + m->id.to_text());
  auto p = params_of(*m, peers.ledger);
  switch (m->kind) {
  case contract_kind::token:
    return restore_token_contract(sys, std::move(ctx), std::move(p),
                                  peers.token, m->init, rec);
  case contract_kind::multisig:
    return restore_multisig_contract(sys, std::move(ctx), std::move(p),
                                     peers.multisig, m->init, rec);
  case contract_kind::distribution:
    return restore_distribution_contract(sys, std::move(ctx), std::move(p),
                                         peers.distribution, m->init, rec);
  case contract_kind::dao:
    return restore_dao_contract(sys, std::move(ctx), std::move(p), peers.dao,
                                m->init, rec);
  case contract_kind::launchpad:
    return restore_launchpad_contract(sys, std::move(ctx), std::move(p),
                                      peers.launchpad, m->init, rec);
  }
  return make_error(system_errc::storage_failure,
                    "contract " + m->id.to_text() + ": unknown kind "
                        + std::to_string(static_cast<int>(m->kind)));
}

namespace {

/// Decodes and validates a kind's init, then spawns the contract.
template <class Init, class Factory, class Spawn>
result<caf::actor> spawn_fresh(const contract_meta& m, const char* kind,
                               const Factory& factory, Spawn spawn) {
  if (!factory)
    return make_error(system_errc::unavailable,
                      std::string{"contract "} + m.id.to_text() + ": no " + kind
                          + " factory is reachable from this node");
  auto init = decode_event<Init>(m.init, std::string{kind} + " init of "
                                             + m.id.to_text());
  if (!init)
    return init.err();
  if (auto ok = validate(*init); !ok)
    return make_error(contract_errc::invalid_argument,
                      "contract " + m.id.to_text() + ": " + ok.err().message);
  return caf::actor_cast<caf::actor>(spawn(std::move(*init)));
}

} // namespace

result<caf::actor>
spawn_contract_from_meta(caf::actor_system& sys, node_context_ptr ctx,
                         const contract_meta& m, const contract_peers& peers) {
  auto p = params_of(m, peers.ledger);
  switch (m.kind) {
  case contract_kind::token:
    return spawn_fresh<token_init>(m, "token", peers.token, [&](auto init) {
      return spawn_token_contract(sys, ctx, p, peers.token, std::move(init));
    });
  case contract_kind::multisig:
    return spawn_fresh<multisig_init>(
        m, "multisig", peers.multisig, [&](auto init) {
          return spawn_multisig_contract(sys, ctx, p, peers.multisig,
                                         std::move(init));
        });
  case contract_kind::distribution:
    return spawn_fresh<distribution_init>(
        m, "distribution", peers.distribution, [&](auto init) {
          return spawn_distribution_contract(sys, ctx, p, peers.distribution,
                                             std::move(init));
        });
  case contract_kind::dao:
    return spawn_fresh<dao_init>(m, "dao", peers.dao, [&](auto init) {
      return spawn_dao_contract(sys, ctx, p, peers.dao, std::move(init));
    });
  case contract_kind::launchpad:
    return spawn_fresh<launchpad_init>(
        m, "launchpad", peers.launchpad, [&](auto init) {
          return spawn_launchpad_contract(sys, ctx, p, peers.launchpad,
                                          std::move(init));
        });
  }
  return make_error(contract_errc::invalid_argument,
                    "contract " + m.id.to_text() + ": unknown kind "
                        + std::to_string(static_cast<int>(m.kind)));
}

} // namespace icto
