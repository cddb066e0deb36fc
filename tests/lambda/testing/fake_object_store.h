// An in-memory ObjectStore for handler tests: records every call and injects failures per
// key or for every Put, so each outcome path can be driven deterministically.
#pragma once

#include <map>
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

class FakeObjectStore : public aws::ObjectStore {
 public:
  void AddObject(const std::string& bucket, const std::string& key, std::vector<uint8_t> bytes,
                 aws::Metadata metadata = {}, std::string etag = "etag-of-source") {
    objects_[{bucket, key}] =
        aws::ObjectData{std::move(bytes), "image/jpeg", std::move(etag), std::move(metadata)};
  }
  // The next Get of this key fails with `error` (every time, until cleared).
  void FailGet(const std::string& bucket, const std::string& key, Error error) {
    get_failures_[{bucket, key}] = std::move(error);
  }
  void FailPuts(Error error) { put_failure_ = std::move(error); }

  Result<aws::ObjectData> Get(const std::string& bucket, const std::string& key) override {
    gets.emplace_back(bucket, key);
    if (auto it = get_failures_.find({bucket, key}); it != get_failures_.end()) return it->second;
    auto it = objects_.find({bucket, key});
    if (it == objects_.end()) {
      return MakeError(ErrorCode::kNotFound, "NoSuchKey: " + bucket + "/" + key);
    }
    return it->second;
  }

  Result<std::string> Put(const aws::PutRequest& request) override {
    if (put_failure_) return *put_failure_;
    puts.push_back(StoredPut{request.bucket, request.key,
                             std::vector<uint8_t>(request.body.begin(), request.body.end()),
                             request.content_type, request.cache_control, request.metadata});
    return std::string("etag-") + std::to_string(puts.size());
  }

  std::vector<std::pair<std::string, std::string>> gets;  // every Get, in order
  std::vector<StoredPut> puts;                            // every successful Put, in order

 private:
  std::map<std::pair<std::string, std::string>, aws::ObjectData> objects_;
  std::map<std::pair<std::string, std::string>, Error> get_failures_;
  std::optional<Error> put_failure_;
};

}  // namespace imgpipe::lambda::testing
