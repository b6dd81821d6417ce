#!/usr/bin/python3
"""Reference fixtures for attribution with respect to an INTERMEDIATE tensor (layer gradients, Grad-CAM, Layer
Integrated Gradients), following Captum's definitions (dev-time only; tests and CI never run Python).

Run from anywhere:
  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/blas/libblas.so.3 /usr/bin/python3 scripts/dev/make_layer_fixtures.py
(the LD_PRELOAD selects the reference BLAS, with which fixtures/grad/ was made; see "Determinism" below).
Needs Debian's python3-torch python3-torchvision python3-onnx python3-numpy, and Node with onnxruntime-node (found
under the repository's node_modules/.pnpm, or through $NODE_PATH). Captum is NOT needed; if it is importable
(PYTHONPATH or $CAPTUM_SRC, see docs in scripts/dev/README.md) the results are also compared with Captum itself
(printed only, so the files do not depend on whether Captum was there).

Models: the `resnet` and `swin` fixtures of make_grad_fixtures.py, rebuilt with its build_resnet() / build_swin()
(same seeds and weights). The rebuilt float32 model must reproduce fixtures/grad/<name>/expected_output.npy from
fixtures/grad/<name>/inputs/*.npy to 1e-6. Targets: the K = 3 rows of fixtures/grad/<name>/cotangent.npy,
scalar_k(x) = sum(cotangent[k] * f(x)). Everything is computed in float64 (model.double(), inputs widened exactly) and
stored as float32.

Output: fixtures/layer/<name>/
  model-fixed.onnx      the same float32 model exported with torch.onnx.export WITHOUT dynamic_axes (batch fixed at 1),
                        otherwise exactly make_grad_fixtures.export's options (opset 17, eval, constant folding,
                        same input/output names)
  layers.json           [{index, onnx, module, shape, layout, ...}]: 2 intermediate tensors, named as in the DYNAMIC
                        fixtures/grad/<name>/model.onnx, found by matching every float node output of that graph (run
                        in onnxruntime-node) against a torch forward hook on the chosen module
  activation-<i>.npy    [1, *A]  A(x), the layer's output at the fixture input
  activation-baseline-<i>.npy  [1, *A]  A(0), the layer's output at the all-zero input (LayerIG's baseline)
  grad-<i>.npy          [3, *A]  d scalar_k / d A (batch axis dropped)
  gradcam-<i>.npy, gradcam-relu-<i>.npy                    [3, 1, h, w]
  gradcam-up-nearest-<i>.npy, gradcam-up-bilinear-<i>.npy  [3, 1, H, W]  (signed cam, upsampled to the input size)
  layer-ig-<i>.npy      [3, *A]
  meta.json             the definitions, files, shapes, IG alphas/weights, scalars, completeness deltas, check values,
                        versions

Captum facts (read in pytorch/captum v0.8.0; facts only, the code below is written independently):
  * grad_cam.py (LayerGradCam.attribute): layer gradients and layer output from compute_layer_gradients_and_eval
    (gradient of the target output w.r.t. the layer's OUTPUT by default, attribute_to_layer_input=False); if the
    gradient has more than 2 dims it is averaged over dims 2.. (keepdim), then cam = sum over dim 1 (keepdim) of
    mean_grad * activation; relu_attributions=False by default (F.relu applied only when True). So for a [B, N, C]
    token tensor Captum would average over C and sum over N: a token layer must be reshaped to a grid first (below).
  * attribution.py (LayerAttribution.interpolate): F.interpolate(attr, interpolate_dims, mode=interpolate_mode),
    default "nearest"; no align_corners argument, so bilinear uses torch's default align_corners=False
    (half-pixel centres, edge clamp) and "nearest" is torch's legacy nearest (src = floor(dst * in / out)).
  * layer_integrated_gradients.py: it evaluates the layer at the inputs (A(x)) and at the baselines (A(x0); the
    baseline default is 0 for every input) and runs IntegratedGradients ON THOSE LAYER VALUES: the interpolated
    points are A(x0) + alpha * (A(x) - A(x0)) (straight line in ACTIVATION space, NOT the activations of the scaled
    inputs alpha * x). Each point is injected with a forward hook that REPLACES the layer's output, while the model
    itself is run on the ORIGINAL inputs x (expanded n_steps times as additional forward args); the gradient is
    taken w.r.t. the injected tensor. attribution = (A(x) - A(x0)) * sum_i w_i * grad_i.
    compute_convergence_delta: sum of the attribution - (F(x) - F(x0)), F run on the inputs without hooks.
  * integrated_gradients.py / approximation_methods.py: gausslegendre alphas = 0.5 * (1 + leggauss(n)[0]),
    step sizes = 0.5 * leggauss(n)[1]; the step sizes are multiplied in as torch.tensor(step_sizes).float(), i.e.
    rounded to float32 (relative <= 6e-8); here they stay float64.
Grad-CAM on the swin token tensors [1, N, C] (no CLS token in Swin; N = h * w tokens in row-major order, token
n = r * w + c, as patch_embed(x).flatten(2).transpose(1, 2) and PatchMerging's view(b, h, w, C) lay them out): the
grid is A[0].reshape(h, w, C).permute(2, 0, 1)[None] = [1, C, h, w] (pytorch-grad-cam's Swin reshape_transform), the
gradient is transformed the same way, and Grad-CAM is then Captum's on that grid. LayerIG and grad-<i> stay in the
token layout [3, N, C].

Checks on every run: rebuilt float32 output vs expected_output.npy (<= 1e-6); the ONNX value equals the torch hook
output (onnxruntime-node, <= 1e-5) and is produced inside the module's ONNX scope; model-fixed.onnx has batch dim 1
(a number, not a symbol), passes the checker and gives the dynamic model's output in onnxruntime-node (and the same
layer values when the names exist there); every d scalar_k / d A vs float64 central finite differences along random
directions (the perturbation is added to the module's output by a forward hook); Grad-CAM on tokens computed
directly in the token layout equals the grid computation; LayerIG completeness and gausslegendre-50 vs 400 nodes.

Determinism: fixed seeds, single-threaded torch; re-running gives byte-identical files (ONNX included). Debian's
torch calls whatever libblas.so.3 the alternatives system selects, and fixtures/grad/ was made with the reference
BLAS: under OpenBLAS torch's float32 outputs differ in the last bits (make_grad_fixtures.py then does not reproduce
fixtures/grad byte for byte). This script's .npy and .onnx files came out identical under both; only meta.json's check
values (deltas, finite-difference errors, float32 output differences) change at rounding level. The script prints
which libblas is mapped; the committed files were made with the reference BLAS (LD_PRELOAD above).
"""
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnx.shape_inference
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_grad_fixtures as mgf  # noqa: E402  (sets single-threaded, deterministic torch)

ROOT, GRAD = mgf.ROOT, mgf.OUT  # the repository and fixtures/grad, whose models this script cuts into layers
OUT = os.path.join(ROOT, "fixtures", "layer")
K = 3
IG_STEPS = 50
IG_CHECK_STEPS = 400
FD_DIRECTIONS = 3
FD_STEP = 1e-6
FD_SEED = 71
MAX_BYTES = 2_000_000

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

# Chosen by reading the graphs; the ONNX value names are found numerically (find_onnx_values).
FIXTURES = {
    "resnet": {
        "build": mgf.build_resnet, "input": "x", "output": "y",
        "layers": [
            {"module": "layer1", "layout": "NCHW", "what": "output of the first residual stage (BasicBlock, after "
                                                         "its final ReLU). Downstream has ReLUs: the LayerIG "
                                                         "integrand has kinks, so 50 Gauss-Legendre nodes leave a "
                                                         "completeness delta of ~5e-4"},
            {"module": "layer2", "layout": "NCHW", "what": "output of the last residual stage (BasicBlock with "
                                                         "downsample, after its final ReLU), before global average "
                                                         "pooling: the usual Grad-CAM layer. Downstream (average "
                                                         "pool, fc) is linear, so the gradient is the same at every "
                                                         "point and layer-ig = (A(x) - A(0)) * grad exactly"},
        ],
    },
    "swin": {
        "build": mgf.build_swin, "input": "pixel_values", "output": "image_embeds",
        "layers": [
            {"module": "stage1.1", "layout": "NLC", "what": "output of stage 1 (its last, shifted-window block), "
                                                          "before patch merging: 8x8 tokens"},
            {"module": "stage2.1", "layout": "NLC", "what": "output of the last stage (its last block), before the "
                                                          "final LayerNorm and mean pooling: 4x4 tokens"},
        ],
    },
}


def save_f32(path, t):
    mgf.save_f32(path, t.detach().numpy() if torch.is_tensor(t) else t)


def sig(v, digits=3):
    """Round a check value for meta.json (the files hold the exact arrays; this only keeps the JSON readable)."""
    return float("%.*g" % (digits, v))


def get_module(model, path):
    m = model
    for part in path.split("."):
        m = m._modules[part]
    return m


def set_module(model, path, new):
    parent, _, last = path.rpartition(".")
    (get_module(model, parent) if parent else model)._modules[last] = new


def blas_in_use():
    """The libblas.so.3 files this process has mapped (Debian's torch links the alternatives-selected libblas.so.3;
    an LD_PRELOADed one comes first and wins). OpenBLAS's libopenblas may be mapped too, for LAPACK."""
    libs = []
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split()
            p = parts[-1] if len(parts) >= 6 else ""
            if os.path.basename(p).startswith("libblas.so") and p not in libs:
                libs.append(p)
    return libs


# ---------------------------------------------------------------------------------------------
# onnxruntime-node, through a small Node subprocess (Python has no onnxruntime here)
# ---------------------------------------------------------------------------------------------

ORT_JS = r"""
const ort = require('onnxruntime-node');
const fs = require('fs');
const path = require('path');
const job = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
(async () => {
  const result = [];
  for (const [ri, run] of job.runs.entries()) {
    const s = await ort.InferenceSession.create(run.model, { intraOpNumThreads: 1 });
    const feeds = {};
    for (const [name, t] of Object.entries(run.feeds)) {
      const b = fs.readFileSync(t.file);
      const bytes = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
      const int = t.type === 'int64';
      feeds[name] = new ort.Tensor(int ? 'int64' : 'float32', int ? new BigInt64Array(bytes) : new Float32Array(bytes), t.dims);
    }
    const names = run.outputs || s.outputNames;
    const r = await s.run(feeds, names);
    const outs = {};
    for (const [oi, name] of names.entries()) {
      const v = r[name];
      const f = path.join(job.dir, `out-${ri}-${oi}.bin`);
      fs.writeFileSync(f, Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength));
      outs[name] = { file: f, dims: v.dims, type: v.type };
    }
    result.push({ inputNames: s.inputNames, inputMetadata: s.inputMetadata, outputs: outs });
  }
  fs.writeFileSync(path.join(job.dir, 'result.json'), JSON.stringify(result));
})().catch((e) => { console.error(e); process.exit(1); });
"""

NP_TYPES = {"float32": np.float32, "float64": np.float64, "int64": np.int64, "int32": np.int32, "bool": np.bool_}


def node_env():
    env = dict(os.environ)
    paths = [p for p in env.get("NODE_PATH", "").split(os.pathsep) if p]
    paths += sorted(glob.glob(os.path.join(ROOT, "node_modules", ".pnpm", "onnxruntime-node@*", "node_modules")))
    paths.append("/tmp/tok-ref/node_modules")
    env["NODE_PATH"] = os.pathsep.join(paths)
    return env


def ort_version():
    for p in node_env()["NODE_PATH"].split(os.pathsep):
        pj = os.path.join(p, "onnxruntime-node", "package.json")
        if os.path.isfile(pj):
            with open(pj) as f:
                return json.load(f)["version"]
    return None


def run_ort(runs):
    """runs: [{model: path or ModelProto, feeds: {name: float32 or int64 array}, outputs: [names] or None}]
    -> [{name: np.ndarray}] in onnxruntime-node (CPU, one thread)."""
    with tempfile.TemporaryDirectory() as d:
        job = {"dir": d, "runs": []}
        for ri, r in enumerate(runs):
            model = r["model"]
            if not isinstance(model, str):
                mp = os.path.join(d, "model-%d.onnx" % ri)
                onnx.save(model, mp)
                model = mp
            feeds = {}
            for name, a in r["feeds"].items():
                fp = os.path.join(d, "in-%d-%s.bin" % (ri, len(feeds)))
                int64 = np.asarray(a).dtype == np.int64
                np.ascontiguousarray(a, dtype="<i8" if int64 else "<f4").tofile(fp)
                feeds[name] = {"file": fp, "dims": list(a.shape), "type": "int64" if int64 else "float32"}
            job["runs"].append({"model": model, "feeds": feeds, "outputs": r.get("outputs")})
        jp = os.path.join(d, "job.json")
        with open(jp, "w") as f:
            json.dump(job, f)
        res = subprocess.run(["node", "-e", ORT_JS, jp], env=node_env(), capture_output=True, text=True)
        if res.returncode != 0:
            sys.stderr.write(res.stderr)
            raise SystemExit("onnxruntime-node run failed: is onnxruntime-node installed (pnpm install at the "
                             "repository root, or NODE_PATH)?")
        with open(os.path.join(d, "result.json")) as f:
            result = json.load(f)
        out = []
        for r in result:
            arrs = {}
            for name, o in r["outputs"].items():
                arrs[name] = np.fromfile(o["file"], dtype=NP_TYPES[o["type"]]).reshape(o["dims"])
            out.append(arrs)
        return out


# ---------------------------------------------------------------------------------------------
# ONNX graph inspection
# ---------------------------------------------------------------------------------------------

def float_values(model):
    """(name, producing node name) of every float tensor produced by a non-Constant node, in graph order."""
    inferred = onnx.shape_inference.infer_shapes(model)
    types = {vi.name: vi.type.tensor_type.elem_type
             for vi in list(inferred.graph.value_info) + list(inferred.graph.output)}
    vals = []
    for n in model.graph.node:
        if n.op_type == "Constant":
            continue
        for o in n.output:
            if o and types.get(o) == onnx.TensorProto.FLOAT:
                vals.append((o, n.name, n.op_type))
    return vals


def with_outputs(model, names):
    m = copy.deepcopy(model)
    have = {o.name for o in m.graph.output}
    for name in names:
        if name not in have:
            m.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    return m


def graph_value_names(model):
    return {o for n in model.graph.node for o in n.output if o}


def find_onnx_values(onnx_path, input_name, x, torch_acts):
    """Run every float node output of the graph in onnxruntime-node and match each torch activation (module path ->
    float32 array) to the node outputs of equal shape and value; exactly one match must exist, produced by a node in
    the module's ONNX scope ('/<module path>/...')."""
    model = onnx.load(onnx_path)
    vals = float_values(model)
    (ort_vals,) = run_ort([{"model": with_outputs(model, [v[0] for v in vals]), "feeds": {input_name: x},
                            "outputs": [v[0] for v in vals]}])
    found = {}
    for module, act in torch_acts.items():
        tol = 1e-5 * max(1.0, float(np.abs(act).max()))
        matches = []
        for name, node, op in vals:
            v = ort_vals[name]
            if v.shape == act.shape:
                err = float(np.abs(v.astype(np.float64) - act).max())
                if err <= tol:
                    matches.append((name, node, op, err))
        assert len(matches) == 1, (module, "ONNX values matching the torch hook output", matches)
        name, node, op, err = matches[0]
        assert node.startswith("/" + module + "/"), (module, "matched value outside the module's scope", node)
        found[module] = {"onnx": name, "node": node, "op": op, "ort_vs_torch_max_abs": err}
    return found


# ---------------------------------------------------------------------------------------------
# Layer-level autograd (float64)
# ---------------------------------------------------------------------------------------------

def run_hooked(model, module, x, replace=None, add=None):
    """model(x) with a forward hook on `module`: returns (output, the module's own output). `replace` substitutes the
    module's output (as Captum's LayerIG hook does), `add` is added to it (finite differences)."""
    seen = {}

    def hook(_mod, _inp, out):
        seen["A"] = out
        if replace is not None:
            return replace
        if add is not None:
            return out + add
        return None

    h = module.register_forward_hook(hook)
    try:
        y = model(x)
    finally:
        h.remove()
    return y, seen["A"]


def scalars(y, cot):
    """y [B, *O], cot [K, *O] -> [K, B]: scalar_k of every batch element."""
    return torch.stack([(c * y).reshape(y.shape[0], -1).sum(1) for c in (cot[k:k + 1] for k in range(cot.shape[0]))])


def layer_grads(model, module, x, act, cot):
    """[K, B, *A]: d scalar_k / d A at the activation points `act` [B, *A] (injected into the module's output; the
    model runs on x expanded to B, as Captum's LayerIG does)."""
    leaf = act.detach().clone().requires_grad_(True)
    xb = x.expand(act.shape[0], *x.shape[1:])
    y, _ = run_hooked(model, module, xb, replace=leaf)
    s = scalars(y, cot)
    return torch.stack([torch.autograd.grad(s[k].sum(), leaf, retain_graph=k + 1 < cot.shape[0])[0]
                        for k in range(cot.shape[0])])


def activation(model, module, x):
    with torch.no_grad():
        y, a = run_hooked(model, module, x)
    return y, a.detach().clone()


def to_grid(t, layout, hw):
    """[B, *A] -> [B, C, h, w]. NCHW: unchanged. NLC (tokens): [B, N, C] -> reshape [B, h, w, C] -> permute."""
    if layout == "NCHW":
        return t
    h, w = hw
    return t.reshape(t.shape[0], h, w, t.shape[2]).permute(0, 3, 1, 2)


def grad_cam(grads_grid, act_grid):
    """Captum LayerGradCam on a grid: grads [K, C, h, w], act [1, C, h, w] -> [K, 1, h, w] (signed)."""
    weights = grads_grid.mean(dim=(2, 3), keepdim=True)
    return (weights * act_grid).sum(dim=1, keepdim=True)


def leggauss01(n):
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return 0.5 * (1.0 + nodes), 0.5 * weights


def layer_ig(model, module, x, a_x, a_0, cot, n):
    """Captum LayerIntegratedGradients (attribute_to_layer_input=False, gausslegendre): [K, *A] (batch dropped)."""
    alphas, weights = leggauss01(n)
    al = torch.tensor(alphas, dtype=torch.float64).view(-1, *([1] * (a_x.dim() - 1)))
    wt = torch.tensor(weights, dtype=torch.float64).view(1, -1, *([1] * (a_x.dim() - 1)))
    points = a_0 + al * (a_x - a_0)  # [n, *A]: straight line in activation space
    g = layer_grads(model, module, x, points, cot)  # [K, n, *A]
    return (wt * g).sum(1) * (a_x - a_0)[0]


def layer_ig_input_path(model, module, x, a_x, a_0, cot, n):
    """NOT Captum's definition (for comparison only): the gradient taken at the activations of the scaled inputs
    alpha * x, multiplied by A(x) - A(0)."""
    alphas, weights = leggauss01(n)
    al = torch.tensor(alphas, dtype=torch.float64).view(-1, *([1] * (x.dim() - 1)))
    wt = torch.tensor(weights, dtype=torch.float64).view(1, -1, *([1] * (a_x.dim() - 1)))
    _, acts = activation(model, module, al * x)  # A(alpha_i x), [n, *A]
    g = torch.stack([layer_grads(model, module, al[i] * x, acts[i:i + 1], cot)[:, 0] for i in range(n)], 1)
    return (wt * g).sum(1) * (a_x - a_0)[0]


def fd_check(model, module, x, a_x, grads, cot, gen):
    """Central differences of scalar_k along random directions v of A (v added to the module output by a hook).
    Returns the max relative error |fd - <g, v>| / |<g, v>| over rows and directions."""
    worst = 0.0
    for k in range(cot.shape[0]):
        for _ in range(FD_DIRECTIONS):
            v = torch.randn(a_x.shape, generator=gen, dtype=torch.float64)
            with torch.no_grad():
                yp, _ = run_hooked(model, module, x, add=FD_STEP * v)
                ym, _ = run_hooked(model, module, x, add=-FD_STEP * v)
            fd = float(((cot[k] * yp).sum() - (cot[k] * ym).sum()) / (2 * FD_STEP))
            an = float((grads[k] * v[0]).sum())
            worst = max(worst, abs(fd - an) / abs(an))
    return worst


def rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


# ---------------------------------------------------------------------------------------------
# Optional: Captum itself
# ---------------------------------------------------------------------------------------------

def import_captum():
    src = os.environ.get("CAPTUM_SRC", "/tmp/captum-src")
    if os.path.isdir(os.path.join(src, "captum")) and src not in sys.path:
        sys.path.append(src)
    try:
        import captum
        import captum.attr  # noqa: F401  (the cross-check uses it)
        return captum
    except Exception:  # noqa: BLE001  (optional cross-check only)
        return None


class _ToGrid(torch.nn.Module):
    def __init__(self, hw):
        super().__init__()
        self.hw = hw

    def forward(self, t):
        return to_grid(t, "NLC", self.hw)


class _ToTokens(torch.nn.Module):
    def forward(self, g):
        return g.permute(0, 2, 3, 1).reshape(g.shape[0], g.shape[2] * g.shape[3], g.shape[1])


def captum_crosscheck(captum, model64, layer, x64, cot, hw, size, ref):
    """Captum's own LayerGradientXActivation(multiply_by_inputs=False) (= the layer gradient), LayerGradCam,
    LayerAttribution.interpolate and LayerIntegratedGradients, vs this script's arrays. Returns max rel diffs."""
    from captum.attr import LayerAttribution, LayerGradCam, LayerGradientXActivation, LayerIntegratedGradients

    m = copy.deepcopy(model64)
    cam_layer = get_module(m, layer["module"])
    if layer["layout"] == "NLC":  # Grad-CAM layer = a grid view inserted after the block (numerically a no-op)
        grid = _ToGrid(hw)
        set_module(m, layer["module"], torch.nn.Sequential(cam_layer, grid, _ToTokens()))
        cam_layer = grid
    out = {"grad": 0.0, "gradcam": 0.0, "gradcam_relu": 0.0, "up_nearest": 0.0, "up_bilinear": 0.0, "layer_ig": 0.0,
           "ig_delta": 0.0}
    for k in range(cot.shape[0]):
        def fwd(inp, k=k, net=model64):
            return (net(inp) * cot[k]).reshape(inp.shape[0], -1).sum(1)

        def fwd_m(inp, k=k):
            return fwd(inp, k, m)

        g = LayerGradientXActivation(fwd, get_module(model64, layer["module"]), multiply_by_inputs=False)
        out["grad"] = max(out["grad"], rel(g.attribute(x64)[0].detach(), ref["grad"][k]))
        gc = LayerGradCam(fwd_m, cam_layer)
        cam = gc.attribute(x64).detach()
        out["gradcam"] = max(out["gradcam"], rel(cam[0], ref["gradcam"][k]))
        out["gradcam_relu"] = max(out["gradcam_relu"],
                                  rel(gc.attribute(x64, relu_attributions=True).detach()[0], ref["gradcam_relu"][k]))
        out["up_nearest"] = max(out["up_nearest"], rel(LayerAttribution.interpolate(cam, size, "nearest")[0],
                                                       ref["up_nearest"][k]))
        out["up_bilinear"] = max(out["up_bilinear"], rel(LayerAttribution.interpolate(cam, size, "bilinear")[0],
                                                         ref["up_bilinear"][k]))
        lig = LayerIntegratedGradients(fwd, get_module(model64, layer["module"]))
        attr, delta = lig.attribute(x64, n_steps=IG_STEPS, method="gausslegendre", return_convergence_delta=True)
        out["layer_ig"] = max(out["layer_ig"], rel(attr[0].detach(), ref["layer_ig"][k]))
        out["ig_delta"] = max(out["ig_delta"], abs(float(delta[0]) - ref["delta"][k]))
    return out


# ---------------------------------------------------------------------------------------------
# Per fixture
# ---------------------------------------------------------------------------------------------

def make_fixture(name, spec, captum):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    gdir = os.path.join(GRAD, name)
    in_name, out_name = spec["input"], spec["output"]
    x = np.load(os.path.join(gdir, "inputs", in_name + ".npy"))
    expected = np.load(os.path.join(gdir, "expected_output.npy"))
    cot_np = np.load(os.path.join(gdir, "cotangent.npy"))
    grad_meta = json.load(open(os.path.join(gdir, "meta.json")))
    assert grad_meta["wrt"] == in_name and grad_meta["of"] == out_name and grad_meta["k"] == K
    checks = {}

    # --- the torch model reproduces the grad fixture ---------------------------------------------------------------
    model = spec["build"]()
    x32 = torch.from_numpy(x)
    with torch.no_grad():
        y32 = model(x32).numpy()
    checks["torch_vs_expected_output_max_abs"] = float(np.abs(y32 - expected).max())
    assert checks["torch_vs_expected_output_max_abs"] <= 1e-6, (name, checks)

    # --- fixed-batch export ----------------------------------------------------------------------------------------
    fixed_path = os.path.join(d, "model-fixed.onnx")
    export_kwargs = grad_meta.get("export", {})
    assert not export_kwargs, (name, "non-default export options in the grad fixture", export_kwargs)
    fixed_ops = mgf.export(model, (x32,), fixed_path, [in_name], [out_name], None)  # runs the ONNX checker
    fixed = onnx.load(fixed_path)
    dyn_path = os.path.join(gdir, "model.onnx")
    dyn = onnx.load(dyn_path)
    for vi in list(fixed.graph.input) + list(fixed.graph.output):
        d0 = vi.type.tensor_type.shape.dim[0]
        assert d0.HasField("dim_value") and d0.dim_value == 1 and not d0.dim_param, (name, vi.name, d0)
    assert [i.name for i in fixed.graph.input] == [in_name] and [o.name for o in fixed.graph.output] == [out_name]
    assert fixed.opset_import[0].version == mgf.OPSET
    fixed_shapes = {vi.name: [dd.dim_value for dd in vi.type.tensor_type.shape.dim]
                    for vi in list(fixed.graph.input) + list(fixed.graph.output)}

    # --- the layers: torch activations, matched to ONNX values ---------------------------------------------------
    acts32 = {}
    for layer in spec["layers"]:
        _, a = activation(model, get_module(model, layer["module"]), x32)
        acts32[layer["module"]] = a.numpy()
    found = find_onnx_values(dyn_path, in_name, x, acts32)

    layer_names = [found[lay["module"]]["onnx"] for lay in spec["layers"]]
    in_fixed = [n in graph_value_names(fixed) for n in layer_names]
    fixed_names = [n for n, ok in zip(layer_names, in_fixed) if ok]
    r_dyn, r_fixed = run_ort([{"model": with_outputs(dyn, layer_names), "feeds": {in_name: x}},
                              {"model": with_outputs(fixed, fixed_names), "feeds": {in_name: x}}])
    checks["ort_fixed_vs_dynamic_output_max_abs"] = float(np.abs(r_fixed[out_name] - r_dyn[out_name]).max())
    checks["ort_fixed_vs_expected_output_max_abs"] = float(np.abs(r_fixed[out_name] - expected).max())
    assert checks["ort_fixed_vs_dynamic_output_max_abs"] <= 1e-6, (name, checks)
    assert checks["ort_fixed_vs_expected_output_max_abs"] <= 1e-5, (name, checks)
    for n in fixed_names:
        checks.setdefault("ort_fixed_vs_dynamic_layer_max_abs", {})[n] = float(np.abs(r_fixed[n] - r_dyn[n]).max())
        assert checks["ort_fixed_vs_dynamic_layer_max_abs"][n] <= 1e-6, (name, n, checks)

    # --- float64 references ----------------------------------------------------------------------------------------
    m64 = copy.deepcopy(model).double().eval()
    x64 = x32.double()
    z64 = torch.zeros_like(x64)
    cot = torch.from_numpy(cot_np).double()
    with torch.no_grad():
        s_x = scalars(m64(x64), cot)[:, 0]
        s_0 = scalars(m64(z64), cot)[:, 0]
    size = tuple(x.shape[2:])
    alphas, weights = leggauss01(IG_STEPS)
    gen = torch.Generator().manual_seed(FD_SEED)
    layers_json, layer_meta, files = [], [], {}
    for i, layer in enumerate(spec["layers"]):
        mod = get_module(m64, layer["module"])
        _, a_x = activation(m64, mod, x64)
        _, a_0 = activation(m64, mod, z64)
        shape = list(a_x.shape)
        entry = {"index": i, "onnx": found[layer["module"]]["onnx"], "module": layer["module"], "shape": shape,
                 "layout": layer["layout"], "what": layer["what"],
                 "onnx_node": found[layer["module"]]["node"], "onnx_op": found[layer["module"]]["op"],
                 "in_model_fixed": in_fixed[i]}
        if layer["layout"] == "NCHW":
            hw = (shape[2], shape[3])
            entry["layout_note"] = "[1, C, h, w], C = %d, h = %d, w = %d" % (shape[1], hw[0], hw[1])
        else:
            n_tok, c = shape[1], shape[2]
            side = int(round(n_tok ** 0.5))
            assert side * side == n_tok
            hw = (side, side)
            entry["layout_note"] = ("[1, N, C] tokens, N = h * w = %d * %d (row-major: token n = r * w + c), C = %d, "
                                    "no CLS token" % (hw[0], hw[1], c))
            entry["grid"] = {"h": hw[0], "w": hw[1],
                             "transform": "A[0].reshape(h, w, C).permute(2, 0, 1)[None] -> [1, C, h, w]"}
        layers_json.append(entry)

        grads = layer_grads(m64, mod, x64, a_x, cot)[:, 0]  # [K, *A[1:]]
        cam = grad_cam(to_grid(grads, layer["layout"], hw), to_grid(a_x, layer["layout"], hw))
        cam_relu = F.relu(cam)
        up_n = F.interpolate(cam, size, mode="nearest")
        up_b = F.interpolate(cam, size, mode="bilinear")
        ig = layer_ig(m64, mod, x64, a_x, a_0, cot, IG_STEPS)
        delta = (ig.reshape(K, -1).sum(1) - (s_x - s_0)).tolist()

        # checks
        fd = fd_check(m64, mod, x64, a_x, grads, cot, gen)
        assert fd < 1e-6, (name, layer["module"], "finite differences", fd)
        if layer["layout"] == "NLC":  # token-layout Grad-CAM (mean over tokens, sum over channels) == grid one
            tok = (grads.mean(1, keepdim=True) * a_x).sum(2).reshape(K, 1, *hw)
            assert torch.allclose(tok, cam, rtol=1e-12, atol=1e-14), (name, "token vs grid Grad-CAM")
        ig_ref = layer_ig(m64, mod, x64, a_x, a_0, cot, IG_CHECK_STEPS)
        ig_in = layer_ig_input_path(m64, mod, x64, a_x, a_0, cot, IG_STEPS)
        delta_in = (ig_in.reshape(K, -1).sum(1) - (s_x - s_0)).tolist()
        delta_ref = (ig_ref.reshape(K, -1).sum(1) - (s_x - s_0)).tolist()
        # quadrature error only: small for the smooth (GELU) swin; on the ReLU resnet the integrand has kinks along
        # the path, so 50 Gauss-Legendre nodes leave a visible delta that shrinks with more nodes
        scale = max(1.0, float((s_x - s_0).abs().max()))
        assert max(abs(v) for v in delta) < 1e-2 * scale, (name, layer["module"], "completeness", delta)
        assert max(abs(v) for v in delta_ref) < 1e-3 * scale, (name, layer["module"], "completeness 400", delta_ref)
        lchecks = {
            "fd_max_rel_err": sig(fd),
            "ig_%d_vs_%d_max_rel" % (IG_STEPS, IG_CHECK_STEPS): sig(rel(ig, ig_ref)),
            "ig_completeness_delta_max_abs": sig(max(abs(v) for v in delta)),
            "ig_%d_completeness_delta_max_abs" % IG_CHECK_STEPS: sig(max(abs(v) for v in delta_ref)),
            "input_path_variant_vs_captum_max_rel": sig(rel(ig_in, ig)),
            "input_path_variant_completeness_delta": [sig(v) for v in delta_in],
        }
        ref = {"grad": grads, "gradcam": cam, "gradcam_relu": cam_relu, "up_nearest": up_n, "up_bilinear": up_b,
               "layer_ig": ig, "delta": delta}
        print("  %s layer %d %-9s %-32s %-16s fd %.2e  IG delta max %.2e (%d nodes: %.2e)  IG50 vs IG%d %.2e  "
              "input-path variant vs Captum %.2e" % (name, i, layer["module"], entry["onnx"], str(shape), fd,
                                                     max(abs(v) for v in delta), IG_CHECK_STEPS,
                                                     max(abs(v) for v in delta_ref), IG_CHECK_STEPS, rel(ig, ig_ref),
                                                     rel(ig_in, ig)))
        if captum is not None:
            cc = captum_crosscheck(captum, m64, layer, x64, cot, hw, size, ref)
            print("      Captum %s (max rel diff): %s" % (captum.__version__,
                                                        "  ".join("%s %.1e" % kv for kv in cc.items())))
            assert all(v < 1e-6 for v in cc.values()), (name, layer["module"], cc)

        out = {
            "activation-%d.npy" % i: a_x,
            "activation-baseline-%d.npy" % i: a_0,
            "grad-%d.npy" % i: grads,
            "gradcam-%d.npy" % i: cam,
            "gradcam-relu-%d.npy" % i: cam_relu,
            "gradcam-up-nearest-%d.npy" % i: up_n,
            "gradcam-up-bilinear-%d.npy" % i: up_b,
            "layer-ig-%d.npy" % i: ig,
        }
        for fn, t in out.items():
            save_f32(os.path.join(d, fn), t)
            files[fn] = list(t.shape)
        layer_meta.append({**entry, "scalar_completeness_delta": delta, "checks": lchecks,
                           "ort_vs_torch_max_abs": sig(found[layer["module"]]["ort_vs_torch_max_abs"])})

    mgf.write_json(os.path.join(d, "layers.json"), layers_json)
    meta = {
        "fixture": name,
        "source": "fixtures/grad/%s (make_grad_fixtures.build_%s(), same seeds and weights)" % (name, name),
        "input": {"name": in_name, "file": "../../grad/%s/inputs/%s.npy" % (name, in_name), "shape": list(x.shape)},
        "output": {"name": out_name, "shape": list(expected.shape),
                   "expected": "../../grad/%s/expected_output.npy" % name},
        "cotangent": {"file": "../../grad/%s/cotangent.npy" % name, "shape": list(cot_np.shape),
                      "scalar": "scalar_k = sum(cotangent[k] * %s)" % out_name},
        "models": {
            "dynamic": {"file": "../../grad/%s/model.onnx" % name, "batch": "dynamic (dim_param 'batch')"},
            "fixed": {"file": "model-fixed.onnx", "shapes": fixed_shapes, "ops": fixed_ops, "opset": mgf.OPSET,
                      "export": "torch.onnx.export(model, (x,), input_names=[%r], output_names=[%r], "
                                "opset_version=%d, do_constant_folding=True, training=TrainingMode.EVAL), no "
                                "dynamic_axes" % (in_name, out_name, mgf.OPSET)},
        },
        "layers": layer_meta,
        "files": files,
        "scalars": {"at_input": s_x.tolist(), "at_zero_input": s_0.tolist()},
        "definitions": {
            "precision": "float64 (model.double(), float32 inputs and cotangents widened exactly); stored as float32",
            "activation": "A(x): the module's forward output (= the ONNX value) at the fixture input, [1, *A]; "
                          "activation-baseline: A(0) at the all-zero input",
            "grad": "grad[k] = d scalar_k / d A at x, batch axis dropped: [3, *A[1:]] (torch.autograd w.r.t. the "
                    "module output, injected by a forward hook)",
            "grid": "NCHW layers: A itself. Token layers [1, N, C]: A[0].reshape(h, w, C).permute(2, 0, 1)[None] = "
                    "[1, C, h, w], N = h * w row-major, no CLS token; the gradient is transformed the same way",
            "gradcam": "Captum LayerGradCam on the grid, relu_attributions=False: weights[k, c] = mean over (h, w) of "
                       "grad_grid[k, c]; gradcam[k, 0] = sum_c weights[k, c] * A_grid[0, c]: [3, 1, h, w]",
            "gradcam-relu": "relu(gradcam) (relu_attributions=True)",
            "gradcam-up-nearest": "Captum LayerAttribution.interpolate(gradcam, (H, W), 'nearest') = "
                                  "F.interpolate(gradcam, (H, W), mode='nearest') (legacy nearest: "
                                  "src = floor(dst * in / out)) of the SIGNED cam: [3, 1, H, W]",
            "gradcam-up-bilinear": "F.interpolate(gradcam, (H, W), mode='bilinear'), align_corners=False (torch's "
                                   "default; Captum passes none): half-pixel centres, edges clamped",
            "layer-ig": "Captum LayerIntegratedGradients, attribute_to_layer_input=False, baselines=None (input "
                        "baseline 0), n_steps=%d, method='gausslegendre': points P_i = A(0) + alpha_i * (A(x) - A(0)) "
                        "on the straight line in ACTIVATION space (not A(alpha_i * x)); each P_i replaces the "
                        "module output (forward hook) while the model runs on the unscaled input x; "
                        "layer_ig[k] = (A(x) - A(0)) * sum_i w_i * d scalar_k / dA |_(A = P_i): [3, *A[1:]]"
                        % IG_STEPS,
            "ig_alphas_weights": "alpha_i = 0.5 * (1 + leggauss(%d) nodes), w_i = 0.5 * leggauss weights (float64 "
                                 "here; Captum rounds the w_i to float32)" % IG_STEPS,
            "scalar_completeness_delta": "sum(layer_ig[k]) - (scalar_k(x) - scalar_k(0)), per row (Captum's "
                                         "compute_convergence_delta: F run on the inputs without hooks)",
            "input_path_variant": "the variant that takes the gradient at A(alpha_i * x) instead of P_i is NOT "
                                  "Captum's; its difference and its deltas are in layers[].checks for information",
        },
        "ig": {"n_steps": IG_STEPS, "method": "gausslegendre", "alphas": alphas.tolist(), "weights": weights.tolist()},
        "checks": {
            "torch_vs_expected_output_max_abs": checks["torch_vs_expected_output_max_abs"],
            "ort_fixed_vs_dynamic_output_max_abs": checks["ort_fixed_vs_dynamic_output_max_abs"],
            "ort_fixed_vs_expected_output_max_abs": sig(checks["ort_fixed_vs_expected_output_max_abs"]),
            "ort_fixed_vs_dynamic_layer_max_abs": checks.get("ort_fixed_vs_dynamic_layer_max_abs", {}),
            "fd": "central differences, h = %g, %d random normal directions per row (seed %d), perturbation added to "
                  "the module output by a forward hook; relative error |fd - <g, v>| / |<g, v>|"
                  % (FD_STEP, FD_DIRECTIONS, FD_SEED),
        },
        "captum_reference": "definitions read in pytorch/captum v0.8.0: captum/attr/_core/layer/grad_cam.py, "
                            "layer_integrated_gradients.py, _core/integrated_gradients.py, "
                            "_utils/approximation_methods.py, _utils/attribution.py",
        "versions": VERSIONS,
    }
    mgf.write_json(os.path.join(d, "meta.json"), meta)
    print("  %s: torch vs expected_output %.1e; ORT fixed vs dynamic output %.1e, vs expected %.1e; layers in "
          "model-fixed.onnx: %s; ORT vs torch hook: %s" % (
              name, checks["torch_vs_expected_output_max_abs"], checks["ort_fixed_vs_dynamic_output_max_abs"],
              checks["ort_fixed_vs_expected_output_max_abs"], in_fixed,
              ", ".join("%.1e" % found[lay["module"]]["ort_vs_torch_max_abs"] for lay in spec["layers"])))


VERSIONS = {}


def main():
    import torchvision

    blas = blas_in_use()
    print("libblas mapped (first wins): %s" % (", ".join(blas) or "none found"))
    if not blas or "openblas" in blas[0]:
        print("  note: not the reference BLAS; fixtures/grad was made with it, run with "
              "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/blas/libblas.so.3 (see the docstring)")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    VERSIONS.update({"torch": torch.__version__, "torchvision": torchvision.__version__, "onnx": onnx.__version__,
                     "numpy": np.__version__, "onnxruntime-node": ort_version(), "node": node, "opset": mgf.OPSET})
    captum = import_captum()
    print("Captum cross-check: %s" % ("captum %s" % captum.__version__ if captum
                                      else "skipped (captum not importable)"))
    os.makedirs(OUT, exist_ok=True)
    for name, spec in FIXTURES.items():
        make_fixture(name, spec, captum)
    mgf.report_sizes(OUT, MAX_BYTES)


if __name__ == "__main__":
    sys.exit(main())
