"""Graph surgery on the exported decoder, with onnx.compose (no PyTorch).

broadcast_prompts: the decoder as exported takes one prompt per run, its image features at batch 1.
After the surgery its text inputs take a symbolic `prompts` batch axis and the image features are
broadcast to that batch inside the graph (Expand), so the worker runs all of a photo's concepts in
one decoder run and the four FPN tensors cross PCIe once per photo, not once per concept. The
decoder must have been exported with a dynamic first axis (export_sam3.py does).
"""

from __future__ import annotations

import onnx
from onnx import TensorProto, compose, helper

PROMPT_AXIS = "prompts"


def _input(model: onnx.ModelProto, name: str) -> onnx.ValueInfoProto:
    for value in model.graph.input:
        if value.name == name:
            return value
    raise ValueError(f"the decoder has no input {name}")


def _set_first_axis(value: onnx.ValueInfoProto, axis) -> None:
    dim = value.type.tensor_type.shape.dim[0]
    if isinstance(axis, str):
        dim.ClearField("dim_value")
        dim.dim_param = axis
    else:
        dim.ClearField("dim_param")
        dim.dim_value = axis


def broadcast_prompts(decoder: onnx.ModelProto, image_inputs: list[str], prompt_input: str,
                      other_prompt_inputs: list[str]) -> onnx.ModelProto:
    """The decoder with a `prompts` batch on `prompt_input` and `other_prompt_inputs`, and its
    `image_inputs` fed at batch 1 and expanded to the prompt batch in the graph."""
    prompt_value = _input(decoder, prompt_input)
    nodes = [
        helper.make_node("Shape", [prompt_input], ["prompt_shape"]),
        helper.make_node("Gather", ["prompt_shape", "axis0"], ["prompt_batch"], axis=0),
        helper.make_node("Identity", [prompt_input], [f"{prompt_input}__batched"]),
    ]
    inputs, outputs, io_map = [], [], [(f"{prompt_input}__batched", prompt_input)]
    initializers = [helper.make_tensor("axis0", TensorProto.INT64, [1], [0])]
    for name in image_inputs:
        value = _input(decoder, name)
        dims = value.type.tensor_type.shape.dim
        elem = value.type.tensor_type.elem_type
        fixed = [d.dim_value if d.HasField("dim_value") else d.dim_param for d in dims]
        inputs.append(helper.make_tensor_value_info(name, elem, [1, *fixed[1:]]))
        rest = f"{name}__rest"
        sizes = [int(d) for d in fixed[1:]]
        initializers.append(helper.make_tensor(rest, TensorProto.INT64, [len(sizes)], sizes))
        nodes += [
            helper.make_node("Concat", ["prompt_batch", rest], [f"{name}__shape"], axis=0),
            helper.make_node("Expand", [name, f"{name}__shape"], [f"{name}__batched"]),
        ]
        outputs.append(helper.make_tensor_value_info(f"{name}__batched", elem, [PROMPT_AXIS, *fixed[1:]]))
        io_map.append((f"{name}__batched", name))
    prompt_elem = prompt_value.type.tensor_type.elem_type
    prompt_dims = [d.dim_value if d.HasField("dim_value") else d.dim_param
                   for d in prompt_value.type.tensor_type.shape.dim]
    inputs.append(helper.make_tensor_value_info(prompt_input, prompt_elem, [PROMPT_AXIS, *prompt_dims[1:]]))
    batched_prompt = [PROMPT_AXIS, *prompt_dims[1:]]
    outputs.append(helper.make_tensor_value_info(f"{prompt_input}__batched", prompt_elem, batched_prompt))
    head = helper.make_model(
        helper.make_graph(nodes, "broadcast_prompts", inputs, outputs, initializers),
        opset_imports=list(decoder.opset_import),
        ir_version=decoder.ir_version,
    )
    merged = compose.merge_models(head, decoder, io_map=io_map)
    for name in other_prompt_inputs:
        _set_first_axis(_input(merged, name), PROMPT_AXIS)
    for value in merged.graph.output:
        if value.type.tensor_type.shape.dim:
            _set_first_axis(value, PROMPT_AXIS)
    onnx.checker.check_model(merged)
    return merged


KEPT_OUTPUTS = ("kept_masks", "kept_scores", "kept_index")


def keep_scored(decoder: onnx.ModelProto, threshold: float) -> onnx.ModelProto:
    """The decoder with three more outputs that select on the device the candidates the worker keeps:
    score = sigmoid(pred_logits) * sigmoid(presence_logits) over `threshold` (model.json's
    scoreThreshold); kept_index [K, 2] (prompt, query), kept_masks [K, H, W], kept_scores [K]. The worker
    fetches only these, so the 200 queries' masks per prompt never leave the device."""
    names = {value.name: value for value in decoder.graph.output}
    for needed in ("pred_masks", "pred_logits", "presence_logits"):
        if needed not in names:
            raise ValueError(f"the decoder has no output {needed}")
    model = onnx.ModelProto()
    model.CopyFrom(decoder)
    graph = model.graph
    mask_dims = [d.dim_value if d.HasField("dim_value") else d.dim_param
                 for d in names["pred_masks"].type.tensor_type.shape.dim]
    logits_rank = len(names["pred_logits"].type.tensor_type.shape.dim)
    logits = "pred_logits"
    if logits_rank == 3:  # [B, Q, 1] → [B, Q]
        graph.initializer.append(helper.make_tensor("kept__last_axis", TensorProto.INT64, [1], [2]))
        graph.node.append(helper.make_node("Squeeze", ["pred_logits", "kept__last_axis"], ["kept__logits"]))
        logits = "kept__logits"
    graph.initializer.append(helper.make_tensor("kept__threshold", TensorProto.FLOAT, [], [threshold]))
    graph.node.extend([
        helper.make_node("Sigmoid", [logits], ["kept__query_p"]),
        helper.make_node("Sigmoid", ["presence_logits"], ["kept__presence_p"]),
        helper.make_node("Mul", ["kept__query_p", "kept__presence_p"], ["kept__scores"]),
        helper.make_node("Greater", ["kept__scores", "kept__threshold"], ["kept__over"]),
        helper.make_node("NonZero", ["kept__over"], ["kept__over_at"]),
        helper.make_node("Transpose", ["kept__over_at"], ["kept_index"], perm=[1, 0]),
        helper.make_node("GatherND", ["pred_masks", "kept_index"], ["kept_masks"]),
        helper.make_node("GatherND", ["kept__scores", "kept_index"], ["kept_scores"]),
    ])
    graph.output.extend([
        helper.make_tensor_value_info("kept_masks", TensorProto.FLOAT, ["kept", *mask_dims[2:]]),
        helper.make_tensor_value_info("kept_scores", TensorProto.FLOAT, ["kept"]),
        helper.make_tensor_value_info("kept_index", TensorProto.INT64, ["kept", 2]),
    ])
    onnx.checker.check_model(model)
    return model
