#include "actors/factories/distribution_factory.hpp"

#include "actors/factories/factory_actor_impl.hpp"

namespace icto {

namespace {

/// The distribution kind for the factory template.
struct distribution_traits {
  static constexpr contract_kind kind = contract_kind::distribution;
  static constexpr const char* name = "distribution_factory";
  using factory_actor = distribution_factory_actor;
  using contract_actor = distribution_contract_actor;
  using init_type = distribution_init;
  using spawner = distribution_contract_spawner;

  static contract_actor spawn(caf::actor_system& sys, node_context_ptr ctx,
                              contract_params params, factory_actor factory,
                              init_type init) {
    return spawn_distribution_contract(sys, std::move(ctx), std::move(params),
                                       std::move(factory), std::move(init));
  }
  static std::vector<code_version> code_versions() {
    return distribution_code_versions();
  }
  static result<unit> validate(const init_type& init) {
    return icto::validate(init);
  }
  /// The initial recipients.
  static std::vector<role_entry> initial_roles(const init_type& init,
                                               const principal&) {
    std::vector<role_entry> out;
    for (auto& r : init.recipients)
      out.push_back(role_entry{r.recipient, contract_role::recipient});
    return out;
  }
};

using self_type = factory_impl::self_ptr<distribution_traits>;

distribution_factory_actor::behavior_type
distribution_factory_impl(self_type self, node_context_ptr ctx,
                          factory_config cfg,
                          distribution_contract_spawner spawner,
                          factory_impl::factory_start start) {
  return factory_impl::make_behavior<distribution_traits>(
      self, std::move(ctx), std::move(cfg), std::move(spawner),
      std::move(start),
      [self](const caller&, const create_distribution_contract& req) {
        return factory_impl::create_contract<distribution_traits>(
            self, req.owner, req.init);
      },
      [self](const caller&, const notify_recipient_added_arg& arg)
          -> caf::result<result<unit>> {
        return factory_impl::role_change(self, factory_op::role_added,
                                         arg.contract_id, arg.recipient,
                                         contract_role::recipient);
      },
      [self](const caller&, const notify_recipient_removed_arg& arg)
          -> caf::result<result<unit>> {
        return factory_impl::role_change(self, factory_op::role_removed,
                                         arg.contract_id, arg.recipient,
                                         contract_role::recipient);
      });
}

} // namespace

distribution_factory_actor
spawn_distribution_factory(caf::actor_system& sys, node_context_ptr ctx,
                           factory_config cfg,
                           distribution_contract_spawner spawner) {
  return factory_impl::spawn_factory<distribution_traits>(
      sys, std::move(ctx), std::move(cfg), std::move(spawner),
      distribution_factory_impl);
}

result<distribution_factory_actor>
spawn_durable_distribution_factory(caf::actor_system& sys, node_context_ptr ctx,
                                   factory_config cfg,
                                   const store::recovered_actor& rec,
                                   distribution_contract_spawner spawner) {
  return factory_impl::spawn_durable_factory<distribution_traits>(
      sys, std::move(ctx), std::move(cfg), std::move(spawner),
      distribution_factory_impl, rec);
}

} // namespace icto
