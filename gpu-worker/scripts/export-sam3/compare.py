"""ONNX Runtime against PyTorch, on the same inputs, before anything is written.

For one image and one prompt each side gives per-query mask logits [Q, H, W], class logits [Q]
and a presence logit; an instance is a query with sigmoid(logit) * sigmoid(presence) > threshold
(SAM 3's rule, and the worker's). Every instance of either side must have a partner on the other
with mask IoU >= min_iou and |score difference| <= score_tolerance; an instance whose score is
within the tolerance of the threshold may lack one (it may fall either side). numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class ComparisonError(Exception):
    """ORT and PyTorch disagree: the export is not written."""


@dataclass
class Instances:
    scores: np.ndarray  # [N]
    masks: np.ndarray  # [N, H, W] bool


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def instances(mask_logits: np.ndarray, logits: np.ndarray, presence_logit: float | None, threshold: float = 0.5,
              mask_threshold: float = 0.0) -> Instances:
    presence = 1.0 if presence_logit is None else float(sigmoid(np.asarray(presence_logit)))
    scores = sigmoid(np.asarray(logits, dtype=np.float64).reshape(-1)) * presence
    keep = np.nonzero(scores > threshold)[0]
    order = keep[np.argsort(-scores[keep], kind="stable")]
    return Instances(scores=scores[order], masks=np.asarray(mask_logits)[order] > mask_threshold)


def mask_iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


def compare(reference: Instances, candidate: Instances, *, threshold: float = 0.5, min_iou: float = 0.98,
            score_tolerance: float = 0.02) -> list[tuple[float, float]]:
    """Pairs (IoU, score difference) of matched instances; raises ComparisonError on any disagreement."""
    pairs: list[tuple[float, float]] = []
    for this, other, side in ((reference, candidate, "PyTorch"), (candidate, reference, "ONNX Runtime")):
        used: set[int] = set()
        for i in range(len(this.scores)):
            best, best_iou = -1, -1.0
            for j in range(len(other.scores)):
                if j in used:
                    continue
                iou = mask_iou(this.masks[i], other.masks[j])
                if iou > best_iou:
                    best, best_iou = j, iou
            borderline = abs(float(this.scores[i]) - threshold) <= score_tolerance
            if best < 0 or best_iou < min_iou:
                if borderline:
                    continue
                raise ComparisonError(
                    f"{side} instance {i} (score {this.scores[i]:.4f}) has no partner with mask IoU >= {min_iou}"
                    f" (best {best_iou:.4f})"
                )
            diff = abs(float(this.scores[i]) - float(other.scores[best]))
            if diff > score_tolerance:
                raise ComparisonError(f"{side} instance {i}: scores differ by {diff:.4f} > {score_tolerance}")
            used.add(best)
            if side == "PyTorch":
                pairs.append((best_iou, diff))
    return pairs
