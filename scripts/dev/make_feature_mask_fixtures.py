#!/usr/bin/python3
"""Reference attributions for the feature-mask methods (@envision/method-feature-mask), computed by Captum 0.8.0's own
classes (dev-time only; tests and CI never run Python).

Run from the repository root:
    pnpm run build && node scripts/dev/export_feature_mask_draws.mjs
    PYTHONPATH=/tmp/captum-src /usr/bin/python3 scripts/dev/make_feature_mask_fixtures.py
(Captum from source: see /work/shared/notes/toolchain.md; Debian's python3-torch 1.13, python3-onnx, python3-numpy.
scikit-learn is not installed here, see "Regression" below.)

Inputs: fixtures/methods/feature-mask/cases.json (models, masks, seeds), and what export_feature_mask_draws.mjs wrote
from the TypeScript package: masks/<model>-<mask>.npy (the package's grid and superpixel masks of each fixture input)
and draws.json (the permutations and coalitions the package draws from the seed). They are replayed here exactly, so
the comparison is exact rather than statistical.

Models: the resnet and swin fixtures of fixtures/methods (rebuilt by make_method_fixtures.py's builders, which check
that the weights equal the ONNX initializers), run in float64. Row k explains F_k(x) = W[k] . f(x), W = weights.npy
[3, O]: forward_func = lambda inp: (model(inp) @ W.T) with target = k.

Captum calls (feature_mask = the [H, W] mask as [1, 1, H, W], broadcast over the channels):
  feature-ablation   FeatureAblation(f).attribute(x, baselines=b, target=k, feature_mask=mask)
  shapley-sampling   ShapleyValueSampling(f) with .permutation_generator replaced by one yielding draws.json's
                     permutations; attribute(x, baselines=b, target=k, feature_mask=mask, n_samples=25)
  kernel-shap        KernelShap(f) with .perturb_func replaced by a generator yielding draws.json's coalitions (which
                     start, as Captum's own generator does, with all-ones then all-zeros) and .interpretable_model by
                     WeightedLinearRegression below; Captum's own similarity (1e6 for the two end coalitions, 1 else)
  lime               Lime(f, interpretable_model=WeightedLinearRegression(), perturb_func=<draws.json's coalitions>)
                     with Captum's default similarity (exponential kernel, width 1, on the cosine distance between the
                     flattened input and perturbed input): the package's `model: linear`
  lime-lasso         the same with interpretable_model=ReferenceLasso(alpha=0.01) below, standing in for Captum's
                     default SkLearnLasso(alpha=0.01): the package's default `model: lasso`

Regression. Captum's KernelShap fits sklearn.linear_model.LinearRegression (fit_intercept=True, sample_weight); its
Lime defaults to sklearn's Lasso(alpha=0.01). scikit-learn cannot be installed here, and the package fits ordinary
weighted least squares for both (linear in the target; a Lasso is not). WeightedLinearRegression does what
LinearRegression does: centre X and y by their weighted means, scale the rows by sqrt(w), solve by
numpy.linalg.lstsq (minimum norm, rcond = max(n, m) * eps) in float64. (LimeBase hands the fit float32 tensors;
sklearn would solve in float32, this class widens to float64.)

Lasso. Captum's default interpretable model SkLearnLasso(alpha=0.01) (captum/_utils/models/linear_model/model.py) is
SkLearnLinearModel("linear_model.Lasso"); its fit is sklearn_train_linear_model (.../linear_model/train.py): the
DataLoader (x, y, w) is concatenated into numpy arrays (float32, as LimeBase made them), not normalised (norm_input
False), and sklearn.linear_model.Lasso(alpha=0.01) is fitted with fit(x, y, sample_weight=w) (fit_intercept=True by
default); coef_ becomes the weight of the returned linear model (torch.FloatTensor, so float32), whose
representation() is the attribution. scikit-learn's Lasso with sample weights rescales them to sum to n, centres x and
y by their weighted means, scales the rows by sqrt(w) and minimises (1/(2n)) ||y - Xb||^2 + alpha ||b||_1 there, i.e.
    1/2 sum_i v_i (y_i - c - x_i . b)^2 + alpha ||b||_1,   v = w / sum(w),  intercept c unpenalised.
ReferenceLasso solves exactly that problem in float64 by another method than the package's coordinate descent: FISTA
(accelerated proximal gradient) to a tight tolerance, then an exact active-set solve on the support and signs FISTA
found (G_SS b_S = c_S - alpha s_S), accepted only when the KKT conditions hold everywhere to 1e-10 of
max(alpha, max|c|) (asserted); it then returns coef_ as torch.FloatTensor, as sklearn_train_linear_model does. It is
not sklearn: sklearn stops its coordinate descent at a duality-gap tolerance (tol=1e-4) and runs in float32 on
float32 input, so real Captum differs from this exact optimum by up to that tolerance.

Output (fixtures/methods/feature-mask/): references.json, per model and mask, per method, the K x m attribution of
each feature (Captum's map is asserted constant over every feature's elements, so its value per feature is stored
instead of [3, 3, 32, 32] maps), plus F(x), the end-point sums and notes. Deterministic: same inputs, same file.
"""
import json
import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_method_fixtures as mmf  # noqa: E402  (model builders, weight checks; single-threaded deterministic torch)

from captum.attr import FeatureAblation, KernelShap, Lime, ShapleyValueSampling  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DIR = os.path.join(ROOT, "fixtures", "methods", "feature-mask")


class WeightedLinearRegression:
    """The interpretable-model protocol Captum's LimeBase uses (fit(DataLoader), representation()), fitting
    sklearn LinearRegression's weighted least squares with intercept in float64."""

    def fit(self, loader):
        xs, ys, ws = [], [], []
        for x, y, w in loader:
            xs.append(x.double().numpy())
            ys.append(y.double().numpy())
            ws.append(w.double().numpy())
        x, y, w = np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)
        x_off = np.average(x, axis=0, weights=w)
        y_off = np.average(y, axis=0, weights=w)
        s = np.sqrt(w)
        coef, _, rank, _ = np.linalg.lstsq((x - x_off) * s[:, None], (y - y_off) * s, rcond=None)
        self.coef, self.rank, self.intercept = coef, int(rank), float(y_off - x_off @ coef)
        return {}

    def representation(self):
        return torch.from_numpy(self.coef).reshape(1, -1)


class ReferenceLasso:
    """Captum's Model protocol (fit(DataLoader), representation()) fitting sklearn's Lasso objective with intercept
    and sample weights exactly (see "Lasso" above); records the KKT residual, the support size and the Gram's rank."""

    def __init__(self, alpha=0.01):
        self.alpha = alpha

    def fit(self, loader):
        xs, ys, ws = [], [], []
        for x, y, w in loader:  # float32 tensors, as LimeBase builds them; sklearn_train concatenates them
            xs.append(x.numpy())
            ys.append(y.numpy())
            ws.append(w.numpy())
        x = np.concatenate(xs).astype(np.float64)
        y = np.concatenate(ys).astype(np.float64).reshape(-1)
        w = np.concatenate(ws).astype(np.float64).reshape(-1)
        v = w / w.sum()  # sklearn: sw * n / sum(sw), objective / n: the same problem
        x_off = v @ x
        y_off = v @ y
        a = (x - x_off) * np.sqrt(v)[:, None]
        b = (y - y_off) * np.sqrt(v)
        gram, c = a.T @ a, a.T @ b
        alpha = self.alpha
        scale = max(alpha, np.abs(c).max())
        coef = self._fista(gram, c, alpha)
        coef = self._polish(gram, c, alpha, coef)
        g = c - gram @ coef
        viol = np.where(coef > 0, np.abs(g - alpha), np.where(coef < 0, np.abs(g + alpha), np.maximum(0, np.abs(g) - alpha)))
        viol[np.diag(gram) <= 0] = 0
        self.kkt = float(viol.max() / scale)
        assert self.kkt <= 1e-10, self.kkt
        self.active = int(np.count_nonzero(coef))
        self.rank = int(np.linalg.matrix_rank(a))
        self.coef = coef
        self.intercept = float(y_off - x_off @ coef)
        return {}

    @staticmethod
    def _fista(gram, c, alpha, iterations=200000):
        step = 1.0 / max(np.linalg.eigvalsh(gram).max(), 1e-300)
        coef = np.zeros_like(c)
        z, t = coef.copy(), 1.0
        for _ in range(iterations):
            u = z - step * (gram @ z - c)
            nxt = np.sign(u) * np.maximum(np.abs(u) - step * alpha, 0)
            t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
            z = nxt + ((t - 1) / t_next) * (nxt - coef)
            done = np.abs(nxt - coef).max() <= 1e-15 * max(1.0, np.abs(nxt).max())
            coef, t = nxt, t_next
            if done:
                break
        return coef

    @staticmethod
    def _polish(gram, c, alpha, coef):
        """Exact solve on FISTA's support and signs; kept when it keeps the signs (the KKT check follows)."""
        support = np.flatnonzero(np.abs(coef) > 1e-9 * max(1e-300, np.abs(coef).max()))
        if support.size == 0:
            return coef
        signs = np.sign(coef[support])
        exact = np.zeros_like(coef)
        exact[support] = np.linalg.solve(gram[np.ix_(support, support)], c[support] - alpha * signs)
        return exact if np.all(np.sign(exact[support]) == signs) else coef

    def representation(self):
        return torch.FloatTensor(self.coef).reshape(1, -1)  # sklearn_train_linear_model: torch.FloatTensor(coef_)


def check_model(name, model):
    """The rebuilt weights are the exported ones (make_method_fixtures.check_weights' initializer test); the float32
    forward output matches the fixture's to 1e-6 relative (its byte-identity check fails by one ulp with this
    machine's BLAS). Returns the fixture input."""
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    linear_t = [mod.weight.detach().numpy().T for mod in model.modules() if isinstance(mod, torch.nn.Linear)]
    for oname in mmf.MODELS[name][3] + [name]:
        for init in onnx.load(os.path.join(mmf.GRAD, oname, "model.onnx")).graph.initializer:
            arr = onnx.numpy_helper.to_array(init)
            if init.name in sd:
                assert np.array_equal(arr, sd[init.name]), (oname, init.name)
            elif init.name.startswith("onnx::MatMul") and arr.ndim == 2:
                assert any(t.shape == arr.shape and np.array_equal(t, arr) for t in linear_t), (oname, init.name)
    d = os.path.join(mmf.GRAD, name)
    x = np.load(os.path.join(d, "inputs", mmf.MODELS[name][1] + ".npy"))
    with torch.no_grad():
        y = model(torch.from_numpy(x)).numpy()
    expected = np.load(os.path.join(d, "expected_output.npy"))
    assert np.abs(y - expected).max() <= 1e-6 * np.abs(expected).max(), name
    return x


def per_feature(attr, mask, m):
    """Captum's [1, C, H, W] map -> the value of each feature, asserting the map is constant over the feature."""
    a = attr.detach().double().numpy()[0]
    out = []
    for f in range(m):
        vals = a[:, mask == f]
        assert vals.size > 0 and np.all(vals == vals.flat[0]), f
        out.append(float(vals.flat[0]))
    return out


def main():
    cases = json.load(open(os.path.join(DIR, "cases.json")))
    draws = json.load(open(os.path.join(DIR, "draws.json")))
    builders = {"resnet": mmf.build_resnet, "swin": mmf.build_swin}
    refs = {"description": "Per model, mask and method: the attribution of each feature, [K][m] (K = 3 rows of weights.npy), from Captum 0.8.0's classes replaying draws.json (see scripts/dev/make_feature_mask_fixtures.py).", "models": {}}
    for name, spec in cases["models"].items():
        model = builders[name]()
        x = check_model(name, model)
        model64 = model.double().eval()
        W = torch.from_numpy(np.load(os.path.join(DIR, spec["weights"]))).double()
        x64 = torch.from_numpy(x).double()
        f = lambda inp: model64(inp) @ W.T  # noqa: E731
        with torch.no_grad():
            fx = f(x64)[0].tolist()
        refs["models"][name] = {"F(x)": fx}
        for mask_name, mcase in cases["masks"].items():
            d = draws[name][mask_name]
            mask_np = np.load(os.path.join(DIR, d["mask"]))
            m = d["m"]
            assert mask_np.min() == 0 and mask_np.max() == m - 1
            mask = torch.from_numpy(mask_np)[None, None]
            b = float(mcase["baseline"])
            out = {"m": m, "baseline": b}
            rows = {"feature-ablation": [], "shapley-sampling": [], "kernel-shap": [], "lime": [], "lime-lasso": []}
            notes = {"kernel-shap rank": [], "lime rank": [], "shapley efficiency gap": [], "lime-lasso active": [], "lime-lasso kkt": []}
            for k in range(W.shape[0]):
                fa = FeatureAblation(f).attribute(x64, baselines=b, target=k, feature_mask=mask)
                rows["feature-ablation"].append(per_feature(fa, mask_np, m))

                svs = ShapleyValueSampling(f)
                svs.permutation_generator = lambda _m, _n: iter([list(p) for p in d["permutations"]])
                sv = svs.attribute(x64, baselines=b, target=k, feature_mask=mask, n_samples=len(d["permutations"]))
                rows["shapley-sampling"].append(per_feature(sv, mask_np, m))
                # efficiency: sum of the sampled Shapley values = F(x) - F(baseline), exactly, for every permutation
                with torch.no_grad():
                    fb = f(torch.full_like(x64, b))[0, k].item()
                notes["shapley efficiency gap"].append(sum(rows["shapley-sampling"][-1]) - (fx[k] - fb))

                ks = KernelShap(f)
                ks.interpretable_model = WeightedLinearRegression()

                def ks_gen(_inp, **_kw):
                    for z in d["kernelShap"]:
                        yield torch.tensor([z], dtype=torch.long)

                ks.perturb_func = ks_gen
                kv = ks.attribute(x64, baselines=b, target=k, feature_mask=mask, n_samples=len(d["kernelShap"]))
                rows["kernel-shap"].append(per_feature(kv, mask_np, m))
                notes["kernel-shap rank"].append(ks.interpretable_model.rank)

                def lime_gen(_inp, **_kw):
                    for z in d["lime"]:
                        yield torch.tensor([z], dtype=torch.long)

                lime_model = WeightedLinearRegression()
                lm = Lime(f, interpretable_model=lime_model, perturb_func=lime_gen)
                lv = lm.attribute(x64, baselines=b, target=k, feature_mask=mask, n_samples=len(d["lime"]))
                rows["lime"].append(per_feature(lv, mask_np, m))
                notes["lime rank"].append(lime_model.rank)

                lasso_model = ReferenceLasso(alpha=0.01)
                lm = Lime(f, interpretable_model=lasso_model, perturb_func=lime_gen)
                lv = lm.attribute(x64, baselines=b, target=k, feature_mask=mask, n_samples=len(d["lime"]))
                rows["lime-lasso"].append(per_feature(lv, mask_np, m))
                assert lasso_model.rank == m, (name, mask_name, k, lasso_model.rank)  # full rank: the optimum is unique
                notes["lime-lasso active"].append(lasso_model.active)
                notes["lime-lasso kkt"].append(lasso_model.kkt)
            out.update(rows)
            out["notes"] = notes
            refs["models"][name][mask_name] = out
            print(name, mask_name, "m =", m, {k: v for k, v in notes.items()})
    with open(os.path.join(DIR, "references.json"), "w", encoding="utf-8") as fh:
        fh.write(json.dumps(refs, indent=1))
        fh.write("\n")


if __name__ == "__main__":
    main()
