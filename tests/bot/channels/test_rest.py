"""What the REST channel (bot/channels/rest.py) refuses before Rasa sees it; served for real in
tests/test_fuzz_endpoints.py."""

import pytest

from bot.channels.rest import problem_with


@pytest.mark.parametrize("body", [None, [], "hi", 42, {"message": "hi"}, {"sender": None},
                                  {"sender": "", "message": "hi"},
                                  {"sender": "hola\ud83d", "message": "hi"},
                                  {"sender": "a\x00b", "message": "hi"},
                                  {"sender": "s" * 256, "message": "hi"},
                                  {"sender": "ana", "message": 5},
                                  {"sender": "ana", "message": "hi", "metadata": 5},
                                  {"sender": "ana", "message": "hi", "input_channel": []}])
def test_bodies_rasa_would_fail_on_are_refused(body):
    assert problem_with(body)


@pytest.mark.parametrize("body", [{"sender": "ana", "message": "hola"},
                                  {"sender": "+12125550100", "message": ""},
                                  {"sender": "ana", "message": "hi", "metadata": {"a": 1}}])
def test_ordinary_messages_pass(body):
    assert problem_with(body) is None
