// Writes a HEIC whose container carries an orientation (irot/imir, written by libheif from
// heif_encoding_options.image_orientation) and, optionally, an EXIF block with another
// orientation: Debian's heif-enc 1.15 can write neither. Used by make.sh only.
//   make_oriented OUT.heic WIDTH HEIGHT ORIENTATION EXIF_ORIENTATION < raw-rgb8
#include <libheif/heif.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s OUT W H ORIENTATION EXIF_ORIENTATION < rgb\n", argv[0]);
    return 2;
  }
  const int w = std::atoi(argv[2]);
  const int h = std::atoi(argv[3]);
  std::vector<unsigned char> rgb(static_cast<size_t>(w) * h * 3);
  if (std::fread(rgb.data(), 1, rgb.size(), stdin) != rgb.size()) {
    return 3;
  }
  heif_context* ctx = heif_context_alloc();
  heif_encoder* encoder = nullptr;
  heif_context_get_encoder_for_format(ctx, heif_compression_HEVC, &encoder);
  heif_encoder_set_lossy_quality(encoder, 85);
  heif_image* image = nullptr;
  heif_image_create(w, h, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &image);
  heif_image_add_plane(image, heif_channel_interleaved, w, h, 8);
  int stride = 0;
  unsigned char* plane = heif_image_get_plane(image, heif_channel_interleaved, &stride);
  for (int y = 0; y < h; ++y) {
    std::memcpy(plane + static_cast<size_t>(y) * stride, &rgb[static_cast<size_t>(y) * w * 3],
                static_cast<size_t>(w) * 3);
  }
  heif_encoding_options* options = heif_encoding_options_alloc();
  options->image_orientation = static_cast<heif_orientation>(std::atoi(argv[4]));
  heif_image_handle* handle = nullptr;
  if (heif_context_encode_image(ctx, image, encoder, options, &handle).code != heif_error_Ok) {
    return 4;
  }
  const int exif_orientation = std::atoi(argv[5]);
  if (exif_orientation > 0) {
    // Bare big-endian TIFF with one IFD0 entry: Orientation (0x0112), SHORT, count 1. libheif
    // prepends the Exif item's 4-byte header offset itself.
    const unsigned char exif[] = {
        'M',  'M',  0, 42, 0, 0, 0, 8, 0, 1,
        0x01, 0x12, 0, 3,  0, 0, 0, 1, 0, static_cast<unsigned char>(exif_orientation),
        0,    0,    0, 0,  0, 0};
    heif_context_add_exif_metadata(ctx, handle, exif, sizeof exif);
  }
  return heif_context_write_to_file(ctx, argv[1]).code == heif_error_Ok ? 0 : 5;
}
