#!/usr/bin/python3
"""Tiny random-weight CLIP and SigLIP folders in the transformers.js / Xenova layout, with torch reference numbers
(dev-time only; tests and CI never run Python).

Run from anywhere:
    /usr/bin/python3 scripts/dev/make_clip_fixtures.py
Needs Debian's python3-torch python3-onnx python3-numpy python3-pil, and Node with the npm packages `tokenizers`
(the Rust binding) and `onnxruntime-node`, installed OUTSIDE the repository:
    mkdir -p /tmp/tok-ref && cd /tmp/tok-ref && npm init -y \\
      && ONNXRUNTIME_NODE_INSTALL=skip npm i tokenizers@0.23.2 onnxruntime-node@1.30.0 @huggingface/tokenizers@0.2.0
The script finds them through $NODE_PATH (default /tmp/tok-ref/node_modules). Node is used for two things only: the
token-id goldens (scripts/dev/clip_token_goldens.mjs, run by this script) and the onnxruntime check of the exports.

Writes
  fixtures/images/rgb-wide.png            45x29 RGB, smooth colour ramps (a non-square colour image)
  fixtures/tiny-clip/                     config.json, preprocessor_config.json, tokenizer.json, tokenizer_config.json,
                                          special_tokens_map.json, model.safetensors, onnx/vision_model.onnx,
                                          onnx/text_model.onnx, reference/...
  fixtures/tiny-siglip/                   the same files for SigLIP
  reference/ in each folder:
    tokens.json                           Rust `tokenizers` goldens (written by clip_token_goldens.mjs)
    pixels-<image>.npy                    float32 [1,3,32,32], the HF image processor re-implemented with PIL + numpy
    image_embeds-<image>.npy              float32 [1,M]; CLIP: image_embeds (projected, not normalised), SigLIP: pooler
    text_embeds.npy                       float32 [3,M] for the 3 prompts embedded as ONE padded batch
    reference.json                        prompts, their ids/mask, logit_scale (and logit_bias), logits and probs
    saliency-<fusion>.npy, ig-<fusion>.npy  float32 [3,3,32,32] gradient references (cxr-a only), see below
    meta.json                             module sizes, seeds, opset, library versions, the checks' measured values

Models (module by module after HF's modeling_clip.py / modeling_siglip.py, HF's state-dict key names, float32,
eval mode; no HF code is used or copied):
  CLIP   vision: Conv2d patch embedding without bias + class embedding + position embedding -> pre_layrnorm ->
         2 pre-LN encoder layers (self-attention q/k/v/out_proj, quick_gelu MLP) -> pooled = post_layernorm(
         last_hidden_state[:, 0]) -> visual_projection (no bias). last_hidden_state is the encoder output (before
         post_layernorm), as in HF. text: token + position embeddings -> 2 layers under a causal mask combined with
         the padding mask (one additive mask, finfo.min where not allowed) -> final_layer_norm -> pooled at the
         first position whose id is eos_token_id (newer HF's rule; the argmax rule gives the same position here
         because <|endoftext|> is the largest id) -> text_projection (no bias). logit_scale is a 0-d parameter.
  SigLIP vision: Conv2d patch embedding with bias + position embedding (no class token) -> 2 layers with
         gelu_pytorch_tanh -> post_layernorm (= last_hidden_state) -> attention-pooling head (probe, multi-head
         attention with attention.in_proj_weight/in_proj_bias/out_proj as nn.MultiheadAttention names them,
         layernorm, MLP, residual) -> pooler_output [B,32]. The head's attention is written by hand; the script
         checks it against nn.MultiheadAttention with the same weights. text: embeddings -> 2 layers, NO mask ->
         final_layer_norm -> last token (last_hidden_state[:, -1]) -> head Linear -> pooler_output [B,32].
         logit_scale and logit_bias have shape [1].
  Learned temperature/bias: CLIP logit_scale = 2.9 (deliberately not config.logit_scale_init_value 2.6592);
  SigLIP logit_scale = 2.3, logit_bias = -1.7. All three are stored as float32; tau = exp(float64(float32 value)).

Tokenizers (tokenizer.json written here, structure after the real files; vocabularies are small and made here):
  CLIP   byte-level BPE as openai/clip-vit-base-patch32's tokenizer.json (transformers' CLIPConverter):
         normalizer Sequence[NFC, Replace(Regex \\s+ -> " "), Lowercase]; pre_tokenizer Sequence[Split(CLIP's
         regex, Removed, invert), ByteLevel(add_prefix_space false)]; model BPE (end_of_word_suffix "</w>",
         continuing_subword_prefix "", unk "<|endoftext|>"); post_processor RobertaProcessing (cls <|startoftext|>,
         sep <|endoftext|>); decoder ByteLevel. Vocabulary in CLIP's order: the 256 byte symbols, the same with
         "</w>", the merges learnt here (greedy BPE on the caption corpus below, ties broken by the pair's text),
         then <|startoftext|>, <|endoftext|>.
  SigLIP SentencePiece Unigram: added tokens <pad>=0, </s>=1, <unk>=2 (as google/siglip-base-patch16-224); normalizer
         Sequence[Lowercase, Replace(Regex [string.punctuation] -> ""), Replace(Regex " {2,}" -> " "), Strip] (the
         slow SiglipTokenizer's canonicalisation, as in transformers' SiglipConverter; the real file's Precompiled
         nmt_nfkc charsmap is left out, it is a binary blob); pre_tokenizer Metaspace(▁, prepend_scheme always,
         split); post_processor TemplateProcessing "$A </s>"; decoder Metaspace. Pieces: whole caption words,
         a few subwords, single letters and digits, with log-probability scores computed from the caption corpus.

Token goldens: see clip_token_goldens.mjs (Rust binding, HF Python padding/truncation semantics done by hand).

Image processing (transformers' image_transforms.py semantics, PIL + numpy):
  CLIP   Image.open(f).convert("RGB"); resize so the shortest edge is 32 (long side int(32 * long / short)) with
         img.resize((w, h), resample=3, reducing_gap=None); center crop 32x32 (top = (H - 32) // 2,
         left = (W - 32) // 2); (a.astype(float64) * (1/255)).astype(float32); (x - mean_f32) / std_f32; HWC -> CHW.
  SigLIP img.resize((32, 32), resample=2, reducing_gap=None) (squash), same rescale, mean = std = 0.5.

Gradient references (cxr-a only; float64: model.double(), pixels widened exactly), with x = pixels-cxr-a.npy,
tau = exp(logit_scale), t^_k = t_k / |t_k| (t_k from the float64 text model, same padded batch), e = e(x):
  dot      d_k = tau <t^_k, e>                        (no bias)
  cosine   s_k = tau <t^_k, e / |e|>  (+ b for SigLIP)
  sigmoid  p_k = sigmoid(tau <t^_k, e / |e|> + b)      (SigLIP only)
  saliency-<fusion>.npy [3,3,32,32]: row k = d scalar_k / d x (signed, torch.autograd).
  ig-<fusion>.npy [3,3,32,32]: Integrated Gradients, baseline 0, 50 Gauss-Legendre points exactly as Captum's
      approximation_parameters("gausslegendre"): alphas = 0.5 (1 + leggauss(50) nodes), weights = 0.5 leggauss
      weights; row k = x * sum_i w_i grad scalar_k(alpha_i x).
  Checks: every gradient against float64 central differences along 3 random directions; IG completeness
  (sum of attributions vs scalar(x) - scalar(0)).

Other checks on every run: safetensors read back == state dict; ONNX checker; ONNX initializers == weights;
onnxruntime (Node) vs torch float32 at batch 1 and 3 for every output; encoder layer 0 of each tower == torch's
nn.TransformerEncoderLayer(norm_first=True) with the same weights (CLIP text under the causal mask); the
hand-written pooling attention == nn.MultiheadAttention; a CLIP prompt embedded alone == in the padded batch; this
script's own Python BPE / Viterbi encoders == the Rust goldens on every text; no unknown tokens in the prompts; the
float64 logits == the float32 ones; every fixture folder < 1 MB.

Deterministic: fixed seeds, single-threaded deterministic torch; re-running gives byte-identical files.
"""
import copy
import json
import math
import os
import string
import struct
import subprocess
import sys
import tempfile
import unicodedata

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
FIX = os.path.join(ROOT, "fixtures")
IMAGES = os.path.join(FIX, "images")
GOLDENS_SCRIPT = os.path.join(HERE, "clip_token_goldens.mjs")
NODE_PATH_DEFAULT = "/tmp/tok-ref/node_modules"

OPSET = 17
IMAGE_SIZE = 32
PATCH = 8
HIDDEN = 32
HEADS = 2
INTERMEDIATE = 64
LAYERS = 2
MAX_POS = 16
CLIP_PROJ = 16
CLIP_LOGIT_SCALE = 2.9
CLIP_LOGIT_SCALE_INIT = 2.6592
SIGLIP_LOGIT_SCALE = 2.3
SIGLIP_LOGIT_BIAS = -1.7
# The init seeds were picked (by a throw-away search over 20250..20649) so that the fixtures' probabilities are not
# saturated (CLIP softmax in [0.03, 0.85], SigLIP sigmoids in [0.1, 0.9]) and the two images prefer different prompts.
SEEDS = {"clip": 20294, "siglip": 20255, "fd_directions": 7}
IG_STEPS = 50
OPENAI_MEAN = [0.48145466, 0.4578275, 0.40821073]
OPENAI_STD = [0.26862954, 0.26130258, 0.27577711]
RESCALE = 0.00392156862745098
PROMPTS = ["a chest x-ray with pleural effusion", "cardiomegaly", "no finding"]
IMAGE_NAMES = ["cxr-a", "rgb-wide"]
MAX_FOLDER_BYTES = 1000 * 1000

# Caption corpus: the BPE merges and the Unigram pieces/scores are learnt from it. Chest X-ray report phrases and
# a few generic prompts. "atelectasis" and "pneumonia" are deliberately absent (out-of-vocabulary words).
CAPTIONS = [
    "a chest x-ray", "a chest x-ray with pleural effusion", "pleural effusion", "small left pleural effusion",
    "large right pleural effusion", "bilateral pleural effusions", "cardiomegaly", "mild cardiomegaly",
    "there is cardiomegaly", "no finding", "no findings", "no acute cardiopulmonary process",
    "left lower lobe consolidation", "right lower lobe consolidation", "right upper lobe consolidation",
    "pneumothorax", "small apical pneumothorax", "no pneumothorax", "no pleural effusion or pneumothorax",
    "pulmonary edema", "mild pulmonary edema", "lung opacity", "the lungs are clear", "heart size is normal",
    "the heart is enlarged", "support devices", "fracture", "a photo of a cat", "a photo of a dog",
    "an x-ray of the chest", "frontal view of the chest", "pa and lateral views of the chest", "2 views",
    "a chest x-ray with cardiomegaly", "a chest x-ray with no finding", "consolidation in the left lung",
    "effusion on the right", "a cat", "a dog",
]


# =====================================================================================================================
# small helpers
# =====================================================================================================================

def ensure_dir(p):
    os.makedirs(p, exist_ok=True)
    return p


def _dump(obj, indent, ensure_ascii, level=0):
    """json.dumps(indent=2) style, except that a list of numbers (or null) is written on one line."""
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = ["%s%s: %s" % (inner, json.dumps(k, ensure_ascii=ensure_ascii),
                               _dump(v, indent, ensure_ascii, level + 1)) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, (list, tuple)):
        if not obj:
            return "[]"
        if all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in obj):
            return "[" + ", ".join(json.dumps(v) for v in obj) + "]"
        items = [inner + _dump(v, indent, ensure_ascii, level + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj, ensure_ascii=ensure_ascii)


def write_json(path, obj, compact_numbers=True, ensure_ascii=True):
    if compact_numbers:
        text = _dump(obj, 2, ensure_ascii)
        assert json.loads(text) == json.loads(json.dumps(obj)), path
    else:
        text = json.dumps(obj, indent=2, ensure_ascii=ensure_ascii)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.write("\n")


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def save_npy(path, arr):
    np.save(path, np.ascontiguousarray(arr, dtype=np.float32))


# =====================================================================================================================
# 1. tokenizers
# =====================================================================================================================

def bytes_to_unicode():
    """GPT-2/CLIP byte -> printable unicode mapping, in CLIP's vocabulary order (printable ranges first)."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    order, chars, extra = list(keep), [chr(b) for b in keep], 0
    for b in range(256):
        if b not in keep:
            order.append(b)
            chars.append(chr(256 + extra))
            extra += 1
    return dict(zip(order, chars))  # insertion order = CLIP's vocabulary order


def clip_normalize(text):
    text = unicodedata.normalize("NFC", text)
    out, in_ws = [], False
    for ch in text:  # Replace(Regex \s+ -> " ")
        if ch.isspace():
            if not in_ws:
                out.append(" ")
            in_ws = True
        else:
            out.append(ch)
            in_ws = False
    return "".join(out).lower()


def clip_split(text):
    """CLIP's pre-tokenizer regex  's|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+  (matches kept)."""
    def cat(ch):
        c = unicodedata.category(ch)
        return "L" if c.startswith("L") else "N" if c.startswith("N") else "S" if ch.isspace() else "P"

    pieces, i, n = [], 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        for c in ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d"):
            if text.startswith(c, i):
                pieces.append(c)
                i += len(c)
                break
        else:
            k = cat(text[i])
            if k == "N":
                pieces.append(text[i])
                i += 1
            else:
                j = i
                while j < n and cat(text[j]) == k:
                    j += 1
                pieces.append(text[i:j])
                i = j
    return pieces


def clip_words(text):
    """Normalised, pre-tokenised, byte-level-mapped words (each a string of byte symbols)."""
    b2u = bytes_to_unicode()
    return ["".join(b2u[b] for b in p.encode("utf-8")) for p in clip_split(clip_normalize(text))]


def learn_bpe(corpus):
    """Greedy BPE with CLIP's end-of-word suffix: merge the most frequent adjacent pair (ties: smallest pair text)
    until every corpus word is a single symbol. Returns the merges in order."""
    counts = {}
    for text in corpus:
        for w in clip_words(text):
            counts[w] = counts.get(w, 0) + 1
    words = {w: tuple(w[:-1]) + (w[-1] + "</w>",) for w in counts}
    merges = []
    while True:
        pairs = {}
        for w, syms in words.items():
            for a, b in zip(syms, syms[1:]):
                pairs[(a, b)] = pairs.get((a, b), 0) + counts[w]
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        for w, syms in words.items():
            out, i = [], 0
            while i < len(syms):
                if i + 1 < len(syms) and (syms[i], syms[i + 1]) == best:
                    out.append(syms[i] + syms[i + 1])
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            words[w] = tuple(out)
    return merges


def build_clip_tokenizer():
    b2u = bytes_to_unicode()
    base = list(b2u.values())
    vocab_list = base + [c + "</w>" for c in base]
    merges = learn_bpe(CAPTIONS)
    seen = set(vocab_list)
    for a, b in merges:
        if a + b not in seen:
            vocab_list.append(a + b)
            seen.add(a + b)
    bos, eos = "<|startoftext|>", "<|endoftext|>"
    vocab_list += [bos, eos]
    vocab = {t: i for i, t in enumerate(vocab_list)}
    bos_id, eos_id = vocab[bos], vocab[eos]

    def added(i, content, normalized):
        return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": normalized, "special": True}

    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(bos_id, bos, True), added(eos_id, eos, False)],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFC"},
            {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "},
            {"type": "Lowercase"},
        ]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split",
             "pattern": {"Regex": "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+"},
             "behavior": "Removed", "invert": True},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True},
        ]},
        "post_processor": {"type": "RobertaProcessing", "sep": [eos, eos_id], "cls": [bos, bos_id],
                           "trim_offsets": False, "add_prefix_space": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": eos, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "</w>", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": ["%s %s" % m for m in merges]},
    }
    info = {"vocab_size": len(vocab_list), "bos_id": bos_id, "eos_id": eos_id, "pad_id": eos_id, "unk_id": eos_id,
            "n_merges": len(merges), "vocab": vocab, "ranks": {m: r for r, m in enumerate(merges)}}
    return tok, info


def clip_encode(text, info):
    """This script's own CLIP encoding (specials added, no truncation), used to cross-check the Rust goldens."""
    ids = [info["bos_id"]]
    for w in clip_words(text):
        syms = list(w[:-1]) + [w[-1] + "</w>"]
        while len(syms) > 1:
            ranked = [(info["ranks"].get((a, b), math.inf), i) for i, (a, b) in enumerate(zip(syms, syms[1:]))]
            r, i = min(ranked)
            if r == math.inf:
                break
            syms[i:i + 2] = [syms[i] + syms[i + 1]]
        ids += [info["vocab"][s] for s in syms]
    return ids + [info["eos_id"]]


SIGLIP_PUNCT_REGEX = "[" + "".join("\\" + c if c in "\\[]^-" else c for c in string.punctuation) + "]"
SPACE = "\u2581"


def siglip_normalize(text):
    text = text.lower()
    text = "".join(c for c in text if c not in string.punctuation)
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip()


def build_siglip_tokenizer():
    counts = {}
    for text in CAPTIONS:
        for w in siglip_normalize(text).split(" "):
            counts[w] = counts.get(w, 0) + 1
    total = sum(counts.values())
    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), (SPACE, -5.0)]
    # whole words, most frequent first (ties by text): score = ln(count / total) - 1
    for w in sorted(counts, key=lambda w: (-counts[w], w)):
        pieces.append((SPACE + w, round(math.log(counts[w] / total) - 1.0, 6)))
    subwords = [SPACE + "pneumo", SPACE + "cardio", SPACE + "lung", "thorax", "megaly", "ectasis", "ion", "ing",
                "al", "ary", "ed", "es", "s"]
    have = {p for p, _ in pieces}
    for i, p in enumerate(subwords):
        if p not in have:
            pieces.append((p, round(-7.5 - 0.01 * i, 6)))
            have.add(p)
    for i, ch in enumerate(string.ascii_lowercase + string.digits):
        pieces.append((ch, round(-9.0 - 0.01 * i, 6)))
    vocab_ids = {p: i for i, (p, _) in enumerate(pieces)}

    def added(i, content):
        return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True}

    metaspace = {"type": "Metaspace", "replacement": SPACE, "prepend_scheme": "always", "split": True}
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(0, "<pad>"), added(1, "</s>"), added(2, "<unk>")],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Lowercase"},
            {"type": "Replace", "pattern": {"Regex": SIGLIP_PUNCT_REGEX}, "content": ""},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
            {"type": "Strip", "strip_left": True, "strip_right": True},
        ]},
        "pre_tokenizer": metaspace,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "special_tokens": {"</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}},
        },
        "decoder": dict(metaspace),
        "model": {"type": "Unigram", "unk_id": 2, "vocab": [[p, s] for p, s in pieces], "byte_fallback": False},
    }
    info = {"vocab_size": len(pieces), "pad_id": 1, "eos_id": 1, "unk_id": 2, "pad_piece_id": 0,
            "pieces": pieces, "vocab": vocab_ids}
    return tok, info


def siglip_encode(text, info):
    """This script's own SigLIP encoding (Viterbi over the pieces, </s> appended), to cross-check the goldens."""
    norm = siglip_normalize(text).replace(" ", SPACE)
    if not norm:  # Metaspace adds nothing to an empty string
        return [info["eos_id"]]
    if not norm.startswith(SPACE):
        norm = SPACE + norm
    words, cur = [], ""
    for ch in norm:  # split before every ▁ (MergedWithNext)
        if ch == SPACE and cur:
            words.append(cur)
            cur = ""
        cur += ch
    words.append(cur)
    scores = dict(info["pieces"])
    unk_score = min(s for _, s in info["pieces"]) - 10.0
    ids = []
    for w in words:
        best = [(-math.inf, None, None)] * (len(w) + 1)
        best[0] = (0.0, None, None)
        for i in range(len(w)):
            if best[i][0] == -math.inf:
                continue
            found_single = False
            for j in range(i + 1, len(w) + 1):
                p = w[i:j]
                if p in info["vocab"] and info["vocab"][p] > 2:
                    s = best[i][0] + scores[p]
                    found_single |= j == i + 1
                    if s > best[j][0]:
                        best[j] = (s, i, info["vocab"][p])
            if not found_single and best[i][0] + unk_score > best[i + 1][0]:
                best[i + 1] = (best[i][0] + unk_score, i, info["unk_id"])
        out, j = [], len(w)
        while j > 0:
            out.append(best[j][2])
            j = best[j][1]
        ids += out[::-1]
    return ids + [info["eos_id"]]


# =====================================================================================================================
# 2. models (HF key names)
# =====================================================================================================================

def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


def gelu_tanh(x):
    return F.gelu(x, approximate="tanh")


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads, self.head_dim = heads, d // heads
        self.k_proj = nn.Linear(d, d)
        self.v_proj = nn.Linear(d, d)
        self.q_proj = nn.Linear(d, d)
        self.out_proj = nn.Linear(d, d)

    def forward(self, x, bias=None):
        b, s, d = x.shape

        def heads(t):
            return t.reshape(b, s, self.heads, self.head_dim).transpose(1, 2)

        q, k, v = heads(self.q_proj(x)), heads(self.k_proj(x)), heads(self.v_proj(x))
        w = torch.matmul(q, k.transpose(-1, -2)) * (self.head_dim ** -0.5)
        if bias is not None:
            w = w + bias
        w = torch.softmax(w, dim=-1)
        o = torch.matmul(w, v).transpose(1, 2).reshape(b, s, d)
        return self.out_proj(o)


class MLP(nn.Module):
    def __init__(self, d, inner, act):
        super().__init__()
        self.act = act
        self.fc1 = nn.Linear(d, inner)
        self.fc2 = nn.Linear(inner, d)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class EncoderLayer(nn.Module):
    def __init__(self, d, heads, inner, act, eps):
        super().__init__()
        self.self_attn = Attention(d, heads)
        self.layer_norm1 = nn.LayerNorm(d, eps=eps)
        self.mlp = MLP(d, inner, act)
        self.layer_norm2 = nn.LayerNorm(d, eps=eps)

    def forward(self, x, bias=None):
        x = x + self.self_attn(self.layer_norm1(x), bias)
        return x + self.mlp(self.layer_norm2(x))


class Encoder(nn.Module):
    def __init__(self, d, heads, inner, act, eps, n):
        super().__init__()
        self.layers = nn.ModuleList([EncoderLayer(d, heads, inner, act, eps) for _ in range(n)])

    def forward(self, x, bias=None):
        for layer in self.layers:
            x = layer(x, bias)
        return x


class TextEmbeddings(nn.Module):
    def __init__(self, vocab, d, max_pos):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, d)
        self.position_embedding = nn.Embedding(max_pos, d)

    def forward(self, ids):
        return self.token_embedding(ids) + self.position_embedding.weight[: ids.shape[1]].unsqueeze(0)


# ---- CLIP ----------------------------------------------------------------------------------------------------------

class ClipVisionEmbeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.zeros(HIDDEN))
        self.patch_embedding = nn.Conv2d(3, HIDDEN, PATCH, stride=PATCH, bias=False)
        self.position_embedding = nn.Embedding((IMAGE_SIZE // PATCH) ** 2 + 1, HIDDEN)

    def forward(self, pixel_values):
        p = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)
        cls = self.class_embedding.reshape(1, 1, -1).expand(pixel_values.shape[0], 1, HIDDEN)
        return torch.cat([cls, p], dim=1) + self.position_embedding.weight.unsqueeze(0)


class ClipVisionTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = ClipVisionEmbeddings()
        self.pre_layrnorm = nn.LayerNorm(HIDDEN, eps=1e-5)
        self.encoder = Encoder(HIDDEN, HEADS, INTERMEDIATE, quick_gelu, 1e-5, LAYERS)
        self.post_layernorm = nn.LayerNorm(HIDDEN, eps=1e-5)

    def forward(self, pixel_values):
        last = self.encoder(self.pre_layrnorm(self.embeddings(pixel_values)))
        return last, self.post_layernorm(last[:, 0])


class ClipTextTransformer(nn.Module):
    def __init__(self, vocab, eos_id):
        super().__init__()
        self.eos_token_id = eos_id
        self.embeddings = TextEmbeddings(vocab, HIDDEN, MAX_POS)
        self.encoder = Encoder(HIDDEN, HEADS, INTERMEDIATE, quick_gelu, 1e-5, LAYERS)
        self.final_layer_norm = nn.LayerNorm(HIDDEN, eps=1e-5)

    def forward(self, input_ids, attention_mask):
        h = self.embeddings(input_ids)
        s = input_ids.shape[1]
        pos = torch.arange(s)
        allowed = (pos[None, :] <= pos[:, None])[None, None] & (attention_mask[:, None, None, :] > 0)
        bias = torch.where(allowed, torch.zeros((), dtype=h.dtype),
                           torch.full((), torch.finfo(h.dtype).min, dtype=h.dtype))  # [B,1,S,S]
        last = self.final_layer_norm(self.encoder(h, bias))
        eos_pos = (input_ids.to(torch.int32) == self.eos_token_id).to(torch.int32).argmax(dim=-1)  # first occurrence
        idx = eos_pos.to(torch.int64).reshape(-1, 1, 1).expand(-1, 1, HIDDEN)
        return last, last.gather(1, idx).squeeze(1)


class TinyClip(nn.Module):
    """Parameter names and shapes as transformers' CLIPModel."""

    def __init__(self, vocab, eos_id):
        super().__init__()
        self.text_model = ClipTextTransformer(vocab, eos_id)
        self.vision_model = ClipVisionTransformer()
        self.visual_projection = nn.Linear(HIDDEN, CLIP_PROJ, bias=False)
        self.text_projection = nn.Linear(HIDDEN, CLIP_PROJ, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(CLIP_LOGIT_SCALE, dtype=torch.float32))


class ClipVisionExport(nn.Module):
    """As CLIPVisionModelWithProjection: pixel_values -> (image_embeds, last_hidden_state)."""

    def __init__(self, m):
        super().__init__()
        self.vision_model, self.visual_projection = m.vision_model, m.visual_projection

    def forward(self, pixel_values):
        last, pooled = self.vision_model(pixel_values)
        return self.visual_projection(pooled), last


class ClipTextExport(nn.Module):
    """As CLIPTextModelWithProjection: (input_ids, attention_mask) -> (text_embeds, last_hidden_state)."""

    def __init__(self, m):
        super().__init__()
        self.text_model, self.text_projection = m.text_model, m.text_projection

    def forward(self, input_ids, attention_mask):
        last, pooled = self.text_model(input_ids, attention_mask)
        return self.text_projection(pooled), last


# ---- SigLIP --------------------------------------------------------------------------------------------------------

class SiglipVisionEmbeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch_embedding = nn.Conv2d(3, HIDDEN, PATCH, stride=PATCH, bias=True)
        self.position_embedding = nn.Embedding((IMAGE_SIZE // PATCH) ** 2, HIDDEN)

    def forward(self, pixel_values):
        p = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)
        return p + self.position_embedding.weight.unsqueeze(0)


class PoolingAttention(nn.Module):
    """nn.MultiheadAttention(batch_first=True)'s parameters (in_proj_weight [3D,D], in_proj_bias, out_proj), with the
    forward written out (query = probe, key = value = the hidden states)."""

    def __init__(self, d, heads):
        super().__init__()
        self.heads, self.head_dim = heads, d // heads
        self.in_proj_weight = nn.Parameter(torch.zeros(3 * d, d))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * d))
        self.out_proj = nn.Linear(d, d)

    def forward(self, query, kv):
        b, lq, d = query.shape
        lk = kv.shape[1]
        wq, wk, wv = self.in_proj_weight.chunk(3, dim=0)
        bq, bk, bv = self.in_proj_bias.chunk(3, dim=0)
        q = F.linear(query, wq, bq).reshape(b, lq, self.heads, self.head_dim).transpose(1, 2)
        k = F.linear(kv, wk, bk).reshape(b, lk, self.heads, self.head_dim).transpose(1, 2)
        v = F.linear(kv, wv, bv).reshape(b, lk, self.heads, self.head_dim).transpose(1, 2)
        w = torch.softmax(torch.matmul(q * (self.head_dim ** -0.5), k.transpose(-1, -2)), dim=-1)
        o = torch.matmul(w, v).transpose(1, 2).reshape(b, lq, d)
        return self.out_proj(o)


class SiglipPoolingHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.probe = nn.Parameter(torch.zeros(1, 1, HIDDEN))
        self.attention = PoolingAttention(HIDDEN, HEADS)
        self.layernorm = nn.LayerNorm(HIDDEN, eps=1e-6)
        self.mlp = MLP(HIDDEN, INTERMEDIATE, gelu_tanh)

    def forward(self, h):
        x = self.attention(self.probe.expand(h.shape[0], 1, HIDDEN), h)
        x = x + self.mlp(self.layernorm(x))
        return x[:, 0]


class SiglipVisionTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = SiglipVisionEmbeddings()
        self.encoder = Encoder(HIDDEN, HEADS, INTERMEDIATE, gelu_tanh, 1e-6, LAYERS)
        self.post_layernorm = nn.LayerNorm(HIDDEN, eps=1e-6)
        self.head = SiglipPoolingHead()

    def forward(self, pixel_values):
        last = self.post_layernorm(self.encoder(self.embeddings(pixel_values)))
        return last, self.head(last)


class SiglipTextTransformer(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.embeddings = TextEmbeddings(vocab, HIDDEN, MAX_POS)
        self.encoder = Encoder(HIDDEN, HEADS, INTERMEDIATE, gelu_tanh, 1e-6, LAYERS)
        self.final_layer_norm = nn.LayerNorm(HIDDEN, eps=1e-6)
        self.head = nn.Linear(HIDDEN, HIDDEN)

    def forward(self, input_ids):
        last = self.final_layer_norm(self.encoder(self.embeddings(input_ids)))  # no mask at all
        return last, self.head(last[:, -1])


class TinySiglip(nn.Module):
    """Parameter names and shapes as transformers' SiglipModel."""

    def __init__(self, vocab):
        super().__init__()
        self.text_model = SiglipTextTransformer(vocab)
        self.vision_model = SiglipVisionTransformer()
        self.logit_scale = nn.Parameter(torch.tensor([SIGLIP_LOGIT_SCALE], dtype=torch.float32))
        self.logit_bias = nn.Parameter(torch.tensor([SIGLIP_LOGIT_BIAS], dtype=torch.float32))


class SiglipVisionExport(nn.Module):
    """As SiglipVisionModel: pixel_values -> (last_hidden_state, pooler_output)."""

    def __init__(self, m):
        super().__init__()
        self.vision_model = m.vision_model

    def forward(self, pixel_values):
        return self.vision_model(pixel_values)


class SiglipTextExport(nn.Module):
    """As SiglipTextModel exported by transformers.js: input_ids only -> (last_hidden_state, pooler_output)."""

    def __init__(self, m):
        super().__init__()
        self.text_model = m.text_model

    def forward(self, input_ids):
        return self.text_model(input_ids)


def init_weights(model, seed):
    """Deterministic, non-trivial random weights (LayerNorms and biases perturbed too). logit_scale/logit_bias are
    left at their constants."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name in ("logit_scale", "logit_bias"):
                continue
            leaf = name.rsplit(".", 1)[-1]
            if "norm" in name or "layrnorm" in name:
                v = (1.0 + 0.1 * torch.randn(p.shape, generator=g)) if leaf == "weight" \
                    else 0.05 * torch.randn(p.shape, generator=g)
            elif leaf in ("bias", "in_proj_bias"):
                v = 0.05 * torch.randn(p.shape, generator=g)
            elif "token_embedding" in name:
                v = 0.5 * torch.randn(p.shape, generator=g)
            elif "position_embedding" in name:
                v = 0.2 * torch.randn(p.shape, generator=g)
            elif leaf in ("class_embedding", "probe"):
                v = 0.5 * torch.randn(p.shape, generator=g)
            else:  # Linear / Conv / in_proj weights: unit-variance outputs
                fan_in = p[0].numel()
                v = torch.randn(p.shape, generator=g) / math.sqrt(fan_in)
            p.copy_(v)
    return model.eval()


# =====================================================================================================================
# 3. files: safetensors, ONNX
# =====================================================================================================================

def write_safetensors(path, state):
    """u64 LE header length N, N bytes of JSON {name: {dtype, shape, data_offsets}} (+ __metadata__), padded with
    spaces to a multiple of 8, then the raw little-endian data in the header's order (sorted names)."""
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(state):
        a = state[name].detach().cpu().numpy().copy(order="C")  # (np.ascontiguousarray would make 0-d 1-d)
        assert a.dtype == np.float32, name
        b = a.astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    assert 8 + n <= len(data)
    header = json.loads(data[8:8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    body, out, expect = data[8 + n:], {}, 0
    for name, spec in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        b0, b1 = spec["data_offsets"]
        assert b0 == expect and spec["dtype"] == "F32" and b1 - b0 == 4 * int(np.prod(spec["shape"])), name
        out[name] = np.frombuffer(body[b0:b1], dtype="<f4").reshape(tuple(spec["shape"]))
        expect = b1
    assert expect == len(body)
    return out


def export_onnx(module, args, path, input_names, output_names, dynamic_axes):
    import onnx

    module.eval()
    torch.onnx.export(module, args, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=True)
    # torch 1.13 names fixed output dims it could not infer ("Addlast_hidden_state_dim_1"): write their sizes
    with torch.no_grad():
        outs = module(*args)
    m = onnx.load(path)
    changed = False
    for o, t in zip(m.graph.output, outs):
        for i, d in enumerate(o.type.tensor_type.shape.dim):
            if i not in dynamic_axes.get(o.name, {}) and d.dim_param:
                d.dim_value = t.shape[i]  # (setting dim_value clears dim_param)
                changed = True
    if changed:
        onnx.save(m, path)
    onnx.checker.check_model(m)
    return sorted({n.op_type for n in m.graph.node})


def check_onnx_initializers(module, path):
    """Every weight of the exported module is an initializer of the ONNX file: by name, or (renamed by the exporter)
    by value: Linear weights transposed into MatMul, the pooling head's in_proj split into its q/k/v thirds (each
    third must be found), embeddings/class token with a leading unit axis. Returns (by name, by value, total)."""
    import onnx
    import onnx.numpy_helper

    g = onnx.load(path).graph
    inits = [(i.name, onnx.numpy_helper.to_array(i)) for i in g.initializer]
    names = dict(inits)

    def found(alternatives):
        return any(a.shape == c.shape and np.array_equal(a, c) for _, a in inits for c in alternatives)

    by_name = by_value = 0
    for name, p in module.state_dict().items():
        p = p.numpy()
        if name in names and names[name].shape == p.shape and np.array_equal(names[name], p):
            by_name += 1
            continue
        if name.endswith(("in_proj_weight", "in_proj_bias")):
            parts = [[q, q.T] if q.ndim == 2 else [q] for q in np.split(p, 3)]
        else:
            parts = [[p, p.T, p[None]] if p.ndim == 2 else [p, p[None], p.reshape(1, 1, -1)]]
        assert all(found(alts) for alts in parts), (path, name)
        by_value += 1
    return by_name, by_value, len(module.state_dict())


# =====================================================================================================================
# 4. images and preprocessing
# =====================================================================================================================

def make_rgb_wide(path):
    w, h = 45, 29
    x = np.arange(w)[None, :] / (w - 1)
    y = np.arange(h)[:, None] / (h - 1)
    r = 30 + 200 * x + 0 * y
    g = 40 + 170 * y + 20 * np.sin(2 * np.pi * x)
    b = 128 + 90 * np.cos(np.pi * (x + 0.7 * y))
    a = np.clip(np.rint(np.stack([r, g, b], axis=-1)), 0, 255).astype(np.uint8)
    Image.fromarray(a, "RGB").save(path, format="PNG", optimize=False)


def clip_preprocess(path):
    img = Image.open(path).convert("RGB")
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    new_long = int(IMAGE_SIZE * long / short)
    nw, nh = (IMAGE_SIZE, new_long) if w <= h else (new_long, IMAGE_SIZE)
    img = img.resize((nw, nh), resample=3, reducing_gap=None)
    a = np.asarray(img)  # [H,W,3] uint8
    top, left = (nh - IMAGE_SIZE) // 2, (nw - IMAGE_SIZE) // 2
    a = a[top:top + IMAGE_SIZE, left:left + IMAGE_SIZE]
    x = (a.astype(np.float64) * RESCALE).astype(np.float32)
    x = (x - np.array(OPENAI_MEAN, dtype=np.float32)) / np.array(OPENAI_STD, dtype=np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None], dtype=np.float32), {
        "resized_wh": [nw, nh], "crop_top_left": [top, left]}


def siglip_preprocess(path):
    img = Image.open(path).convert("RGB").resize((IMAGE_SIZE, IMAGE_SIZE), resample=2, reducing_gap=None)
    x = (np.asarray(img).astype(np.float64) * RESCALE).astype(np.float32)
    x = (x - np.array([0.5] * 3, dtype=np.float32)) / np.array([0.5] * 3, dtype=np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None], dtype=np.float32), {"resized_wh": [IMAGE_SIZE] * 2}


# =====================================================================================================================
# 5. Node: goldens and onnxruntime
# =====================================================================================================================

def node_env():
    env = dict(os.environ)
    env["NODE_PATH"] = env.get("NODE_PATH") or NODE_PATH_DEFAULT
    return env


def run_goldens():
    r = subprocess.run(["node", GOLDENS_SCRIPT], env=node_env(), capture_output=True, text=True)
    sys.stdout.write(r.stdout)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        raise SystemExit("clip_token_goldens.mjs failed (see the install note at the top of this script)")


ORT_JS = r"""
const ort = require('onnxruntime-node');
const fs = require('fs');
const job = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
(async () => {
  const out = {};
  for (const run of job.runs) {
    const s = await ort.InferenceSession.create(run.model, { intraOpNumThreads: 1 });
    const feeds = {};
    for (const [name, t] of Object.entries(run.inputs)) {
      feeds[name] = t.type === 'int64'
        ? new ort.Tensor('int64', BigInt64Array.from(t.data.map(BigInt)), t.dims)
        : new ort.Tensor('float32', Float32Array.from(t.data), t.dims);
    }
    const r = await s.run(feeds);
    out[run.id] = { inputNames: s.inputNames, outputNames: s.outputNames, outputs: {} };
    for (const [k, v] of Object.entries(r)) out[run.id].outputs[k] = { dims: v.dims, data: Array.from(v.data) };
  }
  fs.writeFileSync(process.argv[2], JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
"""


def run_ort(runs):
    """runs: [{id, model, inputs: {name: np.ndarray}}] -> {id: {inputNames, outputNames, outputs: {name: array}}}"""
    job = {"runs": []}
    for r in runs:
        inputs = {}
        for k, a in r["inputs"].items():
            t = "int64" if a.dtype == np.int64 else "float32"
            inputs[k] = {"type": t, "dims": list(a.shape),
                         "data": [int(v) for v in a.reshape(-1)] if t == "int64" else [float(v) for v in a.reshape(-1)]}
        job["runs"].append({"id": r["id"], "model": r["model"], "inputs": inputs})
    with tempfile.TemporaryDirectory() as d:
        jp, op = os.path.join(d, "job.json"), os.path.join(d, "out.json")
        with open(jp, "w") as f:
            json.dump(job, f)
        res = subprocess.run(["node", "-e", ORT_JS, jp, op], env=node_env(), capture_output=True, text=True)
        if res.returncode != 0:
            sys.stderr.write(res.stderr)
            raise SystemExit("onnxruntime-node check failed (see the install note at the top of this script)")
        out = read_json(op)
    for v in out.values():
        v["outputs"] = {k: np.asarray(o["data"], dtype=np.float32).reshape(o["dims"]) for k, o in v["outputs"].items()}
    return out


def rel_diff(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.abs(a - b).max() / np.abs(b).max())


# =====================================================================================================================
# 6. per-model pipeline
# =====================================================================================================================

class Spec:
    """What differs between the two fixtures."""

    def __init__(self, kind):
        self.kind = kind
        self.dir = os.path.join(FIX, "tiny-" + kind)
        self.ref = os.path.join(self.dir, "reference")
        self.is_clip = kind == "clip"


def file_configs(spec, tinfo):
    if spec.is_clip:
        config = {
            "architectures": ["CLIPModel"],
            "initializer_factor": 1.0,
            "logit_scale_init_value": CLIP_LOGIT_SCALE_INIT,
            "model_type": "clip",
            "projection_dim": CLIP_PROJ,
            "text_config": {
                "attention_dropout": 0.0, "bos_token_id": tinfo["bos_id"], "eos_token_id": tinfo["eos_id"],
                "hidden_act": "quick_gelu", "hidden_size": HIDDEN, "initializer_factor": 1.0,
                "initializer_range": 0.02, "intermediate_size": INTERMEDIATE, "layer_norm_eps": 1e-05,
                "max_position_embeddings": MAX_POS, "model_type": "clip_text_model", "num_attention_heads": HEADS,
                "num_hidden_layers": LAYERS, "pad_token_id": tinfo["pad_id"], "projection_dim": CLIP_PROJ,
                "vocab_size": tinfo["vocab_size"]},
            "torch_dtype": "float32",
            "vision_config": {
                "attention_dropout": 0.0, "hidden_act": "quick_gelu", "hidden_size": HIDDEN,
                "image_size": IMAGE_SIZE, "initializer_factor": 1.0, "initializer_range": 0.02,
                "intermediate_size": INTERMEDIATE, "layer_norm_eps": 1e-05, "model_type": "clip_vision_model",
                "num_attention_heads": HEADS, "num_channels": 3, "num_hidden_layers": LAYERS, "patch_size": PATCH,
                "projection_dim": CLIP_PROJ},
        }
        pre = {
            "crop_size": {"height": IMAGE_SIZE, "width": IMAGE_SIZE}, "do_center_crop": True, "do_convert_rgb": True,
            "do_normalize": True, "do_rescale": True, "do_resize": True,
            "feature_extractor_type": "CLIPFeatureExtractor",
            "image_mean": OPENAI_MEAN, "image_processor_type": "CLIPImageProcessor", "image_std": OPENAI_STD,
            "resample": 3, "rescale_factor": RESCALE, "size": {"shortest_edge": IMAGE_SIZE}}

        def tok(content, normalized):
            return {"content": content, "lstrip": False, "normalized": normalized, "rstrip": False,
                    "single_word": False, "special": True}

        tcfg = {
            "add_prefix_space": False,
            "added_tokens_decoder": {str(tinfo["bos_id"]): tok("<|startoftext|>", True),
                                     str(tinfo["eos_id"]): tok("<|endoftext|>", False)},
            "bos_token": "<|startoftext|>", "clean_up_tokenization_spaces": True, "do_lower_case": True,
            "eos_token": "<|endoftext|>", "errors": "replace", "model_max_length": MAX_POS,
            "pad_token": "<|endoftext|>", "tokenizer_class": "CLIPTokenizer", "unk_token": "<|endoftext|>"}
        stm = {
            "bos_token": {"content": "<|startoftext|>", "lstrip": False, "normalized": True, "rstrip": False,
                          "single_word": False},
            "eos_token": {"content": "<|endoftext|>", "lstrip": False, "normalized": False, "rstrip": False,
                          "single_word": False},
            "pad_token": "<|endoftext|>",
            "unk_token": {"content": "<|endoftext|>", "lstrip": False, "normalized": False, "rstrip": False,
                          "single_word": False}}
    else:
        config = {
            "architectures": ["SiglipModel"],
            "initializer_factor": 1.0,
            "model_type": "siglip",
            "text_config": {
                "attention_dropout": 0.0, "bos_token_id": 49406, "eos_token_id": 49407,
                "hidden_act": "gelu_pytorch_tanh", "hidden_size": HIDDEN, "intermediate_size": INTERMEDIATE,
                "layer_norm_eps": 1e-06, "max_position_embeddings": MAX_POS, "model_type": "siglip_text_model",
                "num_attention_heads": HEADS, "num_hidden_layers": LAYERS, "pad_token_id": 1,
                "projection_size": HIDDEN, "vocab_size": tinfo["vocab_size"]},
            "torch_dtype": "float32",
            "vision_config": {
                "attention_dropout": 0.0, "hidden_act": "gelu_pytorch_tanh", "hidden_size": HIDDEN,
                "image_size": IMAGE_SIZE, "intermediate_size": INTERMEDIATE, "layer_norm_eps": 1e-06,
                "model_type": "siglip_vision_model", "num_attention_heads": HEADS, "num_channels": 3,
                "num_hidden_layers": LAYERS, "patch_size": PATCH},
        }
        pre = {
            "do_convert_rgb": None, "do_normalize": True, "do_rescale": True, "do_resize": True,
            "image_mean": [0.5, 0.5, 0.5], "image_processor_type": "SiglipImageProcessor",
            "image_std": [0.5, 0.5, 0.5], "processor_class": "SiglipProcessor", "resample": 2,
            "rescale_factor": RESCALE, "size": {"height": IMAGE_SIZE, "width": IMAGE_SIZE}}

        def tok(content):
            return {"content": content, "lstrip": False, "normalized": False, "rstrip": False,
                    "single_word": False, "special": True}

        tcfg = {
            "added_tokens_decoder": {"0": tok("<pad>"), "1": tok("</s>"), "2": tok("<unk>")},
            "additional_special_tokens": [], "clean_up_tokenization_spaces": True, "do_lower_case": True,
            "eos_token": "</s>", "model_input_names": ["input_ids"], "model_max_length": MAX_POS,
            "pad_token": "</s>", "processor_class": "SiglipProcessor", "sp_model_kwargs": {},
            "tokenizer_class": "SiglipTokenizer", "unk_token": "<unk>"}
        stm = {"eos_token": {"content": "</s>", "lstrip": False, "normalized": False, "rstrip": False,
                             "single_word": False},
               "pad_token": {"content": "</s>", "lstrip": False, "normalized": False, "rstrip": False,
                             "single_word": False},
               "unk_token": {"content": "<unk>", "lstrip": False, "normalized": False, "rstrip": False,
                             "single_word": False}}
    return config, pre, tcfg, stm


def build_model(spec, tinfo):
    if spec.is_clip:
        torch.manual_seed(SEEDS["clip"])
        m = init_weights(TinyClip(tinfo["vocab_size"], tinfo["eos_id"]), SEEDS["clip"])
    else:
        torch.manual_seed(SEEDS["siglip"])
        m = init_weights(TinySiglip(tinfo["vocab_size"]), SEEDS["siglip"])
    for p in m.parameters():
        p.requires_grad_(False)
    return m


def image_fn(spec, model):
    """x [N,3,32,32] -> image embedding [N,M] (CLIP: image_embeds, SigLIP: pooler_output)."""
    if spec.is_clip:
        return lambda x: model.visual_projection(model.vision_model(x)[1])
    return lambda x: model.vision_model(x)[1]


def text_fn(spec, model):
    if spec.is_clip:
        return lambda ids, mask: model.text_projection(model.text_model(ids, mask)[1])
    return lambda ids, mask: model.text_model(ids)[1]


def check_pooling_attention(model):
    """The hand-written pooling attention == nn.MultiheadAttention(batch_first=True) with the same weights."""
    att = model.vision_model.head.attention
    mha = nn.MultiheadAttention(HIDDEN, HEADS, batch_first=True).eval()
    with torch.no_grad():
        mha.in_proj_weight.copy_(att.in_proj_weight)
        mha.in_proj_bias.copy_(att.in_proj_bias)
        mha.out_proj.weight.copy_(att.out_proj.weight)
        mha.out_proj.bias.copy_(att.out_proj.bias)
        g = torch.Generator().manual_seed(3)
        kv = torch.randn(2, 16, HIDDEN, generator=g, dtype=torch.float64)
        q = torch.randn(2, 1, HIDDEN, generator=g, dtype=torch.float64)
        a = copy.deepcopy(att).double()(q, kv)
        b = mha.double()(q, kv, kv, need_weights=False)[0]
    err = float((a - b).abs().max())
    assert err < 1e-12, err
    assert sorted(k for k in mha.state_dict()) == sorted(k for k in att.state_dict()), "parameter names differ"
    return err


def check_layers_against_torch(spec, model):
    """Layer 0 of each encoder == torch's own nn.TransformerEncoderLayer(norm_first=True) with the same weights
    (an independent implementation of pre-LN attention + MLP); the text layer under the causal mask for CLIP.
    Returns the max abs difference (float64)."""
    act = quick_gelu if spec.is_clip else gelu_tanh
    eps = 1e-5 if spec.is_clip else 1e-6
    g = torch.Generator().manual_seed(5)
    worst = 0.0
    for tower in ("vision_model", "text_model"):
        mine = copy.deepcopy(getattr(model, tower).encoder.layers[0]).double().eval()
        ref = nn.TransformerEncoderLayer(HIDDEN, HEADS, INTERMEDIATE, dropout=0.0, activation=act,
                                         layer_norm_eps=eps, batch_first=True, norm_first=True).double().eval()
        a = mine.self_attn
        with torch.no_grad():
            ref.self_attn.in_proj_weight.copy_(torch.cat([a.q_proj.weight, a.k_proj.weight, a.v_proj.weight]))
            ref.self_attn.in_proj_bias.copy_(torch.cat([a.q_proj.bias, a.k_proj.bias, a.v_proj.bias]))
            ref.self_attn.out_proj.load_state_dict(a.out_proj.state_dict())
            ref.linear1.load_state_dict(mine.mlp.fc1.state_dict())
            ref.linear2.load_state_dict(mine.mlp.fc2.state_dict())
            ref.norm1.load_state_dict(mine.layer_norm1.state_dict())
            ref.norm2.load_state_dict(mine.layer_norm2.state_dict())
            x = torch.randn(2, 9, HIDDEN, generator=g, dtype=torch.float64)
            mask = None
            if spec.is_clip and tower == "text_model":
                pos = torch.arange(9)
                mask = torch.zeros(9, 9, dtype=torch.float64).masked_fill(pos[None, :] > pos[:, None],
                                                                          torch.finfo(torch.float64).min)
            y_mine = mine(x, None if mask is None else mask[None, None])
            y_ref = ref(x, src_mask=mask)
        worst = max(worst, float((y_mine - y_ref).abs().max()))
    assert worst < 1e-12, worst
    return worst


def scalars(e, t_hat, tau, bias, fusion):
    """e [N,M], t_hat [K,M] -> [N,K]"""
    if fusion == "dot":
        return tau * e @ t_hat.T
    cos = tau * (e / e.norm(dim=1, keepdim=True)) @ t_hat.T + bias
    return cos if fusion == "cosine" else torch.sigmoid(cos)


def gradient_references(spec, model, x32, ids, mask, tau, bias, fusions):
    m64 = copy.deepcopy(model).double().eval()
    img = image_fn(spec, m64)
    with torch.no_grad():
        t = text_fn(spec, m64)(ids, mask)
    t_hat = t / t.norm(dim=1, keepdim=True)
    K = t.shape[0]
    x = torch.from_numpy(x32).double()
    nodes, weights = np.polynomial.legendre.leggauss(IG_STEPS)
    alphas = torch.tensor(0.5 * (1 + nodes), dtype=torch.float64)
    wts = torch.tensor(0.5 * weights, dtype=torch.float64)
    out, log = {}, {}
    gen = torch.Generator().manual_seed(SEEDS["fd_directions"])
    dirs = [torch.randn(x.shape, generator=gen, dtype=torch.float64) for _ in range(3)]
    for fusion in fusions:
        xr = x.clone().requires_grad_(True)
        val = scalars(img(xr), t_hat, tau, bias, fusion)[0]  # [K]
        sal = torch.stack([torch.autograd.grad(val[k], xr, retain_graph=True)[0][0] for k in range(K)])
        # finite differences
        fd = []
        with torch.no_grad():
            for v in dirs:
                h = 1e-5
                num = (scalars(img(x + h * v), t_hat, tau, bias, fusion)[0]
                       - scalars(img(x - h * v), t_hat, tau, bias, fusion)[0]) / (2 * h)
                ana = (sal * v[0][None]).sum(dim=(1, 2, 3))
                fd.append(float((num - ana).abs().max() / ana.abs().max()))
        assert max(fd) < 1e-6, (fusion, fd)
        # integrated gradients, baseline 0
        xa = (alphas[:, None, None, None] * x).requires_grad_(True)  # [50,3,32,32]
        va = scalars(img(xa), t_hat, tau, bias, fusion)  # [50,K]
        ig = []
        for k in range(K):
            g = torch.autograd.grad((va[:, k] * wts).sum(), xa, retain_graph=True)[0]  # sum_i w_i grad(alpha_i x)
            ig.append(x[0] * g.sum(0))
        ig = torch.stack(ig)
        with torch.no_grad():
            at0 = scalars(img(torch.zeros_like(x)), t_hat, tau, bias, fusion)[0]
        total = ig.sum(dim=(1, 2, 3))
        delta = (total - (val.detach() - at0)).abs()
        out["saliency-%s.npy" % fusion] = sal.numpy()
        out["ig-%s.npy" % fusion] = ig.detach().numpy()
        log[fusion] = {"values_at_x": [float(v) for v in val.detach()], "values_at_0": [float(v) for v in at0],
                       "fd_max_rel_err": max(fd), "fd_rel_err_per_direction": fd,
                       "ig_sum": [float(v) for v in total.detach()],
                       "ig_completeness_abs_delta": [float(v) for v in delta],
                       "ig_completeness_rel_delta": [float(d / max(abs(float(a - b)), 1e-300))
                                                     for d, a, b in zip(delta, val.detach(), at0)]}
        print("  %-8s FD max rel err %.2g   IG completeness |delta| %s (rel %s)" % (
            fusion, max(fd), " ".join("%.2g" % d for d in delta),
            " ".join("%.2g" % d for d in log[fusion]["ig_completeness_rel_delta"])))
    return out, log, t


def write_folder_files(spec, tok_json, tinfo):
    for sub in ("onnx", "reference"):
        ensure_dir(os.path.join(spec.dir, sub))
    config, pre, tcfg, stm = file_configs(spec, tinfo)
    write_json(os.path.join(spec.dir, "config.json"), config)
    write_json(os.path.join(spec.dir, "preprocessor_config.json"), pre)
    write_json(os.path.join(spec.dir, "tokenizer_config.json"), tcfg)
    write_json(os.path.join(spec.dir, "special_tokens_map.json"), stm)
    write_json(os.path.join(spec.dir, "tokenizer.json"), tok_json, compact_numbers=False, ensure_ascii=False)


def make_fixture(spec, tinfo, pixels):
    print("== tiny-%s" % spec.kind)
    model = build_model(spec, tinfo)
    sd = model.state_dict()
    write_safetensors(os.path.join(spec.dir, "model.safetensors"), sd)
    back = read_safetensors(os.path.join(spec.dir, "model.safetensors"))
    assert sorted(back) == sorted(sd) and all(np.array_equal(back[k], sd[k].numpy()) for k in sd)
    assert back["logit_scale"].shape == ((() if spec.is_clip else (1,)))
    n_vision = sum(v.numel() for k, v in sd.items() if k.startswith(("vision_model.", "visual_projection")))
    n_text = sum(v.numel() for k, v in sd.items() if k.startswith(("text_model.", "text_projection")))
    print("  model.safetensors: %d tensors (vision %d, text %d parameters), read back == state dict"
          % (len(sd), n_vision, n_text))

    layer_err = check_layers_against_torch(spec, model)
    print("  encoder layer 0 (vision, text) vs torch nn.TransformerEncoderLayer(norm_first): max |diff| %.2g"
          % layer_err)
    pool_err = None if spec.is_clip else check_pooling_attention(model)
    if pool_err is not None:
        print("  pooling attention vs nn.MultiheadAttention: max |diff| %.2g" % pool_err)

    # ---- tokens (the Rust goldens are the truth; this script's encoder must agree on the prompts) ----------------
    toks = read_json(os.path.join(spec.ref, "tokens.json"))
    own = clip_encode if spec.is_clip else siglip_encode
    assert all(p in toks["texts"] for p in PROMPTS)
    for t, u in zip(toks["texts"], toks["unpadded"]):
        assert own(t, tinfo) == u, (t, u, own(t, tinfo))
    print("  this script's own %s encoder == Rust goldens on all %d texts (incl. the 3 prompts)"
          % ("BPE" if spec.is_clip else "Viterbi", len(toks["texts"])))
    enc = [own(p, tinfo) for p in PROMPTS]
    if spec.is_clip:
        L = max(len(e) for e in enc)
    else:
        L = MAX_POS
    ids = np.full((3, L), tinfo["pad_id"], dtype=np.int64)
    mask = np.zeros((3, L), dtype=np.int64)
    for r, e in enumerate(enc):
        ids[r, :len(e)] = e
        mask[r, :len(e)] = 1
    if not spec.is_clip:
        assert tinfo["unk_id"] not in ids, "a prompt has an unknown token"
    ids_t, mask_t = torch.from_numpy(ids), torch.from_numpy(mask)

    # ---- ONNX -------------------------------------------------------------------------------------------------
    vpath = os.path.join(spec.dir, "onnx", "vision_model.onnx")
    tpath = os.path.join(spec.dir, "onnx", "text_model.onnx")
    x_dummy = torch.from_numpy(pixels["cxr-a"])
    if spec.is_clip:
        vmod, tmod = ClipVisionExport(model), ClipTextExport(model)
        vout, tout = ["image_embeds", "last_hidden_state"], ["text_embeds", "last_hidden_state"]
        vops = export_onnx(vmod, (x_dummy,), vpath, ["pixel_values"], vout,
                           {"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"},
                            "last_hidden_state": {0: "batch_size"}})
        tops = export_onnx(tmod, (ids_t, mask_t), tpath, ["input_ids", "attention_mask"], tout,
                           {"input_ids": {0: "batch_size", 1: "sequence_length"},
                            "attention_mask": {0: "batch_size", 1: "sequence_length"},
                            "text_embeds": {0: "batch_size"},
                            "last_hidden_state": {0: "batch_size", 1: "sequence_length"}})
    else:
        vmod, tmod = SiglipVisionExport(model), SiglipTextExport(model)
        vout, tout = ["last_hidden_state", "pooler_output"], ["last_hidden_state", "pooler_output"]
        vops = export_onnx(vmod, (x_dummy,), vpath, ["pixel_values"], vout,
                           {"pixel_values": {0: "batch_size"}, "last_hidden_state": {0: "batch_size"},
                            "pooler_output": {0: "batch_size"}})
        tops = export_onnx(tmod, (ids_t,), tpath, ["input_ids"], tout,
                           {"input_ids": {0: "batch_size", 1: "sequence_length"},
                            "last_hidden_state": {0: "batch_size", 1: "sequence_length"},
                            "pooler_output": {0: "batch_size"}})
    mv, mt = check_onnx_initializers(vmod, vpath), check_onnx_initializers(tmod, tpath)
    print("  ONNX checker ok; weights == initializers (by name + by value / total): vision %d+%d/%d, text %d+%d/%d"
          % (mv + mt))

    # ---- torch float32 references --------------------------------------------------------------------------------
    img32, txt32 = image_fn(spec, model), text_fn(spec, model)
    with torch.no_grad():
        image_embeds = {n: img32(torch.from_numpy(pixels[n])).numpy() for n in IMAGE_NAMES}
        text_embeds = txt32(ids_t, mask_t).numpy()
    batch_consistency = None
    if spec.is_clip:  # padding must not change a CLIP text embedding (causal mask + EOS pooling)
        with torch.no_grad():
            alone = [txt32(torch.tensor([e]), torch.ones(1, len(e), dtype=torch.int64)).numpy()[0] for e in enc]
        batch_consistency = max(rel_diff(text_embeds[r], alone[r]) for r in range(3))
        assert batch_consistency < 1e-5, batch_consistency
        print("  prompt embedded alone vs in the padded batch: max rel diff %.2g" % batch_consistency)

    # ---- onnxruntime at batch 1 and 3 ----------------------------------------------------------------------------
    g = torch.Generator().manual_seed(11)
    x3 = np.concatenate([pixels["cxr-a"], pixels["rgb-wide"],
                         torch.randn(1, 3, IMAGE_SIZE, IMAGE_SIZE, generator=g).numpy().astype(np.float32)])
    with torch.no_grad():
        tv1 = vmod(torch.from_numpy(x3[:1]))
        tv3 = vmod(torch.from_numpy(x3))
        targs1 = (ids_t[1:2, :len(enc[1])], mask_t[1:2, :len(enc[1])]) if spec.is_clip else (ids_t[1:2],)
        targs3 = (ids_t, mask_t) if spec.is_clip else (ids_t,)
        tt1, tt3 = tmod(*targs1), tmod(*targs3)
    tnames = ["input_ids", "attention_mask"] if spec.is_clip else ["input_ids"]
    runs = [{"id": "v1", "model": vpath, "inputs": {"pixel_values": x3[:1]}},
            {"id": "v3", "model": vpath, "inputs": {"pixel_values": x3}},
            {"id": "t1", "model": tpath, "inputs": {n: a.numpy() for n, a in zip(tnames, targs1)}},
            {"id": "t3", "model": tpath, "inputs": {n: a.numpy() for n, a in zip(tnames, targs3)}}]
    ort = run_ort(runs)
    ort_log = {}
    for rid, names, ref in (("v1", vout, tv1), ("v3", vout, tv3), ("t1", tout, tt1), ("t3", tout, tt3)):
        assert ort[rid]["outputNames"] == names, ort[rid]["outputNames"]
        for n, r in zip(names, ref):
            ort_log["%s/%s" % (rid, n)] = rel_diff(ort[rid]["outputs"][n], r.numpy())
    assert ort["t1"]["inputNames"] == tnames and ort["v1"]["inputNames"] == ["pixel_values"]
    assert max(ort_log.values()) < 1e-5, ort_log
    emb_v, emb_t = vout[0] if spec.is_clip else "pooler_output", tout[0] if spec.is_clip else "pooler_output"
    print("  onnxruntime vs torch (max |diff| / max |torch|): image %s  b1 %.2g  b3 %.2g;  text %s  b1 %.2g  b3 %.2g;"
          "  all outputs max %.2g" % (emb_v, ort_log["v1/" + emb_v], ort_log["v3/" + emb_v], emb_t,
                                       ort_log["t1/" + emb_t], ort_log["t3/" + emb_t], max(ort_log.values())))
    # the batch-3 ORT image embeddings of the two images == the stored torch references
    for r, n in enumerate(IMAGE_NAMES):
        assert rel_diff(ort["v3"]["outputs"][emb_v][r], image_embeds[n][0]) < 1e-5

    # ---- reference.json -------------------------------------------------------------------------------------------
    scale32 = float(model.logit_scale.reshape(-1)[0])
    tau = math.exp(scale32)
    bias = 0.0 if spec.is_clip else float(model.logit_bias.reshape(-1)[0])
    t64 = text_embeds.astype(np.float64)
    t_hat = t64 / np.linalg.norm(t64, axis=1, keepdims=True)
    per_image = {}
    for n in IMAGE_NAMES:
        e = image_embeds[n][0].astype(np.float64)
        logits = tau * t_hat @ (e / np.linalg.norm(e)) + bias
        if spec.is_clip:
            z = np.exp(logits - logits.max())
            probs = z / z.sum()
        else:
            probs = 1.0 / (1.0 + np.exp(-logits))
        per_image[n] = {"image": "fixtures/images/%s.png" % n, "pixels": "pixels-%s.npy" % n,
                        "image_embeds": "image_embeds-%s.npy" % n,
                        "logits": [float(v) for v in logits], "probs": [float(v) for v in probs]}
        print("  %-8s logits %s  probs %s" % (n, " ".join("%.4f" % v for v in logits),
                                              " ".join("%.4f" % v for v in probs)))

    # ---- gradients (cxr-a) ----------------------------------------------------------------------------------------
    fusions = ["dot", "cosine"] if spec.is_clip else ["dot", "cosine", "sigmoid"]
    grads, grad_log, t_grad = gradient_references(spec, model, pixels["cxr-a"], ids_t, mask_t, tau, bias, fusions)
    # the float64 model's cosine logits at x agree with the float32 ones above
    dl = float(np.abs(np.asarray(grad_log["cosine"]["values_at_x"]) - np.asarray(per_image["cxr-a"]["logits"])).max())
    assert dl < 1e-4, dl

    # ---- write references ------------------------------------------------------------------------------------------
    for n in IMAGE_NAMES:
        save_npy(os.path.join(spec.ref, "pixels-%s.npy" % n), pixels[n])
        save_npy(os.path.join(spec.ref, "image_embeds-%s.npy" % n), image_embeds[n])
    save_npy(os.path.join(spec.ref, "text_embeds.npy"), text_embeds)
    for fn, a in grads.items():
        save_npy(os.path.join(spec.ref, fn), a)
    ref = {
        "model": "fixtures/tiny-%s" % spec.kind,
        "prompts": PROMPTS,
        "input_ids": ids.tolist(),
        "attention_mask": mask.tolist() if spec.is_clip else None,
        "text_batching": ("one batch padded to its longest row with the pad id (<|endoftext|>), with attention_mask "
                          "(tokenizer(prompts, padding=True, truncation=True))" if spec.is_clip else
                          "one batch padded to max_length 16 with the pad id (</s>); the text model takes input_ids "
                          "only (padding='max_length', max_length=16, truncation=True)"),
        "text_embeds": "text_embeds.npy",
        "embedding": ("image_embeds / text_embeds outputs (projected, not normalised)" if spec.is_clip else
                      "pooler_output of each tower (not normalised)"),
        "logit_scale": scale32,
        "logit_scale_note": "the trained value from model.safetensors (float32), not config's logit_scale_init_value"
                            if spec.is_clip else "from model.safetensors (float32)",
        "exp_logit_scale": tau,
        "logit_bias": None if spec.is_clip else bias,
        "logits_formula": "exp(logit_scale) * cos(t_k, e)" + ("" if spec.is_clip else " + logit_bias"),
        "probs_formula": "softmax over the 3 prompts" if spec.is_clip else "sigmoid per (image, prompt) pair",
        "images": per_image,
        "gradients": {
            "image": "cxr-a",
            "pixels": "pixels-cxr-a.npy",
            "precision": "float64 (model.double(), float32 pixels widened exactly); stored as float32",
            "definitions": dict({
                "dot": "d_k = tau <t^_k, e>  (no bias)",
                "cosine": "s_k = tau <t^_k, e/|e|>" + ("" if spec.is_clip else " + b"),
            }, **({} if spec.is_clip else {"sigmoid": "p_k = sigmoid(tau <t^_k, e/|e|> + b)"})),
            "files": {"saliency-<fusion>.npy": "[3,3,32,32], row k = d scalar_k / d x",
                      "ig-<fusion>.npy": "[3,3,32,32], Integrated Gradients, baseline 0, 50 Gauss-Legendre points "
                                         "(Captum's gausslegendre): x * sum_i w_i grad scalar_k(alpha_i x)"},
            "values": {f: {"at_x": grad_log[f]["values_at_x"], "at_0": grad_log[f]["values_at_0"],
                           "ig_sum": grad_log[f]["ig_sum"]} for f in fusions},
        },
    }
    write_json(os.path.join(spec.ref, "reference.json"), ref)

    meta = {
        "generator": "scripts/dev/make_clip_fixtures.py",
        "family": spec.kind,
        "seeds": {"torch_init": SEEDS[spec.kind], "fd_directions": SEEDS["fd_directions"],
                  "ort_batch3_third_image": 11},
        "opset": OPSET,
        "export": "torch.onnx.export, do_constant_folding=True, eval mode, float32, dynamic batch (and sequence) axes",
        "modules": {
            "image_size": IMAGE_SIZE, "patch_size": PATCH, "hidden_size": HIDDEN, "num_attention_heads": HEADS,
            "intermediate_size": INTERMEDIATE, "num_hidden_layers": LAYERS, "max_position_embeddings": MAX_POS,
            "vocab_size": tinfo["vocab_size"], "embedding_dim": CLIP_PROJ if spec.is_clip else HIDDEN,
            "hidden_act": "quick_gelu" if spec.is_clip else "gelu_pytorch_tanh",
            "layer_norm_eps": 1e-5 if spec.is_clip else 1e-6,
            "parameters": {"vision": n_vision, "text": n_text, "total": sum(v.numel() for v in sd.values())},
            "state_dict_keys": sorted(sd),
        },
        "tokenizer": {k: v for k, v in tinfo.items() if k not in ("vocab", "ranks", "pieces")},
        "preprocessing": {n: pre_info for n, pre_info in pixels["_info"][spec.kind].items()},
        "onnx": {"vision_model.onnx": {"inputs": ["pixel_values"], "outputs": vout, "ops": vops},
                 "text_model.onnx": {"inputs": tnames, "outputs": tout, "ops": tops}},
        "versions": versions(),
        "checks": {
            "onnx_initializers_matched": {"vision": list(mv), "text": list(mt)},
            "onnxruntime_vs_torch_max_rel_diff": ort_log,
            "encoder_layer_vs_nn_TransformerEncoderLayer_max_abs_diff": layer_err,
            "pooling_attention_vs_nn_MultiheadAttention_max_abs_diff": pool_err,
            "clip_prompt_alone_vs_padded_batch_max_rel_diff": batch_consistency,
            "float64_vs_float32_cosine_logits_max_abs_diff": dl,
            "gradients": grad_log,
        },
    }
    write_json(os.path.join(spec.ref, "meta.json"), meta)


_VERSIONS = {}


def versions():
    if not _VERSIONS:
        import onnx
        import PIL

        _VERSIONS.update({"python": sys.version.split()[0], "torch": torch.__version__, "onnx": onnx.__version__,
                          "numpy": np.__version__, "PIL": PIL.__version__})
        env = node_env()
        for pkg in ("tokenizers", "onnxruntime-node", "@huggingface/tokenizers"):
            pj = os.path.join(env["NODE_PATH"].split(os.pathsep)[0], pkg, "package.json")
            if os.path.exists(pj):
                _VERSIONS["npm:" + pkg] = read_json(pj)["version"]
        r = subprocess.run(["node", "--version"], capture_output=True, text=True)
        _VERSIONS["node"] = r.stdout.strip()
    return _VERSIONS


def folder_report(d):
    total, rows = 0, []
    for base, _, files in os.walk(d):
        for fn in files:
            p = os.path.join(base, fn)
            n = os.path.getsize(p)
            total += n
            rows.append((os.path.relpath(p, ROOT), n))
    for p, n in sorted(rows):
        print("%9d  %s" % (n, p))
    print("%9d  total %s" % (total, os.path.relpath(d, ROOT)))
    assert total < MAX_FOLDER_BYTES, (d, total)
    return total


def main():
    ensure_dir(IMAGES)
    make_rgb_wide(os.path.join(IMAGES, "rgb-wide.png"))

    clip_tok, clip_info = build_clip_tokenizer()
    sig_tok, sig_info = build_siglip_tokenizer()
    print("tokenizers: CLIP vocab %d (%d merges, bos %d, eos=pad=unk %d); SigLIP vocab %d (pad/eos </s> 1, unk 2)"
          % (clip_info["vocab_size"], clip_info["n_merges"], clip_info["bos_id"], clip_info["eos_id"],
             sig_info["vocab_size"]))
    specs = {"clip": (Spec("clip"), clip_tok, clip_info), "siglip": (Spec("siglip"), sig_tok, sig_info)}
    for spec, tok, info in specs.values():
        write_folder_files(spec, tok, info)
    run_goldens()  # writes reference/tokens.json into both folders

    pixels = {"_info": {"clip": {}, "siglip": {}}}
    for kind, (spec, tok, info) in specs.items():
        px = {}
        for n in IMAGE_NAMES:
            fn = clip_preprocess if spec.is_clip else siglip_preprocess
            px[n], pixels["_info"][kind][n] = fn(os.path.join(IMAGES, n + ".png"))
        px["_info"] = pixels["_info"]
        make_fixture(spec, info, px)

    print("files:")
    print("%9d  fixtures/images/rgb-wide.png" % os.path.getsize(os.path.join(IMAGES, "rgb-wide.png")))
    for spec, _, _ in specs.values():
        folder_report(spec.dir)


if __name__ == "__main__":
    sys.exit(main())
