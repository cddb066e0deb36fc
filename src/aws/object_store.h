// The object store the Lambda handler talks to. S3Client implements it over HTTP; tests use
// an in-memory fake. Kept free of curl so the handler stays a plain, testable function.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "imgpipe/error.h"

namespace imgpipe::aws {

using Metadata = std::map<std::string, std::string>;  // x-amz-meta-* names, lower case, no prefix

struct ObjectData {
  std::vector<uint8_t> bytes;
  std::string content_type;
  std::string etag;  // as S3 returns it, quotes stripped
  Metadata metadata;
};

struct ObjectHead {
  uint64_t size = 0;
  std::string content_type;
  std::string etag;
  Metadata metadata;
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
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  virtual Result<ObjectData> Get(const std::string& bucket, const std::string& key) = 0;
  virtual Result<ObjectHead> Head(const std::string& bucket, const std::string& key) = 0;
  virtual Result<std::string> Put(const PutRequest& request) = 0;  // returns the new ETag
};

}  // namespace imgpipe::aws
