#pragma once

// The signed call a client sends to a node's ingress (POST /api/v1/call),
// and what the ingress checks before any actor sees it (DESIGN §2):
//
//   {"target": "backend" | "<contract principal>",
//    "method": "createToken",
//    "args": {...},                       // the method's request as JSON
//    "sender_pubkey": "<64 hex>" | null,  // Ed25519; null = anonymous
//    "nonce": "<hex, 8-32 bytes>",
//    "ingress_expiry": <ns since epoch>,
//    "signature": "<128 hex>" | null}
//
// The signature is Ed25519 over `call_digest`: SHA-256 of a domain tag and
// every other field, length-prefixed, the arguments in canonical JSON
// (keys sorted, no spaces). The sender is the self-authenticating principal
// of the key. A call is accepted only if the signature holds, the expiry is
// in (now, now + max_expiry_window], and the (sender, nonce) pair was not
// accepted before while unexpired.

#include "messages/error.hpp"
#include "messages/principal.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace icto {

struct identity;

/// Why the ingress refuses a call before it reaches an actor.
enum class auth_errc : uint8_t {
  /// Not JSON, or a field missing or of the wrong form.
  bad_envelope = 1,
  /// The signature does not verify, or is missing for a non-anonymous call.
  bad_signature,
  /// ingress_expiry is in the past.
  expired,
  /// ingress_expiry is further ahead than the node accepts.
  expiry_too_far,
  /// This sender used this nonce before, within its expiry.
  replayed,
  /// An anonymous call of an update method.
  anonymous_update,
};

const char* to_string(auth_errc x);

/// An ingress refusal; the HTTP layer turns it into a 4xx JSON body.
struct auth_error {
  auth_errc code = auth_errc::bad_envelope;
  std::string message;
};

/// A call as the client builds it and the ingress parses it.
struct call_envelope {
  std::string target;
  std::string method;
  nlohmann::json args = nlohmann::json::object();
  /// Absent for an anonymous call.
  std::optional<std::array<uint8_t, 32>> sender_pubkey;
  std::vector<uint8_t> nonce;
  uint64_t ingress_expiry = 0;
  std::optional<std::array<uint8_t, 64>> signature;
};

/// The bytes the signature covers.
std::array<uint8_t, 32> call_digest(const call_envelope& x);

/// Fills in sender_pubkey and signature for `who`.
void sign_call(call_envelope& x, const identity& who);

/// The envelope's JSON form (what the client POSTs).
nlohmann::json to_json(const call_envelope& x);

/// Parses and checks the form of every field; the error names the field.
std::variant<call_envelope, auth_error> parse_call(const nlohmann::json& j);

/// The sender of an envelope: the self-authenticating principal of its key,
/// or the anonymous principal.
principal sender_of(const call_envelope& x);

/// Remembers accepted (sender, nonce) pairs until their expiry passes.
/// Owned by one ingress; not thread-safe (the ingress serializes checks).
class replay_window {
 public:
  /// True, and remembered, if the pair was not seen; false if it was.
  bool admit(const principal& sender, const std::vector<uint8_t>& nonce,
             uint64_t expiry, uint64_t now);

  size_t size() const {
    return by_key_.size();
  }

 private:
  void prune(uint64_t now);

  std::map<std::pair<principal, std::vector<uint8_t>>, uint64_t> by_key_;
  std::multimap<uint64_t, std::pair<principal, std::vector<uint8_t>>>
      by_expiry_;
};

/// Checks signature, expiry and replay of a parsed envelope at `now`;
/// returns the sender. `max_window_ns`: how far ahead an expiry may be.
std::variant<principal, auth_error>
authenticate_call(const call_envelope& x, uint64_t now, uint64_t max_window_ns,
                  replay_window& replays);

} // namespace icto
