#include "actors/contracts/launchpad_state.hpp"

#include "actors/contracts/contract_core.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace icto {

namespace {

constexpr uint64_t u64_max = std::numeric_limits<uint64_t>::max();
constexpr tokens e8s_per_token = 100'000'000ull;
constexpr size_t max_name_length = 100;

__extension__ using u128 = unsigned __int128;

error invalid(std::string text) {
  return make_error(contract_errc::invalid_argument, std::move(text));
}

std::string amount_text(tokens x) {
  return std::to_string(x);
}

error no_transfer(uint64_t seq, const char* what) {
  return make_error(contract_errc::not_found, "transfer " + std::to_string(seq)
                                                  + " is not a " + what
                                                  + " in flight");
}

/// Transfer `seq` if it is of `kind` and in flight.
const launchpad_transfer* in_flight(const launchpad_state& st, uint64_t seq,
                                    launchpad_transfer_kind kind) {
  auto t = st.transfers.find(seq);
  if (t == nullptr || t->kind != kind || !t->in_flight)
    return nullptr;
  return t;
}

/// The transfer of `kind` to or from `who` whose outcome is unknown.
std::optional<uint64_t> unknown_transfer(const launchpad_state& st,
                                         launchpad_transfer_kind kind,
                                         const principal& who) {
  std::optional<uint64_t> out;
  st.transfers.for_each([&](uint64_t seq, const launchpad_transfer& t) {
    if (t.kind == kind && !t.in_flight && t.who == who)
      out = seq;
  });
  return out;
}

/// Starts a transfer (numbered next_transfer) and returns its number.
uint64_t start_transfer(launchpad_state& st, launchpad_transfer t) {
  const auto seq = st.next_transfer++;
  st.transfers = st.transfers.insert(seq, std::move(t));
  return seq;
}

/// Puts a transfer whose outcome is unknown back in flight.
void resend(launchpad_state& st, uint64_t seq) {
  auto t = *st.transfers.find(seq);
  t.in_flight = true;
  st.transfers = st.transfers.insert(seq, std::move(t));
}

void set_refunding(launchpad_state& st, const principal& who, bool on) {
  auto e = *st.contributors.find(who);
  e.refunding = on;
  st.contributors = st.contributors.insert(who, std::move(e));
}

/// Starts (or sends again) the refund of `c` at `now`, or records a refused
/// one if the contribution does not cover the fee.
refund_start start_refund(launchpad_state& st, const contribution& c,
                          tokens fee, timestamp now) {
  refund_start out;
  if (auto seq = unknown_transfer(st, launchpad_transfer_kind::refund,
                                  c.contributor)) {
    resend(st, *seq);
    set_refunding(st, c.contributor, true);
    out.transfer = *seq;
    return out;
  }
  if (!refund_covers_fee(c, fee)) {
    sale_refund r;
    r.contributor = c.contributor;
    r.at = now;
    r.failure = make_error(contract_errc::insufficient_funds,
                           "the contribution does not cover the ledger fee "
                               + amount_text(fee))
                    .to_string();
    out.refund = r;
    record_refund(st, std::move(r));
    return out;
  }
  launchpad_transfer t;
  t.kind = launchpad_transfer_kind::refund;
  t.who = c.contributor;
  t.amount = c.amount - fee;
  t.fee = fee;
  t.created_at = now;
  out.transfer = start_transfer(st, std::move(t));
  set_refunding(st, c.contributor, true);
  return out;
}

std::pair<contribution, bool>
confirm_contribution(launchpad_state& st, const principal& who, tokens amount,
                     timestamp now) {
  auto e = *st.contributors.find(who);
  const bool first = e.contribution.amount == 0;
  e.pending -= amount;
  e.contribution.amount += amount;
  e.contribution.allocation = allocation_of(e.contribution.amount,
                                            st.config.price_e8s);
  e.contribution.last_contributed_at = now;
  --st.pending_contributions;
  auto out = e.contribution;
  st.contributors = st.contributors.insert(who, std::move(e));
  return {std::move(out), first};
}

void release_contribution(launchpad_state& st, const principal& who,
                          tokens amount) {
  auto e = *st.contributors.find(who);
  e.pending -= amount;
  st.raised -= amount;
  --st.pending_contributions;
  if (e.contribution.amount == 0 && e.pending == 0)
    st.contributors = st.contributors.erase(who);
  else
    st.contributors = st.contributors.insert(who, std::move(e));
}

/// The transfer records against the contributors, the payout and the
/// numbering; empty when fine.
std::string check_transfers(const launchpad_state& st) {
  std::map<principal, u128> reserved;
  std::map<principal, int> refunds;
  uint64_t contributions = 0;
  int payouts = 0;
  std::string bad;
  st.transfers.for_each([&](uint64_t seq, const launchpad_transfer& t) {
    const auto name = "transfer " + std::to_string(seq);
    if (!bad.empty())
      return;
    if (seq >= st.next_transfer) {
      bad = name + " is not below next_transfer";
      return;
    }
    auto e = st.contributors.find(t.who);
    switch (t.kind) {
    case launchpad_transfer_kind::contribution:
      if (!t.in_flight || e == nullptr)
        bad = name + ": a contribution not in flight or of no contributor";
      reserved[t.who] += t.amount;
      ++contributions;
      break;
    case launchpad_transfer_kind::payout:
      if (++payouts > 1 || t.who != st.owner || st.settled || !t.fee
          || (t.in_flight && !st.settling))
        bad = name + ": a payout that does not fit the sale";
      break;
    case launchpad_transfer_kind::refund:
      if (++refunds[t.who] > 1 || e == nullptr || e->contribution.refunded
          || e->refunding != t.in_flight || !t.fee)
        bad = name + ": a refund that does not fit its contributor";
      break;
    default: bad = name + ": no such kind";
    }
  });
  if (!bad.empty())
    return bad;
  if (contributions != st.pending_contributions)
    return "pending_contributions does not count the contributions in flight";
  st.contributors.for_each([&](const principal& p, const launchpad_entry& e) {
    if (!bad.empty())
      return;
    auto r = reserved.find(p);
    if (e.pending != (r == reserved.end() ? 0 : r->second))
      bad = "the pending amount of " + p.to_text()
            + " is not its contributions in flight";
    else if (e.refunding && refunds.count(p) == 0)
      bad = p.to_text() + " is refunding without a refund in flight";
  });
  return bad;
}

} // namespace

bool operator==(const launchpad_state& x, const launchpad_state& y) {
  return x.config == y.config && x.owner == y.owner
         && x.contributors == y.contributors && x.raised == y.raised
         && x.pending_contributions == y.pending_contributions
         && x.settled == y.settled && x.settling == y.settling
         && x.finalized_at == y.finalized_at && x.payout_block == y.payout_block
         && x.refunds == y.refunds && x.transfers == y.transfers
         && x.next_transfer == y.next_transfer && x.fee == y.fee
         && x.refund_cursor == y.refund_cursor;
}

result<unit> validate(const launchpad_init& init) {
  if (init.name.empty())
    return invalid("name: must not be empty");
  if (init.name.size() > max_name_length)
    return invalid("name: at most " + std::to_string(max_name_length)
                   + " bytes, not " + std::to_string(init.name.size()));
  if (init.sale_token.empty() || init.sale_token.is_anonymous())
    return invalid("sale_token: must name the token sold");
  if (init.price_e8s == 0)
    return invalid("price_e8s: must be > 0");
  if (init.soft_cap == 0)
    return invalid("soft_cap: must be > 0");
  if (init.hard_cap < init.soft_cap)
    return invalid("hard_cap: " + amount_text(init.hard_cap)
                   + " is below soft_cap " + amount_text(init.soft_cap));
  if (init.min_contribution == 0)
    return invalid("min_contribution: must be > 0");
  if (init.max_contribution < init.min_contribution)
    return invalid("max_contribution: " + amount_text(init.max_contribution)
                   + " is below min_contribution "
                   + amount_text(init.min_contribution));
  if (init.max_contribution > init.hard_cap)
    return invalid("max_contribution: " + amount_text(init.max_contribution)
                   + " is above hard_cap " + amount_text(init.hard_cap));
  if (init.end_time <= init.start_time)
    return invalid("end_time: must be after start_time");
  if (u128{init.hard_cap} * e8s_per_token / init.price_e8s > u64_max)
    return invalid("price_e8s: the hard cap would buy more than 2^64-1 "
                   "sale token units");
  return unit{};
}

launchpad_state make_launchpad_state(const launchpad_init& init,
                                     const principal& owner) {
  launchpad_state st;
  st.config = init;
  st.owner = owner;
  return st;
}

// -- queries ------------------------------------------------------------------

sale_status status_at(const launchpad_state& st, timestamp now) {
  if (st.settled)
    return *st.settled;
  if (now < st.config.start_time)
    return sale_status::upcoming;
  if (now < st.config.end_time && st.raised < st.config.hard_cap)
    return sale_status::open;
  return st.raised >= st.config.soft_cap ? sale_status::succeeded
                                         : sale_status::failed;
}

tokens allocation_of(tokens amount, tokens price_e8s) {
  return static_cast<tokens>(u128{amount} * e8s_per_token / price_e8s);
}

sale_info info_of(const launchpad_state& st, bool is_public, timestamp now) {
  const auto& c = st.config;
  sale_info out;
  out.name = c.name;
  out.owner = st.owner;
  out.sale_token = c.sale_token;
  out.price_e8s = c.price_e8s;
  out.soft_cap = c.soft_cap;
  out.hard_cap = c.hard_cap;
  out.min_contribution = c.min_contribution;
  out.max_contribution = c.max_contribution;
  out.start_time = c.start_time;
  out.end_time = c.end_time;
  out.status = status_at(st, now);
  out.raised = st.raised;
  st.contributors.for_each([&](const principal&, const launchpad_entry& e) {
    if (e.contribution.amount > 0)
      ++out.contributors;
  });
  out.is_public = is_public;
  out.finalized_at = st.finalized_at;
  return out;
}

contribution contribution_of(const launchpad_state& st, const principal& user) {
  auto e = st.contributors.find(user);
  if (e == nullptr || e->contribution.amount == 0) {
    contribution out;
    out.contributor = user;
    return out;
  }
  return e->contribution;
}

contribution_page contributors_page(const launchpad_state& st, const page& pg) {
  std::vector<contribution> all;
  st.contributors.for_each([&](const principal&, const launchpad_entry& e) {
    if (e.contribution.amount > 0)
      all.push_back(e.contribution);
  });
  std::sort(all.begin(), all.end(),
            [](const contribution& x, const contribution& y) {
              if (x.amount != y.amount)
                return x.amount > y.amount;
              return x.contributor < y.contributor;
            });
  contribution_page out;
  out.total = all.size();
  const auto limit = page_limit(pg);
  for (uint64_t i = pg.offset;
       i < all.size() && out.contributions.size() < limit; ++i)
    out.contributions.push_back(all[i]);
  return out;
}

sale_refund_page refunds_page(const launchpad_state& st, const page& pg) {
  sale_refund_page out;
  out.total = st.refunds.size();
  const auto limit = page_limit(pg);
  for (uint64_t i = pg.offset;
       i < st.refunds.size() && out.refunds.size() < limit; ++i)
    out.refunds.push_back(*st.refunds.find(i));
  return out;
}

// -- transfers ----------------------------------------------------------------

blob transfer_memo(uint64_t seq) {
  blob out(8);
  for (int i = 7; i >= 0; --i, seq >>= 8)
    out[static_cast<size_t>(i)] = static_cast<uint8_t>(seq & 0xff);
  return out;
}

result<transfer_from_args> contribution_request(const launchpad_state& st,
                                                uint64_t seq,
                                                const principal& sale) {
  auto t = st.transfers.find(seq);
  if (t == nullptr || t->kind != launchpad_transfer_kind::contribution)
    return make_error(contract_errc::not_found, "transfer "
                                                    + std::to_string(seq)
                                                    + " is not a contribution");
  transfer_from_args out;
  out.from = account{t->who, t->from_subaccount};
  out.to = account{sale, std::nullopt};
  out.amount = t->amount;
  out.memo = transfer_memo(seq);
  out.created_at_time = t->created_at;
  return out;
}

result<transfer_arg> payment_request(const launchpad_state& st, uint64_t seq) {
  auto t = st.transfers.find(seq);
  if (t == nullptr || t->kind == launchpad_transfer_kind::contribution)
    return make_error(contract_errc::not_found,
                      "transfer " + std::to_string(seq)
                          + " is not a payout or refund");
  transfer_arg out;
  out.to = account{t->who, std::nullopt};
  out.amount = t->amount;
  out.fee = t->fee;
  out.memo = transfer_memo(seq);
  out.created_at_time = t->created_at;
  return out;
}

ledger_outcome outcome_of(const result<uint64_t>& reply,
                          std::optional<uint64_t>* block) {
  if (reply) {
    if (block)
      *block = *reply;
    return ledger_outcome::happened;
  }
  const auto& e = reply.err();
  if (is(e, ledger_errc::duplicate)) {
    if (block)
      *block = e.detail;
    return ledger_outcome::happened;
  }
  if (e.domain == error_domain::system || is(e, ledger_errc::too_old))
    return ledger_outcome::unknown;
  return ledger_outcome::refused;
}

std::vector<uint64_t> transfers_in_flight(const launchpad_state& st) {
  std::vector<uint64_t> out;
  st.transfers.for_each([&](uint64_t seq, const launchpad_transfer& t) {
    if (t.in_flight)
      out.push_back(seq);
  });
  std::sort(out.begin(), out.end());
  return out;
}

// -- contributions ------------------------------------------------------------

result<uint64_t> reserve_contribution(launchpad_state& st, const principal& who,
                                      const contribute_arg& arg,
                                      timestamp now) {
  const auto& c = st.config;
  if (who.empty() || who.is_anonymous())
    return make_error(contract_errc::unauthorized,
                      "contribute: the anonymous principal cannot contribute");
  if (st.settling)
    return make_error(contract_errc::invalid_state,
                      "contribute: the sale is being finalized");
  const auto status = status_at(st, now);
  if (status != sale_status::open)
    return make_error(contract_errc::invalid_state,
                      "contribute: the sale is "
                          + std::string{to_string(status)} + ", not open");
  if (arg.from_subaccount && arg.from_subaccount->size() != 32)
    return invalid("from_subaccount: must be 32 bytes");
  if (arg.amount < c.min_contribution)
    return invalid("amount: " + amount_text(arg.amount)
                   + " is below min_contribution "
                   + amount_text(c.min_contribution));
  const auto remaining = c.hard_cap - st.raised;
  if (arg.amount > remaining)
    return invalid("amount: " + amount_text(arg.amount)
                   + " would pass the hard cap; at most "
                   + amount_text(remaining) + " can still be raised");
  launchpad_entry e;
  e.contribution.contributor = who;
  if (auto found = st.contributors.find(who))
    e = *found;
  if (e.contribution.refunded)
    return make_error(contract_errc::invalid_state,
                      "contribute: the contribution was refunded");
  const tokens mine = e.contribution.amount + e.pending;
  if (arg.amount > c.max_contribution - mine)
    return invalid(
        "amount: " + amount_text(arg.amount) + " would take the total of "
        + who.to_text() + " above max_contribution "
        + amount_text(c.max_contribution) + " (has " + amount_text(mine) + ")");
  e.pending += arg.amount;
  st.contributors = st.contributors.insert(who, std::move(e));
  st.raised += arg.amount;
  ++st.pending_contributions;
  launchpad_transfer t;
  t.kind = launchpad_transfer_kind::contribution;
  t.who = who;
  t.amount = arg.amount;
  t.from_subaccount = arg.from_subaccount;
  t.created_at = now;
  return start_transfer(st, std::move(t));
}

result<contribution_finish>
finish_contribution(launchpad_state& st, uint64_t seq,
                    const result<uint64_t>& reply, timestamp now) {
  auto t = in_flight(st, seq, launchpad_transfer_kind::contribution);
  if (t == nullptr)
    return no_transfer(seq, "contribution");
  const auto who = t->who;
  const auto amount = t->amount;
  st.transfers = st.transfers.erase(seq);
  contribution_finish out;
  if (outcome_of(reply) == ledger_outcome::happened) {
    auto [c, first] = confirm_contribution(st, who, amount, now);
    out.confirmed = std::move(c);
    out.first = first;
  } else {
    release_contribution(st, who, amount);
  }
  return out;
}

// -- settlement ---------------------------------------------------------------

result<sale_status> begin_finalize(launchpad_state& st, const principal& who,
                                   timestamp now) {
  if (st.settled)
    return make_error(contract_errc::already_done,
                      "finalize: the sale was "
                          + std::string{to_string(*st.settled)} + " already");
  if (st.settling)
    return make_error(contract_errc::invalid_state,
                      "finalize: the sale is being finalized");
  const auto status = status_at(st, now);
  if (status == sale_status::upcoming || status == sale_status::open)
    return make_error(contract_errc::invalid_state,
                      "finalize: the sale is " + std::string{to_string(status)}
                          + "; it ends at end_time or at the hard cap");
  if (who != st.owner && now < st.config.end_time)
    return make_error(contract_errc::unauthorized,
                      "finalize: before end_time only the owner may finalize");
  if (st.pending_contributions > 0)
    return make_error(contract_errc::invalid_state,
                      "finalize: " + std::to_string(st.pending_contributions)
                          + " contribution(s) still wait for the ledger");
  st.settling = true;
  st.fee.reset();
  st.refund_cursor.reset();
  return status;
}

void finalize_fee(launchpad_state& st, const result<tokens>& fee,
                  timestamp now) {
  if (fee)
    st.fee = *fee;
  else
    end_finalize(st, std::nullopt, std::nullopt, now);
}

result<std::optional<uint64_t>> begin_payout(launchpad_state& st,
                                             timestamp now) {
  if (!st.settling || st.settled || !st.fee || st.raised < st.config.soft_cap)
    return make_error(contract_errc::invalid_state,
                      "payout: the sale is not finalizing a success with "
                      "the ledger fee known");
  bool busy = false;
  st.transfers.for_each([&](uint64_t, const launchpad_transfer& t) {
    busy = busy || (t.kind == launchpad_transfer_kind::payout && t.in_flight);
  });
  if (busy)
    return make_error(contract_errc::invalid_state,
                      "payout: the payout is in flight");
  if (auto seq = unknown_transfer(st, launchpad_transfer_kind::payout,
                                  st.owner)) {
    resend(st, *seq);
    return std::optional<uint64_t>{*seq};
  }
  if (st.raised <= *st.fee) {
    // Nothing the ledger fee leaves to pay.
    end_finalize(st, sale_status::finalized, std::nullopt, now);
    return std::optional<uint64_t>{};
  }
  launchpad_transfer t;
  t.kind = launchpad_transfer_kind::payout;
  t.who = st.owner;
  t.amount = st.raised - *st.fee;
  t.fee = st.fee;
  t.created_at = now;
  return std::optional<uint64_t>{start_transfer(st, std::move(t))};
}

result<unit> finish_payout(launchpad_state& st, uint64_t seq,
                           const result<uint64_t>& reply, timestamp now) {
  if (in_flight(st, seq, launchpad_transfer_kind::payout) == nullptr)
    return no_transfer(seq, "payout");
  std::optional<uint64_t> block;
  switch (outcome_of(reply, &block)) {
  case ledger_outcome::happened:
    st.transfers = st.transfers.erase(seq);
    end_finalize(st, sale_status::finalized, block, now);
    break;
  case ledger_outcome::refused:
    st.transfers = st.transfers.erase(seq);
    end_finalize(st, std::nullopt, std::nullopt, now);
    break;
  case ledger_outcome::unknown: {
    auto t = *st.transfers.find(seq);
    t.in_flight = false;
    st.transfers = st.transfers.insert(seq, std::move(t));
    end_finalize(st, std::nullopt, std::nullopt, now);
    break;
  }
  }
  return unit{};
}

std::vector<contribution> refundable(const launchpad_state& st) {
  std::vector<contribution> out;
  st.contributors.for_each([&](const principal&, const launchpad_entry& e) {
    if (e.contribution.amount > 0 && !e.contribution.refunded && !e.refunding)
      out.push_back(e.contribution);
  });
  std::sort(out.begin(), out.end(),
            [](const contribution& x, const contribution& y) {
              return x.contributor < y.contributor;
            });
  return out;
}

std::optional<contribution> next_refund(const launchpad_state& st) {
  for (auto& c : refundable(st))
    if (!st.refund_cursor || *st.refund_cursor < c.contributor)
      return c;
  return std::nullopt;
}

bool refund_covers_fee(const contribution& c, tokens fee) {
  return c.amount > fee;
}

result<refund_start> begin_refund(launchpad_state& st, const principal& who,
                                  timestamp now) {
  if (!st.settling || st.settled || !st.fee || st.raised >= st.config.soft_cap)
    return make_error(contract_errc::invalid_state,
                      "refund: the sale is not finalizing a failure with the "
                      "ledger fee known");
  auto next = next_refund(st);
  if (!next || next->contributor != who)
    return make_error(contract_errc::invalid_state,
                      "refund: " + who.to_text()
                          + " is not the next contributor to refund");
  st.refund_cursor = who;
  return start_refund(st, *next, *st.fee, now);
}

result<refund_start> begin_claim_refund(launchpad_state& st,
                                        const principal& who, timestamp now) {
  if (st.settled != sale_status::refunded)
    return make_error(contract_errc::invalid_state,
                      "claimRefund: the sale was not refunded");
  auto e = st.contributors.find(who);
  if (e == nullptr || e->contribution.amount == 0)
    return make_error(contract_errc::not_found,
                      "claimRefund: " + who.to_text() + " did not contribute");
  if (e->contribution.refunded)
    return make_error(contract_errc::already_done,
                      "claimRefund: the contribution was refunded already");
  if (e->refunding)
    return make_error(contract_errc::invalid_state,
                      "claimRefund: a refund is being paid");
  if (!st.fee)
    return make_error(contract_errc::invalid_state,
                      "claimRefund: finalize did not learn the ledger fee");
  // Copy: start_refund replaces the entry `e` points into.
  const auto c = e->contribution;
  return start_refund(st, c, *st.fee, now);
}

bool record_refund(launchpad_state& st, sale_refund r) {
  auto e = *st.contributors.find(r.contributor);
  e.refunding = false;
  const bool paid = r.block_index.has_value();
  if (paid)
    e.contribution.refunded = true;
  st.contributors = st.contributors.insert(r.contributor, std::move(e));
  st.refunds = st.refunds.insert(st.refunds.size(), std::move(r));
  return paid;
}

result<refund_finish> finish_refund(launchpad_state& st, uint64_t seq,
                                    const result<uint64_t>& reply,
                                    timestamp now) {
  auto t = in_flight(st, seq, launchpad_transfer_kind::refund);
  if (t == nullptr)
    return no_transfer(seq, "refund");
  auto copy = *t;
  sale_refund r;
  r.contributor = copy.who;
  r.amount = copy.amount;
  r.at = now;
  std::optional<uint64_t> block;
  const auto outcome = outcome_of(reply, &block);
  if (outcome == ledger_outcome::happened)
    r.block_index = block;
  else
    r.failure = reply.err().to_string();
  if (outcome == ledger_outcome::unknown) {
    copy.in_flight = false;
    st.transfers = st.transfers.insert(seq, std::move(copy));
  } else {
    st.transfers = st.transfers.erase(seq);
  }
  refund_finish out;
  out.refund = r;
  out.paid = record_refund(st, std::move(r));
  return out;
}

void end_finalize(launchpad_state& st, std::optional<sale_status> status,
                  std::optional<uint64_t> payout_block, timestamp now) {
  st.settling = false;
  if (!status)
    return;
  st.settled = status;
  st.payout_block = payout_block;
  st.finalized_at = now;
}

std::string check_invariants(const launchpad_state& st) {
  u128 confirmed = 0;
  u128 pending = 0;
  std::string bad;
  st.contributors.for_each([&](const principal& p, const launchpad_entry& e) {
    confirmed += e.contribution.amount;
    pending += e.pending;
    const u128 mine = u128{e.contribution.amount} + e.pending;
    if (bad.empty() && mine > st.config.max_contribution)
      bad = p.to_text() + " contributed above max_contribution";
    if (bad.empty() && mine == 0)
      bad = p.to_text() + " has an empty record";
    if (bad.empty() && p != e.contribution.contributor)
      bad = "the record of " + p.to_text() + " names another contributor";
    if (bad.empty()
        && e.contribution.allocation
               != allocation_of(e.contribution.amount, st.config.price_e8s))
      bad = "the allocation of " + p.to_text() + " is wrong";
  });
  if (!bad.empty())
    return bad;
  if (confirmed + pending != st.raised)
    return "raised does not match the contributions";
  if (st.raised > st.config.hard_cap)
    return "raised passes the hard cap";
  if ((pending == 0) != (st.pending_contributions == 0))
    return "pending contributions do not match the records";
  for (uint64_t i = 0; i < st.refunds.size(); ++i)
    if (st.refunds.find(i) == nullptr)
      return "refund " + std::to_string(i) + " is missing";
  if (st.settled && *st.settled != sale_status::finalized
      && *st.settled != sale_status::refunded)
    return "the sale settled in a status other than finalized or refunded";
  return check_transfers(st);
}

} // namespace icto
