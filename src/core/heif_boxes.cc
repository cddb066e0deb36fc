// A bounded ISO BMFF reader for the few HEIF boxes the header needs (see heif_boxes.h).
#include "heif_boxes.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string_view>
#include <vector>

namespace imgpipe::core {
namespace {

using Bytes = std::span<const uint8_t>;

// Far above any real file (an iPhone HEIC has ~100 items and ~200 properties), far below what
// would make the linear scans here cost anything.
constexpr size_t kMaxEntries = 65536;

// Sequential big-endian reads; any read past the end clears ok() and yields zeros.
class Reader {
 public:
  explicit Reader(Bytes data) : data_(data) {}
  bool ok() const { return ok_; }
  size_t remaining() const { return data_.size() - pos_; }
  Bytes rest() const { return data_.subspan(pos_); }
  uint64_t Read(size_t bytes) {
    if (!ok_ || remaining() < bytes) {
      ok_ = false;
      return 0;
    }
    uint64_t value = 0;
    for (size_t i = 0; i < bytes; ++i) {
      value = (value << 8) | data_[pos_++];
    }
    return value;
  }
  uint32_t U8() { return static_cast<uint32_t>(Read(1)); }
  uint32_t U16() { return static_cast<uint32_t>(Read(2)); }
  uint32_t U32() { return static_cast<uint32_t>(Read(4)); }
  std::string FourCc() {
    std::string text;
    for (uint32_t c = U32(), shift = 32; shift > 0;) {
      shift -= 8;
      text += static_cast<char>((c >> shift) & 0xFF);
    }
    return text;
  }
  // A full box's version byte; the 24 flag bits go to `flags`.
  uint32_t Version(uint32_t* flags = nullptr) {
    const uint32_t word = U32();
    if (flags != nullptr) {
      *flags = word & 0xFFFFFF;
    }
    return word >> 24;
  }

 private:
  Bytes data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

struct Box {
  std::string type;
  Bytes payload;
  bool cut = false;  // the box claims more bytes than the data holds (payload is what exists)
};

// Splits `data` into boxes. A box that runs past the end is kept with cut = true, so the caller
// decides: a cut `mdat` is for the decoder to report, a cut `meta` is a truncated file.
std::optional<std::vector<Box>> SplitBoxes(Bytes data) {
  std::vector<Box> boxes;
  Reader reader(data);
  while (reader.remaining() > 0) {
    if (boxes.size() >= kMaxEntries) {
      return std::nullopt;
    }
    const size_t start = data.size() - reader.remaining();
    uint64_t size = reader.U32();
    Box box;
    box.type = reader.FourCc();
    size_t header = 8;
    if (size == 1) {
      size = reader.Read(8);
      header = 16;
    } else if (size == 0) {
      size = data.size() - start;  // "to the end of the file"
    }
    if (!reader.ok() || size < header) {
      return std::nullopt;
    }
    if (box.type == "uuid") {
      header += 16;
    }
    const size_t available = data.size() - start;
    box.cut = size > available;
    const size_t end = box.cut ? data.size() : start + static_cast<size_t>(size);
    if (start + header > end) {
      box.cut = true;
      box.payload = {};
    } else {
      box.payload = data.subspan(start + header, end - start - header);
    }
    boxes.push_back(box);
    if (box.cut) {
      break;
    }
    reader = Reader(data.subspan(end));
    data = data.subspan(end);
  }
  return boxes;
}

const Box* FindBox(const std::vector<Box>& boxes, std::string_view type) {
  auto it = std::find_if(boxes.begin(), boxes.end(), [&](const Box& b) { return b.type == type; });
  return it == boxes.end() ? nullptr : &*it;
}

Error Corrupt(const std::string& what) {
  return MakeError(ErrorCode::kCorruptImage, "corrupt HEIF container: " + what);
}

Error Truncated(const std::string& box) {
  return MakeError(ErrorCode::kTruncatedImage,
                   "HEIF data ends inside the '" + box + "' box (truncated)");
}

bool IsAvifBrand(std::string_view brand) { return brand == "avif" || brand == "avis"; }

bool IsHeifBrand(std::string_view brand) {
  constexpr std::array<std::string_view, 12> kBrands = {"heic", "heix", "hevc", "hevx",
                                                        "heim", "heis", "hevm", "hevs",
                                                        "mif1", "msf1", "mif2", "miaf"};
  return std::find(kBrands.begin(), kBrands.end(), brand) != kBrands.end();
}

struct Item {
  uint32_t id = 0;
  std::string type;
};

// Everything read out of `meta`, before it is resolved for the primary item.
struct Meta {
  uint32_t primary_id = 0;
  std::vector<Item> items;
  std::vector<Box> properties;  // ipco children; ipma indices are 1-based into this
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> associations;  // item -> indices
  struct Reference {
    std::string type;
    uint32_t from = 0;
    std::vector<uint32_t> to;
  };
  std::vector<Reference> references;
};

bool ReadItems(Bytes payload, Meta* meta) {
  Reader r(payload);
  const uint32_t version = r.Version();
  const uint32_t count = version == 0 ? r.U16() : r.U32();
  auto children = SplitBoxes(r.rest());
  if (!r.ok() || !children || count > kMaxEntries) {
    return false;
  }
  for (const Box& box : *children) {
    if (box.type != "infe") {
      continue;
    }
    Reader e(box.payload);
    const uint32_t v = e.Version();
    if (v < 2) {
      continue;  // version 0/1 entries carry no item type (no images use them)
    }
    Item item;
    item.id = v == 2 ? e.U16() : e.U32();
    (void)e.U16();  // item_protection_index
    item.type = e.FourCc();
    if (!e.ok()) {
      return false;
    }
    meta->items.push_back(item);
  }
  return true;
}

bool ReadAssociations(Bytes payload, Meta* meta) {
  Reader r(payload);
  uint32_t flags = 0;
  const uint32_t version = r.Version(&flags);
  const uint32_t count = r.U32();
  if (count > kMaxEntries) {
    return false;
  }
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    const uint32_t item = version < 1 ? r.U16() : r.U32();
    const uint32_t n = r.U8();
    std::vector<uint32_t> indices;
    for (uint32_t j = 0; j < n && r.ok(); ++j) {
      // The top bit is "essential"; the rest is the 1-based index into ipco.
      indices.push_back((flags & 1) != 0 ? r.U16() & 0x7FFF : r.U8() & 0x7F);
    }
    meta->associations.emplace_back(item, std::move(indices));
  }
  return r.ok();
}

bool ReadReferences(Bytes payload, Meta* meta) {
  Reader r(payload);
  const uint32_t version = r.Version();
  auto children = SplitBoxes(r.rest());
  if (!r.ok() || !children) {
    return false;
  }
  for (const Box& box : *children) {
    Reader e(box.payload);
    Meta::Reference ref;
    ref.type = box.type;
    ref.from = version == 0 ? e.U16() : e.U32();
    const uint32_t count = e.U16();
    for (uint32_t i = 0; i < count && e.ok(); ++i) {
      ref.to.push_back(version == 0 ? e.U16() : e.U32());
    }
    if (!e.ok()) {
      return false;
    }
    meta->references.push_back(std::move(ref));
  }
  return true;
}

Result<Meta> ReadMeta(const Box& meta_box) {
  Reader r(meta_box.payload);
  (void)r.Version();
  auto children = SplitBoxes(r.rest());
  if (!r.ok() || !children) {
    return Corrupt("malformed 'meta' box");
  }
  Meta meta;
  bool have_primary = false;
  for (const Box& box : *children) {
    if (box.cut) {
      return Truncated(box.type);
    }
    if (box.type == "pitm") {
      Reader p(box.payload);
      meta.primary_id = p.Version() == 0 ? p.U16() : p.U32();
      have_primary = p.ok();
    } else if (box.type == "iinf" && !ReadItems(box.payload, &meta)) {
      return Corrupt("malformed 'iinf' box");
    } else if (box.type == "iref" && !ReadReferences(box.payload, &meta)) {
      return Corrupt("malformed 'iref' box");
    } else if (box.type == "iprp") {
      auto iprp = SplitBoxes(box.payload);
      if (!iprp) {
        return Corrupt("malformed 'iprp' box");
      }
      for (const Box& child : *iprp) {
        if (child.type == "ipco") {
          auto props = SplitBoxes(child.payload);
          if (!props) {
            return Corrupt("malformed 'ipco' box");
          }
          meta.properties = std::move(*props);
        } else if (child.type == "ipma" && !ReadAssociations(child.payload, &meta)) {
          return Corrupt("malformed 'ipma' box");
        }
      }
    }
  }
  if (!have_primary) {
    return Corrupt("no primary item ('pitm')");
  }
  return meta;
}

std::vector<const Box*> PropertiesOf(const Meta& meta, uint32_t item) {
  std::vector<const Box*> props;
  for (const auto& [id, indices] : meta.associations) {
    if (id != item) {
      continue;
    }
    for (uint32_t index : indices) {
      if (index >= 1 && index <= meta.properties.size()) {
        props.push_back(&meta.properties[index - 1]);
      }
    }
  }
  return props;
}

bool ReadIspe(const std::vector<const Box*>& props, uint32_t* width, uint32_t* height) {
  for (const Box* box : props) {
    if (box->type == "ispe") {
      Reader r(box->payload);
      (void)r.Version();
      *width = r.U32();
      *height = r.U32();
      return r.ok();
    }
  }
  return false;
}

// A clean aperture size N/D, rounded as libheif rounds it, kept within the coded size.
uint32_t ClapSide(uint32_t numerator, uint32_t denominator, uint32_t coded) {
  if (denominator == 0) {
    return coded;
  }
  const double side = std::round(static_cast<double>(numerator) / denominator);
  return side < 1 || side > coded ? coded : static_cast<uint32_t>(side);
}

bool IsAlphaAuxiliary(const Meta& meta, uint32_t item) {
  for (const Box* box : PropertiesOf(meta, item)) {
    if (box->type != "auxC" || box->payload.size() < 4) {
      continue;
    }
    const auto name = box->payload.subspan(4);
    const std::string_view urn(reinterpret_cast<const char*>(name.data()),
                               std::find(name.begin(), name.end(), 0) - name.begin());
    if (urn == "urn:mpeg:hevc:2015:auxid:1" ||
        urn == "urn:mpeg:mpegB:cicp:systems:auxiliary:alpha") {
      return true;
    }
  }
  return false;
}

// Depth and chroma from `pixi`, else from the codec configuration (hvcC or av1C).
void ReadDepth(const std::vector<const Box*>& props, HeifContainer* out) {
  for (const Box* box : props) {
    Reader r(box->payload);
    if (box->type == "pixi") {
      (void)r.Version();
      const uint32_t channels = r.U8();
      const uint32_t bits = r.U8();
      if (r.ok() && bits > 0) {
        out->bit_depth = static_cast<int>(bits);
        out->monochrome = channels == 1;
        return;
      }
    }
  }
  for (const Box* box : props) {
    if (box->type == "hvcC" && box->payload.size() > 17) {
      out->monochrome = (box->payload[16] & 3) == 0;
      out->bit_depth = 8 + (box->payload[17] & 7);
    } else if (box->type == "av1C" && box->payload.size() > 2) {
      const uint8_t flags = box->payload[2];
      const bool high = (flags & 0x40) != 0;
      const bool twelve = (flags & 0x20) != 0;
      out->bit_depth = high ? (twelve ? 12 : 10) : 8;
      out->monochrome = (flags & 0x10) != 0;
    }
  }
}

void ReadIcc(const std::vector<const Box*>& props, HeifContainer* out) {
  for (const Box* box : props) {
    if (box->type != "colr" || box->payload.size() < 4) {
      continue;
    }
    const std::string_view type(reinterpret_cast<const char*>(box->payload.data()), 4);
    const auto profile = box->payload.subspan(4);
    if ((type == "prof" || type == "rICC") && !profile.empty() &&
        profile.size() <= kMaxHeifIccBytes) {
      out->icc.assign(profile.begin(), profile.end());
      return;
    }
  }
}

void ReadTransforms(const std::vector<const Box*>& props, HeifContainer* out) {
  uint32_t width = out->ispe_width;
  uint32_t height = out->ispe_height;
  for (const Box* box : props) {
    Reader r(box->payload);
    if (box->type == "irot") {
      out->rotation_ccw = static_cast<int>(r.U8() & 3) * 90;
    } else if (box->type == "imir") {
      out->mirrored = true;
    } else if (box->type == "clap") {
      const uint32_t wn = r.U32();
      const uint32_t wd = r.U32();
      const uint32_t hn = r.U32();
      const uint32_t hd = r.U32();
      if (r.ok()) {
        out->cropped = true;
        // libheif applies the properties in their listed order; the standard lists clap first.
        const bool swapped = out->rotation_ccw == 90 || out->rotation_ccw == 270;
        width = ClapSide(wn, wd, swapped ? out->ispe_height : out->ispe_width);
        height = ClapSide(hn, hd, swapped ? out->ispe_width : out->ispe_height);
        if (swapped) {
          std::swap(width, height);
        }
      }
    }
  }
  const bool swap = out->rotation_ccw == 90 || out->rotation_ccw == 270;
  out->width = swap ? height : width;
  out->height = swap ? width : height;
}

}  // namespace

Format ClassifyFtyp(std::span<const uint8_t> bytes) {
  Reader r(bytes);
  const uint32_t size = r.U32();
  if (r.FourCc() != "ftyp" || !r.ok() || size < 16 || size > 4096) {
    return Format::kUnknown;
  }
  Reader brands(bytes.subspan(8, std::min<size_t>(size, bytes.size()) - 8));
  const std::string major = brands.FourCc();
  (void)brands.U32();  // minor version
  bool heif = IsHeifBrand(major);
  bool avif = IsAvifBrand(major);
  while (brands.ok() && brands.remaining() >= 4) {
    const std::string brand = brands.FourCc();
    heif = heif || IsHeifBrand(brand);
    avif = avif || IsAvifBrand(brand);
  }
  if (avif) {
    return Format::kAvif;
  }
  return heif ? Format::kHeif : Format::kUnknown;
}

Result<HeifContainer> ParseHeifContainer(std::span<const uint8_t> bytes) {
  HeifContainer out;
  out.format = ClassifyFtyp(bytes);
  if (out.format == Format::kUnknown) {
    return MakeError(ErrorCode::kUnsupportedFormat, "not a HEIF or AVIF file (no image brand)");
  }
  out.major_brand = std::string(reinterpret_cast<const char*>(bytes.data()) + 8, 4);
  auto boxes = SplitBoxes(bytes);
  if (!boxes) {
    return Corrupt("malformed top-level box");
  }
  out.has_movie = FindBox(*boxes, "moov") != nullptr;
  const Box* meta_box = FindBox(*boxes, "meta");
  if (meta_box == nullptr) {
    if (!boxes->empty() && boxes->back().cut) {
      return Truncated(boxes->back().type);
    }
    if (out.has_movie) {
      return MakeError(ErrorCode::kUnsupportedFormat,
                       "HEIF image sequence without a primary still image (only still images "
                       "and the primary image of a sequence file are supported)");
    }
    return Corrupt("no 'meta' box");
  }
  if (meta_box->cut) {
    return Truncated("meta");
  }
  auto meta = ReadMeta(*meta_box);
  if (!meta) {
    return meta.error();
  }
  auto item = std::find_if(meta->items.begin(), meta->items.end(),
                           [&](const Item& i) { return i.id == meta->primary_id; });
  if (item == meta->items.end()) {
    return Corrupt("the primary item " + std::to_string(meta->primary_id) + " is not listed");
  }
  out.primary_type = item->type;
  const auto props = PropertiesOf(*meta, meta->primary_id);
  if (!ReadIspe(props, &out.ispe_width, &out.ispe_height)) {
    return Corrupt("the primary image has no size ('ispe')");
  }
  ReadTransforms(props, &out);
  ReadDepth(props, &out);
  ReadIcc(props, &out);
  for (const Meta::Reference& ref : meta->references) {
    const bool to_primary =
        std::find(ref.to.begin(), ref.to.end(), meta->primary_id) != ref.to.end();
    if (ref.type == "auxl" && to_primary && IsAlphaAuxiliary(*meta, ref.from)) {
      out.has_alpha = true;
    }
    if (ref.type == "dimg" && ref.from == meta->primary_id && out.primary_type == "grid") {
      out.grid_tiles = static_cast<uint32_t>(ref.to.size());
      if (!ref.to.empty()) {
        const auto tile_props = PropertiesOf(*meta, ref.to.front());
        (void)ReadIspe(tile_props, &out.tile_width, &out.tile_height);
        ReadDepth(tile_props, &out);
      }
    }
  }
  if (out.primary_type == "grid" && out.grid_tiles == 0) {
    return Corrupt("the grid image has no tiles ('dimg')");
  }
  return out;
}

}  // namespace imgpipe::core
