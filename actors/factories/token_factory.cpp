#include "actors/factories/token_factory.hpp"

#include "actors/factories/factory_actor_impl.hpp"

namespace icto {

namespace {

/// The token kind for the factory template.
struct token_traits {
  static constexpr contract_kind kind = contract_kind::token;
  static constexpr const char* name = "token_factory";
  using factory_actor = token_factory_actor;
  using contract_actor = token_contract_actor;
  using init_type = token_init;
  using spawner = token_contract_spawner;

  static contract_actor spawn(caf::actor_system& sys, node_context_ptr ctx,
                              contract_params params, factory_actor factory,
                              init_type init) {
    return spawn_token_contract(sys, std::move(ctx), std::move(params),
                                std::move(factory), std::move(init));
  }
  static std::vector<code_version> code_versions() {
    return token_code_versions();
  }
  static result<unit> validate(const init_type& init) {
    return icto::validate(init);
  }
  /// The owner holds the initial supply.
  static std::vector<role_entry> initial_roles(const init_type& init,
                                               const principal& owner) {
    if (init.initial_supply == 0)
      return {};
    return {role_entry{owner, contract_role::holder}};
  }
};

using self_type = factory_impl::self_ptr<token_traits>;

token_factory_actor::behavior_type
token_factory_impl(self_type self, node_context_ptr ctx, factory_config cfg,
                   token_contract_spawner spawner,
                   factory_impl::factory_start start) {
  return factory_impl::make_behavior<token_traits>(
      self, std::move(ctx), std::move(cfg), std::move(spawner),
      std::move(start),
      [self](const caller&, const create_token_contract& req) {
        return factory_impl::create_contract<token_traits>(self, req.owner,
                                                           req.init);
      },
      [self](const caller&,
             const notify_transfer_arg& arg) -> caf::result<result<unit>> {
        return factory_impl::holders_changed(self, arg.contract_id,
                                             {arg.from, arg.to});
      },
      [self](const caller&,
             const notify_mint_arg& arg) -> caf::result<result<unit>> {
        return factory_impl::holders_changed(self, arg.contract_id, {arg.to});
      },
      [self](const caller&,
             const notify_burn_arg& arg) -> caf::result<result<unit>> {
        return factory_impl::holders_changed(self, arg.contract_id, {arg.from});
      });
}

} // namespace

token_factory_actor
spawn_token_factory(caf::actor_system& sys, node_context_ptr ctx,
                    factory_config cfg, token_contract_spawner spawner) {
  return factory_impl::spawn_factory<token_traits>(sys, std::move(ctx),
                                                   std::move(cfg),
                                                   std::move(spawner),
                                                   token_factory_impl);
}

result<token_factory_actor>
spawn_durable_token_factory(caf::actor_system& sys, node_context_ptr ctx,
                            factory_config cfg,
                            const store::recovered_actor& rec,
                            token_contract_spawner spawner) {
  return factory_impl::spawn_durable_factory<token_traits>(
      sys, std::move(ctx), std::move(cfg), std::move(spawner),
      token_factory_impl, rec);
}

} // namespace icto
