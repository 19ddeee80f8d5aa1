"""What of the export runs without PyTorch: arguments, model.json, the comparison's maths, the surgery.
Run: python3 -m unittest discover -s gpu-worker/scripts/export-sam3/tests (needs numpy and onnx)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, shape_inference

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

import export_sam3  # noqa: E402
from compare import ComparisonError, compare, instances, mask_iou  # noqa: E402
from model_json import build_model_json, describe_graph, write_model_json  # noqa: E402
from surgery import broadcast_prompts, keep_scored  # noqa: E402


def tiny_graph(name: str, inputs, outputs, nodes, initializers=()) -> onnx.ModelProto:
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def tiny_decoder() -> onnx.ModelProto:
    """fpn_feat_0 [b,2,4,4] + text [b,3]: masks = mean over channels + sum of text, [b,1,4,4]."""
    f = TensorProto.FLOAT
    return tiny_graph(
        "decoder",
        [
            helper.make_tensor_value_info("fpn_feat_0", f, ["b", 2, 4, 4]),
            helper.make_tensor_value_info("text_features", f, ["b", 3]),
            helper.make_tensor_value_info("text_mask", TensorProto.BOOL, ["b", 3]),
        ],
        [helper.make_tensor_value_info("pred_masks", f, ["b", 1, 4, 4])],
        [
            helper.make_node("ReduceMean", ["fpn_feat_0"], ["gray"], axes=[1], keepdims=1),
            helper.make_node("ReduceSum", ["text_features", "last"], ["t"], keepdims=1),
            helper.make_node("Unsqueeze", ["t", "hw"], ["t4"]),
            helper.make_node("Add", ["gray", "t4"], ["pred_masks"]),
        ],
        [
            helper.make_tensor("last", TensorProto.INT64, [1], [1]),
            helper.make_tensor("hw", TensorProto.INT64, [2], [2, 3]),
        ],
    )


class Arguments(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        (self.tmp / "samples").mkdir()
        (self.tmp / "samples" / "room.jpg").write_bytes(b"\xff\xd8")
        (self.tmp / "prompts.json").write_text(json.dumps({"Body": "product body"}))

    def parse(self, *extra):
        base = ["--out", str(self.tmp / "out"), "--samples", str(self.tmp / "samples"), "--prompts",
                str(self.tmp / "prompts.json")]
        return export_sam3.parse_args([*base, *extra])

    def refuses(self, *argv) -> str:
        stderr = io.StringIO()
        with self.assertRaises(SystemExit), contextlib.redirect_stderr(stderr):
            export_sam3.parse_args(list(argv))
        return stderr.getvalue()

    def test_defaults(self):
        args = self.parse()
        self.assertEqual((args.checkpoint, args.opset, args.min_iou, args.score_tolerance),
                         ("facebook/sam3", 17, 0.98, 0.02))
        self.assertEqual(args.prompt_table, {"Body": "product body"})
        self.assertFalse(args.no_batch_prompts)

    def test_refuses_samples_without_photos_and_a_bad_prompt_table(self):
        (self.tmp / "empty").mkdir()
        self.assertIn("at least one", self.refuses("--out", "o", "--samples", str(self.tmp / "empty"), "--prompts",
                                                   str(self.tmp / "prompts.json")))
        (self.tmp / "bad.json").write_text(json.dumps({"Body": ""}))
        self.assertIn("non-empty string", self.refuses("--out", "o", "--samples", str(self.tmp / "samples"),
                                                       "--prompts", str(self.tmp / "bad.json")))

    def test_refuses_a_non_empty_out_without_force(self):
        (self.tmp / "out").mkdir()
        (self.tmp / "out" / "old.onnx").write_bytes(b"x")
        self.assertIn("not empty", self.refuses("--out", str(self.tmp / "out"), "--samples", str(self.tmp / "samples"),
                                                "--prompts", str(self.tmp / "prompts.json")))
        self.assertTrue(self.parse("--force").force)


class ModelJson(unittest.TestCase):
    def test_lists_every_tensor_and_checksum_as_the_worker_checks_them(self):
        out = Path(tempfile.mkdtemp())
        f = TensorProto.FLOAT
        graphs = {
            "image_encoder.onnx": tiny_graph("image", [helper.make_tensor_value_info("images", f, [1, 3, 8, 8])],
                                             [helper.make_tensor_value_info("fpn_feat_0", f, [1, 3, 2, 2])],
                                             [helper.make_node("AveragePool", ["images"], ["fpn_feat_0"],
                                                               kernel_shape=[4, 4], strides=[4, 4])]),
            "text_encoder.onnx": tiny_graph(
                "text",
                [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, 32])],
                [helper.make_tensor_value_info("text_mask", TensorProto.BOOL, [1, 32])],
                [helper.make_node("Cast", ["input_ids"], ["text_mask"], to=TensorProto.BOOL)],
            ),
            "mask_decoder.onnx": tiny_decoder(),
        }
        for name, model in graphs.items():
            onnx.save(model, str(out / name))
        (out / "tokenizer.json").write_text("{}")
        manifest = build_model_json(
            out, files={"imageEncoder": "image_encoder.onnx", "textEncoder": "text_encoder.onnx",
                        "maskDecoder": "mask_decoder.onnx"},
            tokenizer={"json": "tokenizer.json"}, prompts={"Wall": "wall", "Body": "product body"},
            model_version="sam3 test", image_size=8, context_length=32, license_file="LICENSE-SAM.txt")
        self.assertEqual(manifest["tensors"]["imageEncoder"]["inputs"], [{"name": "images", "shape": [1, 3, 8, 8],
                                                                         "type": "float32"}])
        self.assertEqual(manifest["tensors"]["textEncoder"]["outputs"][0]["type"], "bool")
        self.assertEqual(manifest["tensors"]["maskDecoder"]["inputs"][0]["shape"], ["b", 2, 4, 4])
        # Initializers are not inputs.
        self.assertEqual([t["name"] for t in manifest["tensors"]["maskDecoder"]["inputs"]],
                         ["fpn_feat_0", "text_features", "text_mask"])
        expected = hashlib.sha256((out / "mask_decoder.onnx").read_bytes()).hexdigest()
        self.assertEqual(manifest["sha256"]["mask_decoder.onnx"], expected)
        self.assertEqual(set(manifest["sha256"]), {*graphs, "tokenizer.json"})
        self.assertEqual(list(manifest["prompts"]), ["Body", "Wall"])
        written = json.loads(write_model_json(out, manifest).read_text())
        self.assertEqual(written["modelVersion"], "sam3 test")

    def test_names_a_graph_that_is_missing(self):
        with self.assertRaisesRegex(ValueError, "maskDecoder"):
            build_model_json(Path("."), files={"imageEncoder": "a", "textEncoder": "b"}, tokenizer={}, prompts={},
                             model_version="v", image_size=8, context_length=32, license_file="L")


class Comparison(unittest.TestCase):
    def setUp(self):
        self.masks = np.full((3, 8, 8), -5.0, dtype=np.float32)
        self.masks[0, 0:4, 0:4] = 5  # 16 px
        self.masks[1, 4:8, 4:8] = 5
        self.logits = np.array([4.0, 3.0, -4.0])

    def test_identical_outputs_match_with_iou_one(self):
        a = instances(self.masks, self.logits, 6.0)
        self.assertEqual(len(a.scores), 2)
        pairs = compare(a, instances(self.masks.copy(), self.logits.copy(), 6.0))
        self.assertEqual([round(iou, 6) for iou, _ in pairs], [1.0, 1.0])

    def test_presence_multiplies_the_score_before_the_threshold(self):
        self.assertEqual(len(instances(self.masks, self.logits, -3.0).scores), 0)

    def test_a_mask_off_by_a_column_fails_the_iou(self):
        moved = self.masks.copy()
        moved[0, 0:4, 4] = 5  # 16 → 20 px: IoU 0.8
        self.assertAlmostEqual(mask_iou(self.masks[0] > 0, moved[0] > 0), 0.8)
        with self.assertRaisesRegex(ComparisonError, "IoU"):
            compare(instances(self.masks, self.logits, 6.0), instances(moved, self.logits, 6.0))

    def test_a_score_off_by_more_than_the_tolerance_fails(self):
        logits = self.logits.copy()
        logits[1] = 2.0  # sigmoid 0.953 → 0.881
        with self.assertRaisesRegex(ComparisonError, "scores differ"):
            compare(instances(self.masks, self.logits, 6.0), instances(self.masks, logits, 6.0))

    def test_an_instance_at_the_threshold_may_fall_either_side(self):
        logits = self.logits.copy()
        logits[2] = 0.01  # score ≈ 0.5025, within 0.02 of 0.5
        masks = self.masks.copy()
        masks[2, 0:2, 6:8] = 5
        other = logits.copy()
        other[2] = -0.01  # just under: one side has it, the other does not
        compare(instances(masks, logits, 6.0), instances(masks, other, 6.0))


class Surgery(unittest.TestCase):
    def test_broadcasts_the_image_features_to_a_prompt_batch(self):
        batched = broadcast_prompts(tiny_decoder(), ["fpn_feat_0"], "text_features", ["text_mask"])
        inputs = {v.name: v for v in batched.graph.input}
        dims = lambda v: [d.dim_value if d.HasField("dim_value") else d.dim_param for d in v.type.tensor_type.shape.dim]
        self.assertEqual(dims(inputs["fpn_feat_0"]), [1, 2, 4, 4])
        self.assertEqual(dims(inputs["text_features"]), ["prompts", 3])
        self.assertEqual(dims(inputs["text_mask"]), ["prompts", 3])
        self.assertEqual(dims(batched.graph.output[0]), ["prompts", 1, 4, 4])
        self.assertIn("Expand", [n.op_type for n in batched.graph.node])
        inferred = shape_inference.infer_shapes(batched)
        onnx.checker.check_model(inferred)

    def test_adds_the_kept_candidates_as_outputs_selected_in_the_graph(self):
        f = TensorProto.FLOAT
        decoder = tiny_graph(
            "decoder",
            [helper.make_tensor_value_info("x", f, ["prompts", 5, 4, 4])],
            [
                helper.make_tensor_value_info("pred_masks", f, ["prompts", 5, 4, 4]),
                helper.make_tensor_value_info("pred_logits", f, ["prompts", 5, 1]),
                helper.make_tensor_value_info("presence_logits", f, ["prompts", 1]),
            ],
            [
                helper.make_node("Identity", ["x"], ["pred_masks"]),
                helper.make_node("ReduceMean", ["x"], ["q"], axes=[2, 3], keepdims=0),
                helper.make_node("Unsqueeze", ["q", "two"], ["pred_logits"]),
                helper.make_node("ReduceMean", ["x"], ["m"], axes=[1, 2, 3], keepdims=0),
                helper.make_node("Unsqueeze", ["m", "one"], ["presence_logits"]),
            ],
            [
                helper.make_tensor("one", TensorProto.INT64, [1], [1]),
                helper.make_tensor("two", TensorProto.INT64, [1], [2]),
            ],
        )
        kept = keep_scored(decoder, 0.5)
        outputs = {v.name: v for v in kept.graph.output}
        self.assertEqual(list(outputs)[-3:], ["kept_masks", "kept_scores", "kept_index"])
        dims = lambda v: [d.dim_value if d.HasField("dim_value") else d.dim_param for d in v.type.tensor_type.shape.dim]
        self.assertEqual(dims(outputs["kept_masks"]), ["kept", 4, 4])
        self.assertEqual(dims(outputs["kept_index"]), ["kept", 2])
        ops = [n.op_type for n in kept.graph.node]
        self.assertEqual(ops[-8:], ["Sigmoid", "Sigmoid", "Mul", "Greater", "NonZero", "Transpose", "GatherND",
                                    "GatherND"])
        self.assertIn("Squeeze", ops)
        with self.assertRaisesRegex(ValueError, "no output pred_logits"):
            keep_scored(tiny_decoder(), 0.5)

    def test_names_an_input_the_decoder_lacks(self):
        with self.assertRaisesRegex(ValueError, "no input fpn_feat_9"):
            broadcast_prompts(tiny_decoder(), ["fpn_feat_9"], "text_features", [])


if __name__ == "__main__":
    unittest.main()
