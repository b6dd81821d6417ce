#!/usr/bin/python3
"""Generate fixtures/checkpoints/: two reduced MedCLIP checkpoints (ResNet and ViT/Swin variants) saved by
torch.save exactly as MedCLIP's released ones are (a zip holding pytorch_model.bin, a torch >= 1.6 zip file with
MedCLIP's key names), a vocabulary, and float64 torch reference embeddings, for `envision import medclip` (dev-time
only; tests never run Python).

Run from anywhere:  /usr/bin/python3 scripts/dev/make_medclip_checkpoints.py
                    /usr/bin/python3 scripts/dev/make_medclip_checkpoints.py --full DIR [--variant vit|resnet]
Needs Debian's packages: python3-torch python3-torchvision python3-numpy python3-pil (python3-onnx, for the import
of make_medclip_fixture's preprocessing and WordPiece helpers and make_grad_fixtures' Swin helpers).

The models (plain PyTorch; transformers is not needed), following MedCLIP (RyanWangZf/MedCLIP,
medclip/modeling_medclip.py; facts only). MedCLIPModel holds vision_model, text_model and a 0-d logit_scale.
  text    MedCLIPTextModel: HF BertModel semantics (embeddings word + position (position_ids buffer) + token type 0
          -> LayerNorm eps 1e-12; post-LN layers; additive mask (1 - mask) * finfo.min; exact erf GELU; unused
          pooler, saved), output_hidden_states; mean over ALL tokens of hidden_states[1], [2], [-1], mean of the
          three -> projection_head Linear(bias=False). Hidden 128, 3 layers, intermediate 256, 80 positions,
          278 tokens; resnet: 2 heads (= hidden / 64, BERT's head size, so the importer's default head count
          applies), projection to 64; vit: 4 heads (the import needs --text-heads 4; the script checks that 2
          heads give embeddings off by > 1 %), projection to 48.
  vision  resnet: MedCLIPVisionModel: a torchvision-structured ResNet of torchvision's own Bottleneck blocks (stem
          conv 7x7/2 + BN + ReLU + max-pool 3x3/2, layer1..4 with [2, 1, 1, 1] blocks of widths 4, 8, 16, 32 (x4
          expansion), stride 2 on the first block of layers 2-4, downsample conv1x1 + BN), global average pool,
          fc = Linear(128, 64, bias=False) as the projection. BatchNorm statistics are random (eval mode).
          vit: MedCLIPVisionModelViT: make_swin_checkpoint.py's HF SwinModel (its buffers relative_position_index
          saved, as HF does) with pooler_output -> projection_head Linear(192, 48, bias=False); patch 4, embed 24,
          depths 2-2-2-2, heads 1-2-3-6, window 7, MLP ratio 2; at 224x224 stage 4 is 7x7, so unshifted. Checked
          against torchvision's independent Swin on the same weights (float64, < 1e-10).
  logit_scale  0-d: resnet ln(25), vit ln(30).

Storage coverage. resnet: vision fc.weight is saved as float16 and layer4.0.conv3.weight as bfloat16; text
projection_head.weight is saved as a transposed (non-contiguous) view; the text embeddings' LayerNorm.weight is a
view at a non-zero storage offset; saved to a file object (inner folder 'archive'). vit: every matrix float16
(two bfloat16, VIT_BF16), vectors and the relative-position-bias tables float32, integer buffers int64; the vision
projection_head.weight a transposed float16 view; the Swin's final layernorm.weight a view at storage offset 3;
saved to a file named pytorch_model.bin (inner folder 'pytorch_model', as MedCLIP's own files). In both the model
uses the rounded values, so the references are exact for what is saved. The state dicts are the models' own
(OrderedDicts with _metadata).

Writes fixtures/checkpoints/:
  medclip-resnet-tiny.zip   pytorch_model.bin (deflated), like MedCLIP's medclip-pretrained.zip (1.9 MB)
  medclip-vit-tiny.zip      pytorch_model.bin (deflated), like MedCLIP's medclip-vit-pretrained.zip (2.5 MB)
  vocab.txt                 fixtures/tiny-medclip's cased vocabulary (278 tokens), for both
  reference.json            resnet: float64 torch embeddings: images cxr-a.png (MedCLIPFeatureExtractor
                            preprocessing, grey repeated to 3 channels) and a synthetic 3-channel pattern; 3 token
                            batches (texts, ids, mask, embeddings; padding and truncation); logitScale; embeddingDim;
                            textHeads; keys (tensor count)
  reference-vit.json        vit: the same fields, plus variant, swin (the config) and storage (tensors per dtype)
Deterministic: fixed seeds; the zip's timestamps are fixed; re-running gives byte-identical files.

--full DIR [--variant vit|resnet] writes a full-size random checkpoint (BERT-base with torchvision's resnet50 or
Swin-T) for the import benchmark instead (not committed; see full()).
"""
import collections
import io
import json
import math
import os
import sys
import tempfile
import zipfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.resnet import Bottleneck

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_medclip_fixture as mf  # noqa: E402  (preprocess, basic_tokenize, encode_batch; importing exports nothing)
import make_swin_checkpoint as sw  # noqa: E402  (the HF-semantics Swin VisionModel; importing writes nothing)

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "fixtures", "checkpoints")
# BERT sizes (HF BertConfig's hidden_size, num_hidden_layers, num_attention_heads, intermediate_size,
# max_position_embeddings) and the projection's output, `embed`.
TextConfig = collections.namedtuple("TextConfig", "hidden layers heads inter positions embed")
# resnet: 2 heads = hidden / 64 (BERT's head size), so the importer's default head count applies.
RESNET_TEXT = TextConfig(hidden=128, layers=3, heads=2, inter=256, positions=80, embed=64)
LOGIT_SCALE = math.log(25.0)
# vit: 4 heads of 32, NOT hidden / 64: the import needs --text-heads 4 (the default of 2 gives other embeddings).
VIT_TEXT = TextConfig(hidden=128, layers=3, heads=4, inter=256, positions=80, embed=48)
# Swin embed 24, depths 2-2-2-2, heads 1-2-3-6, window 7 at 224²: stages 56, 28, 14, 7 tokens wide, so stage 4
# (7 x 7 = the window) is unshifted, as in the real model. MLP ratio 2 (HF's default is 4) keeps the zip small.
VIT_SWIN = sw.SwinConfig(patch=4, embed=24, depths=(2, 2, 2, 2), heads=(1, 2, 3, 6), window=7, proj_dim=48,
                         mlp_ratio=2)
VIT_LOGIT_SCALE = math.log(30.0)
# Full size (not committed; for the import benchmark): BERT-base, Swin-T, 512-d projections.
FULL_TEXT = TextConfig(hidden=768, layers=12, heads=12, inter=3072, positions=512, embed=512)
FULL_SWIN = sw.SwinConfig(patch=4, embed=96, depths=(2, 2, 6, 2), heads=(3, 6, 12, 24), window=7, proj_dim=512,
                          mlp_ratio=4)
TEXTS = [
    ["mild linear atelectasis at the mid lung zone", "Cardiomegaly"],
    ["Edema", "moderate bilateral pleural effusion", "heart size is borderline enlarged"],
    [" ".join(["subsegmental atelectasis at the lung bases"] * 12)],  # truncated to 77 tokens: no padding
]


# --- text: HF BertModel semantics, HF key names ---------------------------------------------------------------

class SelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg.hidden
        self.heads = cfg.heads
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)

    def forward(self, x, ext):
        b, l, hidden = x.shape
        d = hidden // self.heads
        split = lambda t: t.view(b, l, self.heads, d).permute(0, 2, 1, 3)  # noqa: E731
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + ext
        ctx = torch.softmax(scores, dim=-1) @ v
        return ctx.permute(0, 2, 1, 3).reshape(b, l, hidden)


class DenseNorm(nn.Module):
    """BertSelfOutput / BertOutput: dense, (dropout), LayerNorm(x + residual)."""

    def __init__(self, n_in, cfg):
        super().__init__()
        self.dense = nn.Linear(n_in, cfg.hidden)
        self.LayerNorm = nn.LayerNorm(cfg.hidden, eps=1e-12)

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self = SelfAttention(cfg)
        self.output = DenseNorm(cfg.hidden, cfg)


class Intermediate(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg.hidden, cfg.inter)


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention = Attention(cfg)
        self.intermediate = Intermediate(cfg)
        self.output = DenseNorm(cfg.inter, cfg)

    def forward(self, x, ext):
        a = self.attention.output(self.attention.self(x, ext), x)
        return self.output(F.gelu(self.intermediate.dense(a)), a)  # exact erf GELU


class Embeddings(nn.Module):
    def __init__(self, vocab, cfg):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, cfg.hidden)
        self.position_embeddings = nn.Embedding(cfg.positions, cfg.hidden)
        self.token_type_embeddings = nn.Embedding(2, cfg.hidden)
        self.LayerNorm = nn.LayerNorm(cfg.hidden, eps=1e-12)
        self.register_buffer("position_ids", torch.arange(cfg.positions).expand((1, -1)))

    def forward(self, ids):
        l = ids.shape[1]
        e = self.word_embeddings(ids) + self.token_type_embeddings(torch.zeros_like(ids))
        e = e + self.position_embeddings(self.position_ids[:, :l])
        return self.LayerNorm(e)


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList([Layer(cfg) for _ in range(cfg.layers)])


class Pooler(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg.hidden, cfg.hidden)


class Bert(nn.Module):
    def __init__(self, vocab, cfg):
        super().__init__()
        self.embeddings = Embeddings(vocab, cfg)
        self.encoder = Encoder(cfg)
        self.pooler = Pooler(cfg)  # saved, unused by MedCLIP

    def forward(self, ids, mask):
        dtype = self.embeddings.LayerNorm.weight.dtype
        ext = (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min
        hidden = [self.embeddings(ids)]
        for layer in self.encoder.layer:
            hidden.append(layer(hidden[-1], ext))
        return hidden


class TextModel(nn.Module):
    def __init__(self, vocab, cfg):
        super().__init__()
        self.model = Bert(vocab, cfg)
        self.projection_head = nn.Linear(cfg.hidden, cfg.embed, bias=False)

    def forward(self, ids, mask):
        hs = self.model(ids, mask)
        stacked = torch.stack([hs[1], hs[2], hs[-1]])  # MedCLIP: mean over tokens (pads included), then layers
        return self.projection_head(stacked.permute(1, 0, 2, 3).mean(2).mean(1))


# --- vision (resnet): torchvision ResNet structure with torchvision's Bottleneck ---------------------------------

class TinyResNet(nn.Module):
    def __init__(self, embed):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        inplanes = 8
        for i, (planes, blocks) in enumerate(zip([4, 8, 16, 32], [2, 1, 1, 1])):
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or inplanes != planes * Bottleneck.expansion:
                down = nn.Sequential(nn.Conv2d(inplanes, planes * 4, 1, stride=stride, bias=False), nn.BatchNorm2d(planes * 4))
            layers = [Bottleneck(inplanes, planes, stride, down)]
            inplanes = planes * 4
            layers += [Bottleneck(inplanes, planes) for _ in range(1, blocks)]
            setattr(self, f"layer{i + 1}", nn.Sequential(*layers))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(inplanes, embed, bias=False)  # MedCLIP: the fc is the projection

    def forward(self, x):  # torchvision ResNet._forward_impl
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class ResNetVision(nn.Module):
    """MedCLIPVisionModel: `model` is the ResNet whose fc is the projection."""

    def __init__(self, resnet):
        super().__init__()
        self.model = resnet

    def forward(self, x):
        return self.model(x)


class MedClip(nn.Module):
    """MedCLIPModel's parameters: vision_model (ResNetVision, or make_swin_checkpoint's Swin VisionModel, built first,
    as MedCLIP does), text_model, logit_scale."""

    def __init__(self, vision, vocab, text_cfg, logit_scale):
        super().__init__()
        self.vision_model = vision
        self.text_model = TextModel(vocab, text_cfg)
        self.logit_scale = nn.Parameter(torch.tensor(logit_scale, dtype=torch.float32))


def randomise_batchnorms(model, gen):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.weight.data = torch.rand(n, generator=gen) + 0.5
            m.bias.data = torch.randn(n, generator=gen) * 0.1
            m.running_mean = torch.randn(n, generator=gen) * 0.1
            m.running_var = torch.rand(n, generator=gen) + 0.5
            m.num_batches_tracked = torch.tensor(7)


def pattern():
    """A synthetic 3-channel input: x[c, h, w] = sin(0.05 h (c + 1)) cos(0.03 w) + 0.1 c, in float32."""
    c, h, w = np.meshgrid(np.arange(3), np.arange(224), np.arange(224), indexing="ij")
    return (np.sin(0.05 * h * (c + 1)) * np.cos(0.03 * w) + 0.1 * c).astype(np.float32)[None]


def read_vocab():
    with open(os.path.join(ROOT, "fixtures", "tiny-medclip", "vocab.txt"), encoding="utf-8") as f:
        vocab = f.read().split("\n")
    return [t for t in vocab if t != ""]


def write_zip(zpath, data):
    """The downloaded-zip layout: pytorch_model.bin, deflated, with a fixed timestamp."""
    with zipfile.ZipFile(zpath, "w", compression=zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("pytorch_model.bin", date_time=(2022, 10, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)


def references(model, index):
    """float64 embeddings of the reference images and token batches, from exactly the saved values."""
    model = model.double()
    images, texts = [], []
    with torch.no_grad():
        cxr = mf.preprocess(os.path.join(ROOT, "fixtures", "images", "cxr-a.png"))
        for name, x in [("images/cxr-a.png", cxr), ("pattern", pattern())]:
            emb = model.vision_model(torch.from_numpy(x).double())
            images.append({"input": name, "embedding": emb[0].tolist()})
        for batch in TEXTS:
            ids, mask = mf.encode_batch(batch, index)
            emb = model.text_model(torch.tensor(ids), torch.tensor(mask))
            texts.append({"texts": batch, "ids": ids, "mask": mask, "embeddings": emb.tolist()})
    return images, texts


def make_resnet(vocab, index):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1234)
    model = MedClip(ResNetVision(TinyResNet(RESNET_TEXT.embed)), len(vocab), RESNET_TEXT, LOGIT_SCALE).eval()
    randomise_batchnorms(model, gen)
    with torch.no_grad():
        for p in model.parameters():  # larger-than-default weights so every layer matters
            if p.dim() >= 2:
                p.add_(torch.randn(p.shape, generator=gen) * 0.02)
        v = model.vision_model.model
        v.fc.weight.data = v.fc.weight.data.half().float()
        v.layer4[0].conv3.weight.data = v.layer4[0].conv3.weight.data.bfloat16().float()

    sd = model.state_dict()  # OrderedDict with _metadata: pickled with a BUILD
    sd["vision_model.model.fc.weight"] = sd["vision_model.model.fc.weight"].half()
    sd["vision_model.model.layer4.0.conv3.weight"] = sd["vision_model.model.layer4.0.conv3.weight"].bfloat16()
    proj = sd["text_model.projection_head.weight"]
    sd["text_model.projection_head.weight"] = proj.t().contiguous().t()  # same values, strides (1, 64)
    assert not sd["text_model.projection_head.weight"].is_contiguous()
    ln = sd["text_model.model.embeddings.LayerNorm.weight"]
    sd["text_model.model.embeddings.LayerNorm.weight"] = torch.cat([torch.zeros(5), ln])[5:]  # storage offset 5
    assert sd["text_model.model.embeddings.LayerNorm.weight"].storage_offset() == 5

    buf = io.BytesIO()
    torch.save(sd, buf)  # torch >= 1.6 zip format; inner folder 'archive' for a file object
    zpath = os.path.join(OUT, "medclip-resnet-tiny.zip")
    write_zip(zpath, buf.getvalue())

    images, texts = references(model, index)
    ref = {
        "checkpoint": "medclip-resnet-tiny.zip",
        "logitScale": float(torch.tensor(LOGIT_SCALE, dtype=torch.float32)),
        "embeddingDim": RESNET_TEXT.embed,
        "textHeads": RESNET_TEXT.heads,
        "images": images,
        "texts": texts,
        "keys": len(sd),
    }
    with open(os.path.join(OUT, "reference.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(ref, indent=1) + "\n")
    print(f"wrote {zpath} ({os.path.getsize(zpath)} bytes, {len(sd)} tensors), reference.json")


# vit storage: the model's weights are rounded to these dtypes first, so the references are exact for what is saved.
VIT_BF16 = ("vision_model.model.encoder.layers.2.blocks.1.intermediate.dense.weight",
            "text_model.model.encoder.layer.1.attention.self.query.weight")


def vit_storage_dtype(key, t):
    """float16 for the matrices (the bulk of the bytes), bfloat16 for VIT_BF16, float32 for vectors and the
    relative-position-bias tables; integer buffers as they are."""
    if not t.is_floating_point():
        return t.dtype
    if key in VIT_BF16:
        return torch.bfloat16
    if t.dim() >= 2 and not key.endswith("relative_position_bias_table"):
        return torch.float16
    return torch.float32


def make_vit(vocab, index):
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(4321)
    vision = sw.VisionModel(gen, VIT_SWIN)  # HF SwinModel + bias-free projection_head, MedCLIP's key names
    model = MedClip(vision, len(vocab), VIT_TEXT, VIT_LOGIT_SCALE).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.startswith("text_model.") and p.dim() >= 2:  # as the resnet fixture's BERT
                p.add_(torch.randn(p.shape, generator=gen) * 0.02)
        for mod in model.modules():  # non-trivial LayerNorm affine parameters
            if isinstance(mod, nn.LayerNorm):
                mod.weight.copy_(1.0 + 0.2 * torch.randn(mod.weight.shape, generator=gen))
                mod.bias.copy_(0.1 * torch.randn(mod.bias.shape, generator=gen))
        dtypes = {k: vit_storage_dtype(k, t) for k, t in model.state_dict().items()}
        for name, p in model.named_parameters():
            p.data = p.data.to(dtypes[name]).float()

    sd = model.state_dict()  # OrderedDict with _metadata: pickled with a BUILD
    for k in sd:
        sd[k] = sd[k].to(dtypes[k])
    proj = sd["vision_model.projection_head.weight"]  # float16, saved as a transposed view: strides (1, 48)
    sd["vision_model.projection_head.weight"] = proj.t().contiguous().t()
    assert not sd["vision_model.projection_head.weight"].is_contiguous()
    ln = sd["vision_model.model.layernorm.weight"]  # float32 at storage offset 3
    sd["vision_model.model.layernorm.weight"] = torch.cat([torch.zeros(3), ln])[3:]
    assert sd["vision_model.model.layernorm.weight"].storage_offset() == 3
    counts = collections.Counter(str(t.dtype).replace("torch.", "") for t in sd.values())

    with tempfile.TemporaryDirectory() as tmp:  # saved to a file: the inner folder is 'pytorch_model', not 'archive'
        path = os.path.join(tmp, "pytorch_model.bin")
        torch.save(sd, path)
        with open(path, "rb") as f:
            data = f.read()
    zpath = os.path.join(OUT, "medclip-vit-tiny.zip")
    write_zip(zpath, data)

    # The reference Swin must agree with torchvision's independent Swin on the same weights.
    m64 = sw.VisionModel(torch.Generator().manual_seed(0), VIT_SWIN)
    m64.load_state_dict(model.vision_model.state_dict())
    tv_err = sw.torchvision_check(m64.double().eval(), torch.from_numpy(pattern()).double())
    images, texts = references(model, index)
    # The head count matters: the same weights with BERT's default hidden / 64 = 2 heads give other embeddings.
    t2 = TextModel(len(vocab), VIT_TEXT._replace(heads=VIT_TEXT.hidden // 64)).double().eval()
    t2.load_state_dict(model.text_model.state_dict())
    with torch.no_grad():
        ids, mask = mf.encode_batch(TEXTS[1], index)
        want = torch.tensor(texts[1]["embeddings"], dtype=torch.float64)
        heads_effect = float((t2(torch.tensor(ids), torch.tensor(mask)) - want).abs().max() / want.abs().max())
    assert heads_effect > 1e-2, heads_effect

    ref = {
        "checkpoint": "medclip-vit-tiny.zip",
        "variant": "vit",
        "logitScale": float(torch.tensor(VIT_LOGIT_SCALE, dtype=torch.float32)),
        "embeddingDim": VIT_TEXT.embed,
        "textHeads": VIT_TEXT.heads,
        "swin": VIT_SWIN._asdict(),
        "storage": dict(sorted(counts.items())),
        "images": images,
        "texts": texts,
        "keys": len(sd),
    }
    with open(os.path.join(OUT, "reference-vit.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(ref, indent=1) + "\n")
    print(f"wrote {zpath} ({os.path.getsize(zpath)} bytes, {len(sd)} tensors: {dict(counts)}), reference-vit.json; "
          f"torchvision Swin {tv_err:.1e}, text with 2 heads instead of 4 off by {heads_effect:.2f}")


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    vocab = read_vocab()
    index = {t: i for i, t in enumerate(vocab)}
    with open(os.path.join(OUT, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    make_resnet(vocab, index)
    make_vit(vocab, index)


def full(out, variant):
    """A full-size MedCLIP checkpoint (random weights: BERT-base with torchvision's resnet50, or Swin-T) in OUT, for
    timing the importer; not a fixture (~540 MB resnet, ~580 MB vit). Writes pytorch_model.bin, vocab.txt (28,996
    placeholder tokens) and reference.json (the pattern image; one token batch)."""
    import torchvision
    torch.manual_seed(0)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [f"tok{i}" for i in range(28996 - 5)]
    if variant == "vit":
        vision = sw.VisionModel(torch.Generator().manual_seed(2), FULL_SWIN)
    else:
        resnet = torchvision.models.resnet50()
        resnet.fc = nn.Linear(2048, 512, bias=False)
        vision = ResNetVision(resnet)
    model = MedClip(vision, len(vocab), FULL_TEXT, math.log(1 / 0.07)).eval()
    randomise_batchnorms(model, torch.Generator().manual_seed(1))
    os.makedirs(out, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(out, "pytorch_model.bin"))
    with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    model = model.double()
    ids = [[2] + [5 + (7919 * k) % 28000 for k in range(20)] + [3], [2, 100, 200, 3] + [0] * 18]
    mask = [[1] * 22, [1] * 4 + [0] * 18]
    with torch.no_grad():
        img = model.vision_model(torch.from_numpy(pattern()).double())[0].tolist()
        txt = model.text_model(torch.tensor(ids), torch.tensor(mask)).tolist()
    with open(os.path.join(out, "reference.json"), "w", encoding="utf-8") as f:
        json.dump({"variant": variant, "image": img, "ids": ids, "mask": mask, "text": txt}, f)


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) >= 2 and args[0] == "--full":
        variant = "resnet"
        if args[2:] in (["--variant", "vit"], ["--variant", "resnet"]):
            variant = args[3]
        elif args[2:]:
            sys.exit("usage: make_medclip_checkpoints.py [--full DIR [--variant vit|resnet]]")
        full(args[1], variant)
    elif args:
        sys.exit("usage: make_medclip_checkpoints.py [--full DIR [--variant vit|resnet]]")
    else:
        main()
