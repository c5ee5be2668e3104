// Runs the real `icto` binary as a user would and checks what it prints and
// its exit code: 0 on success, 1 on bad input, 2 on bad usage.

#include "tests/node/run_command.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

const std::filesystem::path icto_bin = ICTO_BINARY;
const std::filesystem::path source_dir = ICTO_SOURCE_DIR;

struct run_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `icto ARGS` through the shell, stderr captured in a temp file.
run_result run_icto(const std::string& args) {
  char err_name[] = "/tmp/icto_cli_test_XXXXXX";
  int fd = mkstemp(err_name);
  EXPECT_GE(fd, 0);
  close(fd);
  const std::string cmd = icto_bin.string() + " " + args + " 2>" + err_name;
  auto ran = icto::test::run_command(cmd);
  run_result r;
  r.exit_code = ran.exit_code;
  r.out = std::move(ran.out);
  std::ifstream in{err_name};
  std::ostringstream err;
  err << in.rdbuf();
  r.err = err.str();
  std::filesystem::remove(err_name);
  return r;
}

} // namespace

TEST(icto_cli, principal_text_prints_one_json_object) {
  auto r = run_icto("principal aaaaa-aa");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"hex":"","kind":"management","text":"aaaaa-aa"})"
                   "\n");
  EXPECT_EQ(r.err, "");
  r = run_icto("principal 2vxsx-fae");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"hex":"04","kind":"anonymous","text":"2vxsx-fae"})"
                   "\n");
}

TEST(icto_cli, principal_from_hex_gives_the_canister_id_form) {
  // Canister id 0 of the IC: 8 zero bytes then 0x01 0x01.
  auto r = run_icto("principal --from-hex 00000000000000000101");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"hex":"00000000000000000101","kind":"opaque",)"
                   R"("text":"rwlgt-iiaaa-aaaaa-aaaaa-cai"})"
                   "\n");
}

TEST(icto_cli, bad_principal_exits_1_with_the_reason_on_stderr) {
  auto r = run_icto("principal rwlgt-iiaaa-aaaaa-aaaaa-caa");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("checksum"), std::string::npos) << r.err;
  r = run_icto("principal --from-hex 0g");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("icto principal:"), std::string::npos) << r.err;
}

TEST(icto_cli, bad_usage_exits_2) {
  EXPECT_EQ(run_icto("").exit_code, 2);
  EXPECT_EQ(run_icto("principal").exit_code, 2);
  EXPECT_EQ(run_icto("principal aaaaa-aa --from-hex 04").exit_code, 2);
  EXPECT_EQ(run_icto("no-such-command").exit_code, 2);
}

TEST(icto_cli, config_check_accepts_shipped_and_refuses_broken_files) {
  auto r = run_icto("config check "
                    + (source_dir / "config/single-node.toml").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("valid"), std::string::npos) << r.out;
  const auto bad = std::filesystem::temp_directory_path()
                   / ("icto_cli_bad_" + std::to_string(getpid()) + ".toml");
  {
    std::ofstream f{bad};
    f << "[cluster]\nname = \"x\"\nno_such_key = 1\n";
  }
  r = run_icto("config check " + bad.string());
  std::filesystem::remove(bad);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no_such_key"), std::string::npos) << r.err;
}

TEST(icto_cli, methods_lists_public_methods_and_shapes) {
  auto r = run_icto("methods ledger");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("update  icrc1_transfer(transfer_arg) -> "
                       "result<uint64>\n"),
            std::string::npos)
      << r.out;
  r = run_icto("methods token_factory");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("createContract"), std::string::npos)
      << "internal methods are not listed: " << r.out;
  r = run_icto("methods ledger icrc1_balance_of");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("account = {\n  owner: principal,\n  subaccount: "
                       "optional<blob>\n}"),
            std::string::npos)
      << r.out;
  r = run_icto("methods dao vote");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run_icto("methods ledger no_such_method");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no_such_method"), std::string::npos) << r.err;
  r = run_icto("methods nowhere");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'nowhere'"), std::string::npos) << r.err;
}
