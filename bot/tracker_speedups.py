"""Two hot spots of Rasa 3.6.21's conversation tracker, replaced by versions that give the same
results. Found by sampling a `rasa run` under load (py-spy; README, "Measured"):

- Before every action Rasa copies the conversation (`DialogueStateTracker.copy`, a scratch copy
  the action runs on), and the copy replays every event from the first: about 4% of the CPU of a
  served message, growing with the conversation. Here a replay is kept with the conversation and
  goes on from where it stopped (its events must still be the conversation's first ones), and the
  copy is made from it field by field: its own events list, slots, latest action and active
  form, sharing the event objects as a replay shares them. It is the replay's state, not the
  live tracker's, because Rasa changes one field without an event (it clears the follow-up
  action once it ran) and a replayed copy does not see that.
- `applied_events()`, the conversation without what was undone, is worked out from the first
  event several times a turn (the session check, the rule policy's dialogue states): about 6%.
  It is a fold over the events, so it goes on from the last result kept with the conversation,
  as long as the events it folded are still the conversation's first ones and no new form name
  appeared since (a form's name changes how its earlier executions fold).

Only plain `DialogueStateTracker`s with an unbounded event history are concerned; anything else
takes Rasa's own code. `apply()` is idempotent (bot/rasa_speedups.py calls it).
"""

import copy
import functools
from collections import deque
from itertools import islice
from operator import is_
from typing import Any, FrozenSet, List, Optional, Set

from rasa.shared.core.events import (ActionExecuted, ActionReverted, ActiveLoop, Restarted,
                                     SessionStarted, UserUttered, UserUtteranceReverted)
from rasa.shared.core.trackers import DialogueStateTracker

_REPLAY = "_kept_replay"
_APPLIED = "_kept_applied_events"


def apply() -> None:
    if getattr(DialogueStateTracker.copy, "kept", False):
        return
    original_copy = DialogueStateTracker.copy
    original_applied_events = DialogueStateTracker.applied_events

    def copy_from_kept_replay(self: DialogueStateTracker) -> DialogueStateTracker:
        if not _concerned(self):
            return original_copy(self)
        replay = self.__dict__.get(_REPLAY)
        if replay is None or not replay.continues(self.events):
            replay = self.__dict__[_REPLAY] = _Replay(self)
        return replay.copy_after(self.events)

    def kept_applied_events(self: DialogueStateTracker) -> List[Any]:
        if not _concerned(self):
            return original_applied_events(self)
        kept = self.__dict__.get(_APPLIED)
        if kept is None or not kept.continues(self.events):
            kept = self.__dict__[_APPLIED] = _AppliedEvents()
        return kept.after(self)

    copy_from_kept_replay.kept = True
    copy_from_kept_replay.original = original_copy
    kept_applied_events.original = original_applied_events
    DialogueStateTracker.copy = copy_from_kept_replay
    DialogueStateTracker.applied_events = kept_applied_events


def _concerned(tracker: Any) -> bool:
    return type(tracker) is DialogueStateTracker and tracker.events.maxlen is None


def _continues(done: Any, events: deque) -> bool:
    """Whether `done` (events handled so far) are still the first of `events`."""
    return len(events) >= len(done) and all(map(is_, done, events))


class _Replay:
    """The conversation's events replayed on a fresh tracker, as Rasa's `copy` replays them."""

    def __init__(self, tracker: Any) -> None:
        self._tracker = tracker.init_copy()  # its events are those replayed so far

    def continues(self, events: deque) -> bool:
        return _continues(self._tracker.events, events)

    def copy_after(self, events: deque) -> Any:
        for event in islice(events, len(self._tracker.events), None):
            self._tracker.update(event)
        return _field_copy(self._tracker)


def _field_copy(replayed: Any) -> Any:
    """A tracker in the state of `replayed` that shares nothing either may change."""
    duplicate = object.__new__(type(replayed))
    # Only a tracker's own fields: what this module or others keep with a tracker stays with it.
    fields = {name: value for name, value in replayed.__dict__.items()
              if name in _tracker_fields(type(replayed))}
    fields["events"] = deque(replayed.events)
    fields["slots"] = {name: copy.copy(slot) for name, slot in replayed.slots.items()}
    if replayed.latest_action is not None:
        fields["latest_action"] = dict(replayed.latest_action)
    fields["active_loop"] = copy.copy(replayed.active_loop)
    duplicate.__dict__.update(fields)
    return duplicate


@functools.lru_cache(maxsize=None)
def _tracker_fields(tracker_type: type) -> FrozenSet[str]:
    return frozenset(vars(tracker_type("fields", [])))


class _AppliedEvents:
    """Rasa's `applied_events` fold, kept and continued (same helpers, same order)."""

    def __init__(self) -> None:
        self._done: List[Any] = []
        self._loop_names: Set[str] = set()
        self._applied: List[Any] = []

    def continues(self, events: deque) -> bool:
        return _continues(self._done, events)

    def after(self, tracker: Any) -> List[Any]:
        new = list(islice(tracker.events, len(self._done), None))
        loop_names = self._loop_names | _loop_names(new)
        if loop_names != self._loop_names:
            # Rasa folds with the names of every form in the conversation: start again.
            new = list(tracker.events)
            self.__init__()
            self._loop_names = loop_names
        for event in new:
            self._fold(tracker, event)
            self._done.append(event)
        return list(self._applied)

    def _fold(self, tracker: Any, event: Any) -> None:
        applied = self._applied
        if isinstance(event, (Restarted, SessionStarted)):
            applied.clear()
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (isinstance(event, ActionExecuted) and event.action_name in self._loop_names
              and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)


def _loop_names(events: List[Any]) -> Set[Optional[str]]:
    return {event.name for event in events if isinstance(event, ActiveLoop) and event.name}
