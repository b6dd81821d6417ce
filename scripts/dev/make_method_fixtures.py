#!/usr/bin/python3
"""Reference attributions for the gradient methods, following Captum's definitions and defaults (dev-time only;
tests and CI never run Python).

Run from anywhere:  /usr/bin/python3 scripts/dev/make_method_fixtures.py
Needs Debian's packages: python3-torch python3-torchvision python3-onnx python3-numpy (no captum: the Captum
semantics are re-implemented below from its source, see "Captum facts").

Models: the `resnet` (ReLU CNN, x [1,3,32,32] -> y [1,10]) and `swin` (erf GELU, pixel_values [1,3,32,32] ->
image_embeds [1,24]) fixtures of make_grad_fixtures.py, rebuilt here with its constructors and the same seeds. The
script asserts that the rebuilt weights are the ones in fixtures/grad/<name>/model.onnx (initializer values) and that
the float32 forward output and the float64 VJP rows reproduce expected_output.npy / expected.npy byte for byte.

Every method explains the K = 3 scalars F_k(x) = W[k] . f(x) (W = weights.npy [3, O], float32, seeded normal). All
computations run in float64 (model.double(), float32 inputs/weights/noise widened exactly); results are stored as
float32 [3, 3, 32, 32] arrays. Output: fixtures/methods/ (see fixtures/methods/README.md and manifest.json).

Captum facts (checked by reading pytorch/captum; facts only, the code below is written independently):
  * saliency.py: Saliency = gradient of the target output wrt the input; abs=True (the default) takes torch.abs of it.
  * guided_backprop_deconvnet.py (ModifiedReluGradientAttribution): model.apply registers a backward hook on every
    module that is an instance of torch.nn.ReLU (nothing else; functional relu calls are NOT modified, and GELU etc.
    stay untouched). The hook returns F.relu(grad_input) for GuidedBackprop (use_relu_grad_output=False) and
    F.relu(grad_output) for Deconvolution (use_relu_grad_output=True). grad_input of a ReLU is
    grad_output * 1[x > 0], so guided: relu(g_out) * 1[x > 0]; deconv: relu(g_out). A module called several times
    (torchvision BasicBlock calls self.relu twice) is modified at every call.
  * approximation_methods.py, with n = n_steps:
      riemann_left      alphas linspace(0, 1 - 1/n, n)           = k/n          step sizes 1/n each
      riemann_right     alphas linspace(1/n, 1, n)               = (k+1)/n      step sizes 1/n each
      riemann_middle    alphas linspace(1/(2n), 1 - 1/(2n), n)   = (k+1/2)/n    step sizes 1/n each
      riemann_trapezoid alphas linspace(0, 1, n)                 = k/(n-1)      step sizes 1/n each, FIRST AND LAST
                        HALVED (so they sum to 1 - 1/n, not 1: Captum's quirk, reproduced here)
      gausslegendre     nodes, weights = numpy.polynomial.legendre.leggauss(n);
                        alphas = 0.5 * (1 + nodes) (ascending), step sizes = 0.5 * weights
    Older Captum builds the Riemann alphas with np.linspace (float64); newer versions use torch.linspace(...).tolist(),
    i.e. float32-rounded alphas (differences <= 6e-8, far below the float32 test tolerances). We use float64
    np.linspace; the exact alphas and step sizes are written to ig_params.json.
  * integrated_gradients.py: points = baseline + alpha * (input - baseline) for each alpha; total_grad =
    sum_i step_size_i * grad(points_i); attribution = total_grad * (input - baseline). Defaults n_steps=50,
    method="gausslegendre", baseline 0. Convergence delta (compute_convergence_delta) = sum of the attribution over
    all input elements - (F(input) - F(baseline)), per example.
  * gradient_shap.py + noise_tunnel.py: GradientShap.attribute builds InputBaselineXGradient and runs
    NoiseTunnel(...).attribute(inputs, nt_type="smoothgrad", n_samples/nt_samples=n_samples, stdevs=stdevs,
    draw_baseline_from_distrib=True, baselines=...). NoiseTunnel draws the noise first and adds it to the INPUT:
    x_noisy = x.repeat_interleave(n_samples) + torch.normal(0, stdevs) (noise exactly 0 when stdevs = 0.0); it draws
    one baseline per sample with np.random.choice(num_baselines, n_samples) (with replacement); it then calls
    InputBaselineXGradient.attribute(x_noisy, baselines=drawn). There alpha ~ np.random.uniform(0, 1), one per
    sample; the gradient is taken at alpha * x_noisy + (1 - alpha) * b (_scale_input), and the attribution is
    (x_noisy - b) * grad (multiply_by_inputs=True, "inputs" being the noisy inputs). smoothgrad = mean over samples.
    => GradientShap(x) = 1/N sum_j (x + eps_j - b_j) * dF/dx |_{alpha_j (x + eps_j) + (1 - alpha_j) b_j}.
    The MULTIPLIER USES THE NOISY INPUT, not x. Captum's own draws come from numpy's and torch's global RNGs; here
    the draws are explicit (gradshap_draws.json + noise npy files) so that the TypeScript side can replay them.

Checks on every run: rebuilt weights == ONNX initializers; saliency vs float64 central finite differences on a few
elements; guided/deconv custom autograd Function vs a Captum-style register_full_backward_hook implementation; no
functional relu in either model; swin: guided == deconv == saliency exactly; linearity of the signed gradient
(direct vs Jacobian combination) on both models; IG alphas vs their closed forms; IG completeness (gausslegendre
delta small) and gausslegendre-50 vs a 400-node reference; GradientShap vs a per-sample loop.

Deterministic: fixed seeds, single-threaded torch; re-running gives byte-identical files.
Byte-identical arrays are written once and aliased in manifest.json (to keep the fixtures well under 1 MB).
"""
import copy
import json
import os
import shutil
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_grad_fixtures as mgf  # noqa: E402  (sets single-threaded, deterministic torch)

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
GRAD = os.path.join(ROOT, "fixtures", "grad")
OUT = os.path.join(ROOT, "fixtures", "methods")
K = 3
IG_STEPS = 50
IG_METHODS = ["gausslegendre", "riemann_trapezoid", "riemann_left", "riemann_right", "riemann_middle"]
GS_BASELINES = [0.0, -1.0, 0.5]  # constant images
GS_SAMPLES = 8
GS_STDEVS = 0.1
DRAW_SEED = 41

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def save_f32(path, arr):
    np.save(path, np.ascontiguousarray(np.asarray(arr, dtype=np.float64).astype(np.float32)))


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(obj, indent=2))
        f.write("\n")


# ---------------------------------------------------------------------------------------------
# Models: exactly the construction sequence of make_grad_fixtures.main()
# ---------------------------------------------------------------------------------------------

def build_swin():
    gen = torch.Generator().manual_seed(11)
    torch.manual_seed(11)
    m = mgf.TinySwin(gen)
    mgf.randomize_norms(m, gen)
    return m.eval()


def build_resnet():
    torch.manual_seed(13)
    m = mgf.TinyResNet()
    mgf.randomize_norms(m, torch.Generator().manual_seed(13))
    return m.eval()


MODELS = {
    # name: (builder, input name, output name, ONNX files whose named initializers must equal the state dict, W seed)
    "resnet": (build_resnet, "x", "y", ["resnet-bn"], 31),
    "swin": (build_swin, "pixel_values", "image_embeds", ["swin"], 32),
}


def check_weights(name, model, onnx_names):
    """The rebuilt weights are the exported ones: named initializers equal the state dict; unnamed 2-D MatMul
    initializers equal the transpose of some Linear weight; forward output and VJP rows reproduce the fixture."""
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    linear_t = [m.weight.detach().numpy().T for m in model.modules() if isinstance(m, nn.Linear)]
    for oname in onnx_names + [name]:
        for init in onnx.load(os.path.join(GRAD, oname, "model.onnx")).graph.initializer:
            arr = onnx.numpy_helper.to_array(init)
            if init.name in sd:
                assert np.array_equal(arr, sd[init.name]), (oname, init.name)
            elif init.name.startswith("onnx::MatMul") and arr.ndim == 2:
                assert any(t.shape == arr.shape and np.array_equal(t, arr) for t in linear_t), (oname, init.name)
    d = os.path.join(GRAD, name)
    x = np.load(os.path.join(d, "inputs", MODELS[name][1] + ".npy"))
    with torch.no_grad():
        y = model(torch.from_numpy(x)).numpy()
    assert np.array_equal(y, np.load(os.path.join(d, "expected_output.npy"))), name
    # the fixture's float64 VJP rows, recomputed with this script's gradient helper: byte-identical
    m64 = copy.deepcopy(model).double().eval()
    cot = torch.from_numpy(np.load(os.path.join(d, "cotangent.npy"))).double()
    rows = grad_rows(m64, torch.from_numpy(x).double(), cot)
    assert np.array_equal(rows[:, 0].numpy().astype(np.float32), np.load(os.path.join(d, "expected.npy"))), name
    return x


# ---------------------------------------------------------------------------------------------
# Gradients
# ---------------------------------------------------------------------------------------------

def grad_rows(model64, points, W):
    """points [P, *S] float64, W [K, O] -> grads [K, P, *S]: row k = d(sum_p W[k] . f(points_p)) / d points, i.e. the
    gradient of F_k at every point (batch elements are independent in both models: eval BN, per-image attention)."""
    out = []
    for k in range(W.shape[0]):
        p = points.clone().requires_grad_(True)
        (g,) = torch.autograd.grad((model64(p) * W[k]).sum(), p)
        out.append(g)
    return torch.stack(out)


class _GuidedReluFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g.clamp(min=0) * (x > 0).to(g.dtype)  # relu(g_out) * 1[x > 0] == relu(ReLU's own grad_input)


class _DeconvReluFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        return g.clamp(min=0)  # relu(g_out), whatever the input sign


class ModifiedReLU(nn.Module):
    def __init__(self, mode):
        super().__init__()
        self.mode, self.calls = mode, 0

    def forward(self, x):
        self.calls += 1
        return (_GuidedReluFn if self.mode == "guided" else _DeconvReluFn).apply(x)


def swap_relus(model64, mode):
    """Copy of the model where every nn.ReLU module (Captum's rule) is replaced by a ModifiedReLU."""
    m = copy.deepcopy(model64)
    swapped = []
    for parent in list(m.modules()):
        for cname, child in list(parent.named_children()):
            if isinstance(child, nn.ReLU):
                new = ModifiedReLU(mode)
                setattr(parent, cname, new)
                swapped.append(new)
    return m.eval(), swapped


def captum_style_hooks(model64, mode):
    """Independent implementation the way Captum does it: a full backward hook on every nn.ReLU that returns
    relu(grad_input) (guided) or relu(grad_output) (deconv). (inplace is switched off: full backward hooks do not
    allow in-place outputs; the forward values are the same.)"""
    m = copy.deepcopy(model64)
    for mod in m.modules():
        if isinstance(mod, nn.ReLU):
            mod.inplace = False
            mod.register_full_backward_hook(
                lambda _m, gin, gout: (F.relu(gout[0]) if mode == "deconv" else F.relu(gin[0]),))
    return m.eval()


class _NoFunctionalRelu:
    """Context manager: fail if anything calls a functional relu (Captum would not modify those)."""
    names = [(F, "relu"), (torch, "relu"), (torch, "relu_"), (F, "relu_")]

    def __enter__(self):
        self.saved = [getattr(mod, n) for mod, n in self.names]

        def boom(*a, **k):
            raise AssertionError("functional relu call: Captum's GuidedBackprop/Deconvolution would not modify it")

        for mod, n in self.names:
            setattr(mod, n, boom)

    def __exit__(self, *exc):
        for (mod, n), f in zip(self.names, self.saved):
            setattr(mod, n, f)


# ---------------------------------------------------------------------------------------------
# Integrated Gradients (Captum's approximation parameters)
# ---------------------------------------------------------------------------------------------

def captum_ig_params(method, n):
    """(alphas, step_sizes) as Python float lists, as in captum/attr/_utils/approximation_methods.py."""
    if method == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(n)
        return [float(a) for a in 0.5 * (1 + nodes)], [float(w) for w in 0.5 * weights]
    assert n > 1
    steps = [1 / n] * n
    kind = method.split("_")[-1]
    if kind == "trapezoid":
        steps[0] /= 2
        steps[-1] /= 2
        alphas = np.linspace(0, 1, n)
    elif kind == "left":
        alphas = np.linspace(0, 1 - 1 / n, n)
    elif kind == "middle":
        alphas = np.linspace(1 / (2 * n), 1 - 1 / (2 * n), n)
    elif kind == "right":
        alphas = np.linspace(1 / n, 1, n)
    else:
        raise ValueError(method)
    return [float(a) for a in alphas], steps


def check_ig_params():
    n = IG_STEPS
    k = np.arange(n)
    closed = {"riemann_left": k / n, "riemann_right": (k + 1) / n, "riemann_middle": (k + 0.5) / n,
              "riemann_trapezoid": k / (n - 1)}
    for m, ref in closed.items():
        a, s = captum_ig_params(m, n)
        assert np.allclose(a, ref, rtol=0, atol=1e-15), m
        assert abs(sum(s) - (1 - 1 / n if m == "riemann_trapezoid" else 1.0)) < 1e-14, m
    for nn_ in (IG_STEPS, 20):
        a, s = captum_ig_params("gausslegendre", nn_)
        assert abs(sum(s) - 1) < 1e-13 and all(0 < x < 1 for x in a) and a == sorted(a)
        # exact for polynomials up to degree 2n-1 on [0, 1]
        assert abs(sum(w * x ** (2 * nn_ - 1) for x, w in zip(a, s)) - 1 / (2 * nn_)) < 1e-13


def integrated_gradients(model64, x, W, baseline_value, n, method):
    """x [1,*S]; returns attributions [K,*S] and (sum_attr, F(x), F(baseline)) per row."""
    alphas, steps = captum_ig_params(method, n)
    b = torch.full_like(x, baseline_value)
    pts = torch.cat([b + a * (x - b) for a in alphas], dim=0)  # Captum: baseline + alpha * (input - baseline)
    g = grad_rows(model64, pts, W)  # [K, n, *S]
    st = torch.tensor(steps, dtype=torch.float64).view(1, n, *([1] * (x.dim() - 1)))
    attr = (g * st).sum(1) * (x - b)  # [K,*S]
    with torch.no_grad():
        fx = (model64(x)[0] * W).sum(1)
        fb = (model64(b)[0] * W).sum(1)
    return attr, attr.flatten(1).sum(1), fx, fb


# ---------------------------------------------------------------------------------------------
# GradientShap with explicit draws
# ---------------------------------------------------------------------------------------------

def make_draws(shape):
    """Baseline indices (with replacement) and alphas ~ U[0,1), one pair per sample; the noise set also gets Gaussian
    input noise N(0, GS_STDEVS^2) per sample (float32, saved). The same draws serve both models (same input shape)."""
    rng = np.random.default_rng(DRAW_SEED)
    idx = rng.integers(0, len(GS_BASELINES), GS_SAMPLES)
    alpha = rng.uniform(0.0, 1.0, GS_SAMPLES)
    samples = [{"baseline": int(i), "alpha": float(a), "noise": None} for i, a in zip(idx, alpha)]
    idx_n = rng.integers(0, len(GS_BASELINES), GS_SAMPLES)
    alpha_n = rng.uniform(0.0, 1.0, GS_SAMPLES)
    noise = (GS_STDEVS * rng.standard_normal((GS_SAMPLES,) + tuple(shape))).astype(np.float32)
    noise_files = ["gradshap_noise/noise_%d.npy" % j for j in range(GS_SAMPLES)]
    samples_noise = [{"baseline": int(i), "alpha": float(a), "noise": f}
                     for i, a, f in zip(idx_n, alpha_n, noise_files)]
    return samples, samples_noise, noise, noise_files


def gradient_shap(model64, x, W, samples, noise):
    """mean_j (x~_j - b_j) * grad F_k at alpha_j x~_j + (1 - alpha_j) b_j, with x~_j = x + noise_j (Captum)."""
    xt = torch.cat([x + (torch.from_numpy(noise[j]).double() if s["noise"] else 0.0) for j, s in enumerate(samples)])
    b = torch.cat([torch.full_like(x, GS_BASELINES[s["baseline"]]) for s in samples])
    a = torch.tensor([s["alpha"] for s in samples], dtype=torch.float64).view(-1, *([1] * (x.dim() - 1)))
    pts = a * xt + (1.0 - a) * b  # Captum's _scale_input form
    g = grad_rows(model64, pts, W)  # [K, N, *S]
    return (g * (xt - b)).mean(1)


# ---------------------------------------------------------------------------------------------

def rel(a, b):
    return float((a - b).norm() / b.norm())


def per_row_rel(a, b):
    return [rel(a[k], b[k]) for k in range(a.shape[0])]


def run_model(name, samples, samples_noise, noise, manifest):
    builder, in_name, out_name, onnx_names, w_seed = MODELS[name]
    model = builder()
    x32 = check_weights(name, model, onnx_names)
    m64 = copy.deepcopy(model).double().eval()
    x = torch.from_numpy(x32).double()
    with torch.no_grad():
        O = m64(x).shape[1]
    W32 = np.random.default_rng(w_seed).standard_normal((K, O)).astype(np.float32)
    W = torch.from_numpy(W32).double()
    Wx = torch.eye(O, dtype=torch.float64)  # one-hot rows: per-output-element maps

    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    entry = {"onnx": "../grad/%s/model.onnx" % name, "input": "../grad/%s/inputs/%s.npy" % (name, in_name),
             "input_name": in_name, "output_name": out_name, "explained": "F_k(x) = weights[k] . %s(x)" % out_name,
             "files": {}, "aliases": {}, "notes": {}}
    written = {}  # bytes -> file name

    def put(key, arr, alias_ok=None):
        """Write arr as <key>.npy unless a byte-identical array was already written (then alias it)."""
        a32 = np.ascontiguousarray(arr.detach().numpy() if torch.is_tensor(arr) else arr, dtype=np.float64)
        a32 = a32.astype(np.float32)
        if alias_ok is not None:  # allowed alias to a file equal up to float rounding (asserted by the caller)
            entry["files"][key] = entry["files"][alias_ok]
            entry["aliases"][key] = entry["files"][alias_ok]
            return
        blob = a32.tobytes()
        if blob in written:
            entry["files"][key] = written[blob]
            entry["aliases"][key] = written[blob]
            return
        fn = "%s/%s.npy" % (name, key)
        np.save(os.path.join(OUT, fn), a32)
        written[blob] = fn
        entry["files"][key] = fn

    put("weights", W32)

    # 1) Saliency
    sal = grad_rows(m64, x, W)[:, 0]  # [K,*S]
    put("saliency", sal)
    put("saliency_abs", sal.abs())
    gen = torch.Generator().manual_seed(5)
    for k in range(K):  # float64 central differences on a few elements
        for _ in range(4):
            i = tuple(int(torch.randint(s, (1,), generator=gen)) for s in x.shape[1:])
            e = torch.zeros_like(x)
            e[(0,) + i] = 1e-6
            with torch.no_grad():
                fd = float(((m64(x + e) - m64(x - e))[0] * W[k]).sum() / 2e-6)
            an = float(sal[(k,) + i])
            assert abs(fd - an) <= 1e-6 * max(1.0, abs(an)), (name, "saliency FD", k, i, fd, an)

    # 2) Guided backprop / deconvnet
    n_relu = sum(isinstance(m, nn.ReLU) for m in m64.modules())
    res = {}
    for mode in ("guided", "deconv"):
        mm, swapped = swap_relus(m64, mode)
        assert len(swapped) == n_relu
        with torch.no_grad():
            y_ref = m64(x)
            with _NoFunctionalRelu():
                assert torch.equal(mm(x), y_ref)  # same function; and no functional relu anywhere
        calls0 = sum(s.calls for s in swapped)
        direct = grad_rows(mm, x, W)[:, 0]
        calls = sum(s.calls for s in swapped) - calls0
        per_out = grad_rows(mm, x, Wx)[:, 0]  # [O,*S]
        jac = torch.einsum("ko,o...->k...", W, per_out)
        hooked = grad_rows(captum_style_hooks(m64, mode), x, W)[:, 0]
        assert torch.allclose(direct, hooked, rtol=0, atol=1e-12 * float(direct.abs().max())), (name, mode, "hooks")
        res[mode] = (direct, jac, calls)
    gb, gb_jac, calls = res["guided"]
    dc = res["deconv"][0]
    entry["notes"]["relu_modules"] = n_relu
    entry["notes"]["relu_calls_per_forward"] = calls // K
    if n_relu == 0:
        assert torch.equal(gb, sal) and torch.equal(dc, sal), name  # no ReLU: both equal the signed gradient
    put("guided_backprop", gb)
    put("deconvnet", dc)
    put("guided_backprop_direct", gb)  # the same definition as guided_backprop (written once, aliased)
    rd = per_row_rel(gb, gb_jac)
    entry["notes"]["guided_backprop_direct_vs_jacobian_rel_diff"] = rd
    entry["notes"]["deconvnet_direct_vs_jacobian_rel_diff"] = per_row_rel(dc, res["deconv"][1])
    # the signed gradient is linear in the explained output: direct == Jacobian combination on both models
    sal_jac = torch.einsum("ko,o...->k...", W, grad_rows(m64, x, Wx)[:, 0])
    assert max(per_row_rel(sal, sal_jac)) < 1e-12, name
    entry["notes"]["saliency_direct_vs_jacobian_rel_diff"] = per_row_rel(sal, sal_jac)
    if n_relu == 0:
        assert max(rd) < 1e-12, name
        put("guided_backprop_jacobian", gb_jac, alias_ok="saliency")  # equal to float rounding (asserted)
    else:
        assert min(rd) > 1e-3, (name, "expected direct != jacobian on a ReLU model", rd)
        put("guided_backprop_jacobian", gb_jac)

    # 3) Integrated gradients
    deltas = {}
    for method in IG_METHODS:
        attr, sattr, fx, fb = integrated_gradients(m64, x, W, 0.0, IG_STEPS, method)
        put("ig_" + method, attr)
        deltas[method] = {"n_steps": IG_STEPS, "baseline": 0.0, "delta": (sattr - (fx - fb)).tolist(),
                          "sum_attr": sattr.tolist(), "F_x": fx.tolist(), "F_baseline": fb.tolist()}
        if method == "gausslegendre":
            ig_gl = attr
    attr, sattr, fx, fb = integrated_gradients(m64, x, W, -0.5, 20, "gausslegendre")
    put("ig_gausslegendre_baseline", attr)
    deltas["gausslegendre_baseline"] = {"n_steps": 20, "baseline": -0.5, "delta": (sattr - (fx - fb)).tolist(),
                                        "sum_attr": sattr.tolist(), "F_x": fx.tolist(), "F_baseline": fb.tolist()}
    # completeness and convergence checks
    gl = deltas["gausslegendre"]
    for k in range(K):
        scale = max(1.0, abs(gl["F_x"][k] - gl["F_baseline"][k]))
        # smooth swin: ~1e-13; piecewise-linear resnet (ReLU kinks on the path): ~1e-3
        assert abs(gl["delta"][k]) < 5e-3 * scale, (name, "IG completeness", k, gl["delta"][k])
    ref400 = integrated_gradients(m64, x, W, 0.0, 400, "gausslegendre")
    assert float((ref400[1] - (ref400[2] - ref400[3])).abs().max()) < 5e-4
    assert max(per_row_rel(ig_gl, ref400[0])) < 2e-2, name
    entry["notes"]["ig_gausslegendre_50_vs_400_rel_diff"] = per_row_rel(ig_gl, ref400[0])
    entry["notes"]["ig_gausslegendre_400_delta"] = (ref400[1] - (ref400[2] - ref400[3])).tolist()
    write_json(os.path.join(d, "ig_delta_gausslegendre.json"), {
        "definition": "delta[k] = sum(attribution[k]) - (F_k(x) - F_k(baseline)), Captum's convergence delta",
        "method": "gausslegendre", "n_steps": IG_STEPS, "baseline": 0.0, "delta": gl["delta"],
        "F_x": gl["F_x"], "F_baseline": gl["F_baseline"], "sum_attr": gl["sum_attr"],
        "gausslegendre_baseline": deltas["gausslegendre_baseline"],
        "other_methods": {m: deltas[m] for m in IG_METHODS if m != "gausslegendre"}})
    entry["files"]["ig_delta_gausslegendre"] = "%s/ig_delta_gausslegendre.json" % name

    # 4) GradientShap
    gs = gradient_shap(m64, x, W, samples, noise)
    gsn = gradient_shap(m64, x, W, samples_noise, noise)
    # per-sample loop, written the other way round (b + alpha (x~ - b)), must agree
    for smp, got in ((samples, gs), (samples_noise, gsn)):
        acc = torch.zeros_like(got)
        for j, s in enumerate(smp):
            xt = x + (torch.from_numpy(noise[j]).double() if s["noise"] else 0.0)
            b = torch.full_like(x, GS_BASELINES[s["baseline"]])
            acc += grad_rows(m64, b + s["alpha"] * (xt - b), W)[:, 0] * (xt - b)[0]
        assert torch.allclose(acc / len(smp), got, rtol=0, atol=1e-12 * float(got.abs().max())), name
    put("gradshap", gs)
    put("gradshap_noise", gsn)
    entry["files"]["gradshap_draws"] = "gradshap_draws.json"
    manifest["models"][name] = entry
    return entry


def main():
    for sub in ("resnet", "swin", "gradshap_noise"):  # start clean (README.md at the top level is hand-written)
        p = os.path.join(OUT, sub)
        if os.path.isdir(p):
            shutil.rmtree(p)
    os.makedirs(os.path.join(OUT, "gradshap_noise"), exist_ok=True)
    check_ig_params()
    samples, samples_noise, noise, noise_files = make_draws((3, 32, 32))
    for j, fn in enumerate(noise_files):
        np.save(os.path.join(OUT, fn), noise[j])

    formula = ("GradientShap (Captum = NoiseTunnel smoothgrad over InputBaselineXGradient, "
               "draw_baseline_from_distrib=True): attr_k = (1/N) sum_j (xn_j - b_j) * dF_k/dx evaluated at "
               "alpha_j * xn_j + (1 - alpha_j) * b_j, where xn_j = x + noise_j (noise added to the INPUT, noise_j = 0 "
               "when stdevs = 0 / \"noise\": null) and b_j = the constant image baselines[baseline_j]. "
               "The multiplier is (xn_j - b_j), the NOISY input minus the baseline, not (x - b_j).")
    write_json(os.path.join(OUT, "gradshap_draws.json"), {
        "formula": formula,
        "baselines": GS_BASELINES,
        "baseline_shape": "constant image of the input's shape [1,3,32,32]",
        "seed": DRAW_SEED,
        "samples": samples,
        "stdevs_noise": GS_STDEVS,
        "samples_noise": samples_noise,
        "noise_paths": "relative to fixtures/methods/; float32 [3,32,32] (input shape without batch)",
        "outputs": {"samples": "<model>/gradshap.npy", "samples_noise": "<model>/gradshap_noise.npy"},
    })

    ig_params = {"source": "captum/attr/_utils/approximation_methods.py (float64 np.linspace / leggauss)"}
    for m in IG_METHODS:
        a, s = captum_ig_params(m, IG_STEPS)
        ig_params["%s_%d" % (m, IG_STEPS)] = {"alphas": a, "step_sizes": s}
    a, s = captum_ig_params("gausslegendre", 20)
    ig_params["gausslegendre_20"] = {"alphas": a, "step_sizes": s}
    write_json(os.path.join(OUT, "ig_params.json"), ig_params)

    manifest = {
        "description": "Captum-semantics reference attributions (float64 torch, stored float32). Paths are relative "
                       "to fixtures/methods/. files maps each logical fixture to its file; aliases lists the "
                       "logical names stored in another logical name's file (byte-identical arrays, or "
                       "guided_backprop_jacobian on swin: equal to saliency up to float64 rounding).",
        "k": K,
        "ig_params": "ig_params.json",
        "gradshap_draws": "gradshap_draws.json",
        "cases": {
            "saliency": {"method": "saliency", "abs": False},
            "saliency_abs": {"method": "saliency", "abs": True},
            "guided_backprop": {"method": "guided_backprop"},
            "deconvnet": {"method": "deconvnet"},
            "guided_backprop_direct": {"method": "guided_backprop", "combine": "direct"},
            "guided_backprop_jacobian": {"method": "guided_backprop", "combine": "jacobian",
                                         "definition": "sum_i weights[k,i] * GB(f_i)"},
            **{"ig_" + m: {"method": "integrated_gradients", "approx": m, "n_steps": IG_STEPS, "baseline": 0.0}
               for m in IG_METHODS},
            "ig_gausslegendre_baseline": {"method": "integrated_gradients", "approx": "gausslegendre",
                                          "n_steps": 20, "baseline": -0.5},
            "gradshap": {"method": "gradient_shap", "draws": "samples", "stdevs": 0.0},
            "gradshap_noise": {"method": "gradient_shap", "draws": "samples_noise", "stdevs": GS_STDEVS},
        },
        "models": {},
    }
    for name in ("resnet", "swin"):
        e = run_model(name, samples, samples_noise, noise, manifest)
        n = e["notes"]
        print("%s: relu modules %d (calls per forward %d)" % (name, n["relu_modules"], n["relu_calls_per_forward"]))
        print("  guided_backprop direct vs jacobian, rel diff per row: %s" %
              " ".join("%.4g" % v for v in n["guided_backprop_direct_vs_jacobian_rel_diff"]))
        print("  deconvnet direct vs jacobian, rel diff per row:       %s" %
              " ".join("%.4g" % v for v in n["deconvnet_direct_vs_jacobian_rel_diff"]))
        print("  ig gausslegendre 50 vs 400 rel diff: %s" %
              " ".join("%.3g" % v for v in n["ig_gausslegendre_50_vs_400_rel_diff"]))
        dj = json.load(open(os.path.join(OUT, name, "ig_delta_gausslegendre.json")))
        print("  IG deltas (F_x - F_b):")
        print("    %-24s %s   (%s)" % ("gausslegendre", " ".join("%+.3e" % v for v in dj["delta"]),
                                       " ".join("%+.4f" % (a - b) for a, b in zip(dj["F_x"], dj["F_baseline"]))))
        for m, v in list(dj["other_methods"].items()) + [("gausslegendre b=-0.5 n=20",
                                                           dj["gausslegendre_baseline"])]:
            print("    %-24s %s   (%s)" % (m, " ".join("%+.3e" % t for t in v["delta"]),
                                           " ".join("%+.4f" % (a - b) for a, b in zip(v["F_x"], v["F_baseline"]))))
        print("  aliases: %s" % e["aliases"])
    write_json(os.path.join(OUT, "manifest.json"), manifest)

    mgf.report_sizes(OUT, 1_000_000)


if __name__ == "__main__":
    sys.exit(main())
