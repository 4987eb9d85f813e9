"""The tracker's copy and applied events (bot/tracker_speedups.py) are what Rasa's code gives."""

import pytest
from rasa.shared.core.events import ActionExecuted, LoopInterrupted, SlotSet, UserUttered
from rasa.shared.core.slots import AnySlot, TextSlot
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot import tracker_speedups
from tests.conversation_events import conversation_events

tracker_speedups.apply()
RASAS_COPY = DialogueStateTracker.copy.original
RASAS_APPLIED_EVENTS = DialogueStateTracker.applied_events.original


def _slots():
    return [TextSlot("language", mappings=[], initial_value="en"),
            TextSlot("requested_slot", mappings=[]), AnySlot("name", mappings=[])]


def _tracker(max_event_history=None):
    tracker = DialogueStateTracker("copy", _slots(), max_event_history)
    tracker.model_id = "model"  # Rasa's copy leaves it out: so must ours
    return tracker


def _state(tracker):
    """Everything a tracker holds, event objects by identity."""
    event_times = {event.timestamp for event in tracker.events}
    return {
        "fields": sorted(name for name in vars(tracker) if not name.startswith("_kept")),
        "events": ([id(event) for event in tracker.events], tracker.events.maxlen),
        "slots": {name: (type(slot), slot.value, slot.has_been_set)
                  for name, slot in tracker.slots.items()},
        # An empty placeholder message is created at each reset, with its own timestamp.
        "messages": [id(message) if message.timestamp in event_times else "empty"
                     for message in (tracker.latest_message, tracker.latest_bot_utterance)],
        "current": tracker.current_state(EventVerbosity.ALL),
        "others": (tracker.latest_action, tracker.active_loop, tracker.followup_action,
                   tracker._paused, tracker.sender_id, tracker.model_id, tracker.sender_source,
                   tracker.is_rule_tracker, tracker._max_event_history),
    }


# Copied after every event, or every few: then the kept replay has new events to go through.
@pytest.mark.parametrize("every, max_event_history", [(1, None), (3, None), (1, 5)])
def test_a_copy_is_what_rasas_replay_gives(every, max_event_history):
    tracker = _tracker(max_event_history)
    for count, event in enumerate(conversation_events(), start=1):
        tracker.update(event)
        # Rasa clears the follow-up action without an event once it ran; a replay still has it.
        tracker.clear_followup_action()
        if count % every == 0:
            assert _state(tracker.copy()) == _state(RASAS_COPY(tracker)), event


def test_a_copy_and_its_conversation_change_apart():
    tracker = _tracker()
    for event in conversation_events()[:14]:  # inside the booking form
        tracker.update(event)
    before = _state(RASAS_COPY(tracker))
    first = tracker.copy()
    # What Rasa changes in place (a rejected form, the latest action), then new events.
    first.active_loop.rejected = True
    first.latest_action["action_name"] = "changed"
    first.slots["language"].value = "es"
    first.update_with_events([SlotSet("name", "Eva"), LoopInterrupted(True),
                              ActionExecuted("utter_faq")], None)
    assert _state(tracker.copy()) == before
    tracker.update(UserUttered("Luis", {"name": "inform", "confidence": 1.0}))
    assert _state(tracker.copy()) == _state(RASAS_COPY(tracker))
    assert (first.get_slot("name"), first.get_slot("language")) == ("Eva", "es")


@pytest.mark.parametrize("every, max_event_history", [(1, None), (3, None), (4, None), (1, 5)])
def test_applied_events_are_rasas(every, max_event_history):
    tracker = _tracker(max_event_history)
    for count, event in enumerate(conversation_events(), start=1):
        tracker.update(event)
        if count % every:
            continue
        ours = tracker.applied_events()
        rasas = RASAS_APPLIED_EVENTS(tracker)
        assert [id(e) for e in ours] == [id(e) for e in rasas], event
        ours.clear()  # a caller's list is its own


def test_applied_events_start_again_when_a_form_name_appears():
    # Rasa folds with the names of every form in the conversation, so a form name that appears
    # later changes how the form's earlier runs fold: the second run below undoes the first.
    from rasa.shared.core.events import ActiveLoop

    tracker = _tracker()
    for event in [ActionExecuted("action_listen"), UserUttered("hi", {"name": "greet"}),
                  ActionExecuted("booking_form"), ActionExecuted("utter_greet"),
                  ActionExecuted("booking_form")]:
        tracker.update(event)
    assert len(tracker.applied_events()) == 5
    tracker.update(ActiveLoop("booking_form"))
    assert tracker.applied_events() == RASAS_APPLIED_EVENTS(tracker)
    assert len(tracker.applied_events()) < 6


def test_events_replaced_under_a_kept_replay_are_replayed_anew():
    tracker = _tracker()
    events = conversation_events()
    for event in events:
        tracker.update(event)
    tracker.copy(), tracker.applied_events()  # both kept with the whole conversation
    tracker.events = tracker._create_events(events[:14])  # not how Rasa changes it: a guard
    assert _state(tracker.copy()) == _state(RASAS_COPY(tracker))
    assert tracker.applied_events() == RASAS_APPLIED_EVENTS(tracker)
