"""Reference numbers for packages/core/src/sanity/similarity.test.ts (numpy + scipy, no skimage).

SSIM as skimage.metrics.structural_similarity(a, b, data_range=1, gaussian_weights=True, sigma=1.5,
use_sample_covariance=False) computes it (Wang et al. 2004), written out here with scipy.ndimage.gaussian_filter;
Spearman as scipy.stats.spearmanr of the absolute maps (Quantus MPRT: abs=True, normalise=True).
Run: python3 scripts/dev/sanity_similarity_reference.py
"""
import numpy as np
from scipy.ndimage import gaussian_filter
from scipy.stats import spearmanr


def planes():
    # The same deterministic planes the test builds: a[i] = sin(0.37 i) * (i % 7 - 3), b[i] = cos(0.11 i) + 0.2 * (i % 5)
    h, w = 16, 13
    i = np.arange(h * w, dtype=np.float64)
    a = (np.sin(0.37 * i) * (i % 7 - 3)).reshape(h, w)
    b = (np.cos(0.11 * i) + 0.2 * (i % 5)).reshape(h, w)
    return a, b


def abs_normalised(x):
    x = np.abs(x)
    m = x.max()
    return x / m if m > 0 else x


def ssim(x, y, data_range=1.0, sigma=1.5, truncate=3.5):
    f = lambda v: gaussian_filter(v, sigma=sigma, truncate=truncate, mode='reflect')
    ux, uy = f(x), f(y)
    vx = f(x * x) - ux * ux
    vy = f(y * y) - uy * uy
    vxy = f(x * y) - ux * uy
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux**2 + uy**2 + c1) * (vx + vy + c2))
    r = int(truncate * sigma + 0.5)
    return s[r:-r, r:-r].mean()


a, b = planes()
print('ssim(absnorm a, absnorm b) =', repr(ssim(abs_normalised(a), abs_normalised(b))))
print('ssim(absnorm a, absnorm a**2) =', repr(ssim(abs_normalised(a), abs_normalised(a**2))))
print('spearman(|a|, |b|) =', repr(spearmanr(np.abs(a).ravel(), np.abs(b).ravel()).statistic))
