#!/usr/bin/python3
"""Makes the PIL reference data that the image package's and the MedCLIP adapter's tests compare against.

Run with Debian's Python (python3-pil, python3-numpy): /usr/bin/python3 scripts/make_pil_reference.py [GROUP ...]
(all groups when none is named). Written with Pillow 9.4 and numpy 1.24. Every file is small; the output is
deterministic.

What each group checks:
  resample-*   PIL's Image.resize (ImagingResample) of an 8-bit 'L' and a float 'F' image, bicubic and bilinear,
               down, up and one axis only; box, hamming and lanczos on 'L' data -> src/resample.ts
  decode-*     what PIL's convert('L') gives for 8-bit files, and the documented rules for the rest
               (alpha flattened onto black, 16-bit scaled by 65535) -> src/decode-image.ts
  rgb-of-*     PIL's convert('RGB') of the decode-* files -> src/decode-rgb.ts
  processor-*  CLIPImageProcessor (resize the shortest edge, center crop, rescale, normalise per channel) and
               SiglipImageProcessor (squash resize, rescale, normalise), step by step as transformers'
               image_transforms.py computes them -> src/processor.ts
  processor-openclip-*  open_clip's transform with torchvision (Resize, CenterCrop, ToTensor, Normalize)
               -> packages/adapter-clip/src/image-processor.ts (python3-torchvision needed for this group only)
  pipeline-*   MedCLIPFeatureExtractor (pad to a square on black, resize, centre crop, rescale, normalise) at a
               small size, and the float path used for 16-bit files -> packages/adapter-medclip/src/preprocess.ts
               (written to that package's test-fixtures)
"""
import os
import struct
import sys
import zlib

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test-fixtures")
MEDCLIP_OUT = os.path.join(HERE, "..", "..", "adapter-medclip", "test-fixtures")
MEAN = 0.5862785803043838
STD = 0.27950088968644304
FILTERS = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR}
MORE_FILTERS = {"box": Image.BOX, "hamming": Image.HAMMING, "lanczos": Image.LANCZOS}
OPENAI_MEAN = [0.48145466, 0.4578275, 0.40821073]
OPENAI_STD = [0.26862954, 0.26130258, 0.27577711]


def path(name):
    return os.path.join(MEDCLIP_OUT if name.startswith("pipeline-") else OUT, name)


def save(name, arr):
    np.save(path(name), np.ascontiguousarray(arr, dtype=np.float32))


def smooth_u8(h, w, seed, channels=None):
    """Smooth shapes plus noise, so resampling has edges, ramps and texture to get right."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    base = 127 + 90 * np.sin(xx / 3.1) * np.cos(yy / 4.7) + 30 * ((xx - w / 2) ** 2 + (yy - h / 2) ** 2 < (min(h, w) / 3) ** 2)
    shape = (h, w) if channels is None else (h, w, channels)
    noise = rng.normal(0, 25, shape)
    img = (base if channels is None else base[..., None]) + noise
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def write_png16(name, arr, color_type):
    """A 16-bit PNG written by hand (PIL cannot write 16-bit colour): filter 0 rows, one IDAT."""
    h, w = arr.shape[:2]
    raw = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in arr)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 16, color_type, 0, 0, 0)
    with open(path(name), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def make_resample():
    src = smooth_u8(29, 37, 1)
    save("resample-src.npy", src)
    f_src = src.astype(np.float32) / np.float32(255)
    save("resample-src-float.npy", f_src)
    sizes = {"down": (16, 20), "up": (53, 41), "vertical": (37, 12), "horizontal": (90, 29)}
    for filt_name, filt in FILTERS.items():
        for case, (w, h) in sizes.items():
            out = Image.fromarray(src, "L").resize((w, h), filt)
            save(f"resample-{filt_name}-{case}.npy", np.asarray(out))
            out_f = Image.fromarray(f_src, "F").resize((w, h), filt)
            save(f"resample-{filt_name}-{case}-float.npy", np.asarray(out_f))
    for filt_name, filt in MORE_FILTERS.items():
        for case, (w, h) in sizes.items():
            save(f"resample-{filt_name}-{case}.npy", np.asarray(Image.fromarray(src, "L").resize((w, h), filt)))


def flatten_on_black(img):
    """RGBA/LA onto a black canvas the way PIL pastes with an alpha mask (round(c * a / 255))."""
    canvas = Image.new(img.mode[:-1], img.size, 0)
    canvas.paste(img, (0, 0), img)
    return canvas


def make_decode():
    rgb = smooth_u8(18, 24, 2, 3)
    Image.fromarray(rgb, "RGB").save(path("decode-rgb.png"))
    save("decode-rgb.npy", np.asarray(Image.open(path("decode-rgb.png")).convert("L")))
    Image.fromarray(rgb, "RGB").save(path("decode-rgb.jpg"), quality=90)
    save("decode-rgb-jpg.npy", np.asarray(Image.open(path("decode-rgb.jpg")).convert("L")))
    grey = smooth_u8(18, 24, 3)
    Image.fromarray(grey, "L").save(path("decode-grey.jpg"), quality=90)
    save("decode-grey-jpg.npy", np.asarray(Image.open(path("decode-grey.jpg")).convert("L")))
    # plain files for the size, truncation and pixel-limit checks (the same pixels as pipeline-tall/-wide.png)
    Image.fromarray(smooth_u8(47, 30, 6), "L").save(path("decode-grey-30x47.png"))
    Image.fromarray(smooth_u8(40, 50, 5, 3), "RGB").save(path("decode-rgb-50x40.png"))

    alpha = np.tile(np.linspace(0, 255, 24).round().astype(np.uint8), (18, 1))
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(path("decode-rgba.png"))
    save("decode-rgba.npy", np.asarray(flatten_on_black(Image.open(path("decode-rgba.png"))).convert("L")))
    Image.fromarray(np.dstack([grey, alpha]), "LA").save(path("decode-la.png"))
    save("decode-la.npy", np.asarray(flatten_on_black(Image.open(path("decode-la.png"))).convert("L")))

    rng = np.random.default_rng(4)
    g16 = rng.integers(0, 65536, (18, 24), dtype=np.uint16)
    write_png16("decode-grey16.png", g16, 0)
    save("decode-grey16.npy", g16.astype(np.float64) / 65535)
    rgb16 = rng.integers(0, 65536, (18, 24, 3), dtype=np.uint16)
    write_png16("decode-rgb16.png", rgb16, 2)
    r, g, b = (rgb16[..., i].astype(np.int64) for i in range(3))
    save("decode-rgb16.npy", (299 * r + 587 * g + 114 * b) / (1000 * 65535))
    la16 = rng.integers(0, 65536, (18, 24, 2), dtype=np.uint16)
    la16[:, 0, 1] = 0  # first column fully transparent
    write_png16("decode-la16.png", la16, 4)
    grey16, a16 = (la16[..., i].astype(np.int64) for i in range(2))
    save("decode-la16.npy", (a16 / 65535) * (299 * grey16 + 587 * grey16 + 114 * grey16) / (1000 * 65535))


def medclip_pixels(img, size, resample):
    """MedCLIPFeatureExtractor at `size`: pad to a square on black, resize, centre crop, rescale, normalise."""
    w, h = img.size
    side = max(size, w, h)
    canvas = Image.new("L", (side, side), 0)
    canvas.paste(img, (int((side - w) / 2), int((side - h) / 2)))  # an RGB image is converted to 'L' here
    out = canvas.resize((size, size), FILTERS[resample])
    left, top = (out.size[0] - size) // 2, (out.size[1] - size) // 2
    out = out.crop((left, top, left + size, top + size))
    a = np.asarray(out).astype(np.float32)
    # transformers >= 4.22 rescales by multiplying with 1/255; torchvision's ToTensor (the bilinear dataset path) divides.
    a = a * (1 / 255.0) if resample == "bicubic" else a / np.float32(255)
    return (a - np.float32(MEAN)) / np.float32(STD)


def float_pixels(grey, size, resample):
    """The float path for 16-bit files: grey in [0, 1] as a PIL 'F' image, padded, resized, normalised."""
    h, w = grey.shape
    side = max(size, w, h)
    canvas = Image.new("F", (side, side), 0.0)
    canvas.paste(Image.fromarray(grey.astype(np.float32), "F"), (int((side - w) / 2), int((side - h) / 2)))
    out = np.asarray(canvas.resize((size, size), FILTERS[resample]))
    return (out - np.float32(MEAN)) / np.float32(STD)


def make_pipeline():
    rgb = smooth_u8(40, 50, 5, 3)
    Image.fromarray(rgb, "RGB").save(path("pipeline-wide.png"))
    tall = smooth_u8(47, 30, 6)
    Image.fromarray(tall, "L").save(path("pipeline-tall.png"))
    small = smooth_u8(12, 21, 7)
    Image.fromarray(small, "L").save(path("pipeline-small.png"))
    for name in ("wide", "tall", "small"):
        img = Image.open(path(f"pipeline-{name}.png"))
        for resample in FILTERS:
            save(f"pipeline-{name}-{resample}.npy", medclip_pixels(img, 32, resample))
    rng = np.random.default_rng(8)
    g16 = (np.linspace(0, 60000, 45 * 38).reshape(38, 45) + rng.integers(0, 5000, (38, 45))).astype(np.uint16)
    write_png16("pipeline-grey16.png", g16, 0)
    grey = g16.astype(np.float32) / np.float32(65535)
    for resample in FILTERS:
        save(f"pipeline-grey16-{resample}.npy", float_pixels(grey, 32, resample))


def hf_shortest_edge_resize(img, shortest, resample):
    """transformers' resize with size {"shortest_edge": n}: get_resize_output_image_size(default_to_square=False)."""
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = shortest, int(shortest * long / short)
    oh, ow = (new_long, new_short) if w <= h else (new_short, new_long)
    return img.resize((ow, oh), resample=resample, reducing_gap=None)


def hf_center_crop(a, crop_h, crop_w):
    """transformers' center_crop on an (H, W, C) array, with its zero padding when the image is smaller."""
    h, w = a.shape[:2]
    top, left = (h - crop_h) // 2, (w - crop_w) // 2
    bottom, right = top + crop_h, left + crop_w
    if top >= 0 and bottom <= h and left >= 0 and right <= w:
        return a[top:bottom, left:right]
    new_h, new_w = max(crop_h, h), max(crop_w, w)
    padded = np.zeros((new_h, new_w) + a.shape[2:], dtype=a.dtype)
    top_pad, left_pad = -(-(new_h - h) // 2), -(-(new_w - w) // 2)
    padded[top_pad:top_pad + h, left_pad:left_pad + w] = a
    top, bottom, left, right = top + top_pad, bottom + top_pad, left + left_pad, right + left_pad
    return padded[max(0, top):min(new_h, bottom), max(0, left):min(new_w, right)]


def hf_rescale_normalize(a, mean, std):
    """transformers' rescale (float64 product, cast to float32) then normalize (float32), as [1, C, H, W]."""
    x = (a.astype(np.float64) * (1 / 255)).astype(np.float32)
    x = (x - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)
    return x.transpose(2, 0, 1)[None]


def make_rgb():
    for name in ("decode-rgb.png", "decode-rgb.jpg", "decode-grey.jpg", "decode-rgba.png", "decode-la.png",
                 "decode-grey16.png", "decode-rgb16.png", "decode-la16.png"):
        save("rgb-of-" + name.replace(".", "-") + ".npy", np.asarray(Image.open(path(name)).convert("RGB")))
    Image.fromarray(smooth_u8(37, 53, 9, 3), "RGB").save(path("processor-wide.png"))
    Image.fromarray(smooth_u8(61, 29, 10, 3), "RGB").save(path("processor-tall.png"))
    Image.fromarray(smooth_u8(9, 12, 11, 3), "RGB").save(path("processor-small.png"))
    for name in ("wide", "tall", "small"):
        img = Image.open(path(f"processor-{name}.png")).convert("RGB")
        clip = hf_center_crop(np.asarray(hf_shortest_edge_resize(img, 24, Image.BICUBIC)), 24, 24)
        save(f"processor-clip-{name}.npy", hf_rescale_normalize(clip, OPENAI_MEAN, OPENAI_STD))
        siglip = np.asarray(img.resize((20, 16), resample=Image.BILINEAR, reducing_gap=None))
        save(f"processor-siglip-{name}.npy", hf_rescale_normalize(siglip, [0.5] * 3, [0.5] * 3))
        # center_crop alone, larger than the image on one or both sides (padded with zeros), as uint8 levels
        save(f"processor-crop-{name}.npy", hf_center_crop(np.asarray(img), 15, 40))


def make_open_clip():
    """open_clip's image transform (shortest-edge Resize, CenterCrop, ToTensor, Normalize) with torchvision 0.14 on
    PIL images, as open_clip's transform.py builds it for resize_mode 'shortest' and 'squash' (bicubic)."""
    import torch
    from torchvision import transforms as T

    torch.set_num_threads(1)
    norm = T.Normalize(mean=OPENAI_MEAN, std=OPENAI_STD)
    for name in ("wide", "tall", "small"):
        img = Image.open(path(f"processor-{name}.png")).convert("RGB")
        # crop 23 makes the offsets odd on both axes for some images, so round-half-even shows against floor
        shortest = T.Compose([T.Resize(24, interpolation=T.InterpolationMode.BICUBIC), T.CenterCrop(23), T.ToTensor(), norm])
        save(f"processor-openclip-{name}.npy", shortest(img).numpy()[None])
        squash = T.Compose([T.Resize((16, 20), interpolation=T.InterpolationMode.BICUBIC), T.ToTensor(), norm])
        save(f"processor-openclip-squash-{name}.npy", squash(img).numpy()[None])


GROUPS = {"resample": make_resample, "decode": make_decode, "rgb": make_rgb, "pipeline": make_pipeline, "open_clip": make_open_clip}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for group in sys.argv[1:] or list(GROUPS):
        GROUPS[group]()
