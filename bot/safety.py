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

from bot.language import ENGLISH, SPANISH, strip_accents
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

_ELONGATION = re.compile(r"([^\W\d])\1{2,}")
_APOSTROPHES = str.maketrans({"’": "'", "`": "'", "´": "'"})
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
    folded = strip_accents(text[:_MAX_CHARACTERS].translate(_APOSTROPHES))
    return _ELONGATION.sub(r"\1", folded)


class SafetyPatterns:
    """Both languages' rules, run on every message: patients mix languages in one message."""

    def __init__(self) -> None:
        self._languages = [_LanguagePatterns(language) for language in (ENGLISH, SPANISH)]

    def classify(self, text: str) -> Verdict:
        folded = fold(text or "")
        docs = [(patterns, patterns.doc(folded)) for patterns in self._languages]
        for intent in SAFETY_INTENTS:
            for patterns, doc in docs:
                rule = patterns.first_match(intent, doc)
                if rule:
                    return Verdict(intent, rule)
        return NO_VERDICT

    def has_emergency_sign(self, text: str) -> bool:
        """Whether the message names a body in trouble (the condition for a classifier's guess)."""
        return bool(EMERGENCY_SIGNS.search(fold(text or "")))

    def has_idiom(self, text: str) -> bool:
        """Whether the message uses a figure of speech with a crisis word ("dying to know")."""
        folded = fold(text or "")
        return any(patterns.has_idiom(patterns.doc(folded)) for patterns in self._languages)


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
        self._co_occurrences: Dict[str, List[CoOccurrence]] = {}
        for intent, rules in RULES[language].items():
            for index, rule in enumerate(rules):
                if isinstance(rule, CoOccurrence):
                    self._co_occurrences.setdefault(intent, []).append(rule)
                    continue
                key = f"{language}-{intent}-{index}"
                self._matcher.add(key, [_compile(rule.pattern)])
                self._rules[key] = (intent, rule)
        self._idioms = Matcher(self._nlp.vocab)
        self._idioms.add("idiom", [_compile(p) for p in IDIOMS_AFTER[language]])

    def doc(self, folded: str) -> Doc:
        expanded = _WORD.sub(lambda word: self._shorthand.get(word[0], word[0]), folded)
        return self._nlp(expanded)

    def first_match(self, intent: str, doc: Doc) -> Optional[str]:
        norms = {token.norm_ for token in doc}
        general = not (norms & self._first_person) and bool(norms & self._general)
        idiom_starts = {start for _, start, _ in self._idioms(doc)}
        for key, start, end in self._matcher(doc):
            rule_intent, rule = self._rules[self._nlp.vocab.strings[key]]
            if rule_intent != intent:
                continue
            if rule.unless_general and general:
                continue
            if rule.unless_negated and self._negated(doc, start):
                continue
            if norms & rule.unless:
                continue
            if end in idiom_starts:
                continue
            return f"{self.language} {intent}: {rule.pattern}"
        for rule in self._co_occurrences.get(intent, []):
            if rule.matches(norms) and not (rule.unless_general and general):
                return f"{self.language} {intent}: {rule}"
        return None

    def has_idiom(self, doc: Doc) -> bool:
        return bool(self._idioms(doc))

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

