#!/usr/bin/python3
"""Generate the small test fixtures under fixtures/ (dev-time only; tests and CI never run Python).

Run from anywhere:  /usr/bin/python3 scripts/dev/make_fixtures.py
Needs Debian's packages: python3-torch python3-torchvision python3-onnx python3-numpy python3-pil.

Writes:
  fixtures/images/cxr-{a,b,c}.png        synthetic 8-bit grayscale "chest X-ray-like" images
  fixtures/tiny-dual/                    a tiny random-weight dual encoder in the envision-bundle/1 format
      envision.json, vision.onnx, text.onnx, vocab.txt,
      reference.json (torch embeddings for 3 prompts and 1 image), reference_pixels.npy
  fixtures/occlusion/                    reference outputs for Captum-compatible Occlusion
      encoder.onnx, x.npy, weights.npy, cases.json, expected_<case>.npy

Deterministic: fixed seeds, single-threaded torch, so re-running gives byte-identical .npy/.png/.json files
(ONNX files may differ only in metadata).
"""
import itertools
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIX = os.path.join(ROOT, "fixtures")

# MedCLIP constants (medclip/constants.py)
IMG_SIZE = 224
IMG_MEAN = 0.5862785803043838
IMG_STD = 0.27950088968644304
LOGIT_SCALE = 2.6592600345611572  # ln(1/0.07) as float32, MedCLIP's initial logit_scale
EMBED_DIM = 32
MAX_LEN = 77

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def ensure_dir(p):
    os.makedirs(p, exist_ok=True)
    return p


def save_npy(path, arr):
    np.save(path, np.ascontiguousarray(arr, dtype=np.float32))


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(obj, indent=2))
        f.write("\n")


def export_onnx(model, args, path, input_names, output_names, dynamic_axes):
    import onnx

    model.eval()
    torch.onnx.export(
        model,
        args,
        path,
        input_names=input_names,
        output_names=output_names,
        dynamic_axes=dynamic_axes,
        opset_version=17,
        do_constant_folding=True,
    )
    m = onnx.load(path)
    onnx.checker.check_model(m)


# ---------------------------------------------------------------------------------------------
# 2. Synthetic chest-X-ray-like images
# ---------------------------------------------------------------------------------------------

def _soft(d, width):
    """Smooth step: ~1 inside (d < 0), ~0 outside, transition width in normalised units."""
    return 1.0 / (1.0 + np.exp(d / width))


def _ellipse_d(X, Y, cx, cy, rx, ry, p=2.0):
    """Signed-ish distance of a super-ellipse (p=2: ellipse, p>2: rounded rectangle)."""
    return (np.abs((X - cx) / rx) ** p + np.abs((Y - cy) / ry) ** p) ** (1.0 / p) - 1.0


def make_cxr(w, h, seed):
    rng = np.random.default_rng(seed)
    # Normalised coordinates in [0,1] so every aspect ratio gets the same anatomy.
    X, Y = np.meshgrid((np.arange(w) + 0.5) / w, (np.arange(h) + 0.5) / h)
    img = np.full((h, w), 14.0)
    # Body: a rounded rectangle (super-ellipse) of soft tissue with a brighter rim.
    d_body = _ellipse_d(X, Y, 0.5, 0.56, 0.43, 0.50, p=3.0)
    body = _soft(d_body, 0.015)
    img += 140.0 * body
    img += 55.0 * np.exp(-((d_body + 0.04) / 0.035) ** 2)  # bright outline just inside the edge
    # Spine / mediastinum: a brighter vertical band.
    img += 25.0 * body * np.exp(-((X - 0.5) / 0.06) ** 2)
    # Heart: a brighter blob, low and slightly to the image right (patient's left in a PA view),
    # lying in front of the lungs.
    heart = _soft(_ellipse_d(X, Y, 0.56, 0.66, 0.14, 0.11), 0.025)
    # Lungs: two darker ellipses (not darkened where the heart covers them).
    for cx in (0.32, 0.68):
        lung = _soft(_ellipse_d(X, Y, cx, 0.47, 0.13, 0.27), 0.02)
        img -= 100.0 * lung * (1.0 - heart)
    img += 60.0 * heart
    # Smooth noise: coarse random field upsampled bicubically, plus a little fine grain.
    coarse = rng.standard_normal((h // 12 + 2, w // 12 + 2)).astype(np.float32)
    smooth = np.asarray(Image.fromarray(coarse, mode="F").resize((w, h), Image.BICUBIC), dtype=np.float64)
    img += 9.0 * smooth + 2.0 * rng.standard_normal((h, w))
    return Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8), mode="L")


IMAGES = [("cxr-a.png", 256, 256, 101), ("cxr-b.png", 300, 240, 102), ("cxr-c.png", 200, 260, 103)]


def make_images():
    d = ensure_dir(os.path.join(FIX, "images"))
    for name, w, h, seed in IMAGES:
        make_cxr(w, h, seed).save(os.path.join(d, name), format="PNG", optimize=False)


# ---------------------------------------------------------------------------------------------
# MedCLIP image preprocessing (MedCLIPFeatureExtractor), re-implemented from the notes
# ---------------------------------------------------------------------------------------------

def medclip_preprocess(path):
    img = Image.open(path).convert("L")
    w, h = img.size
    side = max(IMG_SIZE, w, h)
    canvas = Image.new("L", (side, side), 0)
    canvas.paste(img, (int((side - w) / 2), int((side - h) / 2)))
    img = canvas.resize((IMG_SIZE, IMG_SIZE), Image.BICUBIC)
    # centre crop 224 (a no-op after the square resize, kept for fidelity)
    left = (img.size[0] - IMG_SIZE) // 2
    top = (img.size[1] - IMG_SIZE) // 2
    img = img.crop((left, top, left + IMG_SIZE, top + IMG_SIZE))
    a = np.asarray(img, dtype=np.float32) / np.float32(255.0)
    a = (a - np.float32(IMG_MEAN)) / np.float32(IMG_STD)
    return np.ascontiguousarray(np.repeat(a[None, None, :, :], 3, axis=1), dtype=np.float32)  # [1,3,224,224]


# ---------------------------------------------------------------------------------------------
# 1. Tiny dual encoder
# ---------------------------------------------------------------------------------------------

class TinyVision(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 5, stride=2, padding=2)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(16, 16, 3, stride=2, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv4 = nn.Conv2d(16, 16, 3, stride=1, padding=1)
        self.proj = nn.Linear(16, EMBED_DIM, bias=False)

    def forward(self, pixel_values):
        x = F.relu(self.conv1(pixel_values))
        x = F.relu(self.conv2(x))
        x = F.relu(self.conv3(x))
        x = self.pool(x)
        x = F.relu(self.conv4(x))
        x = x.mean(dim=(2, 3))  # global average pool
        return self.proj(x)


class TinyBertLayer(nn.Module):
    """Post-LN BERT layer written with plain ops."""

    def __init__(self, hidden=32, heads=2, ffn=64, eps=1e-12):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.attn_out = nn.Linear(hidden, hidden)
        self.ln1 = nn.LayerNorm(hidden, eps=eps)
        self.ffn_in = nn.Linear(hidden, ffn)
        self.ffn_out = nn.Linear(ffn, hidden)
        self.ln2 = nn.LayerNorm(hidden, eps=eps)

    def _split(self, t):
        b, l, _ = t.shape
        return t.reshape(b, l, self.heads, self.head_dim).permute(0, 2, 1, 3)  # [B,H,L,D]

    def forward(self, h, additive_mask):
        b, l, c = h.shape
        q, k, v = self._split(self.q(h)), self._split(self.k(h)), self._split(self.v(h))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        scores = scores + additive_mask  # [B,1,1,L]: -10000 on padded keys
        probs = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).reshape(b, l, c)
        h = self.ln1(self.attn_out(ctx) + h)
        inter = F.gelu(self.ffn_in(h))  # exact erf GELU
        return self.ln2(self.ffn_out(inter) + h)


class TinyText(nn.Module):
    def __init__(self, vocab_size, hidden=32, layers=3):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, hidden)
        self.pos = nn.Embedding(MAX_LEN, hidden)
        self.typ = nn.Embedding(2, hidden)
        self.ln = nn.LayerNorm(hidden, eps=1e-12)
        self.layers = nn.ModuleList([TinyBertLayer(hidden) for _ in range(layers)])
        self.proj = nn.Linear(hidden, EMBED_DIM, bias=False)

    def forward(self, input_ids, attention_mask):
        seq_len = input_ids.shape[1]
        h = self.tok(input_ids) + self.pos.weight[:seq_len].unsqueeze(0) + self.typ.weight[0]
        hidden_states = [self.ln(h)]
        additive = (1.0 - attention_mask[:, None, None, :].to(h.dtype)) * -10000.0
        for layer in self.layers:
            hidden_states.append(layer(hidden_states[-1], additive))
        # MedCLIP pooling: stack hidden_states[1], [2], [-1]; mean over ALL tokens (mask ignored), then over layers.
        stacked = torch.stack([hidden_states[1], hidden_states[2], hidden_states[-1]])  # [3,B,L,C]
        pooled = stacked.permute(1, 0, 2, 3).mean(2).mean(1)
        return self.proj(pooled)


def build_vocab():
    toks = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    toks += [chr(c) for c in range(ord("a"), ord("z") + 1)]
    toks += [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    toks += [str(i) for i in range(10)]
    toks += [".", ",", ";", ":", "!", "?", "'", '"', "(", ")", "-", "/"]
    toks += ["##" + chr(c) for c in range(ord("a"), ord("z") + 1)]  # includes ##s
    toks += ("no mild moderate severe minimal small large subsegmental linear plate patchy focal left right "
             "bilateral upper lower mid middle lung zone base lobe at the of in with and atelectasis "
             "cardiomegaly consolidation edema pleural effusion pneumonia normal heart size enlarged cardiac "
             "silhouette opacity nodule pneumothorax covid finding findings").split()
    toks += ["##ed", "##ing", "##al"]  # "##s" is already present among the single-letter pieces
    toks += "Atelectasis Cardiomegaly Consolidation Edema Pleural Effusion Normal Pneumonia COVID".split()
    assert len(toks) == len(set(toks)), "duplicate vocab entries"
    return toks


def wordpiece(text, vocab_index):
    """Reference cased BERT tokenisation (whitespace + punctuation split, greedy longest-match WordPiece).
    Only used to assert that the hand-written token lists below are what BERT's algorithm produces."""
    words = []
    for w in text.split():
        cur = ""
        for ch in w:
            if ch in ".,;:!?'\"()-/":
                if cur:
                    words.append(cur)
                words.append(ch)
                cur = ""
            else:
                cur += ch
        if cur:
            words.append(cur)
    out = []
    for w in words:
        start, pieces = 0, []
        while start < len(w):
            end, found = len(w), None
            while start < end:
                sub = ("##" if start > 0 else "") + w[start:end]
                if sub in vocab_index:
                    found = sub
                    break
                end -= 1
            if found is None:
                pieces = ["[UNK]"]
                break
            pieces.append(found)
            start = end
        out += pieces
    return ["[CLS]"] + out + ["[SEP]"]


# Prompts tokenised by hand (cased vocabulary), and the resulting ids written out explicitly.
PROMPTS = [
    ("mild linear atelectasis at the mid lung zone",
     ["[CLS]", "mild", "linear", "atelectasis", "at", "the", "mid", "lung", "zone", "[SEP]"],
     [2, 106, 113, 134, 128, 129, 122, 124, 125, 3]),
    ("Cardiomegaly",
     ["[CLS]", "Cardiomegaly", "[SEP]"],
     [2, 157, 3]),
    ("small bilateral pleural effusions.",
     ["[CLS]", "small", "bilateral", "pleural", "effusion", "##s", ".", "[SEP]"],
     [2, 110, 119, 138, 139, 97, 67, 3]),
]


def make_tiny_dual():
    d = ensure_dir(os.path.join(FIX, "tiny-dual"))
    vocab = build_vocab()
    index = {t: i for i, t in enumerate(vocab)}
    with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")

    # Hand tokenisation checks: tokens -> ids, and agreement with the BERT algorithm.
    max_len = max(len(ids) for _, _, ids in PROMPTS)
    input_ids, attention_mask = [], []
    for text, tokens, ids in PROMPTS:
        assert [index[t] for t in tokens] == ids, (text, [index[t] for t in tokens])
        assert wordpiece(text, index) == tokens, (text, wordpiece(text, index))
        pad = max_len - len(ids)
        input_ids.append(ids + [0] * pad)
        attention_mask.append([1] * len(ids) + [0] * pad)

    bundle = {
        "format": "envision-bundle/1", "adapter": "medclip", "variant": "tiny-cnn",
        "vision": {"file": "vision.onnx", "input": "pixel_values", "output": "image_embeds", "channels": 3},
        "text": {"file": "text.onnx", "inputs": {"ids": "input_ids", "mask": "attention_mask"},
                 "output": "text_embeds"},
        "tokenizer": {"vocab": "vocab.txt", "lowercase": False, "maxLength": MAX_LEN},
        "image": {"size": IMG_SIZE, "mean": IMG_MEAN, "std": IMG_STD, "resample": "bicubic"},
        "logitScale": LOGIT_SCALE, "embeddingDim": EMBED_DIM,
    }
    write_json(os.path.join(d, "envision.json"), bundle)

    torch.manual_seed(1234)
    vision = TinyVision().eval()
    torch.manual_seed(5678)
    text = TinyText(len(vocab)).eval()

    image_name = IMAGES[0][0]
    pixels = medclip_preprocess(os.path.join(FIX, "images", image_name))
    save_npy(os.path.join(d, "reference_pixels.npy"), pixels)

    ids_t = torch.tensor(input_ids, dtype=torch.int64)
    mask_t = torch.tensor(attention_mask, dtype=torch.int64)
    with torch.no_grad():
        image_embeds = vision(torch.from_numpy(pixels)).numpy()
        text_embeds = text(ids_t, mask_t).numpy()

    export_onnx(vision, (torch.from_numpy(pixels),), os.path.join(d, "vision.onnx"),
                ["pixel_values"], ["image_embeds"],
                {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}})
    export_onnx(text, (ids_t, mask_t), os.path.join(d, "text.onnx"),
                ["input_ids", "attention_mask"], ["text_embeds"],
                {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                 "text_embeds": {0: "batch"}})

    write_json(os.path.join(d, "reference.json"), {
        "prompts": [p for p, _, _ in PROMPTS],
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "text_embeds": [[float(v) for v in row] for row in text_embeds],
        "image": "images/" + image_name,
        "image_embeds": [[float(v) for v in row] for row in image_embeds],
    })


# ---------------------------------------------------------------------------------------------
# 3. Occlusion reference
# ---------------------------------------------------------------------------------------------
#
# Captum semantics, checked by reading pytorch/captum captum/attr/_core/occlusion.py and
# captum/attr/_core/feature_ablation.py (facts only; the implementation below is written independently):
#  * Window count: for each input dimension after the batch axis, shift_counts = ceil((dim - window) / stride) + 1
#    (np.ceil(np.divide(dim - window, stride)) + 1). Total windows = product over dims.
#  * Preconditions (asserted by Captum): window <= dim in every dim, and stride <= window in every dim where
#    window < dim (so every element is covered at least once).
#  * Window position: feature number j is decomposed mixed-radix with the FIRST dim varying fastest
#    (j % shift_counts[0], then // ...); start = step * stride. The mask is a tensor of ones of the window shape
#    padded with F.pad(left = start, right = dim - start - window); when the last window runs past the end, the
#    right pad is negative and F.pad crops it, i.e. the window is CUT OFF at the boundary, never shifted back.
#  * Occluded input = x * (1 - mask) + baseline * mask.
#  * eval_diff = F(x) - F(x_occluded) (initial minus modified), accumulated as total += eval_diff * mask, and a
#    per-element count weights += mask (Occlusion sets use_weights=True; plain FeatureAblation does not).
#  * Result = total.float() / weights, i.e. the per-element MEAN over the windows covering it. Note the .float():
#    Captum's result is float32 even for a float64 model; here we compute everything in float64 and store float32.
#  * target: an int picks output[:, target]; a forward function returning one scalar per example needs no target
#    (that is how the weighted output w.y is explained).

def window_starts(dim, window, stride):
    assert window <= dim, "window larger than input"
    assert window == dim or stride <= window, "Captum requires stride <= window unless window == dim"
    n = int(math.ceil((dim - window) / stride)) + 1
    return [j * stride for j in range(n)]


def occlusion_reference(f, x, window, strides, baseline):
    """f: x[1,...] float64 -> vector of outputs [K]. Returns attributions [K, *x.shape[1:]] (float64)."""
    shape = x.shape[1:]
    per_dim = [window_starts(shape[i], window[i], strides[i]) for i in range(len(shape))]
    y0 = f(x)
    total = torch.zeros((y0.numel(),) + tuple(shape), dtype=torch.float64)
    count = torch.zeros(tuple(shape), dtype=torch.float64)
    for starts in itertools.product(*per_dim):
        sl = tuple(slice(s, min(s + w, n)) for s, w, n in zip(starts, window, shape))  # cropped, not shifted
        xo = x.clone()
        xo[(slice(None),) + sl] = baseline
        diff = y0 - f(xo)  # [K]
        total[(slice(None),) + sl] += diff.view((-1,) + (1,) * len(shape))
        count[sl] += 1.0
    # independent check of the per-element count: a product over dims of the 1-D coverage counts
    sep = torch.ones(tuple(shape), dtype=torch.float64)
    for i, n in enumerate(shape):
        c = torch.zeros(n, dtype=torch.float64)
        for s in per_dim[i]:
            c[s:s + window[i]] += 1.0
        assert (c > 0).all()
        sep = sep * c.view((1,) * i + (n,) + (1,) * (len(shape) - i - 1))
    assert torch.equal(sep, count)
    return total / count


class TinyEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 4, 3, stride=2, padding=1)
        # 4 channels x 8 x 8 after the stride-2 conv on a 16x16 input = 256 features
        self.fc = nn.Linear(4 * 8 * 8, 6)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        return self.fc(torch.flatten(x, 1))


OCCLUSION_CASES = [
    {"name": "onehot", "window": [3, 4, 4], "strides": [3, 2, 2], "baseline": 0, "target": 2, "weights": None},
    {"name": "weights", "window": [3, 4, 4], "strides": [3, 2, 2], "baseline": 0, "target": None,
     "weights": "weights.npy"},
    # Uneven: window starts are 0,3,6,9,12 in H (ceil(11/3)+1 = 5) and 0,4,8,12 in W (ceil(11/4)+1 = 4), so the last
    # window in both H and W is cut to 4 elements (12..15). (The W window is 5: Captum asserts stride <= window.)
    {"name": "uneven", "window": [1, 5, 5], "strides": [1, 3, 4], "baseline": 0.5, "target": 4, "weights": None},
    {"name": "stride1", "window": [3, 3, 3], "strides": [1, 1, 1], "baseline": 0, "target": 0, "weights": None},
]


def make_occlusion():
    d = ensure_dir(os.path.join(FIX, "occlusion"))
    torch.manual_seed(2024)
    model = TinyEncoder().eval()
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 3, 16, 16)).astype(np.float32)
    w = rng.standard_normal((3, 6)).astype(np.float32)
    save_npy(os.path.join(d, "x.npy"), x)
    save_npy(os.path.join(d, "weights.npy"), w)

    export_onnx(model, (torch.from_numpy(x),), os.path.join(d, "encoder.onnx"), ["x"], ["y"],
                {"x": {0: "batch"}, "y": {0: "batch"}})
    with torch.no_grad():
        y32 = model(torch.from_numpy(x)).numpy()
    save_npy(os.path.join(d, "y.npy"), y32)

    model64 = TinyEncoder()
    model64.load_state_dict(model.state_dict())
    model64 = model64.double().eval()
    x64 = torch.from_numpy(x).double()
    w64 = torch.from_numpy(w).double()

    def f(inp):
        return model64(inp)[0]  # [6]

    cases = []
    with torch.no_grad():
        all_targets = {}
        for c in OCCLUSION_CASES:
            key = (tuple(c["window"]), tuple(c["strides"]), float(c["baseline"]))
            if key not in all_targets:
                all_targets[key] = occlusion_reference(f, x64, c["window"], c["strides"], float(c["baseline"]))
            attr6 = all_targets[key]  # [6,3,16,16]: attribution of each output element
            if c["weights"] is None:
                exp = attr6[c["target"]][None]  # [1,3,16,16]
            else:
                # explain F = w_k . y directly (one occlusion run per weight row) ...
                exp = torch.stack([
                    occlusion_reference(lambda inp, k=k: (model64(inp)[0] * w64[k]).sum().view(1), x64,
                                        c["window"], c["strides"], float(c["baseline"]))[0]
                    for k in range(w64.shape[0])])  # [3,3,16,16]
                # ... and check linearity in the explained output: A(w.y) = sum_m w_m A(y_m)
                lin = torch.einsum("km,mchw->kchw", w64, attr6)
                assert torch.allclose(exp, lin, rtol=1e-9, atol=1e-12)
            fname = "expected_%s.npy" % c["name"]
            save_npy(os.path.join(d, fname), exp.numpy())
            cases.append({"name": c["name"], "window": c["window"], "strides": c["strides"],
                          "baseline": c["baseline"], "target": c["target"], "weights": c["weights"],
                          "expected": fname, "shape": list(exp.shape)})
    write_json(os.path.join(d, "cases.json"), cases)


def main():
    ensure_dir(FIX)
    make_images()
    make_tiny_dual()
    make_occlusion()
    total = 0
    for base, _, files in os.walk(FIX):
        for fn in sorted(files):
            p = os.path.join(base, fn)
            total += os.path.getsize(p)
            print("%8d  %s" % (os.path.getsize(p), os.path.relpath(p, ROOT)))
    print("%8d  total" % total)


if __name__ == "__main__":
    sys.exit(main())
