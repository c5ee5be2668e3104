// The dev certificates of `icto cluster certs` (node/cluster_certs.hpp) and
// BASP over TLS with them: two CAF actor systems in one process talk over
// 127.0.0.1 when both hold certificates of the cluster CA, and a node
// refuses every stranger (a certificate of another CA, anonymous TLS, plain
// BASP). Connects are bounded by a request timeout so that a refusal that
// CAF never reports fails the test instead of hanging it.

#include "config/load_topology.hpp"
#include "node/cluster_certs.hpp"
#include "run_command.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// How long a connect or a call may take before it counts as hanging; a
/// bound against hangs, not a speed check.
constexpr auto hang_bound = std::chrono::seconds(20);

/// A fresh folder under the system's temp folder, removed at the end.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern
        = (fs::temp_directory_path() / "cluster_tls_test_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const fs::path& path() const {
    return path_;
  }

 private:
  fs::path path_;
};

std::string read_text(const fs::path& p) {
  std::ifstream in{p};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out{p};
  out << text;
}

fs::perms mode_of(const fs::path& p) {
  return fs::status(p).permissions() & fs::perms::mask;
}

const fs::path local3_file = fs::path{ICTO_SOURCE_DIR} / "config"
                             / "local-3.toml";

icto::topology load(const fs::path& file) {
  auto topo = icto::load_topology(file);
  if (!topo)
    throw std::runtime_error(file.string() + ": "
                             + topo.errors().front().to_string());
  return std::move(topo).value();
}

/// local-3.toml with a `tls` table on every node, its files in `tls/` of
/// the folder it is loaded against (the CA as `tls/cluster-ca.pem`).
std::string local3_with_tls_tables() {
  auto text = read_text(local3_file);
  auto first_node = text.find("[[node]]");
  std::regex name_line{"\nname = \"([a-z]+)\"\n"};
  return text.substr(0, first_node)
         + std::regex_replace(text.substr(first_node), name_line,
                              "\nname = \"$1\"\ntls = { cert = "
                              "\"tls/$1.pem\", key = \"tls/$1-key.pem\", "
                              "ca = \"tls/cluster-ca.pem\" }\n");
}

icto::tls_config files_in(const fs::path& dir, const std::string& node) {
  return {dir / (node + ".crt"), dir / (node + ".key"), dir / "ca.crt"};
}

// -- reading certificates back ------------------------------------------------

struct x509_free_fn {
  void operator()(X509* x) const {
    X509_free(x);
  }
};
using x509_ptr = std::unique_ptr<X509, x509_free_fn>;

x509_ptr parse_pem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  x509_ptr x{PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)};
  BIO_free(bio);
  return x;
}

std::string common_name(X509* x) {
  char buf[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf,
                            sizeof(buf));
  return buf;
}

// -- certificates ------------------------------------------------------------

TEST(dev_certs, a_node_certificate_is_what_tls_between_nodes_needs) {
  auto ca = icto::make_dev_ca("test CA");
  ASSERT_TRUE(ca) << ca.err().message;
  auto node = icto::make_node_cert(*ca, "worker", "127.0.0.1");
  ASSERT_TRUE(node) << node.err().message;
  auto ca_x = parse_pem(ca->cert_pem);
  auto node_x = parse_pem(node->cert_pem);
  ASSERT_TRUE(ca_x && node_x);
  EXPECT_EQ(X509_check_ca(ca_x.get()), 1);
  EXPECT_EQ(X509_check_ca(node_x.get()), 0);
  EXPECT_EQ(common_name(ca_x.get()), "test CA");
  EXPECT_EQ(common_name(node_x.get()), "worker");
  EXPECT_EQ(X509_check_ip_asc(node_x.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_purpose(node_x.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
  EXPECT_EQ(X509_check_purpose(node_x.get(), X509_PURPOSE_SSL_CLIENT, 0), 1);
  EXPECT_EQ(X509_check_issued(ca_x.get(), node_x.get()), X509_V_OK);
  // A host name goes into the SAN as a DNS name.
  auto named = icto::make_node_cert(*ca, "gw", "gw.cluster.local");
  ASSERT_TRUE(named);
  auto named_x = parse_pem(named->cert_pem);
  EXPECT_EQ(X509_check_host(named_x.get(), "gw.cluster.local", 0, 0, nullptr),
            1);
}

TEST(dev_certs, writes_a_ca_and_each_node_into_out_and_says_what_to_add) {
  temp_dir tmp;
  auto topo = load(local3_file);
  std::string report;
  auto ok = icto::make_dev_certs(topo, tmp.path(), false, report);
  ASSERT_TRUE(ok) << ok.err().message;
  EXPECT_EQ(mode_of(tmp.path() / "ca.key"),
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_TRUE(fs::exists(tmp.path() / "ca.crt"));
  for (auto& node : topo.nodes) {
    auto files = files_in(tmp.path(), node.name);
    EXPECT_EQ(mode_of(files.key),
              fs::perms::owner_read | fs::perms::owner_write)
        << files.key;
    auto checked = icto::check_tls_files(files);
    EXPECT_TRUE(checked) << node.name << ": " << checked.err().message;
    EXPECT_NE(report.find("# [[node]] name = \"" + node.name
                          + "\"\n  tls = "
                            "{ cert = \""
                          + files.cert.string() + "\", key = \""
                          + files.key.string() + "\", ca = \""
                          + files.ca.string() + "\" }"),
              std::string::npos)
        << report;
  }
}

TEST(dev_certs, refuses_to_overwrite_without_force_naming_the_file) {
  temp_dir tmp;
  auto topo = load(local3_file);
  std::string report;
  ASSERT_TRUE(icto::make_dev_certs(topo, tmp.path(), false, report));
  const auto ca_before = read_text(tmp.path() / "ca.crt");
  const auto gateway_before = read_text(tmp.path() / "gateway.crt");
  auto again = icto::make_dev_certs(topo, tmp.path(), false, report);
  ASSERT_FALSE(again);
  EXPECT_NE(again.err().message.find((tmp.path() / "gateway.crt").string()),
            std::string::npos)
      << again.err().message;
  EXPECT_EQ(read_text(tmp.path() / "gateway.crt"), gateway_before);
  // --force makes everything anew, the CA too.
  auto forced = icto::make_dev_certs(topo, tmp.path(), true, report);
  ASSERT_TRUE(forced) << forced.err().message;
  EXPECT_NE(read_text(tmp.path() / "ca.crt"), ca_before);
  EXPECT_NE(read_text(tmp.path() / "gateway.crt"), gateway_before);
  EXPECT_TRUE(icto::check_tls_files(files_in(tmp.path(), "gateway")));
}

TEST(dev_certs, a_node_added_later_is_signed_by_the_existing_ca) {
  temp_dir tmp;
  auto topo = load(local3_file);
  std::string report;
  ASSERT_TRUE(icto::make_dev_certs(topo, tmp.path(), false, report));
  const auto ca_before = read_text(tmp.path() / "ca.crt");
  const auto gateway_before = read_text(tmp.path() / "gateway.crt");
  fs::remove(tmp.path() / "worker.crt");
  fs::remove(tmp.path() / "worker.key");
  icto::dev_certs_options opt;
  opt.out = tmp.path();
  opt.nodes = {"worker"};
  report.clear();
  auto ok = icto::make_dev_certs(topo, opt, report);
  ASSERT_TRUE(ok) << ok.err().message;
  EXPECT_NE(report.find("using the existing"), std::string::npos) << report;
  EXPECT_EQ(read_text(tmp.path() / "ca.crt"), ca_before);
  EXPECT_EQ(read_text(tmp.path() / "gateway.crt"), gateway_before);
  EXPECT_TRUE(icto::check_tls_files(files_in(tmp.path(), "worker")));
  opt.nodes = {"nobody"};
  auto unknown = icto::make_dev_certs(topo, opt, report);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.err().message.find("nobody"), std::string::npos);
}

TEST(dev_certs, half_a_ca_is_refused) {
  temp_dir tmp;
  auto topo = load(local3_file);
  std::string report;
  ASSERT_TRUE(icto::make_dev_certs(topo, tmp.path(), false, report));
  fs::remove(tmp.path() / "ca.key");
  fs::remove(tmp.path() / "worker.crt");
  fs::remove(tmp.path() / "worker.key");
  icto::dev_certs_options opt;
  opt.out = tmp.path();
  opt.nodes = {"worker"};
  auto half = icto::make_dev_certs(topo, opt, report);
  ASSERT_FALSE(half);
  EXPECT_NE(half.err().message.find((tmp.path() / "ca.key").string()),
            std::string::npos)
      << half.err().message;
  EXPECT_FALSE(fs::exists(tmp.path() / "worker.crt"));
}

TEST(dev_certs, files_go_where_the_tls_tables_say) {
  temp_dir tmp;
  write_text(tmp.path() / "cluster.toml", local3_with_tls_tables());
  auto topo = load(tmp.path() / "cluster.toml");
  ASSERT_TRUE(topo.nodes.front().tls);
  std::string report;
  auto ok = icto::make_dev_certs(topo, fs::path{}, false, report);
  ASSERT_TRUE(ok) << ok.err().message;
  const auto dir = tmp.path() / "tls";
  EXPECT_TRUE(fs::exists(dir / "cluster-ca.pem"));
  EXPECT_EQ(mode_of(dir / "cluster-ca.key"),
            fs::perms::owner_read | fs::perms::owner_write);
  for (auto& node : topo.nodes) {
    EXPECT_EQ(node.tls->cert, dir / (node.name + ".pem"));
    auto checked = icto::check_tls_files(*node.tls);
    EXPECT_TRUE(checked) << node.name << ": " << checked.err().message;
  }
  EXPECT_EQ(report.find("tls = {"), std::string::npos) << report;
}

TEST(dev_certs, check_tls_files_names_what_is_wrong) {
  temp_dir tmp;
  auto topo = load(local3_file);
  std::string report;
  ASSERT_TRUE(icto::make_dev_certs(topo, tmp.path(), false, report));
  // A certificate of another CA.
  auto other_ca = icto::make_dev_ca("stranger CA");
  ASSERT_TRUE(other_ca);
  write_text(tmp.path() / "other-ca.crt", other_ca->cert_pem);
  auto files = files_in(tmp.path(), "gateway");
  files.ca = tmp.path() / "other-ca.crt";
  auto wrong_ca = icto::check_tls_files(files);
  ASSERT_FALSE(wrong_ca);
  EXPECT_NE(wrong_ca.err().message.find("does not verify against"),
            std::string::npos)
      << wrong_ca.err().message;
  // Another node's key.
  files = files_in(tmp.path(), "gateway");
  files.key = tmp.path() / "worker.key";
  auto wrong_key = icto::check_tls_files(files);
  ASSERT_FALSE(wrong_key);
  EXPECT_NE(wrong_key.err().message.find("is not the key of"),
            std::string::npos)
      << wrong_key.err().message;
  // A file that is missing.
  files = files_in(tmp.path(), "nobody");
  auto missing = icto::check_tls_files(files);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.err().message.find("nobody.crt"), std::string::npos);
}

// -- node proofs: a certificate bound to a node name -------------------------

TEST(node_proof, binds_a_certificate_of_the_ca_to_its_node_name) {
  temp_dir tmp;
  auto topo = load(local3_file);
  std::string report;
  ASSERT_TRUE(icto::make_dev_certs(topo, tmp.path(), false, report));
  const auto gateway = files_in(tmp.path(), "gateway");
  const auto worker = files_in(tmp.path(), "worker");
  const auto context = icto::node_proof_context("icto-local", "worker",
                                                "node-w", "node-g");
  auto proof = icto::make_node_proof(worker, context);
  ASSERT_TRUE(proof) << proof.err().message;
  // The gateway checks it with its own CA file.
  auto ok = icto::check_node_proof(gateway, "worker", context, *proof);
  EXPECT_TRUE(ok) << ok.err().message;
  // The worker's certificate is no proof of another name.
  auto other_name = icto::check_node_proof(gateway, "factories", context,
                                           *proof);
  ASSERT_FALSE(other_name);
  EXPECT_NE(other_name.err().message.find(
                "its certificate names 'worker', not 'factories'"),
            std::string::npos)
      << other_name.err().message;
  // A proof made for another peer (or replayed) does not match.
  const auto elsewhere = icto::node_proof_context("icto-local", "worker",
                                                  "node-w", "node-f");
  auto replayed = icto::check_node_proof(gateway, "worker", elsewhere, *proof);
  ASSERT_FALSE(replayed);
  EXPECT_NE(replayed.err().message.find("signature does not match"),
            std::string::npos)
      << replayed.err().message;
  // A signature by another key under the worker's certificate.
  auto forged = icto::make_node_proof(files_in(tmp.path(), "factories"),
                                      context);
  ASSERT_TRUE(forged);
  forged->cert_pem = proof->cert_pem;
  EXPECT_FALSE(icto::check_node_proof(gateway, "worker", context, *forged));
  // No proof at all (a node without TLS settings).
  auto none = icto::check_node_proof(gateway, "worker", context, {});
  ASSERT_FALSE(none);
  EXPECT_NE(none.err().message.find("no certificate"), std::string::npos);
  // A certificate of another CA, with its own key's signature.
  auto other_ca = icto::make_dev_ca("stranger CA");
  ASSERT_TRUE(other_ca);
  auto stranger = icto::make_node_cert(*other_ca, "worker", "127.0.0.1");
  ASSERT_TRUE(stranger);
  ASSERT_TRUE(icto::write_dev_cert(*stranger, tmp.path() / "s.crt",
                                   tmp.path() / "s.key", false));
  auto strange = icto::make_node_proof(
      {tmp.path() / "s.crt", tmp.path() / "s.key", tmp.path() / "ca.crt"},
      context);
  ASSERT_TRUE(strange);
  auto refused = icto::check_node_proof(gateway, "worker", context, *strange);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.err().message.find("does not verify against"),
            std::string::npos)
      << refused.err().message;
}

// -- the command --------------------------------------------------------------

/// Runs `icto ARGS`, stderr folded into the output.
icto::test::command_result icto_cmd(const std::string& args) {
  return icto::test::run_command(std::string{ICTO_BINARY} + " " + args
                                 + " 2>&1");
}

TEST(icto_cluster_certs, writes_next_to_the_config_and_refuses_a_second_run) {
  temp_dir tmp;
  const auto config = tmp.path() / "local-3.toml";
  fs::copy_file(local3_file, config);
  auto first = icto_cmd("cluster certs --config " + config.string());
  ASSERT_EQ(first.exit_code, 0) << first.out;
  EXPECT_NE(first.out.find("tls = { cert = \"certs/gateway.crt\", key = "
                           "\"certs/gateway.key\", ca = \"certs/ca.crt\" }"),
            std::string::npos)
      << first.out;
  EXPECT_TRUE(
      icto::check_tls_files(files_in(tmp.path() / "certs", "factories")));
  auto second = icto_cmd("cluster certs --config " + config.string());
  EXPECT_EQ(second.exit_code, 1) << second.out;
  EXPECT_NE(second.out.find("exists"), std::string::npos) << second.out;
  auto forced = icto_cmd("cluster certs --force --config " + config.string());
  EXPECT_EQ(forced.exit_code, 0) << forced.out;
}

// -- BASP over TLS ------------------------------------------------------------

/// How a test node speaks BASP.
enum class transport {
  /// caf::openssl with the node's certificate, key and CA
  /// (icto::configure_tls).
  tls,
  /// caf::openssl without any file: anonymous TLS, no certificate.
  anonymous_tls,
  /// The plain middleman.
  plain,
};

/// One CAF actor system with a middleman, as an ictod has it.
class test_node {
 public:
  explicit test_node(transport how, const icto::tls_config& tls = {})
      : how_(how), sys_(setup(cfg_, how, tls)) {
    // nop
  }

  caf::actor_system& sys() {
    return sys_;
  }

  /// The middleman actor that connects and publishes the way `how` says.
  caf::io::middleman_actor middleman() {
    if (how_ == transport::plain)
      return sys_.middleman().actor_handle();
    return sys_.openssl_manager().actor_handle();
  }

 private:
  static caf::actor_system_config& setup(caf::actor_system_config& cfg,
                                         transport how,
                                         const icto::tls_config& tls) {
    cfg.load<caf::io::middleman>();
    if (how == transport::tls)
      icto::configure_tls(cfg, tls);
    else if (how == transport::anonymous_tls)
      cfg.load<caf::openssl::manager>();
    cfg.set("scheduler.max-threads", size_t{2});
    cfg.set("middleman.workers", size_t{0});
    cfg.set("middleman.heartbeat-interval", caf::timespan{200ms});
    cfg.set("middleman.connection-timeout", caf::timespan{2s});
    return cfg;
  }

  transport how_;
  caf::actor_system_config cfg_;
  caf::actor_system sys_;
};

caf::behavior increment() {
  return {[](int x) {
    return x + 1;
  }};
}

/// What the connect_atom request answered: the remote actor or the error.
struct connect_result {
  caf::actor remote;
  caf::error err;
};

/// CAF's remote_actor with a finite wait: the same connect_atom request to
/// the middleman actor, with `hang_bound` instead of `infinite`.
connect_result connect(test_node& client, uint16_t port) {
  connect_result out;
  caf::scoped_actor self{client.sys()};
  self->request(client.middleman(), hang_bound, caf::connect_atom::value,
                std::string{"127.0.0.1"}, port)
      .receive(
          [&](const caf::node_id&, caf::strong_actor_ptr& ptr,
              const std::set<std::string>&) {
            if (ptr)
              out.remote = caf::actor_cast<caf::actor>(std::move(ptr));
            else
              out.err = caf::sec::no_actor_published_at_port;
          },
          [&](caf::error& err) {
            out.err = std::move(err);
          });
  return out;
}

/// One request/reply round trip to `remote`; the answer or -1.
int call(test_node& client, const caf::actor& remote, int x) {
  int answer = -1;
  caf::scoped_actor self{client.sys()};
  self->request(remote, hang_bound, x)
      .receive(
          [&](int y) {
            answer = y;
          },
          [&](caf::error& err) {
            ADD_FAILURE() << "call: " << client.sys().render(err);
          });
  return answer;
}

/// A cluster CA with nodes "server" and "client", and a stranger CA with a
/// node "client" of its own, all in a temp folder.
class basp_over_tls : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = icto::make_dev_ca("cluster CA");
    ASSERT_TRUE(ca);
    auto server = icto::make_node_cert(*ca, "server", "127.0.0.1");
    auto client = icto::make_node_cert(*ca, "client", "127.0.0.1");
    auto stranger_ca = icto::make_dev_ca("stranger CA");
    ASSERT_TRUE(server && client && stranger_ca);
    auto stranger = icto::make_node_cert(*stranger_ca, "client", "127.0.0.1");
    ASSERT_TRUE(stranger);
    const auto& dir = tmp_.path();
    write_text(dir / "ca.crt", ca->cert_pem);
    write_text(dir / "stranger-ca.crt", stranger_ca->cert_pem);
    ASSERT_TRUE(icto::write_dev_cert(*server, dir / "server.crt",
                                     dir / "server.key", false));
    ASSERT_TRUE(icto::write_dev_cert(*client, dir / "client.crt",
                                     dir / "client.key", false));
    ASSERT_TRUE(icto::write_dev_cert(*stranger, dir / "stranger.crt",
                                     dir / "stranger.key", false));
    server_files_ = files_in(dir, "server");
    client_files_ = files_in(dir, "client");
    ASSERT_TRUE(icto::check_tls_files(server_files_));
    ASSERT_TRUE(icto::check_tls_files(client_files_));
    server_ = std::make_unique<test_node>(transport::tls, server_files_);
    actor_ = server_->sys().spawn(increment);
    auto port = caf::openssl::publish(actor_, 0, "127.0.0.1", true);
    ASSERT_TRUE(port) << server_->sys().render(port.error());
    port_ = *port;
  }

  void TearDown() override {
    if (actor_)
      caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown);
  }

  /// Connects a client and expects a refusal: an error other than the
  /// hang bound running out.
  void expect_refused(test_node& client) {
    auto r = connect(client, port_);
    ASSERT_FALSE(r.remote) << "a stranger got the published actor";
    EXPECT_NE(r.err, caf::sec::request_timeout)
        << "the refusal was never reported, the connect hung";
    std::cout << "refused with: " << client.sys().render(r.err) << '\n';
  }

  /// The cluster still serves its own after refusing a stranger.
  void expect_member_still_served() {
    test_node member{transport::tls, client_files_};
    auto r = connect(member, port_);
    ASSERT_TRUE(r.remote) << member.sys().render(r.err);
    EXPECT_EQ(call(member, r.remote, 1), 2);
  }

  temp_dir tmp_;
  icto::tls_config server_files_;
  icto::tls_config client_files_;
  std::unique_ptr<test_node> server_;
  caf::actor actor_;
  uint16_t port_ = 0;
};

TEST_F(basp_over_tls, a_node_of_the_cluster_ca_calls_across) {
  test_node client{transport::tls, client_files_};
  auto r = connect(client, port_);
  ASSERT_TRUE(r.remote) << client.sys().render(r.err);
  EXPECT_NE(r.remote.node(), client.sys().node());
  EXPECT_EQ(call(client, r.remote, 41), 42);
  EXPECT_EQ(call(client, r.remote, 1), 2);
}

TEST_F(basp_over_tls, a_certificate_of_another_ca_is_refused) {
  // The stranger trusts only its own CA: both sides refuse.
  test_node stranger{transport::tls,
                     {tmp_.path() / "stranger.crt",
                      tmp_.path() / "stranger.key",
                      tmp_.path() / "stranger-ca.crt"}};
  expect_refused(stranger);
  expect_member_still_served();
}

TEST_F(basp_over_tls, a_stranger_that_trusts_the_cluster_ca_is_refused) {
  // The cluster CA's certificate is no secret: a stranger with it accepts
  // the server, so only the server's check of the client can refuse.
  test_node stranger{transport::tls,
                     {tmp_.path() / "stranger.crt",
                      tmp_.path() / "stranger.key", tmp_.path() / "ca.crt"}};
  expect_refused(stranger);
  expect_member_still_served();
}

TEST_F(basp_over_tls, anonymous_tls_without_a_certificate_is_refused) {
  test_node stranger{transport::anonymous_tls};
  expect_refused(stranger);
  expect_member_still_served();
}

TEST_F(basp_over_tls, plain_basp_is_refused) {
  test_node stranger{transport::plain};
  expect_refused(stranger);
  expect_member_still_served();
}

} // namespace
