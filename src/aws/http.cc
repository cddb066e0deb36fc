#include "aws/http.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstring>
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

}  // namespace

// Reads one response from a connection: status line and headers, then the body framed by
// Content-Length, chunked encoding or the end of the connection, handed out as the caller asks
// for it (ReadBody). The framing is undone piece by piece, so a body of any length passes
// through a buffer of one socket read.
class ResponseReader {
 public:
  ResponseReader(HttpConnection& connection, const HttpRequest& request, TransferClock& clock)
      : connection_(connection),
        head_request_(request.method == "HEAD"),
        max_body_bytes_(request.max_body_bytes),
        clock_(clock) {}

  // The status line and headers into *response; false and error() on failure.
  bool ReadHead(HttpResponse* response);
  // Up to `size` body bytes into `out`; 0 at the end of the body; -1 and error() on failure.
  long ReadBody(uint8_t* out, size_t size);
  // The rest of the body appended to *body, which grows to the announced length at most.
  bool ReadWholeBody(std::vector<uint8_t>* body);

  bool got_bytes() const { return got_bytes_; }
  bool body_done() const { return done_; }
  // Body bytes still to come when the length is known (Content-Length framing).
  std::optional<uint64_t> remaining() const {
    return framing_ == Framing::kLength ? std::optional<uint64_t>(remaining_) : std::nullopt;
  }
  // The connection may serve the next request: the body was read to its end and nothing else
  // came (bytes past a Content-Length are not a next response, so they close the connection).
  bool reusable() const { return done_ && keep_alive_ && !closed_ && buffer_.empty(); }
  const TransportError& error() const { return error_; }

 private:
  enum class Framing { kNone, kLength, kChunked, kToClose };

  bool Fail(int code, bool retryable, std::string message) {
    error_ = {code, retryable, code == kBodyTooLarge, std::move(message)};
    return false;
  }
  // After Fill() returned false: an I/O error is already recorded, else the peer closed early.
  bool ClosedEarly(int code, std::string message) {
    return error_.curl_code == 0 ? Fail(code, true, std::move(message)) : false;
  }
  // Appends what the connection has to buffer_; false at the end of the connection or an error.
  bool Fill();
  bool ReadLine(std::string* line);
  bool StartBody(const HttpResponse& response);
  bool NextChunk();
  long Take(uint8_t* out, size_t size);  // buffered (or newly read) body bytes into `out`

  HttpConnection& connection_;
  bool head_request_;
  uint64_t max_body_bytes_;
  TransferClock& clock_;
  TransportError error_;
  std::string buffer_;
  bool got_bytes_ = false;
  bool closed_ = false;  // the peer ended the connection
  bool keep_alive_ = true;
  std::optional<uint64_t> content_length_;
  bool chunked_ = false;
  Framing framing_ = Framing::kNone;
  uint64_t remaining_ = 0;  // of the body (kLength) or of the current chunk (kChunked)
  bool in_chunks_ = false;  // a chunk was read: its CRLF comes before the next size line
  bool done_ = false;
  uint64_t delivered_ = 0;
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

bool ResponseReader::ReadHead(HttpResponse* response) {
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
    response->status = std::stol(line.substr(9, 3));
    response->headers.clear();
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
      response->headers.emplace(core::AsciiLower(line.substr(0, colon)),
                                std::string(core::TrimAsciiSpace(line.substr(colon + 1))));
    }
    if (error_.curl_code != 0) {
      return false;
    }
    if (response->status >= 200 || response->status < 100) {
      break;
    }
  }
  const std::string connection = core::AsciiLower(response->Header("connection"));
  if (connection == "close") {
    keep_alive_ = false;
  } else if (connection == "keep-alive") {
    keep_alive_ = true;
  }
  chunked_ =
      core::AsciiLower(response->Header("transfer-encoding")).find("chunked") != std::string::npos;
  const std::string length = response->Header("content-length");
  if (!chunked_ && !length.empty()) {
    if (!std::all_of(length.begin(), length.end(), ::isdigit) || length.size() > 19) {
      return Fail(kWeirdReply, true, "bad Content-Length: " + length.substr(0, 40));
    }
    content_length_ = std::stoull(length);
  }
  return StartBody(*response);
}

bool ResponseReader::StartBody(const HttpResponse& response) {
  if (head_request_ || response.status == 204 || response.status == 304) {
    framing_ = Framing::kNone;
    done_ = true;
  } else if (content_length_) {
    if (max_body_bytes_ != 0 && *content_length_ > max_body_bytes_) {
      return Fail(kBodyTooLarge, false,
                  "response body of " + std::to_string(*content_length_) + " bytes exceeds " +
                      std::to_string(max_body_bytes_) + " bytes");
    }
    framing_ = Framing::kLength;
    remaining_ = *content_length_;
  } else if (chunked_) {
    framing_ = Framing::kChunked;
  } else {
    framing_ = Framing::kToClose;
    keep_alive_ = false;  // the body runs to the end of the connection
  }
  return true;
}

bool ResponseReader::NextChunk() {
  std::string line;
  if (in_chunks_ && !ReadLine(&line)) {  // the CRLF that ends the previous chunk's data
    return false;
  }
  in_chunks_ = true;
  if (!ReadLine(&line)) {
    return false;
  }
  const std::string digits = line.substr(0, line.find(';'));
  if (digits.empty() || digits.size() > 15 ||
      !std::all_of(digits.begin(), digits.end(), ::isxdigit)) {
    return Fail(kWeirdReply, true, "bad chunk size line: " + line.substr(0, 40));
  }
  remaining_ = std::stoull(digits, nullptr, 16);
  if (remaining_ == 0) {
    while (ReadLine(&line) && !line.empty()) {  // trailers, ignored
    }
    done_ = error_.curl_code == 0;
    return done_;
  }
  return true;
}

long ResponseReader::Take(uint8_t* out, size_t size) {
  if (buffer_.empty() && !Fill()) {
    ClosedEarly(kPartialBody,
                "connection closed with " + std::to_string(remaining_) + " body bytes missing");
    return -1;
  }
  size_t n = std::min(size, buffer_.size());
  if (framing_ != Framing::kToClose) {
    n = static_cast<size_t>(std::min<uint64_t>(n, remaining_));
    remaining_ -= n;
  }
  if (max_body_bytes_ != 0 && delivered_ + n > max_body_bytes_) {
    Fail(kBodyTooLarge, false,
         "response body exceeds " + std::to_string(max_body_bytes_) + " bytes");
    return -1;
  }
  std::memcpy(out, buffer_.data(), n);
  buffer_.erase(0, n);
  delivered_ += n;
  return static_cast<long>(n);
}

long ResponseReader::ReadBody(uint8_t* out, size_t size) {
  if (error_.curl_code != 0) {
    return -1;
  }
  while (!done_ && size > 0) {
    switch (framing_) {
      case Framing::kNone:
        done_ = true;
        break;
      case Framing::kLength:
        if (remaining_ == 0) {
          done_ = true;
          break;
        }
        return Take(out, size);
      case Framing::kChunked:
        if (remaining_ == 0) {
          if (!NextChunk()) {
            return -1;
          }
          break;
        }
        return Take(out, size);
      case Framing::kToClose:
        if (buffer_.empty() && !Fill()) {
          if (error_.curl_code != 0) {
            return -1;
          }
          done_ = true;
          break;
        }
        return Take(out, size);
    }
  }
  return 0;
}

bool ResponseReader::ReadWholeBody(std::vector<uint8_t>* body) {
  std::vector<uint8_t> chunk(kReadChunk);
  for (;;) {
    const long got = ReadBody(chunk.data(), chunk.size());
    if (got <= 0) {
      return got == 0;
    }
    const size_t needed = body->size() + static_cast<size_t>(got);
    if (needed > body->capacity()) {
      // Doubling, as the vector would, but never past the announced length or the cap: a 64 MiB
      // limit must not cost a 128 MiB buffer.
      size_t grown = std::max(needed, body->capacity() * 2);
      if (content_length_) {
        grown = std::min<uint64_t>(grown, std::max<uint64_t>(*content_length_, needed));
      }
      if (max_body_bytes_ != 0) {
        grown = std::min<uint64_t>(grown, std::max<uint64_t>(max_body_bytes_, needed));
      }
      body->reserve(grown);
    }
    body->insert(body->end(), chunk.begin(), chunk.begin() + got);
  }
}

std::string HttpResponse::Header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient() { IgnoreSigpipeOnce(); }

HttpClient::~HttpClient() {
  reader_.reset();  // reads from connection_ with clock_
  clock_.reset();
  connection_.reset();
  SSL_CTX_free(static_cast<SSL_CTX*>(tls_context_));
}

HttpResult HttpClient::Begin(const HttpRequest& request) {
  EndBody(0);  // a body not read to its end closes its connection
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
  clock_ = std::make_unique<TransferClock>(request);
  TransferClock& clock = *clock_;

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
    bool too_large = false;
    if (connection_->WriteAll(head, clock, &error) && connection_->WriteAll(body, clock, &error)) {
      reader_ = std::make_unique<ResponseReader>(*connection_, request, clock);
      const bool read = reader_->ReadHead(&result.response);
      got_answer = reader_->got_bytes();
      if (read) {
        authority_ = endpoint.authority;
        return result;
      }
      const TransportError& failed = reader_->error();
      error = {failed.curl_code, failed.retryable, failed.message};
      too_large = failed.body_too_large;
      reader_.reset();
    }
    connection_.reset();
    if (!(reused && attempt == 0 && !got_answer && error.curl_code != kTimedOut)) {
      fail(error.curl_code, error.retryable, endpoint.authority + ": " + error.message);
      result.transport_error.body_too_large = too_large;
      return result;
    }
  }
}

long HttpClient::ReadBody(std::span<uint8_t> out, TransportError* error) {
  if (reader_ == nullptr) {
    return 0;
  }
  const long got = reader_->ReadBody(out.data(), out.size());
  if (got < 0) {
    *error = reader_->error();
    error->message = authority_ + ": " + error->message;
  }
  return got;
}

std::optional<uint64_t> HttpClient::BodyRemaining() const {
  return reader_ == nullptr ? std::optional<uint64_t>(0) : reader_->remaining();
}

void HttpClient::EndBody(uint64_t drain_bytes) {
  if (reader_ == nullptr) {
    return;
  }
  const std::optional<uint64_t> left = reader_->remaining();
  if (!reader_->body_done() && left && *left <= drain_bytes) {
    std::vector<uint8_t> sink(static_cast<size_t>(std::min<uint64_t>(*left, kReadChunk)) + 1);
    while (reader_->ReadBody(sink.data(), sink.size()) > 0) {
    }
  }
  const bool keep = reader_->reusable();
  reader_.reset();
  clock_.reset();
  if (!keep) {
    connection_.reset();
  }
}

HttpResult HttpClient::Perform(const HttpRequest& request) {
  HttpResult result = Begin(request);
  if (!result.ok()) {
    return result;
  }
  if (!reader_->ReadWholeBody(&result.response.body)) {
    TransportError error = reader_->error();
    error.message = authority_ + ": " + error.message;
    EndBody(0);
    result.response = HttpResponse{};
    result.transport_error = std::move(error);
    return result;
  }
  EndBody(0);
  return result;
}

}  // namespace imgpipe::aws
