#!/usr/bin/python3
"""Generate fixtures/checkpoints/swin/: a reduced random-weight MedCLIP Swin vision tower saved as a state dict under
MedCLIP's key names, plus torch reference outputs, for the TypeScript Swin importer's test (dev-time only; tests and
CI never run Python).

Run from anywhere:  /usr/bin/python3 scripts/dev/make_swin_checkpoint.py
Needs Debian's packages: python3-torch python3-torchvision python3-numpy.

The model follows HuggingFace `SwinModel` (transformers src/transformers/models/swin/modeling_swin.py; facts only) as
MedCLIP's `MedCLIPVisionModelViT` uses it: pooler_output (mean over tokens after the final LayerNorm) -> projection_head
Linear(bias=False). It is written here with plain torch ops, with HF's module and parameter names, so that its
state_dict() has exactly the checkpoint's key names. Semantics reproduced:
  - embeddings: pixel values zero-padded on the right/bottom to a multiple of the patch size, patch Conv2d, flatten,
    LayerNorm (no absolute position embedding, HF's default);
  - each block (SwinLayer): layernorm_before; window size and shift decided from the stage resolution at run time
    (resolution <= window: window = resolution and no shift; else shift = window // 2 on odd blocks); the normalised
    map zero-padded on the right/bottom to a multiple of the window (padded tokens are NOT masked); cyclic shift by
    -shift; window attention with the relative position bias gathered by the saved `relative_position_index`; the
    shift mask (-100 between the 3x3 regions of the padded map); reverse shift, crop, residual; layernorm_after,
    intermediate (exact erf GELU), output, residual;
  - patch merging: zero-pad odd sizes, concatenate the 2x2 neighbours in the order (0,0), (1,0), (0,1), (1,1)
    (row, col offsets), LayerNorm, bias-free reduction; LayerNorm eps 1e-5 everywhere; dropout / drop path identity.
Reduced size (CONFIG; to keep the fixture under 2 MB): patch 4, embed 6, depths 2-2-2-2, heads 2-3-4-6, window 7,
MLP ratio 4, projection to 32 dims. The modules take a SwinConfig, so make_medclip_checkpoints.py builds its vit
checkpoint (embed 24) from the same code. At 224x224 the stages are 56, 28, 14, 7 tokens wide, so stage 4 (7x7 = the window) is unshifted, as in
the real model. At 202x202 (the second reference) the pixels are padded to 204, and the stages are 51 (padded to 56
for the windows), 26 (from an odd 51: merge padding; windows padded to 28), 13 (padded to 14) and 7: every padding
path runs.

The same module is checked against torchvision's independent Swin (swin_t's implementation, loaded with the same
weights) at 224x224, where the two agree (torchvision does not pad the pixels to the patch size, so 202 is not compared).

Writes fixtures/checkpoints/swin/:
  weights/<key>.npy   one file per state-dict entry (float32; relative_position_index int64, as saved by torch)
  keys.json           {"keys": [...state-dict order], "prefix", "projection", "config": {...}}
  inputs.npy          float32 [2,3,224,224], standard normal
  expected.npy        float32 [2,32]: the float64 forward at 224 (a .double() copy of the weights), stored as float32
  expected_202.npy    float32 [2,32]: the same on inputs[:, :, :202, :202]

Deterministic: fixed seed, single-threaded torch; re-running gives byte-identical files.
"""
import collections
import json
import math
import os
import shutil
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_grad_fixtures as g  # noqa: E402  (relative_position_index, window_partition/reverse, shift_mask)

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "fixtures", "checkpoints", "swin")

EPS = 1e-5


class SwinConfig(collections.namedtuple("SwinConfig", "patch embed depths heads window proj_dim mlp_ratio")):
    """The sizes of a MedCLIP Swin tower (HF SwinConfig's patch_size, embed_dim, depths, num_heads, window_size,
    mlp_ratio; proj_dim is the projection head's output). make_medclip_checkpoints.py builds its vit fixture with
    another one."""

    @property
    def final_dim(self):
        return self.embed * 2 ** (len(self.depths) - 1)


# This fixture's sizes (kept small: under 2 MB as one float32 .npy per key).
CONFIG = SwinConfig(patch=4, embed=6, depths=(2, 2, 2, 2), heads=(2, 3, 4, 6), window=7, proj_dim=32, mlp_ratio=4)

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


class SelfAttention(nn.Module):
    """HF SwinSelfAttention: query/key/value, relative_position_bias_table, relative_position_index (a saved buffer)."""

    def __init__(self, dim, heads, window, gen):
        super().__init__()
        self.heads, self.head_dim, self.window = heads, dim // heads, window
        self.relative_position_bias_table = nn.Parameter(0.5 * torch.randn(((2 * window - 1) ** 2, heads), generator=gen))
        self.register_buffer("relative_position_index", g.relative_position_index(window))
        self.query = nn.Linear(dim, dim)
        self.key = nn.Linear(dim, dim)
        self.value = nn.Linear(dim, dim)

    def split(self, t):
        b, n, _ = t.shape
        return t.view(b, n, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, mask):  # x [B*nW, N, C]; mask [nW, N, N] or None
        bw, n, c = x.shape
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        w2 = self.window * self.window
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)].view(w2, w2, -1)
        scores = scores + bias.permute(2, 0, 1).unsqueeze(0)  # fails, as in HF, unless N == window^2
        if mask is not None:
            nw = mask.shape[0]
            scores = scores.view(bw // nw, nw, self.heads, n, n) + mask.unsqueeze(1).unsqueeze(0)
            scores = scores.view(-1, self.heads, n, n)
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v)
        return ctx.permute(0, 2, 1, 3).reshape(bw, n, c)


class Dense(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.dense = nn.Linear(d_in, d_out)

    def forward(self, x):
        return self.dense(x)


class Attention(nn.Module):
    def __init__(self, dim, heads, window, gen):
        super().__init__()
        self.self = SelfAttention(dim, heads, window, gen)
        self.output = Dense(dim, dim)

    def forward(self, x, mask):
        return self.output(self.self(x, mask))


class Layer(nn.Module):
    """HF SwinLayer (one block)."""

    def __init__(self, dim, heads, window, shift, gen, mlp_ratio=4):
        super().__init__()
        self.window, self.shift = window, shift  # configured; the run-time values depend on the resolution
        self.layernorm_before = nn.LayerNorm(dim, eps=EPS)
        self.attention = Attention(dim, heads, window, gen)
        self.layernorm_after = nn.LayerNorm(dim, eps=EPS)
        hidden = int(mlp_ratio * dim)  # HF: SwinIntermediate is Linear(dim, int(mlp_ratio * dim))
        self.intermediate = Dense(dim, hidden)
        self.output = Dense(hidden, dim)

    def forward(self, x, h, w):  # x [B, h*w, C]
        window, shift = self.window, self.shift
        if min(h, w) <= window:  # the whole map is one window: no shift
            window, shift = min(h, w), 0
        b, _, c = x.shape
        shortcut = x
        y = self.layernorm_before(x).view(b, h, w, c)
        pad_r, pad_b = (window - w % window) % window, (window - h % window) % window
        y = F.pad(y, (0, 0, 0, pad_r, 0, pad_b))  # zeros after the LayerNorm, not masked below
        hp, wp = h + pad_b, w + pad_r
        if shift > 0:
            y = torch.roll(y, shifts=(-shift, -shift), dims=(1, 2))
        windows = g.window_partition(y, window)  # [B*nW, N, C]
        mask = g.shift_mask(hp, wp, window, shift).to(x.dtype) if shift > 0 else None
        y = g.window_reverse(self.attention(windows, mask), window, hp, wp)
        if shift > 0:
            y = torch.roll(y, shifts=(shift, shift), dims=(1, 2))
        y = y[:, :h, :w, :].reshape(b, h * w, c)
        x = shortcut + y
        return x + self.output(F.gelu(self.intermediate(self.layernorm_after(x))))  # exact erf GELU


class PatchMerging(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)
        self.norm = nn.LayerNorm(4 * dim, eps=EPS)

    def forward(self, x, h, w):
        b, _, c = x.shape
        x = F.pad(x.view(b, h, w, c), (0, 0, 0, w % 2, 0, h % 2))
        x = torch.cat([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], -1)
        return self.reduction(self.norm(x.reshape(b, -1, 4 * c)))


class Stage(nn.Module):
    def __init__(self, dim, depth, heads, downsample, gen, cfg):
        super().__init__()
        w = cfg.window
        self.blocks = nn.ModuleList([Layer(dim, heads, w, 0 if j % 2 == 0 else w // 2, gen, cfg.mlp_ratio)
                                     for j in range(depth)])
        self.downsample = PatchMerging(dim) if downsample else None

    def forward(self, x, h, w):
        for blk in self.blocks:
            x = blk(x, h, w)
        if self.downsample is not None:
            x = self.downsample(x, h, w)
            h, w = (h + 1) // 2, (w + 1) // 2
        return x, h, w


class PatchEmbeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.patch = cfg.patch
        self.projection = nn.Conv2d(3, cfg.embed, kernel_size=cfg.patch, stride=cfg.patch)

    def forward(self, px):
        _, _, h, w = px.shape
        p = self.patch
        px = F.pad(px, (0, (p - w % p) % p, 0, (p - h % p) % p))
        return self.projection(px)


class Embeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.patch_embeddings = PatchEmbeddings(cfg)
        self.norm = nn.LayerNorm(cfg.embed, eps=EPS)

    def forward(self, px):
        e = self.patch_embeddings(px)
        _, _, h, w = e.shape
        return self.norm(e.flatten(2).transpose(1, 2)), h, w


class Encoder(nn.Module):
    def __init__(self, gen, cfg):
        super().__init__()
        n = len(cfg.depths)
        self.layers = nn.ModuleList([Stage(cfg.embed * 2 ** i, cfg.depths[i], cfg.heads[i], i < n - 1, gen, cfg)
                                     for i in range(n)])

    def forward(self, x, h, w):
        for stage in self.layers:
            x, h, w = stage(x, h, w)
        return x


class SwinModel(nn.Module):
    def __init__(self, gen, cfg):
        super().__init__()
        self.embeddings = Embeddings(cfg)
        self.encoder = Encoder(gen, cfg)
        self.layernorm = nn.LayerNorm(cfg.final_dim, eps=EPS)

    def forward(self, px):
        x, h, w = self.embeddings(px)
        return self.layernorm(self.encoder(x, h, w)).mean(dim=1)  # pooler_output (AdaptiveAvgPool1d over tokens)


class VisionModel(nn.Module):
    """MedCLIPVisionModelViT: model (SwinModel) -> projection_head (bias-free)."""

    def __init__(self, gen, cfg=CONFIG):
        super().__init__()
        self.cfg = cfg
        self.model = SwinModel(gen, cfg)
        self.projection_head = nn.Linear(cfg.final_dim, cfg.proj_dim, bias=False)

    def forward(self, px):
        return self.projection_head(self.model(px))


class MedClipVision(nn.Module):
    def __init__(self, gen, cfg=CONFIG):
        super().__init__()
        self.vision_model = VisionModel(gen, cfg)

    def forward(self, px):
        return self.vision_model(px)


def torchvision_check(m, x):
    """torchvision's Swin (an independent implementation), loaded with the same weights as the VisionModel `m`
    (float64), must agree with it at 224."""
    from torchvision.models.swin_transformer import SwinTransformer

    cfg = m.cfg
    tv = SwinTransformer(patch_size=[cfg.patch, cfg.patch], embed_dim=cfg.embed, depths=list(cfg.depths),
                         num_heads=list(cfg.heads), window_size=[cfg.window, cfg.window], mlp_ratio=cfg.mlp_ratio,
                         stochastic_depth_prob=0.0, num_classes=cfg.proj_dim)
    f = tv.features
    with torch.no_grad():
        f[0][0].load_state_dict(m.model.embeddings.patch_embeddings.projection.state_dict())
        f[0][2].load_state_dict(m.model.embeddings.norm.state_dict())
        for i, stage in enumerate(m.model.encoder.layers):
            for j, blk in enumerate(stage.blocks):
                t = f[2 * i + 1][j]
                t.norm1.load_state_dict(blk.layernorm_before.state_dict())
                t.norm2.load_state_dict(blk.layernorm_after.state_dict())
                a = blk.attention.self
                t.attn.qkv.weight.copy_(torch.cat([a.query.weight, a.key.weight, a.value.weight]))
                t.attn.qkv.bias.copy_(torch.cat([a.query.bias, a.key.bias, a.value.bias]))
                t.attn.proj.load_state_dict(blk.attention.output.dense.state_dict())
                t.attn.relative_position_bias_table.copy_(a.relative_position_bias_table)
                t.mlp[0].load_state_dict(blk.intermediate.dense.state_dict())
                t.mlp[3].load_state_dict(blk.output.dense.state_dict())
            if stage.downsample is not None:
                f[2 * i + 2].norm.load_state_dict(stage.downsample.norm.state_dict())
                f[2 * i + 2].reduction.load_state_dict(stage.downsample.reduction.state_dict())
        tv.norm.load_state_dict(m.model.layernorm.state_dict())
        tv.head.weight.copy_(m.projection_head.weight)
        tv.head.bias.zero_()
        a, b = m(x), tv.double().eval()(x)
    err = float((a - b).abs().max() / b.abs().max())
    assert err < 1e-10, ("torchvision Swin disagrees", err)
    return err


def main():
    gen = torch.Generator().manual_seed(20240707)
    torch.manual_seed(7)
    model = MedClipVision(gen)
    with torch.no_grad():
        for mod in model.modules():  # non-trivial LayerNorm affine parameters
            if isinstance(mod, nn.LayerNorm):
                mod.weight.copy_(1.0 + 0.2 * torch.randn(mod.weight.shape, generator=gen))
                mod.bias.copy_(0.1 * torch.randn(mod.bias.shape, generator=gen))
    model.eval()
    x = torch.randn((2, 3, 224, 224), generator=gen)

    m64 = MedClipVision(torch.Generator().manual_seed(0))
    m64.load_state_dict(model.state_dict())
    m64 = m64.double().eval()
    with torch.no_grad():
        expected = m64(x.double())
        expected_202 = m64(x[:, :, :202, :202].double())
        f32 = model(x)
        err32 = float((f32.double() - expected).abs().max() / expected.abs().max())
        # The shift matters: dropping it everywhere changes the output.
        for stage in m64.vision_model.model.encoder.layers:
            for blk in stage.blocks:
                blk.shift = 0
        unshifted = m64(x.double())
        for stage in m64.vision_model.model.encoder.layers:
            for j, blk in enumerate(stage.blocks):
                blk.shift = 0 if j % 2 == 0 else CONFIG.window // 2
        shift_effect = float((unshifted - expected).abs().max() / expected.abs().max())
    tv_err = torchvision_check(m64.vision_model, x.double())
    assert err32 < 1e-4, err32
    assert shift_effect > 1e-3, shift_effect

    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(os.path.join(OUT, "weights"))
    sd = model.state_dict()
    for key, t in sd.items():
        arr = t.detach().numpy()
        arr = arr.astype(np.int64) if arr.dtype == np.int64 else arr.astype(np.float32)
        np.save(os.path.join(OUT, "weights", key + ".npy"), np.ascontiguousarray(arr))
    meta = {
        "keys": list(sd.keys()),
        "prefix": "vision_model.model.",
        "projection": "vision_model.projection_head.weight",
        "config": {"patch": CONFIG.patch, "embed": CONFIG.embed, "depths": list(CONFIG.depths),
                   "heads": list(CONFIG.heads), "window": CONFIG.window, "projection_dim": CONFIG.proj_dim},
    }
    with open(os.path.join(OUT, "keys.json"), "w") as fh:
        json.dump(meta, fh, indent=1)
        fh.write("\n")
    np.save(os.path.join(OUT, "inputs.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(OUT, "expected.npy"), expected.numpy().astype(np.float32))
    np.save(os.path.join(OUT, "expected_202.npy"), expected_202.numpy().astype(np.float32))
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print(f"wrote {OUT}: {len(sd)} tensors, {size} bytes; float32-vs-float64 {err32:.2e}, "
          f"torchvision {tv_err:.2e}, shift effect {shift_effect:.2e}")


if __name__ == "__main__":
    main()
