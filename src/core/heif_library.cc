// dlopen/dlsym of libheif (see heif_library.h).
#include "heif_library.h"

#include <dlfcn.h>

#include <memory>
#include <string>

namespace imgpipe::core {
namespace {

Error NotInstalled(const std::string& why) {
  return MakeError(ErrorCode::kUnsupportedFormat, "HEIF support not installed (" + why + ")");
}

template <typename F>
bool Resolve(void* handle, const char* name, F* slot, std::string* missing) {
  *slot = reinterpret_cast<F>(dlsym(handle, name));
  if (*slot == nullptr && missing->empty()) {
    *missing = name;
  }
  return *slot != nullptr;
}

}  // namespace

Result<const HeifApi*> LoadHeifFrom(const char* soname) {
  // RTLD_LOCAL: libheif's symbols (and its codecs') stay out of the global namespace.
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return NotInstalled(why != nullptr ? why : soname);
  }
  auto api = std::make_unique<HeifApi>();
  std::string missing;
  Resolve(handle, "heif_get_version", &api->get_version, &missing);
  Resolve(handle, "heif_context_alloc", &api->context_alloc, &missing);
  Resolve(handle, "heif_context_free", &api->context_free, &missing);
  Resolve(handle, "heif_context_set_max_decoding_threads", &api->set_max_decoding_threads,
          &missing);
  Resolve(handle, "heif_context_read_from_memory_without_copy", &api->read_from_memory, &missing);
  Resolve(handle, "heif_context_get_primary_image_handle", &api->primary_image_handle, &missing);
  Resolve(handle, "heif_image_handle_release", &api->handle_release, &missing);
  Resolve(handle, "heif_image_handle_has_alpha_channel", &api->has_alpha_channel, &missing);
  Resolve(handle, "heif_image_handle_get_color_profile_type", &api->color_profile_type, &missing);
  Resolve(handle, "heif_image_handle_get_raw_color_profile_size", &api->raw_color_profile_size,
          &missing);
  Resolve(handle, "heif_image_handle_get_raw_color_profile", &api->raw_color_profile, &missing);
  Resolve(handle, "heif_image_handle_get_nclx_color_profile", &api->nclx_color_profile, &missing);
  Resolve(handle, "heif_nclx_color_profile_free", &api->nclx_free, &missing);
  Resolve(handle, "heif_decoding_options_alloc", &api->decoding_options_alloc, &missing);
  Resolve(handle, "heif_decoding_options_free", &api->decoding_options_free, &missing);
  Resolve(handle, "heif_decode_image", &api->decode_image, &missing);
  Resolve(handle, "heif_image_get_colorspace", &api->image_colorspace, &missing);
  Resolve(handle, "heif_image_get_width", &api->image_width, &missing);
  Resolve(handle, "heif_image_get_height", &api->image_height, &missing);
  Resolve(handle, "heif_image_get_bits_per_pixel_range", &api->bits_per_pixel_range, &missing);
  Resolve(handle, "heif_image_get_plane_readonly", &api->plane_readonly, &missing);
  Resolve(handle, "heif_image_release", &api->image_release, &missing);
  decltype(&heif_init) init = nullptr;
  Resolve(handle, "heif_init", &init, &missing);
  if (!missing.empty()) {
    return NotInstalled(std::string(soname) + " lacks " + missing);
  }
  // heif_init registers the codec plugins; it runs here, in the parent and once, so no forked
  // child ever initialises anything.
  if (heif_error error = init(nullptr); error.code != heif_error_Ok) {
    return NotInstalled(std::string("heif_init: ") + error.message);
  }
  return api.release();
}

Result<const HeifApi*> LoadHeif() {
  static const Result<const HeifApi*> kLoaded = LoadHeifFrom("libheif.so.1");
  return kLoaded;
}

}  // namespace imgpipe::core
