// Thin libcurl wrapper shared by the S3 and Runtime API clients. One HttpClient owns one CURL easy
// handle; curl_easy_reset between requests keeps its connection cache, so keep-alive connections
// (and TLS sessions) are reused across requests.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "aws/sigv4.h"

namespace imgpipe::aws {

struct HttpRequest {
  std::string method = "GET";  // GET, PUT, POST, HEAD
  std::string url;             // fully encoded; sent verbatim (no dot-segment squashing)
  HeaderList headers;          // sent as given, in order
  std::span<const uint8_t> body;
  std::chrono::milliseconds connect_timeout{0};  // 0: curl's default
  std::chrono::milliseconds timeout{0};          // whole request; 0: none
  long low_speed_bytes = 0;                      // 0: no stall detection
  std::chrono::seconds low_speed_time{0};
  uint64_t max_body_bytes = 0;  // abort when the response body grows past this; 0: no limit
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
  int curl_code = 0;
  bool retryable = false;       // resets, timeouts, refused connections: a retry may succeed
  bool body_too_large = false;  // aborted because of max_body_bytes
  std::string message;          // curl's detailed error text
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

  // TLS verification is always on; ca_bundle selects the trust store ("" = curl default).
  void SetCaBundle(std::string ca_bundle) { ca_bundle_ = std::move(ca_bundle); }
  HttpResult Perform(const HttpRequest& request);

 private:
  void* curl_;  // CURL*, kept opaque so this header does not pull in curl.h
  std::string ca_bundle_;
};

}  // namespace imgpipe::aws
