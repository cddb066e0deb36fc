// imgpipe through its library API for bench/colour_bench.py, in one long-running process (the
// peer protocol of peers/peer_protocol.h): the tutorial's job (256x256 fill, JPEG q75), gray by
// default or colour with `colour` as the second argument.
#include <string>

#include "imgpipe/pipeline.h"
#include "peers/peer_protocol.h"

int main(int argc, char** argv) {
  imgpipe::Options options;
  options.grayscale = !(argc > 2 && std::string(argv[2]) == "colour");
  return bench::RunPeer(argc, argv, [&](const std::vector<uint8_t>& in, std::vector<uint8_t>& out) {
    auto result = imgpipe::Process(in, options);
    if (!result.ok()) {
      return false;
    }
    out = std::move(result->bytes);
    return true;
  });
}
