#include "aws/http_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace imgpipe::aws {
namespace {

using std::chrono::milliseconds;

std::string Errno(int err) { return std::strerror(err); }

std::string TlsErrorText() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return "no OpenSSL error queued";
  }
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

int MsUntil(SteadyClock::time_point t) {
  const auto left = std::chrono::ceil<milliseconds>(t - SteadyClock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, int64_t{24} * 3600 * 1000));
}

}  // namespace

TransferClock::TransferClock(const HttpRequest& request)
    : started_(SteadyClock::now()),
      deadline_(request.timeout.count() > 0 ? started_ + request.timeout
                                            : SteadyClock::time_point::max()),
      low_speed_bytes_(request.low_speed_bytes > 0 && request.low_speed_time.count() > 0
                           ? static_cast<uint64_t>(request.low_speed_bytes)
                           : 0),
      low_speed_time_(request.low_speed_time),
      window_start_(started_) {}

int TransferClock::WaitBudgetMs(SteadyClock::time_point limit) const {
  SteadyClock::time_point next = std::min(limit, deadline_);
  if (low_speed_bytes_ != 0) {
    next = std::min(next, window_start_ + low_speed_time_);
  }
  return next == SteadyClock::time_point::max() ? -1 : MsUntil(next);
}

bool TransferClock::Check(SteadyClock::time_point limit, IoError* error) {
  const auto now = SteadyClock::now();
  const auto elapsed = std::chrono::duration_cast<milliseconds>(now - started_).count();
  if (now >= std::min(limit, deadline_)) {
    *error = {kTimedOut, true, "timed out after " + std::to_string(elapsed) + " ms"};
    return false;
  }
  if (low_speed_bytes_ != 0 && now >= window_start_ + low_speed_time_) {
    const auto needed = low_speed_bytes_ * static_cast<uint64_t>(low_speed_time_.count());
    if (window_bytes_ < needed) {
      *error = {kTimedOut, true,
                "transfer stalled: " + std::to_string(window_bytes_) + " bytes in the last " +
                    std::to_string(low_speed_time_.count()) + " s (needs " +
                    std::to_string(low_speed_bytes_) + " bytes/s)"};
      return false;
    }
    window_start_ = now;
    window_bytes_ = 0;
  }
  return true;
}

bool ParseUrl(const std::string& url, Endpoint* endpoint) {
  std::string_view rest(url);
  if (rest.starts_with("https://")) {
    endpoint->tls = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    endpoint->tls = false;
    rest.remove_prefix(7);
  } else {
    return false;
  }
  const size_t end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, end);
  endpoint->target = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
  if (endpoint->target.front() == '?') {
    endpoint->target.insert(0, "/");
  }
  endpoint->authority = std::string(authority);
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {  // [IPv6]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return false;
    }
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) {
        return false;
      }
      port = after.substr(1);
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || host.find('@') != std::string_view::npos ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  endpoint->host = std::string(host);
  endpoint->port = port.empty() ? (endpoint->tls ? "443" : "80") : std::string(port);
  return true;
}

std::unique_ptr<HttpConnection> HttpConnection::Open(const Endpoint& endpoint, void* tls_context,
                                                     milliseconds connect_timeout,
                                                     TransferClock& clock, IoError* error) {
  const auto limit = connect_timeout.count() > 0 ? SteadyClock::now() + connect_timeout
                                                 : SteadyClock::time_point::max();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  if (const int rc = getaddrinfo(endpoint.host.c_str(), endpoint.port.c_str(), &hints, &addresses);
      rc != 0) {
    *error = {kCouldNotResolve, true,
              "could not resolve host " + endpoint.host + ": " + gai_strerror(rc)};
    return nullptr;
  }
  std::unique_ptr<HttpConnection> connection;
  *error = {kCouldNotConnect, true, "no address for " + endpoint.host};
  for (const addrinfo* a = addresses; a != nullptr && connection == nullptr; a = a->ai_next) {
    const int fd =
        socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      *error = {kCouldNotConnect, true, "socket: " + Errno(errno)};
      continue;
    }
    auto candidate = std::unique_ptr<HttpConnection>(new HttpConnection(fd, endpoint.Key()));
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        *error = {kCouldNotConnect, true,
                  "could not connect to " + endpoint.authority + ": " + Errno(errno)};
        continue;
      }
      if (!candidate->Wait(POLLOUT, limit, clock, error)) {
        error->message = "connecting to " + endpoint.authority + ": " + error->message;
        break;  // the time is spent; another address would not get any
      }
      int so_error = 0;
      socklen_t len = sizeof so_error;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
      if (so_error != 0) {
        *error = {kCouldNotConnect, true,
                  "could not connect to " + endpoint.authority + ": " + Errno(so_error)};
        continue;
      }
    }
    connection = std::move(candidate);
  }
  freeaddrinfo(addresses);
  if (connection == nullptr) {
    return nullptr;
  }
  const int on = 1;
  setsockopt(connection->fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  setsockopt(connection->fd_, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  if (endpoint.tls && !connection->Handshake(endpoint, tls_context, limit, clock, error)) {
    return nullptr;
  }
  return connection;
}

bool HttpConnection::Handshake(const Endpoint& endpoint, void* tls_context,
                               SteadyClock::time_point limit, TransferClock& clock,
                               IoError* error) {
  SSL* ssl = SSL_new(static_cast<SSL_CTX*>(tls_context));
  if (ssl == nullptr) {
    *error = {kTlsConnectError, false, "SSL_new: " + TlsErrorText()};
    return false;
  }
  ssl_ = ssl;
  SSL_set_fd(ssl, fd_);
  // Verify the certificate names the host we dialled: an IP literal against the IP SANs, a name
  // against the DNS names (and send it as SNI).
  unsigned char ip[sizeof(in6_addr)];
  const bool is_ip = inet_pton(AF_INET, endpoint.host.c_str(), ip) == 1 ||
                     inet_pton(AF_INET6, endpoint.host.c_str(), ip) == 1;
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), endpoint.host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, endpoint.host.c_str());
    SSL_set1_host(ssl, endpoint.host.c_str());
  }
  for (;;) {
    ERR_clear_error();
    const int rc = SSL_connect(ssl);
    if (rc == 1) {
      return true;
    }
    const int reason = SSL_get_error(ssl, rc);
    if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) {
      if (!Wait(reason == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, limit, clock, error)) {
        error->message = "TLS handshake with " + endpoint.authority + ": " + error->message;
        return false;
      }
      continue;
    }
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      *error = {kPeerFailedVerification, false,
                "TLS certificate of " + endpoint.host +
                    " rejected: " + X509_verify_cert_error_string(verify)};
    } else {
      *error = {kTlsConnectError, true,
                "TLS handshake with " + endpoint.authority + " failed: " + TlsErrorText()};
    }
    return false;
  }
}

HttpConnection::~HttpConnection() {
  if (ssl_ != nullptr) {
    SSL_free(static_cast<SSL*>(ssl_));  // no close_notify: the socket may already be dead
  }
  close(fd_);
}

bool HttpConnection::Wait(short events, SteadyClock::time_point limit, TransferClock& clock,
                          IoError* error) {
  for (;;) {
    pollfd p{fd_, events, 0};
    const int rc = poll(&p, 1, clock.WaitBudgetMs(limit));
    if (rc > 0) {
      return true;  // ready, or an error/hang-up the next call reports
    }
    if (rc < 0 && errno != EINTR) {
      *error = {kRecvError, true, "poll: " + Errno(errno)};
      return false;
    }
    if (!clock.Check(limit, error)) {
      return false;
    }
  }
}

bool HttpConnection::IdleAndOpen() const {
  pollfd p{fd_, POLLIN, 0};
  return poll(&p, 1, 0) == 0;
}

bool HttpConnection::WriteAll(std::string_view data, TransferClock& clock, IoError* error) {
  auto* ssl = static_cast<SSL*>(ssl_);
  while (!data.empty()) {
    size_t sent = 0;
    short wait_for = POLLOUT;
    if (ssl != nullptr) {
      ERR_clear_error();
      const int rc = SSL_write_ex(ssl, data.data(), data.size(), &sent);
      if (rc != 1) {
        const int reason = SSL_get_error(ssl, rc);
        if (reason != SSL_ERROR_WANT_READ && reason != SSL_ERROR_WANT_WRITE) {
          *error = {kSendError, true, "TLS send failed: " + TlsErrorText()};
          return false;
        }
        wait_for = reason == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
      }
    } else {
      const ssize_t rc = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (rc >= 0) {
        sent = static_cast<size_t>(rc);
      } else if (errno != EAGAIN && errno != EINTR) {
        *error = {kSendError, true, "send failed: " + Errno(errno)};
        return false;
      }
    }
    if (sent > 0) {
      clock.Moved(sent);
      data.remove_prefix(sent);
    } else if (!Wait(wait_for, SteadyClock::time_point::max(), clock, error)) {
      return false;
    }
  }
  return true;
}

long HttpConnection::ReadSome(uint8_t* buffer, size_t size, TransferClock& clock, IoError* error) {
  auto* ssl = static_cast<SSL*>(ssl_);
  for (;;) {
    short wait_for = POLLIN;
    if (ssl != nullptr) {
      size_t got = 0;
      ERR_clear_error();
      const int rc = SSL_read_ex(ssl, buffer, size, &got);
      if (rc == 1) {
        clock.Moved(got);
        return static_cast<long>(got);
      }
      const int reason = SSL_get_error(ssl, rc);
      if (reason == SSL_ERROR_ZERO_RETURN) {
        return 0;
      }
      if (reason != SSL_ERROR_WANT_READ && reason != SSL_ERROR_WANT_WRITE) {
        *error = {kRecvError, true, "TLS receive failed: " + TlsErrorText()};
        return -1;
      }
      wait_for = reason == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
    } else {
      const ssize_t rc = recv(fd_, buffer, size, 0);
      if (rc >= 0) {
        clock.Moved(static_cast<size_t>(rc));
        return static_cast<long>(rc);
      }
      if (errno != EAGAIN && errno != EINTR) {
        *error = {kRecvError, true, "receive failed: " + Errno(errno)};
        return -1;
      }
    }
    if (!Wait(wait_for, SteadyClock::time_point::max(), clock, error)) {
      return -1;
    }
  }
}

}  // namespace imgpipe::aws
