#!/usr/bin/python3
"""Train a small CLIP-architecture model on synthetic phantoms and write it as a HuggingFace CLIP checkpoint
(config.json, model.safetensors, tokenizer files), which `envision import clip` turns into fixtures/phantom-clip/
(dev-time only; tests and CI never run Python).

Run from the repository root after `pnpm build` (the phantom generator is the CLI); the defaults are the bundled
model's recipe (fixtures/phantom-clip/training.json records the exact command):
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/dev/train_phantom_clip.py --out .cache/phantom-clip-hf
    node packages/cli/dist/bin.js import clip .cache/phantom-clip-hf --out fixtures/phantom-clip
    cp .cache/phantom-clip-hf/{training.json,prompts.yaml} fixtures/phantom-clip/ && cp -r .cache/phantom-clip-hf/reference fixtures/phantom-clip/
Needs Debian's python3-torch python3-numpy python3-pil (no transformers). CPU only, one thread (--threads).

Steps
  1. Phantoms: the same sets as scripts/dev/train_phantom_medclip.py (its phantom_set: `envision phantom` with seeds
     0..N-1, the last --val a validation split; held-out seeds 100000..100499, cached under .cache/phantoms/), the same
     caption pools (each finding's captions plus its class label) and the same held-out evaluation targets (images
     with exactly one finding, plus the normal ones as No Finding).
  2. Model: HF CLIPModel at a small scale, module by module as scripts/dev/make_clip_fixtures.py (HF parameter names,
     quick_gelu, pre-LN): ViT vision tower (Conv2d patch embedding without bias, class token, learned positions,
     pre_layrnorm, encoder, post_layernorm of the class token, visual_projection without bias); causal text
     transformer (padding mask combined with the causal mask, final_layer_norm, pooled at the first EOS,
     text_projection without bias); logit_scale a 0-d parameter, initialised to ln(1/0.07) and clamped to [0, ln 100]
     after each step (OpenAI CLIP).
  3. Tokenizer: CLIP's byte-level BPE tokenizer.json (make_clip_fixtures.py's builder: NFC, whitespace, lowercase,
     CLIP's split regex, ByteLevel, "</w>" suffix) with the merges learnt greedily on the words of every caption and
     class label, so each caption word is one token. <|startoftext|>, <|endoftext|> (also pad and unk).
  4. Preprocessing: CLIPImageProcessor (RGB, shortest edge = size, center crop size x size: both no-ops at the
     phantoms' size, rescale 1/255, normalise) with the phantoms' grey-level mean/std (train_phantom_medclip.py's
     values) on all three channels.
  5. Training: symmetric InfoNCE (CLIP's loss: cross-entropy of image->text and text->image logits, hard targets on
     the diagonal) with the learned temperature; each step samples per image one of its findings (or its normal
     captions) and one caption of that pool. AdamW, linear warm-up then cosine decay over a wall-time budget.
  6. Zero-shot evaluation on the held-out set, as the TypeScript ZeroShotClassifier: L2-normalised embeddings,
     exp(logit_scale) * cosine, each class's prompts encoded as one padded batch, class logit = max over its prompts;
     prompts per class = the label and its lower-case form (the same as the MedCLIP bundle's prompts.yaml).
  7. Writes OUT/{config.json, preprocessor_config.json, tokenizer.json, tokenizer_config.json,
     special_tokens_map.json, model.safetensors, prompts.yaml, training.json, reference/}; reference/ holds torch's
     float32 image embeddings and class logits of the first held-out evaluation images (image_embeds.npy [4,M],
     logits.npy [4,8]) and the prompts' text embeddings (text_embeds.npy [16,M]) for the adapter's parity test
     (test/src/phantom-clip.test.ts), which regenerates those phantoms from their seeds.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_clip_fixtures as mc  # noqa: E402  (HF-semantics encoder layers, BPE tokenizer builder, safetensors writer)
import train_phantom_medclip as tm  # noqa: E402  (phantom sets, preprocessing, caption pools, evaluation targets)

torch.use_deterministic_algorithms(False)

ROOT = tm.ROOT
CLASSES = tm.CLASSES
PROMPTS = {c: tm.prompts_for(c) for c in CLASSES}
MAX_LOGIT_SCALE = math.log(100.0)
BOS, EOS = "<|startoftext|>", "<|endoftext|>"


# ---------------------------------------------------------------------------------------------
# Tokenizer: make_clip_fixtures.build_clip_tokenizer on this corpus
# ---------------------------------------------------------------------------------------------

def build_tokenizer(corpus, max_len):
    saved = mc.CAPTIONS
    mc.CAPTIONS = sorted(set(corpus))
    try:
        tok, info = mc.build_clip_tokenizer()
    finally:
        mc.CAPTIONS = saved
    info["max_len"] = max_len
    return tok, info


def tokenizer_config(info):
    def added(content, normalized):
        return {"content": content, "lstrip": False, "normalized": normalized, "rstrip": False, "single_word": False,
                "special": True}

    return {
        "add_prefix_space": False,
        "added_tokens_decoder": {str(info["bos_id"]): added(BOS, True), str(info["eos_id"]): added(EOS, False)},
        "bos_token": BOS, "clean_up_tokenization_spaces": True, "do_lower_case": True, "eos_token": EOS,
        "errors": "replace", "model_max_length": info["max_len"], "pad_token": EOS, "tokenizer_class": "CLIPTokenizer",
        "unk_token": EOS,
    }


def encode_batch(texts, info):
    """HF CLIPTokenizer semantics with padding='longest' (pad = EOS), truncation to max_len: ids, mask."""
    rows = [mc.clip_encode(t, info) for t in texts]
    for r in rows:
        assert len(r) <= info["max_len"], "caption longer than the context: %d tokens" % len(r)
    n = max(len(r) for r in rows)
    ids = [r + [info["pad_id"]] * (n - len(r)) for r in rows]
    mask = [[1] * len(r) + [0] * (n - len(r)) for r in rows]
    return torch.tensor(ids), torch.tensor(mask)


# ---------------------------------------------------------------------------------------------
# Model (HF CLIPModel names)
# ---------------------------------------------------------------------------------------------

class VisionEmbeddings(nn.Module):
    def __init__(self, size, patch, d):
        super().__init__()
        self.d = d
        self.class_embedding = nn.Parameter(torch.zeros(d))
        self.patch_embedding = nn.Conv2d(3, d, patch, stride=patch, bias=False)
        self.position_embedding = nn.Embedding((size // patch) ** 2 + 1, d)

    def forward(self, pixel_values):
        p = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)
        cls = self.class_embedding.reshape(1, 1, -1).expand(pixel_values.shape[0], 1, self.d)
        return torch.cat([cls, p], dim=1) + self.position_embedding.weight.unsqueeze(0)


class VisionTransformer(nn.Module):
    def __init__(self, size, patch, d, heads, layers):
        super().__init__()
        self.embeddings = VisionEmbeddings(size, patch, d)
        self.pre_layrnorm = nn.LayerNorm(d, eps=1e-5)
        self.encoder = mc.Encoder(d, heads, 4 * d, mc.quick_gelu, 1e-5, layers)
        self.post_layernorm = nn.LayerNorm(d, eps=1e-5)

    def forward(self, pixel_values):
        return self.post_layernorm(self.encoder(self.pre_layrnorm(self.embeddings(pixel_values)))[:, 0])


class TextTransformer(nn.Module):
    def __init__(self, vocab, d, heads, layers, max_pos, eos_id):
        super().__init__()
        self.d, self.eos_id = d, eos_id
        self.embeddings = mc.TextEmbeddings(vocab, d, max_pos)
        self.encoder = mc.Encoder(d, heads, 4 * d, mc.quick_gelu, 1e-5, layers)
        self.final_layer_norm = nn.LayerNorm(d, eps=1e-5)

    def forward(self, input_ids, attention_mask):
        h = self.embeddings(input_ids)
        pos = torch.arange(input_ids.shape[1])
        allowed = (pos[None, :] <= pos[:, None])[None, None] & (attention_mask[:, None, None, :] > 0)
        bias = torch.where(allowed, torch.zeros((), dtype=h.dtype), torch.full((), torch.finfo(h.dtype).min, dtype=h.dtype))
        last = self.final_layer_norm(self.encoder(h, bias))
        eos_pos = (input_ids == self.eos_id).to(torch.int32).argmax(dim=-1)  # the first EOS
        return last.gather(1, eos_pos.to(torch.int64).reshape(-1, 1, 1).expand(-1, 1, self.d)).squeeze(1)


class PhantomClip(nn.Module):
    def __init__(self, a, vocab, eos_id):
        super().__init__()
        self.vision_model = VisionTransformer(a.size, a.patch, a.width, a.heads, a.layers)
        self.text_model = TextTransformer(vocab, a.text_width, a.text_heads, a.text_layers, a.context, eos_id)
        self.visual_projection = nn.Linear(a.width, a.embed, bias=False)
        self.text_projection = nn.Linear(a.text_width, a.embed, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07), dtype=torch.float32))
        with torch.no_grad():  # HF CLIP's initialisation scales (std 0.02 embeddings, d^-0.5 class token)
            self.text_model.embeddings.token_embedding.weight.normal_(0, 0.02)
            self.text_model.embeddings.position_embedding.weight.normal_(0, 0.01)
            self.vision_model.embeddings.class_embedding.normal_(0, a.width ** -0.5)
            self.vision_model.embeddings.position_embedding.weight.normal_(0, 0.02)

    def image_embeds(self, pixels):
        return self.visual_projection(self.vision_model(pixels))

    def text_embeds(self, ids, mask):
        return self.text_projection(self.text_model(ids, mask))


def normalise(t):
    return t / t.norm(dim=-1, keepdim=True)


BLACK = (0.0 - tm.IMG_MEAN) / tm.IMG_STD  # a black pixel after the processor's normalisation


def shifted(pixels, shift):
    """Each image translated by its own random (dy, dx) in [-shift, shift] px, the uncovered border black: the
    phantoms' findings keep their side and zone under such small shifts, so the captions stay true."""
    if shift == 0:
        return pixels
    n, c, h, w = pixels.shape
    padded = F.pad(pixels, (shift, shift, shift, shift), value=BLACK)
    out = torch.empty_like(pixels)
    for i in range(n):
        dy, dx = random.randint(0, 2 * shift), random.randint(0, 2 * shift)
        out[i] = padded[i, :, dy:dy + h, dx:dx + w]
    return out


# ---------------------------------------------------------------------------------------------
# Evaluation: ZeroShotClassifier (max over prompts)
# ---------------------------------------------------------------------------------------------

@torch.no_grad()
def class_logits(model, pixels, info):
    model.eval()
    img = normalise(torch.cat([model.image_embeds(pixels[k:k + 256].expand(-1, 3, -1, -1))
                               for k in range(0, len(pixels), 256)]))
    scale = model.logit_scale.exp()
    out = []
    for c in CLASSES:
        t = normalise(model.text_embeds(*encode_batch(PROMPTS[c], info)))
        out.append((scale * img @ t.t()).max(1)[0])
    return torch.stack(out, 1)


def accuracy(model, pixels, y, info):
    logits = class_logits(model, pixels, info)
    pred = logits.argmax(1).numpy()
    per_class = {}
    for c, name in enumerate(CLASSES):
        m = y == c
        per_class[name] = {"n": int(m.sum()), "accuracy": float((pred[m] == c).mean()) if m.any() else None}
    return float((pred == y).mean()), per_class, pred, logits


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=8000, help="training phantoms (seeds 0..n-1)")
    ap.add_argument("--val", type=int, default=300, help="last training seeds kept out as a validation split")
    ap.add_argument("--heldout-seed", type=int, default=100000)
    ap.add_argument("--heldout-n", type=int, default=500)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--patch", type=int, default=16)
    ap.add_argument("--width", type=int, default=64, help="vision transformer width")
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--text-width", type=int, default=64)
    ap.add_argument("--text-heads", type=int, default=4)
    ap.add_argument("--text-layers", type=int, default=2)
    ap.add_argument("--context", type=int, default=32, help="text positions (max_position_embeddings)")
    ap.add_argument("--embed", type=int, default=64, help="projection_dim")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--shift", type=int, default=0, help="random translation of each training image, px")
    ap.add_argument("--false-negatives", choices=["keep", "mask"], default="mask",
                    help="in-batch pairs whose image shows the other caption's class: keep them as negatives (plain "
                         "CLIP) or mask them out of the softmax (the phantoms repeat classes within a batch)")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--wd", type=float, default=0.05)
    ap.add_argument("--minutes", type=float, default=5.0, help="wall-time budget of the training loop")
    ap.add_argument("--eval-every", type=int, default=200, help="validation accuracy every K steps")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--state", default=None,
                    help="torch state file (model, optimizer, step): loaded when it exists (training continues with a "
                         "new cosine cycle of --minutes), written after training")
    ap.add_argument("--out", required=True, help="folder of the HF checkpoint (import it with envision import clip)")
    a = ap.parse_args()
    assert a.heldout_seed >= a.n, "held-out seeds must not overlap the training seeds"

    torch.set_num_threads(a.threads)
    t_start = time.time()
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)

    tr_dir, tr_items = tm.phantom_set("train", a.size, 0, a.n)
    ho_dir, ho_items = tm.phantom_set("heldout", a.size, a.heldout_seed, a.heldout_n)
    # the phantoms' grey-level normalisation (train_phantom_medclip.py), as CLIPImageProcessor's mean/std per channel
    px_all = tm.load_pixels(tr_dir, tr_items, a.size).unsqueeze(1)
    px_ho = tm.load_pixels(ho_dir, ho_items, a.size).unsqueeze(1)
    n_train = a.n - a.val
    train_items, val_items = tr_items[:n_train], tr_items[n_train:]
    px_train, px_val = px_all[:n_train], px_all[n_train:]
    pools = [tm.caption_pools(it) for it in train_items]
    classes_of = [{c for c, _ in pool} for pool in pools]  # per training image: the classes it shows
    print("phantoms: %d train, %d val, %d held-out (%.1f s)" % (n_train, len(val_items), len(ho_items),
                                                                 time.time() - t_start), flush=True)

    texts = [c for it in tr_items + ho_items for c in it["captions"]] + [p for c in CLASSES for p in PROMPTS[c]]
    tok, info = build_tokenizer(texts, a.context)
    longest = max(len(mc.clip_encode(t, info)) for t in set(texts))
    assert longest <= a.context, longest
    model = PhantomClip(a, info["vocab_size"], info["eos_id"])
    params = [p for p in model.parameters()]
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.wd}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr)
    print("model: vision %d params, text %d params, vocab %d (%d merges), longest caption %d tokens" % (
        sum(p.numel() for p in model.vision_model.parameters()), sum(p.numel() for p in model.text_model.parameters()),
        info["vocab_size"], info["n_merges"], longest), flush=True)

    resumed = None
    if a.state and os.path.exists(a.state):
        state = torch.load(a.state)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        resumed = {"file": a.state, "step": state["step"], "train_minutes": state["train_minutes"]}
        print("resumed from %s (step %d)" % (a.state, state["step"]), flush=True)
    val_idx, val_y = tm.eval_targets(val_items)
    ho_idx, ho_y = tm.eval_targets(ho_items)
    budget, warmup = a.minutes * 60, 100
    t0 = time.time()
    step, epoch, history, losses = 0, 0, [], []
    done = False
    while not done:
        perm = torch.randperm(n_train)
        for k in range(0, n_train - a.batch + 1, a.batch):
            frac = (time.time() - t0) / budget
            if frac >= 1:
                done = True
                break
            model.train()
            lr = a.lr * min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * frac))
            for grp in opt.param_groups:
                grp["lr"] = lr
            b = perm[k:k + a.batch].tolist()
            caps, cap_class = [], []
            for i in b:
                c, pool = random.choice(pools[i])
                cap_class.append(c)
                caps.append(random.choice(pool))
            img = normalise(model.image_embeds(shifted(px_train[b], a.shift).expand(-1, 3, -1, -1)))
            txt = normalise(model.text_embeds(*encode_batch(caps, info)))
            logits = model.logit_scale.exp() * img @ txt.t()
            if a.false_negatives == "mask":
                # off-diagonal pairs where image i also shows caption j's class are not negatives: drop them from
                # both softmax denominators (the targets stay the diagonal)
                shows = torch.tensor([[cap_class[j] in classes_of[i] for j in range(len(b))] for i in b])
                shows.fill_diagonal_(False)
                logits = logits.masked_fill(shows, float("-inf"))
            target = torch.arange(len(b))
            loss = 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            with torch.no_grad():
                model.logit_scale.clamp_(0, MAX_LOGIT_SCALE)
            losses.append(float(loss))
            step += 1
            if step % a.eval_every == 0:
                val_acc = accuracy(model, px_val[val_idx], val_y, info)[0]
                history.append({"step": step, "epoch": epoch, "loss": float(np.mean(losses)), "val_accuracy": val_acc,
                                "logit_scale": float(model.logit_scale), "minutes": (time.time() - t0) / 60})
                losses = []
                print("step %5d  epoch %2d  loss %.4f  val %.3f  scale %.2f  %.1f min" % (
                    step, epoch, history[-1]["loss"], val_acc, history[-1]["logit_scale"], history[-1]["minutes"]),
                    flush=True)
        epoch += 1
    train_minutes = (time.time() - t0) / 60
    if resumed:  # the steps and minutes of the run(s) this one continued
        step += resumed["step"]
        train_minutes += resumed["train_minutes"]
    if a.state:
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                    "train_minutes": train_minutes}, a.state)

    acc, per_class, pred, logits = accuracy(model, px_ho[ho_idx], ho_y, info)
    confusion = np.zeros((len(CLASSES), len(CLASSES)), dtype=int)
    for t, p in zip(ho_y, pred):
        confusion[t, p] += 1
    print("held-out zero-shot accuracy: %.4f (%d images)" % (acc, len(ho_idx)))
    for name, r in per_class.items():
        print("  %-17s n=%3d  %s" % (name, r["n"], "-" if r["accuracy"] is None else "%.3f" % r["accuracy"]))

    # ---- the HF checkpoint
    out = a.out
    os.makedirs(os.path.join(out, "reference"), exist_ok=True)
    state = {k: v for k, v in model.state_dict().items()}
    mc.write_safetensors(os.path.join(out, "model.safetensors"), state)
    act = {"attention_dropout": 0.0, "hidden_act": "quick_gelu", "initializer_factor": 1.0, "initializer_range": 0.02,
           "layer_norm_eps": 1e-5, "projection_dim": a.embed}
    mc.write_json(os.path.join(out, "config.json"), {
        "architectures": ["CLIPModel"], "initializer_factor": 1.0, "logit_scale_init_value": 2.6592,
        "model_type": "clip", "projection_dim": a.embed,
        "text_config": dict(act, bos_token_id=info["bos_id"], eos_token_id=info["eos_id"], pad_token_id=info["pad_id"],
                            hidden_size=a.text_width, intermediate_size=4 * a.text_width,
                            max_position_embeddings=a.context, model_type="clip_text_model",
                            num_attention_heads=a.text_heads, num_hidden_layers=a.text_layers,
                            vocab_size=info["vocab_size"]),
        "torch_dtype": "float32",
        "vision_config": dict(act, hidden_size=a.width, image_size=a.size, intermediate_size=4 * a.width,
                              model_type="clip_vision_model", num_attention_heads=a.heads, num_channels=3,
                              num_hidden_layers=a.layers, patch_size=a.patch),
    })
    mc.write_json(os.path.join(out, "preprocessor_config.json"), {
        "crop_size": {"height": a.size, "width": a.size}, "do_center_crop": True, "do_convert_rgb": True,
        "do_normalize": True, "do_rescale": True, "do_resize": True, "feature_extractor_type": "CLIPFeatureExtractor",
        "image_mean": [tm.IMG_MEAN] * 3, "image_processor_type": "CLIPImageProcessor", "image_std": [tm.IMG_STD] * 3,
        "resample": 3, "rescale_factor": 1 / 255, "size": {"shortest_edge": a.size},
    })
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False, indent=1)
        f.write("\n")
    mc.write_json(os.path.join(out, "tokenizer_config.json"), tokenizer_config(info))
    mc.write_json(os.path.join(out, "special_tokens_map.json"), {"bos_token": BOS, "eos_token": EOS, "pad_token": EOS,
                                                                 "unk_token": EOS})
    with open(os.path.join(out, "prompts.yaml"), "w", encoding="utf-8") as f:
        f.write("# zero-shot prompts of the phantom classes (scripts/dev/train_phantom_clip.py; the same as "
                "fixtures/phantom-medclip/prompts.yaml)\nclasses:\n")
        for c in CLASSES:
            f.write("  %s: [%s]\n" % (c, ", ".join(json.dumps(p) for p in PROMPTS[c])))

    # ---- torch references for the TypeScript adapter
    model.eval()
    ref_idx = ho_idx[:4]
    with torch.no_grad():
        emb = model.image_embeds(px_ho[ref_idx].expand(-1, 3, -1, -1))
        prompts = [p for c in CLASSES for p in PROMPTS[c]]
        temb = model.text_embeds(*encode_batch(prompts, info))
    mc.save_npy(os.path.join(out, "reference", "image_embeds.npy"), emb.numpy())
    mc.save_npy(os.path.join(out, "reference", "logits.npy"), logits[:4].numpy())
    mc.save_npy(os.path.join(out, "reference", "text_embeds.npy"), temb.numpy())
    scale = float(model.logit_scale.detach())
    mc.write_json(os.path.join(out, "training.json"), {
        "script": "scripts/dev/train_phantom_clip.py",
        "command": "OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/dev/train_phantom_clip.py " + " ".join(sys.argv[1:]),
        "phantoms": {"size": a.size,
                     "train": {"seeds": [0, n_train - 1], "n": n_train},
                     "validation": {"seeds": [n_train, a.n - 1], "n": a.val},
                     "heldout": {"seeds": [a.heldout_seed, a.heldout_seed + a.heldout_n - 1], "n": a.heldout_n}},
        "model": {"vision": "ViT %d px, patch %d, width %d, %d layers, %d heads, class-token pooling" % (
                      a.size, a.patch, a.width, a.layers, a.heads),
                  "text": "causal transformer width %d, %d layers, %d heads, %d positions, first-EOS pooling" % (
                      a.text_width, a.text_layers, a.text_heads, a.context),
                  "embeddingDim": a.embed, "vocab": info["vocab_size"],
                  "parameters": sum(p.numel() for p in model.parameters())},
        "preprocessing": {"processor": "CLIPImageProcessor", "mean": tm.IMG_MEAN, "std": tm.IMG_STD},
        "training": {"loss": "symmetric InfoNCE (CLIP), learned temperature clamped to [0, ln 100]" + (
                         "; in-batch false negatives (image shows the other caption's class) masked out of both "
                         "softmaxes" if a.false_negatives == "mask" else ""),
                     "captions": "per image one finding (or the normal captions), one of its captions or its class "
                                 "label",
                     "augmentation": "random translation by up to %d px, black border" % a.shift if a.shift else "none",
                     "optimizer": "AdamW lr %g wd %g, %d warm-up steps, cosine over the time budget, grad-norm 1" % (
                         a.lr, a.wd, warmup),
                     "batch": a.batch, "epochs": epoch, "steps": step, "seed": a.seed, "resumed": resumed,
                     "train_minutes": round(train_minutes, 2), "total_minutes": round((time.time() - t_start) / 60, 2),
                     "threads": torch.get_num_threads(), "history": history},
        "logitScale": scale,
        "reference": [{"seed": ho_items[i]["seed"], "size": a.size, "labels": ho_items[i]["labels"],
                       "logits": [float(v) for v in logits[k]]} for k, i in enumerate(ref_idx)],
        "evaluation": {"method": "zero-shot, ZeroShotClassifier (exp(logit_scale) * cosine, max over prompts), held-out "
                                 "images with exactly one finding or none",
                       "prompts": PROMPTS, "n": len(ho_idx), "accuracy": acc, "per_class": per_class,
                       "confusion": {"classes": CLASSES, "rows_true_cols_pred": confusion.tolist()}},
    })
    print("wrote %s (%.1f min in all)" % (out, (time.time() - t_start) / 60))


if __name__ == "__main__":
    main()
