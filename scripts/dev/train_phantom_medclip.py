#!/usr/bin/python3
"""Train a small MedCLIP-architecture model on synthetic phantoms and export it as fixtures/phantom-medclip/
(dev-time only; tests and CI never run Python).

Run from the repository root after `pnpm build` (the phantom generator is the CLI); the defaults are the bundled
model's recipe (fixtures/phantom-medclip/training.json records the exact command of the bundle):
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/dev/train_phantom_medclip.py
Needs Debian's packages: python3-torch python3-onnx python3-numpy python3-pil, and libopenblas0-pthread (Debian's torch
uses the system BLAS; the reference BLAS is ~14x slower). CPU only, one thread (--threads).

Steps
  1. Phantoms: `envision phantom` with seeds 0..N-1 (training; the last --val of them are a validation split used only
     to report progress) and --heldout-n seeds from --heldout-seed (a disjoint range; zero-shot evaluation). Sets are
     cached under .cache/phantoms/<split>-<size>-<seed>-<n>/ (gitignored) and re-used when present.
  2. Model: MedCLIP's architecture at a small scale, built from the hand-written HF-semantics Swin and BERT modules of
     make_grad_fixtures.py / make_medclip_fixture.py. Vision (defaults): 128 px, patch 8 -> 16x16 tokens x32, three
     Swin stages of two blocks (dims 32-64-128, heads 2-4-8, window 8; stage 1's second block shifted by 4; the 8x8
     and 4x4 maps of stages 2 and 3 fit one window and are unshifted, as HF), patch merging, final LayerNorm, mean
     pooling, projection (no bias) to 64. (Patch 8 rather than 4: on 2 shared CPU cores the finer grid trains several
     times slower per step.) Text: make_medclip_fixture.TinyMedClipBert (hidden 32, 3 layers, 77
     positions; MedCLIP pooling = mean over all tokens, pads included, of hidden states 1, 2 and -1). The vocabulary
     is cased WordPiece-style: [PAD] [UNK] [CLS] [SEP] [MASK], punctuation, digits, letters and ##letters, and every
     caption / class-label word whole. Preprocessing is the adapter's (grey, pad to square on black, PIL bicubic
     resize, * float32(1/255), MedCLIP mean/std, 3 channels).
  3. Training: CLIP-style contrastive loss with a learnable logit scale (clamped to [0, ln 100] as MedCLIP) and
     MedCLIP's soft targets: image i and text j are positives in proportion to the labels they share (image labels are
     multi-hot over the classes + No Finding, a caption's label is the class it describes), so captions of the same
     class in a batch are not treated as negatives. Each step samples, per image, one of its findings (or its normal
     captions) and one caption of it; the class label itself ("Pleural Effusion", "pleural effusion") is part of the
     caption pool. AdamW, cosine learning-rate decay over a wall-time budget.
  4. Zero-shot evaluation on the held-out set: images with exactly one finding, plus the normal ones ("No Finding");
     MedCLIP's PromptClassifier (L2-normalised embeddings, cosine * logit scale, each class's prompts encoded as one
     padded batch, class logit = max over its prompts); prompts per class = the label and its lower-case form.
  5. Export: fixtures/phantom-medclip/{envision.json, vision.onnx, text.onnx, vocab.txt, training.json, prompts.yaml};
     training.json also holds torch's class logits of the first held-out images ("reference"), for checking the
     TypeScript adapter: `envision classify --bundle fixtures/phantom-medclip --image IMG
     --prompts fixtures/phantom-medclip/prompts.yaml --json` must give the same logits.
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_grad_fixtures as g  # noqa: E402  (Swin blocks, patch merging)
import make_medclip_fixture as mf  # noqa: E402  (tokenizer helpers, TinyMedClipBert, ONNX export, MedCLIP constants)

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CACHE = os.path.join(ROOT, ".cache", "phantoms")
OUT = os.path.join(ROOT, "fixtures", "phantom-medclip")
CLI = os.path.join(ROOT, "packages", "cli", "dist", "bin.js")
CLASSES = ["Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Pleural Effusion", "Nodule", "Pneumothorax",
           "No Finding"]
NO_FINDING = len(CLASSES) - 1
IMG_MEAN, IMG_STD = mf.IMG_MEAN, mf.IMG_STD
MAX_LOGIT_SCALE = mf.MAX_LOGIT_SCALE
EMBED_DIM, MAX_LEN = mf.EMBED_DIM, mf.MAX_LEN

torch.use_deterministic_algorithms(False)
torch.set_num_threads(2)


def prompts_for(cls):
    """Zero-shot prompts of a class: its label and the label in lower case (captions are lower case)."""
    return [cls, cls.lower()]


# ---------------------------------------------------------------------------------------------
# Phantoms
# ---------------------------------------------------------------------------------------------

def phantom_set(split, size, seed, n):
    d = os.path.join(CACHE, "%s-%d-%d-%d" % (split, size, seed, n))
    index = os.path.join(d, "index.json")
    if not os.path.exists(index):
        if not os.path.exists(CLI):
            sys.exit("missing %s: run `pnpm build` first" % CLI)
        subprocess.run(["node", CLI, "phantom", "--n", str(n), "--seed", str(seed), "--out", d, "--size", str(size)],
                       check=True)
    with open(index, encoding="utf-8") as f:
        data = json.load(f)
    assert data["n"] == n and data["seed"] == seed and data["size"] == size, index
    return d, data["items"]


def preprocess(path, size):
    """The adapter's (MedCLIPFeatureExtractor's) preprocessing, one channel: [size, size] float32."""
    img = Image.open(path).convert("L")
    w, h = img.size
    side = max(size, w, h)
    canvas = Image.new("L", (side, side), 0)
    canvas.paste(img, ((side - w) // 2, (side - h) // 2))
    img = canvas.resize((size, size), Image.BICUBIC)
    a = np.asarray(img, dtype=np.float32) * np.float32(1 / 255)
    return (a - np.float32(IMG_MEAN)) / np.float32(IMG_STD)


def load_pixels(directory, items, size):
    return torch.from_numpy(np.stack([preprocess(os.path.join(directory, it["image"]), size) for it in items]))


def label_vector(item):
    v = np.zeros(len(CLASSES), dtype=np.float32)
    if not item["findings"]:
        v[NO_FINDING] = 1
    for f in item["findings"]:
        v[CLASSES.index(f["class"])] = 1
    return v


def caption_pools(item):
    """Per finding (or the normal image): (class index, captions incl. the class label)."""
    if not item["findings"]:
        return [(NO_FINDING, list(item["captions"]) + prompts_for("No Finding"))]
    return [(CLASSES.index(f["class"]), list(f["captions"]) + prompts_for(f["class"])) for f in item["findings"]]


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

def build_vocab(texts):
    words = set()
    for t in texts:
        words.update(mf.basic_tokenize(t))
    words -= set(mf.PUNCT)
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    toks = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + mf.PUNCT + [str(d) for d in range(10)] + letters
    toks += ["##" + c for c in letters] + ["##" + str(d) for d in range(10)]
    toks += sorted(words - set(toks))
    assert len(toks) == len(set(toks))
    return toks


# ---------------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------------

class PhantomSwin(nn.Module):
    """MedCLIPVisionModelViT with a small HF-semantics Swin: size -> patch p -> (size/p)^2 x C, then `stages` stages of
    two blocks (the second shifted by window/2 unless the map fits one window, as HF), each stage but the last followed
    by patch merging (tokens / 4, width x 2, heads x 2), final LayerNorm, mean pooling, projection (no bias)."""

    def __init__(self, size, gen, dim=32, window=6, patch=4, stages=2, stem="patch"):
        super().__init__()
        r = size // patch
        assert size % patch == 0 and r % (2 ** (stages - 1)) == 0, "size / patch must halve stages - 1 times"
        for k in range(stages):
            rk = r >> k
            assert rk <= window or rk % window == 0, "token grids must tile into windows"
        if stem == "patch":  # HF SwinPatchEmbeddings: one patch x patch convolution with stride patch
            self.patch_embed = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)
        else:  # a convolutional stem (Xiao et al. 2021, "Early convolutions help transformers see better"):
            # 3x3 stride-2 convolutions with ReLU down to stride `patch`, then a 1x1 projection to the token width
            layers, c_in, c = [], 3, max(8, dim // 2)
            for _ in range(int(math.log2(patch))):
                layers += [nn.Conv2d(c_in, c, kernel_size=3, stride=2, padding=1), nn.ReLU()]
                c_in, c = c, min(dim, 2 * c)
            layers.append(nn.Conv2d(c_in, dim, kernel_size=1))
            self.patch_embed = nn.Sequential(*layers)
        self.embed_norm = nn.LayerNorm(dim, eps=1e-5)
        sh = window // 2
        self.stages = nn.ModuleList()
        self.merges = nn.ModuleList()
        for k in range(stages):
            d, rk = dim << k, r >> k
            self.stages.append(nn.ModuleList([g.SwinBlock(d, 2 << k, rk, window, 0, gen),
                                              g.SwinBlock(d, 2 << k, rk, window, sh, gen)]))
            if k < stages - 1:
                self.merges.append(g.PatchMerging(d, rk))
        width = dim << (stages - 1)
        self.layernorm = nn.LayerNorm(width, eps=1e-5)
        self.projection = nn.Linear(width, EMBED_DIM, bias=False)
        with torch.no_grad():  # HF initialises the relative-position tables small (zeros); the fixture's are 0.5*randn
            for m in self.modules():
                if isinstance(m, g.SwinAttention):
                    m.relative_position_bias_table.mul_(0.04)

    def forward(self, pixel_values):
        x = self.embed_norm(self.patch_embed(pixel_values).flatten(2).transpose(1, 2))
        for k, stage in enumerate(self.stages):
            for blk in stage:
                x = blk(x)
            if k < len(self.merges):
                x = self.merges[k](x)
        return self.projection(self.layernorm(x).mean(dim=1))


def embed_unpadded(text, texts, index):
    """Text embeddings of `texts`, each encoded without padding (captions grouped by token count, one batch per
    count). MedCLIP's pooling averages over every position, pads included, so a caption's embedding depends on how
    much padding its batch adds; the zero-shot prompts of a class are short and of equal length (no padding), so
    training on unpadded captions keeps training and evaluation consistent."""
    rows = [mf.encode_batch([t], index)[0][0] for t in texts]
    groups = {}
    for i, r in enumerate(rows):
        groups.setdefault(len(r), []).append(i)
    out = [None] * len(texts)
    for length, idx in groups.items():
        emb = text(torch.tensor([rows[i] for i in idx]), torch.ones(len(idx), length, dtype=torch.long))
        for k, i in enumerate(idx):
            out[i] = emb[k]
    return torch.stack(out)


def normalise(t):
    return t / t.norm(dim=-1, keepdim=True)


def soft_clip_loss(img, txt, logit_scale, img_labels, txt_labels):
    """MedCLIP's semantic-matching loss: soft targets from label overlap, both directions."""
    scale = logit_scale.clamp(0, MAX_LOGIT_SCALE).exp()
    logits = scale * normalise(img) @ normalise(txt).t()  # [B images, B texts]
    sim = img_labels @ txt_labels.t()  # > 0 where image i has the class text j describes (diagonal always)
    t_i = sim / sim.sum(1, keepdim=True)
    t_t = sim.t() / sim.t().sum(1, keepdim=True)
    return 0.5 * (-(t_i * F.log_softmax(logits, 1)).sum(1).mean() - (t_t * F.log_softmax(logits.t(), 1)).sum(1).mean())


# ---------------------------------------------------------------------------------------------
# Evaluation: MedCLIP PromptClassifier
# ---------------------------------------------------------------------------------------------

def eval_targets(items):
    """Indices of the items with exactly one finding or none, and their class index."""
    idx, y = [], []
    for i, it in enumerate(items):
        if len(it["findings"]) <= 1:
            idx.append(i)
            y.append(NO_FINDING if not it["findings"] else CLASSES.index(it["findings"][0]["class"]))
    return idx, np.array(y)


@torch.no_grad()
def zero_shot(vision, text, logit_scale, pixels, y, index):
    vision.eval()
    text.eval()
    img = normalise(torch.cat([vision(pixels[k:k + 256].expand(-1, 3, -1, -1)) for k in range(0, len(pixels), 256)]))
    scale = logit_scale.clamp(0, MAX_LOGIT_SCALE).exp()
    cls_logits = []
    for cls in CLASSES:
        ids, mask = mf.encode_batch(prompts_for(cls), index)  # one padded batch per class, as PromptClassifier
        t = normalise(text(torch.tensor(ids), torch.tensor(mask)))
        cls_logits.append((scale * img @ t.t()).max(1)[0])
    pred = torch.stack(cls_logits, 1).argmax(1).numpy()
    per_class = {}
    for c, name in enumerate(CLASSES):
        m = y == c
        per_class[name] = {"n": int(m.sum()), "accuracy": float((pred[m] == c).mean()) if m.any() else None}
    return float((pred == y).mean()), per_class, pred, torch.stack(cls_logits, 1)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=20000, help="training phantoms (seeds 0..n-1)")
    ap.add_argument("--val", type=int, default=300, help="last training seeds kept out as a validation split")
    ap.add_argument("--heldout-seed", type=int, default=100000)
    ap.add_argument("--heldout-n", type=int, default=500)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--dim", type=int, default=32, help="Swin embedding width of stage 1")
    ap.add_argument("--patch", type=int, default=8)
    ap.add_argument("--window", type=int, default=8)
    ap.add_argument("--stages", type=int, default=3, help="Swin stages (two blocks each)")
    ap.add_argument("--prompt-loss", type=float, default=0.0,
                    help="weight of a second contrastive term per step: each image against all class prompts, soft "
                         "targets over the prompts of the classes it has (MedCLIP's semantic matching with the prompts)")
    ap.add_argument("--state", default=None,
                    help="torch state file (vision, text, logit scale, optimizer): loaded when it exists (training "
                         "continues with a new cosine cycle of --minutes), written after training")
    ap.add_argument("--shift", type=int, default=0, help="random translation of each batch by up to this many pixels")
    ap.add_argument("--stem", choices=["patch", "conv"], default="patch",
                    help="patch: HF's patch embedding; conv: 3x3 stride-2 convolutions with ReLU (faster to train)")
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--minutes", type=float, default=85.0, help="wall-time budget of the training loop")
    ap.add_argument("--max-epochs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0, help="torch / sampling seed")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (use 1 when another job holds a core: 2 threads on 1 free core ran ~10x slower)")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    assert args.heldout_seed >= args.n, "held-out seeds must not overlap the training seeds"

    torch.set_num_threads(args.threads)
    t_start = time.time()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    tr_dir, tr_items = phantom_set("train", args.size, 0, args.n)
    ho_dir, ho_items = phantom_set("heldout", args.size, args.heldout_seed, args.heldout_n)
    px_all = load_pixels(tr_dir, tr_items, args.size).unsqueeze(1)  # [N,1,S,S]; expanded to 3 channels on use
    px_ho = load_pixels(ho_dir, ho_items, args.size).unsqueeze(1)
    n_train = args.n - args.val
    train_items, val_items = tr_items[:n_train], tr_items[n_train:]
    px_train, px_val = px_all[:n_train], px_all[n_train:]
    img_labels = torch.from_numpy(np.stack([label_vector(it) for it in train_items]))
    pools = [caption_pools(it) for it in train_items]
    print("phantoms: %d train, %d val, %d held-out (%.1f s)" % (n_train, len(val_items), len(ho_items),
                                                                 time.time() - t_start), flush=True)

    texts = [c for it in tr_items + ho_items for c in it["captions"]] + [p for c in CLASSES for p in prompts_for(c)]
    vocab = build_vocab(texts)
    index = {t: i for i, t in enumerate(vocab)}
    unk = index["[UNK]"]
    for t in set(texts):
        assert unk not in mf.encode_batch([t], index)[0][0], t

    gen = torch.Generator().manual_seed(args.seed + 31)
    vision = PhantomSwin(args.size, gen, args.dim, args.window, args.patch, args.stages, args.stem)
    text = mf.TinyMedClipBert(len(vocab))
    logit_scale = nn.Parameter(torch.tensor(mf.LOGIT_SCALE))
    params = list(vision.parameters()) + list(text.parameters()) + [logit_scale]
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr)
    print("model: vision %d params, text %d params, vocab %d" % (
        sum(p.numel() for p in vision.parameters()), sum(p.numel() for p in text.parameters()), len(vocab)), flush=True)

    if args.state and os.path.exists(args.state):
        state = torch.load(args.state)
        vision.load_state_dict(state["vision"])
        text.load_state_dict(state["text"])
        with torch.no_grad():
            logit_scale.copy_(state["logit_scale"])
        opt.load_state_dict(state["optimizer"])
        print("resumed from %s" % args.state, flush=True)
    val_idx, val_y = eval_targets(val_items)
    ho_idx, ho_y = eval_targets(ho_items)
    budget = args.minutes * 60
    warmup = 30
    t0 = time.time()
    step, epoch, history = 0, 0, []
    while epoch < args.max_epochs and time.time() - t0 < budget:
        vision.train()
        text.train()
        perm = torch.randperm(n_train)
        losses = []
        for k in range(0, n_train - args.batch + 1, args.batch):
            frac = (time.time() - t0) / budget
            if frac >= 1:
                break
            lr = args.lr * min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0)))
            for grp in opt.param_groups:
                grp["lr"] = lr
            b = perm[k:k + args.batch].tolist()
            caps, txt_labels = [], torch.zeros(len(b), len(CLASSES))
            for j, i in enumerate(b):
                cls, pool = random.choice(pools[i])
                caps.append(random.choice(pool))
                txt_labels[j, cls] = 1
            x = px_train[b]
            if args.shift > 0:  # random translation of the batch by up to --shift pixels (edges replicated)
                n_, dx, dy = args.shift, random.randint(-args.shift, args.shift), random.randint(-args.shift, args.shift)
                x = F.pad(x, (n_, n_, n_, n_), mode="replicate")[:, :, n_ + dy:n_ + dy + args.size, n_ + dx:n_ + dx + args.size]
            if random.random() < 0.5:  # mild intensity jitter (in normalised units)
                x = x * (1 + 0.1 * (torch.rand(len(b), 1, 1, 1) - 0.5)) + 0.1 * (torch.rand(len(b), 1, 1, 1) - 0.5)
            vision_out = vision(x.expand(-1, 3, -1, -1))
            loss = soft_clip_loss(vision_out, embed_unpadded(text, caps, index), logit_scale, img_labels[b], txt_labels)
            if args.prompt_loss > 0:  # image -> class prompts, soft targets: every prompt of every class the image has
                prompts = [p for c in CLASSES for p in prompts_for(c)]
                owner = torch.tensor([c for c in range(len(CLASSES)) for _ in prompts_for(CLASSES[c])])
                scale = logit_scale.clamp(0, MAX_LOGIT_SCALE).exp()
                lp = scale * normalise(vision_out) @ normalise(embed_unpadded(text, prompts, index)).t()
                tp = img_labels[b][:, owner]
                loss = loss + args.prompt_loss * -(tp / tp.sum(1, keepdim=True) * F.log_softmax(lp, 1)).sum(1).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            losses.append(float(loss))
            step += 1
        epoch += 1
        val_acc = zero_shot(vision, text, logit_scale, px_val[val_idx], val_y, index)[0]
        history.append({"epoch": epoch, "step": step, "loss": float(np.mean(losses)) if losses else None,
                        "val_accuracy": val_acc, "minutes": (time.time() - t0) / 60})
        print("epoch %3d  step %5d  loss %.4f  val %.3f  scale %.2f  %.1f min" % (
            epoch, step, history[-1]["loss"] or float("nan"), val_acc, float(logit_scale.clamp(0, MAX_LOGIT_SCALE)),
            history[-1]["minutes"]), flush=True)
    train_minutes = (time.time() - t0) / 60
    if args.state:
        torch.save({"vision": vision.state_dict(), "text": text.state_dict(), "logit_scale": logit_scale.detach(),
                    "optimizer": opt.state_dict()}, args.state)

    acc, per_class, pred, logits = zero_shot(vision, text, logit_scale, px_ho[ho_idx], ho_y, index)
    confusion = np.zeros((len(CLASSES), len(CLASSES)), dtype=int)
    for a, p in zip(ho_y, pred):
        confusion[a, p] += 1
    print("held-out zero-shot accuracy: %.4f (%d images)" % (acc, len(ho_idx)))
    for name, r in per_class.items():
        print("  %-17s n=%3d  %s" % (name, r["n"], "-" if r["accuracy"] is None else "%.3f" % r["accuracy"]))

    # ---- export
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    vision.eval()
    text.eval()
    dummy = px_ho[:1].expand(-1, 3, -1, -1).contiguous()
    mf.export(vision, (dummy,), os.path.join(args.out, "vision.onnx"), ["pixel_values"], ["image_embeds"],
              {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}})
    ids0, mask0 = mf.encode_batch(prompts_for("Pleural Effusion"), index)
    seq = {0: "batch", 1: "sequence"}
    mf.export(text, (torch.tensor(ids0), torch.tensor(mask0)), os.path.join(args.out, "text.onnx"),
              ["input_ids", "attention_mask"], ["text_embeds"],
              {"input_ids": seq, "attention_mask": seq, "text_embeds": {0: "batch"}})
    scale = float(logit_scale.detach())
    mf.write_json(os.path.join(args.out, "envision.json"), {
        "format": "envision-bundle/1", "adapter": "medclip", "variant": "phantom",
        "vision": {"file": "vision.onnx", "input": "pixel_values", "output": "image_embeds", "channels": 3},
        "text": {"file": "text.onnx", "inputs": {"ids": "input_ids", "mask": "attention_mask"}, "output": "text_embeds"},
        "tokenizer": {"vocab": "vocab.txt", "lowercase": False, "maxLength": MAX_LEN},
        "image": {"size": args.size, "mean": IMG_MEAN, "std": IMG_STD, "resample": "bicubic"},
        "logitScale": scale, "embeddingDim": EMBED_DIM,
    })
    with open(os.path.join(args.out, "prompts.yaml"), "w", encoding="utf-8") as f:
        f.write("# zero-shot prompts of the phantom classes (scripts/dev/train_phantom_medclip.py)\nclasses:\n")
        for c in CLASSES:
            f.write("  %s: [%s]\n" % (c, ", ".join(json.dumps(p) for p in prompts_for(c))))
    mf.write_json(os.path.join(args.out, "training.json"), {
        "script": "scripts/dev/train_phantom_medclip.py",
        "command": "/usr/bin/python3 scripts/dev/train_phantom_medclip.py " + " ".join(sys.argv[1:]),
        "phantoms": {"size": args.size,
                     "train": {"seeds": [0, n_train - 1], "n": n_train},
                     "validation": {"seeds": [n_train, args.n - 1], "n": args.val},
                     "heldout": {"seeds": [args.heldout_seed, args.heldout_seed + args.heldout_n - 1],
                                 "n": args.heldout_n}},
        "model": {"vision": "Swin %d px, %s stem, patch %d, dims %s, depths %s, heads %s, window %d, mean pooling" % (
            args.size, args.stem, args.patch, "-".join(str(args.dim << k) for k in range(args.stages)),
            "-".join("2" for _ in range(args.stages)), "-".join(str(2 << k) for k in range(args.stages)), args.window), "text": "BERT hidden 32, 3 layers, 2 heads",
                  "embeddingDim": EMBED_DIM, "vocab": len(vocab)},
        "training": {"loss": "MedCLIP soft-target contrastive loss, learnable clamped logit scale; captions encoded "
                             "without padding (grouped by token count)",
                     "optimizer": "AdamW lr %g wd 0.05, cosine over the time budget" % args.lr,
                     "prompt_loss": args.prompt_loss, "shift": args.shift,
                     "batch": args.batch, "epochs": epoch, "steps": step, "seed": args.seed,
                     "train_minutes": round(train_minutes, 2),
                     "total_minutes": round((time.time() - t_start) / 60, 2), "threads": torch.get_num_threads(),
                     "history": history},
        "logitScale": scale,
        "reference": [{"image": os.path.relpath(os.path.join(ho_dir, ho_items[i]["image"]), ROOT),
                       "seed": ho_items[i]["seed"], "size": args.size,
                       "labels": ho_items[i]["labels"], "logits": [float(v) for v in logits[k]]}
                      for k, i in enumerate(ho_idx[:4])],
        "evaluation": {"method": "zero-shot, PromptClassifier (cosine, max over prompts), held-out images with "
                                 "exactly one finding or none", "prompts": {c: prompts_for(c) for c in CLASSES},
                       "n": len(ho_idx), "accuracy": acc, "per_class": per_class,
                       "confusion": {"classes": CLASSES, "rows_true_cols_pred": confusion.tolist()}},
    })
    total = 0
    for fn in sorted(os.listdir(args.out)):
        size = os.path.getsize(os.path.join(args.out, fn))
        total += size
        print("%9d  %s" % (size, os.path.relpath(os.path.join(args.out, fn), ROOT)))
    print("%9d  total" % total)


if __name__ == "__main__":
    main()
