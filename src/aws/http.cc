#include "aws/http.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <mutex>
#include <optional>

#include "aws/header_text.h"
#include "aws/http_connection.h"
#include "core/text.h"

namespace imgpipe::aws {
namespace {

constexpr size_t kMaxHeaderBytes = size_t{64} * 1024;
constexpr size_t kReadChunk = size_t{64} * 1024;

// OpenSSL writes to sockets with write(), which raises SIGPIPE on a connection the peer closed;
// the failed write is handled as an error value instead. Done once, before the first socket.
void IgnoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] { static_cast<void>(std::signal(SIGPIPE, SIG_IGN)); });
}

std::string RequestHead(const HttpRequest& request, const Endpoint& endpoint) {
  std::string head = request.method + " " + endpoint.target + " HTTP/1.1\r\n";
  const bool has_host =
      std::any_of(request.headers.begin(), request.headers.end(),
                  [](const auto& h) { return core::AsciiLower(h.first) == "host"; });
  if (!has_host) {
    head += "Host: " + endpoint.authority + "\r\n";
  }
  for (const auto& [name, value] : request.headers) {
    head += name + ":" + (value.empty() ? "" : " " + value) + "\r\n";
  }
  if (request.method == "PUT" || request.method == "POST" || !request.body.empty()) {
    head += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  head += "\r\n";
  return head;
}

// Reads one response from a connection: status line and headers, then the body framed by
// Content-Length, chunked encoding or the end of the connection.
class ResponseReader {
 public:
  ResponseReader(HttpConnection& connection, const HttpRequest& request, TransferClock& clock,
                 HttpResult* result)
      : connection_(connection), request_(request), clock_(clock), result_(*result) {}

  bool Read();
  bool got_bytes() const { return got_bytes_; }
  bool reusable() const { return reusable_; }

 private:
  bool Fail(int code, bool retryable, std::string message) {
    result_.transport_error = {code, retryable, code == kBodyTooLarge, std::move(message)};
    return false;
  }
  // After Fill() returned false: an I/O error is already recorded, else the peer closed early.
  bool ClosedEarly(int code, std::string message) {
    return result_.transport_error.curl_code == 0 ? Fail(code, true, std::move(message)) : false;
  }
  // Appends what the connection has to buffer_; false at the end of the connection or an error.
  bool Fill();
  bool ReadLine(std::string* line);
  bool ReadHead();
  bool ReadBody();
  bool ReadExactly(uint64_t size);
  bool ReadChunked();
  bool Deliver(size_t size);  // moves `size` buffered bytes into the body, checking its limit

  HttpConnection& connection_;
  const HttpRequest& request_;
  TransferClock& clock_;
  HttpResult& result_;
  std::string buffer_;
  bool got_bytes_ = false;
  bool closed_ = false;  // the peer ended the connection
  bool reusable_ = false;
  bool keep_alive_ = true;
  std::optional<uint64_t> content_length_;
  bool chunked_ = false;
};

bool ResponseReader::Fill() {
  if (closed_) {
    return false;
  }
  uint8_t chunk[kReadChunk];
  IoError error;
  const long got = connection_.ReadSome(chunk, sizeof chunk, clock_, &error);
  if (got < 0) {
    return Fail(error.curl_code, error.retryable, error.message);
  }
  if (got == 0) {
    closed_ = true;
    return false;
  }
  got_bytes_ = true;
  buffer_.append(reinterpret_cast<const char*>(chunk), static_cast<size_t>(got));
  return true;
}

bool ResponseReader::ReadLine(std::string* line) {
  size_t end;
  while ((end = buffer_.find("\r\n")) == std::string::npos) {
    if (buffer_.size() > kMaxHeaderBytes) {
      return Fail(kWeirdReply, false,
                  "response line longer than " + std::to_string(kMaxHeaderBytes) + " bytes");
    }
    if (!Fill()) {
      return ClosedEarly(got_bytes_ ? kPartialBody : kEmptyReply,
                         got_bytes_ ? "connection closed in the middle of the response"
                                    : "empty reply: the server closed the connection");
    }
  }
  *line = buffer_.substr(0, end);
  buffer_.erase(0, end + 2);
  return true;
}

bool ResponseReader::ReadHead() {
  HttpResponse& response = result_.response;
  for (;;) {  // 1xx answers (100 Continue) come before the real one
    std::string line;
    if (!ReadLine(&line)) {
      return false;
    }
    const bool http11 = line.starts_with("HTTP/1.1 ");
    if (!(http11 || line.starts_with("HTTP/1.0 ")) || line.size() < 12 ||
        !std::all_of(line.begin() + 9, line.begin() + 12, ::isdigit)) {
      return Fail(kWeirdReply, true, "not an HTTP/1.x status line: " + line.substr(0, 80));
    }
    response.status = std::stol(line.substr(9, 3));
    response.headers.clear();
    keep_alive_ = http11;
    size_t header_bytes = 0;
    while (ReadLine(&line) && !line.empty()) {
      header_bytes += line.size();
      if (header_bytes > kMaxHeaderBytes) {
        return Fail(kWeirdReply, false,
                    "response headers exceed " + std::to_string(kMaxHeaderBytes) + " bytes");
      }
      const size_t colon = line.find(':');
      if (colon == std::string::npos) {
        return Fail(kWeirdReply, true, "malformed response header: " + line.substr(0, 80));
      }
      response.headers.emplace(core::AsciiLower(line.substr(0, colon)),
                               std::string(core::TrimAsciiSpace(line.substr(colon + 1))));
    }
    if (result_.transport_error.curl_code != 0) {
      return false;
    }
    if (response.status >= 200 || response.status < 100) {
      break;
    }
  }
  const std::string connection = core::AsciiLower(response.Header("connection"));
  if (connection == "close") {
    keep_alive_ = false;
  } else if (connection == "keep-alive") {
    keep_alive_ = true;
  }
  chunked_ =
      core::AsciiLower(response.Header("transfer-encoding")).find("chunked") != std::string::npos;
  const std::string length = response.Header("content-length");
  if (!chunked_ && !length.empty()) {
    if (!std::all_of(length.begin(), length.end(), ::isdigit) || length.size() > 19) {
      return Fail(kWeirdReply, true, "bad Content-Length: " + length.substr(0, 40));
    }
    content_length_ = std::stoull(length);
  }
  return true;
}

bool ResponseReader::Deliver(size_t size) {
  auto& body = result_.response.body;
  if (request_.max_body_bytes != 0 && body.size() + size > request_.max_body_bytes) {
    return Fail(kBodyTooLarge, false,
                "response body exceeds " + std::to_string(request_.max_body_bytes) + " bytes");
  }
  const size_t needed = body.size() + size;
  if (needed > body.capacity()) {
    // Doubling, as the vector would, but never past the announced length or the cap: a 64 MiB
    // limit must not cost a 128 MiB buffer.
    size_t grown = std::max(needed, body.capacity() * 2);
    if (content_length_) {
      grown = std::min<uint64_t>(grown, std::max<uint64_t>(*content_length_, needed));
    }
    if (request_.max_body_bytes != 0) {
      grown = std::min<uint64_t>(grown, request_.max_body_bytes);
    }
    body.reserve(grown);
  }
  body.insert(body.end(), buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(size));
  buffer_.erase(0, size);
  return true;
}

bool ResponseReader::ReadExactly(uint64_t size) {
  while (size > 0) {
    if (buffer_.empty() && !Fill()) {
      return ClosedEarly(kPartialBody,
                         "connection closed with " + std::to_string(size) + " body bytes missing");
    }
    const size_t take = static_cast<size_t>(std::min<uint64_t>(size, buffer_.size()));
    if (!Deliver(take)) {
      return false;
    }
    size -= take;
  }
  return true;
}

bool ResponseReader::ReadChunked() {
  std::string line;
  for (;;) {
    if (!ReadLine(&line)) {
      return false;
    }
    const std::string digits = line.substr(0, line.find(';'));
    if (digits.empty() || digits.size() > 15 ||
        !std::all_of(digits.begin(), digits.end(), ::isxdigit)) {
      return Fail(kWeirdReply, true, "bad chunk size line: " + line.substr(0, 40));
    }
    const uint64_t size = std::stoull(digits, nullptr, 16);
    if (size == 0) {
      break;
    }
    if (!ReadExactly(size) || !ReadLine(&line)) {
      return false;
    }
  }
  while (ReadLine(&line) && !line.empty()) {  // trailers, ignored
  }
  return result_.transport_error.curl_code == 0;
}

bool ResponseReader::ReadBody() {
  const long status = result_.response.status;
  if (request_.method == "HEAD" || status == 204 || status == 304) {
    return true;
  }
  if (content_length_) {
    if (request_.max_body_bytes != 0 && *content_length_ > request_.max_body_bytes) {
      return Fail(kBodyTooLarge, false,
                  "response body of " + std::to_string(*content_length_) + " bytes exceeds " +
                      std::to_string(request_.max_body_bytes) + " bytes");
    }
    return ReadExactly(*content_length_);
  }
  if (chunked_) {
    return ReadChunked();
  }
  keep_alive_ = false;  // the body runs to the end of the connection
  while (buffer_.empty() ? Fill() : true) {
    if (!Deliver(buffer_.size())) {
      return false;
    }
  }
  return result_.transport_error.curl_code == 0;
}

bool ResponseReader::Read() {
  if (!ReadHead() || !ReadBody()) {
    return false;
  }
  reusable_ = keep_alive_ && !closed_ && buffer_.empty();
  return true;
}

}  // namespace

std::string HttpResponse::Header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient() { IgnoreSigpipeOnce(); }

HttpClient::~HttpClient() {
  connection_.reset();
  SSL_CTX_free(static_cast<SSL_CTX*>(tls_context_));
}

HttpResult HttpClient::Perform(const HttpRequest& request) {
  HttpResult result;
  auto fail = [&result](int code, bool retryable, std::string message) {
    result.response = HttpResponse{};
    result.transport_error = {code, retryable, false, std::move(message)};
    return result;
  };
  Endpoint endpoint;
  if (!ParseUrl(request.url, &endpoint)) {
    return fail(kUnsupportedUrl, false, "not an http(s) URL: " + request.url.substr(0, 200));
  }
  if (endpoint.tls && tls_context_ == nullptr) {
    // No openssl.cnf: the Lambda zip carries none, and nothing here depends on one.
    OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
    SSL_CTX* context = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
    // S3 may end a kept-alive connection without close_notify; the framing tells complete
    // bodies from cut ones, so a bare EOF is an ordinary end of connection.
    SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF);
    const int loaded = ca_bundle_.empty()
                           ? SSL_CTX_set_default_verify_paths(context)
                           : SSL_CTX_load_verify_locations(context, ca_bundle_.c_str(), nullptr);
    if (loaded != 1) {
      SSL_CTX_free(context);
      return fail(kBadCaBundle, false,
                  "cannot load the CA bundle " + (ca_bundle_.empty() ? "(default)" : ca_bundle_));
    }
    tls_context_ = context;
  }
  const std::string head = RequestHead(request, endpoint);
  const std::string_view body(reinterpret_cast<const char*>(request.body.data()),
                              request.body.size());
  TransferClock clock(request);

  // A kept-alive connection the server has since closed fails before any answer arrives; that
  // request is sent once more on a fresh connection, as libcurl does.
  for (int attempt = 0;; ++attempt) {
    if (connection_ != nullptr &&
        (connection_->key() != endpoint.Key() || !connection_->IdleAndOpen())) {
      connection_.reset();
    }
    const bool reused = connection_ != nullptr;
    IoError error;
    if (!reused) {
      connection_ =
          HttpConnection::Open(endpoint, tls_context_, request.connect_timeout, clock, &error);
      if (connection_ == nullptr) {
        return fail(error.curl_code, error.retryable, error.message);
      }
    }
    result = HttpResult{};
    bool got_answer = false;
    if (connection_->WriteAll(head, clock, &error) && connection_->WriteAll(body, clock, &error)) {
      ResponseReader reader(*connection_, request, clock, &result);
      const bool read = reader.Read();
      got_answer = reader.got_bytes();
      if (read) {
        if (!reader.reusable()) {
          connection_.reset();
        }
        return result;
      }
      error = {result.transport_error.curl_code, result.transport_error.retryable,
               result.transport_error.message};
    }
    connection_.reset();
    if (!(reused && attempt == 0 && !got_answer && error.curl_code != kTimedOut)) {
      const bool too_large = result.transport_error.body_too_large;
      fail(error.curl_code, error.retryable, endpoint.authority + ": " + error.message);
      result.transport_error.body_too_large = too_large;
      return result;
    }
  }
}

}  // namespace imgpipe::aws
