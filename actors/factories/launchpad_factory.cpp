#include "actors/factories/launchpad_factory.hpp"

#include "actors/factories/factory_actor_impl.hpp"

namespace icto {

namespace {

/// The launchpad kind for the factory template.
struct launchpad_traits {
  static constexpr contract_kind kind = contract_kind::launchpad;
  static constexpr const char* name = "launchpad_factory";
  using factory_actor = launchpad_factory_actor;
  using contract_actor = launchpad_contract_actor;
  using init_type = launchpad_init;
  using spawner = launchpad_contract_spawner;

  static contract_actor spawn(caf::actor_system& sys, node_context_ptr ctx,
                              contract_params params, factory_actor factory,
                              init_type init) {
    return spawn_launchpad_contract(sys, std::move(ctx), std::move(params),
                                    std::move(factory), std::move(init));
  }
  static std::vector<code_version> code_versions() {
    return launchpad_code_versions();
  }
  static result<unit> validate(const init_type& init) {
    return icto::validate(init);
  }
  /// None: participants join by contributing.
  static std::vector<role_entry> initial_roles(const init_type&,
                                               const principal&) {
    return {};
  }
};

using self_type = factory_impl::self_ptr<launchpad_traits>;

launchpad_factory_actor::behavior_type
launchpad_factory_impl(self_type self, node_context_ptr ctx, factory_config cfg,
                       launchpad_contract_spawner spawner,
                       factory_impl::factory_start start) {
  return factory_impl::make_behavior<launchpad_traits>(
      self, std::move(ctx), std::move(cfg), std::move(spawner),
      std::move(start),
      [self](const caller&, const create_launchpad_contract& req) {
        return factory_impl::create_contract<launchpad_traits>(self, req.owner,
                                                               req.init);
      },
      [self](const caller&, const notify_participant_added_arg& arg)
          -> caf::result<result<unit>> {
        return factory_impl::role_change(self, factory_op::role_added,
                                         arg.contract_id, arg.participant,
                                         contract_role::participant);
      },
      [self](const caller&, const notify_participant_removed_arg& arg)
          -> caf::result<result<unit>> {
        return factory_impl::role_change(self, factory_op::role_removed,
                                         arg.contract_id, arg.participant,
                                         contract_role::participant);
      });
}

} // namespace

launchpad_factory_actor
spawn_launchpad_factory(caf::actor_system& sys, node_context_ptr ctx,
                        factory_config cfg,
                        launchpad_contract_spawner spawner) {
  return factory_impl::spawn_factory<launchpad_traits>(sys, std::move(ctx),
                                                       std::move(cfg),
                                                       std::move(spawner),
                                                       launchpad_factory_impl);
}

result<launchpad_factory_actor>
spawn_durable_launchpad_factory(caf::actor_system& sys, node_context_ptr ctx,
                                factory_config cfg,
                                const store::recovered_actor& rec,
                                launchpad_contract_spawner spawner) {
  return factory_impl::spawn_durable_factory<launchpad_traits>(
      sys, std::move(ctx), std::move(cfg), std::move(spawner),
      launchpad_factory_impl, rec);
}

} // namespace icto
