"""Which tokens a pruning policy keeps on Fashion-MNIST: background or garment.

For the first N test images, runs `glimpse analyze --policy P --keep R --json`
and counts the kept patch tokens whose 2x2 pixels average below 10 of 255
(Fashion-MNIST's background is 0). Prints, per model and policy, the share
of kept tokens that are background, the share of those on the garment's
outline (a garment token among their 8 neighbours), and the share of the
garment's tokens kept. Needs numpy and a built glimpse; the product never runs this.

    python3 tools/analysis/kept_tokens.py --images 200 \
        --models assets/models/fashion-vit --policies scorer,gradcam,random
"""
import argparse
import gzip
import json
import os
import subprocess
import tempfile

import numpy as np

DATA = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
BACKGROUND = 10


def test_images(count):
    pixels = gzip.open(DATA).read()[16:]
    return np.frombuffer(pixels, dtype=np.uint8).reshape(-1, 28, 28)[:count]


def outline(garment):
    """Background tokens with a garment token among their 8 neighbours."""
    padded = np.pad(garment, 1)
    near = np.zeros_like(garment)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            near |= padded[dy:dy + garment.shape[0], dx:dx + garment.shape[1]]
    return near & ~garment


def kept_indices(glimpse, model, image_path, policy, keep):
    output = subprocess.run([glimpse, "analyze", "--model", model, "--image", image_path, "--policy", policy,
                             "--keep", str(keep), "--json"], capture_output=True, text=True, check=True).stdout
    return json.loads(output)["kept"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--glimpse", default=".build/release/glimpse")
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--keep", type=float, default=0.3)
    parser.add_argument("--models", required=True, help="comma-separated model folders (patch 2, 28x28 input)")
    parser.add_argument("--policies", default="scorer,gradcam,random")
    arguments = parser.parse_args()
    images = test_images(arguments.images)
    with tempfile.TemporaryDirectory() as scratch:
        paths = []
        for index, image in enumerate(images):
            path = os.path.join(scratch, f"{index}.pgm")
            with open(path, "wb") as file:
                file.write(b"P5 28 28 255\n" + image.tobytes())
            paths.append(path)
        for model in arguments.models.split(","):
            for policy in arguments.policies.split(","):
                background, on_outline, garment_kept = [], [], []
                for image, path in zip(images, paths):
                    garment = image.astype(float).reshape(14, 2, 14, 2).mean(axis=(1, 3)) >= BACKGROUND
                    edge = outline(garment)
                    kept = kept_indices(arguments.glimpse, model, path, policy, arguments.keep)
                    rows, columns = np.array(kept) // 14, np.array(kept) % 14
                    kept_background = ~garment[rows, columns]
                    background.append(kept_background.mean())
                    if kept_background.any():
                        on_outline.append(edge[rows, columns][kept_background].mean())
                    garment_kept.append(garment[rows, columns].sum() / max(garment.sum(), 1))
                print(f"{model} {policy}: background share of kept tokens {np.mean(background):.2f} "
                      f"({np.mean(on_outline):.2f} of them on the outline), garment tokens kept {np.mean(garment_kept):.2f}")


if __name__ == "__main__":
    main()
