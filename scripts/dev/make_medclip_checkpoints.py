#!/usr/bin/python3
"""Generate fixtures/checkpoints/: a reduced MedCLIP-ResNet checkpoint saved by torch.save exactly as MedCLIP's
released ones are (a zip holding pytorch_model.bin, a torch >= 1.6 zip file with MedCLIP's key names), a vocabulary,
and float64 torch reference embeddings, for `envision import medclip` (dev-time only; tests never run Python).

Run from anywhere:  /usr/bin/python3 scripts/dev/make_medclip_checkpoints.py
Needs Debian's packages: python3-torch python3-torchvision python3-numpy python3-pil (python3-onnx, for the import
of make_medclip_fixture's preprocessing and WordPiece helpers).

The model (plain PyTorch; transformers is not needed), following MedCLIP (RyanWangZf/MedCLIP,
medclip/modeling_medclip.py; facts only):
  text    MedCLIPTextModel: HF BertModel semantics (embeddings word + position (position_ids buffer) + token type 0
          -> LayerNorm eps 1e-12; post-LN layers; additive mask (1 - mask) * finfo.min; exact erf GELU; unused
          pooler), output_hidden_states; mean over ALL tokens of hidden_states[1], [2], [-1], mean of the three ->
          projection_head Linear(bias=False). Here hidden 128, 3 layers, 2 heads (= hidden / 64, BERT's head size,
          so the importer's default head count applies), intermediate 256, 80 positions, 278 tokens.
  vision  MedCLIPVisionModel: a torchvision-structured ResNet of torchvision's own Bottleneck blocks (stem conv
          7x7/2 + BN + ReLU + max-pool 3x3/2, layer1..4 with [2, 1, 1, 1] blocks of widths 4, 8, 16, 32 (x4
          expansion), stride 2 on the first block of layers 2-4, downsample conv1x1 + BN), global average pool,
          fc = Linear(128, 64, bias=False) as the projection. BatchNorm statistics are random (eval mode).
  logit_scale  0-d, ln(25).

Storage coverage: vision fc.weight is saved as float16 and layer4.0.conv3.weight as bfloat16 (the model uses the
rounded values, so the references are exact for what is saved); text projection_head.weight is saved as a
transposed (non-contiguous) view; the text embeddings' LayerNorm.weight is a view at a non-zero storage offset.
The state dict is the model's own (an OrderedDict with _metadata).

Writes fixtures/checkpoints/:
  medclip-resnet-tiny.zip   pytorch_model.bin (deflated), like MedCLIP's medclip-pretrained.zip
  vocab.txt                 fixtures/tiny-medclip's cased vocabulary (278 tokens)
  reference.json            float64 torch embeddings: images cxr-a.png (MedCLIPFeatureExtractor preprocessing,
                            grey repeated to 3 channels) and a synthetic 3-channel pattern; 3 token batches (texts,
                            ids, mask, embeddings); logitScale; embeddingDim
Deterministic: fixed seed; the zip's timestamps are fixed.
"""
import collections
import io
import json
import math
import os
import sys
import zipfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.resnet import Bottleneck

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_medclip_fixture as mf  # noqa: E402  (preprocess, basic_tokenize, encode_batch; importing exports nothing)

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "fixtures", "checkpoints")
HIDDEN, LAYERS, HEADS, INTER, POSITIONS, EMBED = 128, 3, 2, 256, 80, 64
LOGIT_SCALE = math.log(25.0)
TEXTS = [
    ["mild linear atelectasis at the mid lung zone", "Cardiomegaly"],
    ["Edema", "moderate bilateral pleural effusion", "heart size is borderline enlarged"],
    [" ".join(["subsegmental atelectasis at the lung bases"] * 12)],  # truncated to 77 tokens: no padding
]


# --- text: HF BertModel semantics, HF key names ---------------------------------------------------------------

class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query, self.key, self.value = nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN)

    def forward(self, x, ext):
        b, l, _ = x.shape
        d = HIDDEN // HEADS
        split = lambda t: t.view(b, l, HEADS, d).permute(0, 2, 1, 3)  # noqa: E731
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + ext
        ctx = torch.softmax(scores, dim=-1) @ v
        return ctx.permute(0, 2, 1, 3).reshape(b, l, HIDDEN)


class DenseNorm(nn.Module):
    """BertSelfOutput / BertOutput: dense, (dropout), LayerNorm(x + residual)."""

    def __init__(self, n_in):
        super().__init__()
        self.dense = nn.Linear(n_in, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=1e-12)

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.self = SelfAttention()
        self.output = DenseNorm(HIDDEN)


class Intermediate(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, INTER)


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = Attention()
        self.intermediate = Intermediate()
        self.output = DenseNorm(INTER)

    def forward(self, x, ext):
        a = self.attention.output(self.attention.self(x, ext), x)
        return self.output(F.gelu(self.intermediate.dense(a)), a)  # exact erf GELU


class Embeddings(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, HIDDEN)
        self.position_embeddings = nn.Embedding(POSITIONS, HIDDEN)
        self.token_type_embeddings = nn.Embedding(2, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.register_buffer("position_ids", torch.arange(POSITIONS).expand((1, -1)))

    def forward(self, ids):
        l = ids.shape[1]
        e = self.word_embeddings(ids) + self.token_type_embeddings(torch.zeros_like(ids))
        e = e + self.position_embeddings(self.position_ids[:, :l])
        return self.LayerNorm(e)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.ModuleList([Layer() for _ in range(LAYERS)])


class Pooler(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, HIDDEN)


class Bert(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.embeddings = Embeddings(vocab)
        self.encoder = Encoder()
        self.pooler = Pooler()  # saved, unused by MedCLIP

    def forward(self, ids, mask):
        dtype = self.embeddings.LayerNorm.weight.dtype
        ext = (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min
        hidden = [self.embeddings(ids)]
        for layer in self.encoder.layer:
            hidden.append(layer(hidden[-1], ext))
        return hidden


class TextModel(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.model = Bert(vocab)
        self.projection_head = nn.Linear(HIDDEN, EMBED, bias=False)

    def forward(self, ids, mask):
        hs = self.model(ids, mask)
        stacked = torch.stack([hs[1], hs[2], hs[-1]])  # MedCLIP: mean over tokens (pads included), then layers
        return self.projection_head(stacked.permute(1, 0, 2, 3).mean(2).mean(1))


# --- vision: torchvision ResNet structure with torchvision's Bottleneck ------------------------------------------

class TinyResNet(nn.Module):
    def __init__(self):
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
        self.fc = nn.Linear(inplanes, EMBED, bias=False)  # MedCLIP: the fc is the projection

    def forward(self, x):  # torchvision ResNet._forward_impl
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class VisionModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = TinyResNet()


class MedClipTiny(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.vision_model = VisionModel()
        self.text_model = TextModel(vocab)
        self.logit_scale = nn.Parameter(torch.tensor(LOGIT_SCALE, dtype=torch.float32))


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


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(1234)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(ROOT, "fixtures", "tiny-medclip", "vocab.txt"), encoding="utf-8") as f:
        vocab = f.read().split("\n")
    vocab = [t for t in vocab if t != ""]
    index = {t: i for i, t in enumerate(vocab)}

    model = MedClipTiny(len(vocab)).eval()
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
    with zipfile.ZipFile(zpath, "w", compression=zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("pytorch_model.bin", date_time=(2022, 10, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, buf.getvalue())
    with open(os.path.join(OUT, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")

    # References in float64 from exactly the saved values.
    model = model.double()
    images = []
    with torch.no_grad():
        cxr = mf.preprocess(os.path.join(ROOT, "fixtures", "images", "cxr-a.png"))
        for name, x in [("images/cxr-a.png", cxr), ("pattern", pattern())]:
            emb = model.vision_model.model(torch.from_numpy(x).double())
            images.append({"input": name, "embedding": emb[0].tolist()})
        texts = []
        for batch in TEXTS:
            ids, mask = mf.encode_batch(batch, index)
            emb = model.text_model(torch.tensor(ids), torch.tensor(mask))
            texts.append({"texts": batch, "ids": ids, "mask": mask, "embeddings": emb.tolist()})
    ref = {
        "checkpoint": "medclip-resnet-tiny.zip",
        "logitScale": float(torch.tensor(LOGIT_SCALE, dtype=torch.float32)),
        "embeddingDim": EMBED,
        "textHeads": HEADS,
        "images": images,
        "texts": texts,
        "keys": len(sd),
    }
    with open(os.path.join(OUT, "reference.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(ref, indent=1) + "\n")
    print(f"wrote {zpath} ({os.path.getsize(zpath)} bytes, {len(sd)} tensors), vocab, reference.json")


def full(out):
    """A full-size MedCLIP-ResNet checkpoint (random weights: torchvision resnet50 + BERT-base) in OUT, for timing
    the importer; not a fixture (~540 MB). Writes pytorch_model.bin, vocab.txt (28,996 placeholder tokens) and
    reference.json (the pattern image; one token batch)."""
    global HIDDEN, LAYERS, HEADS, INTER, POSITIONS, EMBED
    HIDDEN, LAYERS, HEADS, INTER, POSITIONS, EMBED = 768, 12, 12, 3072, 512, 512
    import torchvision
    torch.manual_seed(0)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [f"tok{i}" for i in range(28996 - 5)]
    model = MedClipTiny(len(vocab)).eval()
    model.vision_model.model = torchvision.models.resnet50()
    model.vision_model.model.fc = nn.Linear(2048, 512, bias=False)
    model.eval()
    randomise_batchnorms(model, torch.Generator().manual_seed(1))
    os.makedirs(out, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(out, "pytorch_model.bin"))
    with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    model = model.double()
    ids = [[2] + [5 + (7919 * k) % 28000 for k in range(20)] + [3], [2, 100, 200, 3] + [0] * 18]
    mask = [[1] * 22, [1] * 4 + [0] * 18]
    with torch.no_grad():
        img = model.vision_model.model(torch.from_numpy(pattern()).double())[0].tolist()
        txt = model.text_model(torch.tensor(ids), torch.tensor(mask)).tolist()
    with open(os.path.join(out, "reference.json"), "w", encoding="utf-8") as f:
        json.dump({"image": img, "ids": ids, "mask": mask, "text": txt}, f)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--full":
        full(sys.argv[2])
    else:
        main()
