"""A conversation with everything that changes a tracker's replayed state, for the tests of
Rasa's replaced hot spots (tests/bot/test_rasa_speedups.py, test_tracker_speedups.py)."""

from rasa.shared.core.events import (ActionExecuted, ActionExecutionRejected, ActionReverted,
                                     ActiveLoop, FollowupAction, LoopInterrupted, Restarted,
                                     SessionStarted, SlotSet, UserUttered, UserUtteranceReverted)


def conversation_events():
    """Slots, a form (run once before its activation is recorded, as Rasa logs it), a question
    inside the form that rejects it, a fallback that undoes the patient's message, an undone
    action, a follow-up action, a restart and a new session."""

    def said(text, intent):
        return [ActionExecuted("action_listen"),
                UserUttered(text, {"name": intent, "confidence": 0.9})]

    return [
        ActionExecuted("action_session_start"), SessionStarted(),
        ActionExecuted("action_listen"), *said("hola", "greet")[1:],
        SlotSet("language", "es"), ActionExecuted("utter_greet"),
        *said("quiero una cita", "request_booking"),
        ActionExecuted("booking_form"), ActiveLoop("booking_form"),
        SlotSet("requested_slot", "name"),
        *said("Ana", "inform"), ActionExecuted("booking_form"), SlotSet("name", "Ana"),
        *said("cuanto cuesta", "faq"), ActionExecutionRejected("booking_form"),
        ActionExecuted("utter_faq"), LoopInterrupted(True), ActionExecuted("booking_form"),
        *said("asdf", "nlu_fallback"), ActionExecuted("action_default_fallback"),
        UserUtteranceReverted(), ActionExecuted("utter_greet"), ActionReverted(),
        ActiveLoop(None), *said("what is ketamine", "faq"), FollowupAction("utter_greet"),
        ActionExecuted("utter_faq"),
        Restarted(), *said("hi", "greet"), ActionExecuted("utter_greet"),
        ActionExecuted("action_session_start"), SessionStarted(), *said("bye", "goodbye"),
    ]
