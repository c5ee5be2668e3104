// The distribution contract actor: a thin shell around distribution_state.
// Spawned by the distribution factory (spawn_distribution_contract); one per
// distribution. It pays claims from its own account {contract id} on its
// token: the platform ledger when init.token is the ledger's principal, else
// the token contract the directory finds (spoken to with ICRC-1
// icrc1_transfer, as a dynamically typed actor); the token learns the payer
// from this actor's directory entry.
// Durable (contract_durable.hpp, distribution_journal.hpp): it journals each
// change as the operation that made it; replies, callbacks and queries wait
// for the journal. A claim is reserved and journaled first (its transfer's
// created_at_time and memo come from that operation), its transfer leaves
// once that is durable, and the token's answer is journaled (settled with
// the block, or released on a refusal). A payout whose outcome is unknown (no
// answer, or `too_old`) stays in flight; the claimant's next claim sends the
// identical transfer again, and so does a restart for every claim in flight:
// the token deduplicates it (`duplicate` names the first block), so nothing
// is paid twice.

#include "actors/contracts/contract_actor.hpp"
#include "actors/contracts/contract_restore.hpp"
#include "actors/contracts/distribution_journal.hpp"
#include "actors/contracts/distribution_state.hpp"

#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace icto {

namespace {

/// How long a claim waits for the token's transfer.
constexpr std::chrono::seconds token_timeout{10};

/// Version 1.0.0: the state checked by `check_invariants`.
const version_table<distribution_state>& distribution_versions() {
  static const auto table = [] {
    version_table<distribution_state> t;
    t.steps.push_back(version_step<distribution_state>{
        semver{1, 0, 0},
        "linear vesting after a cliff; claims on ICRC-1",
        "initial state",
        {},
        {}});
    t.check = [](const distribution_state& st, const semver&) -> result<unit> {
      if (auto bad = check_invariants(st); !bad.empty())
        return make_error(contract_errc::invalid_state, bad);
      return unit{};
    };
    return t;
  }();
  return table;
}

/// What a distribution contract actor owns; only its handlers touch it.
struct distribution_actor_state
    : contract_actor_base<distribution_factory_actor> {
  static inline const char* name = "distribution_contract";
  distribution_state dist;
  /// Claims whose transfer is at the token now (or about to leave). Not
  /// durable: after a restart every claim in flight is sent again.
  std::set<uint64_t> sending;

  result<migration_report> migrate_to(const semver& v) {
    return migrate(distribution_versions(), dist, core.version, v);
  }
  contract_health health() const {
    return health_of(distribution_versions(), dist, core.version);
  }
};

using distribution_self
    = distribution_contract_actor::stateful_pointer<distribution_actor_state>;

using claim_reply = result<distribution_claim_receipt>;
using claim_promise = caf::typed_response_promise<claim_reply>;
/// Who waits for a payout: the claimant, or nobody (a resend at a restart).
using claim_waiter = std::optional<claim_promise>;

/// Whether a claim's transfer may have left before.
enum class attempt : uint8_t {
  /// Right after the reservation: a transfer that cannot leave was never
  /// sent.
  first,
  /// Again (a retry or a restart): it may have left before.
  resend,
};

timestamp now_of(distribution_self self) {
  return self->state.ctx->now();
}

/// Runs the operation `arg` names on `st` (live and on replay) and returns
/// what its pure function returns.
template <class Arg>
auto run_op(distribution_state& st, const principal& who, timestamp now,
            const Arg& arg) {
  if constexpr (std::is_same_v<Arg, distribution_activate_arg>)
    return activate(st, who, now);
  else if constexpr (std::is_same_v<Arg, distribution_cancel_arg>)
    return cancel(st, who, arg.reason);
  else if constexpr (std::is_same_v<Arg, distribution_recipient>)
    return add_recipient(st, who, arg);
  else if constexpr (std::is_same_v<Arg, remove_recipient_arg>)
    return remove_recipient(st, who, arg.recipient);
  else if constexpr (std::is_same_v<Arg, distribution_claim_arg>)
    return reserve_claim(st, who, now);
  else if constexpr (std::is_same_v<Arg, distribution_claim_settled>)
    return settle_claim(st, arg.seq);
  else {
    static_assert(std::is_same_v<Arg, uint64_t>);
    release_claim(st, arg);
    return unit{};
  }
}

/// A warning for the operator (the node's log): a payout whose outcome is
/// unknown.
void warn(distribution_self self, const std::string& text) {
  auto& st = self->state;
  st.ctx->report_warning("distribution " + st.core.id.to_text() + ": " + text);
}

/// Records the business status in the core and tells the factory.
void status_changed(distribution_self self) {
  auto& st = self->state;
  st.core.status = std::string{to_string(st.dist.status)};
  send_callback(self, notify_status_changed_arg{st.core.id, st.core.status});
}

/// Delivers `r` to the claimant (if any) once everything journaled is
/// durable and the factory answered the callbacks sent so far.
void answer(distribution_self self, claim_waiter rp, claim_reply r) {
  if (!rp)
    return;
  self->state.journal.when_settled(
      [rp = std::move(*rp), r = std::move(r)]() mutable {
        rp.deliver(std::move(r));
      });
}

/// Sends `arg` to the distribution's token as this contract; calls
/// `done(reply, sent)` exactly once with the block index or the error, and
/// whether the transfer left this actor.
template <class F>
void pay(distribution_self self, transfer_arg arg, F done) {
  auto& st = self->state;
  auto failed = [self, done](const caf::error& err) mutable {
    const auto code = err == caf::sec::request_timeout
                          ? system_errc::timeout
                          : system_errc::unavailable;
    done(result<uint64_t>{make_error(code, "the token did not answer: "
                                               + self->system().render(err))},
         true);
  };
  auto answered = [done](const result<uint64_t>& r) mutable {
    done(r, true);
  };
  const caller as{st.core.id};
  if (st.dist.token == st.ledger_id && st.live_ledger()) {
    self->request(st.live_ledger(), token_timeout, as, std::move(arg))
        .then(std::move(answered), std::move(failed));
    return;
  }
  auto token = st.ctx->dir.find_actor(st.dist.token);
  if (!token) {
    done(result<uint64_t>{make_error(system_errc::unavailable,
                                     "the token " + st.dist.token.to_text()
                                         + " is not reachable from this "
                                           "node")},
         false);
    return;
  }
  self->request(token, token_timeout, as, std::move(arg))
      .then(std::move(answered), std::move(failed));
}

/// Journals the token's answer to claim `seq`'s transfer: settled (paid,
/// or a duplicate of the first payment), released (refused, or a first
/// attempt that never left), or kept in flight (unknown outcome).
void finish_claim(distribution_self self, claim_waiter rp, uint64_t seq,
                  attempt a, const result<uint64_t>& reply, bool sent) {
  auto& st = self->state;
  st.sending.erase(seq);
  const auto* c = st.dist.pending.find(seq);
  if (c == nullptr) {
    answer(self, std::move(rp),
           make_error(system_errc::internal,
                      "claim " + std::to_string(seq)
                          + " left the flight while its transfer was out"));
    return;
  }
  const auto claim = *c;
  const auto now = now_of(self);
  const auto outcome = !sent && a == attempt::first ? payout_outcome::refused
                                                    : classify_payout(reply);
  switch (outcome) {
  case payout_outcome::paid: {
    const distribution_claim_settled arg{seq, paid_block(reply)};
    const bool completed = run_op(st.dist, principal{}, now, arg);
    log_op(self, op_distribution_settle_claim, principal{}, now, arg);
    if (completed)
      status_changed(self);
    answer(self, std::move(rp),
           distribution_claim_receipt{claim.amount, arg.block});
    return;
  }
  case payout_outcome::refused:
    run_op(st.dist, principal{}, now, seq);
    log_op(self, op_distribution_release_claim, principal{}, now, seq);
    answer(self, std::move(rp), reply.err());
    return;
  case payout_outcome::unknown: {
    warn(self, "claim " + std::to_string(seq) + " ("
                   + std::to_string(claim.amount) + " to "
                   + claim.recipient.to_text()
                   + "): the outcome of its payout is unknown ("
                   + reply.err().to_string()
                   + "); it stays in flight, never paid twice");
    auto e = reply.err();
    e.message += "; the claim stays reserved: claim again to send the same "
                 "transfer (the token deduplicates it)";
    answer(self, std::move(rp), std::move(e));
    return;
  }
  }
}

/// Sends the transfer of claim `seq` (in flight) to the token.
void send_claim(distribution_self self, uint64_t seq, attempt a,
                claim_waiter rp) {
  auto& st = self->state;
  auto t = claim_transfer(st.dist, seq);
  if (!t) {
    st.sending.erase(seq);
    answer(self, std::move(rp), t.err());
    return;
  }
  st.sending.insert(seq);
  pay(self, std::move(*t),
      [self, seq, a, rp = std::move(rp)](const result<uint64_t>& r,
                                         bool sent) mutable {
        finish_claim(self, std::move(rp), seq, a, r, sent);
      });
}

/// Pays `who`'s claim: again the transfer of a claim of `who` left in
/// flight without an answer, else a new reservation. `who` is resolved
/// before: making the response promise takes the CAF sender away.
claim_promise claim(distribution_self self, const principal& who) {
  auto rp = self->make_response_promise<claim_reply>();
  auto& st = self->state;
  for (auto seq : claims_in_flight(st.dist, who))
    if (st.sending.count(seq) == 0) {
      send_claim(self, seq, attempt::resend, rp);
      return rp;
    }
  const auto now = now_of(self);
  const distribution_claim_arg arg;
  auto t = run_op(st.dist, who, now, arg);
  if (!t) {
    answer(self, rp, t.err());
    return rp;
  }
  log_op(self, op_distribution_reserve_claim, who, now, arg);
  // The transfer leaves once its reservation (created_at_time, memo) is
  // durable.
  const auto seq = t->seq;
  st.sending.insert(seq);
  st.journal.after_durable([self, seq, rp]() mutable {
    send_claim(self, seq, attempt::first, rp);
  });
  return rp;
}

/// Runs an owner's change; if it succeeded, journals it and calls
/// `changed()` (the callback to the factory).
template <class Arg, class Changed>
caf::result<result<unit>> owner_change(distribution_self self, uint16_t op,
                                       const principal& who, const Arg& arg,
                                       Changed changed) {
  const auto now = now_of(self);
  auto r = run_op(self->state.dist, who, now, arg);
  if (r) {
    log_op(self, op, who, now, arg);
    changed();
  }
  return durable_reply(self, std::move(r));
}

/// A new distribution's image.
distribution_image initial_image(const contract_params& params,
                                 const distribution_init& init) {
  auto dist = make_distribution_state(init, params.owner);
  auto core = core_from_params(contract_kind::distribution, params,
                               init.is_public,
                               std::string{to_string(dist.status)});
  return distribution_image{std::move(core), std::move(dist), {}};
}

distribution_contract_actor::behavior_type
distribution_impl(distribution_self self, node_context_ptr ctx,
                  contract_params params, distribution_factory_actor factory,
                  distribution_init init,
                  contract_start<distribution_state> start) {
  const bool restored = start.image.has_value();
  if (!start_kind_contract(
          self, std::move(ctx), params, std::move(factory), init, start,
          contract_kind::distribution, self->state.dist, [&] {
            return checked_image(validate(init), distribution_versions(),
                                 "distribution", params.version, [&] {
                                   return initial_image(params, init);
                                 });
          }))
    return distribution_contract_actor::behavior_type::make_empty_behavior();
  if (restored) {
    // Payouts in flight when the node stopped: the same transfers again.
    std::vector<uint64_t> in_flight;
    self->state.dist.pending.for_each(
        [&](uint64_t seq, const distribution_pending_claim&) {
          in_flight.push_back(seq);
        });
    std::sort(in_flight.begin(), in_flight.end());
    for (auto seq : in_flight)
      send_claim(self, seq, attempt::resend, std::nullopt);
  }
  return {
      ICTO_CONTRACT_COMMON_HANDLERS(self),
      // -- queries ------------------------------------------------------------
      durable_handler(
          self,
          [self](const caller& c,
                 const distribution_info_arg&) -> result<distribution_info> {
            auto& st = self->state;
            if (auto ok = check_can_read(st.dist, contract_caller(self, c),
                                         st.core.is_public);
                !ok)
              return ok.err();
            return info_of(st.dist, st.core.is_public);
          }),
      durable_handler(
          self,
          [self](const caller&,
                 const claimable_arg& arg) -> result<vesting_figures> {
            return figures_of(self->state.dist, arg.user, now_of(self));
          }),
      durable_handler(
          self,
          [self](const caller& c, const distribution_recipients_arg& arg)
              -> result<vesting_page> {
            auto& st = self->state;
            if (auto ok = check_can_read(st.dist, contract_caller(self, c),
                                         st.core.is_public);
                !ok)
              return ok.err();
            return recipients_page(st.dist, arg.page, now_of(self));
          }),
      // -- the owner's changes ------------------------------------------------
      [self](const caller& c, const distribution_activate_arg& arg)
          -> caf::result<result<unit>> {
        return owner_change(self, op_distribution_activate,
                            contract_caller(self, c), arg, [self] {
                              status_changed(self);
                            });
      },
      [self](const caller& c,
             const distribution_cancel_arg& arg) -> caf::result<result<unit>> {
        return owner_change(self, op_distribution_cancel,
                            contract_caller(self, c), arg, [self] {
                              status_changed(self);
                            });
      },
      [self](const caller& c,
             const distribution_recipient& arg) -> caf::result<result<unit>> {
        return owner_change(self, op_distribution_add_recipient,
                            contract_caller(self, c), arg, [self, arg] {
                              send_callback(self, notify_recipient_added_arg{
                                                      self->state.core.id,
                                                      arg.recipient});
                            });
      },
      [self](const caller& c,
             const remove_recipient_arg& arg) -> caf::result<result<unit>> {
        return owner_change(self, op_distribution_remove_recipient,
                            contract_caller(self, c), arg, [self, arg] {
                              send_callback(self, notify_recipient_removed_arg{
                                                      self->state.core.id,
                                                      arg.recipient});
                            });
      },
      // -- claims -------------------------------------------------------------
      [self](const caller& c, const distribution_claim_arg&) -> claim_promise {
        return claim(self, contract_caller(self, c));
      },
  };
}

} // namespace

result<unit> replay_distribution_event(distribution_image& img,
                                       const op_event& ev) {
  auto common = replay_common(img, distribution_versions(), ev);
  if (!common)
    return common.err();
  if (*common)
    return unit{};
  auto replay = [&](auto tag) -> result<unit> {
    using arg_type = typename decltype(tag)::type;
    auto a = op_arg<arg_type>(ev, "distribution contract");
    if (!a)
      return a.err();
    static_cast<void>(run_op(img.state, ev.who, ev.now, *a));
    img.core.status = std::string{to_string(img.state.status)};
    return unit{};
  };
  switch (ev.op) {
  case op_distribution_activate:
    return replay(op_tag<distribution_activate_arg>{});
  case op_distribution_cancel: return replay(op_tag<distribution_cancel_arg>{});
  case op_distribution_add_recipient:
    return replay(op_tag<distribution_recipient>{});
  case op_distribution_remove_recipient:
    return replay(op_tag<remove_recipient_arg>{});
  case op_distribution_reserve_claim:
    return replay(op_tag<distribution_claim_arg>{});
  case op_distribution_settle_claim:
    return replay(op_tag<distribution_claim_settled>{});
  case op_distribution_release_claim: return replay(op_tag<uint64_t>{});
  default: break;
  }
  return make_error(system_errc::storage_failure,
                    "unknown distribution operation " + std::to_string(ev.op));
}

std::vector<code_version> distribution_code_versions() {
  return code_versions_of(distribution_versions());
}

distribution_contract_actor
spawn_distribution_contract(caf::actor_system& sys, node_context_ptr ctx,
                            contract_params params,
                            distribution_factory_actor factory,
                            distribution_init init) {
  auto id = params.id;
  return spawn_contract_actor(sys, ctx, id, distribution_impl, ctx,
                              std::move(params), std::move(factory),
                              std::move(init),
                              fresh_start<distribution_state>(id));
}

result<caf::actor>
restore_distribution_contract(caf::actor_system& sys, node_context_ptr ctx,
                              contract_params params,
                              distribution_factory_actor factory,
                              const std::string& init_bytes,
                              const store::recovered_actor& rec) {
  return restore_kind_contract<distribution_state, distribution_init>(
      sys, std::move(ctx), std::move(params), std::move(factory), init_bytes,
      rec, "distribution", distribution_impl, initial_image,
      replay_distribution_event);
}

} // namespace icto
