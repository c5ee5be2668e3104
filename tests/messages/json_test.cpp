#include "messages/inspect.hpp"
#include "messages/json.hpp"

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <gtest/gtest.h>

namespace icto::test {

enum class color : uint8_t { red = 1, green };
ICTO_ENUM(color, red, green)

struct inner {
  principal owner;
  std::optional<std::vector<uint8_t>> subaccount;
};
ICTO_FIELDS(inner, owner, subaccount)

struct outer {
  uint64_t amount = 0;
  uint8_t small = 0;
  int32_t delta = 0;
  bool flag = false;
  std::string name;
  color hue = color::red;
  inner to;
  std::vector<inner> more;
  std::optional<uint64_t> memo;
};
ICTO_FIELDS(outer, amount, small, delta, flag, name, hue, to, more, memo)

} // namespace icto::test

using namespace icto;
using icto::test::outer;

namespace {

outer sample() {
  outer x;
  x.amount = 18'000'000'000'000'000'000ull;
  x.small = 200;
  x.delta = -5;
  x.flag = true;
  x.name = "tok\"en";
  x.hue = test::color::green;
  x.to.owner = principal::canister_id(9);
  x.to.subaccount = std::vector<uint8_t>(32, 0xab);
  x.more = {x.to, test::inner{principal::anonymous(), std::nullopt}};
  x.memo = 77;
  return x;
}

std::string error_of(std::string_view text) {
  auto r = json::parse<outer>(text);
  EXPECT_FALSE(r.ok()) << text;
  return r ? "" : r.err().to_string();
}

} // namespace

TEST(json_codec, round_trip) {
  auto x = sample();
  auto text = json::encode(x).dump();
  auto back = json::parse<outer>(text);
  ASSERT_TRUE(back.ok()) << back.err().to_string();
  EXPECT_EQ(*back, x);
  EXPECT_NE(text.find("\"hue\":\"green\""), std::string::npos) << text;
}

TEST(json_codec, caf_round_trip) {
  auto x = sample();
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  ASSERT_FALSE(sink(x));
  outer y;
  caf::binary_deserializer source{nullptr, buf};
  ASSERT_FALSE(source(y));
  EXPECT_EQ(x, y);
}

TEST(json_codec, optional_fields_may_be_absent_or_null) {
  auto j = json::encode(sample());
  j.erase("memo");
  j["to"]["subaccount"] = nullptr;
  auto back = json::decode<outer>(j);
  ASSERT_TRUE(back.ok()) << back.err().to_string();
  EXPECT_FALSE(back->memo.has_value());
  EXPECT_FALSE(back->to.subaccount.has_value());
}

TEST(json_codec, errors_name_the_field) {
  auto j = json::encode(sample());
  auto with = [&](auto edit) {
    auto copy = j;
    edit(copy);
    return error_of(copy.dump());
  };
  EXPECT_NE(with([](auto& v) {
              v.erase("amount");
            }).find("missing field 'args.amount'"),
            std::string::npos);
  EXPECT_NE(with([](auto& v) {
              v["to"].erase("owner");
            }).find("missing field 'args.to.owner'"),
            std::string::npos);
  EXPECT_NE(
      with([](auto& v) {
        v["amount"] = "12";
      }).find("'args.amount': expected an unsigned integer, got a string"),
      std::string::npos);
  EXPECT_NE(with([](auto& v) {
              v["amount"] = -1;
            }).find("negative"),
            std::string::npos);
  EXPECT_NE(with([](auto& v) {
              v["small"] = 256;
            }).find("'args.small'"),
            std::string::npos);
  EXPECT_NE(with([](auto& v) {
              v["amount"] = 1.5;
            }).find("floating-point"),
            std::string::npos);
  EXPECT_NE(with([](auto& v) {
              v["more"][1]["owner"] = "em77e-bvlzu-ba";
            }).find("'args.more[1].owner': bad principal"),
            std::string::npos);
  EXPECT_NE(with([](auto& v) {
              v["to"]["subaccount"] = "xyz";
            }).find("'args.to.subaccount'"),
            std::string::npos);
  EXPECT_NE(with([](auto& v) {
              v["hue"] = "blue";
            }).find("'blue' is not one of: red, green"),
            std::string::npos);
  EXPECT_NE(with([](auto& v) {
              v["colour"] = "red";
            }).find("unknown field 'args.colour'"),
            std::string::npos);
  EXPECT_NE(error_of("{\"amount\": ").find("not valid JSON"),
            std::string::npos);
  EXPECT_NE(error_of("[]").find("expected an object, got an array"),
            std::string::npos);
}

TEST(json_codec, result_and_error_round_trip) {
  result<uint64_t> ok = uint64_t{5};
  result<uint64_t> err = make_error(ledger_errc::insufficient_funds,
                                    "balance too low", 42);
  for (const auto& r : {ok, err}) {
    auto j = json::encode(r);
    auto back = json::decode<result<uint64_t>>(j);
    ASSERT_TRUE(back.ok()) << back.err().to_string();
    EXPECT_EQ(*back, r) << j.dump();
  }
  auto j = json::encode(err);
  EXPECT_EQ(j["err"]["code"], "InsufficientFunds");
  EXPECT_EQ(j["err"]["balance"], 42);
  EXPECT_EQ(j["err"]["reject_code"], 4);
}

TEST(json_codec, error_codes_have_names_and_reject_codes) {
  EXPECT_EQ(make_error(ledger_errc::temporarily_unavailable, "").reject,
            reject_code::sys_transient);
  EXPECT_EQ(make_error(system_errc::unknown_method, "").reject,
            reject_code::destination_invalid);
  EXPECT_EQ(make_error(backend_errc::service_unavailable, "").reject,
            reject_code::sys_transient);
  auto e = make_error(ledger_errc::duplicate, "seen", 17);
  EXPECT_EQ(e.to_string(), "ledger.Duplicate (duplicate_of 17): seen");
  EXPECT_TRUE(is(e, ledger_errc::duplicate));
  EXPECT_FALSE(is(e, ledger_errc::bad_fee));
  EXPECT_FALSE(is(e, invoice_errc::unauthorized));
}
