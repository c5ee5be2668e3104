#include "actors/contracts/dao_state.hpp"

#include "actors/contracts/contract_core.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace icto {

namespace {

constexpr uint64_t u64_max = std::numeric_limits<uint64_t>::max();
constexpr uint64_t ns_per_second = 1'000'000'000ull;
constexpr uint64_t max_voting_period_seconds = 365ull * 24 * 3600;
constexpr uint32_t max_bps = 10'000;
constexpr size_t max_name_length = 100;
constexpr size_t max_title_length = 200;
constexpr size_t max_description_length = 10'000;

__extension__ using u128 = unsigned __int128;

error invalid(std::string text) {
  return make_error(contract_errc::invalid_argument, std::move(text));
}

std::string bps_problem(uint32_t bps) {
  if (bps == 0 || bps > max_bps)
    return "must be in 1..10000 basis points, not " + std::to_string(bps);
  return {};
}

result<unit> check_member_arg(const principal& p, uint64_t power,
                              const std::string& field) {
  if (p.empty() || p.is_anonymous())
    return invalid(field
                   + ".member: the anonymous principal cannot be a "
                     "member");
  if (power == 0)
    return invalid(field + ".voting_power: must be > 0");
  return unit{};
}

result<unit> check_member(const dao_state& st, const principal& who,
                          const char* method) {
  if (!st.members.contains(who))
    return make_error(contract_errc::unauthorized, std::string{method} + ": "
                                                       + who.to_text()
                                                       + " is not a member");
  return unit{};
}

result<unit> check_owner(const dao_state& st, const principal& who,
                         const char* method) {
  if (who != st.owner)
    return make_error(contract_errc::unauthorized,
                      std::string{method} + ": only the owner "
                          + st.owner.to_text() + " may call it, not "
                          + who.to_text());
  return unit{};
}

/// Checks that the params hold exactly what `action` needs.
result<unit> check_params(const dao_state& st, dao_action action,
                          const dao_action_params& p) {
  const bool need_member = action == dao_action::add_member
                           || action == dao_action::remove_member;
  const bool need_power = action == dao_action::add_member;
  const bool need_bps = action == dao_action::change_quorum
                        || action == dao_action::change_approval_threshold;
  const bool need_transfer = action == dao_action::transfer;
  const auto name = std::string{to_string(action)};
  auto presence = [&](bool need, bool has, const char* field) -> result<unit> {
    if (need && !has)
      return invalid(std::string{"params."} + field + ": required by " + name);
    if (!need && has)
      return invalid(std::string{"params."} + field + ": not used by " + name);
    return unit{};
  };
  for (auto r :
       {presence(need_member, p.member.has_value(), "member"),
        presence(need_power, p.voting_power.has_value(), "voting_power"),
        presence(need_bps, p.bps.has_value(), "bps"),
        presence(need_transfer, p.to.has_value(), "to"),
        presence(need_transfer, p.amount.has_value(), "amount")})
    if (!r)
      return r;
  switch (action) {
  case dao_action::text: break;
  case dao_action::add_member:
    if (auto ok = check_member_arg(*p.member, *p.voting_power, "params"); !ok)
      return ok;
    if (st.members.contains(*p.member))
      return invalid("params.member: " + p.member->to_text()
                     + " is a member already");
    break;
  case dao_action::remove_member:
    if (!st.members.contains(*p.member))
      return invalid("params.member: " + p.member->to_text()
                     + " is not a member");
    break;
  case dao_action::change_quorum:
  case dao_action::change_approval_threshold:
    if (auto bad = bps_problem(*p.bps); !bad.empty())
      return invalid("params.bps: " + bad);
    break;
  case dao_action::transfer:
    if (*p.amount == 0)
      return invalid("params.amount: must be > 0");
    if (p.to->owner.empty() || p.to->owner.is_anonymous())
      return invalid("params.to: the anonymous principal cannot receive");
    if (p.to->subaccount && p.to->subaccount->size() != 32)
      return invalid("params.to.subaccount: must be 32 bytes");
    break;
  }
  return unit{};
}

/// The proposal's stored record; REQUIRES: it exists.
const dao_proposal_record& record(const dao_state& st, uint64_t id) {
  return *st.proposals.find(id);
}

void put(dao_state& st, dao_proposal_record r) {
  auto id = r.proposal.id;
  st.proposals = st.proposals.insert(id, std::move(r));
}

} // namespace

bool operator==(const dao_state& x, const dao_state& y) {
  return x.name == y.name && x.owner == y.owner && x.members == y.members
         && x.total_voting_power == y.total_voting_power
         && x.quorum_bps == y.quorum_bps
         && x.approval_threshold_bps == y.approval_threshold_bps
         && x.voting_period_seconds == y.voting_period_seconds
         && x.proposals == y.proposals
         && x.next_proposal_id == y.next_proposal_id;
}

result<unit> validate(const dao_init& init) {
  if (init.name.empty())
    return invalid("name: must not be empty");
  if (init.name.size() > max_name_length)
    return invalid("name: at most " + std::to_string(max_name_length)
                   + " bytes, not " + std::to_string(init.name.size()));
  if (init.members.empty())
    return invalid("members: a DAO needs at least one member");
  if (auto bad = bps_problem(init.quorum_bps); !bad.empty())
    return invalid("quorum_bps: " + bad);
  if (auto bad = bps_problem(init.approval_threshold_bps); !bad.empty())
    return invalid("approval_threshold_bps: " + bad);
  if (init.voting_period_seconds == 0
      || init.voting_period_seconds > max_voting_period_seconds)
    return invalid("voting_period_seconds: must be in 1.."
                   + std::to_string(max_voting_period_seconds) + ", not "
                   + std::to_string(init.voting_period_seconds));
  trie_set<principal> seen;
  uint64_t total = 0;
  for (size_t i = 0; i < init.members.size(); ++i) {
    const auto& m = init.members[i];
    const auto field = "members[" + std::to_string(i) + "]";
    if (auto ok = check_member_arg(m.member, m.voting_power, field); !ok)
      return ok;
    if (seen.contains(m.member))
      return invalid(field + ".member: " + m.member.to_text()
                     + " is listed twice");
    seen = seen.insert(m.member, trie_unit{});
    if (total > u64_max - m.voting_power)
      return invalid(field
                     + ".voting_power: the total voting power exceeds "
                       "2^64-1");
    total += m.voting_power;
  }
  return unit{};
}

dao_state make_dao_state(const dao_init& init, const principal& owner) {
  dao_state st;
  st.name = init.name;
  st.owner = owner;
  for (const auto& m : init.members) {
    st.members = st.members.insert(m.member, m.voting_power);
    st.total_voting_power += m.voting_power;
  }
  st.quorum_bps = init.quorum_bps;
  st.approval_threshold_bps = init.approval_threshold_bps;
  st.voting_period_seconds = init.voting_period_seconds;
  return st;
}

// -- queries ------------------------------------------------------------------

result<unit> check_can_read(const dao_state& st, const principal& who,
                            bool is_public) {
  if (is_public || who == st.owner || st.members.contains(who))
    return unit{};
  return make_error(contract_errc::unauthorized,
                    "the DAO is private: only its owner and members may "
                    "read it");
}

bool tally_passes(const dao_proposal_record& r, uint32_t quorum_bps,
                  uint32_t approval_bps) {
  const u128 yes = r.proposal.yes_power;
  const u128 cast = yes + r.proposal.no_power;
  if (cast == 0)
    return false;
  return cast * max_bps >= u128{quorum_bps} * r.eligible_power
         && yes * max_bps >= u128{approval_bps} * cast;
}

dao_proposal_status status_at(const dao_state& st, const dao_proposal_record& r,
                              timestamp now) {
  if (r.proposal.status != dao_proposal_status::open
      || now < r.proposal.voting_ends_at)
    return r.proposal.status;
  return tally_passes(r, st.quorum_bps, st.approval_threshold_bps)
             ? dao_proposal_status::passed
             : dao_proposal_status::rejected;
}

dao_proposal view_of(const dao_state& st, const dao_proposal_record& r,
                     timestamp now) {
  dao_proposal out = r.proposal;
  out.status = status_at(st, r, now);
  r.ballots.for_each([&](const principal&, const dao_ballot& b) {
    out.ballots.push_back(b);
  });
  std::sort(out.ballots.begin(), out.ballots.end(),
            [](const dao_ballot& x, const dao_ballot& y) {
              return x.voter < y.voter;
            });
  return out;
}

dao_info info_of(const dao_state& st, bool is_public, timestamp now) {
  dao_info out;
  out.name = st.name;
  out.owner = st.owner;
  out.members = st.members.size();
  out.total_voting_power = st.total_voting_power;
  out.quorum_bps = st.quorum_bps;
  out.approval_threshold_bps = st.approval_threshold_bps;
  out.voting_period_seconds = st.voting_period_seconds;
  out.proposals = st.proposals.size();
  st.proposals.for_each([&](uint64_t, const dao_proposal_record& r) {
    if (r.proposal.status == dao_proposal_status::open
        && now < r.proposal.voting_ends_at)
      ++out.open_proposals;
  });
  out.is_public = is_public;
  return out;
}

dao_member_page members_page(const dao_state& st, const page& pg) {
  std::vector<dao_member> all;
  all.reserve(st.members.size());
  st.members.for_each([&](const principal& p, uint64_t power) {
    all.push_back(dao_member{p, power});
  });
  std::sort(all.begin(), all.end(),
            [](const dao_member& x, const dao_member& y) {
              return x.member < y.member;
            });
  dao_member_page out;
  out.total = all.size();
  const auto limit = page_limit(pg);
  for (uint64_t i = pg.offset; i < all.size() && out.members.size() < limit;
       ++i)
    out.members.push_back(all[i]);
  return out;
}

result<dao_proposal> proposal_of(const dao_state& st, uint64_t id,
                                 timestamp now) {
  auto r = st.proposals.find(id);
  if (r == nullptr)
    return make_error(contract_errc::not_found,
                      "no proposal " + std::to_string(id));
  return view_of(st, *r, now);
}

dao_proposal_page proposals_page(const dao_state& st,
                                 const dao_proposals_arg& arg, timestamp now) {
  dao_proposal_page out;
  const auto limit = page_limit(arg.page);
  uint64_t matched = 0;
  // Ids are dense (1..next-1): walk them newest first.
  for (uint64_t id = st.next_proposal_id - 1; id >= 1; --id) {
    auto r = st.proposals.find(id);
    if (r == nullptr)
      continue;
    if (arg.status && status_at(st, *r, now) != *arg.status)
      continue;
    if (matched++ >= arg.page.offset && out.proposals.size() < limit)
      out.proposals.push_back(view_of(st, *r, now));
  }
  out.total = matched;
  return out;
}

// -- updates ------------------------------------------------------------------

result<unit> add_member(dao_state& st, const principal& who,
                        const dao_member& m) {
  if (auto ok = check_owner(st, who, "addMember"); !ok)
    return ok;
  if (auto ok = check_member_arg(m.member, m.voting_power, "member"); !ok)
    return ok;
  if (st.members.contains(m.member))
    return make_error(contract_errc::already_done,
                      "addMember: " + m.member.to_text()
                          + " is a member already");
  if (st.total_voting_power > u64_max - m.voting_power)
    return invalid("voting_power: the total voting power would exceed "
                   "2^64-1");
  st.members = st.members.insert(m.member, m.voting_power);
  st.total_voting_power += m.voting_power;
  return unit{};
}

namespace {

/// Removes `member`, or says why it cannot be.
std::optional<std::string> drop_member(dao_state& st, const principal& member) {
  auto power = st.members.find(member);
  if (power == nullptr)
    return member.to_text() + " is not a member";
  if (st.members.size() == 1)
    return "the last member cannot be removed";
  st.total_voting_power -= *power;
  st.members = st.members.erase(member);
  return std::nullopt;
}

} // namespace

result<unit> remove_member(dao_state& st, const principal& who,
                           const principal& member) {
  if (auto ok = check_owner(st, who, "removeMember"); !ok)
    return ok;
  if (!st.members.contains(member))
    return make_error(contract_errc::not_found,
                      "removeMember: " + member.to_text() + " is not a member");
  if (auto why = drop_member(st, member))
    return make_error(contract_errc::invalid_state, "removeMember: " + *why);
  return unit{};
}

result<uint64_t> create_proposal(dao_state& st, const principal& who,
                                 const dao_create_proposal_arg& arg,
                                 timestamp now) {
  if (auto ok = check_member(st, who, "createProposal"); !ok)
    return ok.err();
  if (arg.title.empty())
    return invalid("title: must not be empty");
  if (arg.title.size() > max_title_length)
    return invalid("title: at most " + std::to_string(max_title_length)
                   + " bytes");
  if (arg.description.size() > max_description_length)
    return invalid("description: at most "
                   + std::to_string(max_description_length) + " bytes");
  if (auto ok = check_params(st, arg.action, arg.params); !ok)
    return ok.err();
  const auto period = st.voting_period_seconds * ns_per_second;
  if (now > u64_max - period)
    return invalid("the voting period would end after 2^64-1 ns");
  dao_proposal_record r;
  r.proposal.id = st.next_proposal_id;
  r.proposal.proposer = who;
  r.proposal.title = arg.title;
  r.proposal.description = arg.description;
  r.proposal.action = arg.action;
  r.proposal.params = arg.params;
  r.proposal.created_at = now;
  r.proposal.voting_ends_at = now + period;
  r.eligible_power = st.total_voting_power;
  put(st, std::move(r));
  return st.next_proposal_id++;
}

result<dao_proposal> cast_vote(dao_state& st, const principal& who,
                               const dao_vote_arg& arg, timestamp now) {
  auto power = st.members.find(who);
  if (power == nullptr)
    return make_error(contract_errc::unauthorized,
                      "vote: " + who.to_text() + " is not a member");
  auto found = st.proposals.find(arg.proposal_id);
  if (found == nullptr)
    return make_error(contract_errc::not_found,
                      "vote: no proposal " + std::to_string(arg.proposal_id));
  if (found->proposal.status != dao_proposal_status::open
      || now >= found->proposal.voting_ends_at)
    return make_error(contract_errc::invalid_state,
                      "vote: voting on proposal "
                          + std::to_string(arg.proposal_id) + " is closed");
  if (found->ballots.contains(who))
    return make_error(contract_errc::already_done,
                      "vote: " + who.to_text() + " voted on proposal "
                          + std::to_string(arg.proposal_id) + " already");
  auto r = *found;
  auto& tally = arg.vote == dao_vote_choice::yes ? r.proposal.yes_power
                                                 : r.proposal.no_power;
  tally += *power;
  r.ballots = r.ballots.insert(who, dao_ballot{who, arg.vote, *power});
  put(st, r);
  return view_of(st, r, now);
}

result<dao_membership_change> execute_proposal(dao_state& st,
                                               const principal& who,
                                               uint64_t id, timestamp now) {
  if (auto ok = check_member(st, who, "executeProposal"); !ok)
    return ok.err();
  auto found = st.proposals.find(id);
  if (found == nullptr)
    return make_error(contract_errc::not_found,
                      "executeProposal: no proposal " + std::to_string(id));
  auto r = *found;
  auto& p = r.proposal;
  switch (p.status) {
  case dao_proposal_status::open: break;
  case dao_proposal_status::passed:
    if (r.executing)
      return make_error(contract_errc::invalid_state,
                        "executeProposal: proposal " + std::to_string(id)
                            + " is being executed");
    break;
  case dao_proposal_status::executed:
  case dao_proposal_status::failed:
    return make_error(contract_errc::already_done,
                      "executeProposal: proposal " + std::to_string(id)
                          + " was executed already");
  case dao_proposal_status::rejected:
    return make_error(contract_errc::invalid_state, "executeProposal: proposal "
                                                        + std::to_string(id)
                                                        + " was rejected");
  }
  if (p.status == dao_proposal_status::open) {
    if (now < p.voting_ends_at)
      return make_error(contract_errc::invalid_state,
                        "executeProposal: voting on proposal "
                            + std::to_string(id) + " is still open");
    const u128 cast = u128{p.yes_power} + p.no_power;
    if (!tally_passes(r, st.quorum_bps, st.approval_threshold_bps)) {
      p.status = dao_proposal_status::rejected;
      put(st, r);
      const bool quorum = cast * max_bps
                              >= u128{st.quorum_bps} * r.eligible_power
                          && cast > 0;
      return make_error(contract_errc::invalid_state,
                        "executeProposal: proposal " + std::to_string(id)
                            + " was rejected ("
                            + (quorum ? "approval threshold not reached"
                                      : "quorum not reached")
                            + ")");
    }
    p.status = dao_proposal_status::passed;
  }
  dao_membership_change change;
  std::optional<std::string> failure;
  switch (p.action) {
  case dao_action::text: break;
  case dao_action::add_member: {
    const auto& m = *p.params.member;
    const auto power = *p.params.voting_power;
    if (st.members.contains(m))
      failure = m.to_text() + " is a member already";
    else if (st.total_voting_power > u64_max - power)
      failure = "the total voting power would exceed 2^64-1";
    else {
      st.members = st.members.insert(m, power);
      st.total_voting_power += power;
      change.added = m;
    }
    break;
  }
  case dao_action::remove_member:
    failure = drop_member(st, *p.params.member);
    if (!failure)
      change.removed = *p.params.member;
    break;
  case dao_action::change_quorum: st.quorum_bps = *p.params.bps; break;
  case dao_action::change_approval_threshold:
    st.approval_threshold_bps = *p.params.bps;
    break;
  case dao_action::transfer:
    r.executing = true;
    r.transfer_created_at = now;
    put(st, r);
    return change;
  }
  p.status = failure ? dao_proposal_status::failed
                     : dao_proposal_status::executed;
  p.executed_at = now;
  p.failure = std::move(failure);
  put(st, r);
  return change;
}

bool awaits_transfer(const dao_state& st, uint64_t id) {
  auto r = st.proposals.find(id);
  return r != nullptr && r->executing;
}

void finish_transfer(dao_state& st, uint64_t id, timestamp now,
                     std::optional<std::string> failure) {
  auto r = record(st, id);
  r.executing = false;
  r.proposal.status = failure ? dao_proposal_status::failed
                              : dao_proposal_status::executed;
  r.proposal.executed_at = now;
  r.proposal.failure = std::move(failure);
  put(st, std::move(r));
}

blob dao_transfer_memo(uint64_t id) {
  blob out(8);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<uint8_t>(id >> (8 * (out.size() - 1 - i)));
  return out;
}

transfer_arg transfer_of(const dao_state& st, uint64_t id) {
  const auto& r = record(st, id);
  transfer_arg t;
  t.to = *r.proposal.params.to;
  t.amount = *r.proposal.params.amount;
  t.memo = dao_transfer_memo(id);
  t.created_at_time = r.transfer_created_at;
  return t;
}

dao_transfer_outcome outcome_of(const result<uint64_t>& reply) {
  if (reply || is(reply.err(), ledger_errc::duplicate))
    return dao_transfer_outcome::executed;
  if (is(reply.err(), ledger_errc::too_old)
      || reply.err().domain == error_domain::system)
    return dao_transfer_outcome::unknown;
  return dao_transfer_outcome::failed;
}

result<dao_transfer_outcome> settle_transfer(dao_state& st, uint64_t id,
                                             timestamp now,
                                             const result<uint64_t>& reply) {
  if (!awaits_transfer(st, id))
    return make_error(contract_errc::invalid_state,
                      "proposal " + std::to_string(id) + " awaits no transfer");
  const auto outcome = outcome_of(reply);
  switch (outcome) {
  case dao_transfer_outcome::unknown: break;
  case dao_transfer_outcome::failed:
    finish_transfer(st, id, now, reply.err().to_string());
    break;
  case dao_transfer_outcome::executed: {
    finish_transfer(st, id, now, std::nullopt);
    auto r = record(st, id);
    r.transfer_block = reply ? *reply : reply.err().detail;
    put(st, std::move(r));
    break;
  }
  }
  return outcome;
}

result<transfer_arg> retry_transfer(const dao_state& st, const principal& who,
                                    uint64_t id) {
  if (auto ok = check_member(st, who, "executeProposal"); !ok)
    return ok.err();
  if (!awaits_transfer(st, id))
    return make_error(contract_errc::invalid_state,
                      "executeProposal: proposal " + std::to_string(id)
                          + " awaits no transfer");
  return transfer_of(st, id);
}

std::vector<uint64_t> transfers_in_flight(const dao_state& st) {
  std::vector<uint64_t> out;
  st.proposals.for_each([&](uint64_t id, const dao_proposal_record& r) {
    if (r.executing)
      out.push_back(id);
  });
  std::sort(out.begin(), out.end());
  return out;
}

std::string check_invariants(const dao_state& st) {
  u128 total = 0;
  bool zero = false;
  st.members.for_each([&](const principal&, uint64_t power) {
    total += power;
    zero = zero || power == 0;
  });
  if (zero)
    return "a member has no voting power";
  if (total != st.total_voting_power)
    return "total_voting_power does not match the members";
  if (st.members.empty())
    return "the DAO has no member";
  if (!bps_problem(st.quorum_bps).empty()
      || !bps_problem(st.approval_threshold_bps).empty())
    return "quorum or approval threshold out of range";
  std::string bad;
  st.proposals.for_each([&](uint64_t id, const dao_proposal_record& r) {
    if (!bad.empty())
      return;
    if (id != r.proposal.id || id == 0 || id >= st.next_proposal_id)
      bad = "proposal " + std::to_string(id) + " has a bad id";
    u128 yes = 0;
    u128 no = 0;
    r.ballots.for_each([&](const principal& p, const dao_ballot& b) {
      (b.vote == dao_vote_choice::yes ? yes : no) += b.weight;
      if (p != b.voter)
        bad = "a ballot of proposal " + std::to_string(id)
              + " is filed under another voter";
    });
    if (yes != r.proposal.yes_power || no != r.proposal.no_power)
      bad = "the tally of proposal " + std::to_string(id)
            + " does not match its ballots";
    if (!r.proposal.ballots.empty())
      bad = "proposal " + std::to_string(id) + " stores ballots twice";
    if (r.executing && r.proposal.status != dao_proposal_status::passed)
      bad = "proposal " + std::to_string(id) + " executes but is not passed";
    const bool transfer = r.proposal.action == dao_action::transfer
                          && r.proposal.params.to && r.proposal.params.amount;
    if (r.executing && (!transfer || !r.transfer_created_at))
      bad = "proposal " + std::to_string(id)
            + " executes a transfer it cannot rebuild";
    if (r.transfer_created_at && !transfer)
      bad = "proposal " + std::to_string(id)
            + " has a transfer time but no transfer";
    if (r.transfer_block
        && (!transfer || r.proposal.status != dao_proposal_status::executed))
      bad = "proposal " + std::to_string(id)
            + " has a transfer block but no executed transfer";
  });
  return bad;
}

} // namespace icto
