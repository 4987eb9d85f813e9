"""Messages that arrive together are parsed in one run of the NLU graph.

Under load, requests pile up while the event loop parses one message; Rasa gave each its own
run of the whole NLU graph. A run over a list costs about half as much per message from five
messages on (README, "Measured"): every component works through the list with its code and data
still warm, and DIET and the ResponseSelector predict the list in one TensorFlow call
(bot/rasa_speedups.py). A patient alone is parsed at once, as before.

Rasa 3.6.21 (pinned) is patched in two places: `MessageProcessor.parse_message` waits for the
message's batch, and `_parse_message_with_graph` takes the batch's result instead of running the
graph again. Everything else in parsing stays Rasa's.
"""

import asyncio
import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import (ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY,
                                       TEXT)
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_speedups import execution_order

logger = logging.getLogger(__name__)

# A batch blocks the event loop while it runs (about 4 ms a message): a cap keeps other work,
# such as answering the messages already parsed, from waiting behind a long one.
MAX_BATCH = 16


class NluBatcher:
    """Collects the messages of one processor that wait for parsing, and parses them together.

    A batch runs on the event loop's next turn after its first message arrived; the messages
    whose handling reaches parsing on this turn join it. Waiting longer, until every message
    being handled had reached parsing (or 20 ms), made larger batches but no faster answers
    (README, "Measured").
    """

    def __init__(self, processor: Any) -> None:
        self._processor = processor
        self._waiting: List[Tuple[UserMessage, DialogueStateTracker, asyncio.Future]] = []

    async def parse(self, message: UserMessage, tracker: DialogueStateTracker) -> Message:
        loop = asyncio.get_running_loop()
        if not self._waiting:
            loop.call_soon(self._run_waiting)
        future = loop.create_future()
        self._waiting.append((message, tracker, future))
        return await future

    def _run_waiting(self) -> None:
        batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
        if self._waiting:
            asyncio.get_running_loop().call_soon(self._run_waiting)
        batch = [entry for entry in batch if not entry[2].done()]  # a request given up on
        if not batch:
            return
        logger.debug("Parsing %d message(s) in one run of the NLU graph.", len(batch))
        try:
            parsed = run_nlu_graph(self._processor, [message for message, _, _ in batch],
                                   batch[0][1])
            if len(parsed) != len(batch):
                raise RuntimeError(f"{len(batch)} messages in, {len(parsed)} parsed out")
        except Exception as error:
            if len(batch) == 1:
                batch[0][2].set_exception(error)
            else:  # each on its own: a message that breaks the graph fails only its request
                for entry in batch:
                    self._run_alone(*entry)
            return
        for (_, _, future), result in zip(batch, parsed):
            future.set_result(result)

    def _run_alone(self, message: UserMessage, tracker: DialogueStateTracker,
                   future: asyncio.Future) -> None:
        try:
            future.set_result(run_nlu_graph(self._processor, [message], tracker)[0])
        except Exception as error:
            future.set_exception(error)


def run_nlu_graph(processor: Any, messages: List[UserMessage],
                  tracker: DialogueStateTracker) -> List[Message]:
    """The NLU graph's parsed messages, one per message, in order (as Rasa's own run)."""
    target = processor.model_metadata.nlu_target
    results = processor.graph_runner.run(
        inputs={PLACEHOLDER_MESSAGE: messages, PLACEHOLDER_TRACKER: tracker}, targets=[target])
    return results[target]


def batcher_for(processor: Any) -> Optional[NluBatcher]:
    """The processor's batcher, or None where batching could change a result: an NLU server
    parses instead of the graph, or a node of the NLU graph reads the conversation (the
    tracker), which is one conversation's, not a batch's."""
    if "_nlu_batcher" not in processor.__dict__:
        batcher = None
        if not processor.http_interpreter:
            schema = processor.graph_runner._graph_schema
            nodes = execution_order(schema, [processor.model_metadata.nlu_target])
            if not any(PLACEHOLDER_TRACKER in needs for _, needs in nodes):
                batcher = NluBatcher(processor)
        processor._nlu_batcher = batcher
    return processor._nlu_batcher


def apply() -> None:
    """Patches Rasa's MessageProcessor (idempotent)."""
    from rasa.core.processor import MessageProcessor

    if getattr(MessageProcessor.parse_message, "batched", False):
        return
    parse_message = MessageProcessor.parse_message
    parse_message_with_graph = MessageProcessor._parse_message_with_graph

    async def batched_parse_message(self, message, tracker=None, only_output_properties=True):
        batcher = batcher_for(self)
        if batcher is not None:
            graph_tracker = tracker or DialogueStateTracker.from_events(message.sender_id, [])
            parsed = await batcher.parse(message, graph_tracker)
            self.__dict__.setdefault("_batch_results", {})[id(message)] = parsed
        # Rasa's own steps; they reach `_parse_message_with_graph` below without waiting.
        return await parse_message(self, message, tracker, only_output_properties)

    def parse_message_with_batch_result(self, message, tracker, only_output_properties=True):
        parsed = self.__dict__.get("_batch_results", {}).pop(id(message), None)
        if parsed is None:
            return parse_message_with_graph(self, message, tracker, only_output_properties)
        return parse_data(parsed, only_output_properties)

    batched_parse_message.batched = True
    MessageProcessor.parse_message = batched_parse_message
    MessageProcessor._parse_message_with_graph = parse_message_with_batch_result


def parse_data(parsed: Message, only_output_properties: bool = True) -> Dict[Text, Any]:
    """A parsed message as the parse result, as Rasa's `_parse_message_with_graph` builds it."""
    data: Dict[Text, Any] = {
        TEXT: "",
        INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
        ENTITIES: [],
    }
    data.update(parsed.as_dict(only_output_properties=only_output_properties))
    return data
