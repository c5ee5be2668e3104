#pragma once

// The actor tests of the distribution, DAO and launchpad contracts: the
// contract fixture (real ledger, recording factory) with a recorder that
// also takes these kinds' index callbacks, and ledger helpers (mint,
// approve, transfer as any principal through the ingress).

#include "tests/actors/contracts/contract_actor_fixture.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace icto::contract_test {

/// Answers the common callbacks and those of distributions, DAOs and
/// launchpads with ok, and records them.
inline caf::behavior
kind_recording_factory(caf::event_based_actor* self, node_context_ptr ctx,
                       std::shared_ptr<recorded_callbacks> rec) {
  return {
      record_handler<notify_deployment_complete_arg>(self, ctx, rec),
      record_handler<notify_visibility_changed_arg>(self, ctx, rec),
      record_handler<notify_status_changed_arg>(self, ctx, rec),
      record_handler<notify_auto_update_changed_arg>(self, ctx, rec),
      record_handler<notify_controllers_changed_arg>(self, ctx, rec),
      record_handler<notify_recipient_added_arg>(self, ctx, rec),
      record_handler<notify_recipient_removed_arg>(self, ctx, rec),
      record_handler<notify_member_added_arg>(self, ctx, rec),
      record_handler<notify_member_removed_arg>(self, ctx, rec),
      record_handler<notify_proposal_created_arg>(self, ctx, rec),
      record_handler<notify_participant_added_arg>(self, ctx, rec),
      record_handler<notify_participant_removed_arg>(self, ctx, rec),
  };
}

/// The minting account of the fixture's ledger.
inline const principal ledger_minter = principal::canister_id(99);

class kind_actor_fixture : public contract_actor_fixture {
 public:
  kind_actor_fixture() {
    kind_factory = sys->spawn(kind_recording_factory, ctx, rec);
    ctx->dir.add(kind_factory.address(), factory_id, actor_role::service);
    run();
  }

  ~kind_actor_fixture() override {
    caf::anon_send_exit(kind_factory, caf::exit_reason::user_shutdown);
    run();
  }

  /// The recorder as the typed handle of a kind's factory.
  template <class Handle>
  Handle factory_handle() {
    return caf::actor_cast<Handle>(kind_factory);
  }

  /// An icrc1_transfer on `on` made for `from` (the ingress asserts it).
  result<uint64_t> transfer_as(const ledger_actor& on, const principal& from,
                               const principal& to, tokens amount) {
    transfer_arg t;
    t.to = acc(to);
    t.amount = amount;
    return call<result<uint64_t>>(on, from, t);
  }

  void mint(const principal& to, tokens amount) {
    auto r = transfer_as(ledger, ledger_minter, to, amount);
    ASSERT_TRUE(r) << r.err().to_string();
  }

  /// `from` lets the contract spend `amount` of its ledger tokens.
  void approve(const principal& from, tokens amount) {
    approve_args a;
    a.spender = acc(contract_id);
    a.amount = amount;
    auto r = call<result<uint64_t>>(ledger, from, a);
    ASSERT_TRUE(r) << r.err().to_string();
  }

  /// Sends every request (user, request) before any actor runs, so that
  /// they are in flight together, then runs and returns the replies in
  /// order.
  template <class Reply, class Handle, class Request>
  std::vector<Reply>
  call_together(const Handle& dest,
                const std::vector<std::pair<principal, Request>>& reqs) {
    using handle_type = decltype((*ingress)->request(
        dest, caf::infinite, caller{}, std::declval<Request>()));
    std::vector<handle_type> handles;
    for (auto& [who, req] : reqs)
      handles.push_back(
          (*ingress)->request(dest, caf::infinite, caller{who}, req));
    run();
    std::vector<Reply> out;
    for (auto& h : handles) {
      Reply x;
      h.receive(
          [&](Reply& r) {
            x = std::move(r);
          },
          [&](caf::error& err) {
            ADD_FAILURE() << "call failed: " << sys->render(err);
          });
      out.push_back(std::move(x));
    }
    return out;
  }

  /// The status texts the contract reported, in order.
  std::vector<std::string> reported_statuses() const {
    std::vector<std::string> out;
    for (auto& x : rec->of<notify_status_changed_arg>())
      out.push_back(x.status);
    return out;
  }

  caf::actor kind_factory;
};

} // namespace icto::contract_test
