"""The "tell me more" action (actions/faq.py) on trackers shaped like Rasa's."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionTellMeMore, last_faq_topic


def _user(intent, response_key=None):
    parse_data = {"intent": {"name": intent}}
    if response_key:
        parse_data["response_selector"] = {
            "faq": {"response": {"intent_response_key": response_key}}}
    return {"event": "user", "text": "…", "parse_data": parse_data}


def _tracker(*events):
    return Tracker("patient", {"language": "es"}, {}, list(events), False, None, {}, "action_listen")


def test_the_latest_faq_topic_wins():
    tracker = _tracker(_user("faq", "faq/cost"), {"event": "bot", "text": "…"},
                       _user("faq", "faq/side_effects"), _user("tell_me_more"))
    assert last_faq_topic(tracker) == "side_effects"


def test_no_faq_asked_means_no_topic():
    assert last_faq_topic(_tracker(_user("greet"), _user("tell_me_more"))) is None


def test_action_utters_the_follow_up_of_the_topic_or_asks_which_topic():
    domain = {"responses": {"utter_more_cost": [{"text": "…"}], "utter_ask_topic": [{"text": "?"}]}}
    for events, expected in [((_user("faq", "faq/cost"),), "utter_more_cost"),
                             ((_user("faq", "faq/provider"),), "utter_ask_topic"),
                             ((), "utter_ask_topic")]:
        dispatcher = CollectingDispatcher()
        ActionTellMeMore().run(dispatcher, _tracker(*events), domain)
        assert [m["response"] for m in dispatcher.messages] == [expected]
