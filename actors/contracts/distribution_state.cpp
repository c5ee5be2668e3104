#include "actors/contracts/distribution_state.hpp"

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
constexpr uint64_t ns_per_second = 1'000'000'000ull;
/// A page's size when the request asks for none or for too many.

__extension__ using u128 = unsigned __int128;

error invalid(std::string text) {
  return make_error(contract_errc::invalid_argument, std::move(text));
}

error state_error(const distribution_state& st, const char* method) {
  return make_error(contract_errc::invalid_state,
                    std::string{method} + ": not allowed while "
                        + std::string{to_string(st.status)});
}

result<unit> check_owner(const distribution_state& st, const principal& who,
                         const char* method) {
  if (who != st.owner)
    return make_error(contract_errc::unauthorized,
                      std::string{method} + ": only the owner "
                          + st.owner.to_text() + " may call it, not "
                          + who.to_text());
  return unit{};
}

/// A recipient that may be added: not anonymous, an amount > 0.
result<unit> check_recipient(const distribution_recipient& r,
                             const std::string& field) {
  if (r.recipient.is_anonymous() || r.recipient.empty())
    return invalid(field
                   + ".recipient: the anonymous principal cannot "
                     "receive tokens");
  if (r.amount == 0)
    return invalid(field + ".amount: must be > 0");
  return unit{};
}

/// The time as nanoseconds `seconds` after `start`, or nullopt on overflow.
std::optional<timestamp> after(timestamp start, uint64_t seconds) {
  if (seconds > u64_max / ns_per_second)
    return std::nullopt;
  auto ns = seconds * ns_per_second;
  if (start > u64_max - ns)
    return std::nullopt;
  return start + ns;
}

} // namespace

bool operator==(const distribution_state& x, const distribution_state& y) {
  return x.name == y.name && x.owner == y.owner && x.token == y.token
         && x.start_time == y.start_time && x.cliff_seconds == y.cliff_seconds
         && x.vesting_seconds == y.vesting_seconds && x.status == y.status
         && x.recipients == y.recipients && x.total_amount == y.total_amount
         && x.total_claimed == y.total_claimed && x.pending == y.pending
         && x.next_claim == y.next_claim && x.activated_at == y.activated_at
         && x.cancel_reason == y.cancel_reason;
}

result<unit> validate(const distribution_init& init) {
  if (init.name.empty())
    return invalid("name: must not be empty");
  if (init.name.size() > max_contract_name_length)
    return invalid("name: at most " + std::to_string(max_contract_name_length)
                   + " bytes, not " + std::to_string(init.name.size()));
  if (init.token.empty() || init.token.is_anonymous())
    return invalid("token: must name a token contract or the ledger");
  if (init.cliff_seconds > init.vesting_seconds)
    return invalid("cliff_seconds: " + std::to_string(init.cliff_seconds)
                   + " is longer than vesting_seconds "
                   + std::to_string(init.vesting_seconds));
  if (!after(init.start_time, init.vesting_seconds))
    return invalid("vesting_seconds: start_time + vesting_seconds does not "
                   "fit in 64-bit nanoseconds");
  trie_set<principal> seen;
  tokens total = 0;
  for (size_t i = 0; i < init.recipients.size(); ++i) {
    const auto& r = init.recipients[i];
    const auto field = "recipients[" + std::to_string(i) + "]";
    if (auto ok = check_recipient(r, field); !ok)
      return ok;
    if (seen.contains(r.recipient))
      return invalid(field + ".recipient: " + r.recipient.to_text()
                     + " is listed twice");
    seen = seen.insert(r.recipient, trie_unit{});
    if (total > u64_max - r.amount)
      return invalid(field
                     + ".amount: the total of the amounts exceeds "
                       "2^64-1");
    total += r.amount;
  }
  return unit{};
}

distribution_state make_distribution_state(const distribution_init& init,
                                           const principal& owner) {
  distribution_state st;
  st.name = init.name;
  st.owner = owner;
  st.token = init.token;
  st.start_time = init.start_time;
  st.cliff_seconds = init.cliff_seconds;
  st.vesting_seconds = init.vesting_seconds;
  for (const auto& r : init.recipients) {
    st.recipients = st.recipients.insert(r.recipient, {r.amount, 0});
    st.total_amount += r.amount;
  }
  return st;
}

// -- vesting ------------------------------------------------------------------

tokens vested_amount(const distribution_state& st, tokens total,
                     timestamp now) {
  // validate() made sure these do not overflow.
  const auto cliff_end = *after(st.start_time, st.cliff_seconds);
  const auto vesting_end = *after(st.start_time, st.vesting_seconds);
  if (now < cliff_end || now < st.start_time)
    return 0;
  if (now >= vesting_end)
    return total;
  const u128 elapsed = now - st.start_time;
  const u128 span = vesting_end - st.start_time;
  return static_cast<tokens>(u128{total} * elapsed / span);
}

vesting_figures figures_of(const distribution_state& st, const principal& user,
                           timestamp now) {
  vesting_figures out;
  out.recipient = user;
  auto e = st.recipients.find(user);
  if (e == nullptr)
    return out;
  out.total = e->amount;
  out.vested = vested_amount(st, e->amount, now);
  out.claimed = e->claimed;
  if (st.status == distribution_status::active && out.vested > e->claimed)
    out.claimable = out.vested - e->claimed;
  return out;
}

vesting_page recipients_page(const distribution_state& st, const page& pg,
                             timestamp now) {
  std::vector<principal> all;
  all.reserve(st.recipients.size());
  st.recipients.for_each([&](const principal& p, const distribution_entry&) {
    all.push_back(p);
  });
  std::sort(all.begin(), all.end());
  vesting_page out;
  out.total = all.size();
  const auto limit = page_limit(pg);
  for (uint64_t i = pg.offset; i < all.size() && out.recipients.size() < limit;
       ++i)
    out.recipients.push_back(figures_of(st, all[i], now));
  return out;
}

result<unit> check_can_read(const distribution_state& st, const principal& who,
                            bool is_public) {
  if (is_public || who == st.owner || st.recipients.contains(who))
    return unit{};
  return make_error(contract_errc::unauthorized,
                    "the distribution is private: only its owner and "
                    "recipients may read it");
}

// -- updates ------------------------------------------------------------------

result<unit> activate(distribution_state& st, const principal& who,
                      timestamp now) {
  if (auto ok = check_owner(st, who, "activate"); !ok)
    return ok;
  if (st.status != distribution_status::created)
    return state_error(st, "activate");
  if (st.recipients.empty())
    return make_error(contract_errc::invalid_state,
                      "activate: the distribution has no recipient");
  st.status = distribution_status::active;
  st.activated_at = now;
  return unit{};
}

result<unit> cancel(distribution_state& st, const principal& who,
                    const std::string& reason) {
  if (auto ok = check_owner(st, who, "cancel"); !ok)
    return ok;
  if (st.status != distribution_status::created
      && st.status != distribution_status::active)
    return state_error(st, "cancel");
  if (reason.size() > 1000)
    return invalid("reason: at most 1000 bytes");
  st.status = distribution_status::cancelled;
  st.cancel_reason = reason;
  return unit{};
}

result<unit> add_recipient(distribution_state& st, const principal& who,
                           const distribution_recipient& r) {
  if (auto ok = check_owner(st, who, "addRecipient"); !ok)
    return ok;
  if (st.status != distribution_status::created)
    return state_error(st, "addRecipient");
  if (auto ok = check_recipient(r, "recipient"); !ok)
    return ok;
  if (st.recipients.contains(r.recipient))
    return make_error(contract_errc::already_done,
                      "addRecipient: " + r.recipient.to_text()
                          + " is a recipient already");
  if (st.total_amount > u64_max - r.amount)
    return invalid("amount: the total of the amounts would exceed 2^64-1");
  st.recipients = st.recipients.insert(r.recipient, {r.amount, 0});
  st.total_amount += r.amount;
  return unit{};
}

result<unit> remove_recipient(distribution_state& st, const principal& who,
                              const principal& recipient) {
  if (auto ok = check_owner(st, who, "removeRecipient"); !ok)
    return ok;
  if (st.status != distribution_status::created)
    return state_error(st, "removeRecipient");
  auto e = st.recipients.find(recipient);
  if (e == nullptr)
    return make_error(contract_errc::not_found,
                      "removeRecipient: " + recipient.to_text()
                          + " is not a recipient");
  st.total_amount -= e->amount;
  st.recipients = st.recipients.erase(recipient);
  return unit{};
}

result<distribution_claim_ticket>
reserve_claim(distribution_state& st, const principal& who, timestamp now) {
  auto e = st.recipients.find(who);
  if (e == nullptr)
    return make_error(contract_errc::unauthorized,
                      "claim: " + who.to_text() + " is not a recipient");
  if (e->claimed >= e->amount)
    return make_error(contract_errc::already_done,
                      "claim: everything was claimed already");
  if (st.status != distribution_status::active)
    return state_error(st, "claim");
  const auto vested = vested_amount(st, e->amount, now);
  if (vested <= e->claimed) {
    if (vested == 0)
      return make_error(contract_errc::invalid_state,
                        "claim: nothing has vested yet (the cliff ends "
                            + std::to_string(st.cliff_seconds)
                            + " s after the start)");
    return make_error(contract_errc::invalid_state,
                      "claim: nothing more has vested since the last claim");
  }
  const tokens amount = vested - e->claimed;
  const uint64_t seq = st.next_claim;
  st.recipients = st.recipients.insert(who, {e->amount, e->claimed + amount});
  st.total_claimed += amount;
  st.pending = st.pending.insert(seq, {who, amount, now});
  ++st.next_claim;
  return distribution_claim_ticket{seq, amount};
}

bool settle_claim(distribution_state& st, uint64_t seq) {
  if (!st.pending.contains(seq))
    return false;
  st.pending = st.pending.erase(seq);
  if (st.status == distribution_status::active && st.pending.empty()
      && st.total_claimed == st.total_amount) {
    st.status = distribution_status::completed;
    return true;
  }
  return false;
}

void release_claim(distribution_state& st, uint64_t seq) {
  const auto* c = st.pending.find(seq);
  if (c == nullptr)
    return;
  const auto claim = *c;
  st.pending = st.pending.erase(seq);
  auto e = st.recipients.find(claim.recipient);
  st.recipients = st.recipients.insert(claim.recipient,
                                       {e->amount, e->claimed - claim.amount});
  st.total_claimed -= claim.amount;
}

blob claim_memo(uint64_t seq) {
  blob out(8);
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<uint8_t>(seq & 0xff);
    seq >>= 8;
  }
  return out;
}

result<transfer_arg> claim_transfer(const distribution_state& st,
                                    uint64_t seq) {
  const auto* c = st.pending.find(seq);
  if (c == nullptr)
    return make_error(contract_errc::not_found,
                      "claim " + std::to_string(seq) + " is not in flight");
  transfer_arg t;
  t.to = account{c->recipient, std::nullopt};
  t.amount = c->amount;
  t.memo = claim_memo(seq);
  t.created_at_time = c->created_at_time;
  return t;
}

std::vector<uint64_t> claims_in_flight(const distribution_state& st,
                                       const principal& who) {
  std::vector<uint64_t> out;
  st.pending.for_each([&](uint64_t seq, const distribution_pending_claim& c) {
    if (c.recipient == who)
      out.push_back(seq);
  });
  std::sort(out.begin(), out.end());
  return out;
}

payout_outcome classify_payout(const result<uint64_t>& reply) {
  if (reply || is(reply.err(), ledger_errc::duplicate))
    return payout_outcome::paid;
  if (is(reply.err(), ledger_errc::too_old)
      || reply.err().domain == error_domain::system)
    return payout_outcome::unknown;
  return payout_outcome::refused;
}

uint64_t paid_block(const result<uint64_t>& reply) {
  return reply ? *reply : reply.err().detail;
}

distribution_info info_of(const distribution_state& st, bool is_public) {
  distribution_info out;
  out.name = st.name;
  out.owner = st.owner;
  out.token = st.token;
  out.status = st.status;
  out.start_time = st.start_time;
  out.cliff_seconds = st.cliff_seconds;
  out.vesting_seconds = st.vesting_seconds;
  out.recipients = st.recipients.size();
  out.total_amount = st.total_amount;
  out.total_claimed = st.total_claimed;
  out.is_public = is_public;
  out.activated_at = st.activated_at;
  out.cancel_reason = st.cancel_reason;
  return out;
}

std::string check_invariants(const distribution_state& st) {
  u128 amount = 0;
  u128 claimed = 0;
  std::string bad;
  st.recipients.for_each([&](const principal& p, const distribution_entry& e) {
    amount += e.amount;
    claimed += e.claimed;
    if (e.amount == 0 && bad.empty())
      bad = "recipient " + p.to_text() + " has an amount of 0";
    if (e.claimed > e.amount && bad.empty())
      bad = "recipient " + p.to_text() + " claimed more than its amount";
  });
  if (!bad.empty())
    return bad;
  // A recipient's claims in flight are part of what it claimed.
  std::map<principal, u128> in_flight;
  st.pending.for_each([&](uint64_t seq, const distribution_pending_claim& c) {
    in_flight[c.recipient] += c.amount;
    if (!bad.empty())
      return;
    const auto name = "claim " + std::to_string(seq) + " in flight";
    if (seq == 0 || seq >= st.next_claim)
      bad = name + " has a sequence number not below next_claim "
            + std::to_string(st.next_claim);
    else if (c.amount == 0)
      bad = name + " has an amount of 0";
    else if (!st.recipients.contains(c.recipient))
      bad = name + " pays " + c.recipient.to_text()
            + ", who is not a recipient";
  });
  if (!bad.empty())
    return bad;
  for (const auto& [p, sum] : in_flight)
    if (sum > st.recipients.find(p)->claimed)
      return "the claims in flight of " + p.to_text()
             + " exceed what it claimed";
  if (st.next_claim == 0)
    return "next_claim is 0";
  if (amount != st.total_amount)
    return "total_amount does not match the recipients' amounts";
  if (claimed != st.total_claimed)
    return "total_claimed does not match the recipients' claims";
  if (st.status == distribution_status::created && st.total_claimed != 0)
    return "a created distribution has claims";
  if (st.status == distribution_status::completed
      && (st.total_claimed != st.total_amount || !st.pending.empty()))
    return "a completed distribution has unclaimed tokens";
  if ((st.status == distribution_status::active
       || st.status == distribution_status::completed)
      && !st.activated_at)
    return "an activated distribution has no activation time";
  if (!after(st.start_time, st.vesting_seconds)
      || st.cliff_seconds > st.vesting_seconds)
    return "the vesting schedule is out of range";
  return {};
}

} // namespace icto
