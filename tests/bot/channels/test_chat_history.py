"""bot/channels/chat_history.py: what a reloaded chat page shows."""

from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered

from bot.channels.chat_history import chat_history

TOPICS = [{"title": "Cost", "payload": "How much does it cost?"}]


def test_shows_both_sides_oldest_first_with_the_buttons():
    events = [
        SessionStarted(),
        UserUttered("hola"),
        ActionExecuted("utter_greet"),
        BotUttered("¡Hola!", data={"buttons": TOPICS}),
    ]
    assert chat_history(events) == [
        {"sender": "patient", "text": "hola", "buttons": []},
        {"sender": "assistant", "text": "¡Hola!", "buttons": TOPICS},
    ]


def test_a_clicked_button_shows_as_its_title():
    events = [BotUttered("Topics", data={"buttons": TOPICS}),
              UserUttered("How much does it cost?", metadata={"shown_as": "Cost"})]
    assert chat_history(events)[-1] == {"sender": "patient", "text": "Cost", "buttons": []}


def test_hidden_commands_are_left_out_but_typed_text_is_kept():
    events = [UserUttered('/greet{"language":"es"}'), BotUttered("¡Hola!"),
              UserUttered("ketamina?"),
              UserUttered("/request_booking", metadata={"shown_as": "Talk to staff"})]
    assert [m["text"] for m in chat_history(events)] == ["¡Hola!", "ketamina?", "Talk to staff"]


def test_only_the_current_session_is_shown():
    events = [UserUttered("old question"), BotUttered("old answer"), SessionStarted(),
              UserUttered("new question")]
    assert [m["text"] for m in chat_history(events)] == ["new question"]


def test_keeps_the_most_recent_messages_within_the_limit():
    events = [UserUttered(f"question {n}") for n in range(10)]
    assert [m["text"] for m in chat_history(events, limit=3)] == [
        "question 7", "question 8", "question 9"]
