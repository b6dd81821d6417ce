#!/usr/bin/python3
"""Reference attributions for Input x Gradient and NoiseTunnel (issue 19), computed with Captum itself (dev-time only;
tests and CI never run Python).

Run:  PYTHONPATH=/tmp/captum-src /usr/bin/python3 scripts/dev/make_method_fixtures_19a.py
Needs Debian's python3-torch python3-onnx python3-numpy, and Captum 0.8.0's source unpacked at $PYTHONPATH (see
docs of the toolchain: `git archive refs/tags/v0.8.0 captum setup.py`). The models, input and weights W are those of
make_method_fixtures.py (imported); the rebuilt torch models are checked to carry the ONNX weights, as there.

Every method explains F_k(x) = W[k] . f(x), K = 3, with Captum's classes run on the float64 model:
forward_func = lambda x: (model64(x) * W[k]).sum(1), one Captum call per row k; results are stored float32 [3,3,32,32].

Captum facts (captum/attr/_core/input_x_gradient.py, noise_tunnel.py, v0.8.0):
  * InputXGradient.attribute: attributions = input * gradient (multiplies_by_inputs = True).
  * NoiseTunnel.attribute(inputs, nt_type="smoothgrad", nt_samples=5, nt_samples_batch_size=None, stdevs=1.0):
    _add_noise_to_input returns input.repeat_interleave(n, dim=0) + torch.normal(0, stdev) (noise on the INPUT; the
    inner method then runs on the noisy batch, e.g. IG multiplies by (x_noisy - baseline)). Per element it keeps
    sum(a) and sum(a ** 2) over the samples; expected = sum / nt_samples, expected_sq = sum_sq / nt_samples;
    _compute_smoothing: smoothgrad -> expected, smoothgrad_sq -> expected_sq,
    vargrad -> expected_sq - expected * expected (the POPULATION variance, computed as E[a^2] - E[a]^2; no clamp).
The noise: Captum draws it from torch's global RNG, which TypeScript cannot replay. Here
NoiseTunnel._add_noise_to_input is replaced by one that adds the noise Envision's noise-tunnel draws
(@envision/method-noise-tunnel noiseSamples: core's SeededRandom = mulberry32, one Box-Muller normal
sqrt(-2 ln(1 - u)) cos(2 pi v) per two uniforms, times stdevs, rounded to float32; sample s takes the next
3*32*32 values). It is re-implemented below (integer mulberry32, float64 Box-Muller), and the noisy input is
rounded to float32 as TypeScript's Float32Array does: x_noisy = float32(x + float32(stdevs * normal)). The sha256 of
each case's float32 noise bytes is written to the manifest so the TypeScript test can check it draws the same.

Cross-checks on every run: Captum's InputXGradient == x * the float64 autograd gradient (make_method_fixtures'
grad_rows) to 1e-12; NoiseTunnel(Saliency) smoothgrad == the mean of grad_rows at the noisy points; vargrad ==
the population variance of those per-sample maps.
Deterministic: re-running gives byte-identical files. Output: fixtures/methods/ixg-nt/ (manifest.json there).
"""
import copy
import hashlib
import json
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_method_fixtures as mmf  # noqa: E402  (single-threaded deterministic torch, the models and their checks)

from captum.attr import InputXGradient, IntegratedGradients, NoiseTunnel, Saliency  # noqa: E402

OUT = os.path.join(mmf.OUT, "ixg-nt")
K = mmf.K

# name: (inner method, its Captum kwargs, Envision's methodOptions, nt_type, samples, stdevs, seed)
CASES = {
    "nt_saliency_smoothgrad": ("saliency", {"abs": False}, {"abs": False}, "smoothgrad", 5, 0.2, 7),
    "nt_saliency_abs_smoothgrad_sq": ("saliency", {}, {}, "smoothgrad_sq", 5, 0.2, 8),
    "nt_saliency_vargrad": ("saliency", {"abs": False}, {"abs": False}, "vargrad", 5, 1.0, 9),
    "nt_ig_smoothgrad": ("ig", {"n_steps": 16, "method": "gausslegendre", "baselines": 0.0},
                         {"steps": 16, "integration": "gausslegendre", "baseline": 0}, "smoothgrad", 3, 0.1, 3),
}


class Mulberry32:
    """core's SeededRandom (packages/onnx-grad/src/random.ts), in integer arithmetic."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFF

    def uniform(self):
        self.state = (self.state + 0x6D2B79F5) & 0xFFFFFFFF
        t = self.state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    def normal(self):
        u = 1 - self.uniform()
        v = self.uniform()
        return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)


def imul(a, b):
    return (a * b) & 0xFFFFFFFF


def noise_samples(samples, elements, stdevs, seed):
    """noiseSamples of @envision/method-noise-tunnel: [samples, elements] float32."""
    r = Mulberry32(seed)
    return np.array([[stdevs * r.normal() for _ in range(elements)] for _ in range(samples)], dtype=np.float64).astype(np.float32)


class ReplayedNoise:
    """Makes NoiseTunnel add the given float32 noise [N, *S] (rounding x + noise to float32, as TypeScript does)."""

    def __init__(self, x32, noise):
        self.x32, self.noise = x32, noise

    def __enter__(self):
        self.saved = NoiseTunnel._add_noise_to_input
        x32, noise = self.x32, self.noise

        def add(input, stdev, n):
            assert n == noise.shape[0] and input.shape[0] == 1, "one partition of all samples, batch 1"
            noisy = (x32.astype(np.float64) + noise.reshape((n,) + x32.shape[1:]).astype(np.float64)).astype(np.float32)
            return torch.from_numpy(noisy).double()

        NoiseTunnel._add_noise_to_input = staticmethod(add)

    def __exit__(self, *exc):
        NoiseTunnel._add_noise_to_input = self.saved


def rel_max(a, b):
    """maxRelativeError of @envision/onnx-grad: max |a - b| / max |b|."""
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))) / np.max(np.abs(np.asarray(b, np.float64))))


def check_weights(name, model, onnx_names):
    """make_method_fixtures.check_weights without its byte-exact float32 forward (which depends on the BLAS build):
    the named initializers equal the state dict, the unnamed MatMul ones a Linear weight's transpose, and the float64
    forward and VJP rows reproduce expected_output.npy / expected.npy to float32 precision."""
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
    cot = torch.from_numpy(np.load(os.path.join(d, "cotangent.npy"))).double()
    g = mmf.grad_rows(m64, torch.from_numpy(x).double(), cot)[:, 0].numpy()
    assert rel_max(g, np.load(os.path.join(d, "expected.npy"))) < 1e-6, name
    return x


def rows(make, W, x):
    """Captum's attribution of each F_k = W[k] . f: one call per row, stacked [K, *S]."""
    return torch.stack([make(k)(x)[0] for k in range(W.shape[0])])


def run_model(name, manifest):
    builder, in_name, out_name, onnx_names, _ = mmf.MODELS[name]
    model = builder()
    x32 = check_weights(name, model, onnx_names)
    m64 = copy.deepcopy(model).double().eval()
    x = torch.from_numpy(x32).double()
    W32 = np.load(os.path.join(mmf.OUT, name, "weights.npy"))
    W = torch.from_numpy(W32).double()
    forward = [lambda inp, k=k: (m64(inp) * W[k]).sum(1) for k in range(K)]
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    entry = {"onnx": "../../grad/%s/model.onnx" % name, "input": "../../grad/%s/inputs/%s.npy" % (name, in_name),
             "weights": "../%s/weights.npy" % name, "input_name": in_name, "output_name": out_name, "files": {}, "checks": {}}

    ixg = rows(lambda k: lambda inp: InputXGradient(forward[k]).attribute(inp.clone().requires_grad_(True)), W, x)
    own = x[0] * mmf.grad_rows(m64, x, W)[:, 0]
    entry["checks"]["input_x_gradient_vs_autograd"] = rel_max(ixg.detach().numpy(), own.numpy())
    assert entry["checks"]["input_x_gradient_vs_autograd"] < 1e-12
    mmf.save_f32(os.path.join(d, "input_x_gradient.npy"), ixg.detach().numpy())
    entry["files"]["input_x_gradient"] = "%s/input_x_gradient.npy" % name

    for case, (inner, kwargs, _, nt_type, samples, stdevs, seed) in CASES.items():
        noise = noise_samples(samples, x32.size, stdevs, seed)
        cls = Saliency if inner == "saliency" else IntegratedGradients
        with ReplayedNoise(x32, noise):
            got = rows(lambda k: lambda inp: NoiseTunnel(cls(forward[k])).attribute(
                inp, nt_type=nt_type, nt_samples=samples, stdevs=float(stdevs), **kwargs), W, x)
        got = got.detach().numpy()
        if inner == "saliency":  # independent: per-sample gradients at the same noisy points, combined by hand
            noisy = torch.from_numpy((x32.astype(np.float64) + noise.reshape((samples,) + x32.shape[1:]).astype(np.float64)).astype(np.float32)).double()
            a = mmf.grad_rows(m64, noisy, W).numpy()  # [K, N, *S]
            if kwargs.get("abs", True):
                a = np.abs(a)
            mine = {"smoothgrad": a.mean(1), "smoothgrad_sq": (a ** 2).mean(1), "vargrad": a.var(1)}[nt_type]
            entry["checks"][case + "_vs_per_sample"] = rel_max(got, mine)
            assert entry["checks"][case + "_vs_per_sample"] < 1e-9, (case, entry["checks"][case + "_vs_per_sample"])
        mmf.save_f32(os.path.join(d, case + ".npy"), got)
        entry["files"][case] = "%s/%s.npy" % (name, case)
    manifest["models"][name] = entry


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = {
        "description": "Captum 0.8.0 InputXGradient and NoiseTunnel (float64 torch, stored float32 [3,3,32,32]) on the "
                       "resnet and swin fixtures, explaining F_k = W[k] . f with W = ../<model>/weights.npy. Paths are "
                       "relative to this folder. Made by scripts/dev/make_method_fixtures_19a.py.",
        "noise": "Envision's noiseSamples(samples, 3072, stdevs, seed), replayed into Captum's NoiseTunnel; "
                 "noise_sha256 is the sha256 of the float32 little-endian bytes of all samples in order",
        "cases": {},
        "models": {},
    }
    for case, (inner, kwargs, options, nt_type, samples, stdevs, seed) in CASES.items():
        noise = noise_samples(samples, 3 * 32 * 32, stdevs, seed)
        manifest["cases"][case] = {
            "envision": {"method": "noise-tunnel", "options": {"method": inner, "methodOptions": options, "type": nt_type,
                                                               "samples": samples, "stdevs": stdevs, "seed": seed}},
            "captum": "NoiseTunnel(%s).attribute(x, nt_type=%r, nt_samples=%d, stdevs=%r%s)" % (
                "Saliency" if inner == "saliency" else "IntegratedGradients", nt_type, samples, float(stdevs),
                "".join(", %s=%r" % kv for kv in kwargs.items())),
            "noise_sha256": hashlib.sha256(noise.astype("<f4").tobytes()).hexdigest(),
        }
    r = Mulberry32(0)
    manifest["seed0_first_normals"] = [r.normal() for _ in range(4)]
    for name in ("resnet", "swin"):
        run_model(name, manifest)
    mmf.write_json(os.path.join(OUT, "manifest.json"), manifest)
    print(json.dumps({n: m["checks"] for n, m in manifest["models"].items()}, indent=1))
    print("seed 0 normals:", manifest["seed0_first_normals"])


if __name__ == "__main__":
    main()
