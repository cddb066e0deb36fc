// The floor: the least work any tool must do for the seed's job.
//   JPEG: libjpeg-turbo decode at imgpipe's DCT scale (the largest that keeps >= 295x295, i.e.
//         the output plus imgpipe's 15% resampler headroom), straight to grayscale, no resize,
//         no encode.
//   PNG:  a full libspng decode (PNG has no reduced-scale decode).
//   WebP: libwebp's scaled decode straight to 256x256.
// Output buffers are reused across images, like a tuned pipeline would.
// jpeglib.h needs size_t and FILE declared first.
// clang-format off
#include <cstddef>
#include <cstdio>
#include <jpeglib.h>
// clang-format on
#include <setjmp.h>
#include <spng.h>
#include <webp/decode.h>

#include "peer_protocol.h"

namespace {

struct JpegError {
  jpeg_error_mgr mgr;
  jmp_buf jump;
};

// 256 with imgpipe's resampler headroom (WithResamplerHeadroom in src/core/pipeline.cc: 115%,
// rounded up). Keep the two in step: the floor is only a floor at imgpipe's own DCT scale.
constexpr unsigned kMinSide = (256 * 115 + 99) / 100;

void OnJpegError(j_common_ptr cinfo) { longjmp(reinterpret_cast<JpegError*>(cinfo->err)->jump, 1); }

bool DecodeJpegFloor(const std::vector<uint8_t>& in, std::vector<uint8_t>& out) {
  jpeg_decompress_struct cinfo;
  JpegError err;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = OnJpegError;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, in.data(), in.size());
  jpeg_read_header(&cinfo, TRUE);
  // The same choice as imgpipe (ChooseScale in src/core/jpeg_decode.cc, fed by DecodeStep in
  // src/core/pipeline.cc, which asks for the 256x256 output plus 15%): the largest of 1/8,
  // 1/4, 1/2 whose output, as libjpeg rounds it (up), is still >= kMinSide on both axes. Computing
  // it with libjpeg's own jpeg_calc_output_dimensions keeps the floor at exactly imgpipe's DCT
  // scale even where w / 8 would truncate below the minimum while libjpeg's ceil reaches it.
  cinfo.scale_num = 1;
  cinfo.scale_denom = 1;
  for (unsigned denom : {8u, 4u, 2u}) {
    cinfo.scale_denom = denom;
    jpeg_calc_output_dimensions(&cinfo);
    if (cinfo.output_width >= kMinSide && cinfo.output_height >= kMinSide) break;
    cinfo.scale_denom = 1;
  }
  cinfo.out_color_space = JCS_GRAYSCALE;
  jpeg_start_decompress(&cinfo);
  out.resize(static_cast<size_t>(cinfo.output_width) * cinfo.output_height);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.data() + static_cast<size_t>(cinfo.output_scanline) * cinfo.output_width;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

bool DecodePngFloor(const std::vector<uint8_t>& in, std::vector<uint8_t>& out) {
  spng_ctx* ctx = spng_ctx_new(0);
  size_t size = 0;
  bool ok = spng_set_png_buffer(ctx, in.data(), in.size()) == 0 &&
            spng_decoded_image_size(ctx, SPNG_FMT_RGB8, &size) == 0;
  if (ok) {
    out.resize(size);
    ok = spng_decode_image(ctx, out.data(), size, SPNG_FMT_RGB8, 0) == 0;
  }
  spng_ctx_free(ctx);
  return ok;
}

bool DecodeWebpFloor(const std::vector<uint8_t>& in, std::vector<uint8_t>& out) {
  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) return false;
  config.options.use_scaling = 1;
  config.options.scaled_width = 256;
  config.options.scaled_height = 256;
  out.resize(256 * 256 * 3);
  config.output.colorspace = MODE_RGB;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = out.data();
  config.output.u.RGBA.stride = 256 * 3;
  config.output.u.RGBA.size = out.size();
  return WebPDecode(in.data(), in.size(), &config) == VP8_STATUS_OK;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::RunPeer(argc, argv, [](const std::vector<uint8_t>& in, std::vector<uint8_t>& out) {
    if (in.size() > 3 && in[0] == 0xFF && in[1] == 0xD8) return DecodeJpegFloor(in, out);
    if (in.size() > 8 && in[0] == 0x89 && in[1] == 'P') return DecodePngFloor(in, out);
    if (in.size() > 12 && in[8] == 'W' && in[9] == 'E') return DecodeWebpFloor(in, out);
    return false;
  });
}
