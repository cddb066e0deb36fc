// The HTTP/1.1 client shared by the S3 and Runtime API clients: plain sockets, TLS through
// OpenSSL (already linked for SigV4), nothing else. It replaced libcurl, whose Debian build pulls
// 29 libraries (GnuTLS, krb5, LDAP, ssh2, ...) into the Lambda zip and most of the runtime's cold
// start (bench/NOTES.md). One HttpClient keeps one keep-alive connection open and reuses it for
// the next request to the same scheme, host and port.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "aws/sigv4.h"

namespace imgpipe::aws {

class HttpConnection;  // one socket, TLS or not (http_connection.h)
class TransferClock;   // a request's timeout and stall limits (http_connection.h)
class ResponseReader;  // one response off the connection (http.cc)

// A cap for responses that carry no payload the caller wants (PUT, HEAD, errors): enough for
// any S3 error document, far too little for a server that streams without end.
inline constexpr uint64_t kSmallResponseBodyBytes = uint64_t{16} * 1024;

struct HttpRequest {
  std::string method = "GET";  // GET, PUT, POST, HEAD
  std::string url;             // fully encoded; sent verbatim (no dot-segment squashing)
  HeaderList headers;          // sent as given, in order
  std::span<const uint8_t> body;
  std::chrono::milliseconds connect_timeout{0};  // 0: the overall timeout only
  std::chrono::milliseconds timeout{0};          // whole request; 0: none
  // Stall detection: fail when fewer than low_speed_bytes per second moved, averaged over
  // low_speed_time (libcurl's CURLOPT_LOW_SPEED_LIMIT/TIME semantics). 0: none.
  long low_speed_bytes = 0;
  std::chrono::seconds low_speed_time{0};
  // Refuse a Content-Length over this before reading the body, abort when a body without one
  // grows past it; the body buffer never grows beyond it either. 0: no limit.
  uint64_t max_body_bytes = 0;
};

struct HttpResponse {
  long status = 0;
  std::multimap<std::string, std::string> headers;  // names lower-cased, values trimmed
  std::vector<uint8_t> body;

  // First value of a header (name in lower case), or "" when absent.
  std::string Header(const std::string& lower_name) const;
  std::string BodyText() const { return std::string(body.begin(), body.end()); }
};

// A request that got no HTTP answer.
struct TransportError {
  // Nonzero on failure: the libcurl error number of the same failure (7 could not connect,
  // 28 timed out, 56 receive error, 60 certificate rejected, ...), so logs and retry reasons read
  // the same as they did when libcurl was the transport.
  int curl_code = 0;
  bool retryable = false;       // resets, timeouts, refused connections: a retry may succeed
  bool body_too_large = false;  // aborted because of max_body_bytes
  std::string message;          // what failed, naming the host
};

struct HttpResult {
  bool ok() const { return transport_error.curl_code == 0; }
  HttpResponse response;           // valid when ok()
  TransportError transport_error;  // valid when !ok()
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // TLS verification (chain and host name) is always on; ca_bundle selects the trust store
  // ("" = OpenSSL's default paths).
  void SetCaBundle(std::string ca_bundle) { ca_bundle_ = std::move(ca_bundle); }
  // The whole exchange: the body is read into response.body (within max_body_bytes).
  HttpResult Perform(const HttpRequest& request);

  // The body read on demand instead: Begin sends the request and reads only the status line and
  // headers (response.body stays empty); ReadBody then hands the body out as the caller asks,
  // one socket read at a time, so it is never held whole, and the request's timeout, stall limit
  // and max_body_bytes keep applying to it. One body at a time: the next Begin or Perform ends
  // the one before (EndBody(0)).
  HttpResult Begin(const HttpRequest& request);
  // Up to out.size() bytes of the body; 0 at its end; -1 and *error when the body is cut, stalls,
  // times out or passes max_body_bytes (the error names the host, as Perform's do).
  long ReadBody(std::span<uint8_t> out, TransportError* error);
  // Body bytes still to come after Begin when the length is known; nullopt when it is not.
  std::optional<uint64_t> BodyRemaining() const;
  // Ends the body: what is left is read out when it is at most `drain_bytes` and its length is
  // known, so the kept-alive connection can serve the next request; otherwise the connection is
  // closed (reading a long tail nobody needs would cost more than a new connection).
  void EndBody(uint64_t drain_bytes);

 private:
  std::unique_ptr<HttpConnection> connection_;  // the kept-alive connection, if any
  std::unique_ptr<TransferClock> clock_;        // of the request whose body is being read
  std::unique_ptr<ResponseReader> reader_;      // that body, while it is being read
  std::string authority_;                       // that request's host[:port], for messages
  void* tls_context_ = nullptr;                 // SSL_CTX*, made at the first https request
  std::string ca_bundle_;
};

}  // namespace imgpipe::aws
