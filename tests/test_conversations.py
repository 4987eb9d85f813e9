"""Rasa test stories (tests/stories/): every FAQ in both languages, fallback, switching language."""

from pathlib import Path

import pytest

STORIES = sorted(Path(__file__).parent.joinpath("stories").glob("test_*.yml"))


@pytest.mark.parametrize("stories", STORIES, ids=lambda path: path.stem)
def test_stories_pass(agent, run, tmp_path, stories):
    from rasa.core.test import test

    result = run(test(str(stories), agent, out_directory=str(tmp_path), disable_plotting=True))
    failed = (tmp_path / "failed_test_stories.yml").read_text()
    assert result["report"]["conversation_accuracy"]["accuracy"] == 1.0, failed
