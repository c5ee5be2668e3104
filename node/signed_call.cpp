#include "node/signed_call.hpp"

#include "node/fixed_hex.hpp"
#include "node/identity.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace icto {

namespace {

constexpr char domain_tag[] = "icto-call-v1";

/// Feeds length-prefixed fields into SHA-256.
class digest_builder {
 public:
  digest_builder() {
    crypto_hash_sha256_init(&st_);
    add(reinterpret_cast<const uint8_t*>(domain_tag), sizeof(domain_tag) - 1);
  }

  void add(const uint8_t* data, size_t size) {
    add_u64(size);
    crypto_hash_sha256_update(&st_, data, size);
  }

  void add(const std::string& s) {
    add(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }

  void add_u64(uint64_t x) {
    uint8_t be[8];
    for (int i = 7; i >= 0; --i) {
      be[i] = static_cast<uint8_t>(x & 0xff);
      x >>= 8;
    }
    crypto_hash_sha256_update(&st_, be, sizeof(be));
  }

  std::array<uint8_t, 32> finish() {
    std::array<uint8_t, 32> out{};
    crypto_hash_sha256_final(&st_, out.data());
    return out;
  }

 private:
  crypto_hash_sha256_state st_;
};

auth_error envelope_error(std::string message) {
  return {auth_errc::bad_envelope, std::move(message)};
}

/// A JSON string of exactly N hex bytes, or `why` says what is wrong.
template <size_t N>
std::optional<std::array<uint8_t, N>>
json_fixed_hex(const nlohmann::json& j, const char* field, std::string& why) {
  if (!j.is_string()) {
    why = std::string{field} + ": expected a hex string";
    return std::nullopt;
  }
  auto out = fixed_hex<N>(j.get<std::string>(), field);
  if (!out) {
    why = out.err().message;
    return std::nullopt;
  }
  return *out;
}

} // namespace

const char* to_string(auth_errc x) {
  switch (x) {
  case auth_errc::bad_envelope: return "bad_envelope";
  case auth_errc::bad_signature: return "bad_signature";
  case auth_errc::expired: return "expired";
  case auth_errc::expiry_too_far: return "expiry_too_far";
  case auth_errc::replayed: return "replayed";
  case auth_errc::anonymous_update: return "anonymous_update";
  }
  return "unknown";
}

std::array<uint8_t, 32> call_digest(const call_envelope& x) {
  digest_builder d;
  d.add(x.target);
  d.add(x.method);
  d.add(x.args.dump());
  if (x.sender_pubkey)
    d.add(x.sender_pubkey->data(), x.sender_pubkey->size());
  else
    d.add(nullptr, 0);
  d.add(x.nonce.data(), x.nonce.size());
  d.add_u64(x.ingress_expiry);
  return d.finish();
}

void sign_call(call_envelope& x, const identity& who) {
  x.sender_pubkey = who.public_key;
  const auto digest = call_digest(x);
  x.signature = who.sign(digest.data(), digest.size());
}

nlohmann::json to_json(const call_envelope& x) {
  nlohmann::json j = {
      {"target", x.target},
      {"method", x.method},
      {"args", x.args},
      {"nonce", to_hex(x.nonce.data(), x.nonce.size())},
      {"ingress_expiry", x.ingress_expiry},
  };
  j["sender_pubkey"] = x.sender_pubkey
                           ? nlohmann::json(to_hex(x.sender_pubkey->data(),
                                                   x.sender_pubkey->size()))
                           : nlohmann::json(nullptr);
  j["signature"] = x.signature ? nlohmann::json(
                       to_hex(x.signature->data(), x.signature->size()))
                               : nlohmann::json(nullptr);
  return j;
}

std::variant<call_envelope, auth_error> parse_call(const nlohmann::json& j) {
  if (!j.is_object())
    return envelope_error("the call must be a JSON object");
  static constexpr const char* known[]
      = {"target", "method",         "args",     "sender_pubkey",
         "nonce",  "ingress_expiry", "signature"};
  for (auto& [key, _] : j.items())
    if (std::find_if(std::begin(known), std::end(known),
                     [&](const char* k) {
                       return key == k;
                     })
        == std::end(known))
      return envelope_error("unknown field '" + key + "'");
  call_envelope x;
  auto need_string = [&](const char* field,
                         std::string& out) -> std::optional<auth_error> {
    if (!j.contains(field))
      return envelope_error(std::string{"missing field '"} + field + "'");
    if (!j[field].is_string() || j[field].get<std::string>().empty())
      return envelope_error(std::string{field}
                            + ": expected a non-empty "
                              "string");
    out = j[field].get<std::string>();
    return std::nullopt;
  };
  if (auto e = need_string("target", x.target))
    return *e;
  if (auto e = need_string("method", x.method))
    return *e;
  if (!j.contains("args"))
    return envelope_error("missing field 'args'");
  x.args = j["args"];
  std::string nonce_hex;
  if (auto e = need_string("nonce", nonce_hex))
    return *e;
  auto nonce = from_hex(nonce_hex, "nonce");
  if (!nonce)
    return envelope_error(nonce.err().message);
  if (nonce->size() < 8 || nonce->size() > 32)
    return envelope_error("nonce: expected 8 to 32 bytes, got "
                          + std::to_string(nonce->size()));
  x.nonce = std::move(*nonce);
  if (!j.contains("ingress_expiry"))
    return envelope_error("missing field 'ingress_expiry'");
  if (!j["ingress_expiry"].is_number_unsigned())
    return envelope_error("ingress_expiry: expected nanoseconds since the "
                          "epoch as an unsigned integer");
  x.ingress_expiry = j["ingress_expiry"].get<uint64_t>();
  std::string why;
  if (j.contains("sender_pubkey") && !j["sender_pubkey"].is_null()) {
    x.sender_pubkey = json_fixed_hex<32>(j["sender_pubkey"], "sender_pubkey",
                                         why);
    if (!x.sender_pubkey)
      return envelope_error(why);
  }
  if (j.contains("signature") && !j["signature"].is_null()) {
    x.signature = json_fixed_hex<64>(j["signature"], "signature", why);
    if (!x.signature)
      return envelope_error(why);
  }
  return x;
}

principal sender_of(const call_envelope& x) {
  if (!x.sender_pubkey)
    return principal::anonymous();
  return principal_of_key(*x.sender_pubkey);
}

bool replay_window::admit(const principal& sender,
                          const std::vector<uint8_t>& nonce, uint64_t expiry,
                          uint64_t now) {
  prune(now);
  auto key = std::make_pair(sender, nonce);
  if (by_key_.count(key) != 0)
    return false;
  by_key_.emplace(key, expiry);
  by_expiry_.emplace(expiry, std::move(key));
  return true;
}

void replay_window::prune(uint64_t now) {
  // An entry may go once its call's expiry has passed: a replay of it would
  // be refused as expired anyway.
  auto end = by_expiry_.upper_bound(now);
  for (auto i = by_expiry_.begin(); i != end; ++i)
    by_key_.erase(i->second);
  by_expiry_.erase(by_expiry_.begin(), end);
}

std::variant<principal, auth_error>
authenticate_call(const call_envelope& x, uint64_t now, uint64_t max_window_ns,
                  replay_window& replays) {
  if (x.ingress_expiry <= now)
    return auth_error{auth_errc::expired, "ingress_expiry "
                                              + std::to_string(x.ingress_expiry)
                                              + " is not after the node's time "
                                              + std::to_string(now)};
  if (x.ingress_expiry - now > max_window_ns)
    return auth_error{
        auth_errc::expiry_too_far,
        "ingress_expiry is "
            + std::to_string((x.ingress_expiry - now) / 1'000'000'000)
            + " s ahead; at most "
            + std::to_string(max_window_ns / 1'000'000'000) + " s allowed"};
  if (!x.sender_pubkey) {
    if (x.signature)
      return auth_error{auth_errc::bad_signature,
                        "a signature without sender_pubkey"};
    return principal::anonymous();
  }
  if (!x.signature)
    return auth_error{auth_errc::bad_signature,
                      "sender_pubkey given but no signature"};
  const auto digest = call_digest(x);
  if (!verify_signature(*x.sender_pubkey, digest.data(), digest.size(),
                        *x.signature))
    return auth_error{auth_errc::bad_signature,
                      "the signature does not verify for sender_pubkey"};
  auto sender = sender_of(x);
  if (!replays.admit(sender, x.nonce, x.ingress_expiry, now))
    return auth_error{auth_errc::replayed,
                      "nonce " + to_hex(x.nonce.data(), x.nonce.size())
                          + " was used before by " + sender.to_text()};
  return sender;
}

} // namespace icto
