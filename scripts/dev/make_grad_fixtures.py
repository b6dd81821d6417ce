#!/usr/bin/python3
"""Generate the gradient-engine fixtures under fixtures/grad/ (dev-time only; tests and CI never run Python).

Run from anywhere:  /usr/bin/python3 scripts/dev/make_grad_fixtures.py
Needs Debian's packages: python3-torch python3-torchvision python3-onnx python3-numpy.

For every fixture model <name> it writes fixtures/grad/<name>/:
  model.onnx            torch.onnx.export of the float32 model in eval mode, opset 17, dynamic batch axis
  inputs/<input>.npy    the inputs, batch 1 (float32, or int64 for ids / masks)
  expected_output.npy   torch's float32 forward output on those inputs
  cotangent.npy         float32 [K, *O]: K = 3 random output weightings ("cotangents"), O = output shape without batch
  expected.npy          float32 [K, *S]: row k = d (cotangent[k] * output).sum() / d wrt, S = wrt shape without batch,
                        computed with torch.autograd in FLOAT64 (a .double() copy of the same weights)
  meta.json             {"wrt", "of", "inputs": {name: file}, "ops": sorted ONNX op types of model.onnx, "opset": 17,
                         "ops_on_grad_path": the op types on a data path from wrt to the output, "shapes", ...}
(`bert` has integer inputs only: no cotangent/expected, "wrt": null; its float twin `bert-embeds` carries the VJP.)

Fixtures:
  swin         hand-written Swin-like vision encoder following HF Swin semantics (shifted windows, -100 mask,
               relative position bias, patch merging order (0,0),(1,0),(0,1),(1,1), LayerNorm eps 1e-5, erf GELU);
               checked here against torchvision's independent Swin implementation loaded with the same weights
  bert         BERT-like text encoder (post-LN, eps 1e-12, erf GELU, -10000 key mask) with MedCLIP pooling
  bert-embeds  the same weights with the word-embedding lookup done outside: input inputs_embeds
  resnet       ResNet-like CNN, default export (eval + constant folding: BatchNorm is folded into Conv)
  resnet-bn    the same model exported so that BatchNormalization nodes stay in the graph
  cnn-misc     ViT/CLIP-style odds and ends: class token (Expand + Concat), position embedding, bmm attention,
               tanh GELU, QuickGELU (Sigmoid), token-0 Gather, Linear with bias (Gemm)

Checks done on every run: float64 reference vs float32 torch output, VJP rows vs central finite differences in
float64, swin vs torchvision's Swin, bert-embeds vs bert, and ONNX checker. Prints the union of ONNX op types.

Deterministic: fixed seeds, single-threaded torch, so re-running gives byte-identical .npy/.json files
(ONNX files may differ only in metadata).
"""
import copy
import json
import math
import os
import shutil
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "fixtures", "grad")
OPSET = 17
K = 3  # cotangent rows per fixture

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)



def report_sizes(out, limit):
    """Prints the size of every file under `out` and their total, and checks the total stays under `limit` bytes."""
    total = 0
    for base, _, files in sorted(os.walk(out)):
        for fn in sorted(files):
            p = os.path.join(base, fn)
            total += os.path.getsize(p)
            print("%8d  %s" % (os.path.getsize(p), os.path.relpath(p, ROOT)))
    print("%8d  total" % total)
    assert total < limit, total

def ensure_dir(p):
    os.makedirs(p, exist_ok=True)
    return p


def save_f32(path, arr):
    np.save(path, np.ascontiguousarray(arr, dtype=np.float32))


def save_input(path, arr):
    if np.issubdtype(arr.dtype, np.integer):
        np.save(path, np.ascontiguousarray(arr, dtype=np.int64))
    else:
        np.save(path, np.ascontiguousarray(arr, dtype=np.float32))


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(obj, indent=2))
        f.write("\n")


def randomize_norms(model, gen):
    """Give every LayerNorm / BatchNorm non-trivial affine params (and BN non-trivial running stats), so a wrong
    gamma/beta/mean/var handling in the gradient engine cannot go unnoticed."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.LayerNorm, nn.BatchNorm2d)):
                m.weight.copy_(1.0 + 0.2 * torch.randn(m.weight.shape, generator=gen))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(0.2 * torch.randn(m.running_mean.shape, generator=gen))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=gen))


def onnx_ops(path):
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = set()

    def walk(graph):
        for node in graph.node:
            ops.add(node.op_type if node.domain in ("", "ai.onnx") else node.domain + ":" + node.op_type)
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.GRAPH:
                    walk(attr.g)
                for g in attr.graphs:
                    walk(g)

    walk(m.graph)
    return sorted(ops)


# Ops whose outputs carry no gradient (integer/boolean results, or shape metadata).
NON_DIFFERENTIABLE = {"Shape", "Size", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Not", "And",
                      "Or", "Xor", "ArgMax", "ArgMin", "NonZero", "IsNaN", "IsInf", "Range", "ConstantOfShape"}
FLOAT_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16, onnx.TensorProto.BFLOAT16}


def grad_path_ops(path, wrt, of):
    """Op types of the nodes on a data path from input `wrt` to output `of`: the ones that need a VJP rule. The other
    nodes (shape arithmetic, masks, constants) only have to be evaluated, not differentiated."""
    m = onnx.load(path)
    nodes = list(m.graph.node)  # topologically sorted by the exporter
    active = {wrt}
    fwd = []
    for n in nodes:
        if n.op_type in NON_DIFFERENTIABLE or not any(i in active for i in n.input):
            continue
        if n.op_type == "Cast" and onnx.helper.get_attribute_value(n.attribute[0]) not in FLOAT_TYPES:
            continue
        fwd.append(n)
        active.update(o for o in n.output if o)
    needed, ops = {of}, set()
    for n in reversed(fwd):
        if any(o in needed for o in n.output):
            ops.add(n.op_type)
            needed.update(i for i in n.input if i in active)
    return sorted(ops)


def export(model, args, path, input_names, output_names, dynamic_axes, do_constant_folding=True,
           training=torch.onnx.TrainingMode.EVAL):
    model.eval()
    torch.onnx.export(model, args, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=do_constant_folding,
                      training=training)
    return onnx_ops(path)


# ---------------------------------------------------------------------------------------------
# a) Swin-like vision encoder (HF SwinModel semantics, written with plain ops)
# ---------------------------------------------------------------------------------------------

def relative_position_index(ws):
    """HF/original Swin: index into the ((2ws-1)^2, heads) bias table for every (query, key) pair of a window."""
    coords = torch.stack(torch.meshgrid(torch.arange(ws), torch.arange(ws), indexing="ij"))  # 2,ws,ws
    flat = torch.flatten(coords, 1)  # 2,N
    rel = (flat[:, :, None] - flat[:, None, :]).permute(1, 2, 0).contiguous()  # N,N,2
    rel[:, :, 0] += ws - 1
    rel[:, :, 1] += ws - 1
    rel[:, :, 0] *= 2 * ws - 1
    return rel.sum(-1)  # N,N


def window_partition(x, ws):
    """[B,H,W,C] -> [B*nW, ws*ws, C], windows in row-major order."""
    b, h, w, c = x.shape
    x = x.view(b, h // ws, ws, w // ws, ws, c)
    return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, ws * ws, c)


def window_reverse(windows, ws, h, w):
    c = windows.shape[-1]
    x = windows.view(-1, h // ws, w // ws, ws, ws, c)
    return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, h, w, c)


def shift_mask(h, w, ws, shift):
    """HF SwinLayer.get_attn_mask: label the 3x3 regions of the shifted map, -100 between different labels."""
    img = torch.zeros((1, h, w, 1))
    slices = (slice(0, -ws), slice(-ws, -shift), slice(-shift, None))
    cnt = 0
    for hs in slices:
        for wsl in slices:
            img[:, hs, wsl, :] = cnt
            cnt += 1
    mw = window_partition(img, ws).view(-1, ws * ws)  # nW,N
    mask = mw.unsqueeze(1) - mw.unsqueeze(2)
    return mask.masked_fill(mask != 0, -100.0).masked_fill(mask == 0, 0.0)  # nW,N,N


class SwinAttention(nn.Module):
    def __init__(self, dim, heads, ws, gen):
        super().__init__()
        self.heads, self.head_dim, self.ws = heads, dim // heads, ws
        self.query = nn.Linear(dim, dim)
        self.key = nn.Linear(dim, dim)
        self.value = nn.Linear(dim, dim)
        self.proj = nn.Linear(dim, dim)
        # HF initialises the table to zeros; random values make the bias matter in the fixture.
        self.relative_position_bias_table = nn.Parameter(0.5 * torch.randn(((2 * ws - 1) ** 2, heads), generator=gen))
        self.register_buffer("relative_position_index", relative_position_index(ws))

    def _heads(self, t):
        b, n, _ = t.shape
        return t.view(b, n, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, mask):  # x [B*nW, N, C]; mask [nW, N, N] or None
        bw, n, c = x.shape
        q, k, v = self._heads(self.query(x)), self._heads(self.key(x)), self._heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)]
        bias = bias.view(n, n, -1).permute(2, 0, 1).contiguous()  # heads,N,N
        scores = scores + bias.unsqueeze(0)
        if mask is not None:
            nw = mask.shape[0]
            scores = scores.view(bw // nw, nw, self.heads, n, n) + mask.unsqueeze(1).unsqueeze(0)
            scores = scores.view(-1, self.heads, n, n)
        probs = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous().view(bw, n, c)
        return self.proj(ctx)


class SwinBlock(nn.Module):
    def __init__(self, dim, heads, resolution, ws, shift, gen):
        super().__init__()
        if resolution <= ws:  # HF: window = resolution and no shift when the map fits one window
            ws, shift = resolution, 0
        self.res, self.ws, self.shift = resolution, ws, shift
        self.layernorm_before = nn.LayerNorm(dim, eps=1e-5)
        self.attention = SwinAttention(dim, heads, ws, gen)
        self.layernorm_after = nn.LayerNorm(dim, eps=1e-5)
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.fc2 = nn.Linear(4 * dim, dim)
        self.register_buffer("attn_mask", shift_mask(resolution, resolution, ws, shift) if shift > 0 else None)

    def forward(self, x):  # [B, H*W, C]
        b, _, c = x.shape
        h = w = self.res
        shortcut = x
        x = self.layernorm_before(x).view(b, h, w, c)
        if self.shift > 0:
            x = torch.roll(x, shifts=(-self.shift, -self.shift), dims=(1, 2))
        x = self.attention(window_partition(x, self.ws), self.attn_mask)
        x = window_reverse(x, self.ws, h, w)
        if self.shift > 0:
            x = torch.roll(x, shifts=(self.shift, self.shift), dims=(1, 2))
        x = shortcut + x.view(b, h * w, c)
        return x + self.fc2(F.gelu(self.fc1(self.layernorm_after(x))))  # exact erf GELU


class PatchMerging(nn.Module):
    def __init__(self, dim, resolution):
        super().__init__()
        self.res = resolution
        self.norm = nn.LayerNorm(4 * dim, eps=1e-5)
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)

    def forward(self, x):  # [B, H*W, C] -> [B, H/2*W/2, 2C]
        b, _, c = x.shape
        x = x.view(b, self.res, self.res, c)
        # (row, col) offsets (0,0), (1,0), (0,1), (1,1)
        x = torch.cat([x[:, 0::2, 0::2, :], x[:, 1::2, 0::2, :], x[:, 0::2, 1::2, :], x[:, 1::2, 1::2, :]], -1)
        return self.reduction(self.norm(x.view(b, -1, 4 * c)))


class TinySwin(nn.Module):
    def __init__(self, gen):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, 16, kernel_size=4, stride=4)
        self.embed_norm = nn.LayerNorm(16, eps=1e-5)
        self.stage1 = nn.ModuleList([SwinBlock(16, 2, 8, 4, 0, gen), SwinBlock(16, 2, 8, 4, 2, gen)])
        self.merge = PatchMerging(16, 8)
        self.stage2 = nn.ModuleList([SwinBlock(32, 4, 4, 4, 0, gen), SwinBlock(32, 4, 4, 4, 2, gen)])  # shift dropped
        self.layernorm = nn.LayerNorm(32, eps=1e-5)
        self.projection = nn.Linear(32, 24, bias=False)
        assert self.stage1[1].shift == 2 and self.stage2[1].shift == 0 and self.stage2[1].attn_mask is None

    def forward(self, pixel_values):
        x = self.patch_embed(pixel_values).flatten(2).transpose(1, 2)  # [B,64,16]
        x = self.embed_norm(x)
        for blk in self.stage1:
            x = blk(x)
        x = self.merge(x)  # [B,16,32]
        for blk in self.stage2:
            x = blk(x)
        x = self.layernorm(x)
        return self.projection(x.mean(dim=1))  # pooler = mean over tokens after the final LayerNorm


def torchvision_twin(model):
    """torchvision's Swin (an independent implementation of the same semantics) loaded with model's weights."""
    from torchvision.models.swin_transformer import SwinTransformer

    tv = SwinTransformer(patch_size=[4, 4], embed_dim=16, depths=[2, 2], num_heads=[2, 4], window_size=[4, 4],
                         stochastic_depth_prob=0.0, num_classes=24)
    f = tv.features
    with torch.no_grad():
        f[0][0].load_state_dict(model.patch_embed.state_dict())
        f[0][2].load_state_dict(model.embed_norm.state_dict())
        for stage_idx, blocks in ((1, model.stage1), (3, model.stage2)):
            for j, blk in enumerate(blocks):
                t = f[stage_idx][j]
                t.norm1.load_state_dict(blk.layernorm_before.state_dict())
                t.norm2.load_state_dict(blk.layernorm_after.state_dict())
                a = blk.attention
                t.attn.qkv.weight.copy_(torch.cat([a.query.weight, a.key.weight, a.value.weight]))
                t.attn.qkv.bias.copy_(torch.cat([a.query.bias, a.key.bias, a.value.bias]))
                t.attn.proj.load_state_dict(a.proj.state_dict())
                t.attn.relative_position_bias_table.copy_(a.relative_position_bias_table)
                assert torch.equal(t.attn.relative_position_index.view(-1), a.relative_position_index.view(-1))
                t.mlp[0].load_state_dict(blk.fc1.state_dict())
                t.mlp[3].load_state_dict(blk.fc2.state_dict())
        f[2].norm.load_state_dict(model.merge.norm.state_dict())
        f[2].reduction.load_state_dict(model.merge.reduction.state_dict())
        tv.norm.load_state_dict(model.layernorm.state_dict())
        tv.head.weight.copy_(model.projection.weight)
        tv.head.bias.zero_()
    return tv.eval()


# ---------------------------------------------------------------------------------------------
# b) BERT-like text encoder with MedCLIP pooling
# ---------------------------------------------------------------------------------------------

class BertLayer(nn.Module):
    def __init__(self, hidden=32, heads=2, ffn=64, eps=1e-12):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attn_out = nn.Linear(hidden, hidden)
        self.attn_norm = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Linear(hidden, ffn)
        self.output = nn.Linear(ffn, hidden)
        self.out_norm = nn.LayerNorm(hidden, eps=eps)

    def _heads(self, t):
        b, n, _ = t.shape
        return t.view(b, n, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, h, additive_mask):
        b, n, c = h.shape
        q, k, v = self._heads(self.query(h)), self._heads(self.key(h)), self._heads(self.value(h))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim) + additive_mask
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).reshape(b, n, c)
        h = self.attn_norm(self.attn_out(ctx) + h)  # post-LN
        return self.out_norm(self.output(F.gelu(self.intermediate(h))) + h)


class BertEncoder(nn.Module):
    """Everything after the word-embedding lookup: forward(inputs_embeds, attention_mask) -> text_embeds."""

    def __init__(self, max_pos=16, hidden=32, layers=2, out_dim=16):
        super().__init__()
        self.position_embeddings = nn.Embedding(max_pos, hidden)
        self.token_type_embeddings = nn.Embedding(2, hidden)
        self.embed_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.layers = nn.ModuleList([BertLayer(hidden) for _ in range(layers)])
        self.projection = nn.Linear(hidden, out_dim, bias=False)

    def forward(self, inputs_embeds, attention_mask):
        seq_len = inputs_embeds.shape[1]
        h = inputs_embeds + self.position_embeddings.weight[:seq_len].unsqueeze(0)
        h = h + self.token_type_embeddings.weight[0]  # token type 0 everywhere
        states = [self.embed_norm(h)]
        additive = (1.0 - attention_mask[:, None, None, :].to(h.dtype)) * -10000.0  # [B,1,1,L]
        for layer in self.layers:
            states.append(layer(states[-1], additive))
        # MedCLIP: mean over ALL tokens (pads included) of hidden_states[1], [2], [-1], then mean of the three
        pooled = torch.stack([states[1].mean(1), states[2].mean(1), states[-1].mean(1)]).mean(0)
        return self.projection(pooled)


class TinyBert(nn.Module):
    def __init__(self, vocab=40):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, 32)
        self.encoder = BertEncoder()

    def forward(self, input_ids, attention_mask):
        return self.encoder(self.word_embeddings(input_ids), attention_mask)


# ---------------------------------------------------------------------------------------------
# c) ResNet-like CNN (torchvision's BasicBlock)
# ---------------------------------------------------------------------------------------------

class TinyResNet(nn.Module):
    def __init__(self):
        super().__init__()
        from torchvision.models.resnet import BasicBlock

        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.layer1 = BasicBlock(8, 8)
        self.layer2 = BasicBlock(8, 16, stride=2, downsample=nn.Sequential(
            nn.Conv2d(8, 16, 1, stride=2, bias=False), nn.BatchNorm2d(16)))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10, bias=False)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))  # 32 -> 16
        x = self.layer2(self.layer1(x))  # 16 -> 8
        return self.fc(torch.flatten(self.avgpool(x), 1))


# ---------------------------------------------------------------------------------------------
# d) ViT/CLIP odds and ends
# ---------------------------------------------------------------------------------------------

class CnnMisc(nn.Module):
    def __init__(self, gen, dim=8, heads=2):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.scale = self.head_dim ** -0.5
        self.patch = nn.Conv2d(3, dim, 4, stride=4)  # 16x16 -> 4x4 = 16 tokens
        self.class_embedding = nn.Parameter(torch.randn((1, 1, dim), generator=gen))
        self.position_embedding = nn.Parameter(0.5 * torch.randn((1, 17, dim), generator=gen))
        self.pre_norm = nn.LayerNorm(dim)
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.out_proj = nn.Linear(dim, dim)
        self.norm1 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.fc2 = nn.Linear(4 * dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.fc3 = nn.Linear(dim, 2 * dim)
        self.fc4 = nn.Linear(2 * dim, dim)
        self.post_norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 12)  # with bias

    def _heads(self, t):  # CLIP style: [B,L,C] -> [B*H, L, d] for bmm
        b, n, _ = t.shape
        return t.view(b, n, self.heads, self.head_dim).transpose(1, 2).reshape(b * self.heads, n, self.head_dim)

    def forward(self, x):
        t = self.patch(x).flatten(2).transpose(1, 2)  # [B,16,8]
        b, _, c = t.shape
        t = torch.cat([self.class_embedding.expand(b, -1, -1), t], dim=1) + self.position_embedding  # [B,17,8]
        t = self.pre_norm(t)
        n = t.shape[1]
        q = self._heads(self.q_proj(t) * self.scale)
        k, v = self._heads(self.k_proj(t)), self._heads(self.v_proj(t))
        probs = torch.softmax(torch.bmm(q, k.transpose(1, 2)), dim=-1)
        ctx = torch.bmm(probs, v).view(b, self.heads, n, self.head_dim).transpose(1, 2).reshape(b, n, c)
        t = t + self.out_proj(ctx)
        t = t + self.fc2(F.gelu(self.fc1(self.norm1(t)), approximate="tanh"))
        u = self.fc3(self.norm2(t))
        t = t + self.fc4(u * torch.sigmoid(1.702 * u))  # QuickGELU
        return self.head(self.post_norm(t)[:, 0])  # class token


# ---------------------------------------------------------------------------------------------
# Fixture writing
# ---------------------------------------------------------------------------------------------

def vjp_reference(model64, inputs64, order, wrt, cot64):
    """Rows k = d (cot[k] * model(...)).sum() / d inputs[wrt], float64, plus a finite-difference check of each row."""
    rows = []
    gen = torch.Generator().manual_seed(99)
    for k in range(cot64.shape[0]):
        x = inputs64[wrt].clone().requires_grad_(True)
        args = [x if n == wrt else inputs64[n] for n in order]
        (g,) = torch.autograd.grad((cot64[k] * model64(*args)).sum(), x)
        rows.append(g[0])
        # central finite difference along a random direction (float64)
        v = torch.randn(x.shape, generator=gen, dtype=torch.float64)
        h = 1e-6

        def s(xx):
            with torch.no_grad():
                return float((cot64[k] * model64(*[xx if n == wrt else inputs64[n] for n in order])).sum())

        fd = (s(inputs64[wrt] + h * v) - s(inputs64[wrt] - h * v)) / (2 * h)
        an = float((g * v).sum())
        assert abs(fd - an) <= 1e-6 * max(1.0, abs(an)), ("finite difference mismatch", wrt, k, fd, an)
    return torch.stack(rows)


def write_fixture(name, model, inputs, order, output_name, wrt, dynamic_axes, export_kwargs=None, seed=0,
                  note=None):
    """inputs: dict name -> numpy array (batch 1). Exports model (float32), writes all files, returns the op list."""
    d = os.path.join(OUT, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    ensure_dir(os.path.join(d, "inputs"))
    model = model.eval()
    t32 = [torch.from_numpy(inputs[n]) for n in order]
    with torch.no_grad():
        y32 = model(*t32)
    save_f32(os.path.join(d, "expected_output.npy"), y32.numpy())
    for n in order:
        save_input(os.path.join(d, "inputs", n + ".npy"), inputs[n])

    export_kwargs = dict(export_kwargs or {})
    ops = export(model, tuple(t32), os.path.join(d, "model.onnx"), list(order), [output_name], dynamic_axes,
                 **export_kwargs)

    model64 = copy.deepcopy(model).double().eval()
    in64 = {n: (torch.from_numpy(inputs[n]).double() if inputs[n].dtype.kind == "f" else torch.from_numpy(inputs[n]))
            for n in order}
    with torch.no_grad():
        y64 = model64(*[in64[n] for n in order])
    err = float((y64 - y32.double()).abs().max() / y64.abs().max())
    assert err < 1e-5, (name, "float32 vs float64 forward", err)

    meta = {"wrt": wrt, "of": output_name, "inputs": {n: "inputs/%s.npy" % n for n in order}, "ops": ops,
            "opset": OPSET,
            "ops_on_grad_path": grad_path_ops(os.path.join(d, "model.onnx"), wrt, output_name) if wrt else [],
            "shapes": {**{n: list(inputs[n].shape) for n in order}, output_name: list(y32.shape)},
            "dtypes": {n: ("int64" if inputs[n].dtype.kind in "iu" else "float32") for n in order},
            "dynamic_axes": dynamic_axes, "expected_output": "expected_output.npy"}
    if wrt is not None:
        rng = np.random.default_rng(seed)
        cot = rng.standard_normal((K,) + tuple(y32.shape[1:])).astype(np.float32)
        exp = vjp_reference(model64, in64, order, wrt, torch.from_numpy(cot).double())
        save_f32(os.path.join(d, "cotangent.npy"), cot)
        save_f32(os.path.join(d, "expected.npy"), exp.numpy())
        meta.update({"cotangent": "cotangent.npy", "expected": "expected.npy", "k": K,
                     "reference": "torch.autograd in float64 of sum(cotangent[k] * %s)" % output_name})
    if export_kwargs:
        meta["export"] = {k: (v.name if hasattr(v, "name") else v) for k, v in export_kwargs.items()}
    if note:
        meta["note"] = note
    write_json(os.path.join(d, "meta.json"), meta)
    return ops, y32, meta["ops_on_grad_path"]


def build_swin():
    """The `swin` fixture's model in eval mode, with its seeds (also imported by make_layer_fixtures.py)."""
    gen = torch.Generator().manual_seed(11)
    torch.manual_seed(11)
    swin = TinySwin(gen)
    randomize_norms(swin, gen)
    return swin.eval()


def build_resnet():
    """The `resnet` / `resnet-bn` fixtures' model in eval mode, with its seeds (also imported by
    make_layer_fixtures.py)."""
    torch.manual_seed(13)
    resnet = TinyResNet()
    randomize_norms(resnet, torch.Generator().manual_seed(13))
    return resnet.eval()


def main():
    ensure_dir(OUT)
    all_ops, grad_ops = {}, {}
    batch = {0: "batch"}

    # a) swin
    swin = build_swin()
    px = np.random.default_rng(1).standard_normal((1, 3, 32, 32)).astype(np.float32)
    with torch.no_grad():  # independent implementation check (float64)
        s64 = copy.deepcopy(swin).double()
        ref = torchvision_twin(copy.deepcopy(swin)).double()
        x64 = torch.from_numpy(px).double()
        a, b = s64(x64), ref(x64)
        assert torch.allclose(a, b, rtol=1e-10, atol=1e-12), float((a - b).abs().max())
        # and the shift matters: dropping it changes the output
        s64.stage1[1].shift = 0
        assert not torch.allclose(s64(x64), a, atol=1e-6)
    all_ops["swin"], _, grad_ops["swin"] = write_fixture(
        "swin", swin, {"pixel_values": px}, ["pixel_values"], "image_embeds", "pixel_values",
        {"pixel_values": batch, "image_embeds": batch}, seed=21)

    # b) bert / bert-embeds
    torch.manual_seed(12)
    bert = TinyBert()
    randomize_norms(bert, torch.Generator().manual_seed(12))
    bert.eval()
    ids = np.array([[2, 17, 5, 31, 8, 3, 0, 0]], dtype=np.int64)  # [CLS] ... [SEP] [PAD] [PAD]
    mask = np.array([[1, 1, 1, 1, 1, 1, 0, 0]], dtype=np.int64)
    seq_axes = {0: "batch", 1: "sequence"}
    all_ops["bert"], y_ids, _ = write_fixture(
        "bert", bert, {"input_ids": ids, "attention_mask": mask}, ["input_ids", "attention_mask"], "text_embeds", None,
        {"input_ids": seq_axes, "attention_mask": seq_axes, "text_embeds": batch},
        note="integer inputs only: forward reference only; see bert-embeds for the VJP")
    with torch.no_grad():
        embeds = bert.word_embeddings(torch.from_numpy(ids)).numpy()
    all_ops["bert-embeds"], y_emb, grad_ops["bert-embeds"] = write_fixture(
        "bert-embeds", bert.encoder, {"inputs_embeds": embeds, "attention_mask": mask},
        ["inputs_embeds", "attention_mask"], "text_embeds", "inputs_embeds",
        {"inputs_embeds": seq_axes, "attention_mask": seq_axes, "text_embeds": batch}, seed=22,
        note="bert with the word-embedding lookup done outside; inputs_embeds = word_embeddings[bert input_ids]")
    assert torch.allclose(y_ids, y_emb, rtol=0, atol=1e-6)

    # c) resnet / resnet-bn
    resnet = build_resnet()
    xr = np.random.default_rng(3).standard_normal((1, 3, 32, 32)).astype(np.float32)
    axes = {"x": batch, "y": batch}
    all_ops["resnet"], _, grad_ops["resnet"] = write_fixture("resnet", resnet, {"x": xr}, ["x"], "y", "x", axes,
                                                             seed=23)
    bn_kept = None
    if "BatchNormalization" not in all_ops["resnet"]:
        # torch 1.13 folds BN into the preceding Conv in _jit_pass_onnx_eval_peephole whenever training is EVAL,
        # independently of do_constant_folding; PRESERVE on an eval-mode model skips that pass.
        for kw in ({"do_constant_folding": False, "training": torch.onnx.TrainingMode.EVAL},
                   {"do_constant_folding": False, "training": torch.onnx.TrainingMode.PRESERVE}):
            ops, _, gops = write_fixture(
                "resnet-bn", resnet, {"x": xr}, ["x"], "y", "x", axes, export_kwargs=kw, seed=23,
                note="same weights, inputs and cotangent as resnet; exported so BatchNormalization stays")
            print("resnet-bn attempt %s: BatchNormalization %s" % (
                {k: getattr(v, "name", v) for k, v in kw.items()}, "kept" if "BatchNormalization" in ops else "folded"))
            if "BatchNormalization" in ops:
                bn_kept = kw
                all_ops["resnet-bn"], grad_ops["resnet-bn"] = ops, gops
                break
        assert bn_kept is not None, "no export setting kept BatchNormalization"
        assert "MaxPool" in all_ops["resnet-bn"]

    # d) cnn-misc
    gen = torch.Generator().manual_seed(14)
    torch.manual_seed(14)
    misc = CnnMisc(gen)
    randomize_norms(misc, gen)
    misc.eval()
    xm = np.random.default_rng(4).standard_normal((1, 3, 16, 16)).astype(np.float32)
    all_ops["cnn-misc"], _, grad_ops["cnn-misc"] = write_fixture(
        "cnn-misc", misc, {"x": xm}, ["x"], "y", "x", {"x": batch, "y": batch}, seed=24)

    # Report
    report_sizes(OUT, 3_000_000)
    print("ONNX op types per fixture (all nodes):")
    for name, ops in all_ops.items():
        print("  %-12s %s" % (name, " ".join(ops)))
    union = sorted(set().union(*all_ops.values()))
    print("union (%d): %s" % (len(union), " ".join(union)))
    print("op types on the differentiable path from wrt to the output (need a VJP rule):")
    for name, ops in grad_ops.items():
        print("  %-12s %s" % (name, " ".join(ops)))
    union = sorted(set().union(*grad_ops.values()))
    print("union (%d): %s" % (len(union), " ".join(union)))


if __name__ == "__main__":
    sys.exit(main())
