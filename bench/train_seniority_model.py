"""Trains the seniority model (transforms/seniority_model.json) on employers' own LinkedIn
levels, for postings whose title is silent; development time only, reading ../shared.

The training half of the employers (bench/measure_seniority.employer_half) gives the
examples; the regularisation strength is chosen by cross-validation inside that half,
grouped by employer; the held-out half is touched once, at the end, to report agreement.
Only weights are written: no posting text leaves ../shared.

    .venv/bin/python bench/train_seniority_model.py [--corpus DIR] [--output PATH]
"""
from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from measure_seniority import (  # noqa: E402
    AGREEING_LEVELS, DEFAULT_CORPUS, HELD_OUT, LINKEDIN_FILE, TRAINING, employer_half,
    labelled_postings, measure, rules_only,
)
from transforms.seniority import (  # noqa: E402
    MODEL_FEATURES, hint_level, seniority_features, title_seniority,
)
from transforms.seniority_model import LevelModel, seniority_model  # noqa: E402

OUTPUT = REPO / "transforms" / "seniority_model.json"
L2_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
CV_FOLDS = 5
STEPS = 4000
LEARNING_RATE = 0.5


def design_matrix(postings: list[dict]) -> np.ndarray:
    column = {name: index for index, name in enumerate(MODEL_FEATURES)}
    matrix = np.zeros((len(postings), len(MODEL_FEATURES)))
    for row, posting in enumerate(postings):
        for name in seniority_features(posting["title"], posting["description"]):
            matrix[row, column[name]] = 1.0
    return matrix


def fit(matrix: np.ndarray, labels: np.ndarray, classes: int, l2: float) -> tuple:
    """Multinomial logistic regression, L2 on the weights (not the bias), full-batch
    gradient descent from zero: deterministic, and the data are a few hundred rows."""
    weights = np.zeros((matrix.shape[1], classes))
    bias = np.zeros(classes)
    targets = np.eye(classes)[labels]
    for _ in range(STEPS):
        probabilities = softmax(matrix @ weights + bias)
        gradient = (probabilities - targets) / len(labels)
        weights -= LEARNING_RATE * (matrix.T @ gradient + l2 * weights)
        bias -= LEARNING_RATE * gradient.sum(axis=0)
    return weights, bias


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def cv_log_loss(postings: list[dict], matrix: np.ndarray, labels: np.ndarray, classes: int,
                l2: float) -> float:
    """Mean held-out log loss over folds of employers inside the training half."""
    folds = np.array([zlib.crc32(("fold " + " ".join(posting["company"].lower().split()))
                                 .encode("utf-8")) % CV_FOLDS for posting in postings])
    losses = []
    for fold in range(CV_FOLDS):
        train, test = folds != fold, folds == fold
        weights, bias = fit(matrix[train], labels[train], classes, l2)
        probabilities = softmax(matrix[test] @ weights + bias)
        losses.extend(-np.log(probabilities[np.arange(test.sum()), labels[test]] + 1e-12))
    return float(np.mean(losses))


def everything_mid(title: str, description: str) -> tuple:
    return "mid", None


def agreement_line(name: str, result: dict) -> str:
    return (f"{name}: {result['agreed']}/{result['postings']} = {result['agreement']:.1%}, "
            f"unknown {result['unknown']} = {result['unknown_rate']:.1%}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if not (args.corpus / LINKEDIN_FILE).exists():
        print(f"no {LINKEDIN_FILE} under {args.corpus}", file=sys.stderr)
        return 2
    postings = labelled_postings(args.corpus)
    training = [posting for posting in postings
                if employer_half(posting["company"]) == TRAINING]
    held_out = [posting for posting in postings
                if employer_half(posting["company"]) == HELD_OUT]
    # Every labelled posting of the training half teaches the model, titled or not: the
    # employer's level depends on the text whatever the title says, and the title-silent
    # ones alone are too few (about 150).
    classes = [level for level in AGREEING_LEVELS
               if any(posting["seniority"] == level for posting in training)]
    labels = np.array([classes.index(posting["seniority"]) for posting in training])
    matrix = design_matrix(training)
    losses = {l2: cv_log_loss(training, matrix, labels, len(classes), l2) for l2 in L2_GRID}
    for l2, loss in losses.items():
        print(f"l2 {l2}: cross-validated log loss {loss:.4f}")
    l2 = min(losses, key=losses.get)
    weights, bias = fit(matrix, labels, len(classes), l2)
    model = LevelModel(tuple(classes), tuple(round(float(b), 4) for b in bias),
                       {name: tuple(round(float(w), 4) for w in weights[index])
                        for index, name in enumerate(MODEL_FEATURES)})
    document = {
        "about": "Multinomial logistic model of employers' own LinkedIn levels from yes/no "
                 "features of a posting (transforms/seniority.py: seniority_features); used "
                 "only when the title is silent. Trained by bench/train_seniority_model.py.",
        "trained_on": {
            "source": "linkedin-ca-2018/postings.csv (shared corpus; not copied)",
            "split": "employers whose folded name has an even CRC-32 (measure_seniority."
                     "employer_half); the other half is held out",
            "postings": len(training),
            "by_level": {level: int((labels == index).sum())
                         for index, level in enumerate(classes)},
            "l2": l2,
            "ladder": {level: hint_level(level).level for level in classes},
        },
        **model.to_json(),
    }
    args.output.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output} (classes {classes}, l2 {l2}, {len(training)} postings)")

    if args.output.resolve() == OUTPUT.resolve():
        seniority_model.cache_clear()
        silent = [posting for posting in held_out if title_seniority(posting["title"]) is None]
        print(agreement_line("held-out half, title-silent postings, with model",
                             measure(silent)))
        print(agreement_line("held-out half, title-silent postings, rules only",
                             measure(silent, rules_only)))
        # The yardstick a model must beat to say something: "mid" agrees with both of the
        # file's commonest levels (Associate and Mid-Senior) and says nothing.
        print(agreement_line("held-out half, title-silent postings, all called mid",
                             measure(silent, everything_mid)))
        print(agreement_line("held-out half, all postings, with model", measure(held_out)))
        print(agreement_line("held-out half, all postings, rules only",
                             measure(held_out, rules_only)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
