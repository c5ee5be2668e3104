#pragma once

// A real `ictod` process for end-to-end tests: started on a free port with
// its stdout read up to the ready line, stopped with a signal, its exit
// observed.

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace icto::test {

class ictod_process {
 public:
  ictod_process() = default;
  ictod_process(const ictod_process&) = delete;
  ictod_process& operator=(const ictod_process&) = delete;

  ~ictod_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  /// Starts `bin --config CONFIG --node NODE --http-port 0 --data-dir DIR
  /// --log-level warn` and `extra`, stderr to `log_file`. Returns the ready
  /// line, or what it printed instead if it exited first (then running() is
  /// false).
  std::string start(const std::string& bin, const std::string& config,
                    const std::string& node, const std::string& data_dir,
                    const std::string& log_file,
                    const std::vector<std::string>& extra = {}) {
    int out[2];
    if (::pipe(out) != 0)
      return "pipe failed";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addopen(&fa, 2, log_file.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::vector<std::string> args
        = {bin, "--config",   config,   "--node",      node,  "--http-port",
           "0", "--data-dir", data_dir, "--log-level", "info"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, bin.c_str(), &fa, nullptr, argv.data(),
                         environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      pid_ = -1;
      return "posix_spawn failed";
    }
    std::string line;
    char c = 0;
    while (::read(out[0], &c, 1) == 1 && c != '\n')
      line.push_back(c);
    ::close(out[0]);
    auto pos = line.find("ready on http://");
    if (pos == std::string::npos) {
      wait_exit(std::chrono::seconds{10});
      return line;
    }
    url_ = line.substr(pos + 9);
    return line;
  }

  bool running() const {
    return pid_ > 0;
  }

  const std::string& url() const {
    return url_;
  }

  /// Sends `sig` and waits up to `limit` for the exit. Returns the wait
  /// status, or -1 if it did not exit in time (then it is killed).
  int stop(int sig,
           std::chrono::milliseconds limit = std::chrono::seconds{10}) {
    if (pid_ <= 0)
      return status_;
    ::kill(pid_, sig);
    return wait_exit(limit);
  }

  /// The wait status of the last exit.
  int status() const {
    return status_;
  }

 private:
  int wait_exit(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int st = 0;
    pid_t done = 0;
    while ((done = ::waitpid(pid_, &st, WNOHANG)) == 0
           && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    if (done != pid_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      st = -1;
    }
    pid_ = -1;
    status_ = st;
    return st;
  }

  pid_t pid_ = -1;
  int status_ = 0;
  std::string url_;
};

} // namespace icto::test
