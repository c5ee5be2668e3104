#pragma once

// Runs a shell command for the tests that drive the real binaries: its
// stdout and how it exited.

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace icto::test {

struct command_result {
  /// The exit status, or -1 if the command did not exit normally (or could
  /// not be started).
  int exit_code = -1;
  std::string out;
};

/// Runs `cmd` through /bin/sh and collects its standard output.
inline command_result run_command(const std::string& cmd) {
  command_result r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr)
    return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
    r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

} // namespace icto::test
