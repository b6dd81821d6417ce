#!/usr/bin/python3
"""Reference saliency maps for the fusion rules (cosine, softmax, dot) on the tiny dual encoder (dev-time only; tests
and CI never run Python).

Run from anywhere:  /usr/bin/python3 scripts/dev/make_fusion_fixtures.py
Needs Debian's packages: python3-torch python3-onnx python3-numpy python3-pil (as make_fixtures.py).

Model: the tiny random-weight dual encoder of fixtures/tiny-dual/, rebuilt with make_fixtures.py's constructors and
its seed sequence (torch.manual_seed(1234) -> TinyVision(), torch.manual_seed(5678) -> TinyText(len(vocab))).
The script asserts that the rebuilt models are the fixture's:
  * the float32 torch image embedding of reference_pixels.npy and the float32 text embeddings of the reference
    input_ids/attention_mask (one padded batch) equal reference.json to 1e-6 (they are in fact bit-identical);
  * every weight equals its initializer in vision.onnx / text.onnx (by name, or by value where the exporter renamed
    or transposed it);
  * reference_pixels.npy is the MedCLIP preprocessing of reference.json's image, and vocab.txt is build_vocab().

Everything below is computed in float64 (model.double(); the float32 pixels are widened exactly). With
  x      = reference_pixels.npy [1,3,224,224]
  e(x)   = vision(x) [32]                        (the unnormalised image embedding)
  t_k    = text(input_ids, attention_mask)[k]    (k = 0..2, the 3 reference prompts embedded as ONE padded batch,
                                                   exactly as in reference.json; MedCLIP's pooling averages over
                                                   padded tokens too, so the padding length matters)
  c      = exp(logitScale)                        (logitScale from envision.json)
  u^     = u / ||u||_2
the explained scalars are
  cosine   s_k = c * <t^_k, e^(x)>               (MedCLIP's true logit)
  softmax  p_k = exp(s_k) / sum_j exp(s_j)       (over the 3 prompts)
  dot      d_k = c * <t^_k, e(x)>                (the paper's dot score: text normalised, image NOT normalised)
and <name>_saliency.npy [3,3,224,224] row k = d(scalar_k)/dx (plain signed gradient, torch.autograd, no abs),
stored as float32. The text side is constant (no gradient flows to it).

Checks on every run: the rebuilt model == the fixture (above); closed forms of the three gradients via the
vision VJP, i.e. grad d_k = c J^T t^_k, grad s_k = (grad d_k - s_k J^T e^) / ||e||, grad p_k = p_k (grad s_k -
sum_j p_j grad s_j); float64 central finite differences along a few random directions; logits recomputed from the
float32 reference.json embeddings agree.

Output: fixtures/fusion/ (logit_saliency.npy, softmax_saliency.npy, dot_saliency.npy, logits.json, meta.json).
The pixels are not copied (that would push the directory over 6 MB): meta.json points at
fixtures/tiny-dual/reference_pixels.npy.

Deterministic: fixed seeds, single-threaded deterministic torch; re-running gives byte-identical files.
"""
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_fixtures as mf  # noqa: E402  (sets single-threaded, deterministic torch)

ROOT = mf.ROOT
TINY = os.path.join(ROOT, "fixtures", "tiny-dual")
OUT = os.path.join(ROOT, "fixtures", "fusion")
PIXELS_REL = "fixtures/tiny-dual/reference_pixels.npy"


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(obj, indent=2))
        f.write("\n")


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def rebuild_models():
    """Same construction (and RNG consumption) as make_fixtures.make_tiny_dual."""
    vocab = mf.build_vocab()
    torch.manual_seed(1234)
    vision = mf.TinyVision().eval()
    torch.manual_seed(5678)
    text = mf.TinyText(len(vocab)).eval()
    return vocab, vision, text


def check_onnx_initializers(model, path):
    """Every weight must be in the ONNX file: under its own name (directly or via an Identity alias), or, where the
    exporter renamed it, by value (Linear weights appear transposed as MatMul initializers; of the token-type
    embedding only row 0 is used, folded into an Add constant). Returns (matched by name, matched by value, total)."""
    import onnx
    import onnx.numpy_helper

    g = onnx.load(path).graph
    inits = {i.name: onnx.numpy_helper.to_array(i) for i in g.initializer}
    for n in g.node:
        if n.op_type == "Identity" and n.input[0] in inits:
            inits[n.output[0]] = inits[n.input[0]]
    by_name = by_value = 0
    for name, p in model.state_dict().items():
        p = p.numpy()
        if name in inits:
            assert np.array_equal(inits[name], p), (path, name)
            by_name += 1
            continue
        candidates = [p.T] if p.ndim == 2 else [p]
        if name == "typ.weight":
            candidates = [p[0]]
        assert any(a.shape == c.shape and np.array_equal(a, c) for a in inits.values() for c in candidates), \
            (path, name)
        by_value += 1
    return by_name, by_value, len(model.state_dict())


def check_fixture(vocab, vision, text, ref, env, pixels):
    with open(os.path.join(TINY, "vocab.txt"), encoding="utf-8") as f:
        assert f.read() == "\n".join(vocab) + "\n", "vocab.txt differs from build_vocab()"
    assert env["logitScale"] == mf.LOGIT_SCALE
    image = mf.medclip_preprocess(os.path.join(ROOT, "fixtures", ref["image"]))
    assert np.array_equal(image, pixels), "reference_pixels.npy is not the preprocessed reference image"

    ids = torch.tensor(ref["input_ids"], dtype=torch.int64)
    mask = torch.tensor(ref["attention_mask"], dtype=torch.int64)
    with torch.no_grad():
        e32 = vision(torch.from_numpy(pixels)).numpy()
        t32 = text(ids, mask).numpy()
    ref_e = np.asarray(ref["image_embeds"], dtype=np.float64)
    ref_t = np.asarray(ref["text_embeds"], dtype=np.float64)
    de = float(np.abs(e32.astype(np.float64) - ref_e).max())
    dt = float(np.abs(t32.astype(np.float64) - ref_t).max())
    assert de <= 1e-6 and dt <= 1e-6, (de, dt)
    mv = check_onnx_initializers(vision, os.path.join(TINY, "vision.onnx"))
    mt = check_onnx_initializers(text, os.path.join(TINY, "text.onnx"))
    print("torch float32 vs reference.json: image max |diff| %.3g, text max |diff| %.3g" % (de, dt))
    print("weights == ONNX initializers (by name + by value / total): vision %d+%d/%d, text %d+%d/%d" % (mv + mt))
    return {"image_embeds_max_abs_diff": de, "text_embeds_max_abs_diff": dt,
            "onnx_initializers_matched": {"vision": list(mv), "text": list(mt)}}


def scores(e, t_hat, c):
    """e: [1,32] image embedding; t_hat: [K,32] normalised text embeddings. Returns (cosine, softmax, dot) [K]."""
    e = e[0]
    dot = c * (t_hat @ e)
    cos = c * (t_hat @ (e / e.norm()))
    return cos, torch.softmax(cos, dim=0), dot


def main():
    os.makedirs(OUT, exist_ok=True)
    env = read_json(os.path.join(TINY, "envision.json"))
    ref = read_json(os.path.join(TINY, "reference.json"))
    pixels = np.load(os.path.join(TINY, "reference_pixels.npy"))
    assert pixels.dtype == np.float32 and pixels.shape == (1, 3, 224, 224)

    vocab, vision, text = rebuild_models()
    checks = check_fixture(vocab, vision, text, ref, env, pixels)

    vision64 = vision.double().eval()
    text64 = text.double().eval()
    for p in list(vision64.parameters()) + list(text64.parameters()):
        p.requires_grad_(False)
    c = float(np.exp(np.float64(env["logitScale"])))
    ids = torch.tensor(ref["input_ids"], dtype=torch.int64)
    mask = torch.tensor(ref["attention_mask"], dtype=torch.int64)
    with torch.no_grad():
        t64 = text64(ids, mask)  # [K,32], one padded batch as in reference.json
    t_hat = t64 / t64.norm(dim=1, keepdim=True)
    K = t64.shape[0]

    x = torch.from_numpy(pixels).double().requires_grad_(True)
    e = vision64(x)  # [1,32]
    cos, soft, dot = scores(e, t_hat, c)
    grads = {}
    for name, vec in (("cosine", cos), ("softmax", soft), ("dot", dot)):
        grads[name] = torch.stack([torch.autograd.grad(vec[k], x, retain_graph=True)[0][0] for k in range(K)])

    # --- closed forms through the vision VJP -------------------------------------------------------------------
    def vjp(v):
        return torch.autograd.grad(e[0], x, grad_outputs=v, retain_graph=True)[0][0]

    e0 = e[0].detach()
    en = e0.norm()
    g_norm = vjp(e0 / en)  # grad of ||e||
    g_dot = torch.stack([c * vjp(t_hat[k]) for k in range(K)])
    g_cos = (g_dot - cos.detach()[:, None, None, None] * g_norm[None]) / en
    pd = soft.detach()
    g_soft = pd[:, None, None, None] * (g_cos - (pd[:, None, None, None] * g_cos).sum(0, keepdim=True))
    rel = {}
    for name, closed in (("dot", g_dot), ("cosine", g_cos), ("softmax", g_soft)):
        err = float((grads[name] - closed).abs().max() / grads[name].abs().max())
        assert err < 1e-12, (name, err)
        rel[name] = err
    print("autograd vs closed form (max rel. to max |grad|): %s" % ", ".join("%s %.2g" % kv for kv in rel.items()))

    # --- finite differences along random directions ---------------------------------------------------------------
    gen = torch.Generator().manual_seed(99)
    fd = []
    with torch.no_grad():
        for _ in range(3):
            v = torch.randn(x.shape, generator=gen, dtype=torch.float64)
            h = 1e-7  # the vision model is piecewise linear (ReLU, max-pool): kinks are close, keep h tiny
            sp = scores(vision64(x + h * v), t_hat, c)
            sm = scores(vision64(x - h * v), t_hat, c)
            for i, name in enumerate(("cosine", "softmax", "dot")):
                num = (sp[i] - sm[i]) / (2 * h)
                ana = (grads[name] * v[0][None]).sum(dim=(1, 2, 3))
                err = float((num - ana).abs().max() / ana.abs().max())  # relative to the largest of the K
                fd.append(err)
                assert err < 1e-5, (name, num.tolist(), ana.tolist())
    print("finite differences (3 random directions, h=1e-7): max error rel. to max |derivative| %.2g (per case: %s)"
          % (max(fd), " ".join("%.1g" % v for v in fd)))

    # --- float32 reference.json embeddings give the same logits --------------------------------------------------
    t_ref = torch.tensor(ref["text_embeds"], dtype=torch.float64)
    e_ref = torch.tensor(ref["image_embeds"], dtype=torch.float64)
    cos_r, soft_r, dot_r = scores(e_ref, t_ref / t_ref.norm(dim=1, keepdim=True), c)
    dl = float(max((cos_r - cos.detach()).abs().max(), (soft_r - soft.detach()).abs().max(),
                   (dot_r - dot.detach()).abs().max()))
    assert dl < 1e-5, dl
    print("logits from reference.json float32 embeddings: max |diff| %.2g" % dl)

    # --- write -------------------------------------------------------------------------------------------------
    files = {"cosine": "logit_saliency.npy", "softmax": "softmax_saliency.npy", "dot": "dot_saliency.npy"}
    for name, fn in files.items():
        np.save(os.path.join(OUT, fn), np.ascontiguousarray(grads[name].numpy(), dtype=np.float32))
    logits = {"cosine": [float(v) for v in cos.detach()],
              "softmax": [float(v) for v in soft.detach()],
              "dot": [float(v) for v in dot.detach()]}
    write_json(os.path.join(OUT, "logits.json"), logits)
    write_json(os.path.join(OUT, "meta.json"), {
        "model": "fixtures/tiny-dual (rebuilt in torch with make_fixtures.py's constructors and seeds)",
        "pixels": PIXELS_REL,
        "pixels_shape": [1, 3, 224, 224],
        "prompts": ref["prompts"],
        "input_ids": ref["input_ids"],
        "attention_mask": ref["attention_mask"],
        "text_batching": "the 3 prompts embedded as one padded batch (input_ids/attention_mask above), as in "
                         "reference.json; MedCLIP pooling averages over padded tokens too",
        "logitScale": env["logitScale"],
        "exp_logitScale": c,
        "definitions": {
            "e": "vision(x) [32], the unnormalised image embedding",
            "t_k": "text(input_ids, attention_mask)[k] [32]",
            "cosine": "s_k = exp(logitScale) * <t_k/|t_k|, e/|e|>  (MedCLIP logit)",
            "softmax": "p_k = exp(s_k) / sum_j exp(s_j), over the 3 prompts",
            "dot": "d_k = exp(logitScale) * <t_k/|t_k|, e>  (text normalised, image not)",
        },
        "files": {
            "logit_saliency.npy": "float32 [3,3,224,224]; row k = d s_k / d x",
            "softmax_saliency.npy": "float32 [3,3,224,224]; row k = d p_k / d x",
            "dot_saliency.npy": "float32 [3,3,224,224]; row k = d d_k / d x",
            "logits.json": "{cosine: [s_k], softmax: [p_k], dot: [d_k]} at x",
        },
        "gradient": "plain signed gradient wrt pixel_values (torch.autograd, no abs); text side constant",
        "precision": "computed in float64 (model.double(), float32 pixels widened exactly); arrays stored as float32",
        "checks": dict(checks, closed_form_max_rel_err=rel, finite_difference_max_rel_err=max(fd),
                       logits_vs_reference_json_float32_max_abs_diff=dl),
        "generator": "scripts/dev/make_fusion_fixtures.py",
    })

    total = 0
    for fn in sorted(os.listdir(OUT)):
        n = os.path.getsize(os.path.join(OUT, fn))
        total += n
        print("%9d  fixtures/fusion/%s" % (n, fn))
    print("%9d  total" % total)
    assert total <= 6 * 1000 * 1000, "fixtures/fusion exceeds 6 MB"
    print("logits:", json.dumps(logits))


if __name__ == "__main__":
    sys.exit(main())
