// The JSON a user types for the backend and the storages, decoded through the
// method table the way ingress does, and the exact error for bad input.

#include "messages/methods.hpp"
#include "messages/services.hpp"

#include <caf/message.hpp>
#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace icto;

namespace {

const char* const user_text
    = "tkrkc-2wfba-vfc57-x4zni-n2bij-4j2to-kjskv-rq3kx-yosqd-u2bs5-hqe";

principal user() {
  return *principal::from_text(user_text);
}

/// The request a method builds from JSON text, as ingress builds it.
template <class T>
result<T>
request(service_id service, std::string_view method, std::string_view text) {
  auto info = find_method(service, method);
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

/// The error text of a request that must fail.
template <class T>
std::string
error_of(service_id service, std::string_view method, std::string_view text) {
  auto r = request<T>(service, method, text);
  EXPECT_FALSE(r.ok()) << text;
  return r ? "" : r.err().to_string();
}

} // namespace

TEST(backend_messages, create_token) {
  auto r = request<create_token_arg>(service_id::backend, "createToken", R"({
    "request_id": "tok-0001",
    "init": {"name": "Alpha Token", "symbol": "ALPHA", "decimals": 8,
             "fee": 10000, "initial_supply": 100000000000000,
             "is_public": true}
  })");
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_EQ(r->request_id, "tok-0001");
  EXPECT_EQ(r->init.name, "Alpha Token");
  EXPECT_EQ(r->init.symbol, "ALPHA");
  EXPECT_EQ(r->init.decimals, 8);
  EXPECT_EQ(r->init.fee, 10'000u);
  EXPECT_EQ(r->init.initial_supply, 100'000'000'000'000u);
  EXPECT_EQ(r->init.logo, std::nullopt);
  EXPECT_TRUE(r->init.is_public);
}

TEST(backend_messages, create_token_errors) {
  EXPECT_EQ(error_of<create_token_arg>(
                service_id::backend, "createToken",
                R"({"request_id": "t", "init": {"name": "A", "symbol": "A",
                    "decimals": 300, "fee": 0, "initial_supply": 0,
                    "is_public": false}})"),
            "input.out_of_range: field 'args.init.decimals': 300 is larger "
            "than 255");
  EXPECT_EQ(error_of<create_token_arg>(service_id::backend, "createToken",
                                       R"({"init": {}})"),
            "input.missing_field: missing field 'args.request_id'");
  EXPECT_EQ(error_of<create_token_arg>(
                service_id::backend, "createToken",
                R"({"request_id": "t", "init": {"name": "A", "symbol": "A",
                    "decimals": 8, "fee": 0, "initial_supply": "1000",
                    "is_public": false}})"),
            "input.wrong_type: field 'args.init.initial_supply': expected an "
            "unsigned integer, got a string");
}

TEST(backend_messages, get_audit_logs) {
  auto r = request<audit_filter>(service_id::audit_storage, "getAuditLogs",
                                 R"({"user": ")" + std::string{user_text}
                                     + R"(", "action": "create_token",
                                     "from": 1700000000000000000,
                                     "page": {"limit": 20, "offset": 40}})");
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_EQ(r->user, user());
  EXPECT_EQ(r->action, action_type::create_token);
  EXPECT_EQ(r->status, std::nullopt);
  EXPECT_EQ(r->request_id, std::nullopt);
  EXPECT_EQ(r->from, 1'700'000'000'000'000'000u);
  EXPECT_EQ(r->to, std::nullopt);
  EXPECT_EQ(r->page.limit, 20u);
  EXPECT_EQ(r->page.offset, 40u);
  // Every filter may be left out but the page.
  auto all = request<audit_filter>(service_id::audit_storage, "getAuditLogs",
                                   R"({"page": {"limit": 0, "offset": 0}})");
  ASSERT_TRUE(all.ok()) << all.err().to_string();
  EXPECT_EQ(all->user, std::nullopt);
}

TEST(backend_messages, get_audit_logs_errors) {
  auto text = error_of<audit_filter>(
      service_id::audit_storage, "getAuditLogs",
      R"({"action": "CreateToken", "page": {"limit": 1, "offset": 0}})");
  EXPECT_EQ(text.rfind("input.bad_value: field 'args.action': 'CreateToken' "
                       "is not one of: create_project, update_project, ",
                       0),
            0u)
      << text;
  EXPECT_EQ(
      error_of<audit_filter>(service_id::audit_storage, "getAuditLogs",
                             R"({"user": "em77e-bvlzu-ba", "page": {"limit": 1,
                    "offset": 0}})")
          .rfind("input.bad_checksum: field 'args.user': bad principal", 0),
      0u);
}

TEST(backend_messages, get_user_payment_records) {
  auto r = request<user_payments_arg>(service_id::invoice_storage,
                                      "getUserPaymentRecords",
                                      R"({"user": ")" + std::string{user_text}
                                          + R"(", "limit": 10, "offset": 20})");
  ASSERT_TRUE(r.ok()) << r.err().to_string();
  EXPECT_EQ(r->user, user());
  EXPECT_EQ(r->limit, 10u);
  EXPECT_EQ(r->offset, 20u);
}

TEST(backend_messages, get_user_payment_records_errors) {
  auto prefix = R"({"user": ")" + std::string{user_text} + R"(", )";
  EXPECT_EQ(error_of<user_payments_arg>(
                service_id::invoice_storage, "getUserPaymentRecords",
                prefix + R"("limit": -1, "offset": 0})"),
            "input.out_of_range: field 'args.limit': -1 is negative, expected "
            "an unsigned integer");
  EXPECT_EQ(error_of<user_payments_arg>(service_id::invoice_storage,
                                        "getUserPaymentRecords",
                                        prefix + R"("lmit": 10, "offset": 0})"),
            "input.unknown_field: unknown field 'args.lmit'");
}

TEST(backend_messages, method_counts_and_access) {
  EXPECT_EQ(methods_of(service_id::backend).size(), 29u);
  EXPECT_EQ(methods_of(service_id::audit_storage).size(), 9u);
  EXPECT_EQ(methods_of(service_id::invoice_storage).size(), 9u);
  // The audit log is append-only: the only methods that write are logEvent
  // and the whitelist's (healthCheck only answers).
  std::set<std::string> writes;
  for (const auto& m : methods_of(service_id::audit_storage))
    if (m.access != method_access::query)
      writes.emplace(m.name);
  EXPECT_EQ(writes,
            (std::set<std::string>{"logEvent", "addToWhitelist",
                                   "removeFromWhitelist", "healthCheck"}));
  EXPECT_EQ(find_method(service_id::audit_storage, "logEvent")->access,
            method_access::internal);
  EXPECT_EQ(find_method(service_id::invoice_storage, "recordPayment")->access,
            method_access::internal);
  EXPECT_EQ(find_method(service_id::backend, "createToken")->access,
            method_access::update);
}
