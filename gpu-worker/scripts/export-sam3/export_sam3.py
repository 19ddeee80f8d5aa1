#!/usr/bin/env python3
"""Export SAM 3 (facebook/sam3, gated: accept the SAM License on Hugging Face first) to the three
ONNX graphs the onnx segmenter loads, at 1008² with float32 inputs and outputs, plus model.json,
tokenizer.json and the SAM License text. ONNX Runtime is checked against PyTorch on the sample
images × the prompt table before anything is written to --out. See README.md.

    python export_sam3.py --out /srv/sam3 --samples ./samples --prompts prompts.json

PyTorch and transformers are imported only when exporting, so --help, argument checks and the
parts in model_json.py, compare.py and surgery.py run (and are tested) without them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from compare import ComparisonError, compare, instances  # noqa: E402
from model_json import build_model_json, write_model_json  # noqa: E402

FILES = {"imageEncoder": "image_encoder.onnx", "textEncoder": "text_encoder.onnx", "maskDecoder": "mask_decoder.onnx"}
IMAGE_OUTPUTS = ["fpn_feat_0", "fpn_feat_1", "fpn_feat_2", "fpn_pos_2"]
TEXT_OUTPUTS = ["text_features", "text_mask"]
DECODER_OUTPUTS = ["pred_masks", "pred_boxes", "pred_logits", "presence_logits"]
IMAGE_SIZE = 1008
CONTEXT_LENGTH = 32
SCORE_THRESHOLD = 0.5  # model.json's scoreThreshold (model_json.py), baked into keep_scored's selection
SAMPLE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", default="facebook/sam3", help="Hugging Face repo id or a local directory")
    parser.add_argument("--revision", default="main", help="repo revision; the resolved commit goes into modelVersion")
    parser.add_argument("--out", type=Path, required=True, help="the model directory to write (MODEL_CACHE_DIR)")
    parser.add_argument("--samples", type=Path, required=True, help="a directory of sample photos for the check")
    parser.add_argument("--prompts", type=Path, required=True,
                        help="concept → phrase JSON (README: from the contract)")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--device", default="cuda", help="torch device for the export and the PyTorch side")
    parser.add_argument("--min-iou", type=float, default=0.98, help="mask IoU every instance pair must reach")
    parser.add_argument("--score-tolerance", type=float, default=0.02, help="largest score difference allowed")
    parser.add_argument("--no-batch-prompts", action="store_true",
                        help="keep one prompt per decoder run (no prompt batch axis)")
    parser.add_argument("--force", action="store_true", help="replace a non-empty --out")
    args = parser.parse_args(argv)
    if not args.samples.is_dir() or not sample_images(args.samples):
        parser.error(f"--samples {args.samples}: a directory with at least one .jpg/.png/.webp photo")
    if not args.prompts.is_file():
        parser.error(f"--prompts {args.prompts}: no such file")
    try:
        args.prompt_table = load_prompts(args.prompts)
    except ValueError as error:
        parser.error(f"--prompts {args.prompts}: {error}")
    if args.out.exists() and any(args.out.iterdir()) and not args.force:
        parser.error(f"--out {args.out} is not empty (--force replaces it)")
    if not 0 < args.min_iou <= 1 or not 0 <= args.score_tolerance < 1:
        parser.error("--min-iou in (0, 1], --score-tolerance in [0, 1)")
    return args


def sample_images(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix.lower() in SAMPLE_SUFFIXES)


def load_prompts(path: Path) -> dict[str, str]:
    table = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(table, dict) or not table:
        raise ValueError("expected a non-empty JSON object, concept → phrase")
    for concept, phrase in table.items():
        if not isinstance(phrase, str) or not phrase.strip():
            raise ValueError(f"{concept}: the phrase must be a non-empty string")
    return dict(table)


# ---------------------------------------------------------------------------------------------
# Below: PyTorch. Not run on the project's CI machine (no PyTorch >= 2, no weights); README.md.


def load_model(args):
    import torch
    from huggingface_hub import HfApi
    from transformers import Sam3Model, Sam3Processor

    model = Sam3Model.from_pretrained(args.checkpoint, revision=args.revision, torch_dtype=torch.float32)
    model = model.to(args.device).eval()
    processor = Sam3Processor.from_pretrained(args.checkpoint, revision=args.revision)
    local = Path(args.checkpoint).is_dir()
    commit = args.revision if local else HfApi().model_info(args.checkpoint, revision=args.revision).sha
    return model, processor, commit


def wrappers(model):
    """The three graphs as modules with the I/O contract's tensor names (gpu-worker/README.md)."""
    import torch

    class ImageEncoder(torch.nn.Module):
        def forward(self, images):
            vision = model.get_vision_features(pixel_values=images)
            feats, pos = vision.fpn_hidden_states, vision.fpn_position_encoding
            # SAM 3 uses three FPN levels (288², 144², 72²) and the last level's position encoding.
            return feats[0], feats[1], feats[2], pos[2]

    class TextEncoder(torch.nn.Module):
        def forward(self, input_ids, attention_mask):
            text = model.get_text_features(input_ids=input_ids, attention_mask=attention_mask)
            return text, attention_mask.bool()

    class MaskDecoder(torch.nn.Module):
        def forward(self, fpn_feat_0, fpn_feat_1, fpn_feat_2, fpn_pos_2, text_features, text_mask):
            vision = _vision_output((fpn_feat_0, fpn_feat_1, fpn_feat_2), fpn_pos_2)
            out = model(vision_embeds=vision, text_embeds=text_features, attention_mask=text_mask.long())
            return out.pred_masks, out.pred_boxes, out.pred_logits, out.presence_logits

    return ImageEncoder(), TextEncoder(), MaskDecoder()


def _vision_output(feats, pos_last):
    from transformers.models.sam3.modeling_sam3 import Sam3VisionEncoderOutput

    return Sam3VisionEncoderOutput(fpn_hidden_states=feats, fpn_position_encoding=(None, None, pos_last))


def export_graphs(model, processor, staging: Path, args) -> None:
    import torch

    image_encoder, text_encoder, decoder = wrappers(model)
    device = args.device
    images = torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE, device=device)
    ids = processor.tokenizer(["wall"], padding="max_length", max_length=CONTEXT_LENGTH, return_tensors="pt")
    input_ids, attention_mask = ids.input_ids.to(device), ids.attention_mask.to(device)
    with torch.no_grad():
        torch.onnx.export(image_encoder, (images,), staging / FILES["imageEncoder"], input_names=["images"],
                          output_names=IMAGE_OUTPUTS, opset_version=args.opset, dynamo=False)
        torch.onnx.export(text_encoder, (input_ids, attention_mask), staging / FILES["textEncoder"],
                          input_names=["input_ids", "attention_mask"], output_names=TEXT_OUTPUTS,
                          opset_version=args.opset, dynamo=False)
        feats = image_encoder(images)
        text = text_encoder(input_ids, attention_mask)
        # A dynamic first axis on every decoder input and output: the prompt batch (surgery.py) needs it.
        dynamic = {name: {0: "prompts"} for name in [*IMAGE_OUTPUTS, *TEXT_OUTPUTS, *DECODER_OUTPUTS]}
        torch.onnx.export(decoder, (*feats, *text), staging / FILES["maskDecoder"],
                          input_names=[*IMAGE_OUTPUTS, *TEXT_OUTPUTS], output_names=DECODER_OUTPUTS,
                          dynamic_axes=dynamic, opset_version=args.opset, dynamo=False)
    import onnx
    from surgery import broadcast_prompts, keep_scored

    path = staging / FILES["maskDecoder"]
    decoder = onnx.load(str(path))
    if not args.no_batch_prompts:
        decoder = broadcast_prompts(decoder, IMAGE_OUTPUTS, "text_features", ["text_mask"])
    # kept_* outputs: the worker copies only the candidates over the score threshold off the device.
    decoder = keep_scored(decoder, SCORE_THRESHOLD)
    onnx.save(decoder, str(path), save_as_external_data=False)
    processor.tokenizer.save_pretrained(staging / "tokenizer")
    shutil.copy(staging / "tokenizer" / "tokenizer.json", staging / "tokenizer.json")


def check_against_torch(model, processor, staging: Path, args) -> list[dict]:
    """Every sample × prompt: ORT's instances against PyTorch's (compare.py). Raises ComparisonError."""
    import numpy as np
    import onnxruntime as ort
    import torch
    from PIL import Image

    providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if args.device.startswith("cuda") else [
        "CPUExecutionProvider"]
    sessions = {key: ort.InferenceSession(str(staging / name), providers=providers) for key, name in FILES.items()}
    report = []
    for sample in sample_images(args.samples):
        image = Image.open(sample).convert("RGB").resize((IMAGE_SIZE, IMAGE_SIZE), Image.BILINEAR)
        pixels = (np.asarray(image, dtype=np.float32) / 255.0 - 0.5) / 0.5
        pixels = pixels.transpose(2, 0, 1)[None].copy()
        vision = dict(zip(IMAGE_OUTPUTS, sessions["imageEncoder"].run(IMAGE_OUTPUTS, {"images": pixels})))
        for concept, phrase in args.prompt_table.items():
            ids = processor.tokenizer([phrase], padding="max_length", max_length=CONTEXT_LENGTH, return_tensors="np")
            feeds = {"input_ids": ids["input_ids"].astype(np.int64),
                     "attention_mask": ids["attention_mask"].astype(np.int64)}
            text = dict(zip(TEXT_OUTPUTS, sessions["textEncoder"].run(TEXT_OUTPUTS, feeds)))
            masks, _, logits, presence = sessions["maskDecoder"].run(DECODER_OUTPUTS, {**vision, **text})
            with torch.no_grad():
                out = model(pixel_values=torch.from_numpy(pixels).to(args.device),
                            input_ids=torch.from_numpy(feeds["input_ids"]).to(args.device),
                            attention_mask=torch.from_numpy(feeds["attention_mask"]).to(args.device))
            reference = instances(out.pred_masks[0].float().cpu().numpy(), out.pred_logits[0].float().cpu().numpy(),
                                  float(out.presence_logits.reshape(-1)[0]))
            candidate = instances(masks[0], logits[0], float(presence.reshape(-1)[0]))
            try:
                pairs = compare(reference, candidate, min_iou=args.min_iou, score_tolerance=args.score_tolerance)
            except ComparisonError as error:
                raise ComparisonError(f"{sample.name} × {concept} ({phrase!r}): {error}") from error
            report.append({"sample": sample.name, "concept": concept, "instances": len(pairs),
                           "min_iou": min((p[0] for p in pairs), default=1.0),
                           "max_score_diff": max((p[1] for p in pairs), default=0.0)})
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    model, processor, commit = load_model(args)
    with tempfile.TemporaryDirectory(prefix="sam3-export-") as tmp:
        staging = Path(tmp)
        export_graphs(model, processor, staging, args)
        try:
            report = check_against_torch(model, processor, staging, args)
        except ComparisonError as error:
            print(f"ONNX Runtime disagrees with PyTorch, nothing written: {error}", file=sys.stderr)
            return 1
        from huggingface_hub import hf_hub_download

        license_path = Path(args.checkpoint) / "LICENSE" if Path(args.checkpoint).is_dir() else Path(
            hf_hub_download(args.checkpoint, "LICENSE", revision=commit))
        if args.out.exists() and args.force:
            shutil.rmtree(args.out)
        args.out.mkdir(parents=True, exist_ok=True)
        for name in [*FILES.values(), "tokenizer.json"]:
            shutil.move(str(staging / name), args.out / name)
        shutil.copy(license_path, args.out / "LICENSE-SAM.txt")
        batching = "" if args.no_batch_prompts else " prompt-batch"
        manifest = build_model_json(
            args.out, files=FILES, tokenizer={"json": "tokenizer.json"}, prompts=args.prompt_table,
            model_version=f"sam3 {args.checkpoint}@{commit} onnx {IMAGE_SIZE} float32 opset {args.opset}{batching}",
            image_size=IMAGE_SIZE, context_length=CONTEXT_LENGTH, license_file="LICENSE-SAM.txt",
        )
        write_model_json(args.out, manifest)
        (args.out / "export-check.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {', '.join(sorted(p.name for p in args.out.iterdir()))}")
    print(f"checked {len(report)} sample × prompt pairs against PyTorch "
          f"(min IoU {min(r['min_iou'] for r in report):.4f}, "
          f"max score difference {max(r['max_score_diff'] for r in report):.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
