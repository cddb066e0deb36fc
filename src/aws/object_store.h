// The object store the Lambda handler talks to, and the shared store behind it. S3Client is the
// shared store over HTTP, serving every invocation with one connection pool; BoundObjectStore
// is one invocation's view of it, with that invocation's context bound to every call. Tests use
// in-memory fakes. Kept free of curl so the handler stays a plain, testable function.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "aws/invocation.h"
#include "imgpipe/byte_source.h"
#include "imgpipe/error.h"

namespace imgpipe::aws {

using Metadata = std::map<std::string, std::string>;  // x-amz-meta-* names, lower case, no prefix

// Which object a Get reads. An S3 event names one upload of a key; these fields make the read
// return exactly that upload, not whatever was written to the key since.
struct GetRequest {
  std::string bucket;
  std::string key;  // raw (decoded) key; the client percent-encodes it
  // Read exactly this version (?versionId=, signed). "" = the current version.
  std::string version_id;
  // Read only when the current version still has this ETag (If-Match; quotes optional).
  // "" = unconditional. A mismatch is not an error: ObjectData::superseded.
  std::string if_match;
};

struct ObjectData {
  std::vector<uint8_t> bytes;
  std::string content_type;
  std::string etag;  // as S3 returns it, quotes stripped
  Metadata metadata;
  // If-Match did not hold (HTTP 412 Precondition Failed): a newer upload replaced the one asked
  // for, and nothing was read (bytes and metadata are empty).
  bool superseded = false;
};

// An object whose body is read as it is needed (ObjectStore::GetStream): the metadata comes with
// the response's headers, the bytes through `body`, off the connection as the decoder pulls
// them, so download and decode overlap and the body is never held whole. A failed read mid-body
// is an error of `body` (kStorageError, kDeadlineExceeded, kInputTooLarge) and is not retried:
// the caller fails the record, which its trigger retries.
struct ObjectStream {
  std::unique_ptr<ByteSource> body;  // null when superseded
  uint64_t size = 0;                 // the object's length (Content-Length)
  std::string content_type;
  std::string etag;  // as S3 returns it, quotes stripped
  Metadata metadata;
  bool superseded = false;  // as in ObjectData
};

// A Get's bytes served as an ObjectStream body: GetStream's fallback for stores that only read
// whole objects (the tests' fakes).
class OwnedBytesSource final : public ByteSource {
 public:
  explicit OwnedBytesSource(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)), view_(bytes_) {}
  OwnedBytesSource(const OwnedBytesSource&) = delete;  // view_ points into bytes_
  OwnedBytesSource& operator=(const OwnedBytesSource&) = delete;
  Result<size_t> Read(std::span<uint8_t> out) override { return view_.Read(out); }
  std::optional<uint64_t> RemainingHint() const override { return view_.RemainingHint(); }

 private:
  std::vector<uint8_t> bytes_;
  MemorySource view_;
};

inline ObjectStream StreamOf(ObjectData data) {
  ObjectStream stream;
  stream.size = data.bytes.size();
  stream.content_type = std::move(data.content_type);
  stream.etag = std::move(data.etag);
  stream.metadata = std::move(data.metadata);
  stream.superseded = data.superseded;
  if (!data.superseded) {
    stream.body = std::make_unique<OwnedBytesSource>(std::move(data.bytes));
  }
  return stream;
}

struct PutRequest {
  std::string bucket;
  std::string key;  // raw (decoded) key; the client percent-encodes it
  std::span<const uint8_t> body;
  std::string content_type;
  std::string cache_control;  // empty: header not sent
  Metadata metadata;
};

// Errors use ErrorCode::kNotFound (404), kAccessDenied (403: bad credentials or signature),
// kStorageError (retryable: 5xx, throttling, resets, timeouts after retries ran out).
// Implementations are safe to call from several threads at once: the handler processes the
// records of one invocation concurrently.
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  virtual Result<ObjectData> Get(const GetRequest& request) = 0;
  // Get with the body read as it is needed; by default a Get served from memory.
  virtual Result<ObjectStream> GetStream(const GetRequest& request) {
    auto data = Get(request);
    if (!data.ok()) {
      return data.error();
    }
    return StreamOf(std::move(data).value());
  }
  virtual Result<std::string> Put(const PutRequest& request) = 0;  // returns the new ETag
};

// A store that outlives invocations: each call names the invocation it serves. Same errors as
// ObjectStore, plus kDeadlineExceeded once the context's deadline has passed. Thread-safe too.
class SharedObjectStore {
 public:
  virtual ~SharedObjectStore() = default;
  virtual Result<ObjectData> Get(const InvocationContext& context, const GetRequest& request) = 0;
  virtual Result<ObjectStream> GetStream(const InvocationContext& context,
                                         const GetRequest& request) {
    auto data = Get(context, request);
    if (!data.ok()) {
      return data.error();
    }
    return StreamOf(std::move(data).value());
  }
  virtual Result<std::string> Put(const InvocationContext& context, const PutRequest& request) = 0;
};

// One invocation's ObjectStore: forwards every call to the shared store with its context.
class BoundObjectStore final : public ObjectStore {
 public:
  BoundObjectStore(SharedObjectStore& store, InvocationContext context)
      : store_(store), context_(std::move(context)) {}
  Result<ObjectData> Get(const GetRequest& request) override {
    return store_.Get(context_, request);
  }
  Result<ObjectStream> GetStream(const GetRequest& request) override {
    return store_.GetStream(context_, request);
  }
  Result<std::string> Put(const PutRequest& request) override {
    return store_.Put(context_, request);
  }

 private:
  SharedObjectStore& store_;
  InvocationContext context_;
};

}  // namespace imgpipe::aws
