#include "actors/contracts/launchpad_state.hpp"

#include "actors/contracts/contract_core.hpp"

#include <algorithm>
#include <limits>
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

} // namespace

bool operator==(const launchpad_state& x, const launchpad_state& y) {
  return x.config == y.config && x.owner == y.owner
         && x.contributors == y.contributors && x.raised == y.raised
         && x.pending_contributions == y.pending_contributions
         && x.settled == y.settled && x.settling == y.settling
         && x.finalized_at == y.finalized_at && x.payout_block == y.payout_block
         && x.refunds == y.refunds;
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

// -- contributions ------------------------------------------------------------

result<unit> reserve_contribution(launchpad_state& st, const principal& who,
                                  const contribute_arg& arg, timestamp now) {
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
  return unit{};
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
  return status;
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

bool refund_covers_fee(const contribution& c, tokens fee) {
  return c.amount > fee;
}

result<contribution> begin_claim_refund(launchpad_state& st,
                                        const principal& who) {
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
  // Copy before begin_refund: it replaces the entry `e` points into.
  auto out = e->contribution;
  begin_refund(st, who);
  return out;
}

void begin_refund(launchpad_state& st, const principal& who) {
  auto e = *st.contributors.find(who);
  e.refunding = true;
  st.contributors = st.contributors.insert(who, std::move(e));
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
  return {};
}

} // namespace icto
