// One client socket for HttpClient (http.h): connect with a timeout, optional TLS on OpenSSL with
// chain and host-name verification, and reads and writes bounded by the request's overall
// deadline and stall limit. Internal to src/aws.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "aws/http.h"

namespace imgpipe::aws {

using SteadyClock = std::chrono::steady_clock;

// libcurl's numbers for the same failures (TransportError::curl_code), the one table of them.
inline constexpr int kUnsupportedUrl = 3;
inline constexpr int kCouldNotResolve = 6;
inline constexpr int kCouldNotConnect = 7;
inline constexpr int kWeirdReply = 8;
inline constexpr int kPartialBody = 18;
inline constexpr int kBodyTooLarge = 23;
inline constexpr int kTimedOut = 28;
inline constexpr int kTlsConnectError = 35;
inline constexpr int kEmptyReply = 52;
inline constexpr int kSendError = 55;
inline constexpr int kRecvError = 56;
inline constexpr int kPeerFailedVerification = 60;
inline constexpr int kBadCaBundle = 77;

// Why a transfer step failed; curl_code as in TransportError.
struct IoError {
  int curl_code = 0;
  bool retryable = false;
  std::string message;
};

// The two time limits of one request: the overall deadline and the stall detector (fewer than
// low_speed_bytes per second, averaged over low_speed_time, fails the transfer).
class TransferClock {
 public:
  explicit TransferClock(const HttpRequest& request);

  SteadyClock::time_point deadline() const { return deadline_; }
  // Counts bytes that moved (either direction) for the stall detector.
  void Moved(size_t bytes) { window_bytes_ += bytes; }
  // The longest the next poll() may block before the limits must be checked again, in ms;
  // -1 when neither limit is set. `limit` is a further deadline (the connect timeout).
  int WaitBudgetMs(SteadyClock::time_point limit) const;
  // After a wait: fills *error and returns false when the deadline passed or the transfer stalled.
  bool Check(SteadyClock::time_point limit, IoError* error);

 private:
  SteadyClock::time_point started_;
  SteadyClock::time_point deadline_;  // max(): none
  uint64_t low_speed_bytes_;
  std::chrono::seconds low_speed_time_;
  SteadyClock::time_point window_start_;
  uint64_t window_bytes_ = 0;
};

// Where a request goes, split from its URL.
struct Endpoint {
  bool tls = false;
  std::string host;       // without brackets
  std::string port;       // always set (80 or 443 by default)
  std::string target;     // path and query, verbatim; "/" when the URL has none
  std::string authority;  // the Host header value: host[:port] as the URL spelled it

  std::string Key() const { return (tls ? "https://" : "http://") + authority; }
};

// False when the URL is not absolute http(s)://host[:port][/...].
bool ParseUrl(const std::string& url, Endpoint* endpoint);

class HttpConnection {
 public:
  // Connects within min(connect_timeout, the clock's deadline); tls_context (SSL_CTX*) when the
  // endpoint is https. nullptr and *error on failure.
  static std::unique_ptr<HttpConnection> Open(const Endpoint& endpoint, void* tls_context,
                                              std::chrono::milliseconds connect_timeout,
                                              TransferClock& clock, IoError* error);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  const std::string& key() const { return key_; }
  // False when the peer closed the idle connection (or sent something unasked).
  bool IdleAndOpen() const;
  bool WriteAll(std::string_view data, TransferClock& clock, IoError* error);
  // Up to `size` bytes into `buffer`; 0 when the peer closed; -1 and *error on failure.
  long ReadSome(uint8_t* buffer, size_t size, TransferClock& clock, IoError* error);

 private:
  HttpConnection(int fd, std::string key) : fd_(fd), key_(std::move(key)) {}
  bool Handshake(const Endpoint& endpoint, void* tls_context, SteadyClock::time_point limit,
                 TransferClock& clock, IoError* error);
  // Waits for `events` on the socket; false and *error when a limit passes first.
  bool Wait(short events, SteadyClock::time_point limit, TransferClock& clock, IoError* error);

  int fd_;
  void* ssl_ = nullptr;  // SSL*, kept opaque so this header does not pull in OpenSSL
  std::string key_;
};

}  // namespace imgpipe::aws
