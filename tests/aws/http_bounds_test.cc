// The HTTP client's memory bounds against servers that lie or never stop: a Content-Length over
// the caller's maximum is refused before the body is read, the body buffer never grows past the
// announced length or the cap, and PUT responses (whose body nobody needs) are capped at a few
// KB, so an endless one fails fast instead of filling the memory.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "aws/http.h"
#include "aws/s3_client.h"
#include "aws/test_http_server.h"

namespace imgpipe::aws {
namespace {

// AddressSanitizer's allocator pads every block and keeps freed memory in quarantine, so peak RSS
// says nothing about our buffers there; the release build checks the bounds, the sanitizer build
// the rest.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRssIsMeaningful = false;
#else
constexpr bool kRssIsMeaningful = true;
#endif

using std::chrono::milliseconds;

long PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

// Writes `total` body bytes (or until the client goes away) in 64 KiB pieces.
size_t Stream(int fd, size_t total) {
  const std::string piece(size_t{64} * 1024, 'x');
  size_t sent = 0;
  while (sent < total && testing::SendAll(fd, piece)) {
    sent += piece.size();
  }
  return sent;
}

HttpRequest Get(const std::string& url, uint64_t max_body_bytes) {
  HttpRequest request;
  request.url = url;
  request.timeout = milliseconds(20000);
  request.max_body_bytes = max_body_bytes;
  return request;
}

TEST(HttpBounds, ContentLengthOverTheCapIsRefusedBeforeTheBody) {
  std::atomic<size_t> sent{0};
  testing::ScriptServer server([&](int fd, int /*request_index*/) {
    testing::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n");
    sent = Stream(fd, size_t{1} << 30);
    return false;  // one answer per connection
  });
  HttpClient client;
  const long before = PeakRssMiB();
  const auto start = std::chrono::steady_clock::now();
  HttpResult result = client.Perform(Get(server.url(), 64 << 20));
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.transport_error.body_too_large);
  EXPECT_NE(result.transport_error.message.find("response body of 1073741824 bytes exceeds "
                                                "67108864 bytes"),
            std::string::npos)
      << result.transport_error.message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  if (kRssIsMeaningful) {
    EXPECT_LT(PeakRssMiB() - before, 8);
  }
}

// The buffer for an announced length is exactly that length: growing by doubling would reserve
// 64 MiB for a 40 MiB body (and copy it on every step).
TEST(HttpBounds, BodyBufferNeverGrowsPastTheAnnouncedLength) {
  constexpr size_t kLength = 40u << 20;
  testing::ScriptServer server([&](int fd, int /*request_index*/) {
    testing::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kLength) +
                             "\r\nConnection: close\r\n\r\n");
    // Odd-sized writes, so reads come back in irregular pieces.
    const std::string piece(12345, 'y');
    size_t sent = 0;
    while (sent + piece.size() <= kLength && testing::SendAll(fd, piece)) {
      sent += piece.size();
    }
    testing::SendAll(fd, std::string(kLength - sent, 'y'));
    return false;
  });
  HttpClient client;
  HttpResult result = client.Perform(Get(server.url(), 64 << 20));
  ASSERT_TRUE(result.ok()) << result.transport_error.message;
  EXPECT_EQ(result.response.body.size(), kLength);
  EXPECT_EQ(result.response.body.capacity(), kLength);
}

// Without a length (the body runs to the end of the connection) the buffer stops at the cap.
TEST(HttpBounds, UnframedBodyStopsAtTheCap) {
  testing::ScriptServer server([&](int fd, int /*request_index*/) {
    testing::SendAll(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
    Stream(fd, size_t{256} << 20);
    return false;
  });
  HttpClient client;
  const long before = PeakRssMiB();
  HttpResult result = client.Perform(Get(server.url(), 24 << 20));
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.transport_error.body_too_large);
  EXPECT_NE(result.transport_error.message.find("response body exceeds 25165824 bytes"),
            std::string::npos)
      << result.transport_error.message;
  // The cap, plus the copy made while the vector last grew, plus slack: never 256 MB.
  if (kRssIsMeaningful) {
    EXPECT_LT(PeakRssMiB() - before, 24 + 16 + 8);
  }
}

// A PUT whose response body streams without end: S3Client caps PUT responses at
// kSmallResponseBodyBytes, so the call fails at once with a clear error instead of reading
// gigabytes (the server would send 64 MiB before giving up).
TEST(HttpBounds, EndlessPutResponseBodyFailsFast) {
  std::atomic<size_t> sent{0};
  testing::ScriptServer server([&](int fd, int /*request_index*/) {
    testing::SendAll(fd, "HTTP/1.1 200 OK\r\nETag: \"e\"\r\nConnection: close\r\n\r\n");
    sent = Stream(fd, size_t{64} << 20);
    return false;
  });
  S3Config config;
  config.endpoint = "http://127.0.0.1:" + std::to_string(server.port());
  config.credentials = {"AKID", "SECRET", ""};
  config.retry.max_attempts = 1;
  S3Client client(config);
  const std::string body = "thumbnail";
  const long before = PeakRssMiB();
  auto put =
      client.Put(InvocationContext{}, {"b",
                                       "k",
                                       {reinterpret_cast<const uint8_t*>(body.data()), body.size()},
                                       "image/jpeg",
                                       "",
                                       {}});
  ASSERT_FALSE(put.ok());
  EXPECT_NE(put.error().message.find(std::to_string(kSmallResponseBodyBytes)), std::string::npos)
      << put.error().message;
  if (kRssIsMeaningful) {
    EXPECT_LT(PeakRssMiB() - before, 8);
  }
}

}  // namespace
}  // namespace imgpipe::aws
