"""Which tokens a pruning policy keeps on Fashion-MNIST: background or garment.

For the first N test images, runs `glimpse analyze --policy P --keep R --json`
and counts the kept patch tokens whose 2x2 pixels average below 10 of 255
(Fashion-MNIST's background is 0). Prints, per model and policy, the share
of kept tokens that are background and the share of the garment's tokens
kept. Needs numpy and a built glimpse; the product never runs this.

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
                background, garment_kept = [], []
                for image, path in zip(images, paths):
                    patches = image.astype(float).reshape(14, 2, 14, 2).mean(axis=(1, 3))
                    kept = np.array([patches[k // 14, k % 14] for k in kept_indices(arguments.glimpse, model, path,
                                                                                      policy, arguments.keep)])
                    background.append(np.mean(kept < BACKGROUND))
                    garment_kept.append((kept >= BACKGROUND).sum() / max((patches >= BACKGROUND).sum(), 1))
                print(f"{model} {policy}: background share of kept tokens {np.mean(background):.2f}, "
                      f"garment tokens kept {np.mean(garment_kept):.2f}")


if __name__ == "__main__":
    main()
