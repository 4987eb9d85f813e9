"""A few messages are handled at a time, the rest in arrival order (bot/message_admission.py)."""

import asyncio

import pytest
from rasa.core.channels import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor

from bot import message_admission
from bot.message_admission import concurrency_from_environment


def test_the_limit_comes_from_the_environment_with_a_clear_error_when_wrong():
    assert concurrency_from_environment({}) == message_admission.DEFAULT_CONCURRENCY
    assert concurrency_from_environment({"MESSAGE_CONCURRENCY": " 4 "}) == 4
    assert concurrency_from_environment({"MESSAGE_CONCURRENCY": "0"}) == 0
    for wrong in ["four", "-1", "2.5"]:
        with pytest.raises(ValueError, match="MESSAGE_CONCURRENCY must be a whole number"):
            concurrency_from_environment({"MESSAGE_CONCURRENCY": wrong})


def test_the_assistant_handles_two_patients_messages_at_a_time_in_arrival_order(agent, run,
                                                                               monkeypatch):
    inside, most, started = [], [], []
    handle_message = MessageProcessor.handle_message

    async def observed(self, message):
        started.append(message.sender_id)
        inside.append(message.sender_id)
        most.append(len(inside))
        try:
            return await handle_message(self, message)
        finally:
            inside.remove(message.sender_id)

    monkeypatch.setattr(MessageProcessor, "handle_message", observed)
    message_admission.apply(concurrency=2)  # undone with the monkeypatch
    assert MessageProcessor.handle_message is not observed

    texts = ["¿Qué es la ketamina?", "What are the side effects?", "¿Está aprobada por la FDA?",
             "how long does an infusion take", "¿Cuánto cuesta?", "who is the doctor"]
    outputs = [CollectingOutputChannel() for _ in texts]
    senders = [f"admission-{i}" for i in range(len(texts))]

    async def together():
        await asyncio.gather(*(agent.handle_message(UserMessage(text, output, sender_id=sender))
                               for text, output, sender in zip(texts, outputs, senders)))

    run(asyncio.wait_for(together(), timeout=120))
    assert max(most) == 2
    assert started == senders
    assert all(output.messages for output in outputs)


def test_a_limit_of_zero_leaves_rasa_as_it_is(monkeypatch):
    original = MessageProcessor.handle_message
    monkeypatch.setattr(MessageProcessor, "handle_message", original)
    message_admission.apply(concurrency=0)
    assert MessageProcessor.handle_message is original
