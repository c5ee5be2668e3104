#include "node/cluster_certs.hpp"

#include "node/atomic_file.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/openssl/manager.hpp>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <utility>

namespace icto {

namespace {

namespace fs = std::filesystem;

// -- OpenSSL handles ----------------------------------------------------------

template <class T, void (*Free)(T*)>
struct openssl_deleter {
  void operator()(T* x) const {
    Free(x);
  }
};

using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO, BIO_free_all>>;
using pkey_ptr
    = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter<X509, X509_free>>;
using ext_ptr
    = std::unique_ptr<X509_EXTENSION,
                      openssl_deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using md_ctx_ptr
    = std::unique_ptr<EVP_MD_CTX, openssl_deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using bn_ptr = std::unique_ptr<BIGNUM, openssl_deleter<BIGNUM, BN_free>>;
using store_ptr
    = std::unique_ptr<X509_STORE, openssl_deleter<X509_STORE, X509_STORE_free>>;
using store_ctx_ptr
    = std::unique_ptr<X509_STORE_CTX,
                      openssl_deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;

void free_x509_stack(STACK_OF(X509) * x) {
  sk_X509_pop_free(x, X509_free);
}
using x509_stack_ptr
    = std::unique_ptr<STACK_OF(X509),
                      openssl_deleter<STACK_OF(X509), free_x509_stack>>;

/// OpenSSL's queued errors as one line (and the queue emptied).
std::string openssl_errors() {
  std::string out;
  while (auto code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty())
      out += "; ";
    out += buf;
  }
  return out.empty() ? "no detail from OpenSSL" : out;
}

/// An internal error naming the step that failed and OpenSSL's reason.
error openssl_failure(const std::string& what) {
  return make_error(system_errc::internal,
                    "OpenSSL: " + what + ": " + openssl_errors());
}

// -- building certificates ----------------------------------------------------

constexpr long ca_validity_days = 3650;
constexpr long node_validity_days = 1825;
/// notBefore lies this far in the past, for clocks slightly behind.
constexpr long backdate_seconds = 3600;

result<pkey_ptr> make_p256_key() {
  pkey_ptr key{EVP_EC_gen("P-256")};
  if (!key)
    return openssl_failure("generating an EC P-256 key");
  return key;
}

/// A random positive 127-bit serial number.
bool set_random_serial(X509* x) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1)
    return false;
  bytes[0] &= 0x7f;
  bn_ptr bn{BN_bin2bn(bytes, sizeof(bytes), nullptr)};
  return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x));
}

bool set_subject(X509* x, const std::string& organization,
                 const std::string& common_name) {
  auto* name = X509_get_subject_name(x);
  auto add = [name](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(
               name, field, MBSTRING_UTF8,
               reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0)
           == 1;
  };
  return add("O", organization) && add("CN", common_name);
}

/// Adds one extension, its value in openssl.cnf syntax ("critical,CA:TRUE").
/// REQUIRES: the issuer has its subjectKeyIdentifier when adding an
/// authorityKeyIdentifier.
bool add_extension(X509* subject, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, subject, nullptr, nullptr, 0);
  ext_ptr ext{X509V3_EXT_conf_nid(nullptr, &ctx, nid, value)};
  return ext && X509_add_ext(subject, ext.get(), -1) == 1;
}

/// A certificate with version, serial, validity, subject and public key
/// set; the issuer name and extensions are the caller's.
result<x509_ptr> make_base_cert(EVP_PKEY* key, const std::string& organization,
                                const std::string& common_name,
                                long validity_days) {
  x509_ptr x{X509_new()};
  if (!x || X509_set_version(x.get(), 2) != 1 || !set_random_serial(x.get())
      || !X509_gmtime_adj(X509_getm_notBefore(x.get()), -backdate_seconds)
      || !X509_time_adj_ex(X509_getm_notAfter(x.get()), validity_days, 0,
                           nullptr)
      || !set_subject(x.get(), organization, common_name)
      || X509_set_pubkey(x.get(), key) != 1)
    return openssl_failure("filling in the certificate of " + common_name);
  return x;
}

result<std::string> key_to_pem(EVP_PKEY* key) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  if (!bio
      || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                                  nullptr)
             != 1)
    return openssl_failure("writing a private key as PEM");
  char* data = nullptr;
  auto len = BIO_get_mem_data(bio.get(), &data);
  return std::string{data, static_cast<size_t>(len)};
}

result<std::string> cert_to_pem(X509* x) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  if (!bio || PEM_write_bio_X509(bio.get(), x) != 1)
    return openssl_failure("writing a certificate as PEM");
  char* data = nullptr;
  auto len = BIO_get_mem_data(bio.get(), &data);
  return std::string{data, static_cast<size_t>(len)};
}

result<dev_cert> to_dev_cert(X509* x, EVP_PKEY* key) {
  auto cert = cert_to_pem(x);
  if (!cert)
    return cert.err();
  auto pem = key_to_pem(key);
  if (!pem)
    return pem.err();
  return dev_cert{std::move(*cert), std::move(*pem)};
}

/// `what` names the PEM text in errors ("the CA certificate", a file name).
result<x509_ptr> parse_cert(const std::string& pem, const std::string& what) {
  bio_ptr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  x509_ptr x{bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)
                 : nullptr};
  if (!x)
    return make_error(input_errc::bad_value,
                      what + " holds no PEM certificate: " + openssl_errors());
  return x;
}

result<pkey_ptr> parse_key(const std::string& pem, const std::string& what) {
  bio_ptr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  pkey_ptr key{
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
          : nullptr};
  if (!key)
    return make_error(input_errc::bad_value,
                      what + " holds no unencrypted PEM private key: "
                          + openssl_errors());
  return key;
}

/// "IP:..." if `host` is an IPv4 or IPv6 address, else "DNS:...".
std::string subject_alt_name(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  if (inet_pton(AF_INET, host.c_str(), buf) == 1
      || inet_pton(AF_INET6, host.c_str(), buf) == 1)
    return "IP:" + host;
  return "DNS:" + host;
}

// -- files --------------------------------------------------------------------

result<std::string> read_text(const fs::path& path) {
  std::ifstream in{path};
  if (!in)
    return make_error(system_errc::unknown_target,
                      "cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

error refuse_overwrite(const fs::path& path) {
  return make_error(input_errc::bad_value,
                    path.string()
                        + " exists: refusing to overwrite it (force, or "
                          "--force, overwrites)");
}

// -- planning make_dev_certs --------------------------------------------------

/// The files of one node.
struct node_files {
  const node_config* node = nullptr;
  fs::path cert;
  fs::path key;
  /// Whether the paths come from the node's `tls` table.
  bool from_topology = false;
};

/// Every file `make_dev_certs` may write.
struct cert_plan {
  /// Distinct CA certificate paths, in node order (one unless the topology
  /// names several).
  std::vector<fs::path> ca_certs;
  /// Next to the first CA certificate.
  fs::path ca_key;
  std::vector<node_files> nodes;
};

/// `<stem>.key` next to the CA certificate.
fs::path ca_key_next_to(const fs::path& ca_cert) {
  auto name = ca_cert.stem().string();
  return ca_cert.parent_path() / ((name.empty() ? "ca" : name) + ".key");
}

bool selected(const dev_certs_options& opt, const std::string& name) {
  if (opt.nodes.empty())
    return true;
  for (auto& n : opt.nodes)
    if (n == name)
      return true;
  return false;
}

result<unit> check_selection(const topology& topo,
                             const dev_certs_options& opt) {
  for (auto& name : opt.nodes)
    if (topo.find_node(name) == nullptr)
      return make_error(input_errc::bad_value,
                        "no node named '" + name + "' in " + topo.source);
  return unit{};
}

void add_ca_cert(cert_plan& plan, const fs::path& path) {
  for (auto& x : plan.ca_certs)
    if (x == path)
      return;
  plan.ca_certs.push_back(path);
}

/// Fails if two files of the plan are one path.
result<unit> check_distinct(const cert_plan& plan) {
  std::set<fs::path> seen;
  auto add = [&seen](const fs::path& p) {
    return seen.insert(p).second;
  };
  std::vector<fs::path> all = plan.ca_certs;
  all.push_back(plan.ca_key);
  for (auto& n : plan.nodes) {
    all.push_back(n.cert);
    all.push_back(n.key);
  }
  for (auto& p : all)
    if (!add(p.lexically_normal()))
      return make_error(input_errc::bad_value,
                        p.string()
                            + " is named twice among the certificate, "
                              "key and CA files");
  return unit{};
}

result<cert_plan> plan_files(const topology& topo,
                             const dev_certs_options& opt) {
  if (auto ok = check_selection(topo, opt); !ok)
    return ok.err();
  cert_plan plan;
  for (auto& node : topo.nodes) {
    const bool has_tls = node.tls.has_value();
    if (!has_tls && opt.out.empty())
      return make_error(input_errc::bad_value,
                        "node '" + node.name
                            + "' has no tls table and no output folder was "
                              "given");
    add_ca_cert(plan, has_tls ? node.tls->ca : opt.out / "ca.crt");
    if (!selected(opt, node.name))
      continue;
    if (has_tls)
      plan.nodes.push_back({&node, node.tls->cert, node.tls->key, true});
    else
      plan.nodes.push_back({&node, opt.out / (node.name + ".crt"),
                            opt.out / (node.name + ".key"), false});
  }
  if (plan.ca_certs.empty())
    return make_error(input_errc::bad_value,
                      topo.source + " has no nodes to sign");
  plan.ca_key = ca_key_next_to(plan.ca_certs.front());
  if (auto ok = check_distinct(plan); !ok)
    return ok.err();
  return plan;
}

// -- the CA of make_dev_certs -------------------------------------------------

/// The CA to sign with and whether it was made now.
struct chosen_ca {
  dev_cert ca;
  bool made = false;
};

/// Loads an existing CA certificate and key, checking they belong together.
result<dev_cert> load_ca(const fs::path& cert_file, const fs::path& key_file) {
  auto cert = read_text(cert_file);
  if (!cert)
    return cert.err();
  auto key = read_text(key_file);
  if (!key)
    return key.err();
  auto x = parse_cert(*cert, cert_file.string());
  if (!x)
    return x.err();
  auto k = parse_key(*key, key_file.string());
  if (!k)
    return k.err();
  if (X509_check_private_key(x->get(), k->get()) != 1)
    return make_error(input_errc::bad_value,
                      key_file.string() + " is not the key of "
                          + cert_file.string() + ": " + openssl_errors());
  return dev_cert{std::move(*cert), std::move(*key)};
}

/// Reuses the CA if its certificate and key exist (and no `force` without a
/// node selection asks for a new one); else makes one. Half a CA is refused.
result<chosen_ca> choose_ca(const topology& topo, const cert_plan& plan,
                            const dev_certs_options& opt) {
  const auto& cert_file = plan.ca_certs.front();
  const bool has_cert = fs::exists(cert_file);
  const bool has_key = fs::exists(plan.ca_key);
  const bool fresh = opt.force && opt.nodes.empty();
  if (has_cert != has_key && !fresh)
    return make_error(input_errc::bad_value,
                      (has_cert ? cert_file : plan.ca_key).string()
                          + " exists but "
                          + (has_cert ? plan.ca_key : cert_file).string()
                          + " does not: cannot sign with half a CA (force "
                            "makes a new CA for every node)");
  if (has_cert && has_key && !fresh) {
    auto ca = load_ca(cert_file, plan.ca_key);
    if (!ca)
      return ca.err();
    return chosen_ca{std::move(*ca), false};
  }
  if (!opt.force)
    for (auto& p : plan.ca_certs)
      if (fs::exists(p))
        return refuse_overwrite(p);
  auto ca = make_dev_ca(topo.cluster.name + " dev CA");
  if (!ca)
    return ca.err();
  return chosen_ca{std::move(*ca), true};
}

// -- the report ---------------------------------------------------------------

/// The folder of the topology file, if the topology came from one.
fs::path topology_dir(const topology& topo) {
  std::error_code ec;
  fs::path source{topo.source};
  if (!fs::is_regular_file(source, ec))
    return {};
  return fs::absolute(source, ec).parent_path();
}

/// `p` relative to `base` if it lies below it, else as it is.
std::string shown(const fs::path& p, const fs::path& base) {
  if (base.empty() || !p.is_absolute())
    return p.string();
  auto rel = p.lexically_normal().lexically_relative(base);
  if (rel.empty() || *rel.begin() == "..")
    return p.string();
  return rel.string();
}

/// A TOML basic string.
std::string toml_quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

void report_ca(const cert_plan& plan, const chosen_ca& ca,
               std::string& report) {
  if (!ca.made) {
    report += "CA: using the existing " + plan.ca_certs.front().string()
              + " and " + plan.ca_key.string() + "\n";
    return;
  }
  for (auto& p : plan.ca_certs)
    report += "CA: wrote " + p.string() + "\n";
  report += "CA: wrote " + plan.ca_key.string()
            + " (0600): it signs nodes added later (icto cluster certs "
              "--node NAME); keep it off the nodes\n";
}

void report_node(const node_files& n, std::string& report) {
  report += n.node->name + ": wrote " + n.cert.string() + " and "
            + n.key.string() + " (0600), CN=" + n.node->name + ", SAN "
            + subject_alt_name(n.node->host) + "\n";
}

void report_tls_lines(const topology& topo, const cert_plan& plan,
                      std::string& report) {
  const auto base = topology_dir(topo);
  std::string lines;
  for (auto& n : plan.nodes) {
    if (n.from_topology)
      continue;
    lines += "  # [[node]] name = " + toml_quote(n.node->name) + "\n"
             + "  tls = { cert = " + toml_quote(shown(n.cert, base))
             + ", key = " + toml_quote(shown(n.key, base)) + ", ca = "
             + toml_quote(shown(plan.ca_certs.front(), base)) + " }\n";
  }
  if (lines.empty())
    return;
  report += "Add to each [[node]] of " + topo.source
            + " (every node needs one, or none):\n" + lines;
}

// -- check_tls_files ----------------------------------------------------------

/// Every certificate in a PEM file, in order.
result<x509_stack_ptr> read_cert_file(const fs::path& path) {
  auto text = read_text(path);
  if (!text)
    return text.err();
  bio_ptr bio{BIO_new_mem_buf(text->data(), static_cast<int>(text->size()))};
  x509_stack_ptr certs{sk_X509_new_null()};
  if (!bio || !certs)
    return openssl_failure("reading " + path.string());
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
    sk_X509_push(certs.get(), x);
  ERR_clear_error(); // the end of the file reads as an error
  if (sk_X509_num(certs.get()) == 0)
    return make_error(input_errc::bad_value,
                      path.string() + " holds no PEM certificate");
  return certs;
}

/// The unencrypted PEM private key in a file.
result<pkey_ptr> read_key_file(const fs::path& path) {
  auto text = read_text(path);
  if (!text)
    return text.err();
  return parse_key(*text, path.string());
}

/// Verifies `leaf` (with `chain` as untrusted intermediates) against the
/// CAs in `trusted` (read from `ca`) for one TLS purpose; `what` names the
/// certificate in errors.
result<unit> verify_for(X509* leaf, STACK_OF(X509) * chain,
                        STACK_OF(X509) * trusted, int purpose,
                        const std::string& what, const fs::path& ca) {
  store_ptr store{X509_STORE_new()};
  store_ctx_ptr ctx{X509_STORE_CTX_new()};
  if (!store || !ctx)
    return openssl_failure("making a certificate store");
  for (int i = 0; i < sk_X509_num(trusted); ++i)
    X509_STORE_add_cert(store.get(), sk_X509_value(trusted, i));
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, chain) != 1
      || X509_STORE_CTX_set_purpose(ctx.get(), purpose) != 1)
    return openssl_failure("setting up the verification of " + what);
  if (X509_verify_cert(ctx.get()) == 1)
    return unit{};
  auto code = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  return make_error(input_errc::bad_value,
                    what + " does not verify against " + ca.string() + " for "
                        + (purpose == X509_PURPOSE_SSL_SERVER ? "serverAuth"
                                                              : "clientAuth")
                        + ": " + X509_verify_cert_error_string(code));
}

} // namespace

// -- certificates -------------------------------------------------------------

result<dev_cert> make_dev_ca(const std::string& common_name) {
  auto key = make_p256_key();
  if (!key)
    return key.err();
  auto x = make_base_cert(key->get(), "ICTO dev", common_name,
                          ca_validity_days);
  if (!x)
    return x.err();
  X509* cert = x->get();
  if (X509_set_issuer_name(cert, X509_get_subject_name(cert)) != 1
      || !add_extension(cert, cert, NID_basic_constraints,
                        "critical,CA:TRUE,pathlen:0")
      || !add_extension(cert, cert, NID_key_usage,
                        "critical,keyCertSign,cRLSign")
      || !add_extension(cert, cert, NID_subject_key_identifier, "hash")
      || !add_extension(cert, cert, NID_authority_key_identifier,
                        "keyid:always")
      || X509_sign(cert, key->get(), EVP_sha256()) <= 0)
    return openssl_failure("making the CA " + common_name);
  return to_dev_cert(cert, key->get());
}

result<dev_cert> make_node_cert(const dev_cert& ca,
                                const std::string& node_name,
                                const std::string& host) {
  auto ca_cert = parse_cert(ca.cert_pem, "the CA certificate");
  if (!ca_cert)
    return ca_cert.err();
  auto ca_key = parse_key(ca.key_pem, "the CA key");
  if (!ca_key)
    return ca_key.err();
  auto key = make_p256_key();
  if (!key)
    return key.err();
  auto x = make_base_cert(key->get(), "ICTO dev", node_name,
                          node_validity_days);
  if (!x)
    return x.err();
  X509* cert = x->get();
  X509* issuer = ca_cert->get();
  const auto san = subject_alt_name(host);
  if (X509_set_issuer_name(cert, X509_get_subject_name(issuer)) != 1
      || !add_extension(cert, issuer, NID_basic_constraints,
                        "critical,CA:FALSE")
      || !add_extension(cert, issuer, NID_key_usage,
                        "critical,digitalSignature")
      || !add_extension(cert, issuer, NID_ext_key_usage,
                        "serverAuth,clientAuth")
      || !add_extension(cert, issuer, NID_subject_alt_name, san.c_str())
      || !add_extension(cert, issuer, NID_subject_key_identifier, "hash")
      || !add_extension(cert, issuer, NID_authority_key_identifier,
                        "keyid:always")
      || X509_sign(cert, ca_key->get(), EVP_sha256()) <= 0)
    return openssl_failure("making the certificate of node " + node_name);
  return to_dev_cert(cert, key->get());
}

result<unit> write_dev_cert(const dev_cert& x, const fs::path& cert_file,
                            const fs::path& key_file, bool force) {
  if (!force)
    for (auto* p : {&cert_file, &key_file})
      if (fs::exists(*p))
        return refuse_overwrite(*p);
  if (auto ok = write_file_atomically(key_file, x.key_pem, 0600); !ok)
    return ok;
  return write_file_atomically(cert_file, x.cert_pem, 0644);
}

// -- a cluster's certificates -------------------------------------------------

result<unit> make_dev_certs(const topology& topo, const dev_certs_options& opt,
                            std::string& report) {
  auto plan = plan_files(topo, opt);
  if (!plan)
    return plan.err();
  if (!opt.force)
    for (auto& n : plan->nodes)
      for (auto* p : {&n.cert, &n.key})
        if (fs::exists(*p))
          return refuse_overwrite(*p);
  auto ca = choose_ca(topo, *plan, opt);
  if (!ca)
    return ca.err();
  std::vector<dev_cert> certs;
  for (auto& n : plan->nodes) {
    auto x = make_node_cert(ca->ca, n.node->name, n.node->host);
    if (!x)
      return x.err();
    certs.push_back(std::move(*x));
  }
  // Everything is made and checked: only writes can fail from here on.
  if (ca->made) {
    if (auto ok = write_file_atomically(plan->ca_key, ca->ca.key_pem, 0600);
        !ok)
      return ok;
    for (auto& p : plan->ca_certs)
      if (auto ok = write_file_atomically(p, ca->ca.cert_pem, 0644); !ok)
        return ok;
  } else {
    for (auto& p : plan->ca_certs)
      if (!fs::exists(p))
        if (auto ok = write_file_atomically(p, ca->ca.cert_pem, 0644); !ok)
          return ok;
  }
  report_ca(*plan, *ca, report);
  for (size_t i = 0; i < certs.size(); ++i) {
    auto& n = plan->nodes[i];
    if (auto ok = write_dev_cert(certs[i], n.cert, n.key, true); !ok)
      return ok;
    report_node(n, report);
  }
  report_tls_lines(topo, *plan, report);
  return unit{};
}

result<unit> make_dev_certs(const topology& topo, const fs::path& out,
                            bool force, std::string& report) {
  dev_certs_options opt;
  opt.out = out;
  opt.force = force;
  return make_dev_certs(topo, opt, report);
}

// -- using them ---------------------------------------------------------------

result<unit> check_tls_files(const tls_config& tls) {
  auto chain = read_cert_file(tls.cert);
  if (!chain)
    return chain.err();
  auto trusted = read_cert_file(tls.ca);
  if (!trusted)
    return trusted.err();
  auto key = read_key_file(tls.key);
  if (!key)
    return key.err();
  // The file's first certificate is the node's; the rest are intermediates.
  x509_ptr leaf{sk_X509_shift(chain->get())};
  if (X509_check_private_key(leaf.get(), key->get()) != 1) {
    ERR_clear_error();
    return make_error(input_errc::bad_value, tls.key.string()
                                                 + " is not the key of "
                                                 + tls.cert.string());
  }
  for (int purpose : {X509_PURPOSE_SSL_SERVER, X509_PURPOSE_SSL_CLIENT})
    if (auto ok = verify_for(leaf.get(), chain->get(), trusted->get(), purpose,
                             tls.cert.string(), tls.ca);
        !ok)
      return ok;
  return unit{};
}

std::string node_proof_context(const std::string& cluster,
                               const std::string& signer,
                               const std::string& signer_node,
                               const std::string& peer_node) {
  return "icto node proof v1\ncluster " + cluster + "\nnode " + signer
         + "\nnode id " + signer_node + "\nfor " + peer_node + "\n";
}

result<node_proof> make_node_proof(const tls_config& tls,
                                   const std::string& context) {
  auto cert = read_text(tls.cert);
  if (!cert)
    return cert.err();
  auto key = read_key_file(tls.key);
  if (!key)
    return key.err();
  md_ctx_ptr md{EVP_MD_CTX_new()};
  size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(context.data());
  if (!md
      || EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr,
                            key->get())
             != 1
      || EVP_DigestSign(md.get(), nullptr, &len, data, context.size()) != 1)
    return openssl_failure("signing with " + tls.key.string());
  std::string sig(len, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()),
                     &len, data, context.size())
      != 1)
    return openssl_failure("signing with " + tls.key.string());
  sig.resize(len);
  return node_proof{std::move(*cert), std::move(sig)};
}

result<unit> check_node_proof(const tls_config& tls, const std::string& name,
                              const std::string& context, const node_proof& p) {
  if (p.cert_pem.empty() || p.signature.empty())
    return make_error(input_errc::bad_value,
                      "it shows no certificate of its name");
  auto leaf = parse_cert(p.cert_pem, "its certificate");
  if (!leaf)
    return leaf.err();
  auto trusted = read_cert_file(tls.ca);
  if (!trusted)
    return trusted.err();
  // A node's certificate serves both ends of BASP over TLS
  // (check_tls_files); a peer's proof is checked as a client's.
  if (auto ok = verify_for(leaf->get(), nullptr, trusted->get(),
                           X509_PURPOSE_SSL_CLIENT, "its certificate", tls.ca);
      !ok)
    return ok;
  char cn[256] = {0};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(leaf->get()),
                                NID_commonName, cn, sizeof(cn))
      < 0) {
    ERR_clear_error();
    return make_error(input_errc::bad_value,
                      "its certificate has no common name");
  }
  if (name != cn)
    return make_error(input_errc::bad_value, "its certificate names '"
                                                 + std::string{cn} + "', not '"
                                                 + name + "'");
  md_ctx_ptr md{EVP_MD_CTX_new()};
  const auto* data = reinterpret_cast<const unsigned char*>(context.data());
  const auto* sig = reinterpret_cast<const unsigned char*>(p.signature.data());
  if (!md
      || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr,
                              X509_get0_pubkey(leaf->get()))
             != 1
      || EVP_DigestVerify(md.get(), sig, p.signature.size(), data,
                          context.size())
             != 1) {
    ERR_clear_error();
    return make_error(input_errc::bad_value,
                      "its signature does not match its certificate (a "
                      "replayed or forged hello)");
  }
  return unit{};
}

void configure_tls(caf::actor_system_config& cfg, const tls_config& tls) {
  cfg.openssl_certificate = tls.cert.string();
  cfg.openssl_key = tls.key.string();
  cfg.openssl_cafile = tls.ca.string();
  cfg.load<caf::openssl::manager>();
}

} // namespace icto
