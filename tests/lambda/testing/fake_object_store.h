// An in-memory ObjectStore for handler tests: records every call and injects failures per
// key or for every Put, so each outcome path can be driven deterministically. Thread-safe like
// the real store, since the handler calls it from several threads; read `gets` and `puts` once
// Handle() has returned.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/object_store.h"

namespace imgpipe::lambda::testing {

struct StoredPut {
  std::string bucket;
  std::string key;
  std::vector<uint8_t> body;
  std::string content_type;
  std::string cache_control;
  aws::Metadata metadata;
};

// The ETag every S3 record of tests/fixtures/events carries, so a stored object matches the
// If-Match the handler sends for them.
inline constexpr const char* kFixtureEtag = "0123456789abcdef0123456789abcdef";

class FakeObjectStore : public aws::ObjectStore {
 public:
  void AddObject(const std::string& bucket, const std::string& key, std::vector<uint8_t> bytes,
                 aws::Metadata metadata = {}, std::string etag = kFixtureEtag) {
    const std::lock_guard lock(mutex_);
    objects_[{bucket, key}] =
        aws::ObjectData{std::move(bytes), "image/jpeg", std::move(etag), std::move(metadata)};
  }
  // The next Get of this key fails with `error` (every time, until cleared).
  void FailGet(const std::string& bucket, const std::string& key, Error error) {
    const std::lock_guard lock(mutex_);
    get_failures_[{bucket, key}] = std::move(error);
  }
  void FailPuts(Error error) {
    const std::lock_guard lock(mutex_);
    put_failure_ = std::move(error);
  }
  // The next Put of this key fails with `error`, once.
  void FailNextPutOf(const std::string& key, Error error) {
    const std::lock_guard lock(mutex_);
    put_failures_once_[key] = std::move(error);
  }

  // Honours version_id and if_match the way S3 does: a version other than the stored ones is
  // 404 NoSuchVersion, an If-Match that differs from the stored ETag answers "superseded" (an
  // object stored without an ETag cannot be compared and matches). A version_id on a key
  // without AddVersion reads the current object, as s3rver does.
  Result<aws::ObjectData> Get(const aws::GetRequest& request) override {
    const std::lock_guard lock(mutex_);
    const std::pair<std::string, std::string> id{request.bucket, request.key};
    gets.push_back(id);
    get_requests.push_back(request);
    if (auto it = get_failures_.find(id); it != get_failures_.end()) return it->second;
    auto it = objects_.find(id);
    if (it == objects_.end()) {
      return MakeError(ErrorCode::kNotFound, "NoSuchKey: " + id.first + "/" + id.second);
    }
    if (auto v = versions_.find(id); !request.version_id.empty() && v != versions_.end()) {
      if (auto old = v->second.find(request.version_id); old != v->second.end()) {
        return old->second;
      }
      return MakeError(ErrorCode::kNotFound, "NoSuchVersion: " + request.version_id);
    }
    if (!request.if_match.empty() && !it->second.etag.empty() &&
        request.if_match != it->second.etag) {
      aws::ObjectData superseded;
      superseded.superseded = true;
      return superseded;
    }
    return it->second;
  }

  // Keeps `bytes` readable as version `version_id` of the key (a versioned bucket).
  void AddVersion(const std::string& bucket, const std::string& key, const std::string& version_id,
                  std::vector<uint8_t> bytes) {
    const std::lock_guard lock(mutex_);
    versions_[{bucket, key}][version_id] =
        aws::ObjectData{std::move(bytes), "image/jpeg", "etag-of-" + version_id, {}};
  }

  Result<std::string> Put(const aws::PutRequest& request) override {
    const std::lock_guard lock(mutex_);
    if (put_failure_) return *put_failure_;
    if (auto once = put_failures_once_.find(request.key); once != put_failures_once_.end()) {
      Error error = once->second;
      put_failures_once_.erase(once);
      return error;
    }
    puts.push_back(StoredPut{request.bucket, request.key,
                             std::vector<uint8_t>(request.body.begin(), request.body.end()),
                             request.content_type, request.cache_control, request.metadata});
    return std::string("etag-") + std::to_string(puts.size());
  }

  std::vector<std::pair<std::string, std::string>> gets;  // every Get, in order
  std::vector<aws::GetRequest> get_requests;              // the same, with version and If-Match
  std::vector<StoredPut> puts;                            // every successful Put, in order

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::map<std::string, aws::ObjectData>> versions_;
  std::map<std::pair<std::string, std::string>, aws::ObjectData> objects_;
  std::map<std::pair<std::string, std::string>, Error> get_failures_;
  std::optional<Error> put_failure_;
  std::map<std::string, Error> put_failures_once_;
};

}  // namespace imgpipe::lambda::testing
