"""How much global information a ViT's first block writes into each patch
token, before token pruning after that block.

For the first N Fashion-MNIST test images, runs the patch embedding and
block 0 of each model folder (F32 weights, no stem) and prints, over the
patch tokens, the mean of |attention branch| / |token|: the size of what
block 0's attention adds to a token, relative to the token itself. It also
prints the mean grid distance between a token and the patch tokens it
attends to (about 7.3 for uniform attention over a 14x14 grid), to show
that this attention is global. Needs numpy only; the product never runs this.

    python3 tools/analysis/first_block_mixing.py --images 500 \
        --models assets/models/fashion-vit
"""
import argparse
import json
import math
import struct

import numpy as np

from kept_tokens import test_images

EPSILON = 1e-6


def read_safetensors(path):
    with open(path, "rb") as handle:
        length = struct.unpack("<Q", handle.read(8))[0]
        header = json.loads(handle.read(length))
        data = handle.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise SystemExit(f"{path}: {name} is {entry['dtype']}; this tool reads F32 weights only")
        start, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[start:end], dtype=np.float32).reshape(entry["shape"])
    return tensors


def layer_norm(x, weight, bias):
    mean = x.mean(-1, keepdims=True)
    variance = x.var(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + EPSILON) * weight + bias


def gelu(x):
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def patches(images, size):
    """[B, 1, H, W] -> [B, P, size*size], row-major over the grid."""
    b, c, h, w = images.shape
    grid = images.reshape(b, c, h // size, size, w // size, size).transpose(0, 2, 4, 1, 3, 5)
    return grid.reshape(b, (h // size) * (w // size), c * size * size)


def embed(weights, config, images):
    size = config["patch_size"]
    values = patches(images, size)
    if "patch_embed.hidden.weight" in weights:
        hidden = weights["patch_embed.hidden.weight"].reshape(weights["patch_embed.hidden.weight"].shape[0], -1)
        values = gelu(values @ hidden.T + weights["patch_embed.hidden.bias"])
    projection = weights["patch_embed.proj.weight"].reshape(weights["patch_embed.proj.weight"].shape[0], -1)
    tokens = values @ projection.T + weights["patch_embed.proj.bias"]
    batch, width = tokens.shape[0], tokens.shape[2]
    # CLS and the registers, each if the model has it.
    none = np.zeros((1, 0, width), np.float32)
    prefix = np.concatenate([weights.get("cls_token", none), weights.get("reg_token", none)], axis=1)
    prefix = np.broadcast_to(prefix, (batch,) + prefix.shape[1:])
    positions = weights["pos_embed"]
    if config.get("no_embed_class"):
        return np.concatenate([prefix, tokens + positions], axis=1), prefix.shape[1]
    return np.concatenate([prefix, tokens], axis=1) + positions, prefix.shape[1]


def first_block(weights, config, tokens, prefix, grid):
    heads = config["num_heads"]
    batch, count, width = tokens.shape
    normed = layer_norm(tokens, weights["blocks.0.norm1.weight"], weights["blocks.0.norm1.bias"])
    qkv = normed @ weights["blocks.0.attn.qkv.weight"].T + weights.get("blocks.0.attn.qkv.bias", 0)
    qkv = qkv.reshape(batch, count, 3, heads, width // heads).transpose(2, 0, 3, 1, 4)
    scores = qkv[0] @ qkv[1].transpose(0, 1, 3, 2) / math.sqrt(width // heads)
    scores = np.exp(scores - scores.max(-1, keepdims=True))
    attention = scores / scores.sum(-1, keepdims=True)
    branch = (attention @ qkv[2]).transpose(0, 2, 1, 3).reshape(batch, count, width)
    branch = branch @ weights["blocks.0.attn.proj.weight"].T + weights["blocks.0.attn.proj.bias"]
    branch = branch * weights.get("blocks.0.ls1.gamma", 1)  # LayerScale, if any
    ratio = np.linalg.norm(branch[:, prefix:], axis=-1) / np.linalg.norm(tokens[:, prefix:], axis=-1)
    rows, columns = np.divmod(np.arange(grid[0] * grid[1]), grid[1])
    distance = np.hypot(rows[:, None] - rows[None], columns[:, None] - columns[None])
    among_patches = attention[:, :, prefix:, prefix:]
    mean_distance = (among_patches * distance).sum(-1) / among_patches.sum(-1)
    return float(ratio.mean()), float(mean_distance.mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--models", required=True, help="comma-separated model folders")
    arguments = parser.parse_args()
    pixels = test_images(arguments.images)[:, None]
    print("| model | attention branch / token, block 0 | mean attention distance |")
    print("| --- | --- | --- |")
    for folder in arguments.models.split(","):
        with open(folder + "/config.json") as handle:
            document = json.load(handle)
        config = document["model_args"]
        if config.get("stem_widths"):
            raise SystemExit(f"{folder}: models with a stem are not handled")
        statistics = document["pretrained_cfg"]
        images = (pixels.astype(np.float32) / 255 - statistics["mean"][0]) / statistics["std"][0]
        weights = read_safetensors(folder + "/model.safetensors")
        tokens, prefix = embed(weights, config, images)
        size = config["img_size"][0] if isinstance(config["img_size"], list) else config["img_size"]
        grid = (size // config["patch_size"], size // config["patch_size"])
        ratio, distance = first_block(weights, config, tokens, prefix, grid)
        print(f"| {folder} | {ratio:.2f} | {distance:.2f} |")


if __name__ == "__main__":
    main()
