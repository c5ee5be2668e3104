#pragma once

// Development certificates for BASP over TLS between the nodes of a cluster
// (`icto cluster certs`), and the CAF settings that make a node use them.
// CAF-free: ictod, the `icto` CLI and tests include it alike.
//
// What CAF 0.17.6's openssl module checks (libcaf_openssl/src/session.cpp,
// `session::create_ssl_context`, and manager.cpp; the strings match the
// installed libcaf_openssl.so):
// - "Authentication" is on as soon as any of openssl.certificate, .key,
//   .passphrase, .capath or .cafile is set (`manager::authentication_enabled`).
//   Then each connection gets an SSL_CTX (TLS_method) with
//   SSL_CTX_use_certificate_chain_file(certificate),
//   SSL_CTX_use_PrivateKey_file(key, PEM),
//   SSL_CTX_load_verify_locations(cafile, capath),
//   SSL_CTX_set_verify(SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT)
//   with no verify callback, and the cipher list "HIGH:!aNULL:!MD5".
//   Both sides therefore verify the peer's chain up to a CA in `cafile`, and
//   an acceptor refuses a client without a certificate. OpenSSL's default
//   verification also checks validity dates and the purpose (a leaf with an
//   extendedKeyUsage must carry serverAuth to serve, clientAuth to connect),
//   which is why node certificates carry both.
// - Nothing else: no hostname or IP check (no SSL_set1_host, the SAN is not
//   looked at), no binding between the certificate and the CAF node id or
//   the node name in the topology, no revocation (no CRL, no OCSP). Any
//   holder of a certificate signed by the cluster CA is a full cluster peer.
//   Keep the CA key (`ca.key`) off the nodes once they are signed.
// - Without any of those options the module falls back to anonymous
//   "AECDH-AES256-SHA@SECLEVEL=0" with SSL_VERIFY_NONE: encrypted, not
//   authenticated. `configure_tls` always sets all three files.
// - A certificate or key file that cannot be loaded makes CAF throw from
//   inside its multiplexer (CAF_RAISE_ERROR): check the files with
//   `check_tls_files` before starting the actor system.

#include "config/topology.hpp"
#include "messages/error.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace caf {
class actor_system_config;
} // namespace caf

namespace icto {

/// A certificate and its private key, both PEM text.
struct dev_cert {
  std::string cert_pem;
  std::string key_pem;
};

/// A self-signed development CA: EC P-256 key, CA:TRUE (path length 0),
/// keyCertSign and cRLSign, valid for 10 years from an hour ago.
/// `common_name` becomes its subject CN.
result<dev_cert> make_dev_ca(const std::string& common_name);

/// A node certificate signed by `ca`: EC P-256 key, CN = `node_name`,
/// subjectAltName = `host` (an IP address if it parses as one, else a DNS
/// name), CA:FALSE, digitalSignature, extendedKeyUsage serverAuth and
/// clientAuth, valid for 5 years from an hour ago (within the CA's 10).
result<dev_cert> make_node_cert(const dev_cert& ca,
                                const std::string& node_name,
                                const std::string& host);

/// Writes `x` to `cert_file` (0644) and `key_file` (0600), each replaced
/// atomically, creating their folders. Refuses if either file exists,
/// unless `force`.
result<unit> write_dev_cert(const dev_cert& x,
                            const std::filesystem::path& cert_file,
                            const std::filesystem::path& key_file, bool force);

/// What `make_dev_certs` does.
struct dev_certs_options {
  /// Where the files of nodes without a `tls` table go: `<node>.crt`,
  /// `<node>.key`, `ca.crt`, `ca.key`. Required if some node has none.
  std::filesystem::path out;
  /// Overwrite existing node files, and make a new CA even if one exists
  /// (unless `nodes` is given: then the existing CA is always used).
  bool force = false;
  /// Sign only these nodes (a node added later); empty means every node.
  std::vector<std::string> nodes;
};

/// Makes the development certificates of a cluster: one CA and, per node,
/// a key and a certificate signed by it (see `make_node_cert`).
///
/// Files go where each node's `tls` table says (cert, key, ca; the CA key
/// is written next to the CA certificate as `<ca stem>.key`), or, for nodes
/// without one, into `opt.out`. An existing CA (its certificate and key both
/// present) is reused to sign the nodes, so a node added to the topology
/// later is signed with `nodes = {"name"}` and the other nodes keep their
/// certificates. Every file is checked before the first is written: an
/// existing node file without `force`, or only half of an existing CA,
/// fails naming the file and writes nothing.
///
/// `report` receives a line per file written and, for nodes without a `tls`
/// table, the `tls = { cert = ..., key = ..., ca = ... }` line to add to the
/// node (paths relative to the topology file's folder when below it).
result<unit> make_dev_certs(const topology& topo, const dev_certs_options& opt,
                            std::string& report);

/// `make_dev_certs` with every node signed.
result<unit> make_dev_certs(const topology& topo,
                            const std::filesystem::path& out, bool force,
                            std::string& report);

/// Checks what CAF would otherwise only find out by throwing: the three
/// files load, the key belongs to the certificate, the certificate is valid
/// now and chains to the CA. The error names the file and the problem.
result<unit> check_tls_files(const tls_config& tls);

/// What a node shows a peer in its hello over TLS, so that a certificate of
/// the cluster's CA is bound to one node name: its certificate (PEM) and
/// its signature, made with its key, over `node_proof_context`. CAF checks
/// the TLS chain only; this check is the cluster's own.
struct node_proof {
  std::string cert_pem;
  std::string signature;
};

/// What a node signs for one peer: the cluster, its own name, its CAF node
/// id and the peer's. A proof made for one peer is worth nothing to
/// another, and a node of the cluster cannot replay another's.
std::string node_proof_context(const std::string& cluster,
                               const std::string& signer,
                               const std::string& signer_node,
                               const std::string& peer_node);

/// Signs `context` with the node's key (`tls.key`, SHA-256) and attaches
/// its certificate (the first of `tls.cert`).
result<node_proof> make_node_proof(const tls_config& tls,
                                   const std::string& context);

/// Checks a peer's proof against this node's CA (`tls.ca`): its certificate
/// chains to the CA, names `name` as its subject CN, and its key signed
/// `context`. The error says which failed (e.g. "its certificate names
/// 'intruder', not 'worker'").
result<unit> check_node_proof(const tls_config& tls, const std::string& name,
                              const std::string& context, const node_proof& p);

/// Makes a node speak BASP over TLS with these files: sets
/// openssl.certificate, openssl.key and openssl.cafile and loads
/// `caf::openssl::manager`. Peers are then reached with
/// `caf::openssl::publish` and `sys.openssl_manager().actor_handle()`
/// (`caf::openssl::remote_actor` waits forever: send that actor
/// `connect_atom, host, port` with a finite timeout instead); the plain
/// `sys.middleman().publish` / `remote_actor` still speak BASP in the clear.
/// A refused handshake answers `sec::disconnect_during_handshake`.
/// REQUIRES: `cfg.load<caf::io::middleman>()` was called before (the openssl
/// module refuses to start without it) and `cfg` is not parsed again after;
/// called once per config; the files passed `check_tls_files`.
void configure_tls(caf::actor_system_config& cfg, const tls_config& tls);

} // namespace icto
