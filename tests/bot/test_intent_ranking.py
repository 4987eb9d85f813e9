"""Changing a parsed message's intent (bot/intent_ranking.py)."""

from rasa.shared.nlu.training_data.message import Message

from bot.intent_ranking import drop_intents, set_intent


def _message(*ranking):
    message = Message(data={"text": "x"})
    ranked = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message.set("intent", ranked[0])
    message.set("intent_ranking", ranked)
    return message


def test_the_set_intent_comes_first_and_the_others_share_the_rest():
    message = _message(("faq", 1.0), ("greet", 0.0))
    set_intent(message, "other_language", 1.0)
    assert message.get("intent") == {"name": "other_language", "confidence": 1.0}
    assert message.get("intent_ranking") == [
        {"name": "other_language", "confidence": 1.0},
        {"name": "faq", "confidence": 0.0}, {"name": "greet", "confidence": 0.0}]


def test_a_weaker_set_intent_keeps_the_others_proportions():
    message = _message(("nlu_fallback", 0.4), ("crisis", 0.3), ("faq", 0.2))
    set_intent(message, "crisis", 0.3)
    ranking = [(i["name"], round(i["confidence"], 2)) for i in message.get("intent_ranking")]
    assert ranking == [("crisis", 0.3), ("nlu_fallback", 0.28), ("faq", 0.14)]


def test_dropped_intents_give_way_to_the_next_guess():
    message = _message(("crisis", 0.6), ("faq", 0.3))
    drop_intents(message, ["crisis"])
    assert message.get("intent") == {"name": "faq", "confidence": 0.3}
