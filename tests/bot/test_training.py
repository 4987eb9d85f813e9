"""What a change retrains (bot/training.py): answer wording nothing, training examples the classifiers."""

import os
import shutil
from pathlib import Path

import pytest

from bot.training import AnswerWordingFreeImporter, retrained_parts, train

# How retrained_parts names the NLU side's parts: what must not retrain after an answer edit.
CLASSIFIERS = tuple(f"({name})" for name in (
    "DIETClassifier", "ResponseSelector", "BlendedIntentClassifier", "CountVectorsFeaturizer",
    "RegexFeaturizer", "LanguageDetectorComponent"))


@pytest.fixture(scope="module")
def cache_holds_the_project(trained_model, tmp_path_factory):
    """Rasa's cache holds this project's training (the session's, unless TEST_MODEL skipped it)."""
    if os.environ.get("TEST_MODEL"):
        assert train(output=tmp_path_factory.mktemp("warm") / "assistant.tar.gz").code == 0


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the files a training reads, to edit."""
    for name in ("domain.yml", "config.yml"):
        shutil.copy(name, tmp_path / name)
    shutil.copytree("data", tmp_path / "data")
    return tmp_path


def dry_run(project: Path):
    return train(project / "domain.yml", project / "config.yml", project / "data",
                 project / "assistant.tar.gz", dry_run=True)


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} should occur once in {path}"
    path.write_text(text.replace(old, new))


def test_unchanged_project_retrains_no_classifier(cache_holds_the_project, project):
    parts = retrained_parts(dry_run(project))
    assert not [p for p in parts if p.endswith(CLASSIFIERS)], parts


def test_answer_text_edit_retrains_no_classifier(cache_holds_the_project, project):
    answers = project / "data/responses/faq.yml"
    answers.write_text(answers.read_text().replace("Results vary from person to person.",
                                                   "Results differ from one person to another."))
    replace_once(answers, "Los resultados\n      varían en cada persona.",
                 "Los resultados\n      cambian de una persona a otra.")

    parts = retrained_parts(dry_run(project))

    assert not [p for p in parts if p.endswith(CLASSIFIERS)], parts


def test_new_training_example_retrains_the_classifiers(cache_holds_the_project, project):
    replace_once(project / "data/nlu/en/faq.yml", "    - can u explain how ketamine works\n",
                 "    - can u explain how ketamine works\n    - how does this ketamine thing work\n")

    parts = retrained_parts(dry_run(project))

    assert "intent classifier (DIETClassifier)" in parts
    assert "FAQ topic selector (ResponseSelector)" in parts
    assert "second-opinion intent classifier (BlendedIntentClassifier)" in parts


def test_nlu_data_names_the_answers_and_the_domain_keeps_their_texts():
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = AnswerWordingFreeImporter(
        TrainingDataImporter.load_from_config("config.yml", "domain.yml", ["data"]))
    nlu = importer.get_nlu_data("en")
    cost_examples = [m for m in nlu.training_examples
                     if m.get("intent_response_key") == "faq/cost"]

    assert cost_examples and {m.get("response") for m in cost_examples} == {"utter_faq/cost"}
    assert nlu.responses["utter_faq/cost"] == [{"text": "utter_faq/cost"}]
    assert "pricing" in importer.get_domain().responses["utter_faq/cost"][0]["text"]
