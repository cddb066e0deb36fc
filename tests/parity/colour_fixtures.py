"""Colour-tagged test images made from the photographs in fixtures.PHOTOS and the ICC profiles
of Debian's colord-data, with Pillow (JPEG, PNG, WebP) and by hand where Pillow cannot write
what a test needs (an APP2 profile split over several segments in shuffled order).
Used by colour_parity_test.py and scripts/make-colour-samples.sh (samples/colour).
"""

import io
import os
import struct

from PIL import Image, ImageCms

import fixtures

COLORD = "/usr/share/color/icc/colord"
# Wide-gamut profiles whose conversion moves colour a lot (a dropped profile is obvious), the
# profile that swaps red and green (an ignored profile is obvious), and sRGB (must be a no-op).
PROFILES = {
    "adobergb": "AdobeRGB1998.icc",
    "prophoto": "ProPhotoRGB.icc",
    "swapped": "SwappedRedAndGreen.icc",
    "srgb": "sRGB.icc",
}


def missing():
    """What is absent for these fixtures, or None."""
    if len(fixtures.PHOTOS) < 3:
        return "photos in %s/nature (apt-get install mate-backgrounds)" % fixtures.MATE
    for name in PROFILES.values():
        if not os.path.exists(os.path.join(COLORD, name)):
            return "%s/%s (apt-get install colord-data)" % (COLORD, name)
    return None


def profile(key):
    with open(os.path.join(COLORD, PROFILES[key]), "rb") as f:
        return f.read()


def photo(index, max_pixels=500_000):
    """An untagged photo as RGB pixels, taken as if they were in the tagging profile's space.
    At 0.5 MP (e.g. 894x559) a 256x256 job decodes a JPEG at full scale, so the comparison with
    a full-resolution reference measures the colour step, not the DCT shrink on load (whose
    drift on fine textures tutorial_parity_test.py covers)."""
    return fixtures.fit_pixels(Image.open(fixtures.PHOTOS[index]).convert("RGB"), max_pixels)


def encode(im, fmt, icc=None):
    """`im` as JPEG (q92, 4:4:4), PNG or lossless WebP, with `icc` embedded when given."""
    buf = io.BytesIO()
    kw = {"icc_profile": icc} if icc else {}
    if fmt == "jpeg":
        im.save(buf, "JPEG", quality=92, subsampling=0, **kw)
    elif fmt == "png":
        im.save(buf, "PNG", **kw)
    else:
        im.save(buf, "WEBP", lossless=True, **kw)
    return buf.getvalue()


def to_srgb(data):
    """lcms2's own conversion (through Pillow's ImageCms) of a tagged file to sRGB: the
    reference the colour step is checked against."""
    im = Image.open(io.BytesIO(data))
    im.load()
    src = ImageCms.ImageCmsProfile(io.BytesIO(im.info["icc_profile"]))
    return ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode="RGB")


def jpeg_with_split_icc(jpeg, icc, segments=3, order=(3, 1, 2)):
    """`jpeg` (untagged) with `icc` in `segments` APP2 ICC_PROFILE markers, written in `order`."""
    assert jpeg[:2] == b"\xff\xd8"
    size = -(-len(icc) // segments)
    parts = [icc[i * size:(i + 1) * size] for i in range(segments)]
    markers = b""
    for seq in order:
        payload = b"ICC_PROFILE\0" + bytes([seq, segments]) + parts[seq - 1]
        markers += b"\xff\xe2" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + markers + jpeg[2:]


def huge_icc(size=9 << 20):
    """A "profile" over imgpipe's 8 MiB limit; Pillow spreads it over ~145 APP2 markers."""
    return bytes(range(256)) * (size // 256)


def truncated(icc):
    return icc[:len(icc) // 3]


def write_samples(out):
    """samples/colour (about 2 MB): each tagged variant of one 0.3 MP photo."""
    os.makedirs(out, exist_ok=True)
    im = photo(0, 300_000)
    for key in ("adobergb", "prophoto", "swapped"):
        for fmt, ext in (("jpeg", "jpg"), ("png", "png"), ("webp", "webp")):
            with open(os.path.join(out, "%s-%s.%s" % (key, fmt, ext)), "wb") as f:
                f.write(encode(im, fmt, profile(key)))
    plain = encode(im, "jpeg")
    samples = {
        "untagged.jpg": plain,
        "prophoto-split-app2.jpg": jpeg_with_split_icc(plain, profile("prophoto")),
        "broken-truncated-profile.jpg": encode(im, "jpeg", truncated(profile("prophoto"))),
    }
    for name, data in samples.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
