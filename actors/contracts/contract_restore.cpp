// Restoring a contract from its metadata record: decode it and hand it to
// its kind's restore function.

#include "actors/common/event_codec.hpp"
#include "actors/contracts/contract_durable.hpp"
#include "actors/contracts/contract_spawn.hpp"

#include <caf/actor_cast.hpp>

namespace icto {

namespace {

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
  contract_params p;
  p.id = m->id;
  p.owner = m->owner;
  p.factory_id = m->factory_id;
  p.version = m->version;
  p.created_at = m->created_at;
  p.ledger = peers.ledger;
  p.ledger_id = m->ledger_id;
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

} // namespace icto
