// What each libjpeg-turbo DCT scale costs on a real photo: the measurement behind ChooseScale's
// "power-of-two scales only" (jpeg_decode.cc) and behind the variants notes (bench/NOTES.md).
// The decode is the core's gray case (the tutorial's job and the benchmark's variants): the Y
// plane only, no colour conversion, the default DCT method.
//   build/bin/jpeg_scale_benchmark PHOTO.jpg [Google Benchmark flags]
#include <benchmark/benchmark.h>
#include <jpeglib.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

// libjpeg's default error handler exits on a fatal error: acceptable for a benchmark of a photo
// the caller picked, never for the core.
void DecodeGray(const std::vector<unsigned char>& file, unsigned scale_num,
                std::vector<unsigned char>* pixels) {
  jpeg_decompress_struct cinfo{};
  jpeg_error_mgr error{};
  cinfo.err = jpeg_std_error(&error);
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, file.data(), file.size());
  (void)jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_GRAYSCALE;
  cinfo.scale_num = scale_num;
  cinfo.scale_denom = 8;
  (void)jpeg_start_decompress(&cinfo);
  pixels->resize(static_cast<size_t>(cinfo.output_width) * cinfo.output_height);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = pixels->data() + static_cast<size_t>(cinfo.output_scanline) * cinfo.output_width;
    (void)jpeg_read_scanlines(&cinfo, &row, 1);
  }
  (void)jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc != 2) {
    (void)std::fprintf(stderr, "usage: jpeg_scale_benchmark PHOTO.jpg [benchmark flags]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  static const std::vector<unsigned char> file((std::istreambuf_iterator<char>(in)), {});
  if (file.empty()) {
    (void)std::fprintf(stderr, "jpeg_scale_benchmark: cannot read %s\n", argv[1]);
    return 2;
  }
  // 1/8, 1/4 and 1/2 have SIMD IDCTs; 5/8..7/8 are the M/8 scales between 1/2 and full size.
  for (unsigned num : {1u, 2u, 4u, 5u, 6u, 7u, 8u}) {
    benchmark::RegisterBenchmark(("gray_decode/" + std::to_string(num) + "_8").c_str(),
                                 [num](benchmark::State& state) {
                                   std::vector<unsigned char> pixels;
                                   for (auto _ : state) {
                                     DecodeGray(file, num, &pixels);
                                     benchmark::DoNotOptimize(pixels.data());
                                   }
                                   state.counters["output_px"] = static_cast<double>(pixels.size());
                                 })
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
