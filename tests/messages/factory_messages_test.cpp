// The JSON a user types for the factories and the contracts, decoded through
// the method tables the way ingress does; the exact error for bad input; and
// the rules every interface keeps (distinct request types, callbacks that
// name their contract, internal access where only actors may call).

#include "messages/methods.hpp"
#include "messages/services.hpp"
#include "messages/type_name.hpp"

#include <caf/message.hpp>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <type_traits>

using namespace icto;

namespace {

const char* const user_text
    = "tkrkc-2wfba-vfc57-x4zni-n2bij-4j2to-kjskv-rq3kx-yosqd-u2bs5-hqe";

principal user() {
  return *principal::from_text(user_text);
}

/// The request a method builds from JSON text, as ingress builds it; `key`
/// is a service_id or a contract_kind.
template <class T, class Key>
result<T> request(Key key, std::string_view method, std::string_view text) {
  auto info = find_method(key, method);
  if (info == nullptr)
    return make_error(system_errc::unknown_method, std::string{method});
  auto args = json::value::parse(text, nullptr, false);
  if (args.is_discarded())
    return make_error(input_errc::bad_json, "not JSON");
  auto msg = info->make_request(caller{user()}, args);
  if (!msg)
    return msg.err();
  if (!msg->template match_elements<caller, T>())
    return make_error(system_errc::internal, "wrong request type");
  return msg->template get_as<T>(1);
}

template <class T, class = void>
struct names_contract : std::false_type {};

template <class T>
struct names_contract<T, std::void_t<decltype(&T::contract_id)>>
    : std::is_same<decltype(T::contract_id), principal> {};

template <class List>
std::set<std::string> request_types(List list) {
  std::set<std::string> names;
  size_t n = 0;
  for_each_method(list, [&](auto tag) {
    using m = typename decltype(tag)::type;
    names.insert(type_name<typename m::request>());
    ++n;
  });
  EXPECT_EQ(names.size(), n) << "two methods share a request type";
  return names;
}

} // namespace

TEST(factory_messages, get_my_contracts) {
  auto r = request<my_contracts_arg>(service_id::multisig_factory,
                                     "getMyContracts", R"({
    "user": "tkrkc-2wfba-vfc57-x4zni-n2bij-4j2to-kjskv-rq3kx-yosqd-u2bs5-hqe",
    "role": "signer",
    "page": {"limit": 20, "offset": 40}
  })");
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_EQ(r->user, user());
  EXPECT_EQ(r->role, contract_role::signer);
  EXPECT_EQ(r->page.limit, 20u);
  EXPECT_EQ(r->page.offset, 40u);
  // Without a role: every role.
  auto all
      = request<my_contracts_arg>(service_id::token_factory, "getMyContracts",
                                  R"({"user": "rdmx6-jaaaa-aaaaa-aaadq-cai",
          "page": {"limit": 10, "offset": 0}})");
  ASSERT_TRUE(all.ok()) << all.err().to_string();
  EXPECT_EQ(all->user, principal::canister_id(7));
  EXPECT_FALSE(all->role.has_value());
}

TEST(factory_messages, my_contracts_reply_json) {
  my_contracts_page p;
  p.entries.push_back({principal::canister_id(42), contract_kind::multisig,
                       contract_role::observer});
  p.total = 3;
  auto info = find_method(service_id::multisig_factory, "getMyContracts");
  ASSERT_NE(info, nullptr);
  auto j = info->encode_reply(
      caf::make_message(result<my_contracts_page>{std::move(p)}));
  ASSERT_TRUE(j.ok()) << j.err().to_string();
  EXPECT_EQ(j->dump(), R"({"ok":{"entries":[{"id":"xbgkv-fyaaa-aaaaa-aaava-)"
                       R"(cai","kind":"multisig","role":"observer"}],)"
                       R"("total":3}})");
}

TEST(factory_messages, multisig_propose_transfer) {
  auto r = request<propose_transfer_arg>(contract_kind::multisig,
                                         "proposeTransfer", R"({
    "to": {"owner": "hdjeo-vyaaa-aaaaa-aapua-cai", "subaccount": null},
    "amount": 250000000,
    "memo": "c0ffee",
    "description": "pay the auditors"
  })");
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_EQ(r->to.owner, principal::canister_id(1000));
  EXPECT_FALSE(r->to.subaccount.has_value());
  EXPECT_EQ(r->amount, 250'000'000u);
  EXPECT_EQ(r->memo, (blob{0xc0, 0xff, 0xee}));
  EXPECT_EQ(r->description, "pay the auditors");
}

TEST(factory_messages, dao_vote) {
  auto r = request<dao_vote_arg>(contract_kind::dao, "vote",
                                 R"({"proposal_id": 7, "vote": "no"})");
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_EQ(r->proposal_id, 7u);
  EXPECT_EQ(r->vote, dao_vote_choice::no);
}

TEST(factory_messages, dao_vote_names_the_bad_choice) {
  auto r = request<dao_vote_arg>(contract_kind::dao, "vote",
                                 R"({"proposal_id": 7, "vote": "maybe"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().to_string(), "input.bad_value: field 'args.vote': 'maybe' "
                                 "is not one of: yes, no");
}

TEST(factory_messages, dao_create_proposal_with_params) {
  auto r = request<dao_create_proposal_arg>(contract_kind::dao,
                                            "createProposal", R"({
    "title": "Raise the quorum",
    "description": "to 40 %",
    "action": "change_quorum",
    "params": {"bps": 4000}
  })");
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_EQ(r->action, dao_action::change_quorum);
  EXPECT_EQ(r->params.bps, 4000u);
  EXPECT_FALSE(r->params.member.has_value());
}

TEST(factory_messages, contract_methods_are_not_service_methods) {
  EXPECT_NE(find_method(contract_kind::dao, "vote"), nullptr);
  EXPECT_EQ(find_method(contract_kind::token, "vote"), nullptr);
  EXPECT_EQ(find_method(service_id::dao_factory, "vote"), nullptr);
  EXPECT_NE(find_method(contract_kind::launchpad, "getContractStatus"),
            nullptr);
}

TEST(factory_messages, method_counts) {
  EXPECT_EQ(methods_of(service_id::token_factory).size(), 23u);
  EXPECT_EQ(methods_of(service_id::multisig_factory).size(), 25u);
  EXPECT_EQ(methods_of(service_id::distribution_factory).size(), 22u);
  EXPECT_EQ(methods_of(service_id::dao_factory).size(), 23u);
  EXPECT_EQ(methods_of(service_id::launchpad_factory).size(), 22u);
  EXPECT_EQ(methods_of(contract_kind::token).size(), 18u);
  EXPECT_EQ(methods_of(contract_kind::multisig).size(), 17u);
  EXPECT_EQ(methods_of(contract_kind::distribution).size(), 14u);
  EXPECT_EQ(methods_of(contract_kind::dao).size(), 15u);
  EXPECT_EQ(methods_of(contract_kind::launchpad).size(), 13u);
}

// CAF dispatches on the argument types: two methods of one interface with
// the same request type could not be told apart.
TEST(factory_messages, request_types_are_distinct_per_interface) {
  for_each_service([](service_id id, auto list) {
    SCOPED_TRACE(std::string{to_string(id)});
    request_types(list);
  });
  for_each_contract_kind([](contract_kind kind, auto list) {
    SCOPED_TRACE(std::string{to_string(kind)});
    request_types(list);
  });
}

// A callback names the contract it is about, so the factory can check the
// caller against it; only actors of the cluster may send it.
TEST(factory_messages, callbacks_name_their_contract_and_are_internal) {
  size_t callbacks = 0;
  for_each_service([&](service_id id, auto list) {
    if (id < service_id::token_factory)
      return;
    for_each_method(list, [&](auto tag) {
      using m = typename decltype(tag)::type;
      std::string_view name = m::method_name;
      SCOPED_TRACE(std::string{name});
      if (name.substr(0, 6) == "notify") {
        EXPECT_TRUE(names_contract<typename m::request>::value);
        EXPECT_EQ(m::method_access, method_access::internal);
        ++callbacks;
      }
      if (name == "createContract") {
        EXPECT_EQ(m::method_access, method_access::internal);
      }
    });
  });
  EXPECT_EQ(callbacks, 5u * 5 + 3 + 5 + 2 + 3 + 2);
  for (auto name : {"migrateTo", "healthPing"}) {
    auto info = find_method(contract_kind::token, name);
    ASSERT_NE(info, nullptr) << name;
    EXPECT_EQ(info->access, method_access::internal) << name;
  }
}

TEST(factory_messages, factory_error_codes) {
  auto e = make_error(factory_errc::duplicate_version, "1.2.0");
  EXPECT_EQ(e.to_string(), "factory.duplicate_version: 1.2.0");
  EXPECT_EQ(e.reject, reject_code::canister_reject);
  EXPECT_TRUE(is(e, factory_errc::duplicate_version));
}
