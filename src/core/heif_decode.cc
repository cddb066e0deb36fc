// HEIF and AVIF: the header from imgpipe's own container parser (heif_boxes.h), the limits on
// the container's numbers, then libheif (dlopen'ed, heif_library.h) in a worker process under
// address-space, CPU and wall-clock limits (isolate.h). The file goes into the worker's shared
// region; the worker writes 8-bit pixels and the colour tag back into it. A worker that dies is
// `corrupt_image` for this image only.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "box_shrink.h"
#include "decode.h"
#include "heif_boxes.h"
#include "heif_library.h"
#include "isolate.h"
#include "limits.h"

namespace imgpipe::core {
namespace {

// An iPhone's 12 MP HEIC is a grid of 48 tiles of 512x512, a 48 MP one 192; tens of thousands
// of tiles only multiply per-tile decoder set-up.
constexpr uint32_t kMaxGridTiles = 4096;
// HEVC's largest level (6.2) codes 8192 pixels a side; AV1 allows 65536, but no real still is
// that size in a single tile.
constexpr uint32_t kMaxTileSide = 16384;
// Larger profiles are not real; the colour step would refuse them anyway.
constexpr size_t kMaxIccBytes = kMaxHeifIccBytes;
// The worker's budget for one job on top of its address space: libheif's planes (up to 16-bit 4:4:4
// plus alpha) and its interleaved output, per decoded pixel, plus a fixed allowance for the codecs.
constexpr uint64_t kChildBytesPerPixel = 24;
constexpr uint64_t kChildFixedBytes = 256ull << 20;

// What the worker reports.
struct Reply {
  int32_t error_code;  // -1 on success, else an ErrorCode
  char message[480];
  uint32_t width;
  uint32_t height;
  int32_t channels;
  uint32_t icc_size;
  uint16_t cicp_primaries;
  uint16_t cicp_transfer;
  uint16_t cicp_matrix;
};

// The head of the region: the job, then the reply; then the ICC bytes, the file, the pixels.
struct Job {
  const HeifApi* api;  // loaded before the first worker was forked, so valid in every worker
  uint64_t file_bytes;
  uint64_t pixel_bytes;
  bool monochrome;
  bool deep;        // more than 8 bits per sample: asked for 16-bit samples, scaled here
  bool gray;        // the caller converts to gray anyway (DecodeRequest::gray)
  uint32_t shrink;  // 1, 2, 4 or 8: the worker averages shrink x shrink blocks (ShrinkFor)
};
struct RegionHead {
  Job job;
  Reply reply;
};
constexpr size_t kIccOffset = (sizeof(RegionHead) + 63) / 64 * 64;
constexpr size_t kFileOffset = kIccOffset + kMaxIccBytes;
inline size_t PixelsOffset(uint64_t file_bytes) {
  return kFileOffset + static_cast<size_t>((file_bytes + 63) / 64 * 64);
}

RegionHead* HeadOf(std::span<uint8_t> region) {
  return reinterpret_cast<RegionHead*>(region.data());
}

// The worker's error report: fixed-size and without allocation.
int Fail(Reply* reply, ErrorCode code, const char* prefix, const char* detail) {
  reply->error_code = static_cast<int32_t>(code);
  (void)std::snprintf(reply->message, sizeof reply->message, "%s%s", prefix, detail);
  return 1;
}

ErrorCode CodeOf(const heif_error& error) {
  switch (error.code) {
    case heif_error_Unsupported_filetype:
    case heif_error_Unsupported_feature:
      return ErrorCode::kUnsupportedFormat;
    case heif_error_Invalid_input:
      return error.subcode == heif_suberror_End_of_data ? ErrorCode::kTruncatedImage
                                                        : ErrorCode::kCorruptImage;
    default:
      return ErrorCode::kCorruptImage;
  }
}

// round(v * 255 / max): deep samples are scaled, never shifted or clipped.
inline uint8_t To8Bit(uint32_t v, uint32_t max) {
  return static_cast<uint8_t>((std::min(v, max) * 255u + max / 2) / max);
}

// Copies a plane of `samples` channels per pixel into channels offset..offset+samples-1 of the
// packed 8-bit output, scaling samples deeper than 8 bits (stored little-endian in 16 bits).
void CopyPlane(const uint8_t* plane, int stride, int bits, uint32_t width, uint32_t height,
               int samples, uint8_t* out, int out_channels, int offset) {
  const uint32_t max = (1u << bits) - 1;
  const auto per_row = static_cast<size_t>(width) * static_cast<size_t>(samples);
  for (uint32_t y = 0; y < height; ++y) {
    const uint8_t* row = plane + static_cast<size_t>(stride) * y;
    uint8_t* dst = out + static_cast<size_t>(y) * width * static_cast<size_t>(out_channels);
    if (samples == out_channels && bits <= 8) {
      std::memcpy(dst, row, per_row);  // the common case: 8-bit RGB(A) rows, minus the stride
      continue;
    }
    // Deep samples, or one plane into every out_channels-th byte (monochrome with alpha).
    const auto step = static_cast<size_t>(samples == out_channels ? 1 : out_channels);
    uint8_t* at = dst + offset;
    for (size_t i = 0; i < per_row; ++i, at += step) {
      *at = bits <= 8 ? row[i]
                      : To8Bit(row[2 * i] | (static_cast<uint32_t>(row[2 * i + 1]) << 8), max);
    }
  }
}

// Averages shrink x shrink blocks of a plane of `samples` interleaved channels into packed
// 8-bit output; the blocks at the right and bottom edges average the pixels they hold. This is
// HEIF's shrink on load: libheif has no reduced-size decode, and a box reduction to at least the
// size the later steps need is what JPEG's DCT scaling gives them too. 8-bit planes take
// BoxShrinkPlane (box_shrink.h); deeper ones are summed here in 32 bits and scaled at the end.
void ShrinkPlane(const uint8_t* plane, int stride, int bits, uint32_t width, uint32_t height,
                 int samples, uint32_t shrink, uint8_t* out) {
  if (bits <= 8) {
    return BoxShrinkPlane(plane, static_cast<size_t>(stride), width, height, samples, shrink, out);
  }
  // Deeper samples (10- and 12-bit AVIF): the same means over 16-bit little-endian samples.
  const uint32_t max = (1u << bits) - 1;
  const uint32_t out_width = (width + shrink - 1) / shrink;
  const uint32_t out_height = (height + shrink - 1) / shrink;
  const auto channels = static_cast<size_t>(samples);
  std::vector<uint32_t> sums(static_cast<size_t>(width) * channels);
  for (uint32_t oy = 0; oy < out_height; ++oy) {
    std::fill(sums.begin(), sums.end(), 0u);
    const uint32_t y_end = std::min(height, (oy + 1) * shrink);
    for (uint32_t y = oy * shrink; y < y_end; ++y) {
      const uint8_t* row = plane + static_cast<size_t>(stride) * y;
      for (size_t i = 0; i < sums.size(); ++i) {
        sums[i] += row[2 * i] | (static_cast<uint32_t>(row[2 * i + 1]) << 8);
      }
    }
    uint8_t* dst = out + static_cast<size_t>(oy) * out_width * channels;
    const uint32_t rows = y_end - oy * shrink;
    for (uint32_t ox = 0; ox < out_width; ++ox) {
      const uint32_t x_begin = ox * shrink;
      const uint32_t x_end = std::min(width, x_begin + shrink);
      const uint32_t count = (x_end - x_begin) * rows;
      for (size_t c = 0; c < channels; ++c) {
        uint32_t sum = 0;
        for (uint32_t x = x_begin; x < x_end; ++x) {
          sum += sums[x * channels + c];
        }
        dst[ox * channels + c] = To8Bit((sum + count / 2) / count, max);
      }
    }
  }
}

// The largest box reduction (1, 2, 4 or 8, as JPEG's) whose output still holds the size the
// later steps need. None with alpha: averaging unpremultiplied colour would bleed the colour of
// transparent pixels into their neighbours before the flatten step.
uint32_t ShrinkFor(const HeifContainer& container, const DecodeRequest& request) {
  if (container.has_alpha) {
    return 1;
  }
  return BoxShrinkFactor(container.width, container.height, request.min_width, request.min_height);
}

// True when the luma plane *is* the gray image the pipeline would compute (ITU-R 601 weights of
// the decoded RGB): the container's nclx says BT.601 at full range with sRGB primaries, and no
// ICC profile asks the colour step for a conversion first. Without an nclx the matrix is only in
// the coded stream (heif-enc's lossless files say "RGB" there), so no shortcut.
bool LumaIsGray(const Reply& reply, const heif_color_profile_nclx* nclx) {
  if (reply.icc_size > 0 || nclx == nullptr) {
    return false;
  }
  const bool bt601 =
      nclx->matrix_coefficients == heif_matrix_coefficients_ITU_R_BT_601_6 ||
      nclx->matrix_coefficients == heif_matrix_coefficients_ITU_R_BT_470_6_System_B_G;
  const bool srgb_primaries = nclx->color_primaries == heif_color_primaries_ITU_R_BT_709_5 ||
                              nclx->color_primaries == heif_color_primaries_unspecified;
  return bt601 && nclx->full_range_flag != 0 && srgb_primaries;
}

// Fills the colour tag; returns whether the luma plane can stand for the gray image.
bool ReadColour(const HeifApi& api, const heif_image_handle* handle, Reply* reply, uint8_t* icc) {
  const heif_color_profile_type type = api.color_profile_type(handle);
  if (type == heif_color_profile_type_prof || type == heif_color_profile_type_rICC) {
    const size_t size = api.raw_color_profile_size(handle);
    if (size > 0 && size <= kMaxIccBytes && api.raw_color_profile(handle, icc).code == 0) {
      reply->icc_size = static_cast<uint32_t>(size);
    }
  }
  heif_color_profile_nclx* nclx = nullptr;
  if (api.nclx_color_profile(handle, &nclx).code == heif_error_Ok && nclx != nullptr) {
    reply->cicp_primaries = static_cast<uint16_t>(nclx->color_primaries);
    reply->cicp_transfer = static_cast<uint16_t>(nclx->transfer_characteristics);
    reply->cicp_matrix = static_cast<uint16_t>(nclx->matrix_coefficients);
  }
  const bool luma_is_gray = LumaIsGray(*reply, nclx);
  if (nclx != nullptr) {
    api.nclx_free(nclx);
  }
  return luma_is_gray;
}

// What one decode allocates in libheif, released when the job ends: the worker lives on to
// decode the next image.
struct LibheifObjects {
  explicit LibheifObjects(const HeifApi& heif) : api(heif) {}
  LibheifObjects(const LibheifObjects&) = delete;
  LibheifObjects& operator=(const LibheifObjects&) = delete;
  ~LibheifObjects() {
    if (image != nullptr) {
      api.image_release(image);
    }
    if (options != nullptr) {
      api.decoding_options_free(options);
    }
    if (handle != nullptr) {
      api.handle_release(handle);
    }
    if (ctx != nullptr) {
      api.context_free(ctx);
    }
  }
  const HeifApi& api;
  heif_context* ctx = nullptr;
  heif_image_handle* handle = nullptr;
  heif_decoding_options* options = nullptr;
  heif_image* image = nullptr;
};

// Runs in a worker: decode the primary image with its transforms into the region.
int DecodeInWorker(std::span<uint8_t> region) {
  const Job& job = HeadOf(region)->job;
  const HeifApi& api = *job.api;
  Reply* reply = &HeadOf(region)->reply;
  LibheifObjects objects(api);
  objects.ctx = api.context_alloc();
  heif_context* ctx = objects.ctx;
  if (ctx == nullptr) {
    return Fail(reply, ErrorCode::kInternal, "libheif: ", "cannot allocate a context");
  }
  // One thread, as the floor is measured: the CPU limit then bounds the wall time too.
  api.set_max_decoding_threads(ctx, 0);
  heif_error error =
      api.read_from_memory(ctx, region.data() + kFileOffset, job.file_bytes, nullptr);
  if (error.code != heif_error_Ok) {
    return Fail(reply, CodeOf(error), "libheif: ", error.message);
  }
  if (error = api.primary_image_handle(ctx, &objects.handle); error.code != heif_error_Ok) {
    return Fail(reply, CodeOf(error), "libheif: ", error.message);
  }
  const heif_image_handle* handle = objects.handle;
  const bool alpha = api.has_alpha_channel(handle) != 0;
  const bool luma_is_gray = ReadColour(api, handle, reply, region.data() + kIccOffset);
  objects.options = api.decoding_options_alloc();
  heif_decoding_options* options = objects.options;
  if (options == nullptr) {
    return Fail(reply, ErrorCode::kInternal, "libheif: ", "cannot allocate decoding options");
  }
  options->ignore_transformations = 0;  // irot, imir and clap are applied here, once
  options->convert_hdr_to_8bit = 0;     // 10/12-bit comes out deep and is scaled below
  heif_image*& image = objects.image;
  // Gray output, as JPEG's: the codec's own luma plane, without libheif's YCbCr to RGB
  // conversion and its 3-byte-per-pixel buffer (about a fifth of the decode time).
  bool luma_only = job.monochrome;
  if (!luma_only && job.gray && !alpha && luma_is_gray) {
    // 4:2:0 is what photos are coded in, so this is libheif's native output, unconverted.
    error = api.decode_image(handle, &image, heif_colorspace_YCbCr, heif_chroma_420, options);
    luma_only = error.code == heif_error_Ok && api.image_colorspace(image) == heif_colorspace_YCbCr;
    if (error.code == heif_error_Ok && !luma_only) {
      api.image_release(image);  // coded as RGB: take the general path below
      image = nullptr;
    }
  }
  // Every layout is asked for with 8-bit samples (the "_RGB/_RGBA" chromas) or little-endian
  // 16-bit ones (RRGGBB_LE); monochrome comes as separate Y and alpha planes.
  const heif_colorspace space = job.monochrome ? heif_colorspace_monochrome : heif_colorspace_RGB;
  heif_chroma chroma = heif_chroma_monochrome;
  if (!job.monochrome) {
    chroma = alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB;
  }
  if (!job.monochrome && job.deep) {
    chroma = alpha ? heif_chroma_interleaved_RRGGBBAA_LE : heif_chroma_interleaved_RRGGBB_LE;
  }
  if (!luma_only || job.monochrome) {
    error = api.decode_image(handle, &image, space, chroma, options);
  }
  if (error.code != heif_error_Ok) {
    return Fail(reply, CodeOf(error), "libheif: ", error.message);
  }
  const heif_channel main = luma_only ? heif_channel_Y : heif_channel_interleaved;
  const int width = api.image_width(image, main);
  const int height = api.image_height(image, main);
  const int channels = luma_only ? (alpha ? 2 : 1) : (alpha ? 4 : 3);
  const uint64_t need = static_cast<uint64_t>(width) * height * channels;
  if (width <= 0 || height <= 0 || need > job.pixel_bytes) {
    return Fail(reply, ErrorCode::kCorruptImage,
                "libheif: ", "decoded image is larger than its container says");
  }
  uint8_t* out = region.data() + PixelsOffset(job.file_bytes);
  int stride = 0;
  const uint8_t* plane = api.plane_readonly(image, main, &stride);
  const int bits = api.bits_per_pixel_range(image, main);
  if (plane == nullptr || bits < 1 || bits > 16) {
    return Fail(reply, ErrorCode::kCorruptImage, "libheif: ", "no pixel plane");
  }
  const auto w = static_cast<uint32_t>(width);
  const auto h = static_cast<uint32_t>(height);
  if (job.shrink > 1 && !alpha) {
    ShrinkPlane(plane, stride, bits, w, h, channels, job.shrink, out);
    reply->width = (w + job.shrink - 1) / job.shrink;
    reply->height = (h + job.shrink - 1) / job.shrink;
    reply->channels = channels;
    reply->error_code = -1;
    return 0;
  }
  if (luma_only) {
    CopyPlane(plane, stride, bits, w, h, 1, out, channels, 0);
    if (alpha) {
      const uint8_t* a = api.plane_readonly(image, heif_channel_Alpha, &stride);
      const int alpha_bits = api.bits_per_pixel_range(image, heif_channel_Alpha);
      if (a == nullptr || api.image_width(image, heif_channel_Alpha) != width || alpha_bits < 1 ||
          alpha_bits > 16) {
        return Fail(reply, ErrorCode::kCorruptImage, "libheif: ", "alpha plane does not fit");
      }
      CopyPlane(a, stride, alpha_bits, w, h, 1, out, channels, 1);
    }
  } else {
    CopyPlane(plane, stride, bits, w, h, channels, out, channels, 0);
  }
  reply->width = w;
  reply->height = h;
  reply->channels = channels;
  reply->error_code = -1;
  return 0;
}

Status CheckGrid(const HeifContainer& container, const Limits& limits) {
  if (container.grid_tiles == 0) {
    return OkStatus();
  }
  const std::string tiles = std::to_string(container.grid_tiles);
  if (container.grid_tiles > kMaxGridTiles) {
    return MakeError(ErrorCode::kTooManyPixels, "HEIF grid has " + tiles + " tiles, over the " +
                                                    std::to_string(kMaxGridTiles) + " tile limit");
  }
  if (container.tile_width > kMaxTileSide || container.tile_height > kMaxTileSide) {
    return MakeError(ErrorCode::kTooManyPixels,
                     "HEIF grid tile is " + std::to_string(container.tile_width) + "x" +
                         std::to_string(container.tile_height) + ", over the " +
                         std::to_string(kMaxTileSide) + " pixel side limit");
  }
  // Every tile is decoded in full, so the tiles' pixels are what the limit is about.
  const uint64_t decoded =
      static_cast<uint64_t>(container.grid_tiles) * container.tile_width * container.tile_height;
  if (decoded > limits.max_input_pixels) {
    return MakeError(ErrorCode::kTooManyPixels, "HEIF grid of " + tiles + " tiles holds " +
                                                    std::to_string(decoded) + " pixels, over the " +
                                                    std::to_string(limits.max_input_pixels) +
                                                    " pixel limit");
  }
  return OkStatus();
}

Header ToHeader(const HeifContainer& container) {
  Header header;
  header.format = container.format;
  // The size libheif returns, with irot/imir/clap applied; EXIF orientation inside a HEIF is
  // never applied on top (HEIF says the container's transforms are the only ones), so 1.
  header.width = container.width;
  header.height = container.height;
  header.orientation = 1;
  header.bit_depth = container.bit_depth;
  header.has_alpha = container.has_alpha;
  header.channels = (container.monochrome ? 1 : 3) + (container.has_alpha ? 1 : 0);
  header.animated = container.has_movie;
  header.brand = container.major_brand;
  header.grid_tiles = container.grid_tiles;
  header.tile_width = container.tile_width;
  header.tile_height = container.tile_height;
  return header;
}

ChildLimits LimitsFor(uint64_t pixels) {
  ChildLimits limits;
  limits.address_space_bytes = kChildFixedBytes + kChildBytesPerPixel * pixels;
  // libheif's single-threaded HEVC decode runs at ~40 MP/s here: one second per megapixel is a
  // tenfold margin, and the wall clock allows twice that for a busy machine.
  limits.cpu_seconds = static_cast<uint32_t>(2 + pixels / 1'000'000);
  limits.wall_ms = limits.cpu_seconds * 2000;
  return limits;
}

// The process's HEIF workers, started on the first HEIF image and kept until exit, when they
// are closed and reaped: so the process's resource usage (peak RSS, CPU) includes theirs, as
// `/usr/bin/time` and getrusage(RUSAGE_CHILDREN) report it.
IsolatedWorkers& Workers() {
  static IsolatedWorkers workers("HEIF decoder", DecodeInWorker);
  return workers;
}

}  // namespace

Result<Header> ReadHeifHeader(std::span<const uint8_t> bytes) {
  auto container = ParseHeifContainer(bytes);
  if (!container) {
    return container.error();
  }
  return ToHeader(*container);
}

Result<Image> DecodeHeif(std::span<const uint8_t> bytes, const DecodeRequest& request) {
  if (auto status = CheckInputBytes(bytes.size(), request.limits); !status) {
    return status.error();
  }
  auto container = ParseHeifContainer(bytes);
  if (!container) {
    return container.error();
  }
  // The coded size, not the cropped one: a clap may show 100x100 of a 60000x60000 image.
  Header coded = ToHeader(*container);
  coded.width = container->ispe_width;
  coded.height = container->ispe_height;
  if (auto status = CheckHeader(coded, request.limits); !status) {
    return status.error();
  }
  if (auto status = CheckGrid(*container, request.limits); !status) {
    return status.error();
  }
  auto api = LoadHeif();
  if (!api) {
    return api.error();
  }
  const uint64_t pixels = std::max<uint64_t>(static_cast<uint64_t>(coded.width) * coded.height,
                                             static_cast<uint64_t>(container->grid_tiles) *
                                                 container->tile_width * container->tile_height);
  // Room for four 8-bit channels of the coded size: the output is never larger.
  const uint64_t pixel_bytes = static_cast<uint64_t>(coded.width) * coded.height * 4;
  auto lease = Workers().Acquire(PixelsOffset(bytes.size()) + pixel_bytes);
  if (!lease) {
    return lease.error();
  }
  const std::span<uint8_t> region = lease->region();
  RegionHead* head = HeadOf(region);
  head->job = Job{*api,
                  bytes.size(),
                  pixel_bytes,
                  container->monochrome,
                  container->bit_depth > 8,
                  request.gray,
                  ShrinkFor(*container, request)};
  std::memcpy(region.data() + kFileOffset, bytes.data(), bytes.size());
  Reply* reply = &head->reply;
  *reply = Reply{};
  reply->error_code = static_cast<int32_t>(ErrorCode::kInternal);
  (void)std::snprintf(reply->message, sizeof reply->message, "HEIF decoder exited early");
  auto status = lease->Run(LimitsFor(pixels));
  if (!status) {
    return status.error();
  }
  if (reply->error_code >= 0) {
    reply->message[sizeof reply->message - 1] = '\0';
    return MakeError(static_cast<ErrorCode>(reply->error_code), reply->message);
  }
  if (reply->channels < 1 || reply->channels > 4) {
    return MakeError(ErrorCode::kCorruptImage,
                     "HEIF decoder returned " + std::to_string(reply->channels) + " channels");
  }
  const uint32_t shrink = head->job.shrink;
  const uint32_t expected_width = (container->width + shrink - 1) / shrink;
  const uint32_t expected_height = (container->height + shrink - 1) / shrink;
  if (reply->width != expected_width || reply->height != expected_height) {
    return MakeError(ErrorCode::kCorruptImage,
                     "HEIF decoder returned " + std::to_string(reply->width) + "x" +
                         std::to_string(reply->height) + ", the container says " +
                         std::to_string(container->width) + "x" +
                         std::to_string(container->height) +
                         (shrink > 1 ? " (1/" + std::to_string(shrink) + ")" : ""));
  }
  Image image;
  image.width = reply->width;
  image.height = reply->height;
  image.channels = reply->channels;
  const uint8_t* pixels_begin = region.data() + PixelsOffset(bytes.size());
  image.pixels.assign(pixels_begin, pixels_begin + image.stride() * image.height);
  const uint8_t* icc = region.data() + kIccOffset;
  image.colour.icc.assign(icc, icc + std::min<size_t>(reply->icc_size, kMaxIccBytes));
  image.colour.cicp_primaries = reply->cicp_primaries;
  image.colour.cicp_transfer = reply->cicp_transfer;
  image.colour.cicp_matrix = reply->cicp_matrix;
  return image;
}

}  // namespace imgpipe::core
