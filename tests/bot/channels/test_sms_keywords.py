"""bot/channels/sms_keywords.py: which whole messages are keywords, and their replies' size."""

import pytest

from bot.channels.sms_keywords import REPLIES, keyword
from bot.channels.sms_text import segments


@pytest.mark.parametrize("body, kind, language", [
    ("STOP", "opt_out", "en"), (" stop. ", "opt_out", "en"), ("Unsubscribe", "opt_out", "en"),
    ("cancel", "opt_out", "en"), ("QUIT!", "opt_out", "en"), ("parar", "opt_out", "es"),
    ("Cancelar", "opt_out", "es"), ("BAJA", "opt_out", "es"), ("start", "opt_in", "en"),
    ("UNSTOP", "opt_in", "en"), ("alta", "opt_in", "es"), ("HELP", "help", "en"),
    ("¡Ayuda!", "help", "es"),
])
def test_keywords_are_recognised_with_their_language(body, kind, language):
    said = keyword(body)
    assert (said.kind, said.language) == (kind, language)


@pytest.mark.parametrize("body", ["stop the infusion?", "can I cancel my appointment", "starting",
                                  "necesito ayuda con algo", "", "2"])
def test_sentences_that_contain_a_keyword_are_not_keywords(body):
    assert keyword(body) is None


def test_every_keyword_reply_fits_three_segments():
    assert {key: segments(reply) for key, reply in REPLIES.items() if segments(reply) > 3} == {}
