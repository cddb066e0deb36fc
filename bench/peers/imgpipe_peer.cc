// imgpipe through its library API, in one long-running process: the seed's job.
#include "imgpipe/pipeline.h"
#include "peer_protocol.h"

int main(int argc, char** argv) {
  imgpipe::Options options;  // defaults are the seed's job: 256x256 fill, gray, JPEG q75
  return bench::RunPeer(argc, argv, [&](const std::vector<uint8_t>& in, std::vector<uint8_t>& out) {
    auto result = imgpipe::Process(in, options);
    if (!result.ok()) return false;
    out = std::move(result->bytes);
    return true;
  });
}
