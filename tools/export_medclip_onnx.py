#!/usr/bin/env python3
"""Export a MedCLIP checkpoint to an Envision bundle with torch.onnx.export, using the `medclip` package itself.

This is the alternative to `envision import medclip` (which needs no Python) for users who already have MedCLIP
installed. It writes the same bundle: envision.json (field for field what `envision import medclip` writes),
vision.onnx, text.onnx (ONNX opset 17, dynamic batch and sequence axes, the same input and output names) and
vocab.txt. UNTESTED in the Envision repository (medclip and transformers cannot be installed there); see
tools/README.md.

Usage:
  python tools/export_medclip_onnx.py CHECKPOINT --out DIR [--variant vit|resnet] [--vocab VOCAB.txt]
                                      [--lowercase auto|true|false] [--no-check]

CHECKPOINT is a folder holding pytorch_model.bin (what MedCLIPModel.from_pretrained(input_dir) reads), the
pytorch_model.bin itself, or the downloaded medclip-vit-pretrained.zip / medclip-pretrained.zip.

Needs: medclip (0.0.3) with the transformers version it pins, torch >= 1.13 (opset 17), and the Hugging Face
backbones MedCLIP's constructors load (emilyalsentzer/Bio_ClinicalBERT, microsoft/swin-tiny-patch4-window7-224 for
vit, torchvision's ImageNet resnet50 for resnet): online, or already in the local caches. Optional: onnxruntime, to
check the exported models against torch (--no-check skips it).
"""
import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import zipfile

import torch
from torch import nn

BUNDLE_FORMAT = "envision-bundle/1"
OPSET = 17
MAX_LENGTH = 77  # MedCLIP sets tokenizer.model_max_length = 77
WEIGHTS_NAME = "pytorch_model.bin"
RESNET_KEY = "vision_model.model.conv1.weight"
VIT_KEY = "vision_model.model.embeddings.patch_embeddings.projection.weight"


def fail(message):
    print(f"export_medclip_onnx: {message}", file=sys.stderr)
    sys.exit(2)


class VisionEncoder(nn.Module):
    """pixel_values [B, 3, size, size] (normalised) -> image_embeds [B, M], unnormalised (MedCLIP's vision_model:
    Swin pooler_output + projection_head, or ResNet-50 whose fc is the projection)."""

    def __init__(self, vision_model):
        super().__init__()
        self.vision_model = vision_model

    def forward(self, pixel_values):
        return self.vision_model(pixel_values)


class TextEncoder(nn.Module):
    """input_ids, attention_mask int64 [B, L] -> text_embeds [B, M], unnormalised (MedCLIP's text_model: BERT
    hidden states 1, 2 and last averaged over all tokens, then over the three, then projection_head)."""

    def __init__(self, text_model):
        super().__init__()
        self.text_model = text_model

    def forward(self, input_ids, attention_mask):
        return self.text_model(input_ids, attention_mask)


def load_state_dict(checkpoint, tmp):
    """The state dict of a folder holding pytorch_model.bin, the .bin itself, or the downloaded zip."""
    path = checkpoint
    if os.path.isdir(checkpoint):
        path = os.path.join(checkpoint, WEIGHTS_NAME)
    elif zipfile.is_zipfile(checkpoint):
        with zipfile.ZipFile(checkpoint) as z:
            names = z.namelist()
            if not any(n.endswith("data.pkl") for n in names):  # not a torch file itself: a zip holding one
                inner = [n for n in names if n.endswith(".bin")]
                if len(inner) != 1:
                    fail(f"{checkpoint} holds {len(inner)} .bin files ({', '.join(inner) or 'none'}); extract the one to export")
                path = z.extract(inner[0], tmp)
    if not os.path.isfile(path):
        fail(f"{path} does not exist")
    try:
        # Plain tensors only: weights_only where torch has it (>= 1.13), so the pickle cannot run code.
        return torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:
        return torch.load(path, map_location="cpu")


def detect_variant(sd):
    if RESNET_KEY in sd:
        return "resnet"
    if VIT_KEY in sd:
        return "vit"
    fail(f"cannot tell the variant: neither '{RESNET_KEY}' (resnet) nor '{VIT_KEY}' (vit) is in the checkpoint")


def build_model(variant, sd):
    """MedCLIPModel with the checkpoint's weights, in eval mode, on the CPU."""
    from medclip import MedCLIPModel, MedCLIPVisionModel, MedCLIPVisionModelViT

    vision_cls = MedCLIPVisionModelViT if variant == "vit" else MedCLIPVisionModel
    model = MedCLIPModel(vision_cls=vision_cls)
    try:
        missing, unexpected = model.load_state_dict(sd, strict=False)
    except RuntimeError as e:  # shape mismatches
        fail(f"the checkpoint does not fit MedCLIPModel({vision_cls.__name__}): {' '.join(str(e).split())}")
    # HF versions differ in which buffers they save (position_ids, relative_position_index); weights may not.
    buffers = {name for name, _ in model.named_buffers()}
    missing = [k for k in missing if k not in buffers]
    unexpected = [k for k in unexpected if not k.endswith(("position_ids", "relative_position_index"))]
    if missing or unexpected:
        fail(f"the checkpoint does not fit MedCLIPModel({vision_cls.__name__}): missing {missing[:5]}, unexpected {unexpected[:5]}")
    return model.cpu().eval()


def build_tokenizer():
    """The tokenizer MedCLIP builds (medclip.dataset): AutoTokenizer of its BERT, model_max_length 77."""
    from medclip import constants
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(constants.BERT_TYPE)
    tokenizer.model_max_length = MAX_LENGTH
    return tokenizer


def export(module, args, path, input_names, output_names, dynamic_axes):
    torch.onnx.export(
        module,
        args,
        path,
        input_names=input_names,
        output_names=output_names,
        dynamic_axes=dynamic_axes,
        opset_version=OPSET,
        do_constant_folding=True,
    )


def check(path, feeds, expected, name):
    """Runs the exported model with onnxruntime (when installed) on other batch/sequence sizes than the export's."""
    try:
        import onnxruntime as ort
    except ImportError:
        print(f"  {name}: onnxruntime not installed, not checked")
        return
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {k: v.numpy() for k, v in feeds.items()})
    want = expected.numpy()
    err = float(abs(got - want).max() / abs(want).max())
    print(f"  {name}: onnxruntime vs torch, max |diff| / max |torch| = {err:.2e}")
    if not err < 1e-4:
        fail(f"{name}: the exported model differs from torch by {err:.2e} (relative)")


def main():
    p = argparse.ArgumentParser(description="Export a MedCLIP checkpoint to an Envision bundle (ONNX, opset 17).")
    p.add_argument("checkpoint", help="folder holding pytorch_model.bin, the .bin itself, or the downloaded zip")
    p.add_argument("--out", required=True, help="the bundle folder to create (must not exist)")
    p.add_argument("--variant", choices=["vit", "resnet"], help="vision variant (default: detected from the keys)")
    p.add_argument("--vocab", help="vocab.txt to copy (default: the vocabulary of MedCLIP's tokenizer)")
    p.add_argument("--lowercase", choices=["auto", "true", "false"], default="auto",
                   help="the manifest's tokenizer.lowercase (default: do_lower_case of MedCLIP's tokenizer)")
    p.add_argument("--no-check", action="store_true", help="skip the onnxruntime check")
    a = p.parse_args()

    out = os.path.abspath(a.out)
    if os.path.exists(out):
        fail(f"{a.out} already exists; choose a new folder for the bundle")
    parent = os.path.dirname(out)
    if not os.path.isdir(parent):
        fail(f"cannot write the bundle {a.out}: {parent} does not exist")
    if a.vocab is not None and not os.path.isfile(a.vocab):
        fail(f"cannot read {a.vocab}")

    try:
        from medclip import constants
    except ImportError as e:
        fail(f"the medclip package is not installed ({e}); use `envision import medclip` instead, which needs no Python")

    torch.set_grad_enabled(False)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.tmp-", dir=parent)  # renamed to OUT at the end
    try:
        sd = load_state_dict(a.checkpoint, tmp)
        variant = a.variant or detect_variant(sd)
        model = build_model(variant, sd)
        tokenizer = build_tokenizer()

        # Vision: normalised pixels, 3 channels (MedCLIP repeats grey to 3), traced at batch 2.
        size = constants.IMG_SIZE
        gen = torch.Generator().manual_seed(0)
        pixels = torch.randn((2, 3, size, size), generator=gen)
        vision = VisionEncoder(model.vision_model).eval()
        export(vision, (pixels,), os.path.join(tmp, "vision.onnx"), ["pixel_values"], ["image_embeds"],
               {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}})

        # Text: MedCLIP's own tokenisation (padding=True, truncation=True), traced at batch 2.
        prompts = ["mild linear atelectasis at the mid lung zone", "Cardiomegaly"]
        tokens = tokenizer(prompts, padding=True, truncation=True, return_tensors="pt")
        ids, mask = tokens["input_ids"].long(), tokens["attention_mask"].long()
        text = TextEncoder(model.text_model).eval()
        export(text, (ids, mask), os.path.join(tmp, "text.onnx"), ["input_ids", "attention_mask"], ["text_embeds"],
               {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                "text_embeds": {0: "batch"}})

        image_dim = int(vision(pixels[:1]).shape[1])
        text_dim = int(text(ids, mask).shape[1])
        if image_dim != text_dim:
            fail(f"the vision projection gives {image_dim} dimensions, the text projection {text_dim}")

        if not a.no_check:  # other sizes than the traced ones: the dynamic axes must hold
            px3 = torch.randn((3, 3, size, size), generator=gen)
            check(os.path.join(tmp, "vision.onnx"), {"pixel_values": px3}, vision(px3), "vision.onnx")
            more = tokenizer(prompts + ["moderate bilateral pleural effusion with pulmonary edema"], padding=True,
                             truncation=True, return_tensors="pt")
            t_ids, t_mask = more["input_ids"].long(), more["attention_mask"].long()
            check(os.path.join(tmp, "text.onnx"), {"input_ids": t_ids, "attention_mask": t_mask},
                  text(t_ids, t_mask), "text.onnx")

        if a.vocab is not None:
            shutil.copyfile(a.vocab, os.path.join(tmp, "vocab.txt"))
        else:
            written = tokenizer.save_vocabulary(tmp)
            if os.path.basename(written[0]) != "vocab.txt":
                os.replace(written[0], os.path.join(tmp, "vocab.txt"))
        with open(os.path.join(tmp, "vocab.txt"), encoding="utf-8") as f:
            tokens_in_vocab = sum(1 for line in f if line.rstrip("\n") != "")
        rows = model.text_model.model.embeddings.word_embeddings.weight.shape[0]
        if tokens_in_vocab > rows:
            fail(f"the vocabulary has {tokens_in_vocab} tokens but the checkpoint's word embeddings have {rows} rows: wrong vocabulary")

        if a.lowercase == "auto":
            lowercase = bool(getattr(tokenizer, "do_lower_case", False))
        else:
            lowercase = a.lowercase == "true"
        logit_scale = float(sd["logit_scale"].float().item())
        if not math.isfinite(logit_scale):
            fail(f"logit_scale is {logit_scale}")
        # Field for field (and in the same order) what `envision import medclip` writes.
        manifest = {
            "format": BUNDLE_FORMAT,
            "adapter": "medclip",
            "variant": variant,
            "vision": {"file": "vision.onnx", "input": "pixel_values", "output": "image_embeds", "channels": 3},
            "text": {"file": "text.onnx", "inputs": {"ids": "input_ids", "mask": "attention_mask"},
                     "output": "text_embeds"},
            "tokenizer": {"vocab": "vocab.txt", "lowercase": lowercase, "maxLength": MAX_LENGTH},
            "image": {"size": size, "mean": constants.IMG_MEAN, "std": constants.IMG_STD, "resample": "bicubic"},
            "logitScale": logit_scale,
            "embeddingDim": text_dim,
        }
        with open(os.path.join(tmp, "envision.json"), "w", encoding="utf-8") as f:
            f.write(json.dumps(manifest, indent=1) + "\n")
        for name in os.listdir(tmp):  # only the bundle's four files (an extracted .bin goes)
            if name not in ("envision.json", "vision.onnx", "text.onnx", "vocab.txt"):
                target = os.path.join(tmp, name)
                shutil.rmtree(target) if os.path.isdir(target) else os.remove(target)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp made it private; a bundle folder is an ordinary one
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    mb = lambda f: os.path.getsize(os.path.join(out, f)) / 1e6  # noqa: E731
    print(f"export_medclip_onnx: wrote {a.out} (MedCLIP {variant}, embeddingDim {text_dim}, logitScale {logit_scale}, "
          f"lowercase {str(lowercase).lower()}; vision.onnx {mb('vision.onnx'):.1f} MB, text.onnx {mb('text.onnx'):.1f} MB)")


if __name__ == "__main__":
    main()
