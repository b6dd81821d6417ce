#!/usr/bin/python3
"""Reference RISE maps for @envision/method-rise (issue 19), computed with torch in float64 on the ResNet and Swin
fixtures with exactly the masks the TypeScript method draws (dev-time only; tests and CI never run Python).

Run from the repository root after `pnpm run build`:  /usr/bin/python3 scripts/dev/make_rise_fixtures.py
Needs Debian's python3-torch python3-onnx python3-numpy python3-scipy, and node (it runs export_rise_masks.mjs).

RISE (Petsiuk, Das & Saenko, BMVC 2018), facts from the authors' code (github.com/eclique/RISE, explanations.py;
facts only, the code below is written independently):
  * generate_masks(N, s, p1): cell_size = ceil(input_size / s) (per axis); up_size = (s + 1) * cell_size;
    grid = np.random.rand(N, s, s) < p1 (all grids drawn first), as float32; then for each mask a random shift
    x = randint(0, cell_size[0]) (rows), y = randint(0, cell_size[1]) (columns), and
    mask = skimage.transform.resize(grid, up_size, order=1, mode='reflect', anti_aliasing=False)[x:x + H, y:y + W].
  * With scipy >= 1.6 that resize is scipy.ndimage.zoom(grid, up/s, order=1, mode='mirror' (skimage's 'reflect'),
    grid_mode=True) on the float32 grid (so the masks come out float32), then clipped to the grid's range.
  * forward: masked = masks * x (the image multiplied by the mask: baseline 0); p = model(masked) in batches;
    sal = p.T @ masks.view(N, H * W) / N / p1, one map per class.
Envision's option `baseline` b generalises the masked input to x * M + b * (1 - M) (b = 0 is the paper).

What is compared: for each case, export_rise_masks.mjs writes the float32 masks Envision draws (its seeded generator,
not numpy's) and the grids and shifts behind them. This script (1) rebuilds every mask from those grids and shifts
with the authors' resize (scipy.ndimage.zoom as above) and records the largest difference from Envision's masks;
(2) computes S_k = sum_n F_k(x * M_n + b (1 - M_n)) M_n / (N p) in float64 with F_k = W[k] . f, f the float64
torch model (make_method_fixtures.py's builders; the weights are checked against the ONNX files), M_n Envision's
masks widened to float64, W = fixtures/methods/<model>/weights.npy; (3) records the sha256 of Envision's float32
mask bytes, which the TypeScript test recomputes, so a change in the draws is reported as such.
Maps are [3, C, H, W], the same value on every channel. Output: fixtures/methods/rise/ (manifest.json there).
Deterministic: re-running gives byte-identical files.
"""
import copy
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import scipy.ndimage as ndi
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_method_fixtures as mmf  # noqa: E402  (single-threaded deterministic torch, the models)

ROOT = mmf.ROOT
OUT = os.path.join(mmf.OUT, "rise")
SIZE = 32  # both fixtures take [1, 3, 32, 32]

# name: (model, Envision options). N is kept small (64) so the fixtures stay tiny; the defaults are 2000 masks.
CASES = {
    "resnet": ("resnet", {"masks": 64, "cells": 8, "probability": 0.5, "baseline": 0, "seed": 1}),
    "swin": ("swin", {"masks": 64, "cells": 8, "probability": 0.5, "baseline": 0, "seed": 2}),
    "resnet_blend": ("resnet", {"masks": 64, "cells": 5, "probability": 0.3, "baseline": -0.5, "seed": 3}),
    "swin_blend": ("swin", {"masks": 64, "cells": 3, "probability": 0.7, "baseline": 0.25, "seed": 4}),
}
# Masks only (no model): sizes that are not multiples of s, and s = 1.
MASK_CASES = [
    {"name": "odd", "masks": 16, "cells": 3, "probability": 0.5, "height": 20, "width": 13, "seed": 5},
    {"name": "one_cell", "masks": 4, "cells": 1, "probability": 0.5, "height": 7, "width": 9, "seed": 6},
    {"name": "fine", "masks": 8, "cells": 16, "probability": 0.5, "height": 24, "width": 40, "seed": 7},
]


def rel_max(a, b):
    """maxRelativeError of @envision/onnx-grad: max |a - b| / max |b|."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def authors_mask(bits, s, cell, shift, height, width):
    """One mask as the authors' generate_masks makes it, from Envision's grid and shift."""
    grid = np.array([int(c) for c in bits], dtype=np.float32).reshape(s, s)
    up = ((s + 1) * cell[0], (s + 1) * cell[1])
    factors = np.divide(grid.shape, up)  # skimage.transform.resize, scipy >= 1.6 path
    out = ndi.zoom(grid, [1 / f for f in factors], order=1, mode="mirror", cval=0, grid_mode=True)
    assert out.shape == up and out.dtype == np.float32, (out.shape, up, out.dtype)
    out = np.clip(out, grid.min(), grid.max())
    return out[shift[0]:shift[0] + height, shift[1]:shift[1] + width]


def check_masks(tmp, case):
    """Envision's masks vs the authors' resize of the same grids and shifts: the largest absolute difference."""
    masks = np.load(os.path.join(tmp, case["name"] + ".npy"))
    with open(os.path.join(tmp, case["name"] + ".json"), encoding="utf-8") as f:
        draws = json.load(f)
    s, cell = draws["cells"], draws["cellSize"]
    assert cell == [-(-case["height"] // s), -(-case["width"] // s)], cell
    theirs = np.stack([authors_mask(b, s, cell, sh, case["height"], case["width"]) for b, sh in zip(draws["grids"], draws["shifts"])])
    kept = np.mean([c == "1" for g in draws["grids"] for c in g])
    return masks, float(np.max(np.abs(masks.astype(np.float64) - theirs.astype(np.float64)))), float(kept)


def check_weights(name, model, onnx_names):
    """The rebuilt model carries the ONNX fixture's weights (named initializers equal the state dict, unnamed MatMul
    ones a Linear weight's transpose), and its float64 forward reproduces expected_output.npy to float32 precision."""
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    linear_t = [m.weight.detach().numpy().T for m in model.modules() if isinstance(m, torch.nn.Linear)]
    for oname in onnx_names + [name]:
        for init in mmf.onnx.load(os.path.join(mmf.GRAD, oname, "model.onnx")).graph.initializer:
            arr = mmf.onnx.numpy_helper.to_array(init)
            if init.name in sd:
                assert np.array_equal(arr, sd[init.name]), (oname, init.name)
            elif init.name.startswith("onnx::MatMul") and arr.ndim == 2:
                assert any(t.shape == arr.shape and np.array_equal(t, arr) for t in linear_t), (oname, init.name)
    d = os.path.join(mmf.GRAD, name)
    x = np.load(os.path.join(d, "inputs", mmf.MODELS[name][1] + ".npy"))
    m64 = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        y = m64(torch.from_numpy(x).double()).numpy()
    assert rel_max(y, np.load(os.path.join(d, "expected_output.npy"))) < 1e-6, name
    return x, m64


def rise64(m64, x, W, masks, probability, baseline):
    """S_k = sum_n F_k(x * M_n + b (1 - M_n)) M_n / (N p) in float64, [K, C, H, W]."""
    n, h, w = masks.shape
    m = torch.from_numpy(masks.astype(np.float64))[:, None]  # [N, 1, H, W]
    xs = torch.from_numpy(x).double()  # [1, C, H, W]
    with torch.no_grad():
        f = m64(xs * m + baseline * (1 - m)) @ W.T  # [N, K]
    sal = (f.T @ m.reshape(n, h * w)) / n / probability  # [K, H*W]
    return sal.reshape(-1, 1, h, w).expand(-1, x.shape[1], h, w).numpy()


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {"generator": "scripts/dev/make_rise_fixtures.py", "cases": {}, "masks": {}}
    with tempfile.TemporaryDirectory() as tmp:
        export = [{"name": k, "height": SIZE, "width": SIZE, **{o: v[1][o] for o in ("masks", "cells", "probability", "seed")}} for k, v in CASES.items()]
        export += MASK_CASES
        with open(os.path.join(tmp, "cases.json"), "w", encoding="utf-8") as f:
            json.dump(export, f)
        subprocess.run(["node", os.path.join(HERE, "export_rise_masks.mjs"), os.path.join(tmp, "cases.json"), tmp], check=True)
        by_name = {c["name"]: c for c in export}

        for c in MASK_CASES:
            masks, diff, kept = check_masks(tmp, c)
            manifest["masks"][c["name"]] = {**{k: v for k, v in c.items() if k != "name"}, "sha256": hashlib.sha256(masks.tobytes()).hexdigest(),
                                            "maxAbsDiffVsAuthorsResize": diff}
            assert diff <= 6e-8, (c["name"], diff)

        models = {}
        for case, (name, opts) in CASES.items():
            if name not in models:
                builder, _, _, onnx_names, _ = mmf.MODELS[name]
                models[name] = check_weights(name, builder(), onnx_names)
            x, m64 = models[name]
            W = torch.from_numpy(np.load(os.path.join(mmf.OUT, name, "weights.npy"))).double()
            masks, diff, kept = check_masks(tmp, by_name[case])
            assert diff <= 6e-8, (case, diff)
            got = rise64(m64, x, W, masks, opts["probability"], opts["baseline"])
            # the same sum with the authors' float32 masks rebuilt by scipy: how much the mask differences matter
            with open(os.path.join(tmp, case + ".json"), encoding="utf-8") as f:
                draws = json.load(f)
            theirs = np.stack([authors_mask(b, opts["cells"], draws["cellSize"], sh, SIZE, SIZE) for b, sh in zip(draws["grids"], draws["shifts"])])
            with_theirs = rise64(m64, x, W, theirs, opts["probability"], opts["baseline"])
            # the per-mask loop of the authors' explanations.py, as a check of the batched sum
            loop = np.zeros(got.shape[:1] + got.shape[2:])
            xs = torch.from_numpy(x).double()
            for n in range(masks.shape[0]):
                mn = torch.from_numpy(masks[n].astype(np.float64))
                with torch.no_grad():
                    fn = (m64(xs * mn + opts["baseline"] * (1 - mn)) @ W.T)[0].numpy()
                loop += fn[:, None, None] * masks[n].astype(np.float64)[None] / masks.shape[0] / opts["probability"]
            assert rel_max(got[:, 0], loop) < 1e-12, case
            mmf.save_f32(os.path.join(OUT, case + ".npy"), got)
            manifest["cases"][case] = {
                "model": name,
                "onnx": "../../grad/%s/model.onnx" % name,
                "input": "../../grad/%s/inputs/%s.npy" % (name, mmf.MODELS[name][1]),
                "input_name": mmf.MODELS[name][1],
                "output_name": mmf.MODELS[name][2],
                "weights": "../%s/weights.npy" % name,
                "options": opts,
                "expected": case + ".npy",
                "masksSha256": hashlib.sha256(masks.tobytes()).hexdigest(),
                "checks": {
                    "maxAbsDiffMasksVsAuthorsResize": diff,
                    "relDiffWithAuthorsResizeMasks": rel_max(with_theirs, got),
                    "keptFraction": kept,
                    "perMaskLoopVsBatched": rel_max(got[:, 0], loop),
                },
            }
            print(case, json.dumps(manifest["cases"][case]["checks"]))
    mmf.write_json(os.path.join(OUT, "manifest.json"), manifest)


if __name__ == "__main__":
    main()
