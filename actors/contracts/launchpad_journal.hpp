#pragma once

// A launchpad's journal (contract_durable.hpp): its operations, their
// arguments, and the one function that runs an operation on a sale's core
// and state, live (launchpad_contract.cpp) and on replay. No CAF actors
// here, so that tests can replay events.
//
// Operations (who, now and the argument are the event's):
//   status            std::string       the status reported to the factory
//   reserve           contribute_arg    reserve_contribution
//   finish_contribute transfer_reply    finish_contribution
//   begin_finalize    finalize_sale_arg begin_finalize
//   finalize_fee      result<tokens>    finalize_fee (the ledger's icrc1_fee)
//   begin_payout      finalize_sale_arg begin_payout
//   finish_payout     transfer_reply    finish_payout
//   begin_refund      principal         begin_refund (finalize's next)
//   claim_refund      claim_refund_arg  begin_claim_refund
//   finish_refund     transfer_reply    finish_refund
//   end_refunds       finalize_sale_arg end_finalize(refunded)

#include "actors/contracts/contract_durable.hpp"
#include "actors/contracts/launchpad_state.hpp"

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>

namespace icto {

/// The launchpad's version table (launchpad_contract.cpp).
const version_table<launchpad_state>& launchpad_versions();

/// The launchpad's journal operations.
enum launchpad_op : uint16_t {
  lp_op_status = contract_op::kind_op_base,
  lp_op_reserve,
  lp_op_finish_contribute,
  lp_op_begin_finalize,
  lp_op_finalize_fee,
  lp_op_begin_payout,
  lp_op_finish_payout,
  lp_op_begin_refund,
  lp_op_claim_refund,
  lp_op_finish_refund,
  lp_op_end_refunds,
};

/// The ledger's answer to transfer `seq` (the finish operations).
struct transfer_reply {
  uint64_t seq = 0;
  result<uint64_t> reply;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transfer_reply& x) {
  return f(caf::meta::type_name("launchpad_transfer_reply"), x.seq, x.reply);
}

/// What an operation returned that its live handler needs.
struct launchpad_op_result {
  /// begin_finalize: the status the sale settles from.
  std::optional<sale_status> from;
  /// reserve, begin_payout, begin_refund, claim_refund: the transfer begun.
  std::optional<uint64_t> transfer;
  /// finish_contribute: the contribution confirmed, and whether first.
  std::optional<contribution> confirmed;
  bool first = false;
  /// begin_refund, claim_refund (refused for the fee), finish_refund: the
  /// refund recorded, and whether it paid.
  std::optional<sale_refund> refund;
  bool paid = false;
};

namespace launchpad_detail {

inline result<launchpad_op_result> with_start(const result<refund_start>& r) {
  if (!r)
    return r.err();
  launchpad_op_result out;
  out.transfer = r->transfer;
  out.refund = r->refund;
  return out;
}

} // namespace launchpad_detail

/// Runs operation `op` (argument `arg`) on a sale's `core` and state `st`:
/// the live handlers and the replay both call it, so they cannot drift.
/// A refusal leaves both unchanged.
template <class Arg>
result<launchpad_op_result>
run_launchpad_op(contract_core& core, launchpad_state& st, uint16_t op,
                 const principal& who, timestamp now, const Arg& arg) {
  // Each argument type uses some of the parameters.
  static_cast<void>(op);
  static_cast<void>(who);
  static_cast<void>(now);
  launchpad_op_result out;
  if constexpr (std::is_same_v<Arg, std::string>) {
    core.status = arg;
    return out;
  } else if constexpr (std::is_same_v<Arg, contribute_arg>) {
    auto seq = reserve_contribution(st, who, arg, now);
    if (!seq)
      return seq.err();
    out.transfer = *seq;
    return out;
  } else if constexpr (std::is_same_v<Arg, transfer_reply>) {
    if (op == lp_op_finish_contribute) {
      auto f = finish_contribution(st, arg.seq, arg.reply, now);
      if (!f)
        return f.err();
      out.confirmed = f->confirmed;
      out.first = f->first;
      return out;
    }
    if (op == lp_op_finish_payout) {
      auto f = finish_payout(st, arg.seq, arg.reply, now);
      if (!f)
        return f.err();
      return out;
    }
    auto f = finish_refund(st, arg.seq, arg.reply, now);
    if (!f)
      return f.err();
    out.refund = f->refund;
    out.paid = f->paid;
    return out;
  } else if constexpr (std::is_same_v<Arg, result<tokens>>) {
    if (!st.settling)
      return make_error(contract_errc::invalid_state,
                        "finalize: the sale is not being finalized");
    finalize_fee(st, arg, now);
    return out;
  } else if constexpr (std::is_same_v<Arg, principal>) {
    return launchpad_detail::with_start(begin_refund(st, arg, now));
  } else if constexpr (std::is_same_v<Arg, claim_refund_arg>) {
    return launchpad_detail::with_start(begin_claim_refund(st, who, now));
  } else {
    static_assert(std::is_same_v<Arg, finalize_sale_arg>);
    if (op == lp_op_begin_finalize) {
      auto from = begin_finalize(st, who, now);
      if (!from)
        return from.err();
      out.from = *from;
      return out;
    }
    if (op == lp_op_begin_payout) {
      auto seq = begin_payout(st, now);
      if (!seq)
        return seq.err();
      out.transfer = *seq;
      return out;
    }
    if (!st.settling || st.settled)
      return make_error(contract_errc::invalid_state,
                        "finalize: the sale is not being finalized");
    end_finalize(st, sale_status::refunded, std::nullopt, now);
    return out;
  }
}

/// Replays one journal event on a launchpad's image (the common operations
/// too). An operation that refuses is skipped, as it changed nothing live.
inline result<unit>
replay_launchpad_event(contract_checkpoint<launchpad_state>& img,
                       const op_event& ev) {
  auto common = replay_common(img, launchpad_versions(), ev);
  if (!common)
    return common.err();
  if (*common)
    return unit{};
  auto replay = [&](auto tag) -> result<unit> {
    using arg_type = typename decltype(tag)::type;
    auto a = op_arg<arg_type>(ev, "contract");
    if (!a)
      return a.err();
    static_cast<void>(
        run_launchpad_op(img.core, img.state, ev.op, ev.who, ev.now, *a));
    return unit{};
  };
  switch (ev.op) {
  case lp_op_status: return replay(op_tag<std::string>{});
  case lp_op_reserve: return replay(op_tag<contribute_arg>{});
  case lp_op_finish_contribute:
  case lp_op_finish_payout:
  case lp_op_finish_refund: return replay(op_tag<transfer_reply>{});
  case lp_op_begin_finalize:
  case lp_op_begin_payout:
  case lp_op_end_refunds: return replay(op_tag<finalize_sale_arg>{});
  case lp_op_finalize_fee: return replay(op_tag<result<tokens>>{});
  case lp_op_begin_refund: return replay(op_tag<principal>{});
  case lp_op_claim_refund: return replay(op_tag<claim_refund_arg>{});
  default: break;
  }
  return make_error(system_errc::storage_failure,
                    "unknown launchpad operation " + std::to_string(ev.op));
}

} // namespace icto
