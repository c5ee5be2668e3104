#pragma once

// Rebuilding a contract from the node's store (contract_durable.hpp): its
// initial image, its last checkpoint, its journal after it. Include only
// from a kind's actor .cpp (it pulls in Boost.Serialization).

#include "actors/common/recovery.hpp"
#include "actors/contracts/contract_actor.hpp"
#include "actors/contracts/contract_durable.hpp"
#include "actors/contracts/contract_state_serialization.hpp"

#include <caf/actor_cast.hpp>
#include <caf/sec.hpp>

#include <string>
#include <utility>

namespace icto {

/// A new contract's image: `valid` (the init's validation) must be ok and
/// `version` one the kind's code knows; then `image()`. Errors name what is
/// wrong.
template <class State, class Image>
result<contract_checkpoint<State>>
checked_image(result<unit> valid, const version_table<State>& versions,
              const char* kind, const semver& version, Image image) {
  if (!valid)
    return valid.err();
  if (!versions.knows(version))
    return make_error(contract_errc::invalid_argument, std::string{"no "} + kind
                                                           + " code version "
                                                           + to_text(version));
  return image();
}

/// The start of every kind's behavior, fresh or restored: a fresh contract
/// takes `initial()` (a result of its image; an error quits the actor with
/// it), a restored one the image in `start`; then start_contract and
/// start_durable, with the kind's state at `kind_state` (a member of
/// self->state). Returns false if the actor quit.
template <class Self, class FactoryHandle, class KindState, class Init,
          class Initial>
bool start_kind_contract(Self self, node_context_ptr ctx,
                         const contract_params& params, FactoryHandle factory,
                         const Init& init, contract_start<KindState>& start,
                         contract_kind kind, KindState& kind_state,
                         Initial initial) {
  if (!start.image) {
    result<contract_checkpoint<KindState>> img = initial();
    if (!img) {
      self->quit(
          caf::make_error(caf::sec::invalid_argument, img.err().to_string()));
      return false;
    }
    start_contract(self, std::move(ctx), params, std::move(factory),
                   std::move(img->core));
    kind_state = std::move(img->state);
  } else {
    start_contract(self, std::move(ctx), params, std::move(factory), {});
  }
  start_durable(self, start, meta_of(kind, params, init), kind_state,
                [self, &kind_state] {
                  return checkpoint_of(image_of(self->state, kind_state));
                });
  return true;
}

/// `initial()` or the checkpoint in `rec`, then `replay(image, event)` for
/// every journal event; errors name `what` and the sequence number.
template <class KindState, class Initial, class Replay>
result<contract_checkpoint<KindState>>
rebuild_contract(const store::recovered_actor& rec, const std::string& what,
                 Initial&& initial, Replay&& replay) {
  return rebuild_state<contract_checkpoint<KindState>, op_event>(
      rec, what, std::forward<Initial>(initial), std::forward<Replay>(replay));
}

/// Restores a contract of one kind from its store records: decodes its
/// `init_bytes`, rebuilds its image (`initial(params, init)`, then the
/// checkpoint and the journal through `replay`) and spawns `impl` under its
/// id, its journal continuing after `rec`. Errors name the contract and the
/// sequence number of a bad record.
template <class KindState, class Init, class Impl, class Factory, class Initial,
          class Replay>
result<caf::actor>
restore_kind_contract(caf::actor_system& sys, node_context_ptr ctx,
                      contract_params params, Factory factory,
                      const std::string& init_bytes,
                      const store::recovered_actor& rec, const char* kind,
                      Impl impl, Initial initial, Replay replay) {
  auto init = decode_event<Init>(init_bytes, std::string{kind} + " init");
  if (!init)
    return init.err();
  auto img = rebuild_contract<KindState>(
      rec, std::string{kind} + " contract " + params.id.to_text(),
      [&] {
        return result<contract_checkpoint<KindState>>{initial(params, *init)};
      },
      replay);
  if (!img)
    return img.err();
  auto id = params.id;
  auto h = spawn_contract_actor(
      sys, ctx, id, impl, ctx, std::move(params), std::move(factory),
      std::move(*init),
      contract_start<KindState>{durable_start{id, rec.last_seq,
                                              rec.checkpoint_seq},
                                std::move(*img)});
  return caf::actor_cast<caf::actor>(h);
}

} // namespace icto
