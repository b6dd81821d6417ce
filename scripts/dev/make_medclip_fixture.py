#!/usr/bin/python3
"""Generate fixtures/tiny-medclip/: a tiny random-weight model with MedCLIP's architecture, as an Envision bundle,
and torch reference outputs for the adapter's parity test (dev-time only; tests and CI never run Python).

Run from anywhere:  /usr/bin/python3 scripts/dev/make_medclip_fixture.py
Needs Debian's packages: python3-torch python3-torchvision python3-onnx python3-numpy python3-pil.

The architecture follows MedCLIP (RyanWangZf/MedCLIP, medclip/modeling_medclip.py; facts only):
  vision  MedCLIPVisionModelViT: a Swin (HF SwinModel semantics) -> pooler_output (mean over tokens after the final
          LayerNorm) -> projection_head Linear(bias=False). Here: patch 4, embed 16, window 7, depths 2-2,
          heads 2-4 on 3x224x224 (56x56 then 28x28 tokens; the second block of each stage shifted by 3), built from
          the Swin blocks of make_grad_fixtures.py and checked against torchvision's independent Swin.
  text    MedCLIPTextModel: BERT with output_hidden_states; mean over ALL tokens (pads included) of hidden_states[1],
          [2] and [-1], then mean of the three -> projection_head Linear(bias=False). Here: hidden 32, 3 layers,
          2 heads, 77 positions (make_grad_fixtures.py's BertEncoder) and a word-embedding table.
  logits  PromptClassifier: per class, the class's prompts as one padded batch; both embeddings L2-normalised;
          logits = text . image * exp(clamp(logit_scale, 0, 4.6052)); class logit = max (ensemble=False, MedCLIP's
          default) or mean (ensemble=True) over the class's prompts.

The vocabulary is a cased BERT-style one built from MedCLIP's prompt term lists (constants.py): [PAD] [UNK] [CLS]
[SEP] [MASK], punctuation, digits, letters and ##letters (so no word is [UNK]), the short words whole, and long words
split into a 6-letter head and a ## tail, so WordPiece's longest-match splitting is exercised.

Writes fixtures/tiny-medclip/:
  envision.json  bundle manifest (adapter medclip, variant vit, embeddingDim 64)
  vision.onnx    pixel_values [B,3,224,224] -> image_embeds [B,64]   (opset 17, dynamic batch)
  text.onnx      input_ids, attention_mask [B,L] int64 -> text_embeds [B,64]   (opset 17, dynamic batch and sequence)
  vocab.txt
  reference.json images fixtures/images/cxr-a.png and cxr-b.png preprocessed with PIL as MedCLIPFeatureExtractor
                 (grey, pad to a square on black, bicubic resize, centre crop, * float32(1/255) as transformers'
                 rescale does, normalise), statistics of those pixels, torch's image embeddings; for 3 CheXpert
                 classes x 2 prompts: tokens, text embeddings (one padded batch per class), prompt logits, and the
                 PromptClassifier logits with max and mean.

Deterministic: fixed seeds, single-threaded torch; re-running gives byte-identical vocab/json files (ONNX files may
differ only in metadata).
"""
import json
import math
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_grad_fixtures as g  # noqa: E402  (the hand-written Swin and BERT pieces; importing runs no export)

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "fixtures", "tiny-medclip")
IMAGES = ["images/cxr-a.png", "images/cxr-b.png"]  # relative to fixtures/
IMG_SIZE, IMG_MEAN, IMG_STD = 224, 0.5862785803043838, 0.27950088968644304
LOGIT_SCALE = 2.6592600345611572  # ln(1/0.07) in float32: MedCLIP's initial logit_scale
MAX_LOGIT_SCALE = 4.6052
EMBED_DIM, MAX_LEN, OPSET = 64, 77, 17

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

# ---------------------------------------------------------------------------------------------
# MedCLIP's prompt term lists (medclip/constants.py), in its key order: for the vocabulary and the prompts
# ---------------------------------------------------------------------------------------------
CHEXPERT = {
    "Atelectasis": [
        ["", "mild", "minimal"],
        ["subsegmental atelectasis", "linear atelectasis", "trace atelectasis", "bibasilar atelectasis",
         "retrocardiac atelectasis", "bandlike atelectasis", "residual atelectasis"],
        ["at the mid lung zone", "at the upper lung zone", "at the right lung zone", "at the left lung zone",
         "at the lung bases", "at the right lung base", "at the left lung base", "at the bilateral lung bases",
         "at the left lower lobe", "at the right lower lobe"],
    ],
    "Cardiomegaly": [
        [""],
        ["cardiac silhouette size is upper limits of normal", "cardiomegaly which is unchanged",
         "mildly prominent cardiac silhouette", "portable view of the chest demonstrates stable cardiomegaly",
         "portable view of the chest demonstrates mild cardiomegaly", "persistent severe cardiomegaly",
         "heart size is borderline enlarged", "cardiomegaly unchanged", "heart size is at the upper limits of normal",
         "redemonstration of cardiomegaly",
         "ap erect chest radiograph demonstrates the heart size is the upper limits of normal",
         "cardiac silhouette size is mildly enlarged",
         "mildly enlarged cardiac silhouette, likely left ventricular enlargement. other chambers are less prominent",
         "heart size remains at mildly enlarged", "persistent cardiomegaly with prominent upper lobe vessels"],
        [""],
    ],
    "Consolidation": [
        ["", "increased", "improved", "apperance of"],
        ["bilateral consolidation", "reticular consolidation", "retrocardiac consolidation", "patchy consolidation",
         "airspace consolidation", "partial consolidation"],
        ["at the lower lung zone", "at the upper lung zone", "at the left lower lobe", "at the right lower lobe",
         "at the left upper lobe", "at the right uppper lobe", "at the right lung base", "at the left lung base"],
    ],
    "Edema": [
        ["", "mild", "improvement in", "presistent", "moderate", "decreased"],
        ["pulmonary edema", "trace interstitial edema", "pulmonary interstitial edema"],
        [""],
    ],
    "Pleural Effusion": [  # key order severity, location, subtype
        ["", "small", "stable", "large", "decreased", "increased"],
        ["left", "right", "tiny"],
        ["bilateral pleural effusion", "subpulmonic pleural effusion", "bilateral pleural effusion"],
    ],
}
OTHER_TERMS = [  # COVID and RSNA term lists, class labels, the Normal stand-in
    "patchy", "confluent", "ground glass", "opacity", "consolidation", "in peripheral", "in mid", "in lower",
    "round", "early", "focal", "multifocal", "small", "bacterial", "viral", "mycoplasma",
    "at the left middle lobe", "at the right middle lobe",
    "Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Pleural Effusion", "Normal", "COVID", "Pneumonia",
    "No Finding",
]


def expand(lists):
    """MedCLIP's nested loops: Cartesian product in key order joined with single spaces (nothing trimmed)."""
    out = [[]]
    for terms in lists:
        out = [head + [t] for head in out for t in terms]
    return [" ".join(p) for p in out]


PROMPTS = {name: expand(lists) for name, lists in CHEXPERT.items()}
assert [len(v) for v in PROMPTS.values()] == [210, 15, 192, 18, 54]
# 3 classes x 2 prompts of different lengths, so that padding differs within a class
REFERENCE_PROMPTS = {
    "Atelectasis": [PROMPTS["Atelectasis"][0], PROMPTS["Atelectasis"][209]],
    "Cardiomegaly": [PROMPTS["Cardiomegaly"][0], PROMPTS["Cardiomegaly"][12]],
    "Pleural Effusion": [PROMPTS["Pleural Effusion"][0], PROMPTS["Pleural Effusion"][53]],
}
REFERENCE_INDICES = {"Atelectasis": [0, 209], "Cardiomegaly": [0, 12], "Pleural Effusion": [0, 53]}

# ---------------------------------------------------------------------------------------------
# Vocabulary and a reference cased BERT tokenizer (BasicTokenizer + WordPiece) for these texts
# ---------------------------------------------------------------------------------------------
PUNCT = [chr(c) for c in list(range(33, 48)) + list(range(58, 65)) + list(range(91, 97)) + list(range(123, 127))]
SPLIT_AT = 10  # words longer than this are stored as a 6-letter head and a ## tail


def basic_tokenize(text):
    """Cased BERT BasicTokenizer for ASCII text: whitespace split, every punctuation character its own token."""
    out = []
    for word in text.split():
        cur = ""
        for ch in word:
            if ch in PUNCT:
                if cur:
                    out.append(cur)
                out.append(ch)
                cur = ""
            else:
                cur += ch
        if cur:
            out.append(cur)
    return out


def build_vocab():
    words = set()
    for lists in CHEXPERT.values():
        for terms in lists:
            for t in terms:
                words.update(basic_tokenize(t))
    for t in OTHER_TERMS:
        words.update(basic_tokenize(t))
    words -= set(PUNCT)
    whole, pieces = set(), set()
    for w in words:
        if len(w) > SPLIT_AT:
            whole.add(w[:6])
            pieces.add("##" + w[6:])
        else:
            whole.add(w)
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    toks = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + PUNCT + [str(d) for d in range(10)] + letters
    toks += ["##" + c for c in letters] + ["##" + str(d) for d in range(10)]
    toks += sorted(whole - set(toks)) + sorted(pieces - set(toks))
    assert len(toks) == len(set(toks))
    return toks


def wordpiece(word, index):
    if len(word) > 100:
        return ["[UNK]"]
    out, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            sub = ("##" if start > 0 else "") + word[start:end]
            if sub in index:
                found = sub
                break
            end -= 1
        if found is None:
            return ["[UNK]"]
        out.append(found)
        start = end
    return out


def encode_batch(texts, index):
    """[CLS] tokens [SEP], truncated to 77, right-padded with [PAD] to the batch's longest (padding=True)."""
    rows = []
    for t in texts:
        toks = [p for w in basic_tokenize(t) for p in wordpiece(w, index)][: MAX_LEN - 2]
        rows.append([index["[CLS]"]] + [index[p] for p in toks] + [index["[SEP]"]])
    length = max(len(r) for r in rows)
    ids = [r + [index["[PAD]"]] * (length - len(r)) for r in rows]
    mask = [[1] * len(r) + [0] * (length - len(r)) for r in rows]
    return ids, mask


# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------

class TinyMedClipSwin(nn.Module):
    """MedCLIPVisionModelViT with a small HF-semantics Swin: 224 -> patch 4 -> 56x56 x16 -> 28x28 x32 -> 64."""

    def __init__(self, gen):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, 16, kernel_size=4, stride=4)
        self.embed_norm = nn.LayerNorm(16, eps=1e-5)
        self.stage1 = nn.ModuleList([g.SwinBlock(16, 2, 56, 7, 0, gen), g.SwinBlock(16, 2, 56, 7, 3, gen)])
        self.merge = g.PatchMerging(16, 56)
        self.stage2 = nn.ModuleList([g.SwinBlock(32, 4, 28, 7, 0, gen), g.SwinBlock(32, 4, 28, 7, 3, gen)])
        self.layernorm = nn.LayerNorm(32, eps=1e-5)
        self.projection = nn.Linear(32, EMBED_DIM, bias=False)
        assert self.stage1[1].shift == 3 and self.stage2[1].shift == 3

    def forward(self, pixel_values):
        x = self.embed_norm(self.patch_embed(pixel_values).flatten(2).transpose(1, 2))  # [B,3136,16]
        for blk in self.stage1:
            x = blk(x)
        x = self.merge(x)  # [B,784,32]
        for blk in self.stage2:
            x = blk(x)
        return self.projection(self.layernorm(x).mean(dim=1))  # pooler_output -> projection_head


class TinyMedClipBert(nn.Module):
    """MedCLIPTextModel with a small BERT: ids -> word embeddings -> BertEncoder (MedCLIP pooling, projection)."""

    def __init__(self, vocab_size):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, 32)
        self.encoder = g.BertEncoder(max_pos=MAX_LEN, hidden=32, layers=3, out_dim=EMBED_DIM)

    def forward(self, input_ids, attention_mask):
        return self.encoder(self.word_embeddings(input_ids), attention_mask)


def torchvision_check(model, x):
    """torchvision's own Swin (an independent implementation), loaded with the same weights, must agree."""
    from torchvision.models.swin_transformer import SwinTransformer

    tv = SwinTransformer(patch_size=[4, 4], embed_dim=16, depths=[2, 2], num_heads=[2, 4], window_size=[7, 7],
                         stochastic_depth_prob=0.0, num_classes=EMBED_DIM)
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
                t.mlp[0].load_state_dict(blk.fc1.state_dict())
                t.mlp[3].load_state_dict(blk.fc2.state_dict())
        f[2].norm.load_state_dict(model.merge.norm.state_dict())
        f[2].reduction.load_state_dict(model.merge.reduction.state_dict())
        tv.norm.load_state_dict(model.layernorm.state_dict())
        tv.head.weight.copy_(model.projection.weight)
        tv.head.bias.zero_()
        a, b = model.double()(x.double()), tv.double().eval()(x.double())
        model.float()
    err = float((a - b).abs().max() / b.abs().max())
    assert err < 1e-10, ("torchvision Swin disagrees", err)
    return err


# ---------------------------------------------------------------------------------------------
# MedCLIPFeatureExtractor with PIL
# ---------------------------------------------------------------------------------------------

def preprocess(path):
    img = Image.open(path).convert("L")
    w, h = img.size
    side = max(IMG_SIZE, w, h)
    canvas = Image.new("L", (side, side), 0)
    canvas.paste(img, ((side - w) // 2, (side - h) // 2))
    img = canvas.resize((IMG_SIZE, IMG_SIZE), Image.BICUBIC)
    left, top = (img.size[0] - IMG_SIZE) // 2, (img.size[1] - IMG_SIZE) // 2
    img = img.crop((left, top, left + IMG_SIZE, top + IMG_SIZE))
    a = np.asarray(img, dtype=np.float32) * np.float32(1 / 255)  # transformers' rescale: float32 * (1/255)
    a = (a - np.float32(IMG_MEAN)) / np.float32(IMG_STD)
    return np.repeat(a[None, None], 3, axis=1).astype(np.float32)  # [1,3,224,224]


def export(model, args, path, names_in, names_out, axes):
    model.eval()
    torch.onnx.export(model, args, path, input_names=names_in, output_names=names_out, dynamic_axes=axes,
                      opset_version=OPSET, do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return sorted({n.op_type for n in m.graph.node})


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(obj, indent=1))
        f.write("\n")


def floats(a):
    return [[float(v) for v in row] for row in np.asarray(a, dtype=np.float64)]


def main():
    os.makedirs(OUT, exist_ok=True)
    vocab = build_vocab()
    index = {t: i for i, t in enumerate(vocab)}
    with open(os.path.join(OUT, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    for prompts in PROMPTS.values():  # every CheXpert prompt is covered without [UNK]
        ids, _ = encode_batch(prompts, index)
        assert index["[UNK]"] not in [i for r in ids for i in r]

    gen = torch.Generator().manual_seed(31)
    torch.manual_seed(31)
    vision = TinyMedClipSwin(gen)
    g.randomize_norms(vision, gen)
    vision.eval()
    torch.manual_seed(32)
    text = TinyMedClipBert(len(vocab))
    g.randomize_norms(text, torch.Generator().manual_seed(32))
    text.eval()

    pixels = np.concatenate([preprocess(os.path.join(ROOT, "fixtures", p)) for p in IMAGES])  # [2,3,224,224]
    px = torch.from_numpy(pixels)
    tv_err = torchvision_check(vision, px)

    with torch.no_grad():
        image_embeds = vision(px)  # [2,64], unnormalised
        img_n = image_embeds / image_embeds.norm(dim=-1, keepdim=True)
        scale = torch.clamp(torch.tensor(LOGIT_SCALE, dtype=torch.float32), 0, MAX_LOGIT_SCALE).exp()
        classes, logits = {}, {"max": [], "mean": []}
        per_class = []
        for name, prompts in REFERENCE_PROMPTS.items():
            ids, mask = encode_batch(prompts, index)
            t = text(torch.tensor(ids), torch.tensor(mask))  # one padded batch per class
            t_n = t / t.norm(dim=-1, keepdim=True)
            prompt_logits = (torch.matmul(t_n, img_n.t()) * scale).t()  # [images, prompts], MedCLIP's logits
            per_class.append(prompt_logits)
            classes[name] = {"indices": REFERENCE_INDICES[name], "prompts": prompts, "input_ids": ids,
                             "attention_mask": mask, "text_embeds": floats(t.numpy()),
                             "prompt_logits": floats(prompt_logits.numpy())}
        logits["max"] = floats(torch.stack([c.max(1)[0] for c in per_class], 1).numpy())
        logits["mean"] = floats(torch.stack([c.mean(1) for c in per_class], 1).numpy())

    vision_ops = export(vision, (px[:1],), os.path.join(OUT, "vision.onnx"), ["pixel_values"], ["image_embeds"],
                        {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}})
    ids0, mask0 = encode_batch(REFERENCE_PROMPTS["Atelectasis"], index)
    seq = {0: "batch", 1: "sequence"}
    text_ops = export(text, (torch.tensor(ids0), torch.tensor(mask0)), os.path.join(OUT, "text.onnx"),
                      ["input_ids", "attention_mask"], ["text_embeds"],
                      {"input_ids": seq, "attention_mask": seq, "text_embeds": {0: "batch"}})

    write_json(os.path.join(OUT, "envision.json"), {
        "format": "envision-bundle/1", "adapter": "medclip", "variant": "vit",
        "vision": {"file": "vision.onnx", "input": "pixel_values", "output": "image_embeds", "channels": 3},
        "text": {"file": "text.onnx", "inputs": {"ids": "input_ids", "mask": "attention_mask"}, "output": "text_embeds"},
        "tokenizer": {"vocab": "vocab.txt", "lowercase": False, "maxLength": MAX_LEN},
        "image": {"size": IMG_SIZE, "mean": IMG_MEAN, "std": IMG_STD, "resample": "bicubic"},
        "logitScale": LOGIT_SCALE, "embeddingDim": EMBED_DIM,
    })
    flat = pixels.reshape(len(IMAGES), -1).astype(np.float64)
    write_json(os.path.join(OUT, "reference.json"), {
        "note": "torch float32 references from scripts/dev/make_medclip_fixture.py; images are relative to fixtures/",
        "images": IMAGES,
        "pixel_stats": [{"sum": float(r.sum()), "sum_sq": float((r * r).sum()), "every_997th": [float(v) for v in r[::997]]}
                        for r in flat],
        "image_embeds": floats(image_embeds.numpy()),
        "logit_scale": LOGIT_SCALE,
        "classes": classes,
        "logits": logits,
        "torchvision_swin_relative_error": tv_err,
    })

    total = 0
    for fn in sorted(os.listdir(OUT)):
        size = os.path.getsize(os.path.join(OUT, fn))
        total += size
        print("%9d  fixtures/tiny-medclip/%s" % (size, fn))
    print("%9d  total" % total)
    assert os.path.getsize(os.path.join(OUT, "vision.onnx")) + os.path.getsize(os.path.join(OUT, "text.onnx")) < 2_000_000
    print("vision ops:", " ".join(vision_ops))
    print("text ops:  ", " ".join(text_ops))
    print("logits max: ", logits["max"])
    print("logits mean:", logits["mean"])


if __name__ == "__main__":
    sys.exit(main())
