"""A small multinomial logistic model over named yes/no features: the seniority stage's
reading of postings whose title is silent. Weights ship as package data
(seniority_model.json, trained by bench/train_seniority_model.py), loaded once per process;
predict_level remembers the predictions for the feature sets postings repeat.
"""
from __future__ import annotations

import functools
import json
import math
import operator
from importlib import resources
from typing import Iterable, NamedTuple

MODEL_RESOURCE = "seniority_model.json"
# How many features the evidence names ("model: years 5-6, title: analyst, phd").
EVIDENCE_FEATURES = 3


class LevelPrediction(NamedTuple):
    label: str  # one of the model's classes (the employers' LinkedIn levels)
    probability: float
    reasons: tuple  # the features that pushed hardest towards `label`, strongest first


class LevelModel(NamedTuple):
    """Softmax over `classes` of bias + the weights of the features that fired."""

    classes: tuple
    bias: tuple
    weights: dict  # feature name -> one weight per class

    @classmethod
    def from_json(cls, document: dict) -> "LevelModel":
        classes = tuple(document["classes"])
        weights = {name: tuple(row) for name, row in document["weights"].items()}
        if len(document["bias"]) != len(classes) or any(
                len(row) != len(classes) for row in weights.values()):
            raise ValueError("seniority model: every weight row needs one value per class")
        return cls(classes, tuple(document["bias"]), weights)

    def to_json(self) -> dict:
        return {"classes": list(self.classes), "bias": list(self.bias),
                "weights": {name: list(row) for name, row in self.weights.items()}}

    def known(self, features: Iterable[str]) -> list[str]:
        return [name for name in features if name in self.weights]

    def scores(self, features: Iterable[str]) -> list[float]:
        totals = list(self.bias)
        for name in self.known(features):
            totals = list(map(operator.add, totals, self.weights[name]))
        return totals

    def probabilities(self, features: Iterable[str]) -> list[float]:
        totals = self.scores(features)
        top = max(totals)
        exponentials = [math.exp(total - top) for total in totals]
        norm = sum(exponentials)
        return [value / norm for value in exponentials]

    def predict(self, features: Iterable[str]) -> LevelPrediction:
        """The most probable class and the features that argued for it."""
        features = self.known(features)
        probabilities = self.probabilities(features)
        best = max(range(len(self.classes)), key=probabilities.__getitem__)
        # A feature argues for the class it lifts above the average class.
        lift = {name: self.weights[name][best] - sum(self.weights[name]) / len(self.classes)
                for name in features}
        reasons = sorted((name for name in features if lift[name] > 0),
                         key=lambda name: (-lift[name], name))
        return LevelPrediction(self.classes[best], probabilities[best],
                               tuple(reasons[:EVIDENCE_FEATURES]))


@functools.lru_cache(maxsize=1)
def seniority_model() -> LevelModel:
    """The bundled model, parsed once per worker process."""
    text = resources.files("transforms").joinpath(MODEL_RESOURCE).read_text(encoding="utf-8")
    return LevelModel.from_json(json.loads(text))


# Feature sets a worker keeps predictions for: postings fire a few hundred distinct sets of
# the thirty-odd yes/no features, and scoring one costs as much as reading its text's cues.
PREDICTION_CACHE_SIZE = 4096


class _Predictions:
    """seniority_model().predict by feature tuple, remembered for the model loaded now (a
    retrained model, after seniority_model.cache_clear(), starts a fresh memory)."""

    def __init__(self) -> None:
        self._model = None
        self._by_features: dict = {}

    def __call__(self, features: tuple) -> LevelPrediction:
        model = seniority_model()
        if model is not self._model:
            self._model, self._by_features = model, {}
        prediction = self._by_features.get(features)
        if prediction is None:
            if len(self._by_features) >= PREDICTION_CACHE_SIZE:
                self._by_features.clear()
            prediction = self._by_features[features] = model.predict(features)
        return prediction


predict_level = _Predictions()
