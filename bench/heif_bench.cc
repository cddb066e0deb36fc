// The HEIC and AVIF classes of the benchmark (bench/RESULTS.md, "HEIF and AVIF"): per file, the
// median ms per image of
//   floor     libheif's own decode to 8-bit interleaved RGB, one thread, in this process
//             (heif_decode_image; no resize, no encode: the least any libheif user pays);
//   imgpipe   the whole job (256x256 fill, grayscale, JPEG q75) through imgpipe::Process,
//             which decodes in the isolated child;
//   isolation an empty job on a warm worker of this same process (imgpipe's HEIF decodes run
//             on such workers: the socket round trip and the limits, no fork).
// Rounds are interleaved (floor, imgpipe, isolation, floor, ...) because the machine is noisy.
//   heif_bench [--rounds N] FILE...
#include <libheif/heif.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "core/isolate.h"
#include "imgpipe/pipeline.h"

namespace {

using Ms = std::chrono::duration<double, std::milli>;

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double FloorDecode(const std::vector<uint8_t>& bytes) {
  const auto start = std::chrono::steady_clock::now();
  heif_context* ctx = heif_context_alloc();
  heif_context_set_max_decoding_threads(ctx, 0);
  heif_image_handle* handle = nullptr;
  heif_image* image = nullptr;
  if (heif_context_read_from_memory_without_copy(ctx, bytes.data(), bytes.size(), nullptr).code !=
          heif_error_Ok ||
      heif_context_get_primary_image_handle(ctx, &handle).code != heif_error_Ok ||
      heif_decode_image(handle, &image, heif_colorspace_RGB, heif_chroma_interleaved_RGB, nullptr)
              .code != heif_error_Ok) {
    (void)std::fprintf(stderr, "floor: libheif cannot decode\n");
    std::exit(1);
  }
  heif_image_release(image);
  heif_image_handle_release(handle);
  heif_context_free(ctx);
  return Ms(std::chrono::steady_clock::now() - start).count();
}

// The whole job's ms; `steps` gets the pipeline's own split (decode includes the worker's
// round trip and the copies through its region).
double Pipeline(const std::vector<uint8_t>& bytes, imgpipe::StepTimings* steps = nullptr) {
  const auto start = std::chrono::steady_clock::now();
  auto out = imgpipe::Process(bytes, imgpipe::Options{});
  if (!out.ok()) {
    (void)std::fprintf(stderr, "imgpipe: %s\n", out.error().message.c_str());
    std::exit(1);
  }
  if (steps != nullptr) {
    *steps = out->timings;
  }
  return Ms(std::chrono::steady_clock::now() - start).count();
}

int Empty(std::span<uint8_t> /*region*/) { return 0; }

double Isolation() {
  static imgpipe::core::IsolatedWorkers workers("empty worker", Empty);
  imgpipe::core::ChildLimits limits;
  limits.wall_ms = 10'000;
  limits.cpu_seconds = 10;
  limits.address_space_bytes = 256u << 20;
  const auto start = std::chrono::steady_clock::now();
  auto lease = workers.Acquire(4096);
  if (!lease.ok() || !lease->Run(limits).ok()) {
    std::exit(1);
  }
  return Ms(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 7;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      rounds = std::atoi(argv[++i]);
    } else {
      files.emplace_back(argv[i]);
    }
  }
  heif_init(nullptr);
  std::printf(
      "| file | floor ms | imgpipe ms | imgpipe / floor | of which decode / resize / encode ms "
      "| isolation ms |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    (void)FloorDecode(bytes);  // warm-up: page in the codecs
    (void)Pipeline(bytes);
    std::vector<double> floor_ms;
    std::vector<double> imgpipe_ms;
    std::vector<double> decode_ms;
    std::vector<double> resize_ms;
    std::vector<double> encode_ms;
    std::vector<double> ratios;
    std::vector<double> isolation_ms;
    for (int r = 0; r < rounds; ++r) {
      floor_ms.push_back(FloorDecode(bytes));
      imgpipe::StepTimings steps;
      imgpipe_ms.push_back(Pipeline(bytes, &steps));
      decode_ms.push_back(steps.decode_ms);
      resize_ms.push_back(steps.resize_ms);
      encode_ms.push_back(steps.encode_ms);
      ratios.push_back(imgpipe_ms.back() / floor_ms.back());
      isolation_ms.push_back(Isolation());
    }
    std::printf("| %s | %.1f | %.1f | %.2f | %.1f / %.1f / %.1f | %.2f |\n", file.c_str(),
                Median(floor_ms), Median(imgpipe_ms), Median(ratios), Median(decode_ms),
                Median(resize_ms), Median(encode_ms), Median(isolation_ms));
    (void)std::fflush(stdout);
  }
  return 0;
}
