#pragma once

// The cluster layer of a node (DESIGN §5): the node manager, one per node,
// published on the node's cluster port.
//
// - Peers. Of each pair of nodes the one whose name sorts first connects
//   (retrying with backoff while the other is away); both monitor the
//   other's node manager. A peer says hello with the cluster's name and its
//   node name: a name the topology does not list, or another cluster, is
//   refused and nothing of it is used. Over TLS each side also proves its
//   name: its certificate (of the cluster's CA, CN = its node name) and a
//   signature over both node ids (node/cluster_certs.hpp, node_proof); a
//   node that shows another node's name is refused.
// - Directory. A node tells its peers which of its actors are which
//   principals (services, contracts, ingress callers); each peer checks the
//   claim against the topology (a service the topology puts on that node, a
//   contract id in that node's range, actors of that node only) and enters
//   it in its directory, so callers are known across nodes as they are at
//   home. A node that goes away takes its entries with it.
// - Spawning. A factory asks its node manager to spawn a batch of contracts
//   (their metadata); the node manager of the node whose range holds their
//   ids spawns them, announces them to every peer, then answers the
//   handles.
// - Heartbeats. Every heartbeat interval each node asks each peer for its
//   contract count; the answers keep `node_context::cluster` current (up,
//   last heartbeat, round trip, contracts for least_loaded placement).

#include "actors/common/context.hpp"
#include "actors/contracts/contract_spawn.hpp"
#include "config/topology.hpp"
#include "node/cluster_certs.hpp"

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/io/middleman_actor.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace icto {

/// Registers the messages of the cluster layer (after register_messages).
void register_cluster_messages(caf::actor_system_config& cfg);

/// The placement rule of a topology's policy.
placement_rule placement_rule_of(placement_policy x);

/// A fresh cluster view of `topo` as seen from node `self`.
std::shared_ptr<cluster_view> make_cluster_view(const topology& topo,
                                                const std::string& self);

struct node_manager_config {
  topology topo;
  /// This node's name.
  std::string self;
  /// Connects to peers: the middleman's actor (plain BASP) or the openssl
  /// manager's (BASP over TLS).
  caf::io::middleman_actor connector;
  /// The first retry after a failed connect; doubles up to `max_retry`.
  std::chrono::milliseconds first_retry{100};
  std::chrono::milliseconds max_retry{2000};
  /// Between heartbeats; zero turns them off.
  std::chrono::milliseconds heartbeat{1000};
  /// How long one peer request (hello, announcement, heartbeat) may take.
  std::chrono::milliseconds request_timeout{5000};
  /// With TLS: this node's proof over a context, and the check of a peer's
  /// proof that it is the node it names (node/cluster_certs.hpp). Both
  /// unset without TLS: hellos then carry no proof and none is asked for.
  std::function<result<node_proof>(const std::string& context)> prove;
  std::function<result<unit>(const std::string& name,
                             const std::string& context, const node_proof&)>
      check_peer;
  /// Where the node manager reports what an operator should see.
  std::function<void(const std::string&)> info;
  std::function<void(const std::string&)> warn;
};

/// Spawns the node manager. It starts connecting to its peers at once;
/// publish it on the node's port.
caf::actor spawn_node_manager(caf::actor_system& sys, node_context_ptr ctx,
                              node_manager_config cfg);

/// Tells the node manager which actors contracts spawned here talk to (the
/// factories and the ledger, wherever they run).
void set_contract_peers(caf::actor_system& sys, const caf::actor& nm,
                        const contract_peers& peers);

/// Announces every local entry of the directory to every connected peer
/// and waits until each acknowledged or failed (at most `timeout`).
/// Returns the number of peers that acknowledged.
size_t announce_local(caf::actor_system& sys, const caf::actor& nm,
                      std::chrono::milliseconds timeout);

/// Announces one local actor (an ingress caller) and waits as above.
void announce_one(caf::actor_system& sys, const caf::actor& nm,
                  const caf::actor& who, const principal& id, actor_role role,
                  std::chrono::milliseconds timeout);

} // namespace icto
