"""Deterministic safety net: spots crisis, emergency and medical-advice messages by pattern.

The intent classifier generalises; these patterns make sure the phrasings that matter most are
never missed because of a confident wrong guess. They run on spaCy's blank English and Spanish
tokenizers (no downloaded model) over a folded text: lowercase, no accents, "noooo" → "no",
common SMS shorthand expanded, so "ya no aguanto mas" and "ya no aguanto más" are one phrase.

A pattern is a short string, one item per token, matched on the token's norm:
    word        the word itself
    a|b|c       any of these words
    ~regex      a word matching the regular expression
    _           any one word
    item?       the item is optional

Rules that name a topic rather than a wish ("suicidal", "self-harm", "chest pain") say so with
`unless_general`: they are ignored when the message reads as a general question about the therapy
("can ketamine help people with suicidal thoughts?") and carries no first-person word. Rules about
wishes to die accept `unless_negated` ("I don't want to die" is not a crisis, "I don't want to live"
is) and every rule yields to an idiom right after it ("dying to know", "me muero de risa").
"""

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import spacy
from spacy.matcher import Matcher
from spacy.tokens import Doc

from bot.language import APOSTROPHES, ENGLISH, SPANISH, strip_accents
from bot.safety_patterns import (
    EMERGENCY_SIGNS,
    FIRST_PERSON,
    GENERAL_QUESTION,
    IDIOMS_AFTER,
    NEGATIONS,
    RULES,
    SHORTHAND,
    CoOccurrence,
    Rule,
)

CRISIS = "crisis"
MEDICAL_EMERGENCY = "medical_emergency"
MEDICAL_ADVICE = "medical_advice"
# The first that matches wins: a crisis that mentions pills is a crisis, not a question on doses.
SAFETY_INTENTS = (CRISIS, MEDICAL_EMERGENCY, MEDICAL_ADVICE)
# Those whose weak classifier guesses are still acted on: a miss costs more than a false alarm.
URGENT_INTENTS = (CRISIS, MEDICAL_EMERGENCY)

_ELONGATION = re.compile(r"([^\W\d])\1{2,}")
# Words of unlimited length gain nothing beyond this; it bounds the work on a huge message.
_MAX_CHARACTERS = 2000
_WORD = re.compile(r"[\w'/]+")


@dataclass(frozen=True)
class Verdict:
    intent: Optional[str]  # one of SAFETY_INTENTS, or None
    rule: Optional[str] = None  # "en crisis: kill|… myself", for debug logs and tests


NO_VERDICT = Verdict(None)


def fold(text: str) -> str:
    """Lowercase, accents removed, apostrophes unified, letters repeated 3+ times kept once."""
    folded = strip_accents(text[:_MAX_CHARACTERS].translate(APOSTROPHES))
    return _ELONGATION.sub(r"\1", folded)


@dataclass(frozen=True)
class Reading:
    """What the patterns see in one message."""

    verdict: Verdict
    idiom: bool  # a figure of speech with a crisis word ("dying to know") anywhere
    emergency_sign: bool  # a body in trouble named ("chest", "can't breathe", "desmayó")


class SafetyPatterns:
    """Both languages' rules, run on every message: patients mix languages in one message."""

    def __init__(self) -> None:
        self._languages = [_LanguagePatterns(language) for language in (ENGLISH, SPANISH)]

    def read(self, text: str) -> Reading:
        folded = fold(text or "")
        found: Dict[str, str] = {}
        idiom = False
        for patterns in self._languages:
            matched, has_idiom = patterns.match(patterns.doc(folded))
            idiom = idiom or has_idiom
            for intent, rule in matched.items():
                found.setdefault(intent, rule)
        intent = next((i for i in SAFETY_INTENTS if i in found), None)
        verdict = Verdict(intent, found[intent]) if intent else NO_VERDICT
        return Reading(verdict, idiom, bool(EMERGENCY_SIGNS.search(folded)))

    def classify(self, text: str) -> Verdict:
        return self.read(text).verdict


class _LanguagePatterns:
    def __init__(self, language: str) -> None:
        self.language = language
        self._nlp = spacy.blank(language)
        self._shorthand = SHORTHAND[language]
        # Patients mix languages: "I" or a therapy word in either language counts.
        self._first_person = frozenset().union(*FIRST_PERSON.values())
        self._general = frozenset().union(*GENERAL_QUESTION.values())
        self._negations = NEGATIONS[language]
        self._matcher = Matcher(self._nlp.vocab)
        self._rules: Dict[str, Tuple[str, Rule]] = {}
        self._co_occurrences: List[Tuple[str, CoOccurrence]] = []
        for intent, rules in RULES[language].items():
            for index, rule in enumerate(rules):
                if isinstance(rule, CoOccurrence):
                    self._co_occurrences.append((intent, rule))
                    continue
                key = f"{language}-{intent}-{index}"
                self._matcher.add(key, [_compile(rule.pattern)])
                self._rules[key] = (intent, rule)
        self._idioms = Matcher(self._nlp.vocab)
        self._idioms.add("idiom", [_compile(p) for p in IDIOMS_AFTER[language]])

    def doc(self, folded: str) -> Doc:
        expanded = _WORD.sub(lambda word: self._shorthand.get(word[0], word[0]), folded)
        return self._nlp(expanded)

    def match(self, doc: Doc) -> Tuple[Dict[str, str], bool]:
        """The first rule that holds for each safety intent, and whether an idiom was seen."""
        norms = {token.norm_ for token in doc}
        general = not (norms & self._first_person) and bool(norms & self._general)
        idiom_starts = {start for _, start, _ in self._idioms(doc)}
        found: Dict[str, str] = {}
        for key, start, end in self._matcher(doc):
            intent, rule = self._rules[self._nlp.vocab.strings[key]]
            if intent in found or (rule.unless_general and general) or norms & rule.unless:
                continue
            if (rule.unless_negated and self._negated(doc, start)) or end in idiom_starts:
                continue
            found[intent] = f"{self.language} {intent}: {rule.pattern}"
        for intent, rule in self._co_occurrences:
            if intent not in found and rule.matches(norms) and not (rule.unless_general and general):
                found[intent] = f"{self.language} {intent}: {rule}"
        return found, bool(idiom_starts)

    def _negated(self, doc: Doc, start: int) -> bool:
        # Only right before the wish: "esto no funciona, me voy a matar" is not negated.
        return start > 0 and doc[start - 1].norm_ in self._negations


def _compile(pattern: str) -> List[Dict]:
    """One spaCy Matcher pattern from the notation in the module docstring."""
    tokens = []
    for item in pattern.split():
        optional = item.endswith("?") and len(item) > 1
        item = item[:-1] if optional else item
        if item == "_":
            spec: Dict = {}
        elif item.startswith("~"):
            spec = {"NORM": {"REGEX": item[1:]}}
        elif "|" in item:
            spec = {"NORM": {"IN": item.split("|")}}
        else:
            spec = {"NORM": item}
        if optional:
            spec["OP"] = "?"
        tokens.append(spec)
    return tokens

