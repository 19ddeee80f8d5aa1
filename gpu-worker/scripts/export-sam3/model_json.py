"""model.json for the onnx segmenter (gpu-worker/src/engine/segmenter/onnx/manifest.ts).

Every graph's inputs and outputs as the ONNX file declares them (the names, element types and
shapes the worker checks at start), the SHA-256 of every file, the prompt table and the model
version. Only the standard library and onnx: runs (and is tested) without PyTorch.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

# ONNX TensorProto element types → onnxruntime-node's type names (what the worker compares).
ELEMENT_TYPES = {1: "float32", 2: "uint8", 3: "int8", 6: "int32", 7: "int64", 9: "bool", 10: "float16", 11: "float64"}

GRAPH_KEYS = ("imageEncoder", "textEncoder", "maskDecoder")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(4 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _value_spec(value) -> dict:
    tensor = value.type.tensor_type
    shape = []
    for index, dim in enumerate(tensor.shape.dim):
        if dim.HasField("dim_value"):
            shape.append(int(dim.dim_value))
        else:
            # A symbolic axis; an unnamed one gets a name so the worker still sees it as symbolic.
            shape.append(dim.dim_param or f"{value.name}_dim{index}")
    if tensor.elem_type not in ELEMENT_TYPES:
        raise ValueError(f"{value.name}: element type {tensor.elem_type} has no onnxruntime name here")
    return {"name": value.name, "shape": shape, "type": ELEMENT_TYPES[tensor.elem_type]}


def describe_graph(path: Path) -> dict:
    """The graph's inputs (initializers excluded) and outputs, as model.json lists them."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    initializers = {init.name for init in model.graph.initializer}
    return {
        "inputs": [_value_spec(v) for v in model.graph.input if v.name not in initializers],
        "outputs": [_value_spec(v) for v in model.graph.output],
    }


def build_model_json(
    out_dir: Path,
    *,
    files: dict[str, str],
    tokenizer: dict[str, str],
    prompts: dict[str, str],
    model_version: str,
    image_size: int,
    context_length: int,
    license_file: str,
) -> dict:
    """The manifest for the files already in `out_dir`: tensors read from the graphs, checksums of every file."""
    missing = sorted(set(GRAPH_KEYS) - set(files))
    if missing:
        raise ValueError(f"graphs missing: {', '.join(missing)}")
    tensors = {key: describe_graph(out_dir / files[key]) for key in GRAPH_KEYS}
    hashed = [*files.values(), *tokenizer.values()]
    return {
        "modelVersion": model_version,
        "architecture": "sam3",
        "files": {key: files[key] for key in GRAPH_KEYS},
        "tokenizer": tokenizer,
        "sha256": {name: sha256_file(out_dir / name) for name in hashed},
        "tensors": tensors,
        "license": license_file,
        "imageSize": image_size,
        "resize": "stretch",
        "mean": [0.5, 0.5, 0.5],
        "std": [0.5, 0.5, 0.5],
        "contextLength": context_length,
        "scoreThreshold": 0.5,
        "maskThreshold": 0,
        "prompts": dict(sorted(prompts.items())),
    }


def write_model_json(out_dir: Path, manifest: dict) -> Path:
    path = out_dir / "model.json"
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path
