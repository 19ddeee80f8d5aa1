"""The seed's applier shape, side by side with ours (bench/apply.ts runs it).

A flat recolor of each concept's mask minus the protect mask, with numpy and Pillow, as the
seed's Python GPU worker would do it, then the result PNG at Pillow's default level.
Reads what bench/apply.ts wrote to DIR: meta.json ({width, height, concepts: [{name, rgb}]}),
image.rgb (interleaved 8-bit RGB) and one <name>.mask / protect.mask (width*height bytes,
255 inside). Prints one JSON line: {"apply_ms", "png_ms"}, best of --runs.

    /usr/bin/python3 bench/baseline_numpy.py DIR [--runs 3]
"""

import io
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

# The seed's recolor keeps a little of the photo's shading under the new colour.
ALPHA = 0.85


def apply_rule(image: np.ndarray, masks: list[tuple[np.ndarray, tuple[int, int, int]]], protect: np.ndarray) -> np.ndarray:
    out = image.astype(np.float32)
    keep = protect > 0
    for mask, rgb in masks:
        region = (mask > 0) & ~keep
        out[region] = out[region] * (1 - ALPHA) + np.array(rgb, dtype=np.float32) * ALPHA
    return np.clip(out, 0, 255).astype(np.uint8)


def main() -> None:
    folder = Path(sys.argv[1])
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
    meta = json.loads((folder / "meta.json").read_text())
    width, height = meta["width"], meta["height"]
    image = np.fromfile(folder / "image.rgb", dtype=np.uint8).reshape(height, width, 3)
    masks = [
        (np.fromfile(folder / f"{c['name']}.mask", dtype=np.uint8).reshape(height, width), tuple(c["rgb"]))
        for c in meta["concepts"]
    ]
    protect = np.fromfile(folder / "protect.mask", dtype=np.uint8).reshape(height, width)

    apply_ms = png_ms = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        result = apply_rule(image, masks, protect)
        applied = time.perf_counter()
        buffer = io.BytesIO()
        Image.fromarray(result, "RGB").save(buffer, format="PNG")
        encoded = time.perf_counter()
        apply_ms = min(apply_ms, (applied - started) * 1000)
        png_ms = min(png_ms, (encoded - applied) * 1000)
    print(json.dumps({"apply_ms": round(apply_ms, 1), "png_ms": round(png_ms, 1), "png_bytes": buffer.tell()}))


if __name__ == "__main__":
    main()
