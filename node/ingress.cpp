#include "node/ingress.hpp"

#include "messages/json.hpp"
#include "messages/methods.hpp"
#include "node/cluster.hpp"
#include "node/signed_call.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/message.hpp>
#include <caf/others.hpp>
#include <caf/scoped_actor.hpp>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <sys/socket.h>
#include <thread>

namespace icto {

namespace {

/// The blocking actor one HTTP worker thread calls through, known to the
/// node's directory as an ingress for as long as the thread lives.
class ingress_caller {
 public:
  ingress_caller(caf::actor_system& sys, node_context_ptr ctx)
      : self_(sys, true), ctx_(std::move(ctx)) {
    static std::atomic<uint64_t> next{0};
    const auto id = principal::canister_id(0xffff'ff00'0000'0000ull + next++);
    ctx_->dir.add(self_->address(), id, actor_role::ingress);
    // The other nodes must know it as an ingress before its first call
    // reaches one of their actors.
    if (ctx_->node_manager)
      announce_one(sys, ctx_->node_manager, caf::actor_cast<caf::actor>(self_),
                   id, actor_role::ingress, std::chrono::seconds{5});
  }

  ~ingress_caller() {
    ctx_->dir.remove(self_->address());
  }

  /// Sends `msg` to `dest` and waits for the reply message or an error.
  std::variant<caf::message, caf::error>
  call(const caf::actor& dest, caf::message msg,
       std::chrono::milliseconds timeout) {
    std::variant<caf::message, caf::error> out = caf::error{};
    self_->request(dest, timeout, std::move(msg))
        .receive(
            [&](caf::error& err) {
              out = std::move(err);
            },
            caf::others >>
                [&](caf::message_view& xs) -> caf::result<caf::message> {
              out = xs.move_content_to_message();
              return caf::message{};
            });
    return out;
  }

 private:
  caf::scoped_actor self_;
  node_context_ptr ctx_;
};

json::value refusal(const std::string& code, const std::string& message) {
  return {{"err", {{"code", code}, {"message", message}}}};
}

int status_of(auth_errc x) {
  switch (x) {
  case auth_errc::bad_envelope: return 400;
  case auth_errc::bad_signature: return 401;
  case auth_errc::expired:
  case auth_errc::expiry_too_far: return 401;
  case auth_errc::replayed: return 409;
  case auth_errc::anonymous_update: return 403;
  }
  return 400;
}

} // namespace

struct ingress_server::impl {
  impl(caf::actor_system& s, node_context_ptr c, platform p, ingress_config g)
      : sys(s), ctx(std::move(c)), svc(std::move(p)), cfg(std::move(g)) {}

  void reply(httplib::Response& res, int status, const json::value& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
  }

  ingress_caller& local_caller() {
    // One per worker thread; all threads of this pool belong to this server.
    thread_local std::unique_ptr<ingress_caller> caller;
    if (!caller)
      caller = std::make_unique<ingress_caller>(sys, ctx);
    return *caller;
  }

  void handle_call(const httplib::Request& req, httplib::Response& res) {
    auto refuse = [&](int status, const std::string& code,
                      const std::string& message) {
      ++refused;
      reply(res, status, refusal(code, message));
    };
    auto body = json::value::parse(req.body, nullptr, false);
    if (body.is_discarded())
      return refuse(400, "bad_json", "the request body is not JSON");
    auto parsed = parse_call(body);
    if (auto* e = std::get_if<auth_error>(&parsed))
      return refuse(status_of(e->code), to_string(e->code), e->message);
    auto& call = std::get<call_envelope>(parsed);
    std::variant<principal, auth_error> who;
    {
      std::lock_guard guard{replay_mtx};
      who = authenticate_call(
          call, ctx->now(),
          static_cast<uint64_t>(cfg.max_expiry_window.count()), replays);
    }
    if (auto* e = std::get_if<auth_error>(&who))
      return refuse(status_of(e->code), to_string(e->code), e->message);
    const auto& sender = std::get<principal>(who);
    // Only an authenticated call may make ingress ask a contract its kind.
    caf::actor dest;
    const method_info* method = nullptr;
    if (auto s = parse_service_id(call.target)) {
      // The directory first: a service of another node is a new actor
      // after its node restarted.
      dest = ctx->dir.find_actor(service_principal(*s));
      if (!dest && svc.hosted[static_cast<size_t>(*s)])
        dest = svc.by_service[static_cast<size_t>(*s)];
      if (!dest) {
        auto down = ctx->cluster ? ctx->cluster->service_host_down(
                        static_cast<size_t>(*s))
                                 : std::nullopt;
        if (down)
          return refuse(503, "unavailable",
                        "service " + call.target + " runs on node " + *down
                            + ", which is down");
        return refuse(404, "unknown_target",
                      "service " + call.target + " is not on this node");
      }
      method = find_method(*s, call.method);
    } else if (auto id = principal::from_text(call.target)) {
      dest = ctx->dir.find_actor(*id);
      auto entry = dest ? ctx->dir.find(dest.address()) : std::nullopt;
      if (!dest || !entry || entry->role != actor_role::contract)
        return refuse_contract(res, call.target);
      auto kind = contract_kind_of(dest);
      if (!kind)
        return refuse(503, "unavailable",
                      "contract " + call.target + " did not answer");
      method = find_method(*kind, call.method);
    } else {
      return refuse(404, "unknown_target",
                    "target '" + call.target
                        + "' is neither a service name nor a contract id");
    }
    if (method == nullptr)
      return refuse(404, "unknown_method",
                    call.target + " has no method '" + call.method + "'");
    if (method->access == method_access::internal)
      return refuse(403, "internal_method",
                    call.method + " is called by the cluster's actors only");
    if (sender.is_anonymous() && method->access != method_access::query)
      return refuse(403, to_string(auth_errc::anonymous_update),
                    call.method + " changes state: sign the call");
    auto msg = method->make_request(caller{sender}, call.args);
    if (!msg)
      return refuse(400, "bad_args", msg.err().message);
    auto out = local_caller().call(dest, std::move(*msg), cfg.call_timeout);
    if (auto* err = std::get_if<caf::error>(&out)) {
      ++failed;
      const bool timeout = *err == caf::sec::request_timeout;
      // Where the callee runs, when it is not here: the operator's first
      // question.
      std::string where;
      if (dest.node() != sys.node())
        if (const auto* host = host_of_target(call.target))
          where = " (on node " + host->name + ")";
      return reply(res, timeout ? 504 : 503,
                   refusal(timeout ? "timeout" : "unavailable",
                           call.target + "." + call.method + where + ": "
                               + sys.render(*err)));
    }
    auto encoded = method->encode_reply(std::get<caf::message>(out));
    if (!encoded) {
      ++failed;
      return reply(res, 500, refusal("internal", encoded.err().message));
    }
    ++answered;
    reply(res, 200, *encoded);
  }

  /// The node the topology puts a target on: a service's node, or the
  /// node whose range holds a contract id; null if none or no topology.
  const node_config* host_of_target(const std::string& target) const {
    if (cfg.topo == nullptr)
      return nullptr;
    if (auto s = parse_service_id(target))
      return cfg.topo->node_for_service(*s);
    auto id = principal::from_text(target);
    auto index = id ? id->canister_index() : std::nullopt;
    return index ? cfg.topo->node_for_contract_index(*index) : nullptr;
  }

  /// The refusal of a call to a contract this node does not know: 503
  /// (transient) if the node whose range holds its id is down, else 404.
  void refuse_contract(httplib::Response& res, const std::string& target) {
    ++refused;
    const auto* host = host_of_target(target);
    if (host != nullptr && ctx->cluster && !ctx->cluster->is_up(host->name))
      return reply(res, 503,
                   refusal("unavailable", "contract " + target + " is on node "
                                              + host->name
                                              + ", which is down"));
    reply(res, 404,
          refusal("unknown_target",
                  "no contract " + target
                      + (host != nullptr ? " on node " + host->name
                                         : std::string{" in this cluster"})));
  }

  /// Asks a contract for its kind (getContractStatus is common to all).
  std::optional<contract_kind> contract_kind_of(const caf::actor& dest) {
    const auto* m = find_method(contract_kind::token, "getContractStatus");
    if (m == nullptr)
      return std::nullopt;
    auto msg = m->make_request(caller{principal::anonymous()},
                               json::value::object());
    if (!msg)
      return std::nullopt;
    auto out = local_caller().call(dest, std::move(*msg), cfg.call_timeout);
    auto* reply = std::get_if<caf::message>(&out);
    if (reply == nullptr || !reply->match_elements<result<contract_status>>())
      return std::nullopt;
    auto& r = reply->get_as<result<contract_status>>(0);
    if (!r)
      return std::nullopt;
    return r->kind;
  }

  void handle_status(httplib::Response& res) {
    json::value services = json::value::array();
    for (auto s : all_services) {
      auto& h = svc.by_service[static_cast<size_t>(s)];
      if (h && svc.hosted[static_cast<size_t>(s)])
        services.push_back({{"service", std::string{to_string(s)}},
                            {"id", service_principal(s).to_text()}});
    }
    // Healthy: every service this node runs is alive.
    bool healthy = true;
    for (size_t i = 0; i < service_count; ++i)
      if (svc.hosted[i]
          && !ctx->dir.find_actor(service_principal(all_services[i])))
        healthy = false;
    // Ready: every node is up and every service of the cluster known.
    bool ready = true;
    json::value peers = json::value::array();
    if (ctx->cluster) {
      const auto now = ctx->now();
      for (auto& n : ctx->cluster->nodes()) {
        if (n.name == cfg.node_name)
          continue;
        ready = ready && n.up;
        json::value p = {{"node", n.name},
                         {"connected", n.up},
                         {"contracts", n.contracts},
                         {"rtt_us", n.rtt_us}};
        if (n.last_heartbeat > 0 && now >= n.last_heartbeat)
          p["last_heartbeat_ms_ago"] = (now - n.last_heartbeat) / 1'000'000;
        peers.push_back(std::move(p));
      }
      for (auto s : all_services)
        if (!ctx->dir.find_actor(service_principal(s)))
          ready = false;
    }
    json::value roles = json::value::array();
    for (auto& r : cfg.roles)
      roles.push_back(r);
    const auto uptime = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    json::value body = {
        {"ok", true},
        {"node", cfg.node_name},
        {"cluster", cfg.cluster_name},
        {"address", cfg.cluster_address},
        {"roles", roles},
        {"services", services},
        {"contracts", ctx->dir.count_with_role(actor_role::contract)},
        {"uptime_ms", uptime.count()},
        {"healthy", healthy},
        {"cluster_ready", ready},
        {"peers", peers},
        {"calls_answered", answered.load()},
        {"calls_refused", refused.load()},
        {"calls_failed", failed.load()},
        {"time", ctx->now()},
    };
    reply(res, 200, body);
  }

  caf::actor_system& sys;
  node_context_ptr ctx;
  platform svc;
  ingress_config cfg;
  httplib::Server http;
  std::thread thread;
  uint16_t port = 0;
  std::mutex replay_mtx;
  replay_window replays;
  std::atomic<uint64_t> answered{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> failed{0};
  std::chrono::steady_clock::time_point started
      = std::chrono::steady_clock::now();
  bool running = false;
};

ingress_server::ingress_server(caf::actor_system& sys, node_context_ptr ctx,
                               platform svc, ingress_config cfg)
    : impl_(std::make_unique<impl>(sys, std::move(ctx), std::move(svc),
                                   std::move(cfg))) {}

ingress_server::~ingress_server() {
  stop();
}

result<uint16_t> ingress_server::start() {
  auto& d = *impl_;
  d.http.set_payload_max_length(d.cfg.max_body_bytes);
  // httplib sets SO_REUSEPORT by default, which lets a second node bind the
  // same port and silently take half its calls: only SO_REUSEADDR here, so
  // a port clash is an error.
  d.http.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  d.http.Post("/api/v1/call",
              [&d](const httplib::Request& req, httplib::Response& res) {
                d.handle_call(req, res);
              });
  d.http.Get("/api/v1/status",
             [&d](const httplib::Request&, httplib::Response& res) {
               d.handle_status(res);
             });
  d.http.set_error_handler(
      [&d](const httplib::Request& req, httplib::Response& res) {
        if (res.status == 404 && res.body.empty())
          d.reply(res, 404,
                  refusal("not_found", "no route " + req.method + " " + req.path
                                           + " (try POST /api/v1/call or GET "
                                             "/api/v1/status)"));
      });
  int port = 0;
  if (d.cfg.port == 0)
    port = d.http.bind_to_any_port(d.cfg.host);
  else if (d.http.bind_to_port(d.cfg.host, d.cfg.port))
    port = d.cfg.port;
  else
    port = -1;
  if (port <= 0)
    return make_error(system_errc::unavailable,
                      "cannot listen on " + d.cfg.host + ":"
                          + std::to_string(d.cfg.port)
                          + " (port in use or not allowed)");
  d.port = static_cast<uint16_t>(port);
  d.running = true;
  d.thread = std::thread{[&d] {
    d.http.listen_after_bind();
  }};
  // httplib's stop() does nothing until the listener runs: wait for it, or
  // a stop right after start would leave the thread in accept() for good.
  const auto deadline = std::chrono::steady_clock::now()
                        + std::chrono::seconds{10};
  while (!d.http.is_running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  if (!d.http.is_running()) {
    d.running = false;
    d.http.stop();
    if (d.thread.joinable())
      d.thread.detach();
    return make_error(system_errc::unavailable, "the HTTP listener on port "
                                                    + std::to_string(d.port)
                                                    + " did not start");
  }
  return d.port;
}

void ingress_server::stop() {
  auto& d = *impl_;
  if (!d.running)
    return;
  d.running = false;
  d.http.stop();
  if (d.thread.joinable())
    d.thread.join();
}

uint16_t ingress_server::port() const {
  return impl_->port;
}

} // namespace icto
