// The ingress's checks of a signed call: signature, sender, expiry window,
// replay; and the envelope's strict parsing.

#include "node/identity.hpp"
#include "node/signed_call.hpp"

#include <gtest/gtest.h>

using namespace icto;

namespace {

constexpr uint64_t sec = 1'000'000'000;
constexpr uint64_t now = 1'767'225'600 * sec;
constexpr uint64_t window = 5 * 60 * sec;

identity make_identity(uint8_t n) {
  std::array<uint8_t, 32> seed{};
  seed[0] = n;
  return identity::from_seed("u" + std::to_string(n), seed);
}

call_envelope make_call(uint8_t nonce_byte = 1) {
  call_envelope x;
  x.target = "backend";
  x.method = "createToken";
  x.args = {{"request_id", "r1"}, {"init", {{"name", "T"}, {"fee", 10}}}};
  x.nonce = std::vector<uint8_t>(16, nonce_byte);
  x.ingress_expiry = now + 60 * sec;
  return x;
}

template <class T>
auth_errc code_of(const std::variant<T, auth_error>& r) {
  EXPECT_TRUE(std::holds_alternative<auth_error>(r));
  return std::holds_alternative<auth_error>(r) ? std::get<auth_error>(r).code
                                               : auth_errc::bad_envelope;
}

} // namespace

TEST(signed_call, a_signed_call_authenticates_as_the_keys_principal) {
  replay_window replays;
  auto alice = make_identity(1);
  auto x = make_call();
  sign_call(x, alice);
  auto r = authenticate_call(x, now, window, replays);
  ASSERT_TRUE(std::holds_alternative<principal>(r));
  EXPECT_EQ(std::get<principal>(r), alice.id());
}

TEST(signed_call, survives_its_json_round_trip) {
  replay_window replays;
  auto x = make_call();
  sign_call(x, make_identity(1));
  auto text = to_json(x).dump();
  auto parsed = parse_call(nlohmann::json::parse(text));
  ASSERT_TRUE(std::holds_alternative<call_envelope>(parsed));
  auto r = authenticate_call(std::get<call_envelope>(parsed), now, window,
                             replays);
  ASSERT_TRUE(std::holds_alternative<principal>(r));
  EXPECT_EQ(std::get<principal>(r), make_identity(1).id());
}

TEST(signed_call, any_tampered_field_breaks_the_signature) {
  auto signed_call = make_call();
  sign_call(signed_call, make_identity(1));
  auto check = [&](auto mutate, const char* what) {
    replay_window replays;
    auto x = signed_call;
    mutate(x);
    EXPECT_EQ(code_of(authenticate_call(x, now, window, replays)),
              auth_errc::bad_signature)
        << what;
  };
  check(
      [](call_envelope& x) {
        x.target = "ledger";
      },
      "target");
  check(
      [](call_envelope& x) {
        x.method = "createDAO";
      },
      "method");
  check(
      [](call_envelope& x) {
        x.args["init"]["fee"] = 11;
      },
      "args");
  check(
      [](call_envelope& x) {
        x.nonce[0] ^= 1;
      },
      "nonce");
  check(
      [](call_envelope& x) {
        x.ingress_expiry += 1;
      },
      "expiry");
  check(
      [](call_envelope& x) {
        (*x.signature)[10] ^= 1;
      },
      "signature");
  // Another key claiming the signature: the sender would change.
  check(
      [](call_envelope& x) {
        x.sender_pubkey = make_identity(2).public_key;
      },
      "sender_pubkey");
  check(
      [](call_envelope& x) {
        x.signature.reset();
      },
      "missing signature");
}

TEST(signed_call, expiry_must_be_ahead_but_not_too_far) {
  replay_window replays;
  auto x = make_call();
  x.ingress_expiry = now;
  sign_call(x, make_identity(1));
  EXPECT_EQ(code_of(authenticate_call(x, now, window, replays)),
            auth_errc::expired);
  x.ingress_expiry = now + window + 1;
  sign_call(x, make_identity(1));
  EXPECT_EQ(code_of(authenticate_call(x, now, window, replays)),
            auth_errc::expiry_too_far);
  x.ingress_expiry = now + window;
  sign_call(x, make_identity(1));
  EXPECT_TRUE(std::holds_alternative<principal>(
      authenticate_call(x, now, window, replays)));
}

TEST(signed_call, a_replay_is_refused_until_the_first_call_expires) {
  replay_window replays;
  auto x = make_call();
  sign_call(x, make_identity(1));
  ASSERT_TRUE(std::holds_alternative<principal>(
      authenticate_call(x, now, window, replays)));
  EXPECT_EQ(code_of(authenticate_call(x, now + sec, window, replays)),
            auth_errc::replayed);
  // Another sender may use the same nonce.
  auto y = make_call();
  sign_call(y, make_identity(2));
  EXPECT_TRUE(std::holds_alternative<principal>(
      authenticate_call(y, now + sec, window, replays)));
  // After the expiry the replay is refused as expired, and forgotten.
  EXPECT_EQ(code_of(authenticate_call(x, x.ingress_expiry, window, replays)),
            auth_errc::expired);
  auto z = make_call(9);
  sign_call(z, make_identity(3));
  z.ingress_expiry = x.ingress_expiry + 10 * sec;
  sign_call(z, make_identity(3));
  EXPECT_TRUE(std::holds_alternative<principal>(
      authenticate_call(z, x.ingress_expiry + sec, window, replays)));
  EXPECT_EQ(replays.size(), 1u);
}

TEST(signed_call, anonymous_calls_have_no_key_and_no_signature) {
  replay_window replays;
  auto x = make_call();
  auto r = authenticate_call(x, now, window, replays);
  ASSERT_TRUE(std::holds_alternative<principal>(r));
  EXPECT_EQ(std::get<principal>(r), principal::anonymous());
  x.signature = std::array<uint8_t, 64>{};
  EXPECT_EQ(code_of(authenticate_call(x, now, window, replays)),
            auth_errc::bad_signature);
}

TEST(signed_call, parse_names_the_bad_field) {
  auto base = to_json(make_call());
  auto expect_bad = [&](nlohmann::json j, const std::string& needle) {
    auto r = parse_call(j);
    ASSERT_TRUE(std::holds_alternative<auth_error>(r)) << j.dump();
    EXPECT_EQ(std::get<auth_error>(r).code, auth_errc::bad_envelope);
    EXPECT_NE(std::get<auth_error>(r).message.find(needle), std::string::npos)
        << std::get<auth_error>(r).message;
  };
  expect_bad(nlohmann::json::array(), "object");
  auto j = base;
  j.erase("target");
  expect_bad(j, "target");
  j = base;
  j["method"] = 5;
  expect_bad(j, "method");
  j = base;
  j["nonce"] = "zz";
  expect_bad(j, "nonce");
  j = base;
  j["nonce"] = "0102";
  expect_bad(j, "nonce");
  j = base;
  j["ingress_expiry"] = -1;
  expect_bad(j, "ingress_expiry");
  j = base;
  j["sender_pubkey"] = "abcd";
  expect_bad(j, "sender_pubkey");
  j = base;
  j["signature"] = std::string(130, 'a');
  expect_bad(j, "signature");
  j = base;
  j["extra"] = 1;
  expect_bad(j, "extra");
}
