#!/usr/bin/python3
"""Export full-size random-weight encoders for the gradient-engine benchmark (dev-time only; output NOT committed).

Run from anywhere:  /usr/bin/python3 scripts/dev/export_bench_models.py [--out DIR]
Needs Debian's packages: python3-torch python3-torchvision python3-onnx.

Writes to DIR (default <repo>/.cache/bench, which is gitignored):
  swin_t_512.onnx    torchvision swin_t(weights=None), head = Linear(768, 512, bias=False)  (as MedCLIP's Swin variant)
  resnet50_512.onnx  torchvision resnet50(weights=None), fc = Linear(2048, 512, bias=False) (as MedCLIP's ResNet one)
Both: input pixel_values [B,3,224,224], output image_embeds [B,512], opset 17, dynamic batch, eval mode,
constant folding (so resnet50's BatchNorms are folded into its Convs). Random weights, seed 0.
torchvision's Swin follows the same semantics as HF Swin at 224 (stage 4 is 7x7 = window, so unshifted);
its module layout differs from HF's, so op counts are indicative of, not identical to, a MedCLIP export.
Prints the ONNX op types (with counts) of each model, and the op types on the differentiable path from
pixel_values to image_embeds (the ones the gradient engine needs a VJP rule for; see make_grad_fixtures.py).
"""
import argparse
import collections
import os
import sys

import onnx
import torch
import torch.nn as nn
import torchvision

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_grad_fixtures import grad_path_ops  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

torch.set_num_threads(max(1, os.cpu_count() or 1))


def export(model, path):
    model.eval()
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    torch.onnx.export(model, (x,), path, input_names=["pixel_values"], output_names=["image_embeds"],
                      dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}},
                      opset_version=17, do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(path)  # by path: works for models over 2 GB too
    counts = collections.Counter(n.op_type for n in m.graph.node)
    print("%s  (%.1f MB)" % (path, os.path.getsize(path) / 1e6))
    print("  ops: " + " ".join("%s:%d" % (k, counts[k]) for k in sorted(counts)))
    grad = grad_path_ops(path, "pixel_values", "image_embeds")
    print("  on the differentiable path: " + " ".join(grad))
    return set(counts), set(grad)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, ".cache", "bench"), help="output directory")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    torch.manual_seed(0)
    swin = torchvision.models.swin_t(weights=None)
    swin.head = nn.Linear(768, 512, bias=False)
    ops_swin, grad_swin = export(swin, os.path.join(args.out, "swin_t_512.onnx"))

    torch.manual_seed(0)
    resnet = torchvision.models.resnet50(weights=None)
    resnet.fc = nn.Linear(2048, 512, bias=False)
    ops_resnet, grad_resnet = export(resnet, os.path.join(args.out, "resnet50_512.onnx"))

    union = sorted(ops_swin | ops_resnet)
    print("union of all op types (%d): %s" % (len(union), " ".join(union)))
    union = sorted(grad_swin | grad_resnet)
    print("union on the differentiable path (%d): %s" % (len(union), " ".join(union)))


if __name__ == "__main__":
    sys.exit(main())
