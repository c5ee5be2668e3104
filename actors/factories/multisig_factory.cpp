#include "actors/factories/multisig_factory.hpp"

#include "actors/factories/factory_actor_impl.hpp"

namespace icto {

namespace {

/// The multisig kind for the factory template.
struct multisig_traits {
  static constexpr contract_kind kind = contract_kind::multisig;
  static constexpr const char* name = "multisig_factory";
  using factory_actor = multisig_factory_actor;
  using contract_actor = multisig_contract_actor;
  using init_type = multisig_init;
  using spawner = multisig_contract_spawner;

  static contract_actor spawn(caf::actor_system& sys, node_context_ptr ctx,
                              contract_params params, factory_actor factory,
                              init_type init) {
    return spawn_multisig_contract(sys, std::move(ctx), std::move(params),
                                   std::move(factory), std::move(init));
  }
  static std::vector<code_version> code_versions() {
    return multisig_code_versions();
  }
  static result<unit> validate(const init_type& init) {
    return icto::validate(init);
  }
  /// The initial signers and observers.
  static std::vector<role_entry> initial_roles(const init_type& init,
                                               const principal&) {
    std::vector<role_entry> out;
    for (auto& s : init.signers)
      out.push_back(role_entry{s, contract_role::signer});
    for (auto& o : init.observers)
      out.push_back(role_entry{o, contract_role::observer});
    return out;
  }
};

using self_type = factory_impl::self_ptr<multisig_traits>;

multisig_factory_actor::behavior_type
multisig_factory_impl(self_type self, node_context_ptr ctx, factory_config cfg,
                      multisig_contract_spawner spawner,
                      factory_impl::factory_start start) {
  return factory_impl::make_behavior<multisig_traits>(
      self, std::move(ctx), std::move(cfg), std::move(spawner),
      std::move(start),
      [self](const caller&, const create_multisig_contract& req) {
        return factory_impl::create_contract<multisig_traits>(self, req.owner,
                                                              req.init);
      },
      [self](const caller&,
             const notify_signer_added_arg& arg) -> caf::result<result<unit>> {
        return factory_impl::role_change(self, factory_op::role_added,
                                         arg.contract_id, arg.signer,
                                         contract_role::signer);
      },
      [self](const caller&, const notify_signer_removed_arg& arg)
          -> caf::result<result<unit>> {
        return factory_impl::role_change(self, factory_op::role_removed,
                                         arg.contract_id, arg.signer,
                                         contract_role::signer);
      },
      [self](const caller&, const notify_observer_added_arg& arg)
          -> caf::result<result<unit>> {
        return factory_impl::role_change(self, factory_op::role_added,
                                         arg.contract_id, arg.observer,
                                         contract_role::observer);
      },
      [self](const caller&, const notify_observer_removed_arg& arg)
          -> caf::result<result<unit>> {
        return factory_impl::role_change(self, factory_op::role_removed,
                                         arg.contract_id, arg.observer,
                                         contract_role::observer);
      },
      [self](const caller&, const notify_proposal_created_arg& arg)
          -> caf::result<result<unit>> {
        return factory_impl::callback(self, factory_op::proposal, arg);
      });
}

} // namespace

multisig_factory_actor
spawn_multisig_factory(caf::actor_system& sys, node_context_ptr ctx,
                       factory_config cfg, multisig_contract_spawner spawner) {
  return factory_impl::spawn_factory<multisig_traits>(sys, std::move(ctx),
                                                      std::move(cfg),
                                                      std::move(spawner),
                                                      multisig_factory_impl);
}

result<multisig_factory_actor>
spawn_durable_multisig_factory(caf::actor_system& sys, node_context_ptr ctx,
                               factory_config cfg,
                               const store::recovered_actor& rec,
                               multisig_contract_spawner spawner) {
  return factory_impl::spawn_durable_factory<multisig_traits>(
      sys, std::move(ctx), std::move(cfg), std::move(spawner),
      multisig_factory_impl, rec);
}

} // namespace icto
