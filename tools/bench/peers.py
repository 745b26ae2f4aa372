"""Latency of the same architectures in PyTorch (eager) and ONNX Runtime,
for docs/BENCHMARKS.md. Random weights, batch 1, median after warm-up.

    /opt/glimpse-venv/bin/python tools/bench/peers.py --threads 2
"""
import argparse
import os
import statistics
import tempfile
import time

import numpy as np
import onnxruntime
import timm
import torch
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget


def median_ms(function, runs, warmup=10):
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--arch", nargs="+", default=["deit_tiny_patch16_224", "deit_small_patch16_224"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for arch in args.arch:
        model = timm.create_model(arch, pretrained=False).eval()
        x = torch.randn(1, 3, 224, 224)
        with torch.no_grad():
            eager = median_ms(lambda: model(x), args.runs)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.onnx")
            torch.onnx.export(model, x, path, opset_version=17, dynamo=False)
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = args.threads
            options.inter_op_num_threads = 1
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            feed = {session.get_inputs()[0].name: x.numpy()}
            ort = median_ms(lambda: session.run(None, feed), args.runs)

        def reshape(tensor):
            return tensor[:, 1:, :].reshape(tensor.size(0), 14, 14, tensor.size(2)).permute(0, 3, 1, 2)

        cam = GradCAM(model=model, target_layers=[model.blocks[-1].norm1], reshape_transform=reshape)
        gradcam = median_ms(lambda: cam(input_tensor=x, targets=[ClassifierOutputTarget(0)]), max(10, args.runs // 5), warmup=3)
        print(f"{arch}: pytorch {eager:.2f} ms, onnxruntime {ort:.2f} ms, pytorch-grad-cam {gradcam:.2f} ms "
              f"({args.threads} threads, torch {torch.__version__}, onnxruntime {onnxruntime.__version__})")


if __name__ == "__main__":
    main()
