#pragma once

// Actor tests of contracts: the test coordinator fixture, the real ledger,
// a recording stand-in for the factory end of callbacks, and a sender that
// the directory knows as the factory (for migrateTo / healthPing).

#include "actors/contracts/contract_spawn.hpp"
#include "actors/ledger/ledger_actor.hpp"
#include "messages/factory.hpp"
#include "tests/actors/actor_fixture.hpp"
#include "tests/actors/contracts/contract_test_util.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/message.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <memory>
#include <vector>

namespace icto::contract_test {

/// What the recording factory saw: each callback, and who sent it as the
/// directory resolves the CAF sender.
struct recorded_callbacks {
  struct entry {
    principal sender;
    caf::message msg;
  };
  std::vector<entry> entries;
  /// When set, every callback is refused (factory_errc::forged_callback).
  bool refuse = false;

  /// The recorded callbacks of type T, in order.
  template <class T>
  std::vector<T> of() const {
    std::vector<T> out;
    for (auto& e : entries)
      if (e.msg.match_element<T>(0))
        out.push_back(e.msg.get_as<T>(0));
    return out;
  }
};

/// One handler of the recording factory.
template <class Arg>
auto record_handler(caf::event_based_actor* self, node_context_ptr ctx,
                    std::shared_ptr<recorded_callbacks> rec) {
  return [self, ctx, rec](const caller& c, const Arg& arg) -> result<unit> {
    rec->entries.push_back({resolve_caller(ctx->dir, self->current_sender(), c),
                            caf::make_message(arg)});
    if (rec->refuse)
      return make_error(factory_errc::forged_callback, "refused by the test");
    return unit{};
  };
}

/// A dynamically typed actor that answers every contract callback with ok
/// (or a refusal) and records it.
inline caf::behavior
recording_factory(caf::event_based_actor* self, node_context_ptr ctx,
                  std::shared_ptr<recorded_callbacks> rec) {
  return {
      record_handler<notify_deployment_complete_arg>(self, ctx, rec),
      record_handler<notify_visibility_changed_arg>(self, ctx, rec),
      record_handler<notify_status_changed_arg>(self, ctx, rec),
      record_handler<notify_auto_update_changed_arg>(self, ctx, rec),
      record_handler<notify_controllers_changed_arg>(self, ctx, rec),
      record_handler<notify_transfer_arg>(self, ctx, rec),
      record_handler<notify_mint_arg>(self, ctx, rec),
      record_handler<notify_burn_arg>(self, ctx, rec),
      record_handler<notify_signer_added_arg>(self, ctx, rec),
      record_handler<notify_signer_removed_arg>(self, ctx, rec),
      record_handler<notify_observer_added_arg>(self, ctx, rec),
      record_handler<notify_observer_removed_arg>(self, ctx, rec),
      record_handler<notify_proposal_created_arg>(self, ctx, rec),
  };
}

/// The fixture of the contract actor tests.
class contract_actor_fixture : public test::actor_fixture {
 public:
  static constexpr tokens ledger_fee = 10'000;

  contract_actor_fixture()
      : rec(std::make_shared<recorded_callbacks>()),
        factory_sender(std::make_unique<caf::scoped_actor>(*sys, true)) {
    factory = sys->spawn(recording_factory, ctx, rec);
    // Both are the factory to the directory; the recording one is added
    // last, so that it is the actor found for factory_id (contracts look
    // their factory up by principal).
    ctx->dir.add((*factory_sender)->address(), factory_id, actor_role::service);
    ctx->dir.add(factory.address(), factory_id, actor_role::service);
    ledger_config lc;
    lc.fee = ledger_fee;
    lc.minting_account = acc(principal::canister_id(99));
    lc.initial_balances = {{acc(contract_id), 1'000'000}, {acc(alice), 50'000}};
    ledger = spawn_ledger(*sys, ctx, lc);
    ctx->dir.add(caf::actor_cast<caf::actor_addr>(ledger), ledger_id,
                 actor_role::service);
    run();
  }

  ~contract_actor_fixture() override {
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(factory, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
    run();
  }

  contract_params params(semver v = {1, 0, 0}) {
    contract_params p;
    p.id = contract_id;
    p.owner = owner;
    p.factory_id = factory_id;
    p.version = v;
    p.created_at = clock.now();
    p.ledger = ledger;
    p.ledger_id = ledger_id;
    return p;
  }

  /// Sends `req` as the factory (the directory maps the sender to
  /// factory_id) and returns the reply.
  template <class Reply, class Handle, class Request>
  Reply call_as_factory(const Handle& dest, Request req) {
    auto& fs = *factory_sender;
    auto handle = fs->request(dest, caf::infinite, caller{factory_id},
                              std::move(req));
    run();
    Reply out;
    if (fs->mailbox().empty()) {
      ADD_FAILURE() << "no reply";
      return out;
    }
    handle.receive(
        [&](Reply& x) {
          out = std::move(x);
        },
        [&](caf::error& err) {
          ADD_FAILURE() << "call failed: " << sys->render(err);
        });
    return out;
  }

  /// The wallet's (or anyone's) balance on the platform ledger.
  tokens ledger_balance(const principal& p) {
    return *call<result<tokens>>(ledger, alice, acc(p));
  }

  template <class Handle>
  Handle keep(Handle h) {
    spawned.push_back(caf::actor_cast<caf::actor>(h));
    return h;
  }

  std::shared_ptr<recorded_callbacks> rec;
  std::unique_ptr<caf::scoped_actor> factory_sender;
  caf::actor factory;
  ledger_actor ledger;
  std::vector<caf::actor> spawned;
};

} // namespace icto::contract_test
