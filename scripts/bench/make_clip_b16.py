#!/usr/bin/python3
"""A full-size random CLIP ViT-B/16 checkpoint in HF's layout, for the import benchmark (not committed).

Writes .cache/bench/clip-b16/ (or the folder given as the first argument): config.json (openai/clip-vit-base-patch16's
sizes: vision 768 wide, 12 layers, 12 heads, patch 16 at 224; text 512 wide, 12 layers, 8 heads, 49408 tokens, 77
positions; projection 512), model.safetensors with every CLIPModel key (float32, seeded normal × 0.02, about 600 MB),
the tiny CLIP fixture's tokenizer files and its preprocessor config at 224 (the importer only copies them).
Needs only numpy: /usr/bin/python3 scripts/bench/make_clip_b16.py
"""
import json
import os
import shutil
import struct
import sys

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".cache", "bench", "clip-b16")
V, T, P, PATCH, IMG, VOCAB, POS = 768, 512, 512, 16, 224, 49408, 77


def keys():
    yield "logit_scale", ()
    v = "vision_model."
    yield v + "embeddings.class_embedding", (V,)
    yield v + "embeddings.patch_embedding.weight", (V, 3, PATCH, PATCH)
    yield v + "embeddings.position_embedding.weight", ((IMG // PATCH) ** 2 + 1, V)
    yield v + "pre_layrnorm.weight", (V,)
    yield v + "pre_layrnorm.bias", (V,)
    for prefix, width in ((v + "encoder.layers.", V), ("text_model.encoder.layers.", T)):
        for i in range(12):
            k = f"{prefix}{i}."
            for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
                yield k + f"self_attn.{proj}.weight", (width, width)
                yield k + f"self_attn.{proj}.bias", (width,)
            for ln in ("layer_norm1", "layer_norm2"):
                yield k + f"{ln}.weight", (width,)
                yield k + f"{ln}.bias", (width,)
            yield k + "mlp.fc1.weight", (4 * width, width)
            yield k + "mlp.fc1.bias", (4 * width,)
            yield k + "mlp.fc2.weight", (width, 4 * width)
            yield k + "mlp.fc2.bias", (width,)
    yield v + "post_layernorm.weight", (V,)
    yield v + "post_layernorm.bias", (V,)
    yield "visual_projection.weight", (P, V)
    t = "text_model."
    yield t + "embeddings.token_embedding.weight", (VOCAB, T)
    yield t + "embeddings.position_embedding.weight", (POS, T)
    yield t + "final_layer_norm.weight", (T,)
    yield t + "final_layer_norm.bias", (T,)
    yield "text_projection.weight", (P, T)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(0)
    entries = list(keys())
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shape in entries:
        n = int(np.prod(shape)) if shape else 1
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + 4 * n]}
        offset += 4 * n
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(os.path.join(OUT, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for name, shape in entries:
            if name == "logit_scale":
                arr = np.array(np.log(100.0), dtype="<f4")
            elif name.endswith(("norm1.weight", "norm2.weight", "layrnorm.weight", "layernorm.weight", "layer_norm.weight")):
                arr = np.ones(shape, dtype="<f4")
            else:
                arr = (rng.standard_normal(shape, dtype=np.float32) * 0.02).astype("<f4")
            f.write(arr.tobytes())
    config = {
        "model_type": "clip", "projection_dim": P, "logit_scale_init_value": 2.6592,
        "text_config": {"hidden_size": T, "intermediate_size": 4 * T, "num_attention_heads": 8, "num_hidden_layers": 12,
                        "max_position_embeddings": POS, "vocab_size": VOCAB, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5,
                        "bos_token_id": 49406, "eos_token_id": 49407, "pad_token_id": 1},
        "vision_config": {"hidden_size": V, "intermediate_size": 4 * V, "num_attention_heads": 12, "num_hidden_layers": 12,
                          "image_size": IMG, "patch_size": PATCH, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5},
    }
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(os.path.join(ROOT, "fixtures", "tiny-clip", name), os.path.join(OUT, name))
    with open(os.path.join(ROOT, "fixtures", "tiny-clip", "preprocessor_config.json")) as f:
        processor = json.load(f)
    processor.update({"size": {"shortest_edge": IMG}, "crop_size": {"height": IMG, "width": IMG}})
    with open(os.path.join(OUT, "preprocessor_config.json"), "w") as f:
        json.dump(processor, f, indent=2)
    print(f"wrote {OUT}: {len(entries)} tensors, {offset / 1e6:.0f} MB of weights")


if __name__ == "__main__":
    main()
