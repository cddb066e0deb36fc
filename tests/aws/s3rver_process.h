// Runs the real @20minutes/s3rver (npm, pinned in local/package.json) as a child process for the
// S3 client tests: a unique temp directory, an OS-chosen port, bounded start-up wait, and a
// guaranteed stop (SIGTERM, then SIGKILL) when the object goes away.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace imgpipe::aws::testing {

class S3rverProcess {
 public:
  explicit S3rverProcess(const std::vector<std::string>& buckets) {
    const std::string source = IMGPIPE_SOURCE_DIR;
    const std::string modules = source + "/local/node_modules";
    if (!std::filesystem::exists(modules + "/@20minutes/s3rver")) {
      throw std::runtime_error(modules + "/@20minutes/s3rver is missing: run (cd local && npm ci)");
    }
    std::string tmpl = (std::filesystem::temp_directory_path() / "imgpipe-s3rver-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;

    int out[2], in[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::vector<std::string> args = {"node", source + "/tests/aws/s3rver_main.js", modules, dir_};
    args.insert(args.end(), buckets.begin(), buckets.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawnp(&pid_, "node", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    stdin_fd_ = in[1];  // closed in the destructor: the server exits when it sees EOF
    if (rc != 0) {
      ::close(out[0]);
      pid_ = -1;
      throw std::runtime_error("could not start node (is it on PATH?)");
    }
    port_ = WaitForPort(out[0]);
    ::close(out[0]);
    if (port_ <= 0) {
      Stop();
      throw std::runtime_error("s3rver did not report a port within 20 s");
    }
  }

  ~S3rverProcess() { Stop(); }
  S3rverProcess(const S3rverProcess&) = delete;
  S3rverProcess& operator=(const S3rverProcess&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& data_dir() const { return dir_; }

 private:
  static int WaitForPort(int fd) {
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[256];
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) return -1;  // the child exited
      text.append(buf, static_cast<size_t>(n));
      const size_t at = text.find("LISTENING ");
      if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
        return std::atoi(text.c_str() + at + 10);
      }
    }
    return -1;
  }

  void Stop() {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    stdin_fd_ = -1;
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 50; ++i) {  // up to 5 s, then force
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
      }
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      dir_.clear();
    }
  }

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int port_ = -1;
  std::string dir_;
};

}  // namespace imgpipe::aws::testing
