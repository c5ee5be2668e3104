#pragma once

// A node's front door (DESIGN §1, §2): an HTTP/JSON listener (cpp-httplib)
//   POST /api/v1/call    a signed call (node/signed_call.hpp) to a service
//                        by name or to a contract by id
//   GET  /api/v1/status  the node's health, no auth
// Nothing reaches an actor before the envelope parsed, the signature, expiry
// and nonce checked out, the target and method exist, the method is not
// internal, an anonymous caller calls a query, and the arguments decoded.
// Then the call goes out from an actor the node's directory knows as an
// ingress, so the callee takes the authenticated principal as its caller.
//
// Replies: 200 with the method's result as JSON ({"ok": …} or {"err": …})
// when the call reached the actor; 4xx with {"err": {"code", "message"}}
// when ingress refused it; 504 / 503 when the callee timed out or is gone.

#include "actors/common/context.hpp"
#include "node/platform.hpp"

#include <caf/fwd.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace icto {

struct ingress_config {
  std::string node_name;
  std::string cluster_name;
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  /// How far ahead a call's ingress_expiry may be.
  std::chrono::nanoseconds max_expiry_window = std::chrono::minutes{5};
  /// How long a call may take at its callee.
  std::chrono::milliseconds call_timeout = std::chrono::seconds{30};
  /// Largest request body accepted.
  size_t max_body_bytes = 1 << 20;
  /// The cluster's topology (outlives the server), to tell which node
  /// hosts a contract or a service this node does not know; may be null.
  const topology* topo = nullptr;
  /// For /api/v1/status: this node's roles and cluster address.
  std::vector<std::string> roles;
  std::string cluster_address;
};

/// The HTTP listener of one node. Start it after the node's services are
/// spawned; stop it before they are stopped. Its worker threads call actors
/// through blocking scoped actors registered in `ctx->dir` as ingress.
class ingress_server {
 public:
  ingress_server(caf::actor_system& sys, node_context_ptr ctx, platform svc,
                 ingress_config cfg);

  ~ingress_server();

  ingress_server(const ingress_server&) = delete;
  ingress_server& operator=(const ingress_server&) = delete;

  /// Binds the port (0 picks a free one) and serves on a background thread.
  result<uint16_t> start();

  /// Stops serving and joins the worker threads. Idempotent.
  void stop();

  uint16_t port() const;

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

} // namespace icto
