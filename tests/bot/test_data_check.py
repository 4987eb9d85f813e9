"""The staff data check (bot/data_check.py) on the repository and on copies broken one way each."""

import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from bot.channels import sms_text
from bot.data_check import (Finding, check, defined_responses, load_project, parse_rasa_output,
                            topic_blocks, used_beyond_rules, without_false_alarms)

ROOT = Path(__file__).resolve().parents[2]
SPANISH_GOODBYE = ("  - condition: [{type: slot, name: language, value: es}]\n"
                   "    text: ¡Cuídese! Puede volver cuando quiera si tiene más preguntas.\n")
PROMO = ("  utter_promo:\n  - text: Ask us about our spring offer!\n"
         "  - condition: [{type: slot, name: language, value: es}]\n"
         "    text: ¡Pregúntenos por la oferta de primavera!\n")
NOT_USED = "is not used in any story or rule"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of what the check reads: domain.yml, config.yml, data/ and the test stories."""
    for name in ("domain.yml", "config.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "tests" / "stories", tmp_path / "tests" / "stories")
    return tmp_path


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, text: str, after: int = 0) -> int:
    """The 1-based number of the first line after line `after` that contains text."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if n > after and text in line)


def topic_block(path: Path, topic: str) -> List[str]:
    """The lines of `- intent: topic` and its examples, up to the next entry."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- intent: {topic}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("- ")), len(lines))
    return lines[start:end]


def add_example(path: Path, topic: str, example: str) -> None:
    head = "".join(topic_block(path, topic)[:2])  # "- intent:" and "examples: |"
    replace_once(path, head, f"{head}    - {example}\n")


def keep_examples(path: Path, topic: str, count: int) -> None:
    block = topic_block(path, topic)
    replace_once(path, "".join(block), "".join(block[:2 + count]))


def errors(findings: List[Finding]) -> List[Finding]:
    return [f for f in findings if f.severity == "error"]


def only_finding(findings: List[Finding]) -> Finding:
    assert len(findings) == 1, "\n".join(map(str, findings))
    return findings[0]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.data_check", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def test_the_repository_data_passes_with_exit_code_0():
    done = run_cli("--no-rasa")
    assert done.returncode == 0, done.stdout + done.stderr
    assert ": error:" not in done.stdout
    assert done.stdout.splitlines()[-1].startswith(("All good:", "0 errors"))


def test_a_broken_copy_exits_1_with_one_line_per_finding_and_a_summary(project):
    domain = project / "domain.yml"
    replace_once(domain, SPANISH_GOODBYE, "")
    done = run_cli("--root", str(project), "--no-rasa")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"domain.yml:{line_of(domain, 'utter_goodbye:')}: error: The Spanish answer for "
        f"\"goodbye\" (utter_goodbye) is missing: add a Spanish version after the English one, "
        f"starting with \"- condition: [{{type: slot, name: language, value: es}}]\".",
        "1 error, 0 warnings. Fix the errors, then run this check again."]


def test_a_folder_without_domain_is_an_error(tmp_path):
    finding = errors(check(tmp_path, run_rasa=False))[0]
    assert finding.file == "domain.yml" and "--root" in finding.message


def test_invalid_yaml_is_reported_with_its_line_and_the_file_skipped_without_more_findings(
        project):
    nlu = project / "data/nlu/es/faq.yml"
    second_example = topic_block(nlu, "faq/cost")[3]
    replace_once(nlu, second_example, second_example[1:])  # one space too few
    finding = only_finding(check(project, run_rasa=False))
    assert (finding.severity, finding.file) == ("error", "data/nlu/es/faq.yml")
    assert finding.line == line_of(nlu, second_example[1:].rstrip())
    assert f"not valid YAML near line {finding.line}: check the indentation" in finding.message


def test_invalid_yaml_skips_rasa_and_says_so(project):
    nlu = project / "data/nlu/es/faq.yml"
    second_example = topic_block(nlu, "faq/cost")[3]
    replace_once(nlu, second_example, second_example[1:])
    findings = check(project)  # would take Rasa's time if it ran
    assert [f.severity for f in findings] == ["error", "warning"]
    assert "was skipped" in findings[1].message


def test_a_name_written_twice_is_explained(project):
    domain = project / "domain.yml"
    replace_once(domain, "  utter_goodbye:\n",
                 "  utter_goodbye:\n  - text: Bye\n  utter_goodbye:\n")
    finding = only_finding(check(project, run_rasa=False))
    assert finding.file == "domain.yml"
    first = line_of(domain, "utter_goodbye:")
    assert finding.line == line_of(domain, "utter_goodbye:", after=first)
    assert '"utter_goodbye" is written twice' in finding.message


def test_a_tab_is_explained(project):
    rules = project / "data/rules/conversation.yml"
    replace_once(rules, "  - action: utter_goodbye\n", "\t- action: utter_goodbye\n")
    finding = only_finding(check(project, run_rasa=False))
    assert (finding.file, finding.line) == ("data/rules/conversation.yml", line_of(rules, "\t"))
    assert "it is indented with a tab; use spaces instead" in finding.message


def test_spanish_answer_missing_is_an_error_with_its_line(project):
    domain = project / "domain.yml"
    replace_once(domain, SPANISH_GOODBYE, "")
    finding = only_finding(check(project, run_rasa=False))
    assert (finding.severity, finding.file) == ("error", "domain.yml")
    assert finding.line == line_of(domain, "  utter_goodbye:")
    assert finding.message.startswith(
        'The Spanish answer for "goodbye" (utter_goodbye) is missing')


def test_english_answer_missing_is_an_error(project):
    responses = project / "data/responses/safety.yml"
    english = "".join(line for line in responses.read_text(encoding="utf-8").splitlines(True)
                      if "Please note:" in line or "emergency, call 911." in line)
    replace_once(responses, f"  utter_disclaimer:\n  - text: >-\n{english}",
                 "  utter_disclaimer:\n")
    finding = only_finding(check(project, run_rasa=False))
    assert (finding.file, finding.line) == ("data/responses/safety.yml",
                                            line_of(responses, "utter_disclaimer:"))
    assert finding.message.startswith(
        'The English answer for "disclaimer" (utter_disclaimer) is missing')


def test_english_sms_version_without_a_spanish_one_is_an_error(project):
    domain = project / "domain.yml"
    replace_once(domain, "  utter_goodbye:\n",
                 "  utter_goodbye:\n  - channel: sms\n    text: Bye!\n")
    finding = only_finding(check(project, run_rasa=False))
    assert (finding.severity, finding.file) == ("error", "domain.yml")
    assert finding.line == line_of(domain, "  utter_goodbye:")
    assert "has an English version for SMS but no Spanish one" in finding.message


def test_a_spanish_sms_version_alone_is_fine(project):
    replace_once(project / "domain.yml", "  utter_goodbye:\n",
                 "  utter_goodbye:\n  - channel: sms\n"
                 "    condition: [{type: slot, name: language, value: es}]\n    text: ¡Adiós!\n")
    assert check(project, run_rasa=False) == []


def test_topic_without_spanish_examples_is_an_error_at_the_english_ones(project):
    for name in ("faq.yml", "safety_lookalikes.yml"):
        nlu = project / "data/nlu/es" / name
        replace_once(nlu, "".join(topic_block(nlu, "faq/side_effects")), "")
    finding = only_finding(check(project, run_rasa=False))
    assert (finding.severity, finding.file) == ("error", "data/nlu/en/faq.yml")
    assert finding.line == line_of(project / "data/nlu/en/faq.yml", "- intent: faq/side_effects")
    assert finding.message.startswith(
        'The Spanish examples for the topic "side effects" (faq/side_effects) are missing')
    assert "data/nlu/es/faq.yml" in finding.message


def test_fewer_than_10_examples_in_one_language_is_an_error(project):
    booking = project / "data/nlu/es/booking.yml"
    keep_examples(booking, "cancel", 6)
    finding = only_finding(check(project, run_rasa=False))
    assert (finding.severity, finding.file) == ("error", "data/nlu/es/booking.yml")
    assert finding.line == line_of(booking, "- intent: cancel")
    assert 'topic "cancel" (cancel) has only 6 Spanish examples' in finding.message


def test_fewer_than_30_examples_in_one_language_is_a_warning(project):
    keep_examples(project / "data/nlu/en/booking.yml", "cancel", 20)
    finding = only_finding(check(project, run_rasa=False))
    assert (finding.severity, finding.file) == ("warning", "data/nlu/en/booking.yml")
    assert "20 English examples" in finding.message


def test_examples_in_neither_language_need_no_pair_but_are_counted(project):
    other = project / "data/nlu/other_language.yml"
    keep_examples(other, "other_language", 8)
    finding = only_finding(check(project, run_rasa=False))
    assert (finding.severity, finding.file) == ("error", "data/nlu/other_language.yml")
    assert finding.line == line_of(other, "- intent: other_language")
    assert "only 8 examples" in finding.message and "Spanish" not in finding.message


def test_the_same_example_under_two_topics_is_reported_at_both_places(project):
    en = project / "data/nlu/en/faq.yml"
    add_example(en, "faq/cost", "How does  Kétamine work?!")
    finding = only_finding(check(project, run_rasa=False))
    original = line_of(en, "    - how does ketamine work")
    assert (finding.severity, finding.file, finding.line) == ("error", "data/nlu/en/faq.yml",
                                                              original)
    assert f"data/nlu/en/faq.yml:{line_of(en, 'Kétamine')}" in finding.message
    assert '"how it works" (faq/how_it_works) here' in finding.message
    assert '"cost" (faq/cost) in' in finding.message


def test_the_same_example_in_both_language_folders_under_two_topics_is_reported(project):
    es = project / "data/nlu/es/faq.yml"
    add_example(es, "faq/cost", "how does ketamine work")
    finding = only_finding(check(project, run_rasa=False))
    assert finding.file == "data/nlu/en/faq.yml"
    assert f"data/nlu/es/faq.yml:{line_of(es, 'how does ketamine work')}" in finding.message


def test_an_answer_too_long_for_sms_without_an_sms_version_is_an_error(project):
    domain = project / "domain.yml"
    long = "Take care!" + " You can come back any time with more questions." * 10
    replace_once(domain, "  - text: Take care! You can come back any time with more questions.\n",
                 f"  - text: {long}\n")
    finding = only_finding(check(project, run_rasa=False))
    assert (finding.severity, finding.file) == ("error", "domain.yml")
    assert finding.line == line_of(domain, "  - text: Take care!")
    assert finding.message.startswith(
        'The English answer "goodbye" (utter_goodbye) needs 4 text messages')
    assert '"channel: sms"' in finding.message


def test_buttons_count_towards_the_sms_length(project):
    domain = project / "domain.yml"
    text = ("¡Hola! Soy el asistente virtual de la clínica y respondo preguntas generales sobre la "
            "terapia de infusión de ketamina. ¿Sobre qué tema quiere saber?")
    assert sms_text.segments(text) <= 3  # alone it fits; with the 8 numbered topics it does not
    replace_once(domain, "    text: ¡Hola! Soy el asistente de la clínica. "
                         "¿Sobre qué tema quiere saber?\n", f"    text: {text}\n")
    finding = only_finding(check(project, run_rasa=False))
    assert (finding.severity, finding.file) == ("error", "domain.yml")
    assert finding.line == line_of(domain, "    channel: sms") - 1  # its "- condition:" line
    assert finding.message.startswith(
        'The Spanish SMS version of "greet" (utter_greet) needs 4 text messages with its buttons')
    assert "shorten the text or the button titles" in finding.message


def test_a_response_used_in_a_rule_but_not_defined_is_an_error_with_its_line(project):
    rules = project / "data/rules/conversation.yml"
    replace_once(rules, "  - action: utter_goodbye\n", "  - action: utter_good_bye\n")
    finding = only_finding(errors(check(project, run_rasa=False)))
    assert (finding.file, finding.line) == ("data/rules/conversation.yml",
                                            line_of(rules, "utter_good_bye"))
    assert finding.message.startswith(
        'This rule uses the answer "utter_good_bye", which is not defined')


def test_a_test_story_using_an_undefined_response_is_an_error(project):
    stories = project / "tests/stories/test_conversation.yml"
    text = stories.read_text(encoding="utf-8")
    stories.write_text(text.replace("action: utter_goodbye", "action: utter_farewell", 1),
                       encoding="utf-8")
    finding = only_finding(errors(check(project, run_rasa=False)))
    assert (finding.file, finding.line) == ("tests/stories/test_conversation.yml",
                                            line_of(stories, "utter_farewell"))
    assert finding.message.startswith('This test story uses the answer "utter_farewell"')


def test_responses_named_in_domain_actions_and_action_code_must_be_defined(project):
    replace_once(project / "domain.yml", "actions:\n", "actions:\n- utter_promo\n")
    (project / "actions").mkdir()
    (project / "actions/promo.py").write_text(
        'def run(dispatcher, topic):\n'
        '    dispatcher.utter_message(response="utter_coupon")\n'
        '    dispatcher.utter_message(response=f"utter_more_{topic}")  # computed: skipped\n')
    found = {(f.file, f.line): f.message for f in errors(check(project, run_rasa=False))}
    assert set(found) == {("domain.yml", line_of(project / "domain.yml", "- utter_promo")),
                          ("actions/promo.py", 2)}
    assert found[("actions/promo.py", 2)].startswith(
        'The action code uses the answer "utter_coupon"')


def test_an_faq_topic_with_examples_but_no_answer_is_an_error(project):
    replace_once(project / "data/responses/faq.yml", "  utter_faq/provider:\n",
                 "  utter_faq/physician:\n")
    finding = next(f for f in check(project, run_rasa=False) if "no answer" in f.message)
    en = project / "data/nlu/en/faq.yml"
    assert (finding.file, finding.line) == ("data/nlu/en/faq.yml",
                                            line_of(en, "- intent: faq/provider"))
    assert finding.message.startswith('The topic "provider" (faq/provider) has training examples '
                                      'but no answer: add "utter_faq/provider"')


RASA_OUTPUT = (
    "/venv/lib/python3.10/site-packages/pkg_resources/__init__.py:3117: DeprecationWarning: "
    "Deprecated call\n  declare_namespace(pkg)\n"
    "\x1b[93m/venv/rasa/shared/utils/io.py:100: UserWarning: The intent 'crisis' is not used in "
    "any story or rule.\n  More info at https://rasa.com/docs/rasa/domain\n"
    "\x1b[0m2026-11-26 04:35:39 INFO     rasa.validator  - Validating intents...\n"
    "\x1b[93m/venv/rasa/shared/utils/io.py:100: UserWarning: The action 'action_x' is used in "
    "the 'greet' block, but it is not listed in the domain file. You should add it to your "
    "domain file!\n\x1b[0m"
    "2026-11-26 04:35:39 WARNING  rasa.validator  - Story structure conflict after intent "
    "'greet':\n  utter_a predicted in 'rule a'\n  utter_b predicted in 'rule b'\n"
    "\x1b[91mProject validation completed with errors.\x1b[0m\n")


def test_rasa_output_becomes_findings_without_timestamps_paths_or_library_noise():
    findings = parse_rasa_output(RASA_OUTPUT, returncode=1)
    prefix = "Rasa's own check (rasa data validate) says: "
    assert findings == [
        Finding("error", "", None, f"{prefix}The action 'action_x' is used in the 'greet' block, "
                                   f"but it is not listed in the domain file. You should add it to "
                                   f"your domain file!"),
        Finding("warning", "", None, f"{prefix}Story structure conflict after intent 'greet': "
                                     f"utter_a predicted in 'rule a' "
                                     f"utter_b predicted in 'rule b'"),
        Finding("warning", "", None, f"{prefix}The intent 'crisis' is not used in any story or "
                                     f"rule."),
    ]


def test_a_rasa_error_over_several_lines_is_one_finding():
    output = ("\x1b[91mYamlValidationException: Failed to validate 'domain.yml'.\n"
              "  in domain.yml:1:\n      Value '[]' is not a dict.\x1b[0m\n")
    finding = only_finding(parse_rasa_output(output, returncode=1))
    assert finding.severity == "error"
    assert finding.message.endswith("YamlValidationException: Failed to validate 'domain.yml'. "
                                    "in domain.yml:1: Value '[]' is not a dict.")


def test_a_rasa_failure_without_a_known_message_is_an_error_with_its_last_line():
    findings = parse_rasa_output("Traceback (most recent call last):\n  ...\nValueError: boom\n", 1)
    assert only_finding(findings).message.endswith("failed: ValueError: boom")


def rasa_says(text: str) -> Finding:
    return Finding("warning", "", None, f"Rasa's own check (rasa data validate) says: {text}")


def test_rasa_not_used_warnings_are_dropped_only_for_what_forms_code_or_policies_use(project):
    shutil.copytree(ROOT / "actions", project / "actions")
    domain = project / "domain.yml"
    replace_once(domain, "responses:\n", f"responses:\n{PROMO}")
    replace_once(domain, "  utter_greet:\n",
                 "  utter_more_parking:\n  - text: Park behind the clinic.\n  utter_greet:\n")
    replace_once(project / "config.yml", "- name: bot.safety_policy.SafetyPolicy\n", "")
    files, _ = load_project(project)
    blocks, responses = topic_blocks(files), defined_responses(files)
    said = ["The following duplicated intents have been found across multiple domain files: faq",
            f"The intent 'crisis' {NOT_USED}.", f"The utterance 'utter_crisis' {NOT_USED}.",
            f"The utterance 'utter_ask_reason' {NOT_USED}.",  # asked by the booking form
            f"The utterance 'utter_invalid_name' {NOT_USED}.",  # named in actions/booking.py
            f"The utterance 'utter_more_cost' {NOT_USED}.",  # f"utter_more_{topic}", a topic
            f"The utterance 'utter_default' {NOT_USED}.",  # Rasa's core fallback
            f"The utterance 'utter_more_parking' {NOT_USED}.",  # no FAQ topic "parking"
            f"The utterance 'utter_promo' {NOT_USED}."]
    kept = without_false_alarms([rasa_says(text) for text in said],
                                used_beyond_rules(project, files, blocks, responses), responses)
    never_used = "is never used: no rule, story, form or action sends it. Remove it or add a rule."
    safety = project / "data/responses/safety.yml"
    assert [str(f) for f in kept] == [
        f"warning: Rasa's own check (rasa data validate) says: The intent 'crisis' {NOT_USED}.",
        f"data/responses/safety.yml:{line_of(safety, 'utter_crisis:')}: warning: The answer "
        f"\"crisis\" (utter_crisis) {never_used}",
        f"domain.yml:{line_of(domain, 'utter_more_parking:')}: warning: The answer "
        f"\"more parking\" (utter_more_parking) {never_used}",
        f"domain.yml:{line_of(domain, 'utter_promo:')}: warning: The answer \"promo\" "
        f"(utter_promo) {never_used}"]


def test_the_repository_gets_no_not_used_warnings_from_rasa_for_what_it_uses():
    findings = check(ROOT)
    assert errors(findings) == [], "\n".join(map(str, findings))
    assert not any(NOT_USED in f.message or "never used" in f.message or "duplicated intents"
                   in f.message for f in findings), "\n".join(map(str, findings))


def test_rasa_data_validate_runs_for_real_its_errors_count_and_an_unused_answer_is_reported(
        project):
    shutil.copytree(ROOT / "actions", project / "actions")
    domain = project / "domain.yml"
    replace_once(domain, "responses:\n", f"responses:\n{PROMO}")
    rules = project / "data/rules/conversation.yml"
    rules.write_text(rules.read_text(encoding="utf-8") +
                     "\n- rule: notify staff\n  steps:\n  - intent: thanks\n"
                     "  - action: action_notify_staff\n", encoding="utf-8")
    findings = check(project)
    # The staff checks leave actions to Rasa; Rasa's unused answer is explained at its place.
    assert [(f.severity, f.file, f.line) for f in findings if f.file] == [
        ("warning", "domain.yml", line_of(domain, "utter_promo:"))], \
        "\n".join(map(str, findings))
    assert "never used" in findings[0].message
    assert any(f.message.startswith("Rasa's own check (rasa data validate) says: The action "
                                    "'action_notify_staff' is used in the 'notify staff' block")
               for f in errors(findings)), "\n".join(map(str, findings))
    assert not any(NOT_USED in f.message for f in findings), "\n".join(map(str, findings))
    assert not any("Warning:" in f.message or "rasa.validator" in f.message for f in findings)
