// HttpClient's on-demand body (Begin / ReadBody / EndBody), the GetObject body that streams into
// the decoder: the framing is undone whatever the read sizes, and the limits of a whole read
// still hold piece by piece: a cut body, a body longer than its Content-Length, one over
// max_body_bytes and one that stalls each end clearly.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "aws/http.h"
#include "aws/s3_client.h"
#include "aws/test_http_server.h"

namespace imgpipe::aws {
namespace {

using std::chrono::milliseconds;

HttpRequest Get(const std::string& url, uint64_t max_body_bytes = 0) {
  HttpRequest request;
  request.url = url;
  request.timeout = milliseconds(20000);
  request.max_body_bytes = max_body_bytes;
  return request;
}

std::string Body(size_t n) {
  std::string body(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    body[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
  }
  return body;
}

// Reads the whole body `piece` bytes at a time; the error of a failed read in *error.
std::string ReadAllBody(HttpClient& client, size_t piece, TransportError* error, bool* failed) {
  std::string out;
  std::vector<uint8_t> buffer(piece);
  *failed = false;
  for (;;) {
    const long got = client.ReadBody(buffer, error);
    if (got < 0) {
      *failed = true;
      return out;
    }
    if (got == 0) {
      return out;
    }
    out.append(reinterpret_cast<const char*>(buffer.data()), static_cast<size_t>(got));
  }
}

TEST(HttpStream, ContentLengthBodyInOneBytePiecesThenTheConnectionIsReused) {
  const std::string body = Body(70000);
  testing::ScriptServer server([&](int fd, int) {
    return testing::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: " +
                                    std::to_string(body.size()) + "\r\n\r\n" + body);
  });
  HttpClient client;
  for (size_t piece : {size_t{1}, size_t{4096}}) {
    HttpResult head = client.Begin(Get(server.url()));
    ASSERT_TRUE(head.ok()) << head.transport_error.message;
    EXPECT_EQ(head.response.status, 200);
    EXPECT_TRUE(head.response.body.empty());
    EXPECT_EQ(client.BodyRemaining(), body.size());
    TransportError error;
    bool failed = false;
    EXPECT_EQ(ReadAllBody(client, piece, &error, &failed), body);
    EXPECT_FALSE(failed) << error.message;
    client.EndBody(0);
  }
  ASSERT_TRUE(client.Perform(Get(server.url())).ok());
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpStream, ChunkedBodyInOneByteChunksAndOneBytePieces) {
  const std::string body = Body(3000);
  testing::ScriptServer server([&](int fd, int) {
    std::string wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (size_t i = 0; i < body.size();) {
      const size_t n = std::min<size_t>(1 + i % 5, body.size() - i);
      char size[16];
      static_cast<void>(std::snprintf(size, sizeof size, "%zx", n));
      wire += std::string(size) + "\r\n" + body.substr(i, n) + "\r\n";
      i += n;
    }
    wire += "0\r\n\r\n";
    // Byte by byte on the wire too: every framing boundary falls between two socket reads.
    for (char c : wire) {
      if (!testing::SendAll(fd, std::string_view(&c, 1))) {
        return false;
      }
    }
    return true;
  });
  HttpClient client;
  ASSERT_TRUE(client.Begin(Get(server.url())).ok());
  EXPECT_EQ(client.BodyRemaining(), std::nullopt);
  TransportError error;
  bool failed = false;
  EXPECT_EQ(ReadAllBody(client, 1, &error, &failed), body);
  EXPECT_FALSE(failed) << error.message;
  client.EndBody(0);
  ASSERT_TRUE(client.Perform(Get(server.url())).ok());
  EXPECT_EQ(server.connections(), 1);  // a chunked body read to its end keeps the connection
}

TEST(HttpStream, CutBodyFailsNamingTheMissingBytes) {
  testing::ScriptServer server([](int fd, int) {
    testing::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + Body(30000));
    return false;  // and close
  });
  HttpClient client;
  ASSERT_TRUE(client.Begin(Get(server.url())).ok());
  TransportError error;
  bool failed = false;
  EXPECT_EQ(ReadAllBody(client, 8192, &error, &failed).size(), 30000u);
  ASSERT_TRUE(failed);
  EXPECT_TRUE(error.retryable);
  EXPECT_NE(error.message.find("70000 body bytes missing"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("127.0.0.1"), std::string::npos) << error.message;
}

// Bytes past the Content-Length are not body and not a next response: the body ends at the
// announced length, and the connection is not used again.
TEST(HttpStream, BodyLongerThanItsContentLengthEndsThereAndDropsTheConnection) {
  testing::ScriptServer server([](int fd, int index) {
    if (index == 0) {
      testing::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789EXTRA-BYTES");
    } else {
      testing::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
    return true;
  });
  HttpClient client;
  ASSERT_TRUE(client.Begin(Get(server.url())).ok());
  TransportError error;
  bool failed = false;
  EXPECT_EQ(ReadAllBody(client, 3, &error, &failed), "0123456789");
  EXPECT_FALSE(failed);
  client.EndBody(0);
  HttpResult next = client.Perform(Get(server.url()));
  ASSERT_TRUE(next.ok()) << next.transport_error.message;
  EXPECT_EQ(next.response.BodyText(), "ok");
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpStream, OverMaxBodyBytesFailsBeforeOrWhileReading) {
  testing::ScriptServer announced([](int fd, int) {
    testing::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + Body(5000));
    return false;
  });
  HttpClient client;
  HttpResult head = client.Begin(Get(announced.url(), 4999));
  ASSERT_FALSE(head.ok());
  EXPECT_TRUE(head.transport_error.body_too_large);
  EXPECT_NE(head.transport_error.message.find("response body of 5000 bytes exceeds 4999 bytes"),
            std::string::npos)
      << head.transport_error.message;

  testing::ScriptServer unframed([](int fd, int) {
    testing::SendAll(fd, "HTTP/1.1 200 OK\r\n\r\n" + Body(5000));
    return false;
  });
  ASSERT_TRUE(client.Begin(Get(unframed.url(), 4999)).ok());
  TransportError error;
  bool failed = false;
  EXPECT_LE(ReadAllBody(client, 1000, &error, &failed).size(), 4999u);
  ASSERT_TRUE(failed);
  EXPECT_TRUE(error.body_too_large);
}

TEST(HttpStream, StalledBodyTimesOutWhileTheReaderWaits) {
  std::atomic<bool> stop{false};
  testing::ScriptServer server([&](int fd, int) {
    testing::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + Body(1000));
    for (int i = 0; i < 100 && !stop; ++i) {
      std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
  });
  HttpClient client;
  HttpRequest request = Get(server.url());
  request.low_speed_bytes = 1000;
  request.low_speed_time = std::chrono::seconds(1);
  ASSERT_TRUE(client.Begin(request).ok());
  const auto start = std::chrono::steady_clock::now();
  TransportError error;
  bool failed = false;
  ReadAllBody(client, 65536, &error, &failed);
  stop = true;
  ASSERT_TRUE(failed);
  EXPECT_NE(error.message.find("stalled"), std::string::npos) << error.message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(4000));
}

// A body left unread: a short known tail is read out so the connection serves the next
// request; a long one closes it instead.
TEST(HttpStream, EndBodyDrainsAShortTailAndDropsALongOne) {
  const std::string body = Body(50000);
  testing::ScriptServer server([&](int fd, int) {
    return testing::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: " +
                                    std::to_string(body.size()) + "\r\n\r\n" + body);
  });
  HttpClient client;
  ASSERT_TRUE(client.Begin(Get(server.url())).ok());
  uint8_t first[100];
  TransportError error;
  ASSERT_EQ(client.ReadBody(first, &error), 100);
  client.EndBody(uint64_t{64} * 1024);
  ASSERT_TRUE(client.Perform(Get(server.url())).ok());
  EXPECT_EQ(server.connections(), 1);

  ASSERT_TRUE(client.Begin(Get(server.url())).ok());
  ASSERT_EQ(client.ReadBody(first, &error), 100);
  client.EndBody(1000);
  ASSERT_TRUE(client.Perform(Get(server.url())).ok());
  EXPECT_EQ(server.connections(), 2);
}

// Through S3Client::GetStream: a body cut after its headers is an error of the body, naming the
// object and what is missing, and it is not retried (the decoder has used the bytes).
TEST(HttpStream, S3BodyCutMidwayIsAStorageErrorOfTheBody) {
  testing::ScriptServer server([](int fd, int) {
    testing::SendAll(
        fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nETag: \"abc\"\r\n\r\n" + Body(100));
    return false;
  });
  S3Config config;
  config.endpoint = server.url().substr(0, server.url().find("/b/k"));
  config.credentials = {"AKID", "SECRET", ""};
  S3Client client(config);
  auto stream = client.GetStream(InvocationContext{}, GetRequest{"bucket", "photo.jpg", {}, {}});
  ASSERT_TRUE(stream.ok()) << stream.error().message;
  EXPECT_EQ(stream->size, 1000u);
  EXPECT_EQ(stream->etag, "abc");
  auto all = ReadAll(*stream->body, 1u << 20);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().code, ErrorCode::kStorageError);
  EXPECT_NE(all.error().message.find("s3://bucket/photo.jpg: GetObject: reading the body"),
            std::string::npos)
      << all.error().message;
  EXPECT_NE(all.error().message.find("900 body bytes missing"), std::string::npos)
      << all.error().message;
  EXPECT_EQ(server.connections(), 1);  // no retry
}

}  // namespace
}  // namespace imgpipe::aws
