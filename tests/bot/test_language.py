"""The English/Spanish decision on single messages (bot/language.py)."""

import gzip
import json

import pytest

from bot.language import LanguageDetector, Lexicon, strip_accents, words


@pytest.mark.parametrize(
    "text",
    ["how does it work", "Be calm.", "Go.", "scared of the side effects", "thx", "hi",
     "tomorrow at 5pm", "wats spravato", "u take insurance?", "Nobody move.", "don’t",
     "I don’t know"],
)
def test_english_messages_are_english(language_detector: LanguageDetector, text):
    assert language_detector.decide(text).language == "en"


@pytest.mark.parametrize(
    "text",
    ["¿Cómo funciona?", "como funciona", "cuanto cuesta", "Fallaste.", "Continuemos.",
     "q es la ketamina", "xq duele", "tengo miedo de los efectos", "mañana a las 5",
     "gracias", "si", "Ire manana.", "efectos secundarios", "necesito ayuda"],
)
def test_spanish_messages_are_spanish_with_or_without_accents(language_detector, text):
    assert language_detector.decide(text).language == "es"


@pytest.mark.parametrize(
    "text",
    ["ok", "OK!", "👍", "FDA?", "123", "555-123-4567", "no", "k", "Spravato?", "", "   ", "?!",
     "5pm", "10 a.m.", "17h", "5:30"],
)
def test_messages_without_language_signal_are_undecided(language_detector, text):
    decision = language_detector.decide(text)
    assert decision.language is None
    assert decision.other_language is None


@pytest.mark.parametrize("payload", ["/greet", "/request_booking", '/inform{"x": "y"}'])
def test_button_payloads_are_undecided(language_detector, payload):
    assert language_detector.decide(payload).reason == "payload"


@pytest.mark.parametrize(
    "text, language",
    [("in English please", "en"), ("english", "en"), ("en inglés por favor", "en"),
     ("¿habla inglés?", "en"), ("speak english pls", "en"),
     ("¿me puedes hablar en español?", "es"), ("español", "es"), ("espanol", "es"),
     ("can we do this in spanish", "es"), ("do you speak spanish?", "es"),
     ("i only speak spanish", "es"), ("Spanish please", "es")],
)
def test_explicit_requests_switch_whatever_language_they_are_written_in(
    language_detector, text, language
):
    decision = language_detector.decide(text)
    assert (decision.language, decision.reason) == (language, "explicit")


@pytest.mark.parametrize(
    "text, language",
    [("no sé leer en inglés", "es"), ("i don't speak spanish", "en"), ("no hablo inglés", "es"),
     ("I can't read Spanish", "en"), ("no, in english please", "en")],
)
def test_not_understanding_a_language_asks_for_the_other(language_detector, text, language):
    assert language_detector.decide(text).language == language


def test_elongated_words_count_as_the_word(language_detector):
    assert language_detector.decide("hiiii").language == "en"
    assert language_detector.decide("holaaaa").language == "es"


@pytest.mark.parametrize(
    "text",
    ["She can speak Spanish.",
     "my mom only speaks spanish, can she come with me to the appointment?",
     "english or spanish?"],
)
def test_mentioning_a_language_is_not_a_request_to_switch(language_detector, text):
    assert language_detector.decide(text).reason != "explicit"


@pytest.mark.parametrize(
    "text, code",
    [("Bonjour, je voudrais prendre un rendez-vous", "fr"),
     ("não entendi, você pode explicar de novo", "pt"),
     ("quali sono gli effetti collaterali della ketamina", "it"),
     ("hilft ketamin gegen depressionen", "de")],
)
def test_other_languages_are_recognised(language_detector, text, code):
    decision = language_detector.decide(text)
    assert decision.language is None
    assert decision.other_language == code


@pytest.mark.parametrize(
    "text",
    ["Ella cogió mi mano y se fue", "Pregunté a Tom por la cita", "Tom me traicionó",
     "quiero saber si la ketamina funciona para la depresion",
     "I would like to know about ketamine therapy"],
)
def test_english_and_spanish_are_never_called_another_language(language_detector, text):
    assert language_detector.decide(text).other_language is None


def test_decisions_are_deterministic(language_detector):
    texts = ["Abrazame.", "Humor me.", "Bonjour, je voudrais prendre un rendez-vous", "Me case."]
    def decisions():  # scores may differ in the last float digits; decisions may not
        return [(d.language, d.reason, d.other_language) for d in map(language_detector.decide, texts)]

    first = decisions()
    assert all(decisions() == first for _ in range(5))


def test_words_fold_case_accents_and_apostrophes():
    assert words("¿Qué PASÓ? Don't") == ["que", "paso", "dont"]
    assert strip_accents("Ñandú") == "nandu"


def test_the_lexicon_scores_words_as_the_table_it_was_made_from(tmp_path):
    table = {"hola": 4.25, "hello": -3.1, "ketamina": 3.0, "the": -6.0, "sí": 0.07}
    path = tmp_path / "lexicon.npz"
    Lexicon.from_log_odds(table).save(path)
    lexicon = Lexicon.load(path)
    assert len(lexicon) == 5
    for word, log_odds in table.items():
        assert lexicon.score([word]) == pytest.approx(log_odds)
    assert lexicon.score(["hola", "hola", "the", "unknown", ""]) == pytest.approx(2.5)
    assert lexicon.score([]) == 0.0
    assert Lexicon.from_log_odds({}).score(["hola"]) == 0.0


def test_a_lexicon_stored_by_an_older_model_still_loads(tmp_path):
    path = tmp_path / "lexicon.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as file:
        json.dump({"hola": 4.25, "hello": -3.1}, file)
    lexicon = Lexicon.load(path)
    assert lexicon.score(["hola", "hello"]) == pytest.approx(1.15)
