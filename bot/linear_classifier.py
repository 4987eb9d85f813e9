"""A TF-IDF logistic regression over the training examples: the second opinion beside DIET.

Deterministic (the same data gives the same model on every machine, unlike DIET's training) and
fast to train (about a minute). Features: word unigrams and bigrams and character 2-5-grams
within words, of the text folded as the tokenizer folds it (lowercase, no accents, shorthand
expanded), each TF-IDF weighted with logarithmic term frequency and normalised; and, if given a
weight, the concepts of the lookup tables (data/nlu/lookups.yml: "aseguranza" and "copay" are
both `cost_words`) the text names, so a word no example uses but a table lists counts for its
topic.

scikit-learn fits the model; predicting one message is done here with the fitted vocabularies
and weights (0.1 ms instead of scikit-learn's 3 ms of per-call checks and matrix building).
"""

import math
import re
from collections import Counter
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from bot.folding_tokenizer import SHORTHAND
from bot.language import strip_accents

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """The text as the features see it: "¿Cuánto cuesta x sesión?" → "cuanto cuesta por sesion"."""
    return " ".join(SHORTHAND.get(word, word) for word in _WORD.findall(strip_accents(text or "")))


class ConceptFinder:
    """The lookup-table concepts a folded text names, once per mention: ["cost_words", ...]."""

    def __init__(self, tables: Mapping[str, Sequence[str]]) -> None:
        self._patterns = []
        for name, phrases in sorted(tables.items()):
            folded = sorted({fold(phrase) for phrase in phrases} - {""}, key=len, reverse=True)
            if folded:  # longest first, so "blue cross" wins over "blue"
                self._patterns.append(
                    (name, re.compile(r"\b(?:" + "|".join(map(re.escape, folded)) + r")\b")))

    def __call__(self, folded_text: str) -> List[str]:
        return [name for name, pattern in self._patterns for _ in pattern.findall(folded_text)]


def fit_pipeline(texts: Sequence[str], labels: Sequence[str], regularization: float,
                 lookup_tables: Optional[Mapping[str, Sequence[str]]] = None,
                 lookup_weight: float = 0.0):
    """The scikit-learn pipeline, fitted: what `LinearClassifier.from_pipeline` serves.

    `lookup_weight` scales the concept features against the word and character ones (1 each).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    features = [("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
                ("characters", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                               sublinear_tf=True))]
    shares = {}
    if lookup_tables and lookup_weight > 0:
        features.append(("concepts", TfidfVectorizer(analyzer=ConceptFinder(lookup_tables),
                                                     sublinear_tf=True)))
        shares["concepts"] = lookup_weight
    union = FeatureUnion(features, transformer_weights=shares or None)
    pipeline = make_pipeline(union, LogisticRegression(C=regularization, max_iter=3000))
    return pipeline.fit([fold(text) for text in texts], list(labels))


class LinearClassifier:
    """Label probabilities for one message, computed as scikit-learn's `predict_proba` would."""

    def __init__(self,
                 features: List[Tuple[Callable[[str], List[str]], Dict[str, int], np.ndarray, float]],
                 weights: np.ndarray, intercepts: np.ndarray, labels: List[str]) -> None:
        # per vectorizer: its analyzer, vocabulary, idf weights and its share in the union
        self._features = features
        self._weights = weights  # labels × features, the vectorizers' columns side by side
        self._intercepts = intercepts
        self.labels = labels

    @classmethod
    def from_pipeline(cls, pipeline) -> "LinearClassifier":
        union, regression = pipeline.steps[0][1], pipeline.steps[-1][1]
        shares = union.transformer_weights or {}
        features = [(vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_,
                     shares.get(name, 1.0)) for name, vectorizer in union.transformer_list]
        return cls(features, regression.coef_, regression.intercept_, list(regression.classes_))

    def probabilities(self, text: str) -> Dict[str, float]:
        scores = self._intercepts.copy()
        offset = 0
        folded = fold(text)
        for analyzer, vocabulary, idf, share in self._features:
            counts = Counter(vocabulary[gram] for gram in analyzer(folded) if gram in vocabulary)
            if counts:
                columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
                values = np.array([1.0 + math.log(n) for n in counts.values()]) * idf[columns]
                values *= share / np.linalg.norm(values)
                scores += self._weights[:, offset + columns] @ values
            offset += len(idf)
        exponentials = np.exp(scores - scores.max())
        return dict(zip(self.labels, (exponentials / exponentials.sum()).tolist()))
