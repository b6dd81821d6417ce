#!/usr/bin/python3
"""A tiny random-weight BiomedCLIP-shaped model in the open_clip folder layout, with torch reference numbers
(dev-time only; tests and CI never run Python).

Run from anywhere:
    /usr/bin/python3 scripts/dev/make_openclip_fixture.py
Needs Debian's python3-torch python3-torchvision python3-numpy python3-pil. Optional: Node with the npm package
`tokenizers` (the Rust binding, and `@huggingface/tokenizers` for a report-only comparison) under $NODE_PATH
(default /tmp/tok-ref/node_modules; see scripts/dev/README.md for the install line). When it is there the token ids
are checked against it; when it is not, the run says so and writes the same fixture files (only meta.json's record
of that check differs).

Writes fixtures/tiny-biomedclip/
  open_clip_config.json        {model_cfg, preprocess_cfg} as microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224
  open_clip_model.safetensors  every weight of open_clip's CustomTextCLIP under its state-dict names, F32, written by
                               hand (open_clip's HF_SAFE_WEIGHTS_NAME)
  tokenizer.json               HF WordPiece, structure of transformers' BertConverter output (uncased)
  tokenizer_config.json, special_tokens_map.json, vocab.txt
  reference/
    reference.json             prompts, input_ids / attention_mask (padded to max_length 16), logit_scale, logits and
                               softmax probabilities for cxr-a
    tokens.json                token ids of 13 texts (unpadded, and padded/truncated to 16 as open_clip's HFTokenizer
                               does), checked against the Rust `tokenizers` binding when it is installed
    pixels-cxr-a.npy           float32 [1,3,32,32]: open_clip's eval transform, run with torchvision
    image_embeds-cxr-a.npy     float32 [1,16]: encode_image(normalize=False)
    text_embeds.npy            float32 [3,16]: encode_text(normalize=False) of the 3 prompts as one padded batch
    image_pooled-cxr-a.npy     float32 [1,32]: the trunk's pooled feature (class token after `norm`), before the proj
    text_pooled.npy            float32 [3,32]: the [CLS] last hidden state, before the MLP projection
    meta.json                  sizes, seed, the state-dict keys with shapes, versions, every check's measured value

What it follows (read in mlfoundations/open_clip src/open_clip/{model.py, timm_model.py, hf_model.py,
transform.py, tokenizer.py, factory.py, constants.py} and timm/models/vision_transformer.py, timm/layers/
{attention.py, mlp.py, norm.py}; no upstream code is used or copied; modules are written here after those files):

  BiomedCLIP's open_clip_config.json (the copies found agree):
      model_cfg.embed_dim 512
      vision_cfg {timm_model_name "vit_base_patch16_224", timm_model_pretrained false, timm_pool "",
                  timm_proj "linear", image_size 224}
      text_cfg   {hf_model_name / hf_tokenizer_name "microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract",
                  hf_proj_type "mlp", hf_pooler_type "cls_last_hidden_state_pooler", context_length 256}
      preprocess_cfg {mean [0.48145466, 0.4578275, 0.40821073], std [0.26862954, 0.26130258, 0.27577711]}
  The fixture keeps every one of those fields (embed_dim 16, image_size 32, context_length 16) and adds open_clip's
  own override fields so that the tiny sizes are written down: vision_cfg.timm_model_kwargs (forwarded to
  timm.create_model, which lets them override vit_base_patch16_224's patch_size/embed_dim/depth/num_heads) and
  text_cfg.hf_model_config (set on the HF config before the model is built), plus hf_model_pretrained false.

  Vision = open_clip TimmModel(pool="", proj="linear", proj_bias False):
      extra_proj is true, so the trunk is timm.create_model(name) and reset_classifier(0) is called WITHOUT
      global_pool (pool "" is falsy), so timm's default global_pool "token" stays: the feature is the class token.
      timm VisionTransformer defaults: class_token, no_embed_class False (concat class token, then add pos_embed
      [1,1+N,H]), pre_norm False (norm_pre Identity, patch_embed conv WITH bias), qkv_bias True, LayerNorm eps 1e-6,
      nn.GELU (erf), fc_norm only for avg pooling -> `norm` applied to all tokens before pooling, head Identity.
      Block: x + attn(norm1(x)); x + mlp(norm2(x)); attn: fused qkv Linear [3H,H] split as (3, heads, head_dim),
      softmax(q k^T / sqrt(head_dim)) v, proj Linear. Then head = Sequential(drop: Dropout, proj: Linear(H, E,
      bias=False)) -> key visual.head.proj.weight [E,H].
  Text = open_clip HFTextEncoder(pooler_type "cls_last_hidden_state_pooler", proj_type "mlp"):
      the BERT is built with add_pooling_layer = (pooler_type == "cls_pooler") = False, so there are no
      text.transformer.pooler.* keys; forward: attn_mask = (ids != config.pad_token_id); pooled =
      last_hidden_state[:, 0]; proj = Sequential(Linear(d, (d+E)//2, bias=False), GELU(), Linear((d+E)//2, E,
      bias=False)) -> text.proj.0.weight [(d+E)//2, d], text.proj.2.weight [E, (d+E)//2] (index 1 is the GELU).
      BERT (HF modeling_bert semantics): word + position (0..S-1) + token_type (all 0) embeddings -> LayerNorm ->
      post-LN layers (self-attention with the additive key mask (1-mask)*finfo.min, output dense + residual +
      LayerNorm; intermediate dense + erf GELU; output dense + residual + LayerNorm), eps 1e-12.
  CustomTextCLIP: logit_scale 0-d (nonscalar_logit_scale False), no logit_bias (init_logit_bias None);
      encode_* (normalize=False) return the projected features; forward normalises and uses exp(logit_scale).
      logit_scale is set to 3.1 here (open_clip's init value is ln(1/0.07) = 2.6593), so a test can tell.
  Tokenizer: open_clip's HFTokenizer cleans the text (whitespace_clean(basic_clean(x)): ftfy, html.unescape,
      collapse whitespace, strip), then tokenizer(texts, max_length=context_length, padding="max_length",
      truncation=True). For a local-dir model it loads the tokenizer from the folder itself.
  Preprocessing (transform.py image_transform, is_train False, resize_mode "shortest", square size):
      Resize(32, bicubic) (shortest edge) -> CenterCrop(32) -> MaybeConvertMode (PIL convert("RGB")) ->
      ToTensor -> Normalize(mean, std). The grayscale PNG is resized as "L" and converted afterwards, as open_clip
      does (the script checks that converting first gives the same pixels).
  Not in the fixture: text.transformer.embeddings.position_ids. Checkpoints saved with transformers < 4.31 (as
      BiomedCLIP's open_clip_pytorch_model.bin probably is) hold it as an int64 buffer; open_clip's
      load_checkpoint deletes it when the model has no such key. A reader should ignore it.

Checks on every run (values in reference/meta.json): the state-dict keys and shapes == the expected open_clip list;
safetensors read back == state dict; each ViT block == torch's nn.TransformerEncoderLayer(norm_first=True,
gelu, eps 1e-6) with the fused qkv as in_proj; each BERT layer == nn.TransformerEncoderLayer(norm_first=False, gelu,
eps 1e-12) with the key padding mask; an independent whole-model forward (patches by unfold + matmul, torch encoder
layers) == the fixture's embeddings; each prompt embedded alone (no padding) == its row of the padded batch;
torchvision pixels == a PIL + numpy re-implementation; this script's WordPiece encoder == the Rust tokenizers binding
(if installed); float64 logits == float32 logits; the folder < 500 KB.

Deterministic: fixed seeds, one thread, deterministic torch; re-running gives byte-identical files.
"""
import collections
import json
import math
import os
import subprocess
import sys
import tempfile
import unicodedata

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_clip_fixtures import (  # noqa: E402  (shared hand-written helpers of the CLIP/SigLIP fixtures)
    read_json, read_safetensors, rel_diff, save_npy, write_json, write_safetensors)

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
FIX = os.path.join(ROOT, "fixtures")
OUT = os.path.join(FIX, "tiny-biomedclip")
REF = os.path.join(OUT, "reference")
IMAGE = os.path.join(FIX, "images", "cxr-a.png")
NODE_PATH_DEFAULT = "/tmp/tok-ref/node_modules"

# vision (timm ViT)
IMAGE_SIZE = 32
PATCH = 8
V_HIDDEN = 32
V_DEPTH = 2
V_HEADS = 2
V_MLP = 64
V_EPS = 1e-6
# text (HF BERT)
T_HIDDEN = 32
T_LAYERS = 2
T_HEADS = 2
T_INTER = 64
T_MAX_POS = 32
T_TYPES = 2
T_EPS = 1e-12
CONTEXT_LENGTH = 16
# CLIP head
EMBED_DIM = 16
TEXT_PROJ_HIDDEN = (T_HIDDEN + EMBED_DIM) // 2  # open_clip hf_model.py, proj_type "mlp"
LOGIT_SCALE = 3.1
# BiomedCLIP's preprocess_cfg (= open_clip's OPENAI_DATASET_MEAN / _STD)
MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]
PROMPTS = ["a chest x-ray with pleural effusion", "cardiomegaly", "no finding"]
MAX_FOLDER_BYTES = 500 * 1000
# The first seed tried; its cxr-a softmax over the 3 prompts is not saturated (0.12 / 0.62 / 0.26).
SEED = 4100
BIOMEDBERT = "microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract"

# Texts for reference/tokens.json: the prompts, case/accents/punctuation/whitespace, unknown characters, the
# special-token strings, and one text longer than the context (truncation keeps [SEP]).
TOKEN_TEXTS = [
    "",
    "a chest x-ray with pleural effusion",
    "cardiomegaly",
    "no finding",
    "Left Lower Lobe CONSOLIDATION, 2 views.",
    "   a   photo  of a\tcat  ",
    "atelectasis",
    "pneumothorax \u2014 small, right-sided (caf\u00e9)",
    "Cafe\u0301 na\u00efve PNEUMONIA!!!",
    "there's no pneumothorax; it's 3 views",
    "\u80ba opacity \u00a7 nodule",
    "[MASK] effusion [SEP]",
    "no pleural effusion, no pneumothorax, no cardiomegaly and no left lower lobe consolidation on this chest x-ray",
]


# =====================================================================================================================
# 1. tokenizer (HF WordPiece, BERT uncased)
# =====================================================================================================================

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]  # ids 0..4, as in PubMedBERT's vocab.txt
PUNCT = list(".,;:!?'\"()-/")
WORDS = [  # small chest X-ray vocabulary, lowercase (the tokenizer is uncased)
    "an", "the", "of", "in", "on", "with", "and", "or", "no", "is", "are", "there", "this", "chest", "ray",
    "photo", "view", "frontal", "lateral", "lung", "heart", "size", "normal", "enlarged", "left", "right",
    "bilateral", "upper", "lower", "lobe", "small", "large", "mild", "moderate", "severe", "acute", "pleural",
    "effusion", "cardio", "pneumo", "consolidation", "edema", "opacity", "nodule", "finding", "process", "support",
    "device", "fracture", "cat", "dog",
]
# "cardiomegaly" is deliberately cardio + ##megaly, so a prompt exercises the ## continuation.
SUBWORDS = ["##megaly", "##thorax", "##nia", "##pulmonary", "##ed", "##ing", "##al", "##ion", "##ary"]


def build_vocab():
    toks = SPECIALS + PUNCT + [str(d) for d in range(10)] + [chr(c) for c in range(97, 123)] \
        + ["##" + chr(c) for c in range(97, 123)] + WORDS + SUBWORDS
    assert len(set(toks)) == len(toks), "duplicate vocabulary entry"
    return toks


def build_tokenizer(vocab_list):
    vocab = {t: i for i, t in enumerate(vocab_list)}

    def added(t):
        return {"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True}

    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(t) for t in SPECIALS],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [cls], "tokens": ["[CLS]"]},
                               "[SEP]": {"id": "[SEP]", "ids": [sep], "tokens": ["[SEP]"]}},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }
    tok_cfg = {
        "added_tokens_decoder": {str(vocab[t]): {k: v for k, v in added(t).items() if k != "id"} for t in SPECIALS},
        "clean_up_tokenization_spaces": True,
        "cls_token": "[CLS]",
        "do_basic_tokenize": True,
        "do_lower_case": True,
        "mask_token": "[MASK]",
        "model_max_length": CONTEXT_LENGTH,
        "never_split": None,
        "pad_token": "[PAD]",
        "sep_token": "[SEP]",
        "strip_accents": None,
        "tokenize_chinese_chars": True,
        "tokenizer_class": "BertTokenizer",
        "unk_token": "[UNK]",
    }
    special_map = {"cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]", "sep_token": "[SEP]",
                   "unk_token": "[UNK]"}
    return tok, tok_cfg, special_map, vocab


def _is_punct(ch):
    """BERT's punctuation: the ASCII non-alphanumeric printable ranges, or any Unicode P* category."""
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp):
    return any(a <= cp <= b for a, b in ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
                                         (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF),
                                         (0x2F800, 0x2FA1F)))


def bert_normalize(text):
    out = []
    for ch in text:  # clean_text: drop NUL, U+FFFD and control characters; every whitespace -> " "
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD:
            continue
        if ch in "\t\n\r" or unicodedata.category(ch) == "Zs":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        elif _is_cjk(cp):  # handle_chinese_chars
            out += [" ", ch, " "]
        else:
            out.append(ch)
    text = "".join(out)
    # strip_accents None + lowercase True -> accents are stripped (NFD, drop Mn), then lowercased
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return text.lower()


def bert_pre_tokenize(text):
    words = []
    for chunk in text.split():
        cur = ""
        for ch in chunk:
            if _is_punct(ch):
                if cur:
                    words.append(cur)
                    cur = ""
                words.append(ch)
            else:
                cur += ch
        if cur:
            words.append(cur)
    return words


def wordpiece(word, vocab):
    if len(word) > 100:
        return [vocab["[UNK]"]]
    ids, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                found = vocab[piece]
                break
            end -= 1
        if found is None:
            return [vocab["[UNK]"]]
        ids.append(found)
        start = end
    return ids


def encode(text, vocab):
    """This script's own encoding, specials added, no truncation. Special-token strings in the text are matched
    first (added tokens with normalized False), as the Rust tokenizer does."""
    ids = [vocab["[CLS]"]]
    rest = text
    while rest:
        hits = [(rest.find(t), t) for t in SPECIALS if t in rest]
        if not hits:
            seg, tok, rest = rest, None, ""
        else:
            pos, tok = min(hits)
            seg, rest = rest[:pos], rest[pos + len(tok):]
        for w in bert_pre_tokenize(bert_normalize(seg)):
            ids += wordpiece(w, vocab)
        if tok is not None:
            ids.append(vocab[tok])
    return ids + [vocab["[SEP]"]]


def pad_truncate(ids, vocab):
    """HF Python tokenizer(..., max_length=16, padding='max_length', truncation=True): the content is cut so that
    [SEP] is kept, then right-padded with [PAD]."""
    if len(ids) > CONTEXT_LENGTH:
        ids = ids[:CONTEXT_LENGTH - 1] + [vocab["[SEP]"]]
    n = len(ids)
    return ids + [vocab["[PAD]"]] * (CONTEXT_LENGTH - n), [1] * n + [0] * (CONTEXT_LENGTH - n)


def open_clip_clean(text):
    """open_clip's 'whitespace' clean without ftfy/html (which change none of the texts here)."""
    return " ".join(text.split()).strip()


# =====================================================================================================================
# 2. the model (open_clip CustomTextCLIP state-dict names)
# =====================================================================================================================

class VitAttention(nn.Module):
    """timm Attention: fused qkv [3H, H] with bias, proj."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, d = x.shape
        hd = d // self.heads
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        w = torch.softmax((q @ k.transpose(-2, -1)) / math.sqrt(hd), dim=-1)
        return self.proj((w @ v).transpose(1, 2).reshape(b, n, d))


class VitMlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class VitBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1 = nn.LayerNorm(V_HIDDEN, eps=V_EPS)
        self.attn = VitAttention(V_HIDDEN, V_HEADS)
        self.norm2 = nn.LayerNorm(V_HIDDEN, eps=V_EPS)
        self.mlp = VitMlp(V_HIDDEN, V_MLP)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Conv2d(3, V_HIDDEN, PATCH, stride=PATCH, bias=True)  # bias: pre_norm False

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)  # [B, N, H], row-major patches


class VitTrunk(nn.Module):
    """timm VisionTransformer with class_token, global_pool 'token', no pre-norm, head reset to Identity."""

    def __init__(self):
        super().__init__()
        n = (IMAGE_SIZE // PATCH) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, V_HIDDEN))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + n, V_HIDDEN))
        self.patch_embed = PatchEmbed()
        self.blocks = nn.Sequential(*[VitBlock() for _ in range(V_DEPTH)])
        self.norm = nn.LayerNorm(V_HIDDEN, eps=V_EPS)

    def forward_features(self, x):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        return self.norm(self.blocks(x))

    def forward(self, x):
        return self.forward_features(x)[:, 0]  # global_pool 'token'; fc_norm, head_drop, head are identities


class TimmTower(nn.Module):
    """open_clip TimmModel(pool='', proj='linear'): trunk, then head = Sequential(drop, proj)."""

    def __init__(self):
        super().__init__()
        self.trunk = VitTrunk()
        self.head = nn.Sequential(collections.OrderedDict(
            [("drop", nn.Dropout(0.0)), ("proj", nn.Linear(V_HIDDEN, EMBED_DIM, bias=False))]))

    def forward(self, x):
        return self.head(self.trunk(x))


class BertEmbeddings(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, T_HIDDEN, padding_idx=0)
        self.position_embeddings = nn.Embedding(T_MAX_POS, T_HIDDEN)
        self.token_type_embeddings = nn.Embedding(T_TYPES, T_HIDDEN)
        self.LayerNorm = nn.LayerNorm(T_HIDDEN, eps=T_EPS)

    def forward(self, ids):
        s = ids.shape[1]
        x = self.word_embeddings(ids) + self.position_embeddings.weight[:s][None] \
            + self.token_type_embeddings.weight[0][None, None]
        return self.LayerNorm(x)


class BertSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query = nn.Linear(T_HIDDEN, T_HIDDEN)
        self.key = nn.Linear(T_HIDDEN, T_HIDDEN)
        self.value = nn.Linear(T_HIDDEN, T_HIDDEN)

    def forward(self, x, bias):
        b, s, d = x.shape
        hd = d // T_HEADS

        def split(t):
            return t.view(b, s, T_HEADS, hd).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(hd) + bias, dim=-1)
        return (w @ v).transpose(1, 2).reshape(b, s, d)


class DenseLayerNorm(nn.Module):
    """HF BertSelfOutput / BertOutput: LayerNorm(dense(h) + residual)."""

    def __init__(self, d_in):
        super().__init__()
        self.dense = nn.Linear(d_in, T_HIDDEN)
        self.LayerNorm = nn.LayerNorm(T_HIDDEN, eps=T_EPS)

    def forward(self, h, residual):
        return self.LayerNorm(self.dense(h) + residual)


class BertAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.self = BertSelfAttention()
        self.output = DenseLayerNorm(T_HIDDEN)

    def forward(self, x, bias):
        return self.output(self.self(x, bias), x)


class BertIntermediate(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(T_HIDDEN, T_INTER)

    def forward(self, x):
        return F.gelu(self.dense(x))  # hidden_act "gelu" = erf GELU


class BertLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = BertAttention()
        self.intermediate = BertIntermediate()
        self.output = DenseLayerNorm(T_INTER)

    def forward(self, x, bias):
        a = self.attention(x, bias)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer() for _ in range(T_LAYERS)])

    def forward(self, x, bias):
        for layer in self.layer:
            x = layer(x, bias)
        return x


class BertModel(nn.Module):
    """HF BertModel(add_pooling_layer=False): returns last_hidden_state."""

    def __init__(self, vocab_size):
        super().__init__()
        self.embeddings = BertEmbeddings(vocab_size)
        self.encoder = BertEncoder()

    def forward(self, ids, mask):
        x = self.embeddings(ids)
        bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        return self.encoder(x, bias)


class HFTower(nn.Module):
    """open_clip HFTextEncoder(pooler 'cls_last_hidden_state_pooler', proj 'mlp')."""

    def __init__(self, vocab_size, pad_id):
        super().__init__()
        self.pad_id = pad_id
        self.transformer = BertModel(vocab_size)
        self.proj = nn.Sequential(nn.Linear(T_HIDDEN, TEXT_PROJ_HIDDEN, bias=False), nn.GELU(),
                                  nn.Linear(TEXT_PROJ_HIDDEN, EMBED_DIM, bias=False))

    def pooled(self, ids):
        mask = (ids != self.pad_id).long()
        return self.transformer(ids, mask)[:, 0]

    def forward(self, ids):
        return self.proj(self.pooled(ids))


class TinyBiomedClip(nn.Module):
    """open_clip CustomTextCLIP: visual, text, logit_scale (0-d), no logit_bias."""

    def __init__(self, vocab_size, pad_id):
        super().__init__()
        self.visual = TimmTower()
        self.text = HFTower(vocab_size, pad_id)
        self.logit_scale = nn.Parameter(torch.tensor(LOGIT_SCALE))

    def encode_image(self, x):
        return self.visual(x)

    def encode_text(self, ids):
        return self.text(ids)


def expected_keys(vocab_size):
    """The open_clip state-dict keys and shapes this fixture must have (written out, not derived from the module)."""
    H, T, E, n = V_HIDDEN, T_HIDDEN, EMBED_DIM, (IMAGE_SIZE // PATCH) ** 2
    keys = {
        "logit_scale": [],
        "visual.trunk.cls_token": [1, 1, H],
        "visual.trunk.pos_embed": [1, 1 + n, H],
        "visual.trunk.patch_embed.proj.weight": [H, 3, PATCH, PATCH],
        "visual.trunk.patch_embed.proj.bias": [H],
        "visual.trunk.norm.weight": [H],
        "visual.trunk.norm.bias": [H],
        "visual.head.proj.weight": [E, H],
        "text.transformer.embeddings.word_embeddings.weight": [vocab_size, T],
        "text.transformer.embeddings.position_embeddings.weight": [T_MAX_POS, T],
        "text.transformer.embeddings.token_type_embeddings.weight": [T_TYPES, T],
        "text.transformer.embeddings.LayerNorm.weight": [T],
        "text.transformer.embeddings.LayerNorm.bias": [T],
        "text.proj.0.weight": [TEXT_PROJ_HIDDEN, T],
        "text.proj.2.weight": [E, TEXT_PROJ_HIDDEN],
    }
    for i in range(V_DEPTH):
        p = "visual.trunk.blocks.%d." % i
        keys.update({p + "norm1.weight": [H], p + "norm1.bias": [H],
                     p + "attn.qkv.weight": [3 * H, H], p + "attn.qkv.bias": [3 * H],
                     p + "attn.proj.weight": [H, H], p + "attn.proj.bias": [H],
                     p + "norm2.weight": [H], p + "norm2.bias": [H],
                     p + "mlp.fc1.weight": [V_MLP, H], p + "mlp.fc1.bias": [V_MLP],
                     p + "mlp.fc2.weight": [H, V_MLP], p + "mlp.fc2.bias": [H]})
    for i in range(T_LAYERS):
        p = "text.transformer.encoder.layer.%d." % i
        for m in ("query", "key", "value"):
            keys[p + "attention.self.%s.weight" % m] = [T, T]
            keys[p + "attention.self.%s.bias" % m] = [T]
        keys.update({p + "attention.output.dense.weight": [T, T], p + "attention.output.dense.bias": [T],
                     p + "attention.output.LayerNorm.weight": [T], p + "attention.output.LayerNorm.bias": [T],
                     p + "intermediate.dense.weight": [T_INTER, T], p + "intermediate.dense.bias": [T_INTER],
                     p + "output.dense.weight": [T, T_INTER], p + "output.dense.bias": [T],
                     p + "output.LayerNorm.weight": [T], p + "output.LayerNorm.bias": [T]})
    return keys


def init_weights(model, seed):
    """Deterministic non-trivial weights (LayerNorms and biases perturbed too); logit_scale stays 3.1."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name == "logit_scale":
                continue
            leaf = name.rsplit(".", 1)[-1]
            if "norm" in name.lower():
                v = (1.0 + 0.1 * torch.randn(p.shape, generator=g)) if leaf == "weight" \
                    else 0.05 * torch.randn(p.shape, generator=g)
            elif leaf == "bias":
                v = 0.05 * torch.randn(p.shape, generator=g)
            elif name.endswith(("word_embeddings.weight", "cls_token")):
                v = 0.5 * torch.randn(p.shape, generator=g)
            elif name.endswith(("position_embeddings.weight", "token_type_embeddings.weight", "pos_embed")):
                v = 0.2 * torch.randn(p.shape, generator=g)
            else:  # Linear / Conv weights: unit-variance outputs
                v = torch.randn(p.shape, generator=g) / math.sqrt(p[0].numel())
            p.copy_(v)
    for p in model.parameters():
        p.requires_grad_(False)
    return model.eval()


# =====================================================================================================================
# 3. independent checks
# =====================================================================================================================

def vit_layer_as_torch(block):
    """A timm block as nn.TransformerEncoderLayer(norm_first=True): qkv is exactly in_proj (q, k, v stacked)."""
    t = nn.TransformerEncoderLayer(V_HIDDEN, V_HEADS, V_MLP, dropout=0.0, activation="gelu", layer_norm_eps=V_EPS,
                                   batch_first=True, norm_first=True)
    with torch.no_grad():
        t.self_attn.in_proj_weight.copy_(block.attn.qkv.weight)
        t.self_attn.in_proj_bias.copy_(block.attn.qkv.bias)
        t.self_attn.out_proj.weight.copy_(block.attn.proj.weight)
        t.self_attn.out_proj.bias.copy_(block.attn.proj.bias)
        for a, b in ((t.linear1, block.mlp.fc1), (t.linear2, block.mlp.fc2), (t.norm1, block.norm1),
                     (t.norm2, block.norm2)):
            a.weight.copy_(b.weight)
            a.bias.copy_(b.bias)
    return t.eval()


def bert_layer_as_torch(layer):
    """A BERT layer as nn.TransformerEncoderLayer(norm_first=False) (post-LN)."""
    t = nn.TransformerEncoderLayer(T_HIDDEN, T_HEADS, T_INTER, dropout=0.0, activation="gelu", layer_norm_eps=T_EPS,
                                   batch_first=True, norm_first=False)
    sa = layer.attention.self
    with torch.no_grad():
        t.self_attn.in_proj_weight.copy_(torch.cat([sa.query.weight, sa.key.weight, sa.value.weight]))
        t.self_attn.in_proj_bias.copy_(torch.cat([sa.query.bias, sa.key.bias, sa.value.bias]))
        t.self_attn.out_proj.weight.copy_(layer.attention.output.dense.weight)
        t.self_attn.out_proj.bias.copy_(layer.attention.output.dense.bias)
        for a, b in ((t.linear1, layer.intermediate.dense), (t.linear2, layer.output.dense),
                     (t.norm1, layer.attention.output.LayerNorm), (t.norm2, layer.output.LayerNorm)):
            a.weight.copy_(b.weight)
            a.bias.copy_(b.bias)
    return t.eval()


def _double_copy(model):
    m = TinyBiomedClip(model.text.transformer.embeddings.word_embeddings.num_embeddings, model.text.pad_id)
    m.load_state_dict(model.state_dict())
    for p in m.parameters():
        p.requires_grad_(False)
    return m.double().eval()


def check_layers(model, x_img, ids):
    """Every layer == torch's encoder layer (float64; grad enabled so that torch 1.13 takes no fast path)."""
    m = _double_copy(model)
    errs = {}
    with torch.enable_grad():
        h = m.visual.trunk.patch_embed(x_img.double())
        h = torch.cat([m.visual.trunk.cls_token.expand(h.shape[0], -1, -1), h], 1) + m.visual.trunk.pos_embed
        for i, blk in enumerate(m.visual.trunk.blocks):
            a, b = blk(h), vit_layer_as_torch(blk).double()(h)
            errs["vit_block_%d" % i] = float((a - b).abs().max())
            h = a
        mask = ids != m.text.pad_id
        h = m.text.transformer.embeddings(ids)
        bias = (1.0 - mask[:, None, None, :].double()) * torch.finfo(torch.float64).min
        for i, layer in enumerate(m.text.transformer.encoder.layer):
            a, b = layer(h, bias), bert_layer_as_torch(layer).double()(h, src_key_padding_mask=~mask)
            errs["bert_layer_%d" % i] = float((a - b).abs().max())
            h = a
    assert max(errs.values()) < 1e-12, errs
    return errs


def independent_forward(model, x, ids):
    """A second forward built from other torch pieces: patches by unfold + matmul (no Conv2d), torch's
    nn.TransformerEncoderLayer for every layer, F.embedding, F.layer_norm; float32 as the fixture."""
    sd = model.state_dict()
    with torch.enable_grad():
        w = sd["visual.trunk.patch_embed.proj.weight"]
        cols = F.unfold(x, PATCH, stride=PATCH).transpose(1, 2)  # [B, N, 3*P*P], same (c, kh, kw) order
        h = cols @ w.reshape(w.shape[0], -1).T + sd["visual.trunk.patch_embed.proj.bias"]
        h = torch.cat([sd["visual.trunk.cls_token"].expand(x.shape[0], -1, -1), h], 1) + sd["visual.trunk.pos_embed"]
        for blk in model.visual.trunk.blocks:
            h = vit_layer_as_torch(blk)(h)
        h = F.layer_norm(h, (V_HIDDEN,), sd["visual.trunk.norm.weight"], sd["visual.trunk.norm.bias"], V_EPS)
        img = h[:, 0] @ sd["visual.head.proj.weight"].T
        p = "text.transformer.embeddings."
        t = F.embedding(ids, sd[p + "word_embeddings.weight"]) + sd[p + "position_embeddings.weight"][:ids.shape[1]] \
            + sd[p + "token_type_embeddings.weight"][0]
        t = F.layer_norm(t, (T_HIDDEN,), sd[p + "LayerNorm.weight"], sd[p + "LayerNorm.bias"], T_EPS)
        for layer in model.text.transformer.encoder.layer:
            t = bert_layer_as_torch(layer)(t, src_key_padding_mask=(ids == model.text.pad_id))
        t = F.gelu(t[:, 0] @ sd["text.proj.0.weight"].T) @ sd["text.proj.2.weight"].T
    return img.detach(), t.detach()


def check_sensitivity(model, x, ids):
    """The layer checks can fail: torch's layer with 1 head instead of 2, or without the key padding mask, must
    differ clearly from the fixture's layer."""
    blk, layer = model.visual.trunk.blocks[0], model.text.transformer.encoder.layer[0]
    mask = ids != model.text.pad_id
    bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    with torch.enable_grad():
        h = torch.cat([model.visual.trunk.cls_token.expand(x.shape[0], -1, -1), model.visual.trunk.patch_embed(x)],
                      1) + model.visual.trunk.pos_embed
        t1 = vit_layer_as_torch(blk)
        one = nn.TransformerEncoderLayer(V_HIDDEN, 1, V_MLP, dropout=0.0, activation="gelu", layer_norm_eps=V_EPS,
                                         batch_first=True, norm_first=True).eval()
        one.load_state_dict(t1.state_dict())
        e_heads = float((blk(h) - one(h)).abs().max())
        t = model.text.transformer.embeddings(ids)
        e_mask = float((layer(t, bias)[:, 0] - bert_layer_as_torch(layer)(t)[:, 0]).abs().max())
    assert e_heads > 1e-3 and e_mask > 1e-3, (e_heads, e_mask)
    return {"vit_block_0_with_1_head_max_abs_diff": e_heads, "bert_layer_0_cls_without_mask_max_abs_diff": e_mask}


# =====================================================================================================================
# 4. preprocessing
# =====================================================================================================================

def openclip_pixels(path):
    """open_clip's eval transform with torchvision, in open_clip's order (convert to RGB after the crop)."""
    from torchvision import transforms as T

    tf = T.Compose([
        T.Resize(IMAGE_SIZE, interpolation=T.InterpolationMode.BICUBIC),
        T.CenterCrop(IMAGE_SIZE),
        T.Lambda(lambda im: im.convert("RGB")),
        T.ToTensor(),
        T.Normalize(mean=MEAN, std=STD),
    ])
    with Image.open(path) as im:
        mode, size = im.mode, im.size
        x = tf(im).unsqueeze(0)
    return x.numpy().astype(np.float32), {"mode": mode, "size_wh": list(size)}


def manual_pixels(path, rgb_first):
    """The same with PIL + numpy only: torchvision's shortest-edge size rule (long = int(32 * long / short)),
    PIL bicubic, crop offsets int(round((dim - 32) / 2)), float32 / 255, (x - mean) / std."""
    with Image.open(path) as im:
        im = im.convert("RGB") if rgb_first else im.copy()
    w, h = im.size
    if w <= h:
        nw, nh = IMAGE_SIZE, int(IMAGE_SIZE * h / w)
    else:
        nw, nh = int(IMAGE_SIZE * w / h), IMAGE_SIZE
    im = im.resize((nw, nh), Image.BICUBIC)
    top, left = int(round((nh - IMAGE_SIZE) / 2.0)), int(round((nw - IMAGE_SIZE) / 2.0))
    im = im.crop((left, top, left + IMAGE_SIZE, top + IMAGE_SIZE)).convert("RGB")
    a = np.asarray(im).astype(np.float32) / np.float32(255)
    a = (a - np.array(MEAN, dtype=np.float32)) / np.array(STD, dtype=np.float32)
    return np.ascontiguousarray(a.transpose(2, 0, 1)[None], dtype=np.float32), [nw, nh], [top, left]


# =====================================================================================================================
# 5. Rust tokenizers (optional check)
# =====================================================================================================================

TOK_JS = r"""
const fs = require('fs');
const job = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
const { Tokenizer } = require('tokenizers');
let Js = null;
try { ({ Tokenizer: Js } = require('@huggingface/tokenizers')); } catch (e) { Js = null; }
(async () => {
  const plain = Tokenizer.fromFile(job.path);
  const fixed = Tokenizer.fromFile(job.path);
  fixed.setTruncation(job.maxLength);
  fixed.setPadding({ maxLength: job.maxLength, padId: job.padId, padToken: job.padToken });
  const cfg = JSON.parse(fs.readFileSync(job.configPath, 'utf8'));
  const js = Js ? new Js(JSON.parse(fs.readFileSync(job.path, 'utf8')), cfg) : null;
  const out = { version: JSON.parse(fs.readFileSync(require.resolve('tokenizers/package.json'), 'utf8')).version,
                jsVersion: null, rows: [] };
  if (js) {
    try {
      const p = require.resolve('@huggingface/tokenizers').replace(/dist[\\/].*$/, 'package.json');
      out.jsVersion = JSON.parse(fs.readFileSync(p, 'utf8')).version;
    } catch (e) { out.jsVersion = 'unknown'; }
  }
  for (const text of job.texts) {
    const a = await plain.encode(text, null, { addSpecialTokens: true });
    const b = await fixed.encode(text, null, { addSpecialTokens: true });
    let jsIds = null;
    if (js) { try { jsIds = js.encode(text).ids; } catch (e) { jsIds = 'error: ' + e.message; } }
    out.rows.push({ ids: a.getIds(), tokens: a.getTokens(), padded: b.getIds(), mask: b.getAttentionMask(), js: jsIds });
  }
  fs.writeFileSync(process.argv[2], JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
"""


def rust_tokens(tok_path, cfg_path, texts, pad_id):
    env = dict(os.environ)
    env["NODE_PATH"] = env.get("NODE_PATH") or NODE_PATH_DEFAULT
    if not any(os.path.exists(os.path.join(p, "tokenizers", "package.json")) for p in env["NODE_PATH"].split(":")):
        return None, "the npm package `tokenizers` was not found under NODE_PATH=%s" % env["NODE_PATH"]
    with tempfile.TemporaryDirectory() as d:
        jp, op = os.path.join(d, "job.json"), os.path.join(d, "out.json")
        with open(jp, "w") as f:
            json.dump({"path": tok_path, "configPath": cfg_path, "texts": texts, "maxLength": CONTEXT_LENGTH,
                       "padId": pad_id, "padToken": "[PAD]"}, f)
        try:
            r = subprocess.run(["node", "-e", TOK_JS, jp, op], env=env, capture_output=True, text=True)
        except FileNotFoundError:
            return None, "node is not installed"
        if r.returncode != 0:
            raise SystemExit("the Rust tokenizers check failed:\n" + r.stderr)
        return read_json(op), None


# =====================================================================================================================
# 6. main
# =====================================================================================================================

def folder_bytes(d):
    rows = []
    for base, _, files in os.walk(d):
        for fn in files:
            p = os.path.join(base, fn)
            rows.append((os.path.relpath(p, ROOT), os.path.getsize(p)))
    return sorted(rows)


def main():
    os.makedirs(REF, exist_ok=True)
    vocab_list = build_vocab()
    tok, tok_cfg, special_map, vocab = build_tokenizer(vocab_list)
    pad_id = vocab["[PAD]"]

    # ---- tokenizer files -----------------------------------------------------------------------------------------
    tok_path, cfg_path = os.path.join(OUT, "tokenizer.json"), os.path.join(OUT, "tokenizer_config.json")
    write_json(tok_path, tok, compact_numbers=False)
    write_json(cfg_path, tok_cfg, compact_numbers=False)
    write_json(os.path.join(OUT, "special_tokens_map.json"), special_map, compact_numbers=False)
    with open(os.path.join(OUT, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("".join(t + "\n" for t in vocab_list))

    # ---- token ids: own encoder, checked against Rust ----------------------------------------------------------
    own = [encode(open_clip_clean(t), vocab) for t in TOKEN_TEXTS]
    padded = [pad_truncate(ids, vocab) for ids in own]
    rust, rust_skip = rust_tokens(tok_path, cfg_path, [open_clip_clean(t) for t in TOKEN_TEXTS], pad_id)
    if rust is None:
        print("tokens: Rust tokenizers check SKIPPED (%s)" % rust_skip)
        rust_check = {"skipped": rust_skip}
    else:
        for t, o, (pi, pm), row in zip(TOKEN_TEXTS, own, padded, rust["rows"]):
            assert row["ids"] == o, (t, row["ids"], o)
            assert row["padded"] == pi and row["mask"] == pm, (t, row["padded"], pi)
        js_diffs = [t for t, o, row in zip(TOKEN_TEXTS, own, rust["rows"]) if row["js"] is not None and row["js"] != o]
        rust_check = {"tokenizers_version": rust["version"], "texts": len(TOKEN_TEXTS),
                      "unpadded_equal": len(TOKEN_TEXTS), "padded_truncated_equal": len(TOKEN_TEXTS),
                      "huggingface_tokenizers_js": None if rust["jsVersion"] is None else {
                          "version": rust["jsVersion"], "texts_that_differ_from_rust": js_diffs}}
        print("tokens: this script's WordPiece == Rust tokenizers %s on %d/%d texts (unpadded, and with "
              "setTruncation(16) + setPadding(16))" % (rust["version"], len(TOKEN_TEXTS), len(TOKEN_TEXTS)))
        if rust["jsVersion"] is not None:
            print("        @huggingface/tokenizers %s: %d/%d equal to Rust%s (unpadded; report only)" % (
                rust["jsVersion"], len(TOKEN_TEXTS) - len(js_diffs), len(TOKEN_TEXTS),
                "" if not js_diffs else ", differs on %s" % js_diffs))
    inv = {i: t for t, i in vocab.items()}
    for t, o in zip(TOKEN_TEXTS, own):
        print("    %-46s %s" % (json.dumps(t)[:46], " ".join(inv[i] for i in o)))
    write_json(os.path.join(REF, "tokens.json"), {
        "texts": TOKEN_TEXTS,
        "unpadded": own,
        "tokens": [[inv[i] for i in o] for o in own],
        "input_ids": [p[0] for p in padded],
        "attention_mask": [p[1] for p in padded],
        "python_equivalent": "open_clip HFTokenizer: tokenizer(clean(texts), max_length=16, padding='max_length', "
                             "truncation=True), clean = whitespace collapse + strip (ftfy/html change none of these)",
        "max_length": CONTEXT_LENGTH,
        "pad_token": "[PAD]",
        "pad_id": pad_id,
        "truncation": "content cut to max_length - 2, then [CLS] ... [SEP] (the final [SEP] is kept)",
        "generator": "scripts/dev/make_openclip_fixture.py (own WordPiece encoder; equal to the Rust tokenizers "
                     "binding where that check ran, see meta.json)",
    })

    prompt_rows = [pad_truncate(encode(open_clip_clean(p), vocab), vocab) for p in PROMPTS]
    ids = torch.tensor([r[0] for r in prompt_rows], dtype=torch.int64)
    mask = torch.tensor([r[1] for r in prompt_rows], dtype=torch.int64)
    assert vocab["[UNK]"] not in ids, "a prompt has an unknown token"
    assert torch.equal(mask, (ids != pad_id).long()), "tokenizer mask != open_clip's ids != pad_token_id"

    # ---- model ---------------------------------------------------------------------------------------------------
    torch.manual_seed(SEED)
    model = init_weights(TinyBiomedClip(len(vocab_list), pad_id), SEED)
    sd = model.state_dict()
    exp = expected_keys(len(vocab_list))
    assert sorted(sd) == sorted(exp), sorted(set(sd) ^ set(exp))
    for k, shape in exp.items():
        assert list(sd[k].shape) == shape, (k, list(sd[k].shape), shape)
    assert float(sd["logit_scale"]) == np.float32(LOGIT_SCALE) and sd["logit_scale"].dim() == 0
    st_path = os.path.join(OUT, "open_clip_model.safetensors")
    write_safetensors(st_path, sd)
    back = read_safetensors(st_path)
    assert sorted(back) == sorted(sd) and all(np.array_equal(back[k], sd[k].numpy()) for k in sd)
    assert all(back[k].shape == tuple(exp[k]) for k in exp)
    print("model: %d tensors, %d parameters; safetensors read back equal" % (
        len(sd), sum(v.numel() for v in sd.values())))

    config = {
        "model_cfg": {
            "embed_dim": EMBED_DIM,
            "vision_cfg": {
                "timm_model_name": "vit_base_patch16_224",
                "timm_model_pretrained": False,
                "timm_pool": "",
                "timm_proj": "linear",
                "image_size": IMAGE_SIZE,
                "timm_model_kwargs": {"img_size": IMAGE_SIZE, "patch_size": PATCH, "embed_dim": V_HIDDEN,
                                      "depth": V_DEPTH, "num_heads": V_HEADS, "mlp_ratio": V_MLP / V_HIDDEN},
            },
            "text_cfg": {
                "hf_model_name": BIOMEDBERT,
                "hf_tokenizer_name": BIOMEDBERT,
                "hf_model_pretrained": False,
                "hf_model_config": {"vocab_size": len(vocab_list), "hidden_size": T_HIDDEN,
                                    "num_hidden_layers": T_LAYERS, "num_attention_heads": T_HEADS,
                                    "intermediate_size": T_INTER, "hidden_act": "gelu",
                                    "max_position_embeddings": T_MAX_POS, "type_vocab_size": T_TYPES,
                                    "layer_norm_eps": T_EPS, "pad_token_id": pad_id},
                "hf_proj_type": "mlp",
                "hf_pooler_type": "cls_last_hidden_state_pooler",
                "context_length": CONTEXT_LENGTH,
            },
        },
        "preprocess_cfg": {"mean": MEAN, "std": STD},
    }
    write_json(os.path.join(OUT, "open_clip_config.json"), config)

    # ---- pixels --------------------------------------------------------------------------------------------------
    px, img_info = openclip_pixels(IMAGE)
    man, resized, crop = manual_pixels(IMAGE, rgb_first=False)
    man_rgb, _, _ = manual_pixels(IMAGE, rgb_first=True)
    pix_err = float(np.abs(px - man).max())
    pix_err_rgb = float(np.abs(px - man_rgb).max())
    assert pix_err < 1e-6 and pix_err_rgb < 1e-6, (pix_err, pix_err_rgb)
    print("pixels: torchvision == PIL+numpy (max |diff| %.2g; converting to RGB first: %.2g); %s %s -> %s, crop %s"
          % (pix_err, pix_err_rgb, img_info["mode"], img_info["size_wh"], resized, crop))
    x = torch.from_numpy(px)

    # ---- forward -------------------------------------------------------------------------------------------------
    with torch.no_grad():
        img_pooled = model.visual.trunk(x)
        image_embeds = model.encode_image(x)
        txt_pooled = model.text.pooled(ids)
        text_embeds = model.encode_text(ids)
        alone = [model.encode_text(ids[r:r + 1, :int(mask[r].sum())])[0] for r in range(3)]
    pad_err = max(rel_diff(text_embeds[r].numpy(), alone[r].numpy()) for r in range(3))
    assert pad_err < 1e-6, pad_err
    layer_errs = check_layers(model, x, ids)
    sens = check_sensitivity(model, x, ids)
    alt_img, alt_txt = independent_forward(model, x, ids)
    alt_err = {"image": rel_diff(alt_img.numpy(), image_embeds.numpy()),
               "text": rel_diff(alt_txt.numpy(), text_embeds.numpy())}
    assert max(alt_err.values()) < 1e-5, alt_err
    print("checks: layers vs nn.TransformerEncoderLayer max |diff| %.2g (1 head instead of 2: %.2g, no key mask: "
          "%.2g); independent forward rel diff image %.2g text %.2g; prompt alone vs padded batch %.2g" % (
              max(layer_errs.values()), sens["vit_block_0_with_1_head_max_abs_diff"],
              sens["bert_layer_0_cls_without_mask_max_abs_diff"], alt_err["image"], alt_err["text"], pad_err))

    scale32 = float(model.logit_scale)
    tau = math.exp(scale32)
    e = image_embeds[0].numpy().astype(np.float64)
    t = text_embeds.numpy().astype(np.float64)
    logits = tau * (t / np.linalg.norm(t, axis=1, keepdims=True)) @ (e / np.linalg.norm(e))
    z = np.exp(logits - logits.max())
    probs = z / z.sum()
    m64 = _double_copy(model)
    with torch.no_grad():
        e64, t64 = m64.encode_image(x.double())[0], m64.encode_text(ids)
        l64 = (math.exp(float(m64.logit_scale)) * F.normalize(t64, dim=-1) @ F.normalize(e64, dim=-1)).numpy()
    d64 = float(np.abs(l64 - logits).max())
    assert d64 < 1e-4, d64
    print("cxr-a: logits %s  probs %s  (float64 model: max |diff| %.2g)" % (
        " ".join("%.4f" % v for v in logits), " ".join("%.4f" % v for v in probs), d64))

    # ---- references ----------------------------------------------------------------------------------------------
    save_npy(os.path.join(REF, "pixels-cxr-a.npy"), px)
    save_npy(os.path.join(REF, "image_embeds-cxr-a.npy"), image_embeds.numpy())
    save_npy(os.path.join(REF, "text_embeds.npy"), text_embeds.numpy())
    save_npy(os.path.join(REF, "image_pooled-cxr-a.npy"), img_pooled.numpy())
    save_npy(os.path.join(REF, "text_pooled.npy"), txt_pooled.numpy())
    write_json(os.path.join(REF, "reference.json"), {
        "model": "fixtures/tiny-biomedclip",
        "prompts": PROMPTS,
        "input_ids": ids.tolist(),
        "attention_mask": mask.tolist(),
        "text_batching": "one batch padded to max_length 16 (= context_length) with [PAD] (id 0), as open_clip's "
                         "HFTokenizer does (padding='max_length', truncation=True); the text tower builds its own "
                         "mask as input_ids != pad_token_id, which equals attention_mask",
        "text_embeds": "text_embeds.npy",
        "embedding": "encode_image / encode_text with normalize=False (projected, not normalised)",
        "pooled": {"image_pooled-cxr-a.npy": "visual.trunk output: class token after trunk.norm, [1,32], before "
                                             "visual.head.proj",
                   "text_pooled.npy": "last_hidden_state[:, 0] ([CLS]), [3,32], before text.proj"},
        "logit_scale": scale32,
        "logit_scale_note": "from open_clip_model.safetensors (float32, 0-d); open_clip's init value is ln(1/0.07)",
        "exp_logit_scale": tau,
        "logit_bias": None,
        "logits_formula": "exp(logit_scale) * cos(t_k, e)",
        "probs_formula": "softmax over the 3 prompts",
        "images": {"cxr-a": {
            "image": "fixtures/images/cxr-a.png",
            "pixels": "pixels-cxr-a.npy",
            "image_embeds": "image_embeds-cxr-a.npy",
            "preprocess": "open_clip eval transform with torchvision: Resize(32, bicubic, shortest edge) -> "
                          "CenterCrop(32) -> convert('RGB') -> ToTensor -> Normalize(preprocess_cfg mean, std)",
            "logits": [float(v) for v in logits],
            "probs": [float(v) for v in probs],
        }},
    })

    import PIL
    import torchvision

    write_json(os.path.join(REF, "meta.json"), {
        "generator": "scripts/dev/make_openclip_fixture.py",
        "seed": SEED,
        "modules": {
            "vision": {"timm": "VisionTransformer (vit_base_patch16_224 with timm_model_kwargs)",
                       "image_size": IMAGE_SIZE, "patch_size": PATCH, "embed_dim": V_HIDDEN, "depth": V_DEPTH,
                       "num_heads": V_HEADS, "mlp_hidden": V_MLP, "layer_norm_eps": V_EPS, "act": "gelu (erf)",
                       "pool": "class token after norm", "proj": "visual.head.proj (Linear, no bias)"},
            "text": {"hf": "BertModel(add_pooling_layer=False)", "vocab_size": len(vocab_list),
                     "hidden_size": T_HIDDEN, "num_hidden_layers": T_LAYERS, "num_attention_heads": T_HEADS,
                     "intermediate_size": T_INTER, "max_position_embeddings": T_MAX_POS, "layer_norm_eps": T_EPS,
                     "act": "gelu (erf)", "pooler": "cls_last_hidden_state_pooler",
                     "proj": "mlp: Linear(32, 24, no bias) -> GELU -> Linear(24, 16, no bias)"},
            "embed_dim": EMBED_DIM,
            "parameters": {"vision": sum(v.numel() for k, v in sd.items() if k.startswith("visual.")),
                           "text": sum(v.numel() for k, v in sd.items() if k.startswith("text.")),
                           "total": sum(v.numel() for v in sd.values())},
            "state_dict": {k: exp[k] for k in sorted(exp)},
        },
        "preprocessing": {"image": img_info, "resized_wh": resized, "crop_top_left": crop},
        "versions": {"python": sys.version.split()[0], "torch": torch.__version__,
                     "torchvision": torchvision.__version__, "numpy": np.__version__, "PIL": PIL.__version__},
        "checks": {
            "state_dict_keys_and_shapes_equal_expected": True,
            "safetensors_read_back_equal": True,
            "layers_vs_nn_TransformerEncoderLayer_max_abs_diff_float64": layer_errs,
            "layer_check_sensitivity": sens,
            "independent_forward_max_rel_diff": alt_err,
            "prompt_alone_vs_padded_batch_max_rel_diff": pad_err,
            "torchvision_vs_pil_numpy_pixels_max_abs_diff": pix_err,
            "rgb_first_vs_openclip_order_pixels_max_abs_diff": pix_err_rgb,
            "float64_vs_float32_logits_max_abs_diff": d64,
            "rust_tokenizers": rust_check,
        },
    })

    rows = folder_bytes(OUT)
    for p, n in rows:
        print("%9d  %s" % (n, p))
    total = sum(n for _, n in rows)
    print("%9d  total fixtures/tiny-biomedclip" % total)
    assert total < MAX_FOLDER_BYTES, total


if __name__ == "__main__":
    sys.exit(main())
