// libvips through its C API: thumbnail (shrink-on-load) to 256x256 forced, to B_W, jpegsave Q75.
// A benchmark peer only: imgpipe never links libvips.
#include <vips/vips.h>

#include <cstring>

#include "peer_protocol.h"

int main(int argc, char** argv) {
  if (VIPS_INIT(argv[0])) vips_error_exit(nullptr);
  vips_concurrency_set(1);
  vips_cache_set_max(0);  // identical inputs repeat across rounds: never serve from cache
  return bench::RunPeer(argc, argv, [](const std::vector<uint8_t>& in, std::vector<uint8_t>& out) {
    VipsImage* thumb = nullptr;
    VipsImage* bw = nullptr;
    void* buf = nullptr;
    size_t size = 0;
    int rc = vips_thumbnail_buffer(const_cast<uint8_t*>(in.data()), in.size(), &thumb, 256,
                                   "height", 256, "size", VIPS_SIZE_FORCE, nullptr);
    if (!rc) rc = vips_colourspace(thumb, &bw, VIPS_INTERPRETATION_B_W, nullptr);
    if (!rc) rc = vips_jpegsave_buffer(bw, &buf, &size, "Q", 75, nullptr);
    if (thumb) g_object_unref(thumb);
    if (bw) g_object_unref(bw);
    if (rc) {
      vips_error_clear();
      return false;
    }
    out.assign(static_cast<uint8_t*>(buf), static_cast<uint8_t*>(buf) + size);
    g_free(buf);
    return true;
  });
}
