#!/usr/bin/python3
"""Reference TEXT-TOKEN attributions (Layer Integrated Gradients and saliency x embedding on the word-embedding output)
for the tiny dual encoder of fixtures/tiny-dual/ (dev-time only; tests and CI never run Python).

Run from anywhere (the committed files were made with the reference BLAS, see "BLAS" below):
    LD_PRELOAD=/usr/lib/x86_64-linux-gnu/blas/libblas.so.3 /usr/bin/python3 scripts/dev/make_token_fixtures.py
Needs Debian's python3-torch python3-onnx python3-numpy python3-pil, and Node with onnxruntime-node (found under the
repository's node_modules/.pnpm, or through $NODE_PATH) for the ONNX value-name check. Captum is NOT needed; if it is
importable ($CAPTUM_SRC, default /tmp/captum-src, or PYTHONPATH) the LIG arrays are also compared with Captum's
LayerIntegratedGradients (printed only, so the files do not depend on whether Captum was there).

Model: rebuilt with make_fusion_fixtures.rebuild_models() (make_fixtures.py's constructors and seeds), and checked
against the fixture with make_fusion_fixtures.check_fixture() (embeddings == reference.json, weights == ONNX
initializers, pixels and vocab are the fixture's). Everything below is float64 (model.double()).

  x      = fixtures/tiny-dual/reference_pixels.npy [1,3,224,224]
  e      = vision(x) [32]                  the unnormalised image embedding, held FIXED (no gradient to the image side)
  ids    = reference.json input_ids [3,L], mask = reference.json attention_mask [3,L]: the 3 prompts embedded as ONE
           padded batch (MedCLIP embeds a class's prompts as one batch; its pooling averages pad tokens in)
  tau    = exp(clamp(logitScale, 0, 4.6052))   (envision.json's logitScale, clamped as MedCLIP does: tau <= 100)
  t_k    = text(ids, mask)[k],  u^ = u / ||u||_2
  dot      d_k = tau * <t^_k, e>
  cosine   s_k = tau * <t^_k, e^>

Layer: the word-embedding output, TinyText.tok (nn.Embedding; HF BERT's embeddings.word_embeddings), i.e. before the
position and token-type embeddings are added and before the embedding LayerNorm. In text.onnx it is the output of the
Gather node that reads the word-embedding table (the initializer equal to tok.weight) at input_ids; the script finds
it, runs it in onnxruntime-node as an extra graph output and asserts it equals torch's forward-hook output (<= 1e-6).

  baseline ids: every token that is not [CLS], [SEP] or [PAD] replaced by the [PAD] id (same length and mask)
  E  = word embeddings of ids [3,L,H],  E0 = word embeddings of the baseline ids
  f_k(A) = scalar_k with the word-embedding output replaced by A (forward hook; the real ids and mask are fed
           everywhere else, as in Captum's LayerIntegratedGradients); f_k depends only on row k of A.

  lig-<fusion>.npy        [3,L,H]  LIG_k = (E_k - E0_k) * sum_i w_i df_k/dA_k (E0 + a_i (E - E0)),
                                    a_i = 0.5 (1 + nodes), w_i = 0.5 weights of 50-point Gauss-Legendre
                                    (Captum approximation_parameters("gausslegendre"), n_steps = 50)
  tokens-lig-<fusion>.npy [3,L]    LIG summed over H (0 at [CLS], [SEP] and pads: E = E0 there)
  tokens-sxe-<fusion>.npy [3,L]    saliency x embedding: sum_H E_k * df_k/dA_k (E) (not 0 at specials and pads: the
                                    [PAD] row is not zero and the pooling averages pads in)
  meta.json                        layer name, prompts, ids, baseline ids, mask, L, H, tau, f_k(E), f_k(E0),
                                   completeness deltas sum(tokens-lig_k) - (f_k(E) - f_k(E0)), token strings and words
                                   (BERT '##' pieces join the previous token), word sums, versions, checks
Arrays are stored as float32.

Checks on every run: the fixture checks above; the ONNX value == torch's hook output (real and baseline ids), and
ORT's text_embeds == torch's; the scalars at E equal fixtures/fusion/logits.json (cosine, dot); rows are independent
(perturbing row k of A leaves the other rows' scalars unchanged); df_k/dA_k against float64 central differences along
random directions; LIG completeness; cosine arrays == dot arrays / ||e|| (e is fixed); optionally Captum 0.8.0.

BLAS: Debian's torch uses the alternatives-selected libblas.so.3 (OpenBLAS when installed). make_fusion_fixtures.py
reproduces fixtures/tiny-dual and fixtures/fusion bit for bit only with the reference BLAS preloaded, and the
committed fixtures/tokens were made the same way. Under OpenBLAS the arrays move at float32-rounding level.

Deterministic: fixed seeds, single-threaded deterministic torch; re-running gives byte-identical files.
"""
import glob
import json
import math
import os
import platform
import subprocess
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_fixtures as mf  # noqa: E402  (sets single-threaded, deterministic torch)
import make_fusion_fixtures as mff  # noqa: E402
from make_layer_fixtures import blas_in_use, import_captum, leggauss01, ort_version, rel, run_ort  # noqa: E402  (shared helpers)

ROOT = mf.ROOT
TINY = os.path.join(ROOT, "fixtures", "tiny-dual")
OUT = os.path.join(ROOT, "fixtures", "tokens")
FUSION_LOGITS = os.path.join(ROOT, "fixtures", "fusion", "logits.json")
FUSIONS = ("dot", "cosine")
N_STEPS = 50
LOGIT_SCALE_MAX = 4.6052  # MedCLIP: logit_scale.data = clamp(logit_scale.data, 0, 4.6052)
SPECIAL = ("[CLS]", "[SEP]", "[PAD]")
FD_STEP = 1e-5  # the text model is smooth (LayerNorm, softmax, erf GELU): truncation ~h^2, rounding ~1e-16/h
FD_DIRECTIONS = 3
FD_SEED = 7


def sig(v, digits=2):
    """Check values move at rounding level between BLAS builds: keep 2 significant digits in meta.json."""
    return float("%.*g" % (digits, v))


# ---------------------------------------------------------------------------------------------
# onnxruntime-node through a small Node subprocess (Python has no onnxruntime here)
# ---------------------------------------------------------------------------------------------

def run_ort_int64(model, runs, outputs):
    """model: onnx ModelProto; runs: [{name: int64 array}] -> [{output name: np.ndarray}] (CPU, one thread), through
    make_layer_fixtures' onnxruntime-node runner."""
    return run_ort([{"model": model, "feeds": feeds, "outputs": outputs} for feeds in runs])


def find_word_embedding_value(text32, ids, base_ids, mask):
    """The output name of the Gather(table, input_ids) node whose table equals tok.weight; checked in
    onnxruntime-node against torch's forward hook on `tok` (real and baseline ids) and the final output."""
    import onnx
    import onnx.numpy_helper

    model = onnx.load(os.path.join(TINY, "text.onnx"))
    g = model.graph
    inits = {i.name: onnx.numpy_helper.to_array(i) for i in g.initializer}
    table = text32.tok.weight.detach().numpy()
    cands = [n for n in g.node if n.op_type == "Gather" and n.input[1] == "input_ids" and n.input[0] in inits
             and np.array_equal(inits[n.input[0]], table)]
    assert len(cands) == 1, [n.name for n in cands]
    node = cands[0]
    name = node.output[0]
    m = onnx.ModelProto()
    m.CopyFrom(model)
    m.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    runs = run_ort_int64(m, [{"input_ids": ids.numpy(), "attention_mask": mask.numpy()},
                             {"input_ids": base_ids.numpy(), "attention_mask": mask.numpy()}],
                         [name, "text_embeds"])

    def hooked(i):
        cap = {}
        h = text32.tok.register_forward_hook(lambda mod, inp, out: cap.__setitem__("a", out))
        try:
            with torch.no_grad():
                t = text32(i, mask)
        finally:
            h.remove()
        return cap["a"].numpy(), t.numpy()

    errs, terr = [], []
    for r, i in zip(runs, (ids, base_ids)):
        a, t = hooked(i)
        assert r[name].shape == a.shape, (r[name].shape, a.shape)
        errs.append(float(np.abs(r[name].astype(np.float64) - a).max()))
        terr.append(float(np.abs(r["text_embeds"].astype(np.float64) - t).max()))
    assert max(errs) <= 1e-6, errs
    assert max(terr) <= 1e-5, terr
    print("ONNX word-embedding value %r (node %s, table %s): ORT vs torch hook max |diff| real %.3g, baseline %.3g; "
          "text_embeds ORT vs torch %.3g" % (name, node.name, node.input[0], errs[0], errs[1], max(terr)))
    return {"name": name, "node": node.name, "op": node.op_type, "table_initializer": node.input[0],
            "ort_vs_torch_hook_max_abs": {"real_ids": errs[0], "baseline_ids": errs[1]},
            "ort_vs_torch_text_embeds_max_abs": sig(max(terr))}


# ---------------------------------------------------------------------------------------------
# float64 torch
# ---------------------------------------------------------------------------------------------

def run_text(text, ids, mask, replace=None):
    """text(ids, mask) with the word-embedding output optionally replaced; returns (t [B,32], word embeddings)."""
    cap = {}

    def hook(mod, inp, out):
        cap["a"] = out
        return replace

    h = text.tok.register_forward_hook(hook)
    try:
        t = text(ids, mask)
    finally:
        h.remove()
    return t, cap["a"]


def scalars(t, e, tau, fusion):
    t_hat = t / t.norm(dim=1, keepdim=True)
    target = e if fusion == "dot" else e / e.norm()
    return tau * (t_hat @ target)


def layer_grads(text, ids, mask, A, e, tau, fusion):
    """f(A) [B] and df_k/dA_k [B,L,H] (row k of the gradient of sum_k f_k: rows are independent)."""
    A = A.detach().clone().requires_grad_(True)
    t, _ = run_text(text, ids, mask, replace=A)
    f = scalars(t, e, tau, fusion)
    (g,) = torch.autograd.grad(f.sum(), A)
    return f.detach(), g


def lig(text, ids, mask, E, E0, e, tau, fusion, weights_dtype=np.float64):
    """Layer IG, all 50 points in one batch of 50*K rows (alpha-major, as Captum concatenates them)."""
    alphas, weights = leggauss01(N_STEPS)
    weights = weights.astype(weights_dtype).astype(np.float64)
    K = E.shape[0]
    al = torch.tensor(alphas, dtype=torch.float64).view(-1, 1, 1, 1)
    pts = (E0[None] + al * (E - E0)[None]).reshape(N_STEPS * K, *E.shape[1:])
    _, g = layer_grads(text, ids.repeat(N_STEPS, 1), mask.repeat(N_STEPS, 1), pts, e, tau, fusion)
    g = g.view(N_STEPS, *E.shape)
    w = torch.tensor(weights, dtype=torch.float64).view(-1, 1, 1, 1)
    return (E - E0) * (w * g).sum(0)


def fd_check(text, ids, mask, E, grads, e, tau, fusion):
    """Central differences of f_k along random directions v on row k of A (the same directions for every fusion);
    also the largest change of the other rows' scalars under that perturbation (row independence). Returns
    (max |fd - <g, v>| / |<g, v>|, max |fd - <g, v>| / (||g_k|| ||v||), max other-row change)."""
    gen = torch.Generator().manual_seed(FD_SEED)
    worst, worst_n, leak = 0.0, 0.0, 0.0
    K = E.shape[0]
    with torch.no_grad():
        for k in range(K):
            for _ in range(FD_DIRECTIONS):
                V = torch.zeros_like(E)
                V[k] = torch.randn(E.shape[1:], generator=gen, dtype=torch.float64)
                fp = scalars(run_text(text, ids, mask, replace=E + FD_STEP * V)[0], e, tau, fusion)
                fm = scalars(run_text(text, ids, mask, replace=E - FD_STEP * V)[0], e, tau, fusion)
                f0 = scalars(run_text(text, ids, mask, replace=E)[0], e, tau, fusion)
                num = float((fp[k] - fm[k]) / (2 * FD_STEP))
                ana = float((grads[k] * V[k]).sum())
                worst = max(worst, abs(num - ana) / abs(ana))
                worst_n = max(worst_n, abs(num - ana) / float(grads[k].norm() * V[k].norm()))
                others = [j for j in range(K) if j != k]
                leak = max(leak, float((fp[others] - f0[others]).abs().max()))
    return worst, worst_n, leak


# ---------------------------------------------------------------------------------------------
# Optional: Captum itself
# ---------------------------------------------------------------------------------------------

def captum_lig(text, ids, base_ids, mask, e, tau, fusion):
    from captum.attr import LayerIntegratedGradients

    def forward(i, m):
        return scalars(text(i, m), e, tau, fusion)

    lig_c = LayerIntegratedGradients(forward, text.tok)
    attr, delta = lig_c.attribute(ids, baselines=base_ids, additional_forward_args=(mask,), n_steps=N_STEPS,
                                  method="gausslegendre", return_convergence_delta=True)
    return attr.detach(), delta.detach()


# ---------------------------------------------------------------------------------------------
# Tokens and words
# ---------------------------------------------------------------------------------------------

def words_of(tokens, mask_row):
    """BERT word pieces -> words: a '##' piece joins the previous token; [CLS], [SEP], [PAD] (and masked positions)
    belong to no word."""
    words = []
    for p, (tok, m) in enumerate(zip(tokens, mask_row)):
        if not m or tok in SPECIAL:
            continue
        if tok.startswith("##") and words and words[-1]["positions"][-1] == p - 1:
            words[-1]["text"] += tok[2:]
            words[-1]["positions"].append(p)
        else:
            words.append({"text": tok, "positions": [p]})
    return words


def main():
    blas = blas_in_use()
    print("libblas mapped (first wins): %s" % (", ".join(blas) or "none found"))
    if not blas or "openblas" in blas[0]:
        print("  note: not the reference BLAS; the committed fixtures were made with "
              "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/blas/libblas.so.3 (see the docstring)")

    env = mff.read_json(os.path.join(TINY, "envision.json"))
    ref = mff.read_json(os.path.join(TINY, "reference.json"))
    pixels = np.load(os.path.join(TINY, "reference_pixels.npy"))
    assert pixels.dtype == np.float32 and pixels.shape == (1, 3, 224, 224)

    vocab, vision, text = mff.rebuild_models()
    fixture_checks = mff.check_fixture(vocab, vision, text, ref, env, pixels)
    index = {t: i for i, t in enumerate(vocab)}
    pad_id = index["[PAD]"]
    special_ids = {index[t] for t in SPECIAL}

    ids = torch.tensor(ref["input_ids"], dtype=torch.int64)
    mask = torch.tensor(ref["attention_mask"], dtype=torch.int64)
    base_ids = torch.where(torch.tensor([[i in special_ids for i in row] for row in ref["input_ids"]]),
                           ids, torch.full_like(ids, pad_id))
    K, L = ids.shape

    layer = find_word_embedding_value(text, ids, base_ids, mask)  # float32 models, before .double()

    vision64 = vision.double().eval()
    text64 = text.double().eval()
    for p in list(vision64.parameters()) + list(text64.parameters()):
        p.requires_grad_(False)
    logit_scale = float(env["logitScale"])
    clamped = min(max(logit_scale, 0.0), LOGIT_SCALE_MAX)
    tau = float(np.exp(np.float64(clamped)))
    with torch.no_grad():
        e = vision64(torch.from_numpy(pixels).double())[0]  # [32], fixed
        E = text64.tok(ids)
        E0 = text64.tok(base_ids)
        _, E_hook = run_text(text64, ids, mask)
        _, E0_hook = run_text(text64, base_ids, mask)
    assert torch.equal(E, E_hook) and torch.equal(E0, E0_hook)
    H = E.shape[2]
    nonzero = (E != E0).any(dim=2)
    assert torch.equal(nonzero, torch.tensor([[i not in special_ids for i in row] for row in ref["input_ids"]]))

    fusion_logits = mff.read_json(FUSION_LOGITS)
    captum = import_captum()
    print("Captum cross-check: %s" % ("captum %s" % captum.__version__ if captum else
                                      "skipped (captum not importable)"))

    os.makedirs(OUT, exist_ok=True)
    results, checks = {}, {}
    for fusion in FUSIONS:
        fE, gE = layer_grads(text64, ids, mask, E, e, tau, fusion)
        with torch.no_grad():
            fE0 = scalars(run_text(text64, ids, mask, replace=E0)[0], e, tau, fusion)
            fE0_ids = scalars(text64(base_ids, mask), e, tau, fusion)
        assert torch.equal(fE0, fE0_ids)  # replacing the layer output == feeding the baseline ids
        d_fus = float((fE - torch.tensor(fusion_logits[fusion], dtype=torch.float64)).abs().max())
        assert d_fus < 1e-12, (fusion, d_fus)
        A = lig(text64, ids, mask, E, E0, e, tau, fusion)
        tok_lig = A.sum(dim=2)
        tok_sxe = (E * gE).sum(dim=2)
        assert torch.all(tok_lig[~nonzero] == 0)
        delta = tok_lig.sum(dim=1) - (fE - fE0)
        fd, fd_n, leak = fd_check(text64, ids, mask, E, gE, e, tau, fusion)
        assert fd < 1e-7 and fd_n < 1e-9, (fusion, fd, fd_n)
        assert leak == 0.0, (fusion, leak)
        # rough completeness bound: 50-point Gauss-Legendre on a smooth path is accurate far below this
        assert float(delta.abs().max()) < 1e-6 * max(1.0, float((fE - fE0).abs().max())), delta
        c = {"finite_difference_max_rel_err": sig(fd), "finite_difference_max_err_rel_to_norms": sig(fd_n),
             "other_rows_change_under_row_perturbation": leak,
             "scalars_vs_fusion_logits_json_max_abs": sig(d_fus) if d_fus else 0.0}
        line = ("%-6s f(E) %s  f(E0) %s  deltas %s  FD %.2g (/norms %.2g)  row leak %g  vs fusion/logits.json %.2g"
                % (fusion, ["%.10f" % v for v in fE.tolist()], ["%.10f" % v for v in fE0.tolist()],
                   ["%.2e" % v for v in delta.tolist()], fd, fd_n, leak, d_fus))
        print(line)
        if captum is not None:
            ca, cdelta = captum_lig(text64, ids, base_ids, mask, e, tau, fusion)
            ours32w = lig(text64, ids, mask, E, E0, e, tau, fusion, weights_dtype=np.float32)
            print("       Captum %s LayerIntegratedGradients vs ours: max rel diff %.2g (ours with the weights "
                  "rounded to float32 as Captum does: %.2g); Captum's deltas %s vs ours %s"
                  % (captum.__version__, rel(ca, A), rel(ca, ours32w), ["%.2e" % v for v in cdelta.tolist()],
                     ["%.2e" % v for v in delta.tolist()]))
            assert rel(ca, A) < 1e-6, rel(ca, A)
        results[fusion] = {"f_E": fE, "f_E0": fE0, "delta": delta, "lig": A, "tok_lig": tok_lig, "tok_sxe": tok_sxe}
        checks[fusion] = c

    # With e fixed, s_k = d_k / ||e||: every cosine array is the dot array divided by ||e|| (a consistency check).
    en = float(e.norm())
    prop = max(rel(results["cosine"][key] * en, results["dot"][key]) for key in ("lig", "tok_sxe", "f_E", "f_E0"))
    assert prop < 1e-12, prop
    print("cosine arrays * ||e|| vs dot arrays: max rel diff %.2g (||e|| = %.10f)" % (prop, en))

    files = {}
    for fusion in FUSIONS:
        r = results[fusion]
        for fn, arr, desc in (
                ("lig-%s.npy" % fusion, r["lig"], "float32 [3,L,H]: Layer IG on the word-embedding output"),
                ("tokens-lig-%s.npy" % fusion, r["tok_lig"], "float32 [3,L]: lig-%s summed over H" % fusion),
                ("tokens-sxe-%s.npy" % fusion, r["tok_sxe"],
                 "float32 [3,L]: sum over H of E * df/dE at the real E (saliency x embedding)")):
            np.save(os.path.join(OUT, fn), np.ascontiguousarray(arr.numpy(), dtype=np.float32))
            files[fn] = desc

    tokens = [[vocab[i] for i in row] for row in ref["input_ids"]]
    base_tokens = [[vocab[i] for i in row] for row in base_ids.tolist()]
    words = [words_of(tokens[k], ref["attention_mask"][k]) for k in range(K)]
    word_scores = {}
    for fusion in FUSIONS:
        for kind in ("lig", "sxe"):
            t = results[fusion]["tok_" + kind]
            word_scores["%s-%s" % (kind, fusion)] = [[float(t[k, w["positions"]].sum()) for w in words[k]]
                                                     for k in range(K)]
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    import onnx

    meta = {
        "model": "fixtures/tiny-dual (rebuilt in torch with make_fixtures.py's constructors and seeds)",
        "pixels": "fixtures/tiny-dual/reference_pixels.npy",
        "layer": {
            "onnx_value": layer["name"],
            "onnx_node": layer["node"],
            "onnx_op": layer["op"],
            "onnx_table_initializer": layer["table_initializer"],
            "onnx_model": "fixtures/tiny-dual/text.onnx",
            "torch_module": "tok (nn.Embedding; HF BERT's embeddings.word_embeddings)",
            "what": "the word-embedding output [B,L,H]: before the position and token-type embeddings are added and "
                    "before the embedding LayerNorm",
        },
        "prompts": ref["prompts"],
        "input_ids": ref["input_ids"],
        "baseline_ids": base_ids.tolist(),
        "attention_mask": ref["attention_mask"],
        "L": L,
        "H": H,
        "special_tokens": {t: index[t] for t in SPECIAL},
        "tokens": tokens,
        "baseline_tokens": base_tokens,
        "words": words,
        "word_rule": "BERT WordPiece: a token starting with '##' continues the previous token's word (its text is "
                     "appended without the '##'); [CLS], [SEP] and [PAD] belong to no word; any other token starts "
                     "a new word (punctuation is its own word). positions index the padded row.",
        "word_scores": word_scores,
        "logitScale": logit_scale,
        "logitScale_clamped": clamped,
        "tau": tau,
        "norm_e": en,
        "scalars": {f: {"at_E": results[f]["f_E"].tolist(), "at_E0": results[f]["f_E0"].tolist()} for f in FUSIONS},
        "completeness_delta": {f: [sig(v) for v in results[f]["delta"].tolist()] for f in FUSIONS},
        "definitions": {
            "e": "vision(x) [32], the unnormalised image embedding of x = reference_pixels.npy; held fixed (no "
                 "gradient to the image side)",
            "batch": "the 3 prompts embedded as ONE padded batch (input_ids / attention_mask above, as in "
                     "reference.json); the pooling averages pad tokens in, so the padding length matters",
            "tau": "exp(clamp(logitScale, 0, 4.6052)) with envision.json's logitScale (MedCLIP's clamp)",
            "t_k": "text(input_ids, attention_mask)[k] [32]; u^ = u / ||u||_2",
            "dot": "d_k = tau * <t^_k, e>",
            "cosine": "s_k = tau * <t^_k, e^>",
            "E": "word embeddings of input_ids [3,L,H] (tok.weight[input_ids])",
            "E0": "word embeddings of baseline_ids: every token that is not [CLS], [SEP] or [PAD] replaced by the "
                  "[PAD] id; same length and attention_mask",
            "f_k(A)": "the scalar of prompt k with the word-embedding output replaced by A (forward hook), the real "
                      "input_ids and attention_mask fed everywhere else (Captum's LayerIntegratedGradients "
                      "semantics, attribute_to_layer_input=False); f_k depends only on row k of A (checked)",
            "scalars": "at_E = f_k(E) (= the fusion scalars; equal to fixtures/fusion/logits.json), at_E0 = f_k(E0) "
                       "(= the scalar of the baseline ids, checked)",
            "completeness_delta": "sum(tokens-lig_k) - (f_k(E) - f_k(E0)) per prompt (Captum's convergence delta)",
            "norm_e": "||e|| (the image side is fixed, so s_k = d_k / ||e|| and every cosine array is the dot array "
                      "divided by ||e||; checked)",
        },
        "method": {
            "lig": "LIG_k = (E_k - E0_k) * sum_i w_i df_k/dA_k at A = E0 + a_i (E - E0); n_steps = %d Gauss-Legendre: "
                   "a_i = 0.5 (1 + nodes), w_i = 0.5 weights of numpy.polynomial.legendre.leggauss(%d) (Captum "
                   "approximation_parameters('gausslegendre')); w_i kept in float64 here (Captum rounds them to "
                   "float32); all points in one batch, alpha-major" % (N_STEPS, N_STEPS),
            "tokens-lig": "LIG summed over H; exactly 0 where input_ids == baseline_ids ([CLS], [SEP], pads)",
            "tokens-sxe": "sum over H of E_k * df_k/dA_k at A = E (gradient x layer activation); NOT 0 at [CLS], "
                          "[SEP] or pads: the [PAD] embedding row is not zero and MedCLIP's pooling averages pad "
                          "positions in (their keys are masked in attention, their own hidden states are pooled)",
            "gradients": "torch.autograd in float64 (model.double(); weights widened exactly from float32)",
        },
        "files": files,
        "precision": "computed in float64; arrays stored as float32; scalars in meta.json are float64",
        "checks": {
            "fixture": {"image_embeds_max_abs_diff": sig(fixture_checks["image_embeds_max_abs_diff"]),
                        "text_embeds_max_abs_diff": sig(fixture_checks["text_embeds_max_abs_diff"]),
                        "onnx_initializers_matched": fixture_checks["onnx_initializers_matched"]},
            "onnx_layer_vs_torch_hook_max_abs": layer["ort_vs_torch_hook_max_abs"],
            "ort_vs_torch_text_embeds_max_abs": layer["ort_vs_torch_text_embeds_max_abs"],
            "per_fusion": checks,
            "cosine_times_norm_e_vs_dot_max_rel": sig(prop) if prop else 0.0,
            "fd": "central differences, h = %g, %d random normal directions per prompt row (seed %d), added to row k "
                  "of the word-embedding output by the hook (same directions for both fusions); errors |fd - <g, v>| / |<g, v>| "
                  "and |fd - <g, v>| / (||g_k|| ||v||)"
                  % (FD_STEP, FD_DIRECTIONS, FD_SEED),
            "captum": "optional cross-check against Captum 0.8.0 LayerIntegratedGradients(forward, text.tok) with "
                      "baselines = baseline_ids, additional_forward_args = (attention_mask,), n_steps 50, "
                      "gausslegendre: printed by the script, not stored",
        },
        "versions": {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
                     "onnx": onnx.__version__, "onnxruntime-node": ort_version(), "node": node},
        "generator": "scripts/dev/make_token_fixtures.py (run with the reference BLAS preloaded: "
                     "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/blas/libblas.so.3)",
    }
    mff.write_json(os.path.join(OUT, "meta.json"), meta)

    total = 0
    for fn in sorted(os.listdir(OUT)):
        n = os.path.getsize(os.path.join(OUT, fn))
        total += n
        print("%7d  fixtures/tokens/%s" % (n, fn))
    print("%7d  total" % total)
    assert total <= 100 * 1000, "fixtures/tokens exceeds 100 kB"


if __name__ == "__main__":
    sys.exit(main())
