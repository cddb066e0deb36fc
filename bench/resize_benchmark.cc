// Micro-benchmarks of the core steps that are not codec-bound, for tuning (Google Benchmark).
// The side-by-side comparison with peers is bench/run.py; this only tracks our own kernels.
#include <benchmark/benchmark.h>

#include <random>

#include "core/color.h"
#include "core/resize.h"
#include "core/resize_geometry.h"

namespace {

imgpipe::Image MakeNoise(uint32_t width, uint32_t height, int channels) {
  imgpipe::Image image{width, height, channels, {}};
  image.pixels.resize(image.stride() * height);
  std::mt19937 rng(42);
  for (auto& p : image.pixels) p = static_cast<uint8_t>(rng());
  return image;
}

void BM_ResizeGray(benchmark::State& state) {
  const auto source =
      MakeNoise(static_cast<uint32_t>(state.range(0)), static_cast<uint32_t>(state.range(1)), 1);
  // A plain 256x256 fill: no crop, no padding, as the tutorial's job.
  imgpipe::core::ResizePlan plan;
  plan.scaled_width = plan.crop_width = plan.canvas_width = 256;
  plan.scaled_height = plan.crop_height = plan.canvas_height = 256;
  for (auto _ : state) {
    benchmark::DoNotOptimize(imgpipe::core::ApplyPlan(source, plan, imgpipe::Rgb{}));
  }
}
// Typical shrink-on-load outputs: 12 MP at 1/8 (500x375), 24 MP at 1/8 (750x500), 3 MP at 1/4.
BENCHMARK(BM_ResizeGray)->Args({500, 375})->Args({750, 500})->Args({512, 384})->Args({4000, 3000});

void BM_ToGray(benchmark::State& state) {
  const auto source = MakeNoise(2000, 1500, 3);
  for (auto _ : state) {
    benchmark::DoNotOptimize(imgpipe::core::ToGray(source));
  }
}
BENCHMARK(BM_ToGray);

}  // namespace

BENCHMARK_MAIN();
