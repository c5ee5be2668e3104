// The method tables of every service and contract kind. The per-type
// round trips live in tests/messages/catalogue/.

#include "messages/methods.hpp"
#include "messages/services.hpp"
#include "messages/type_name.hpp"

#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <gtest/gtest.h>

using namespace icto;

TEST(catalogue, method_tables_cover_every_method) {
  size_t total = 0;
  // `key` is a service_id or a contract_kind.
  auto check = [&](auto key, auto list) {
    size_t n = 0;
    for_each_method(list, [&](auto tag) {
      using m = typename decltype(tag)::type;
      auto info = find_method(key, m::method_name);
      ASSERT_NE(info, nullptr) << m::method_name;
      EXPECT_EQ(info->request_type, type_name<typename m::request>());
      EXPECT_EQ(info->reply_type, type_name<typename m::reply>());
      EXPECT_EQ(info->access, m::method_access);
      ++n;
    });
    EXPECT_EQ(methods_of(key).size(), n) << to_string(key);
    total += n;
  };
  for_each_service(check);
  for_each_contract_kind(check);
  EXPECT_GT(total, 0u);
  EXPECT_EQ(find_method(service_id::ledger, "no_such_method"), nullptr);
  EXPECT_EQ(find_method(contract_kind::token, "no_such_method"), nullptr);
}

TEST(catalogue, method_table_builds_request_and_encodes_reply) {
  auto info = find_method(service_id::ledger, "icrc1_balance_of");
  ASSERT_NE(info, nullptr);
  auto owner = principal::canister_id(3);
  json::value args = {{"owner", owner.to_text()}, {"subaccount", nullptr}};
  auto msg = info->make_request(caller{principal::anonymous()}, args);
  ASSERT_TRUE(msg.ok()) << msg.err().to_string();
  ASSERT_TRUE((msg->match_elements<caller, account>()));
  EXPECT_EQ(msg->get_as<account>(1).owner, owner);
  auto bad = info->make_request(caller{}, json::value{{"owner", 5}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.err().message.find("'args.owner'"), std::string::npos);
  auto reply = info->encode_reply(caf::make_message(result<tokens>{7u}));
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ((*reply)["ok"], 7);
  auto wrong = info->encode_reply(caf::make_message(std::string{"x"}));
  EXPECT_FALSE(wrong.ok());
}
