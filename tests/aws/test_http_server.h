// Test-only network helpers on 127.0.0.1, all on ephemeral ports and stoppable:
//  - TestHttpServer: a tiny HTTP/1.1 server (keep-alive, Content-Length bodies) whose answers come
//    from a handler, recording every request for assertions. Used as a Lambda Runtime API.
//  - FaultProxy: a TCP proxy whose first N connections fail in a chosen way (HTTP 500/503, or a
//    TCP reset) and whose later connections are piped to an upstream (the S3 server).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace imgpipe::aws::testing {

struct RecordedRequest {
  std::string method;
  std::string target;                          // path and query as sent
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

inline int ListenOnLoopback(int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // the kernel picks a free port: safe under ctest -j
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    throw std::runtime_error("bind/listen on 127.0.0.1 failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

inline bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Closes with RST instead of FIN: what a crashed or overloaded peer looks like to the client.
inline void ResetConnection(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

// Reads one request (headers + Content-Length body) from fd, using and refilling `buffer`.
// Returns nullopt on EOF or error.
inline std::optional<RecordedRequest> ReadRequest(int fd, std::string& buffer) {
  auto fill = [&]() {
    char chunk[65536];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  };
  size_t end;
  while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  RecordedRequest req;
  const std::string head = buffer.substr(0, end);
  size_t line_end = head.find("\r\n");
  const std::string request_line = head.substr(0, line_end);
  const size_t sp1 = request_line.find(' ');
  const size_t sp2 = request_line.rfind(' ');
  if (sp1 == std::string::npos || sp2 <= sp1) return std::nullopt;
  req.method = request_line.substr(0, sp1);
  req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t next = head.find("\r\n", pos);
    if (next == std::string::npos) next = head.size();
    const std::string line = head.substr(pos, next - pos);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t v = colon + 1;
      while (v < line.size() && line[v] == ' ') ++v;
      req.headers[name] = line.substr(v);
    }
    pos = next + 2;
  }
  buffer.erase(0, end + 4);
  size_t length = 0;
  if (auto it = req.headers.find("content-length"); it != req.headers.end()) {
    length = std::stoul(it->second);
  }
  while (buffer.size() < length) {
    if (!fill()) return std::nullopt;
  }
  req.body = buffer.substr(0, length);
  buffer.erase(0, length);
  return req;
}

struct Reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // wait before answering (a blocking /next)
  bool reset = false;                  // answer nothing, reset the connection
};

// Serves connections one at a time; on each, reads a request and lets `respond` write whatever it
// likes on the socket (TestHttpServer only sends well-formed Content-Length answers), until it
// returns false (then closes) or the client goes away.
class ScriptServer {
 public:
  using Respond = std::function<bool(int fd, int request_index)>;
  explicit ScriptServer(Respond respond) : respond_(std::move(respond)) {
    listen_fd_ = ListenOnLoopback(&port_);
    thread_ = std::thread([this] {
      for (;;) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
          return;
        }
        ++connections_;
        std::string buffer;
        while (ReadRequest(fd, buffer) && respond_(fd, requests_++)) {
        }
        ::close(fd);
      }
    });
  }
  ~ScriptServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/b/k"; }
  int port() const { return port_; }
  int connections() const { return connections_.load(); }

 private:
  Respond respond_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

class TestHttpServer {
 public:
  using Handler = std::function<Reply(const RecordedRequest&)>;

  explicit TestHttpServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ListenOnLoopback(&port_);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~TestHttpServer() { Stop(); }

  void Stop() {
    if (stopping_.exchange(true)) return;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    {
      std::lock_guard lock(mu_);
      for (int fd : conn_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }
  std::string host_port() const { return "127.0.0.1:" + std::to_string(port_); }
  std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  int connections() const { return connections_.load(); }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      ++connections_;
      std::lock_guard lock(mu_);
      conn_fds_.push_back(fd);
      workers_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  void Serve(int fd) {
    std::string buffer;
    while (auto req = ReadRequest(fd, buffer)) {
      {
        std::lock_guard lock(mu_);
        requests_.push_back(*req);
      }
      const Reply reply = handler_(*req);
      if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
      if (reply.reset) {
        Forget(fd);  // before close, so Stop() never shuts down a reused descriptor number
        ResetConnection(fd);
        return;
      }
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\n";
      for (const auto& [k, v] : reply.headers) out += k + ": " + v + "\r\n";
      out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
      if (!SendAll(fd, out)) break;
    }
    Forget(fd);
    ::close(fd);
  }

  void Forget(int fd) {
    std::lock_guard lock(mu_);
    std::erase(conn_fds_, fd);
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<int> conn_fds_;
  std::vector<std::thread> workers_;
  std::vector<RecordedRequest> requests_;
};

enum class Fault { kHttp500, kHttp503SlowDown, kReset };

class FaultProxy {
 public:
  FaultProxy(int upstream_port, std::vector<Fault> faults)
      : upstream_port_(upstream_port), faults_(std::move(faults)) {
    listen_fd_ = ListenOnLoopback(&port_);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~FaultProxy() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    {
      std::lock_guard lock(mu_);
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }
  int connections() const { return next_.load(); }
  int faults_injected() const { return injected_.load(); }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      const int index = next_++;
      std::lock_guard lock(mu_);
      open_fds_.push_back(fd);
      workers_.emplace_back([this, fd, index] {
        if (index < static_cast<int>(faults_.size())) {
          Inject(fd, faults_[static_cast<size_t>(index)]);
        } else {
          Pipe(fd);
        }
      });
    }
  }

  void Inject(int fd, Fault fault) {
    std::string buffer;
    const auto req = ReadRequest(fd, buffer);  // consume the whole request first
    ++injected_;
    if (fault == Fault::kReset || !req) {
      Forget(fd);
      ResetConnection(fd);
      return;
    }
    const bool slow = fault == Fault::kHttp503SlowDown;
    const std::string body =
        slow ? "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
               "</Error>"
             : "<Error><Code>InternalError</Code><Message>We encountered an internal error. "
               "Please try again.</Message></Error>";
    const std::string out = std::string(slow ? "HTTP/1.1 503 Slow Down" : "HTTP/1.1 500 Error") +
                            "\r\nContent-Type: application/xml\r\nConnection: close\r\n"
                            "Content-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body;
    SendAll(fd, out);
    Forget(fd);
    ::close(fd);
  }

  void Pipe(int client) {
    const int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
    if (::connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(upstream);
      Forget(client);
      ResetConnection(client);
      return;
    }
    {
      std::lock_guard lock(mu_);
      open_fds_.push_back(upstream);
    }
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    char buf[65536];
    bool open = true;
    while (open && !stopping_) {
      if (::poll(fds, 2, 200) < 0) break;
      for (int i = 0; i < 2 && open; ++i) {
        if (fds[i].revents == 0) continue;
        const ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, 0);
        if (n <= 0 || !SendAll(fds[1 - i].fd, std::string_view(buf, static_cast<size_t>(n)))) {
          open = false;
        }
      }
    }
    Forget(client);
    Forget(upstream);
    ::close(client);
    ::close(upstream);
  }

  void Forget(int fd) {
    std::lock_guard lock(mu_);
    std::erase(open_fds_, fd);
  }

  int upstream_port_;
  std::vector<Fault> faults_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> next_{0};
  std::atomic<int> injected_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> open_fds_;
  std::vector<std::thread> workers_;
};

}  // namespace imgpipe::aws::testing
