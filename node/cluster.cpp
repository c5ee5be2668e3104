#include "node/cluster.hpp"

#include "actors/contracts/contract_durable.hpp"
#include "node/platform.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/node_id.hpp>
#include <caf/response_promise.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <utility>

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(icto::contract_peers)

namespace icto {

namespace {

using hello_atom = caf::atom_constant<caf::atom("hello")>;
using announce_atom = caf::atom_constant<caf::atom("announce")>;
using beat_atom = caf::atom_constant<caf::atom("beat")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using peers_atom = caf::atom_constant<caf::atom("peers")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using sync_atom = caf::atom_constant<caf::atom("sync")>;

/// Most directory entries in one announcement message.
constexpr size_t announce_chunk = 20'000;

/// Most spawn orders the node manager sends a host in one message (the
/// orders of one mailbox turn are gathered up to this; see
/// docs/cluster-benchmark.md).
constexpr size_t spawn_batch = 1024;

} // namespace

/// One directory entry as nodes tell each other (the role as its number).
struct dir_entry {
  caf::actor who;
  principal id;
  uint8_t role = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dir_entry& x) {
  return f(caf::meta::type_name("icto_dir_entry"), x.who, x.id, x.role);
}

void register_cluster_messages(caf::actor_system_config& cfg) {
  cfg.add_message_type<dir_entry>("icto_dir_entry");
  cfg.add_message_type<std::vector<dir_entry>>("icto_dir_entries");
  cfg.add_message_type<contract_meta>("contract_meta");
  cfg.add_message_type<std::vector<contract_meta>>("contract_metas");
}

placement_rule placement_rule_of(placement_policy x) {
  switch (x) {
  case placement_policy::local: return placement_rule::local;
  case placement_policy::round_robin: return placement_rule::round_robin;
  case placement_policy::least_loaded: return placement_rule::least_loaded;
  case placement_policy::hash: return placement_rule::hash;
  }
  return placement_rule::round_robin;
}

std::shared_ptr<cluster_view> make_cluster_view(const topology& topo,
                                                const std::string& self) {
  std::vector<cluster_view::node> nodes;
  for (auto& n : topo.nodes) {
    cluster_view::node x;
    x.name = n.name;
    x.hosts_contracts = n.has_role(node_role::contracts);
    nodes.push_back(std::move(x));
  }
  auto view = std::make_shared<cluster_view>(
      self, std::move(nodes), placement_rule_of(topo.cluster.placement));
  view->set_service_hosts(std::vector<std::string>{topo.service_hosts.begin(),
                                                   topo.service_hosts.end()});
  return view;
}

namespace {

/// What the node manager knows of one peer.
struct peer {
  const node_config* cfg = nullptr;
  /// Its node manager; invalid while it is away.
  caf::actor nm;
  caf::node_id node;
  /// The remote actors it announced, kept alive while it is here (the
  /// directory holds weak addresses).
  std::vector<caf::actor> held;
  /// Whether this node connects to it (its name sorts after ours).
  bool initiator = false;
  bool connecting = false;
  std::chrono::milliseconds retry{0};
};

/// Spawn orders gathered for one host during a mailbox turn, with whom to
/// answer: each asker's promise and how many of the orders are its.
struct spawn_outbox {
  std::vector<contract_meta> orders;
  std::vector<std::pair<caf::response_promise, size_t>> askers;
  bool flush_sent = false;
};

struct nm_state {
  static inline const char* name = "node_manager";
  node_context_ptr ctx;
  node_manager_config cfg;
  std::map<std::string, peer> peers;
  /// Set once this node knows the factories and the ledger; until then it
  /// refuses spawn orders.
  std::optional<icto::contract_peers> spawn_peers;
  /// Spawn orders of local factories not sent yet, by host node.
  std::map<std::string, spawn_outbox> outboxes;
};

using nm_ptr = caf::stateful_actor<nm_state>*;

void info(nm_ptr self, const std::string& text) {
  if (self->state.cfg.info)
    self->state.cfg.info(text);
}

void warn(nm_ptr self, const std::string& text) {
  if (self->state.cfg.warn)
    self->state.cfg.warn(text);
}

/// Every live local actor of the directory, as peers are told of them.
std::vector<dir_entry> local_entries(nm_ptr self) {
  auto entries = self->state.ctx->dir.local_entries();
  std::vector<dir_entry> out;
  out.reserve(entries.size());
  for (auto& [who, e] : entries)
    out.push_back(dir_entry{who, e.id, static_cast<uint8_t>(e.role)});
  return out;
}

peer* peer_of_node(nm_ptr self, const caf::node_id& node) {
  for (auto& [name, p] : self->state.peers)
    if (p.nm && p.node == node)
      return &p;
  return nullptr;
}

/// Why the entry may not be taken from `p`, or nothing if it may.
std::optional<std::string> check_entry(const topology& topo, const peer& p,
                                       const dir_entry& e) {
  if (!e.who)
    return std::string{"an invalid actor"};
  if (e.who.node() != p.node)
    return "an actor of another node as " + e.id.to_text();
  switch (static_cast<actor_role>(e.role)) {
  case actor_role::service: {
    auto s = service_of(e.id);
    if (!s || topo.host_of(*s) != p.cfg->name)
      return e.id.to_text() + " as a service the topology puts elsewhere";
    return std::nullopt;
  }
  case actor_role::contract: {
    auto index = e.id.canister_index();
    if (!index || !p.cfg->contract_ids.contains(*index))
      return "contract " + e.id.to_text() + ", outside its contract ids";
    return std::nullopt;
  }
  case actor_role::ingress: return std::nullopt;
  }
  return "an unknown role " + std::to_string(e.role);
}

/// Enters a peer's announced actors in the directory; returns how many.
size_t apply_entries(nm_ptr self, peer& p, std::vector<dir_entry>& entries) {
  size_t taken = 0;
  size_t refused = 0;
  std::string first_refusal;
  for (auto& e : entries) {
    if (auto why = check_entry(self->state.cfg.topo, p, e)) {
      if (refused++ == 0)
        first_refusal = *why;
      continue;
    }
    self->state.ctx->dir.add_remote(e.who.address(), e.id,
                                    static_cast<actor_role>(e.role));
    p.held.push_back(std::move(e.who));
    ++taken;
  }
  if (refused > 0)
    warn(self, "node " + p.cfg->name + " announced " + std::to_string(refused)
                   + " actors this node refuses, e.g. " + first_refusal);
  return taken;
}

/// This node's proof for the peer on `peer_node` (empty without TLS, or if
/// it cannot be made: the peer then refuses, and the reason is logged).
node_proof proof_for(nm_ptr self, const caf::node_id& peer_node) {
  auto& cfg = self->state.cfg;
  if (!cfg.prove)
    return {};
  auto r = cfg.prove(node_proof_context(cfg.topo.cluster.name, cfg.self,
                                        caf::to_string(self->node()),
                                        caf::to_string(peer_node)));
  if (!r) {
    warn(self, "cannot prove this node's name: " + r.err().message);
    return {};
  }
  return std::move(*r);
}

/// Why the node on `peer_node` is not `name` by its proof, or nothing (also
/// without TLS).
std::optional<std::string> refute(nm_ptr self, const std::string& name,
                                  const caf::node_id& peer_node,
                                  const node_proof& p) {
  auto& cfg = self->state.cfg;
  if (!cfg.check_peer)
    return std::nullopt;
  auto ok = cfg.check_peer(name,
                           node_proof_context(cfg.topo.cluster.name, name,
                                              caf::to_string(peer_node),
                                              caf::to_string(self->node())),
                           p);
  if (ok)
    return std::nullopt;
  return ok.err().message;
}

void schedule_connect(nm_ptr self, peer& p) {
  if (!p.initiator || p.connecting || p.nm)
    return;
  p.connecting = true;
  self->delayed_send(self, p.retry, caf::connect_atom::value, p.cfg->name);
}

/// A peer's node manager went away (or was replaced): its actors leave the
/// directory and the view.
void drop(nm_ptr self, peer& p, const std::string& why) {
  if (!p.nm)
    return;
  auto n = self->state.ctx->dir.remove_node(p.node);
  self->demonitor(p.nm);
  p.nm = nullptr;
  p.held.clear();
  p.retry = self->state.cfg.first_retry;
  if (self->state.ctx->cluster)
    self->state.ctx->cluster->set_up(p.cfg->name, false);
  warn(self, "node " + p.cfg->name + " left the cluster (" + why + "); "
                 + std::to_string(n) + " of its actors are unreachable");
  schedule_connect(self, p);
}

void adopt(nm_ptr self, peer& p, caf::actor nm) {
  if (p.nm && p.nm != nm)
    drop(self, p, "replaced by a new connection");
  p.nm = std::move(nm);
  p.node = p.nm.node();
  p.connecting = false;
  p.retry = self->state.cfg.first_retry;
  self->monitor(p.nm);
  if (self->state.ctx->cluster)
    self->state.ctx->cluster->set_up(p.cfg->name, true);
  info(self, "node " + p.cfg->name + " joined");
}

/// `entries` cut into announcement messages (one, if empty).
std::vector<std::vector<dir_entry>> chunks_of(std::vector<dir_entry> entries) {
  std::vector<std::vector<dir_entry>> out;
  for (size_t i = 0; i < entries.size(); i += announce_chunk)
    out.emplace_back(std::make_move_iterator(entries.begin()
                                             + static_cast<std::ptrdiff_t>(i)),
                     std::make_move_iterator(
                         entries.begin()
                         + static_cast<std::ptrdiff_t>(
                             std::min(entries.size(), i + announce_chunk))));
  if (out.empty())
    out.emplace_back();
  return out;
}

/// Sends `entries` to every connected peer in chunks; calls `done(acks)`
/// once every peer answered every chunk or failed (`acks`: the peers that
/// took them all).
void broadcast(nm_ptr self, std::vector<dir_entry> entries,
               std::function<void(size_t)> done) {
  struct join {
    size_t pending = 0;
    size_t peers = 0;
    std::set<std::string> failed;
    std::function<void(size_t)> done;
  };
  auto j = std::make_shared<join>();
  j->done = std::move(done);
  const auto chunks = chunks_of(std::move(entries));
  for (auto& [name, p] : self->state.peers)
    if (p.nm) {
      ++j->peers;
      j->pending += chunks.size();
    }
  if (j->pending == 0) {
    j->done(0);
    return;
  }
  auto one = [j] {
    if (--j->pending == 0)
      j->done(j->peers - j->failed.size());
  };
  for (auto& [name, p] : self->state.peers) {
    if (!p.nm)
      continue;
    for (auto& c : chunks)
      self->request(p.nm, self->state.cfg.request_timeout, announce_atom::value,
                    c)
          .then(
              [one](size_t) {
                one();
              },
              [self, one, j, name = name](caf::error& e) {
                if (j->failed.insert(name).second)
                  warn(self, "node " + name + " did not take an announcement: "
                                 + self->system().render(e));
                one();
              });
  }
}

/// Sends `entries` to one peer, in chunks, without waiting.
void send_entries(nm_ptr self, const peer& p, std::vector<dir_entry> entries) {
  if (entries.empty())
    return;
  for (auto& c : chunks_of(std::move(entries)))
    self->request(p.nm, self->state.cfg.request_timeout, announce_atom::value,
                  std::move(c))
        .then([](size_t) {},
              [self, name = p.cfg->name](caf::error& e) {
                warn(self, "node " + name + " did not take an announcement: "
                               + self->system().render(e));
              });
}

void connect_to(nm_ptr self, const std::string& name) {
  auto i = self->state.peers.find(name);
  if (i == self->state.peers.end())
    return;
  auto& p = i->second;
  p.connecting = false;
  if (p.nm)
    return;
  p.connecting = true;
  auto& cfg = self->state.cfg;
  auto retry = [self, name](const std::string& why) {
    auto& q = self->state.peers.at(name);
    q.connecting = false;
    if (q.nm)
      return;
    if (q.retry >= self->state.cfg.max_retry / 2 && !why.empty())
      info(self, "node " + name + " not reachable yet: " + why);
    q.retry = std::min(self->state.cfg.max_retry,
                       std::max(self->state.cfg.first_retry, q.retry * 2));
    schedule_connect(self, q);
  };
  self->request(cfg.connector, cfg.request_timeout, caf::connect_atom::value,
                p.cfg->host, p.cfg->port)
      .then(
          [self, name, retry](caf::node_id&, caf::strong_actor_ptr& ptr,
                              std::set<std::string>&) {
            auto nm = caf::actor_cast<caf::actor>(ptr);
            if (!nm) {
              retry("nothing is published on its port");
              return;
            }
            auto& s = self->state;
            // No directory entries in a hello: they go once both sides
            // proved their names.
            auto proof = proof_for(self, nm.node());
            self->request(nm, s.cfg.request_timeout, hello_atom::value,
                          s.cfg.topo.cluster.name, s.cfg.self,
                          std::move(proof.cert_pem), std::move(proof.signature))
                .then(
                    [self, name, nm, retry](std::string& who, std::string& cert,
                                            std::string& sig) {
                      auto& q = self->state.peers.at(name);
                      const auto where = "the node on " + q.cfg->host + ":"
                                         + std::to_string(q.cfg->port);
                      if (who != name) {
                        warn(self, where + " says it is '" + who + "', not "
                                       + name + ": not used");
                        retry({});
                        return;
                      }
                      if (auto why = refute(self, name, nm.node(),
                                            node_proof{std::move(cert),
                                                       std::move(sig)})) {
                        warn(self, where + " is not node " + name + ": " + *why
                                       + "; not used");
                        retry({});
                        return;
                      }
                      adopt(self, q, nm);
                      // This node's actors, now that the peer is known to
                      // be who it says.
                      send_entries(self, q, local_entries(self));
                      // And the peer's, asked for now that this node takes
                      // its announcements (it announces them like any
                      // other): what it announced between its answer and
                      // this moment was refused here.
                      self->request(nm, self->state.cfg.request_timeout,
                                    sync_atom::value)
                          .then([](size_t) {},
                                [self, name](caf::error& e) {
                                  warn(self,
                                       "node " + name
                                           + " did not send its directory: "
                                           + self->system().render(e));
                                });
                    },
                    [self, name, retry](caf::error& e) {
                      retry("hello refused: " + self->system().render(e));
                    });
          },
          [self, retry](caf::error& e) {
            retry(self->system().render(e));
          });
}

/// The node whose range holds every order's id, or an error text.
std::variant<const node_config*, std::string>
host_of_orders(const topology& topo, const std::vector<contract_meta>& orders) {
  const node_config* host = nullptr;
  for (auto& o : orders) {
    auto index = o.id.canister_index();
    const auto* n = index ? topo.node_for_contract_index(*index) : nullptr;
    if (n == nullptr)
      return "contract " + o.id.to_text() + " is in no node's contract ids";
    if (host != nullptr && host != n)
      return std::string{"a spawn batch spans nodes "} + host->name + " and "
             + n->name;
    host = n;
  }
  if (host == nullptr)
    return std::string{"an empty spawn batch"};
  return host;
}

using spawn_reply
    = std::function<void(std::vector<caf::actor>, std::vector<std::string>)>;

/// Spawns orders whose ids are this node's, announces them to every peer,
/// then calls `done` with a handle or an error text per order.
void spawn_here(nm_ptr self, std::vector<contract_meta>& orders,
                spawn_reply done) {
  auto& st = self->state;
  std::vector<caf::actor> handles;
  std::vector<std::string> errors;
  std::vector<dir_entry> fresh;
  for (auto& o : orders) {
    auto h = st.spawn_peers
                 ? spawn_contract_from_meta(self->system(), st.ctx, o,
                                            *st.spawn_peers)
                 : result<caf::actor>{
                     make_error(system_errc::unavailable,
                                "node " + st.cfg.self + " is still starting")};
    if (h) {
      fresh.push_back(
          dir_entry{*h, o.id, static_cast<uint8_t>(actor_role::contract)});
      handles.push_back(std::move(*h));
      errors.emplace_back();
    } else {
      handles.emplace_back();
      errors.push_back(h.err().to_string());
    }
  }
  broadcast(self, std::move(fresh),
            [done = std::move(done), handles = std::move(handles),
             errors = std::move(errors)](size_t) mutable {
              done(std::move(handles), std::move(errors));
            });
}

/// Answers each asker of a batch its share of the replies, in order.
void answer_askers(
    std::vector<std::pair<caf::response_promise, size_t>>& askers,
    std::vector<caf::actor>& handles, std::vector<std::string>& errors) {
  size_t at = 0;
  for (auto& [rp, n] : askers) {
    std::vector<caf::actor> hs;
    std::vector<std::string> es;
    for (size_t i = at; i < at + n; ++i) {
      hs.push_back(i < handles.size() ? handles[i] : caf::actor{});
      es.push_back(i < errors.size() ? errors[i]
                   : hs.back()       ? std::string{}
                                     : std::string{"no answer for it"});
    }
    at += n;
    rp.deliver(std::move(hs), std::move(es));
  }
}

/// Answers every asker the same error text for each of its orders.
void fail_askers(std::vector<std::pair<caf::response_promise, size_t>>& askers,
                 const std::string& why) {
  for (auto& [rp, n] : askers)
    rp.deliver(std::vector<caf::actor>(n), std::vector<std::string>(n, why));
}

/// Sends what local factories ordered for `host` during the last mailbox
/// turn: one batch (up to `spawn_batch` orders) per message.
void flush_orders(nm_ptr self, const std::string& host) {
  auto& st = self->state;
  auto box = std::move(st.outboxes[host]);
  st.outboxes.erase(host);
  size_t next = 0;  // the first asker not sent yet
  size_t first = 0; // its first order
  while (next < box.askers.size()) {
    // One batch: whole askers until it holds spawn_batch orders.
    auto batch = std::make_shared<
        std::vector<std::pair<caf::response_promise, size_t>>>();
    std::vector<contract_meta> orders;
    while (next < box.askers.size()
           && (orders.empty() || orders.size() < spawn_batch)) {
      auto n = box.askers[next].second;
      for (size_t i = first; i < first + n; ++i)
        orders.push_back(std::move(box.orders[i]));
      first += n;
      batch->push_back(std::move(box.askers[next]));
      ++next;
    }
    if (host == st.cfg.self) {
      spawn_here(self, orders,
                 [batch](std::vector<caf::actor> hs,
                         std::vector<std::string> es) {
                   answer_askers(*batch, hs, es);
                 });
      continue;
    }
    auto& p = st.peers.at(host);
    if (!p.nm) {
      fail_askers(*batch, "node " + host + " is down");
      continue;
    }
    self->request(p.nm, st.cfg.request_timeout, caf::spawn_atom::value,
                  std::move(orders))
        .then(
            [batch](std::vector<caf::actor>& hs, std::vector<std::string>& es) {
              answer_askers(*batch, hs, es);
            },
            [self, batch, host](caf::error& e) {
              fail_askers(*batch,
                          "node " + host + ": " + self->system().render(e));
            });
  }
}

caf::behavior node_manager(nm_ptr self, node_context_ptr ctx,
                           node_manager_config cfg) {
  auto& init = self->state;
  init.ctx = std::move(ctx);
  init.cfg = std::move(cfg);
  for (auto& n : init.cfg.topo.nodes) {
    if (n.name == init.cfg.self)
      continue;
    peer p;
    p.cfg = &n;
    p.initiator = init.cfg.self < n.name;
    p.retry = init.cfg.first_retry;
    init.peers.emplace(n.name, std::move(p));
  }
  // The first connects go out at once; retries wait `retry`.
  for (auto& [name, p] : init.peers)
    if (p.initiator) {
      p.connecting = true;
      self->send(self, caf::connect_atom::value, name);
    }
  self->set_down_handler([self](caf::down_msg& dm) {
    for (auto& [name, p] : self->state.peers)
      if (p.nm && p.nm.address() == dm.source) {
        drop(self, p, self->system().render(dm.reason));
        return;
      }
  });
  if (init.cfg.heartbeat.count() > 0)
    self->send(self, tick_atom::value);
  // Whatever else arrives unasked.
  self->set_default_handler(caf::drop);
  return {
      [self](caf::connect_atom, const std::string& name) {
        connect_to(self, name);
      },
      [self](hello_atom, const std::string& cluster, const std::string& name,
             std::string& cert, std::string& sig)
          -> caf::result<std::string, std::string, std::string> {
        auto& st = self->state;
        auto sender = caf::actor_cast<caf::actor>(self->current_sender());
        if (cluster != st.cfg.topo.cluster.name) {
          warn(self, "refused a node of cluster '" + cluster + "' (this is '"
                         + st.cfg.topo.cluster.name + "')");
          return caf::make_error(caf::sec::request_receiver_down,
                                 "not cluster " + cluster);
        }
        auto i = st.peers.find(name);
        if (i == st.peers.end() || !sender) {
          warn(self, "refused node '" + name + "': not a node of the topology");
          return caf::make_error(caf::sec::request_receiver_down,
                                 "node " + name + " is not in the topology");
        }
        if (auto why = refute(self, name, sender.node(),
                              node_proof{std::move(cert), std::move(sig)})) {
          warn(self, "refused node '" + name + "': " + *why);
          return caf::make_error(caf::sec::request_receiver_down,
                                 "not node " + name + ": " + *why);
        }
        adopt(self, i->second, sender);
        // The directories go once the peer checked this answer: its own
        // as announcements, this node's when it asks (sync_atom).
        auto proof = proof_for(self, sender.node());
        return {st.cfg.self, std::move(proof.cert_pem),
                std::move(proof.signature)};
      },
      // A peer that adopted this node asks for its directory: sent as
      // announcements.
      [self](sync_atom) -> caf::result<size_t> {
        auto& sender = self->current_sender();
        auto* p = sender ? peer_of_node(self, sender->node()) : nullptr;
        if (p == nullptr)
          return caf::make_error(caf::sec::request_receiver_down,
                                 "a directory for a node that is not a "
                                 "connected peer");
        auto entries = local_entries(self);
        const auto n = entries.size();
        send_entries(self, *p, std::move(entries));
        return n;
      },
      // A local actor asks to announce the whole local directory.
      [self](announce_atom) -> caf::result<size_t> {
        auto rp = self->make_response_promise<size_t>();
        broadcast(self, local_entries(self), [rp](size_t acks) mutable {
          rp.deliver(acks);
        });
        return rp;
      },
      // Local: announce these; remote: a peer's announcement.
      [self](announce_atom,
             std::vector<dir_entry>& entries) -> caf::result<size_t> {
        auto& sender = self->current_sender();
        if (sender && sender->node() == self->node()) {
          auto rp = self->make_response_promise<size_t>();
          broadcast(self, std::move(entries), [rp](size_t acks) mutable {
            rp.deliver(acks);
          });
          return rp;
        }
        auto* p = sender ? peer_of_node(self, sender->node()) : nullptr;
        if (p == nullptr)
          return caf::make_error(caf::sec::request_receiver_down,
                                 "announcement from a node that is not a "
                                 "connected peer");
        return apply_entries(self, *p, entries);
      },
      [self](caf::spawn_atom, std::vector<contract_meta>& orders) {
        auto& st = self->state;
        // Before the promise, which takes the sender out of the message.
        const auto sender = self->current_sender();
        auto rp = self->make_response_promise();
        auto host = host_of_orders(st.cfg.topo, orders);
        if (auto* why = std::get_if<std::string>(&host)) {
          rp.deliver(std::vector<caf::actor>{}, std::vector<std::string>{*why});
          return;
        }
        const auto* node = std::get<const node_config*>(host);
        const bool local_asker = sender && sender->node() == self->node();
        if (!local_asker) {
          // A peer forwards a batch its factories ordered: this node must
          // host it.
          if (node->name != st.cfg.self) {
            rp.deliver(std::vector<caf::actor>{},
                       std::vector<std::string>{
                           "node " + node->name
                           + " hosts these contracts, not this node"});
            return;
          }
          spawn_here(self, orders,
                     [rp](std::vector<caf::actor> hs,
                          std::vector<std::string> es) mutable {
                       rp.deliver(std::move(hs), std::move(es));
                     });
          return;
        }
        // A local factory's orders wait for the end of this mailbox turn:
        // whatever else local factories order meanwhile goes in the same
        // message to the host.
        auto& box = st.outboxes[node->name];
        box.askers.emplace_back(std::move(rp), orders.size());
        std::move(orders.begin(), orders.end(), std::back_inserter(box.orders));
        if (!box.flush_sent) {
          box.flush_sent = true;
          self->send(self, flush_atom::value, node->name);
        }
      },
      [self](flush_atom, const std::string& host) {
        flush_orders(self, host);
      },
      [self](beat_atom) -> uint64_t {
        return self->state.ctx->dir.count_with_role(actor_role::contract);
      },
      [self](tick_atom) {
        auto& st = self->state;
        if (st.ctx->cluster)
          st.ctx->cluster->set_heartbeat(
              st.cfg.self, st.ctx->now(), 0,
              st.ctx->dir.count_with_role(actor_role::contract));
        for (auto& [name, p] : st.peers) {
          if (!p.nm)
            continue;
          auto sent = std::chrono::steady_clock::now();
          self->request(p.nm, st.cfg.request_timeout, beat_atom::value)
              .then(
                  [self, sent, name = name](uint64_t contracts) {
                    auto rtt
                        = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - sent);
                    if (self->state.ctx->cluster)
                      self->state.ctx->cluster->set_heartbeat(
                          name, self->state.ctx->now(),
                          static_cast<uint64_t>(rtt.count()), contracts);
                  },
                  [](caf::error&) {
                    // A lost peer shows as its node manager's down message.
                  });
        }
        self->delayed_send(self, st.cfg.heartbeat, tick_atom::value);
      },
      [self](peers_atom, contract_peers& peers) {
        self->state.spawn_peers = std::move(peers);
      },
  };
}

} // namespace

caf::actor spawn_node_manager(caf::actor_system& sys, node_context_ptr ctx,
                              node_manager_config cfg) {
  return sys.spawn(node_manager, std::move(ctx), std::move(cfg));
}

void set_contract_peers(caf::actor_system& sys, const caf::actor& nm,
                        const contract_peers& peers) {
  caf::scoped_actor self{sys};
  self->send(nm, peers_atom::value, peers);
}

size_t announce_local(caf::actor_system& sys, const caf::actor& nm,
                      std::chrono::milliseconds timeout) {
  caf::scoped_actor self{sys};
  size_t acks = 0;
  self->request(nm, timeout, announce_atom::value)
      .receive(
          [&](size_t n) {
            acks = n;
          },
          [](caf::error&) {});
  return acks;
}

void announce_one(caf::actor_system& sys, const caf::actor& nm,
                  const caf::actor& who, const principal& id, actor_role role,
                  std::chrono::milliseconds timeout) {
  caf::scoped_actor self{sys};
  std::vector<dir_entry> entries{
      dir_entry{who, id, static_cast<uint8_t>(role)}};
  self->request(nm, timeout, announce_atom::value, std::move(entries))
      .receive([](size_t) {}, [](caf::error&) {});
}

} // namespace icto
