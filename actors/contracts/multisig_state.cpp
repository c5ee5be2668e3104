#include "actors/contracts/multisig_state.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace icto {

namespace {

constexpr size_t max_name = 64;
constexpr size_t max_memo = 32;
constexpr uint64_t default_page = 100;

error invalid(std::string text) {
  return make_error(contract_errc::invalid_argument, std::move(text));
}

bool contains(const std::vector<principal>& xs, const principal& p) {
  return std::find(xs.begin(), xs.end(), p) != xs.end();
}

result<unit> require_owner(const multisig_state& st, const principal& who,
                           const char* what) {
  if (who != st.owner)
    return make_error(contract_errc::unauthorized,
                      std::string{what} + ": only the owner "
                          + st.owner.to_text() + " may call it, not "
                          + who.to_text());
  return unit{};
}

result<unit> require_signer(const multisig_state& st, const principal& who,
                            const char* what) {
  if (!is_signer(st, who))
    return make_error(contract_errc::unauthorized, std::string{what} + ": "
                                                       + who.to_text()
                                                       + " is not a signer");
  return unit{};
}

bool is_open(multisig_proposal_status s) {
  return s == multisig_proposal_status::pending
         || s == multisig_proposal_status::approved;
}

bool expired_at(const multisig_proposal& p, timestamp now) {
  return is_open(p.status) && now >= p.expires_at;
}

/// pending or approved by the number of approvals.
void grade(const multisig_state& st, multisig_proposal& p) {
  if (is_open(p.status))
    p.status = p.approvals.size() >= st.threshold
                   ? multisig_proposal_status::approved
                   : multisig_proposal_status::pending;
}

/// Re-grades every open proposal (after the signers or threshold changed),
/// dropping the approvals of principals that are no longer signers.
void regrade_open(multisig_state& st) {
  auto props = st.proposals;
  st.proposals.for_each([&](uint64_t id, const multisig_proposal& p) {
    if (!is_open(p.status))
      return;
    auto q = p;
    auto& ap = q.approvals;
    ap.erase(std::remove_if(ap.begin(), ap.end(),
                            [&](const principal& a) {
                              return !is_signer(st, a);
                            }),
             ap.end());
    grade(st, q);
    if (q != p)
      props = props.insert(id, std::move(q));
  });
  st.proposals = std::move(props);
}

result<multisig_proposal> find_open(multisig_state& st, uint64_t id,
                                    timestamp now) {
  const auto* p = st.proposals.find(id);
  if (!p)
    return make_error(contract_errc::not_found,
                      "no proposal " + std::to_string(id));
  if (expired_at(*p, now)) {
    auto q = *p;
    q.status = multisig_proposal_status::expired;
    st.proposals = st.proposals.insert(id, q);
    return make_error(contract_errc::invalid_state,
                      "proposal " + std::to_string(id) + " expired");
  }
  if (!is_open(p->status))
    return make_error(contract_errc::invalid_state,
                      "proposal " + std::to_string(id) + " is "
                          + std::string{to_string(p->status)});
  return *p;
}

result<unit> check_account(const account& a, const char* field) {
  if (a.subaccount && a.subaccount->size() != 32)
    return invalid(std::string{field} + ".subaccount: must be 32 bytes");
  return unit{};
}

version_table<multisig_state> make_versions() {
  version_table<multisig_state> t;
  t.steps.push_back({semver{1, 0, 0},
                     "multisig wallet: signers, threshold, observers, "
                     "transfer proposals",
                     "initial",
                     {},
                     {}});
  t.check = [](const multisig_state& st, const semver&) {
    return check_multisig_state(st);
  };
  return t;
}

} // namespace

result<unit> validate_multisig_init(const multisig_init& init) {
  if (init.name.empty() || init.name.size() > max_name)
    return invalid("name: must be 1 to " + std::to_string(max_name)
                   + " bytes, got " + std::to_string(init.name.size()));
  if (init.signers.empty() || init.signers.size() > multisig_max_signers)
    return invalid("signers: must be 1 to "
                   + std::to_string(multisig_max_signers) + ", got "
                   + std::to_string(init.signers.size()));
  std::set<principal> seen;
  for (const auto& s : init.signers) {
    if (s.is_anonymous())
      return invalid("signers: the anonymous principal cannot sign");
    if (!seen.insert(s).second)
      return invalid("signers: " + s.to_text() + " appears twice");
  }
  if (init.threshold < 1 || init.threshold > init.signers.size())
    return invalid("threshold: must be 1 to "
                   + std::to_string(init.signers.size()) + ", got "
                   + std::to_string(init.threshold));
  if (init.observers.size() > multisig_max_observers)
    return invalid("observers: at most "
                   + std::to_string(multisig_max_observers));
  std::set<principal> obs;
  for (const auto& o : init.observers) {
    if (seen.count(o))
      return invalid("observers: " + o.to_text() + " is a signer");
    if (!obs.insert(o).second)
      return invalid("observers: " + o.to_text() + " appears twice");
  }
  return unit{};
}

multisig_state make_multisig_state(const multisig_init& init,
                                   const principal& wallet,
                                   const principal& owner) {
  multisig_state st;
  st.name = init.name;
  st.wallet = wallet;
  st.owner = owner;
  st.signers = init.signers;
  st.observers = init.observers;
  st.threshold = init.threshold;
  return st;
}

const version_table<multisig_state>& multisig_versions() {
  static const auto table = make_versions();
  return table;
}

result<unit> check_multisig_state(const multisig_state& st) {
  auto bad = [](std::string text) {
    return make_error(contract_errc::invalid_state, std::move(text));
  };
  if (st.signers.empty())
    return bad("no signers");
  if (st.threshold < 1 || st.threshold > st.signers.size())
    return bad("threshold " + std::to_string(st.threshold) + " with "
               + std::to_string(st.signers.size()) + " signers");
  std::set<principal> s(st.signers.begin(), st.signers.end());
  if (s.size() != st.signers.size())
    return bad("a signer appears twice");
  std::set<principal> o(st.observers.begin(), st.observers.end());
  if (o.size() != st.observers.size())
    return bad("an observer appears twice");
  for (const auto& x : st.observers)
    if (s.count(x))
      return bad("observer " + x.to_text() + " is a signer");
  std::string err;
  st.proposals.for_each([&](uint64_t id, const multisig_proposal& p) {
    if (!err.empty())
      return;
    if (id == 0 || id >= st.next_proposal || p.id != id)
      err = "proposal " + std::to_string(id) + " has a bad id";
    else if (is_open(p.status)
             && (p.approvals.size() >= st.threshold)
                    != (p.status == multisig_proposal_status::approved))
      err = "proposal " + std::to_string(id) + " is graded wrong";
  });
  if (!err.empty())
    return bad(err);
  bool stray = false;
  st.executing.for_each([&](uint64_t id, trie_unit) {
    stray = stray || !st.proposals.contains(id);
  });
  if (stray)
    return bad("an execution of an unknown proposal is in flight");
  return unit{};
}

bool is_signer(const multisig_state& st, const principal& p) {
  return contains(st.signers, p);
}

bool is_observer(const multisig_state& st, const principal& p) {
  return contains(st.observers, p);
}

// -- the owner's changes ------------------------------------------------------

result<unit> add_signer(multisig_state& st, const principal& who,
                        const add_signer_arg& arg) {
  if (auto ok = require_owner(st, who, "addSigner"); !ok)
    return ok;
  if (arg.signer.is_anonymous())
    return invalid("signer: the anonymous principal cannot sign");
  if (is_signer(st, arg.signer))
    return make_error(contract_errc::already_done,
                      "signer: " + arg.signer.to_text() + " is a signer");
  if (is_observer(st, arg.signer))
    return invalid("signer: " + arg.signer.to_text()
                   + " is an observer; remove it first");
  if (st.signers.size() >= multisig_max_signers)
    return invalid("signer: the wallet has the most signers allowed ("
                   + std::to_string(multisig_max_signers) + ")");
  st.signers.push_back(arg.signer);
  return unit{};
}

result<unit> remove_signer(multisig_state& st, const principal& who,
                           const remove_signer_arg& arg) {
  if (auto ok = require_owner(st, who, "removeSigner"); !ok)
    return ok;
  if (!is_signer(st, arg.signer))
    return make_error(contract_errc::not_found,
                      "signer: " + arg.signer.to_text() + " is not a signer");
  if (st.signers.size() - 1 < st.threshold)
    return make_error(contract_errc::invalid_state,
                      "signer: removing it would leave "
                          + std::to_string(st.signers.size() - 1)
                          + " signers for a threshold of "
                          + std::to_string(st.threshold));
  st.signers.erase(std::find(st.signers.begin(), st.signers.end(), arg.signer));
  regrade_open(st);
  return unit{};
}

result<unit> add_observer(multisig_state& st, const principal& who,
                          const add_observer_arg& arg) {
  if (auto ok = require_owner(st, who, "addObserver"); !ok)
    return ok;
  if (is_observer(st, arg.observer))
    return make_error(contract_errc::already_done,
                      "observer: " + arg.observer.to_text()
                          + " is an observer");
  if (is_signer(st, arg.observer))
    return invalid("observer: " + arg.observer.to_text() + " is a signer");
  if (st.observers.size() >= multisig_max_observers)
    return invalid("observer: the wallet has the most observers allowed ("
                   + std::to_string(multisig_max_observers) + ")");
  st.observers.push_back(arg.observer);
  return unit{};
}

result<unit> remove_observer(multisig_state& st, const principal& who,
                             const remove_observer_arg& arg) {
  if (auto ok = require_owner(st, who, "removeObserver"); !ok)
    return ok;
  auto it = std::find(st.observers.begin(), st.observers.end(), arg.observer);
  if (it == st.observers.end())
    return make_error(contract_errc::not_found,
                      "observer: " + arg.observer.to_text()
                          + " is not an observer");
  st.observers.erase(it);
  return unit{};
}

result<unit> set_threshold(multisig_state& st, const principal& who,
                           const set_threshold_arg& arg) {
  if (auto ok = require_owner(st, who, "setThreshold"); !ok)
    return ok;
  if (arg.threshold < 1 || arg.threshold > st.signers.size())
    return invalid("threshold: must be 1 to "
                   + std::to_string(st.signers.size()) + ", got "
                   + std::to_string(arg.threshold));
  st.threshold = arg.threshold;
  regrade_open(st);
  return unit{};
}

// -- proposals ----------------------------------------------------------------

result<uint64_t> propose_transfer(multisig_state& st, const principal& who,
                                  const propose_transfer_arg& arg,
                                  timestamp now) {
  if (auto ok = require_signer(st, who, "proposeTransfer"); !ok)
    return ok.err();
  if (arg.amount == 0)
    return invalid("amount: must be above 0");
  if (auto ok = check_account(arg.to, "to"); !ok)
    return ok.err();
  if (arg.to.owner == st.wallet)
    return invalid("to: the wallet cannot pay itself");
  if (arg.memo && arg.memo->size() > max_memo)
    return invalid("memo: at most " + std::to_string(max_memo) + " bytes");
  if (arg.description.size() > multisig_max_description)
    return invalid("description: at most "
                   + std::to_string(multisig_max_description) + " bytes");
  multisig_proposal p;
  p.id = st.next_proposal++;
  p.proposer = who;
  p.to = arg.to;
  p.amount = arg.amount;
  p.memo = arg.memo;
  p.description = arg.description;
  p.created_at = now;
  p.expires_at = now
                 + static_cast<timestamp>(
                     std::chrono::duration_cast<std::chrono::nanoseconds>(
                         multisig_proposal_ttl)
                         .count());
  p.approvals = {who};
  grade(st, p);
  st.proposals = st.proposals.insert(p.id, p);
  return p.id;
}

result<multisig_proposal> approve_proposal(multisig_state& st,
                                           const principal& who, uint64_t id,
                                           timestamp now) {
  if (auto ok = require_signer(st, who, "approveProposal"); !ok)
    return ok.err();
  auto p = find_open(st, id, now);
  if (!p)
    return p;
  if (contains(p->approvals, who))
    return make_error(contract_errc::already_done,
                      who.to_text() + " approved proposal " + std::to_string(id)
                          + " already");
  p->approvals.push_back(who);
  grade(st, *p);
  st.proposals = st.proposals.insert(id, *p);
  return p;
}

result<transfer_arg> begin_execute(multisig_state& st, const principal& who,
                                   uint64_t id, timestamp now) {
  if (auto ok = require_signer(st, who, "executeProposal"); !ok)
    return ok.err();
  if (st.executing.contains(id))
    return make_error(contract_errc::invalid_state,
                      "proposal " + std::to_string(id) + " is being executed");
  auto p = find_open(st, id, now);
  if (!p)
    return p.err();
  if (p->status != multisig_proposal_status::approved)
    return make_error(contract_errc::invalid_state,
                      "proposal " + std::to_string(id) + " has "
                          + std::to_string(p->approvals.size())
                          + " approvals of " + std::to_string(st.threshold));
  const auto* first = st.attempts.find(id);
  const timestamp stamp = first ? *first : now;
  st.attempts = st.attempts.insert(id, stamp);
  st.executing = st.executing.insert(id, trie_unit{});
  transfer_arg t;
  t.to = p->to;
  t.amount = p->amount;
  t.memo = p->memo;
  t.created_at_time = stamp;
  return t;
}

multisig_proposal finish_execute(multisig_state& st, uint64_t id,
                                 const result<uint64_t>& ledger_reply,
                                 timestamp now) {
  st.executing = st.executing.erase(id);
  auto p = *st.proposals.find(id);
  if (ledger_reply) {
    p.status = multisig_proposal_status::executed;
    p.executed_at = now;
    p.block_index = *ledger_reply;
  } else if (is(ledger_reply.err(), ledger_errc::duplicate)) {
    p.status = multisig_proposal_status::executed;
    p.executed_at = now;
    p.block_index = ledger_reply.err().detail;
  } else if (ledger_reply.err().domain == error_domain::system) {
    // No answer: the outcome is unknown, the retry is deduplicated.
    grade(st, p);
  } else {
    p.status = multisig_proposal_status::failed;
    p.failure = ledger_reply.err().to_string();
  }
  if (!is_open(p.status))
    st.attempts = st.attempts.erase(id);
  st.proposals = st.proposals.insert(id, p);
  return p;
}

// -- queries ------------------------------------------------------------------

result<unit> require_viewer(const multisig_state& st, const principal& who,
                            bool is_public) {
  if (is_public || who == st.owner || is_signer(st, who)
      || is_observer(st, who))
    return unit{};
  return make_error(contract_errc::unauthorized,
                    "the wallet is private: only its owner, signers and "
                    "observers may read it, not "
                        + who.to_text());
}

wallet_info wallet_info_of(const multisig_state& st, bool is_public,
                           timestamp now) {
  wallet_info out;
  out.name = st.name;
  out.owner = st.owner;
  out.signers = st.signers;
  out.observers = st.observers;
  out.threshold = st.threshold;
  out.is_public = is_public;
  out.proposals = st.proposals.size();
  st.proposals.for_each([&](uint64_t, const multisig_proposal& p) {
    if (is_open(p.status) && !expired_at(p, now))
      ++out.open_proposals;
  });
  return out;
}

result<multisig_proposal> proposal_of(const multisig_state& st, uint64_t id,
                                      timestamp now) {
  const auto* p = st.proposals.find(id);
  if (!p)
    return make_error(contract_errc::not_found,
                      "no proposal " + std::to_string(id));
  auto out = *p;
  if (expired_at(out, now))
    out.status = multisig_proposal_status::expired;
  return out;
}

multisig_proposal_page proposals_of(const multisig_state& st,
                                    const multisig_proposals_arg& arg,
                                    timestamp now) {
  const auto limit = page_limit(arg.page, default_page);
  multisig_proposal_page out;
  for (uint64_t id = st.next_proposal; id-- > 1;) {
    auto p = proposal_of(st, id, now);
    if (!p || (arg.status && p->status != *arg.status))
      continue;
    if (out.total >= arg.page.offset && out.proposals.size() < limit)
      out.proposals.push_back(std::move(*p));
    ++out.total;
  }
  return out;
}

} // namespace icto
