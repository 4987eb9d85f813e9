"""Rasa policy that puts safety replies before everything else, and ends a session's first turn
with the disclaimer.

Rules cannot do this alone: inside a form, Rasa's RulePolicy hands every message to the form
first ("loop happy path"), so a patient in crisis would be asked for their phone number. This
policy's predictions are made with the same "no user input needed" standing and a higher
priority, so they win even there:
- a message with a safety intent gets its reply sequence (`replies`) at once;
- for the intents in `end_active_loop`, an active form is then closed (the patient is not
  asked for their name after telling us they are in danger); for the others the form resumes;
- the first answer of each session ends with `disclaimer`, unless a crisis or emergency reply
  (which carries the same 911 advice) came first; fallback answers wait for the next answer,
  so the rules that follow them still see them last.
Nothing to train: it reads the conversation, so it needs no stories.
"""

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import (
    ACTION_DEACTIVATE_LOOP_NAME,
    ACTION_LISTEN_NAME,
    ACTION_SESSION_START_NAME,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import InvalidConfigException


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class SafetyPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Above RulePolicy (4): a tie at confidence 1.0 goes to the higher priority.
            "priority": 6,
            # Safety intent → the actions that answer it, in order.
            "replies": {
                "crisis": ["utter_crisis", "action_record_safety_flag"],
                "medical_emergency": ["utter_medical_emergency", "action_record_safety_flag"],
                "medical_advice": ["utter_medical_advice"],
            },
            # Safety intents after which an active form is closed rather than resumed.
            "end_active_loop": ["crisis", "medical_emergency"],
            # Said once per session, after the first answer; null switches it off.
            "disclaimer": "utter_disclaimer",
            # Not after these: rules that follow them ("a second miss offers staff") must see
            # them right before the patient's next message, and a patient writing a third
            # language gets the disclaimer once they write English or Spanish.
            "disclaimer_not_after": [
                "utter_fallback_topics", "utter_fallback_staff", "utter_other_language"],
            # Actions that say nothing (bookkeeping before an answer): they are not the turn's
            # answer, so the disclaimer does not come between them and the answer.
            "silent_actions": ["action_note_unanswered"],
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Optional[Any] = None,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self._replies: Dict[Text, List[Text]] = config["replies"]
        self._end_active_loop = set(config["end_active_loop"])
        self._disclaimer: Optional[Text] = config["disclaimer"]
        self._not_after = set(config["disclaimer_not_after"])
        self._silent = set(config["silent_actions"])
        # The replies that already carry the 911 advice.
        self._urgent_replies = {self._replies[intent][0] for intent in self._end_active_loop}
        unknown = self._end_active_loop - set(self._replies)
        if unknown:
            raise InvalidConfigException(
                f"SafetyPolicy: 'end_active_loop' names {sorted(unknown)}, which 'replies' does "
                "not answer; add them to 'replies' or remove them."
            )

    def train(
        self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        action = self._next_action(tracker)
        if action is None or action not in domain.action_names_or_texts:
            return self._prediction(self._default_predictions(domain))
        probabilities = self._default_predictions(domain)
        probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, is_no_user_prediction=True)

    def _next_action(self, tracker: DialogueStateTracker) -> Optional[Text]:
        turn = _actions_since_last_user_message(tracker)
        if turn is None:  # the bot speaks first: nothing of ours to say
            return None
        if self._disclaimer and turn and turn[-1] == self._disclaimer:
            return ACTION_LISTEN_NAME
        intent = tracker.latest_message.intent.get("name")
        replies = self._replies.get(intent)
        if replies and turn[: len(replies)] == replies[: len(turn)]:
            return self._continue_reply(tracker, intent, replies, turn)
        if self._turn_complete(tracker, turn) and self._disclaimer_due(tracker):
            return self._disclaimer
        return None

    def _turn_complete(self, tracker: DialogueStateTracker, turn: List[Text]) -> bool:
        """Whether the answer so far ends the turn (a form's question, or a one-step answer)."""
        answer = [action for action in turn if action not in self._silent]
        if not self._disclaimer or not answer or answer[-1] in self._not_after:
            return False
        if tracker.active_loop_name:
            return answer[-1] == tracker.active_loop_name
        return len(answer) == 1 and answer[0] != ACTION_DEACTIVATE_LOOP_NAME

    def _continue_reply(
        self, tracker: DialogueStateTracker, intent: Text, replies: List[Text], turn: List[Text]
    ) -> Optional[Text]:
        if len(turn) < len(replies):
            return replies[len(turn)]
        ends_loop = intent in self._end_active_loop
        if len(turn) == len(replies):
            if tracker.active_loop_name:
                return ACTION_DEACTIVATE_LOOP_NAME if ends_loop else None
            if self._disclaimer and not ends_loop and self._disclaimer_due(tracker):
                return self._disclaimer
            return ACTION_LISTEN_NAME
        if ends_loop and turn[len(replies):] == [ACTION_DEACTIVATE_LOOP_NAME]:
            return ACTION_LISTEN_NAME
        return None

    def _disclaimer_due(self, tracker: DialogueStateTracker) -> bool:
        """Not yet said in this session, nor a crisis or emergency reply (they say 911)."""
        for event in reversed(tracker.events):
            if isinstance(event, SessionStarted):
                return True
            if isinstance(event, ActionExecuted) and (
                event.action_name == self._disclaimer or event.action_name in self._urgent_replies
            ):
                return False
        return True


def _actions_since_last_user_message(tracker: DialogueStateTracker) -> Optional[List[Text]]:
    actions: List[Text] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return list(reversed(actions))
        if isinstance(event, ActionExecuted):
            if event.action_name in (ACTION_SESSION_START_NAME,):
                return None
            if event.action_name != ACTION_LISTEN_NAME:
                actions.append(event.action_name)
    return None
