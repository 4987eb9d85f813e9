"""Noticing a replaced model file, and reload errors (bot/model_reload.py); the reload itself is
tested against a running assistant in test_model_update.py."""

import os

import pytest

from bot.model_reload import ModelFileWatcher, ReloadError, reload_model
from tests.assistant import free_port


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_replaced_model_is_noticed_once_after_it_settles(tmp_path):
    model, clock = tmp_path / "assistant.tar.gz", Clock()
    model.write_bytes(b"old")
    watcher = ModelFileWatcher(model, settle=2.0, clock=clock)
    assert not watcher.replaced()

    (tmp_path / "candidate.tar.gz").write_bytes(b"new model")
    os.replace(tmp_path / "candidate.tar.gz", model)
    assert not watcher.replaced()  # just changed: maybe still being written
    clock.now = 1.0
    assert not watcher.replaced()
    clock.now = 2.5
    assert watcher.replaced()
    clock.now = 10.0
    assert not watcher.replaced()


def test_a_file_still_being_written_waits_until_it_stops_changing(tmp_path):
    model, clock = tmp_path / "assistant.tar.gz", Clock()
    model.write_bytes(b"a")
    watcher = ModelFileWatcher(model, settle=2.0, clock=clock)
    for second in range(1, 5):
        clock.now = float(second)
        with model.open("ab") as growing:
            growing.write(b"more")
        assert not watcher.replaced()
    clock.now = 7.0
    assert watcher.replaced()


def test_a_missing_model_file_is_not_a_replacement(tmp_path):
    clock = Clock()
    watcher = ModelFileWatcher(tmp_path / "none.tar.gz", clock=clock)
    clock.now = 100.0
    assert not watcher.replaced()


def test_an_unreachable_server_is_a_reload_error(tmp_path):
    with pytest.raises(ReloadError, match="could not be reached"):
        reload_model(f"http://127.0.0.1:{free_port()}", "token", tmp_path / "m.tar.gz", timeout=5)
