// The object store the Lambda handler talks to, and the shared store behind it. S3Client is the
// shared store over HTTP, serving every invocation with one connection pool; BoundObjectStore
// is one invocation's view of it, with that invocation's context bound to every call. Tests use
// in-memory fakes. Kept free of curl so the handler stays a plain, testable function.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "aws/invocation.h"
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
  virtual Result<std::string> Put(const PutRequest& request) = 0;  // returns the new ETag
};

// A store that outlives invocations: each call names the invocation it serves. Same errors as
// ObjectStore, plus kDeadlineExceeded once the context's deadline has passed. Thread-safe too.
class SharedObjectStore {
 public:
  virtual ~SharedObjectStore() = default;
  virtual Result<ObjectData> Get(const InvocationContext& context, const GetRequest& request) = 0;
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
  Result<std::string> Put(const PutRequest& request) override {
    return store_.Put(context_, request);
  }

 private:
  SharedObjectStore& store_;
  InvocationContext context_;
};

}  // namespace imgpipe::aws
