"""Messages that arrive together are parsed in one run of the NLU graph (bot/nlu_batching.py),
each with the result it gets alone."""

import asyncio
from types import SimpleNamespace

import pytest
from rasa.core.channels import CollectingOutputChannel, UserMessage
from rasa.shared.core.trackers import DialogueStateTracker

from bot import nlu_batching
from bot.nlu_evaluation import held_out_examples


@pytest.fixture
def graph_runs(monkeypatch):
    """The number of messages in each run of the NLU graph (the real runs, counted)."""
    sizes = []
    real = nlu_batching.run_nlu_graph

    def counted(processor, messages, tracker):
        sizes.append(len(messages))
        return real(processor, messages, tracker)

    monkeypatch.setattr(nlu_batching, "run_nlu_graph", counted)
    return sizes


def _without_id(parse_data):
    return {key: value for key, value in parse_data.items() if key != "message_id"}


def test_messages_arriving_together_are_parsed_in_one_run_with_their_own_results(agent, run,
                                                                                 graph_runs):
    texts = [e.text for e in held_out_examples()][::40]
    alone = [_without_id(run(agent.parse_message(text))) for text in texts]
    assert graph_runs == [1] * len(texts)

    async def together():
        return await asyncio.gather(*(agent.parse_message(text) for text in texts))

    graph_runs.clear()
    assert [_without_id(parsed) for parsed in run(together())] == alone
    assert graph_runs == [len(texts)]


def test_more_messages_than_a_batch_holds_wait_for_the_next_run(agent, run, graph_runs):
    texts = [e.text for e in held_out_examples()][: nlu_batching.MAX_BATCH + 3]

    async def together():
        return await asyncio.gather(*(agent.parse_message(text) for text in texts))

    assert [parsed["text"] for parsed in run(together())] == texts
    assert graph_runs == [nlu_batching.MAX_BATCH, 3]


def test_a_message_that_breaks_the_graph_fails_only_its_own_parse(agent, run):
    # A message without text breaks Rasa's RegexMessageHandler (the guard in
    # bot/language_component.py keeps it from the graph); here it goes to the batcher directly.
    batcher = nlu_batching.batcher_for(agent.processor)
    tracker = DialogueStateTracker.from_events("breaks-the-graph", [])

    async def together():
        return await asyncio.gather(batcher.parse(UserMessage(None), tracker),
                                    batcher.parse(UserMessage("hola, buenos días"), tracker),
                                    return_exceptions=True)

    broken, fine = run(together())
    assert isinstance(broken, Exception)
    assert fine.get("intent")["name"] == "greet"


def test_a_patient_alone_is_answered_through_a_batch_of_one(agent, run, graph_runs):
    output = CollectingOutputChannel()
    message = UserMessage("¿Qué es la ketamina?", output, sender_id="alone-in-the-clinic")
    run(asyncio.wait_for(agent.handle_message(message), timeout=60))
    assert output.messages and graph_runs == [1]


def _processor(needs_of_nodes, http_interpreter=None):
    nodes = {name: SimpleNamespace(needs=needs) for name, needs in needs_of_nodes.items()}
    return SimpleNamespace(http_interpreter=http_interpreter,
                           graph_runner=SimpleNamespace(_graph_schema=SimpleNamespace(nodes=nodes)),
                           model_metadata=SimpleNamespace(nlu_target="intent"))


def test_no_batching_where_parsing_reads_the_conversation_or_another_server_parses():
    reads_nothing = {"tokens": {"messages": "__message__"}, "intent": {"messages": "tokens"}}
    reads_tracker = {"tokens": {"messages": "__message__", "tracker": "__tracker__"},
                     "intent": {"messages": "tokens"}}
    assert nlu_batching.batcher_for(_processor(reads_nothing)) is not None
    assert nlu_batching.batcher_for(_processor(reads_tracker)) is None
    assert nlu_batching.batcher_for(_processor(reads_nothing, http_interpreter=object())) is None
