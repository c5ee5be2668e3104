#include "actors/factories/dao_factory.hpp"

#include "actors/factories/factory_actor_impl.hpp"

namespace icto {

namespace {

/// The dao kind for the factory template.
struct dao_traits {
  static constexpr contract_kind kind = contract_kind::dao;
  static constexpr const char* name = "dao_factory";
  using factory_actor = dao_factory_actor;
  using contract_actor = dao_contract_actor;
  using init_type = dao_init;
  using spawner = dao_contract_spawner;

  static contract_actor spawn(caf::actor_system& sys, node_context_ptr ctx,
                              contract_params params, factory_actor factory,
                              init_type init) {
    return spawn_dao_contract(sys, std::move(ctx), std::move(params),
                              std::move(factory), std::move(init));
  }
  static std::vector<code_version> code_versions() {
    return dao_code_versions();
  }
  static result<unit> validate(const init_type& init) {
    return icto::validate(init);
  }
  /// The initial members.
  static std::vector<role_entry> initial_roles(const init_type& init,
                                               const principal&) {
    std::vector<role_entry> out;
    for (auto& m : init.members)
      out.push_back(role_entry{m.member, contract_role::member});
    return out;
  }
};

using self_type = factory_impl::self_ptr<dao_traits>;

dao_factory_actor::behavior_type
dao_factory_impl(self_type self, node_context_ptr ctx, factory_config cfg,
                 dao_contract_spawner spawner,
                 factory_impl::factory_start start) {
  return factory_impl::make_behavior<dao_traits>(
      self, std::move(ctx), std::move(cfg), std::move(spawner),
      std::move(start),
      [self](const caller&, const create_dao_contract& req) {
        return factory_impl::create_contract<dao_traits>(self, req.owner,
                                                         req.init);
      },
      [self](const caller&,
             const notify_member_added_arg& arg) -> caf::result<result<unit>> {
        return factory_impl::role_change(self, factory_op::role_added,
                                         arg.contract_id, arg.member,
                                         contract_role::member);
      },
      [self](const caller&, const notify_member_removed_arg& arg)
          -> caf::result<result<unit>> {
        return factory_impl::role_change(self, factory_op::role_removed,
                                         arg.contract_id, arg.member,
                                         contract_role::member);
      },
      [self](const caller&, const notify_proposal_created_arg& arg)
          -> caf::result<result<unit>> {
        return factory_impl::callback(self, factory_op::proposal, arg);
      });
}

} // namespace

dao_factory_actor spawn_dao_factory(caf::actor_system& sys,
                                    node_context_ptr ctx, factory_config cfg,
                                    dao_contract_spawner spawner) {
  return factory_impl::spawn_factory<dao_traits>(sys, std::move(ctx),
                                                 std::move(cfg),
                                                 std::move(spawner),
                                                 dao_factory_impl);
}

result<dao_factory_actor>
spawn_durable_dao_factory(caf::actor_system& sys, node_context_ptr ctx,
                          factory_config cfg, const store::recovered_actor& rec,
                          dao_contract_spawner spawner) {
  return factory_impl::spawn_durable_factory<dao_traits>(sys, std::move(ctx),
                                                         std::move(cfg),
                                                         std::move(spawner),
                                                         dao_factory_impl, rec);
}

} // namespace icto
