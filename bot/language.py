"""Decides whether a patient's message is English, Spanish, another language, or undecided.

Short chat messages defeat general-purpose detectors ("Go.", "Fallaste.", "ok"), so the decision
adds up independent evidence as log-odds of Spanish over English:

1. a word lexicon built from spaCy's lookups tables (word frequencies per language, from the
   ``spacy-lookups-data`` package) plus the project's own training vocabulary per language;
2. Spanish-only characters (ñ ¿ ¡, accented vowels);
3. lingua's English-vs-Spanish confidence, which is strong on unknown words and longer text.

langdetect, with a fixed seed and the profiles of the same six languages lingua knows, only
answers "is this neither English nor Spanish?" for messages long enough for it to be reliable.
Words with no language of their own ("ok", "no", "FDA") carry no evidence; a message with none
left, or whose evidence is too weak, is undecided and the conversation keeps its language.
"""

import gzip
import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, Optional

import numpy as np
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from lingua import Language, LanguageDetectorBuilder

ENGLISH = "en"
SPANISH = "es"
# The languages, besides English and Spanish, that US patients most often write in and that
# could pass for one of them; each costs about 40 MB of lingua's models.
OTHER_LANGUAGES = (Language.PORTUGUESE, Language.FRENCH, Language.ITALIAN, Language.GERMAN)


def _langdetect_factory() -> DetectorFactory:
    """langdetect knowing the same six languages as lingua: its 55 profiles take 66 MB, these 2."""
    codes = [ENGLISH, SPANISH] + [language.iso_code_639_1.name.lower() for language in OTHER_LANGUAGES]
    factory = DetectorFactory()
    factory.load_json_profile([Path(PROFILES_DIRECTORY, code).read_text(encoding="utf-8") for code in codes])
    factory.set_seed(0)  # langdetect is random unless seeded
    return factory


# Spanish-only characters: ñ ¿ ¡ are decisive, accented vowels nearly so ("José" in English text
# is outweighed by the English words around it).
_SPANISH_MARKS = {"ñ": 8.0, "¿": 8.0, "¡": 8.0, "á": 5.0, "é": 5.0, "í": 5.0, "ó": 5.0, "ú": 5.0}

# Tokens that patients use in both languages: they must not tip the decision.
NEUTRAL_WORDS = frozenset(
    "ok okay okey oki k kk no hmm hm mm mmm lol fda iv spravato dr".split()
)

# A clock time ("5pm", "10 a.m.", "17h"): both languages write it so, and "pm" alone read as
# English switched a Spanish patient who answered the booking form's "when?" with "5pm".
CLOCK_TIME = re.compile(r"\b\d{1,2}(?::\d{2})?\s*(?:[ap]\.?\s?m\b\.?|h\b|hrs?\b|hs\b)", re.I)

MAX_CHARACTERS = 2000
# Table evidence (log-odds) up to which the project's own vocabulary may push a word the other way.
_VOCABULARY_MAY_OVERRULE = 2.0

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")

# Explicit requests to switch, matched on the message's words (lowercase, no accents).
_POLITE = r"(?: please| pls| plz| por favor| porfa| xfa)?"


def _switch_pattern(names: str) -> "re.Pattern":
    return re.compile(
        rf"^(?:please |pls )?(?:in )?(?:{names}){_POLITE}$"  # "español", "english please"
        rf"|\b(?:in|en) (?:plain )?(?:{names})\b"  # "in spanish please", "hablame en ingles"
        rf"|(?:^|\b(?:you|u|i|i only|dont|cant|please|pls|lets|let s) )"
        rf"(?:speak|talk|write|read|understand|switch to)"
        rf"(?: to me| with me)? (?:{names})\b"  # "do you speak spanish", "speak english pls"
        rf"|\b(?:habl|escrib)\w*(?: \w+)? (?:{names})\b"  # "habla ingles?", "hablas espanol"
    )


_SWITCH_PATTERNS = {
    ENGLISH: _switch_pattern("english|ingles"),
    SPANISH: _switch_pattern("spanish|espanol|castellano"),
}
# "I can't read English" asks for the other language.
_NEGATION = re.compile(
    r"\b(?:no|not|dont|cant|cannot|never|nunca)(?: \w+){0,2} "
    r"(?:speak|read|understand|write|habl\w*|le[eo]\w*|entiend\w*|escrib\w*|se)\b"
)
# A long message that mentions a language ("my mother only speaks Spanish, can she come?") is
# a question, not a request to switch.
_SWITCH_MAX_WORDS = 8


def strip_accents(text: str) -> str:
    """Lowercase text without diacritics: how many patients type Spanish."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


_ELONGATION = re.compile(r"(.)\1{2,}")
# Phones type a curly apostrophe ("don’t"): read as a letter break, it made "don" Spanish evidence.
APOSTROPHES = str.maketrans({"’": "'", "`": "'", "´": "'"})


def words(text: str) -> list:
    """The alphabetic words of a text: lowercase, no accents or apostrophes, "hiiii" → "hi"."""
    folded = strip_accents(text.translate(APOSTROPHES))
    return [_ELONGATION.sub(r"\1", w.replace("'", "")) for w in _WORD.findall(folded)]


@dataclass(frozen=True)
class Decision:
    """What the detector decided about one message, and why."""

    language: Optional[str]  # "en", "es", or None when undecided
    reason: str  # payload | explicit | no_signal | weak | evidence | other_language
    score: float = 0.0  # log-odds of Spanish over English
    other_language: Optional[str] = None  # ISO code when written in neither language


class Lexicon:
    """Per-word log-odds of Spanish over English, accent-insensitive.

    Held as two arrays, 64-bit word hashes (sorted) and log-odds in hundredths: 4 MB for 315,000
    words instead of 58 MB as a dict of strings, in every Rasa process. Two words sharing a hash
    is about one chance in 400 million for this many words.
    """

    def __init__(self, hashes: np.ndarray, hundredths: np.ndarray) -> None:
        self._hashes = hashes
        self._hundredths = hundredths

    @classmethod
    def from_log_odds(cls, log_odds: Dict[str, float]) -> "Lexicon":
        hashes = np.fromiter(map(_word_hash, log_odds), dtype=np.uint64, count=len(log_odds))
        hundredths = np.fromiter((round(100 * v) for v in log_odds.values()), dtype=np.int16,
                                 count=len(log_odds))
        order = np.argsort(hashes)
        return cls(hashes[order], hundredths[order])

    @classmethod
    def build(
        cls,
        vocabulary: Dict[str, Iterable[str]],
        min_log_prob: float = -17.0,
        cap: float = 6.0,
        vocabulary_weight: float = 3.0,
    ) -> "Lexicon":
        """Builds the lexicon from spaCy's word-frequency tables and the project's vocabulary.

        `vocabulary` maps "en"/"es" to words seen in that language's training examples; a word
        seen in only one of them counts as at least `vocabulary_weight` for that language.
        """
        english = _frequency_table(ENGLISH, min_log_prob)
        spanish = _frequency_table(SPANISH, min_log_prob)
        unseen = min_log_prob - 1.0
        log_odds = {}
        for word in english.keys() | spanish.keys():
            odds = spanish.get(word, unseen) - english.get(word, unseen)
            if abs(odds) >= 0.05:
                log_odds[word] = round(max(-cap, min(cap, odds)), 2)
        # The project's vocabulary decides the words the tables barely know ("ketamina", "xq"),
        # but does not overrule them: "follow up" in a Spanish example leaves "follow" English.
        english_vocabulary = set(vocabulary.get(ENGLISH, ()))
        spanish_vocabulary = set(vocabulary.get(SPANISH, ()))
        for word in english_vocabulary - spanish_vocabulary - NEUTRAL_WORDS:
            if log_odds.get(word, 0.0) < _VOCABULARY_MAY_OVERRULE:
                log_odds[word] = min(log_odds.get(word, 0.0), -vocabulary_weight)
        for word in spanish_vocabulary - english_vocabulary - NEUTRAL_WORDS:
            if log_odds.get(word, 0.0) > -_VOCABULARY_MAY_OVERRULE:
                log_odds[word] = max(log_odds.get(word, 0.0), vocabulary_weight)
        return cls.from_log_odds(log_odds)

    def __len__(self) -> int:
        return len(self._hashes)

    def save(self, path: Path) -> None:
        with open(path, "wb") as file:
            np.savez_compressed(file, hashes=self._hashes, hundredths=self._hundredths)

    @classmethod
    def load(cls, path: Path) -> "Lexicon":
        if path.suffix == ".gz":  # a model trained before 2026-11-26: a JSON word → log-odds map
            with gzip.open(path, "rt", encoding="utf-8") as file:
                return cls.from_log_odds(json.load(file))
        with np.load(path) as arrays:
            return cls(arrays["hashes"], arrays["hundredths"])

    def score(self, tokens: Iterable[str]) -> float:
        hashes = np.fromiter(map(_word_hash, tokens), dtype=np.uint64)
        if not (len(hashes) and len(self._hashes)):
            return 0.0
        at = np.minimum(np.searchsorted(self._hashes, hashes), len(self._hashes) - 1)
        known = self._hashes[at] == hashes
        return int(self._hundredths[at[known]].sum(dtype=np.int64)) / 100


def _word_hash(word: str) -> int:
    """A hash that is the same in every process (Python's own `hash` of a str is not)."""
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def _frequency_table(language: str, min_log_prob: float) -> Dict[str, float]:
    """spaCy's unigram log-probabilities for a language, keyed by accent-stripped word."""
    from spacy_lookups_data import get_file  # only needed when building, i.e. at training time

    with gzip.open(get_file(f"{language}_lexeme_prob.json.gz"), "rt", encoding="utf-8") as f:
        table = json.load(f)
    merged: Dict[str, float] = {}
    for word, log_prob in table.items():
        if log_prob < min_log_prob:
            continue
        key = strip_accents(word)
        if key in merged:  # "esta" and "está" both count for "esta": add the probabilities
            high, low = max(merged[key], log_prob), min(merged[key], log_prob)
            merged[key] = high + math.log1p(math.exp(low - high))
        else:
            merged[key] = log_prob
    return merged


class LanguageDetector:
    """English/Spanish decision for one message; see the module docstring for the method."""

    def __init__(
        self,
        lexicon: Lexicon,
        undecided_margin: float = 1.0,
        lingua_weight: float = 1.0,
        other_language_min_words: int = 3,
        other_language_min_confidence: float = 0.7,
    ) -> None:
        self.lexicon = lexicon
        self.undecided_margin = undecided_margin
        self.lingua_weight = lingua_weight
        self.other_language_min_words = other_language_min_words
        self.other_language_min_confidence = other_language_min_confidence
        self._lingua = (
            LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.SPANISH, *OTHER_LANGUAGES)
            .with_preloaded_language_models()  # the first patient must not wait for loading
            .build()
        )
        self._langdetect = _langdetect_factory()

    def decide(self, text: str) -> Decision:
        # The first few hundred words decide as well as a whole essay, at a bounded cost.
        text = (text or "")[:MAX_CHARACTERS].strip()
        if text.startswith("/"):
            return Decision(None, "payload")
        tokens = words(CLOCK_TIME.sub(" ", text))
        explicit = self.explicit_request(text, tokens)
        if explicit:
            return Decision(explicit, "explicit")
        signal = [t for t in tokens if t not in NEUTRAL_WORDS]
        marks = sum(_SPANISH_MARKS.get(c, 0.0) for c in set(text.lower()))
        if not signal and not marks:
            return Decision(None, "no_signal")

        score = marks + self.lexicon.score(signal)
        confidences = self._lingua_confidences(_ELONGATION.sub(r"\1", text)) if signal else {}
        if confidences:
            english = confidences.get(ENGLISH, 0.0) + 0.005
            spanish = confidences.get(SPANISH, 0.0) + 0.005
            score += self.lingua_weight * max(-5.0, min(5.0, math.log(spanish / english)))
        other = self._other_language(text, signal, confidences)
        if other:
            return Decision(None, "other_language", score, other)
        if abs(score) < self.undecided_margin:
            return Decision(None, "weak", score)
        return Decision(SPANISH if score > 0 else ENGLISH, "evidence", score)

    @staticmethod
    def explicit_request(text: str, tokens: Optional[list] = None) -> Optional[str]:
        """"in English please", "¿me puedes hablar en español?" → the language asked for."""
        tokens = words(text) if tokens is None else tokens
        if not tokens or len(tokens) > _SWITCH_MAX_WORDS:
            return None
        plain = " ".join(tokens)
        asked = [lang for lang, pattern in _SWITCH_PATTERNS.items() if pattern.search(plain)]
        if len(asked) != 1:
            return None
        if _NEGATION.search(plain):  # "no sé leer en inglés", "i don't speak spanish"
            return SPANISH if asked[0] == ENGLISH else ENGLISH
        return asked[0]

    def _lingua_confidences(self, text: str) -> Dict[str, float]:
        return {
            value.language.iso_code_639_1.name.lower(): value.value
            for value in self._lingua.compute_language_confidence_values(text)
        }

    def _other_language(
        self, text: str, signal: list, confidences: Dict[str, float]
    ) -> Optional[str]:
        """The ISO code of a third language the message is confidently written in, else None.

        lingua and langdetect must both name a third language: either alone mistakes some
        unaccented Spanish for Portuguese or Italian.
        """
        if len(signal) < self.other_language_min_words or not confidences:
            return None
        best = max(confidences, key=confidences.get)
        if best in (ENGLISH, SPANISH) or confidences[best] < self.other_language_min_confidence:
            return None
        detector = self._langdetect.create()
        detector.append(text)
        try:
            second_opinion = detector.get_probabilities()[0].lang
        except LangDetectException:  # no features at all, e.g. only digits and emoji
            return None
        return None if second_opinion in (ENGLISH, SPANISH) else best
