// Contract checkpoints: Boost.Serialization of the five contract states in a
// contract_checkpoint. Round trips of populated states, every truncation
// refused, newer class versions refused, broken states refused on load.

#include "actors/contracts/contract_state_serialization.hpp"
#include "persistence/checkpoint_archive.hpp"
#include "tests/actors/contracts/contract_test_util.hpp"

#include <boost/archive/binary_oarchive.hpp>
#include <boost/archive/text_iarchive.hpp>
#include <boost/archive/text_oarchive.hpp>
#include <boost/mpl/int.hpp>
#include <boost/mpl/integral_c_tag.hpp>
#include <boost/serialization/serialization.hpp>
#include <boost/serialization/version.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <utility>

namespace icto::contract_test {
namespace {

/// Saved exactly as a T, but with class version 2 (a newer build's).
template <class T>
struct newer {
  T value;
};

} // namespace
} // namespace icto::contract_test

namespace boost::serialization {

template <class T>
struct version<icto::contract_test::newer<T>> {
  using type = mpl::int_<2>;
  using tag = mpl::integral_c_tag;
  BOOST_STATIC_CONSTANT(int, value = type::value);
};

template <class Archive, class T>
void serialize(Archive& ar, icto::contract_test::newer<T>& x, unsigned) {
  serialize_adl(ar, x.value, 1);
}

} // namespace boost::serialization

namespace icto::contract_test {
namespace {

using namespace std::chrono_literals;

template <class S>
using checkpoint = contract_checkpoint<S>;

template <class S>
checkpoint<S>
checkpoint_of(contract_kind kind, S st, semver version = {1, 0, 0}) {
  checkpoint<S> out;
  out.core = make_contract_core(kind, contract_id, owner, factory_id, version,
                                t0, /*is_public=*/true, "active");
  out.state = std::move(st);
  out.callbacks.sent = 9;
  out.callbacks.accepted = 6;
  out.callbacks.failed = 2;
  out.callbacks.last_failure = "notifyRoleAdded: timeout";
  return out;
}

template <class T>
result<T> round_trip(const T& x) {
  return load_checkpoint<T>(save_checkpoint(x), "contract");
}

/// Refused with a storage_failure whose message contains `needle`.
template <class T>
void expect_refused(const std::string& bytes, const std::string& needle) {
  auto r = load_checkpoint<T>(bytes, "contract");
  ASSERT_FALSE(r) << "loaded a checkpoint that must be refused (" << needle
                  << ")";
  EXPECT_TRUE(is(r.err(), system_errc::storage_failure));
  EXPECT_NE(r.err().message.find(needle), std::string::npos) << r.err().message;
}

/// Every proper prefix of the checkpoint of `x` is refused.
template <class T>
void expect_every_cut_refused(const T& x) {
  const auto bytes = save_checkpoint(x);
  ASSERT_GT(bytes.size(), 100u);
  ASSERT_TRUE(load_checkpoint<T>(bytes, "contract"));
  size_t loaded = 0;
  for (size_t cut = 0; cut < bytes.size(); ++cut)
    if (load_checkpoint<T>(std::string_view{bytes}.substr(0, cut), "contract"))
      ++loaded;
  EXPECT_EQ(loaded, 0u) << "of " << bytes.size() << " cuts";
}

/// `x` saved with a newer class version is refused.
template <class T>
void expect_newer_refused(const T& x) {
  expect_refused<T>(save_checkpoint(newer<T>{x}), "class version");
}

// -- populated states, built with each kind's own functions -------------------

transfer_arg xfer(account to, tokens amount,
                  std::optional<blob> from_sub = std::nullopt) {
  transfer_arg a;
  a.from_subaccount = std::move(from_sub);
  a.to = std::move(to);
  a.amount = amount;
  return a;
}

/// Version 1.2.0 (max_supply and tx_counts set): transfers between
/// principals and subaccounts, a deduplicated transfer with a memo, a mint,
/// burns, an allowance-free ledger with several holders.
checkpoint<token_state> busy_token() {
  token_init init;
  init.name = "Test Token";
  init.symbol = "TT";
  init.decimals = 8;
  init.fee = 100;
  init.initial_supply = 1'000'000;
  init.logo = "https://example.org/tt.png";
  const semver v{1, 2, 0};
  auto st = make_token_state(init, contract_id, owner, v, t0).value();
  auto ok = [&](result<ledger_event> ev) {
    EXPECT_TRUE(ev) << ev.err().to_string();
    if (ev)
      apply_token(st, *ev);
  };
  ok(decide_transfer(st, owner, xfer(acc(alice), 10'000), t0 + 1));
  ok(decide_transfer(st, alice, xfer(acc(alice, sub(1)), 900), t0 + 2));
  ok(decide_transfer(st, alice, xfer(acc(bob), 800, sub(1)), t0 + 3));
  auto dedup = xfer(acc(carol, sub(7)), 1'234);
  dedup.memo = blob{1, 2, 3, 4};
  dedup.created_at_time = t0 + 4;
  ok(decide_transfer(st, owner, dedup, t0 + 4));
  ok(decide_mint(st, owner, token_mint_arg{acc(stranger), 5'000, blob{9}},
                 t0 + 5));
  ok(decide_burn(st, owner, token_burn_arg{std::nullopt, 400, std::nullopt},
                 t0 + 6));
  ok(decide_transfer(st, bob, xfer(acc(contract_id), 300), t0 + 7));
  EXPECT_GE(st.holders.size(), 5u);
  EXPECT_TRUE(st.max_supply);
  EXPECT_TRUE(st.tx_counts && !st.tx_counts->empty());
  EXPECT_TRUE(check_token_state(st, v));
  return checkpoint_of(contract_kind::token, std::move(st), v);
}

propose_transfer_arg pay(tokens amount, principal to = stranger) {
  propose_transfer_arg a;
  a.to = acc(to);
  a.amount = amount;
  a.description = "pay " + std::to_string(amount);
  return a;
}

/// Signers alice, bob, carol (threshold 2), an observer; proposals
/// executed, failed, in flight (with its first attempt), pending, expired.
checkpoint<multisig_state> busy_multisig() {
  multisig_init init;
  init.name = "Team wallet";
  init.signers = {alice, bob, carol};
  init.threshold = 2;
  auto st = make_multisig_state(init, contract_id, owner);
  EXPECT_TRUE(add_observer(st, owner, add_observer_arg{stranger}));
  auto with_memo = pay(10, user_n(20));
  with_memo.memo = blob{7, 7};
  with_memo.to.subaccount = sub(3);
  EXPECT_TRUE(propose_transfer(st, alice, with_memo, t0));
  EXPECT_TRUE(approve_proposal(st, bob, 1, t0 + 1));
  EXPECT_TRUE(begin_execute(st, carol, 1, t0 + 2));
  finish_execute(st, 1, result<uint64_t>{uint64_t{42}}, t0 + 3);
  EXPECT_TRUE(propose_transfer(st, bob, pay(20), t0 + 4));
  EXPECT_TRUE(approve_proposal(st, carol, 2, t0 + 5));
  EXPECT_TRUE(begin_execute(st, alice, 2, t0 + 6));
  finish_execute(st, 2, make_error(ledger_errc::insufficient_funds, "poor", 0),
                 t0 + 7);
  EXPECT_TRUE(propose_transfer(st, alice, pay(30), t0 + 8));
  EXPECT_TRUE(approve_proposal(st, bob, 3, t0 + 9));
  EXPECT_TRUE(begin_execute(st, bob, 3, t0 + 10));            // in flight
  EXPECT_TRUE(propose_transfer(st, carol, pay(40), t0 + 11)); // pending
  EXPECT_TRUE(propose_transfer(st, carol, pay(50), t0));      // will expire
  EXPECT_FALSE(approve_proposal(st, alice, 5, t0 + ns(multisig_proposal_ttl)));
  EXPECT_FALSE(st.executing.empty());
  EXPECT_FALSE(st.attempts.empty());
  EXPECT_TRUE(check_multisig_state(st));
  return checkpoint_of(contract_kind::multisig, std::move(st));
}

constexpr uint64_t day = 24 * 3600;

timestamp vesting_day(double d) {
  return t0 + ns(24h) + static_cast<timestamp>(d * day * 1e9);
}

/// Three recipients, active, one claim paid and one in flight.
checkpoint<distribution_state> busy_distribution() {
  distribution_init init;
  init.name = "Seed round";
  init.token = principal::canister_id(500);
  init.recipients = {{alice, 1000}, {bob, 3000}};
  init.start_time = t0 + ns(24h);
  init.cliff_seconds = 10 * day;
  init.vesting_seconds = 100 * day;
  auto st = make_distribution_state(init, owner);
  EXPECT_TRUE(add_recipient(st, owner, {carol, 500}));
  EXPECT_TRUE(activate(st, owner, t0 + 1));
  auto paid = reserve_claim(st, alice, vesting_day(50));
  EXPECT_TRUE(paid);
  settle_claim(st, paid->seq);
  EXPECT_TRUE(reserve_claim(st, bob, vesting_day(60))); // in flight: seq 2
  EXPECT_EQ(st.pending.size(), 1u);
  EXPECT_EQ(st.next_claim, 3u);
  EXPECT_EQ(check_invariants(st), "");
  return checkpoint_of(contract_kind::distribution, std::move(st));
}

/// A cancelled one (the reason is an optional).
checkpoint<distribution_state> cancelled_distribution() {
  distribution_init init;
  init.name = "Cancelled";
  init.token = principal::canister_id(501);
  init.recipients = {{alice, 10}};
  auto st = make_distribution_state(init, owner);
  EXPECT_TRUE(cancel(st, owner, "wrong token"));
  return checkpoint_of(contract_kind::distribution, std::move(st));
}

constexpr uint64_t period = 3 * 24 * 3600;
const timestamp after_vote = t0 + ns(std::chrono::seconds{period});

dao_create_proposal_arg proposal(dao_action action = dao_action::text,
                                 dao_action_params params = {}) {
  dao_create_proposal_arg a;
  a.title = "Proposal";
  a.description = "See the forum.";
  a.action = action;
  a.params = std::move(params);
  return a;
}

void vote(dao_state& st, const principal& who, uint64_t id,
          dao_vote_choice choice) {
  auto r = cast_vote(st, who, dao_vote_arg{id, choice}, t0 + 1);
  EXPECT_TRUE(r) << r.err().to_string();
}

/// Members (one added by the owner, one by a proposal), proposals executed,
/// failed, rejected, open with ballots, and a transfer awaiting the ledger.
checkpoint<dao_state> busy_dao() {
  dao_init init;
  init.name = "Builders";
  init.members = {{alice, 60}, {bob, 30}, {carol, 10}};
  init.quorum_bps = 5000;
  init.approval_threshold_bps = 6000;
  init.voting_period_seconds = period;
  auto st = make_dao_state(init, owner);
  EXPECT_TRUE(add_member(st, owner, {user_n(30), 5}));
  auto passed = [&](dao_create_proposal_arg arg) {
    auto id = create_proposal(st, alice, arg, t0);
    EXPECT_TRUE(id) << (id ? "" : id.err().to_string());
    vote(st, alice, *id, dao_vote_choice::yes);
    vote(st, bob, *id, dao_vote_choice::yes);
    return *id;
  };
  dao_action_params add;
  add.member = stranger;
  add.voting_power = 50;
  const auto a = passed(proposal(dao_action::add_member, add));
  dao_action_params again = add; // fails: stranger is a member by then
  const auto b = passed(proposal(dao_action::add_member, again));
  dao_action_params money;
  money.to = acc(user_n(40), sub(2));
  money.amount = 77;
  const auto c = passed(proposal(dao_action::transfer, money));
  auto rejected = create_proposal(st, carol, proposal(), t0);
  EXPECT_TRUE(rejected);
  vote(st, bob, *rejected, dao_vote_choice::no);
  EXPECT_TRUE(execute_proposal(st, bob, a, after_vote));
  EXPECT_TRUE(execute_proposal(st, bob, b, after_vote));
  EXPECT_TRUE(execute_proposal(st, bob, c, after_vote));
  EXPECT_TRUE(awaits_transfer(st, c));
  auto open = create_proposal(st, alice, proposal(), after_vote);
  EXPECT_TRUE(open);
  EXPECT_TRUE(cast_vote(st, stranger, dao_vote_arg{*open, dao_vote_choice::no},
                        after_vote + 1));
  EXPECT_EQ(proposal_of(st, b, after_vote)->status,
            dao_proposal_status::failed);
  EXPECT_EQ(check_invariants(st), "");
  return checkpoint_of(contract_kind::dao, std::move(st));
}

const timestamp sale_start = t0 + ns(1h);
const timestamp sale_end = t0 + ns(25h);
const timestamp during = t0 + ns(2h);

launchpad_init sale_init() {
  launchpad_init init;
  init.name = "Rocket";
  init.sale_token = principal::canister_id(600);
  init.price_e8s = 50'000'000;
  init.soft_cap = 1000;
  init.hard_cap = 3000;
  init.min_contribution = 100;
  init.max_contribution = 2000;
  init.start_time = sale_start;
  init.end_time = sale_end;
  init.is_public = true;
  return init;
}

void contribute(launchpad_state& st, const principal& who, tokens x) {
  contribute_arg arg;
  arg.amount = x;
  auto r = reserve_contribution(st, who, arg, during);
  EXPECT_TRUE(r) << r.err().to_string();
  auto f = finish_contribution(st, *r, result<uint64_t>{*r + 50}, during);
  EXPECT_TRUE(f && f->confirmed);
}

/// A failed sale, refunded: one refund paid, one refused, one without an
/// answer (kept), a claimed refund in flight.
checkpoint<launchpad_state> busy_launchpad() {
  auto st = make_launchpad_state(sale_init(), owner);
  contribute(st, alice, 300);
  contribute(st, bob, 200);
  contribute(st, alice, 150);
  contribute(st, carol, 100);
  EXPECT_TRUE(begin_finalize(st, owner, sale_end));
  finalize_fee(st, result<tokens>{10}, sale_end);
  const result<uint64_t> answers[]
      = {result<uint64_t>{11},
         result<uint64_t>{make_error(ledger_errc::insufficient_funds, "no")},
         result<uint64_t>{make_error(system_errc::timeout, "ledger down")}};
  for (const auto& answer : answers) {
    auto n = next_refund(st);
    EXPECT_TRUE(n);
    auto s = begin_refund(st, n->contributor, sale_end);
    EXPECT_TRUE(s && s->transfer);
    EXPECT_TRUE(finish_refund(st, *s->transfer, answer, sale_end));
  }
  end_finalize(st, sale_status::refunded, std::nullopt, sale_end + 1);
  EXPECT_EQ(st.refunds.size(), 3u);
  EXPECT_EQ(st.transfers.size(), 1u) << "the unanswered refund";
  // The refused one claims again: in flight.
  auto failed = st.refunds.find(1)->contributor;
  auto claim = begin_claim_refund(st, failed, sale_end + 2);
  EXPECT_TRUE(claim && claim->transfer);
  EXPECT_EQ(st.transfers.size(), 2u);
  EXPECT_EQ(check_invariants(st), "");
  return checkpoint_of(contract_kind::launchpad, std::move(st));
}

/// An open sale with a contribution waiting for the ledger.
checkpoint<launchpad_state> open_launchpad() {
  auto st = make_launchpad_state(sale_init(), owner);
  contribute(st, alice, 300);
  contribute_arg arg;
  arg.amount = 500;
  arg.from_subaccount = sub(4);
  EXPECT_TRUE(reserve_contribution(st, bob, arg, during));
  EXPECT_EQ(st.pending_contributions, 1u);
  EXPECT_EQ(check_invariants(st), "");
  return checkpoint_of(contract_kind::launchpad, std::move(st));
}

// -- round trips --------------------------------------------------------------

TEST(contract_serialization, token_round_trips_and_goes_on_alike) {
  const auto x = busy_token();
  auto back = round_trip(x);
  ASSERT_TRUE(back) << back.err().message;
  EXPECT_EQ(*back, x);
  // The loaded token decides and applies as the original.
  auto orig = x.state;
  auto copy = back->state;
  auto arg = xfer(acc(bob), 50);
  arg.created_at_time = t0 + 4; // a new transaction, not a duplicate
  auto a = decide_transfer(orig, alice, arg, t0 + 8);
  auto b = decide_transfer(copy, alice, arg, t0 + 8);
  ASSERT_TRUE(a);
  ASSERT_EQ(a, b);
  apply_token(orig, *a);
  apply_token(copy, *b);
  EXPECT_EQ(copy, orig);
  EXPECT_EQ(tx_count_of(copy, alice), tx_count_of(orig, alice));
  // The deduplicated transfer stays a duplicate after the load.
  auto dup = xfer(acc(carol, sub(7)), 1'234);
  dup.memo = blob{1, 2, 3, 4};
  dup.created_at_time = t0 + 4;
  auto d = decide_transfer(copy, owner, dup, t0 + 9);
  ASSERT_FALSE(d);
  EXPECT_TRUE(is(d.err(), ledger_errc::duplicate)) << d.err().to_string();
}

TEST(contract_serialization, multisig_round_trips_and_goes_on_alike) {
  const auto x = busy_multisig();
  auto back = round_trip(x);
  ASSERT_TRUE(back) << back.err().message;
  EXPECT_EQ(*back, x);
  const auto p1 = back->state.proposals.find(1);
  ASSERT_NE(p1, nullptr);
  EXPECT_EQ(p1->memo, (blob{7, 7}));
  EXPECT_EQ(p1->block_index, 42u);
  EXPECT_TRUE(back->state.proposals.find(2)->failure);
  // The transfer in flight finishes on the loaded wallet as on the original.
  auto orig = x.state;
  auto copy = back->state;
  EXPECT_EQ(finish_execute(copy, 3, result<uint64_t>{uint64_t{43}}, t0 + 20),
            finish_execute(orig, 3, result<uint64_t>{uint64_t{43}}, t0 + 20));
  EXPECT_EQ(copy, orig);
}

TEST(contract_serialization, distribution_round_trips_and_goes_on_alike) {
  for (const auto& x : {busy_distribution(), cancelled_distribution()}) {
    auto back = round_trip(x);
    ASSERT_TRUE(back) << back.err().message;
    EXPECT_EQ(*back, x);
  }
  const auto x = busy_distribution();
  auto copy = round_trip(x).value().state;
  auto orig = x.state;
  // Bob's claim in flight rebuilds the same transfer from the loaded state.
  EXPECT_EQ(claim_transfer(copy, 2).value(), claim_transfer(orig, 2).value());
  settle_claim(copy, 2);
  settle_claim(orig, 2);
  EXPECT_EQ(reserve_claim(copy, carol, vesting_day(70)),
            reserve_claim(orig, carol, vesting_day(70)));
  EXPECT_EQ(copy, orig);
  EXPECT_EQ(cancelled_distribution().state.cancel_reason,
            round_trip(cancelled_distribution())->state.cancel_reason);
}

TEST(contract_serialization, dao_round_trips_and_goes_on_alike) {
  const auto x = busy_dao();
  auto back = round_trip(x);
  ASSERT_TRUE(back) << back.err().message;
  EXPECT_EQ(*back, x);
  auto orig = x.state;
  auto copy = back->state;
  const auto transfer_id = uint64_t{3};
  ASSERT_TRUE(awaits_transfer(copy, transfer_id));
  // The transfer in flight is rebuilt the same from the loaded state.
  EXPECT_EQ(transfer_of(copy, transfer_id), transfer_of(orig, transfer_id));
  EXPECT_EQ(transfer_of(copy, transfer_id).created_at_time, after_vote);
  EXPECT_EQ(
      settle_transfer(copy, transfer_id, after_vote + 5, result<uint64_t>{8}),
      settle_transfer(orig, transfer_id, after_vote + 5, result<uint64_t>{8}));
  EXPECT_EQ(copy, orig);
  EXPECT_EQ(copy.proposals.find(transfer_id)->transfer_block, 8u);
  // A settled transfer (its time and block) round-trips too.
  auto settled = x;
  settled.state = orig;
  EXPECT_EQ(round_trip(settled).value(), settled);
  EXPECT_EQ(proposal_of(copy, 5, after_vote + 6),
            proposal_of(orig, 5, after_vote + 6));
}

TEST(contract_serialization, launchpad_round_trips_and_goes_on_alike) {
  for (const auto& x : {busy_launchpad(), open_launchpad()}) {
    auto back = round_trip(x);
    ASSERT_TRUE(back) << back.err().message;
    EXPECT_EQ(*back, x);
  }
  const auto x = busy_launchpad();
  auto copy = round_trip(x).value().state;
  auto orig = x.state;
  // The claim in flight is rebuilt identically and finishes alike.
  const auto seq = transfers_in_flight(orig).at(0);
  EXPECT_EQ(payment_request(copy, seq).value(),
            payment_request(orig, seq).value());
  const auto who = orig.transfers.find(seq)->who;
  auto a = finish_refund(copy, seq, result<uint64_t>{12}, sale_end + 9);
  auto b = finish_refund(orig, seq, result<uint64_t>{12}, sale_end + 9);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->paid, b->paid);
  EXPECT_EQ(copy, orig);
  EXPECT_TRUE(contribution_of(copy, who).refunded);
  // So is the contribution in flight of the open sale.
  const auto open = open_launchpad();
  const auto back = round_trip(open).value().state;
  EXPECT_EQ(contribution_request(back, 1, contract_id).value(),
            contribution_request(open.state, 1, contract_id).value());
}

TEST(contract_serialization, fresh_states_and_text_archives_round_trip) {
  token_init init;
  init.name = "T";
  init.symbol = "T";
  init.initial_supply = 1;
  auto token = make_token_state(init, contract_id, owner, {1, 0, 0}, t0);
  ASSERT_TRUE(token);
  const auto fresh = checkpoint_of(contract_kind::token, *token);
  EXPECT_EQ(round_trip(fresh).value(), fresh);
  // A core without the factory (removed by the owner) and no callbacks.
  auto x = busy_dao();
  ASSERT_TRUE(remove_factory_controller(x.core, owner));
  x.callbacks = {};
  EXPECT_EQ(round_trip(x).value(), x);
  std::ostringstream out;
  {
    boost::archive::text_oarchive ar{out};
    ar << x;
  }
  std::istringstream in{out.str()};
  boost::archive::text_iarchive ar{in};
  checkpoint<dao_state> txt;
  ar >> txt;
  EXPECT_EQ(txt, x);
}

/// A small wallet: two signers, threshold 1, one approved proposal.
checkpoint<multisig_state> small_multisig() {
  multisig_init init;
  init.name = "W";
  init.signers = {alice, bob};
  init.threshold = 1;
  auto st = make_multisig_state(init, contract_id, owner);
  auto arg = pay(5, carol);
  arg.memo = blob{1};
  EXPECT_TRUE(propose_transfer(st, alice, arg, t0));
  return checkpoint_of(contract_kind::multisig, std::move(st));
}

/// small_multisig() saved by version 1 (Boost 1.74 binary archive, x86-64).
const char* const small_multisig_v1_hex
    = "160000000000000073657269616c697a6174696f6e3a3a61726368697665120004080408"
      "010000000001000000000100000000000000000a00000000000003e80101010000001d47"
      "be447e8bcf7227d8365b221f29cf95e2d9fd976c8536cb140f13d3020a00000000000000"
      "070101000100000001000000000000000000000000000000000200000000000000000000"
      "000a000000000000000701011d47be447e8bcf7227d8365b221f29cf95e2d9fd976c8536"
      "cb140f13d302010106000000000000006163746976650000faed51728618000100000001"
      "00000000000000570a00000000000003e801011d47be447e8bcf7227d8365b221f29cf95"
      "e2d9fd976c8536cb140f13d3020200000000000000000000001dc7d918fda4b81331fe38"
      "69fd9aad4bad554b953cdc3429b4a7683199021dbbc0e4c9aa57e8924f21c70492f86c43"
      "83d4b76b019070ddd43c32db020000000000000000000000000100000000010000000100"
      "0000000000000100000000000000000100000001000000000000001dc7d918fda4b81331"
      "fe3869fd9aad4bad554b953cdc3429b4a76831990200010000001dbbf74556729a5f38b3"
      "66617c7c7bc63d5942c7da14679c46858cc9040200050000000000000001010000000000"
      "000001050000000000000070617920350000faed51728618000023e76198881801000000"
      "0100000000000000000000001dc7d918fda4b81331fe3869fd9aad4bad554b953cdc3429"
      "b4a768319902000000020000000000000000010000000000000000000000000100000000"
      "000000000000000001000000090000000000000006000000000000000200000000000000"
      "18000000000000006e6f74696679526f6c6541646465643a2074696d656f7574";

std::string bytes_of(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

std::string hex_of(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

TEST(contract_serialization, loads_a_version_1_checkpoint) {
  const auto expected = small_multisig();
  auto back = load_checkpoint<checkpoint<multisig_state>>(
      bytes_of(small_multisig_v1_hex), "contract");
  ASSERT_TRUE(back) << back.err().message << "\nnow saved as "
                    << hex_of(save_checkpoint(expected));
  EXPECT_EQ(*back, expected);
  EXPECT_EQ(hex_of(save_checkpoint(expected)), small_multisig_v1_hex)
      << "the version-1 format changed: bump a class version";
}

// -- damage -------------------------------------------------------------------

TEST(contract_serialization, every_truncation_is_refused) {
  expect_every_cut_refused(busy_token());
  expect_every_cut_refused(busy_multisig());
  expect_every_cut_refused(busy_distribution());
  expect_every_cut_refused(busy_dao());
  expect_every_cut_refused(busy_launchpad());
}

TEST(contract_serialization, a_newer_class_version_is_refused) {
  const auto token = busy_token();
  const auto multisig = busy_multisig();
  const auto dist = busy_distribution();
  const auto dao = busy_dao();
  const auto sale = busy_launchpad();
  expect_newer_refused(token);
  expect_newer_refused(multisig);
  expect_newer_refused(dist);
  expect_newer_refused(dao);
  expect_newer_refused(sale);
  expect_newer_refused(token.core);
  expect_newer_refused(token.callbacks);
  expect_newer_refused(token.state);
  expect_newer_refused(multisig.state);
  expect_newer_refused(dist.state);
  expect_newer_refused(dao.state);
  expect_newer_refused(sale.state);
  expect_newer_refused(*dist.state.recipients.find(alice));
  expect_newer_refused(*dist.state.pending.find(2));
  expect_newer_refused(*dao.state.proposals.find(1));
  expect_newer_refused(*sale.state.contributors.find(alice));
  expect_newer_refused(*multisig.state.proposals.find(1));
  expect_newer_refused(dao.state.proposals.find(1)->proposal);
  expect_newer_refused(*sale.state.refunds.find(0));
  expect_newer_refused(
      *sale.state.transfers.find(transfers_in_flight(sale.state).at(0)));
  expect_newer_refused(sale.state.config);
  expect_newer_refused(token.core.version);
  expect_newer_refused(acc(alice, sub(1)));
}

// -- broken states ------------------------------------------------------------

template <class S, class Change>
void expect_broken_refused(checkpoint<S> x, Change change,
                           const std::string& needle) {
  change(x);
  expect_refused<checkpoint<S>>(save_checkpoint(x), needle);
}

TEST(contract_serialization, a_broken_token_is_refused) {
  const auto x = busy_token();
  expect_broken_refused(
      x,
      [](auto& c) {
        c.state.holders = c.state.holders.insert(alice, 1);
      },
      "holder index");
  expect_broken_refused(
      x,
      [](auto& c) {
        c.state.ledger.minted += 1;
      },
      "ledger_state");
  // The state of 1.2.0 under a core at 1.1.0: tx_counts is one too many.
  expect_broken_refused(
      x,
      [](auto& c) {
        c.core.version = semver{1, 1, 0};
      },
      "tx_counts present");
  // The state alone is checked too (at the version its fields imply).
  auto st = x.state;
  st.max_supply.reset();
  expect_refused<token_state>(save_checkpoint(st), "max_supply missing");
}

TEST(contract_serialization, a_broken_multisig_is_refused) {
  const auto x = busy_multisig();
  expect_broken_refused(
      x,
      [](auto& c) {
        c.state.threshold = 4;
      },
      "threshold");
  expect_broken_refused(
      x,
      [](auto& c) {
        auto p = *c.state.proposals.find(4);
        p.status = static_cast<multisig_proposal_status>(77);
        c.state.proposals = c.state.proposals.insert(4, p);
      },
      "multisig_proposal.status");
  expect_broken_refused(
      x,
      [](auto& c) {
        c.state.wallet = principal::canister_id(1001);
      },
      "wallet");
}

TEST(contract_serialization, a_broken_distribution_is_refused) {
  const auto x = busy_distribution();
  expect_broken_refused(
      x,
      [](auto& c) {
        c.state.total_claimed += 1;
      },
      "total_claimed");
  expect_broken_refused(
      x,
      [](auto& c) {
        c.state.status = static_cast<distribution_status>(9);
      },
      "distribution_state.status");
  expect_broken_refused(
      x,
      [](auto& c) {
        c.state.next_claim = 2;
      },
      "next_claim");
  expect_broken_refused(
      x,
      [](auto& c) {
        auto claim = *c.state.pending.find(2);
        claim.amount += 1;
        c.state.pending = c.state.pending.insert(2, claim);
      },
      "claims in flight of");
}

TEST(contract_serialization, a_broken_dao_is_refused) {
  const auto x = busy_dao();
  expect_broken_refused(
      x,
      [](auto& c) {
        c.state.total_voting_power += 1;
      },
      "total_voting_power");
  expect_broken_refused(
      x,
      [](auto& c) {
        auto r = *c.state.proposals.find(1);
        r.proposal.action = static_cast<dao_action>(99);
        c.state.proposals = c.state.proposals.insert(1, r);
      },
      "dao_proposal.action");
  expect_broken_refused(
      x,
      [](auto& c) {
        auto r = *c.state.proposals.find(5);
        r.proposal.yes_power += 1;
        c.state.proposals = c.state.proposals.insert(5, r);
      },
      "tally");
  expect_broken_refused(
      x,
      [](auto& c) {
        auto r = *c.state.proposals.find(3);
        r.transfer_created_at.reset();
        c.state.proposals = c.state.proposals.insert(3, r);
      },
      "cannot rebuild");
}

TEST(contract_serialization, a_broken_launchpad_is_refused) {
  const auto x = busy_launchpad();
  expect_broken_refused(
      x,
      [](auto& c) {
        c.state.raised += 1;
      },
      "raised");
  // A price of 0 would divide by zero in the invariant check.
  expect_broken_refused(
      x,
      [](auto& c) {
        c.state.config.price_e8s = 0;
      },
      "price_e8s");
  expect_broken_refused(
      x,
      [](auto& c) {
        c.state.settled = static_cast<sale_status>(42);
      },
      "launchpad_state.settled");
  expect_broken_refused(
      x,
      [](auto& c) {
        const auto seq = transfers_in_flight(c.state).at(0);
        auto t = *c.state.transfers.find(seq);
        t.kind = static_cast<launchpad_transfer_kind>(7);
        c.state.transfers = c.state.transfers.insert(seq, t);
      },
      "launchpad_transfer.kind");
  // A refund in flight whose contributor is not refunding.
  expect_broken_refused(
      x,
      [](auto& c) {
        const auto seq = transfers_in_flight(c.state).at(0);
        auto e = *c.state.contributors.find(c.state.transfers.find(seq)->who);
        e.refunding = false;
        c.state.contributors
            = c.state.contributors.insert(e.contribution.contributor, e);
      },
      "refund");
}

TEST(contract_serialization, a_core_that_disagrees_is_refused) {
  const auto x = busy_multisig();
  expect_broken_refused(
      x,
      [](auto& c) {
        c.core.kind = contract_kind::dao;
      },
      "a dao core over a multisig state");
  expect_broken_refused(
      x,
      [](auto& c) {
        c.core.kind = static_cast<contract_kind>(12);
      },
      "contract_core.kind");
  expect_broken_refused(
      x,
      [](auto& c) {
        c.core.version = semver{9, 9, 9};
      },
      "9.9.9 is not a code version");
  expect_broken_refused(
      x,
      [](auto& c) {
        c.core.owner = alice;
        c.core.controllers = {factory_id, alice};
      },
      "owner");
  expect_broken_refused(
      x,
      [](auto& c) {
        c.core.controllers = {factory_id, owner, alice};
      },
      "controllers");
  expect_broken_refused(
      x,
      [](auto& c) {
        c.callbacks.failed = 4;
      },
      "callback_stats");
}

} // namespace
} // namespace icto::contract_test
