// libheif, loaded with dlopen on the first HEIF/AVIF object, so that neither bootstrap nor
// imgpipe lists it (and its ~25 MB closure of HEVC and AV1 codecs) in NEEDED: a cold start that
// never sees a HEIC pays nothing for it. Only the functions heif_decode.cc calls are resolved.
#pragma once

#include <libheif/heif.h>

#include "imgpipe/error.h"

namespace imgpipe::core {

struct HeifApi {
  decltype(&heif_get_version) get_version;
  decltype(&heif_context_alloc) context_alloc;
  decltype(&heif_context_free) context_free;
  decltype(&heif_context_set_max_decoding_threads) set_max_decoding_threads;
  decltype(&heif_context_read_from_memory_without_copy) read_from_memory;
  decltype(&heif_context_get_primary_image_handle) primary_image_handle;
  decltype(&heif_image_handle_release) handle_release;
  decltype(&heif_image_handle_has_alpha_channel) has_alpha_channel;
  decltype(&heif_image_handle_get_color_profile_type) color_profile_type;
  decltype(&heif_image_handle_get_raw_color_profile_size) raw_color_profile_size;
  decltype(&heif_image_handle_get_raw_color_profile) raw_color_profile;
  decltype(&heif_image_handle_get_nclx_color_profile) nclx_color_profile;
  decltype(&heif_nclx_color_profile_free) nclx_free;
  decltype(&heif_decoding_options_alloc) decoding_options_alloc;
  decltype(&heif_decoding_options_free) decoding_options_free;
  decltype(&heif_decode_image) decode_image;
  decltype(&heif_image_get_colorspace) image_colorspace;
  decltype(&heif_image_get_width) image_width;
  decltype(&heif_image_get_height) image_height;
  decltype(&heif_image_get_bits_per_pixel_range) bits_per_pixel_range;
  decltype(&heif_image_get_plane_readonly) plane_readonly;
  decltype(&heif_image_release) image_release;
};

// The process-wide libheif.so.1, loaded (and heif_init'ed) once, thread-safely. When it is not
// installed: kUnsupportedFormat "HEIF support not installed (...)", on every call.
Result<const HeifApi*> LoadHeif();

// Loads `soname` afresh, for tests of the missing-library path. The handle is never closed.
Result<const HeifApi*> LoadHeifFrom(const char* soname);

}  // namespace imgpipe::core
