"""The deterministic safety patterns (bot/safety.py), without a trained model."""

import pytest

from bot.safety import CRISIS, MEDICAL_ADVICE, MEDICAL_EMERGENCY, SafetyPatterns, fold


@pytest.fixture(scope="module")
def patterns():
    return SafetyPatterns()


@pytest.mark.parametrize(
    "message",
    [
        "I want to kill myself",
        "i wanna die",
        "im gonna end it all tonight",
        "everyone would be better off without me",
        "I've been saving up my pills",
        "ya no aguanto más",
        "ya no aguanto mas",
        "quiero desaparecer",
        "he juntado pastillas",
        "me quiero suicidar",
        "kiero morirme",
        "estarian mejor sin mi",
        "I want to hurt someone",
        "voy a matar a mi ex",
    ],
)
def test_crisis_phrasings_from_the_issue_match(patterns, message):
    assert patterns.classify(message).intent == CRISIS


@pytest.mark.parametrize(
    "message",
    [
        "ketamine kills pain",
        "I'm dying to know the price",
        "me muero de ganas de empezar",
        "el dolor me está matando",
        "I don't want to die from the side effects, is it safe?",
        "me muero de la vergüenza, ¿cuánto cuesta?",
        "can ketamine help people with suicidal thoughts?",
        "¿la ketamina ayuda con los pensamientos suicidas?",
        "what happens if I die laughing during the infusion",
    ],
)
def test_look_alikes_are_not_a_crisis(patterns, message):
    assert patterns.classify(message).intent != CRISIS


def test_first_person_keeps_a_topic_word_a_crisis(patterns):
    assert patterns.classify("I have suicidal thoughts, can ketamine help?").intent == CRISIS
    assert patterns.classify("can ketamine help with suicidal thoughts?").intent is None


def test_a_negated_wish_to_die_is_not_a_crisis_but_not_wanting_to_live_is(patterns):
    assert patterns.classify("I don't want to die").intent is None
    assert patterns.classify("I don't want to live anymore").intent == CRISIS
    assert patterns.classify("no quiero morir").intent is None
    assert patterns.classify("ya no quiero vivir").intent == CRISIS


@pytest.mark.parametrize(
    "message, intent",
    [
        ("I have chest pain right now", MEDICAL_EMERGENCY),
        ("i cant breathe", MEDICAL_EMERGENCY),
        ("my husband passed out and won't respond", MEDICAL_EMERGENCY),
        ("me duele mucho el pecho", MEDICAL_EMERGENCY),
        ("no puedo respirar", MEDICAL_EMERGENCY),
        ("how many mg should I take", MEDICAL_ADVICE),
        ("should I stop taking my lexapro before the infusion?", MEDICAL_ADVICE),
        ("can I drink alcohol after my infusion?", MEDICAL_ADVICE),
        ("¿puedo mezclar la ketamina con alcohol?", MEDICAL_ADVICE),
        ("¿debo dejar mis antidepresivos?", MEDICAL_ADVICE),
    ],
)
def test_emergencies_and_advice_requests_match(patterns, message, intent):
    assert patterns.classify(message).intent == intent


def test_history_or_risk_questions_are_not_emergencies(patterns):
    assert patterns.classify("I had a seizure years ago, do I qualify?").intent is None
    assert patterns.classify("¿la ketamina puede dar convulsiones?").intent is None
    assert patterns.classify("does ketamine cause trouble breathing?").intent is None


def test_crisis_comes_before_emergency_and_advice(patterns):
    message = "I took all my pills because I want to die, how much ketamine should I take"
    assert patterns.classify(message).intent == CRISIS


def test_figures_of_speech_and_emergency_signs_are_recognised(patterns):
    assert patterns.read("I'm dying to know the price").idiom
    assert patterns.read("me muero de risa").idiom
    assert not patterns.read("I want to die").idiom
    assert patterns.read("my dad collapsed and won't wake up").emergency_sign
    assert not patterns.read("headache from my screen, when do you close?").emergency_sign


def test_folding_removes_accents_case_and_elongation():
    assert fold("YA NO AGUANTO MÁÁÁS") == "ya no aguanto mas"


@pytest.mark.parametrize("message", ["", "   ", "🙂", "a" * 100_000, "\x00\ufffd binary"])
def test_odd_input_gives_no_verdict_and_no_error(patterns, message):
    assert patterns.classify(message).intent is None
