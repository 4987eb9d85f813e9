"""Checks the assistant's data after staff edit it, and explains each problem with file and line."""

import argparse
import os
import re
import subprocess
import sys
import warnings
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, Iterator, List, Literal, Mapping, Optional, Sequence, Set, Tuple

from bot import yaml_lines
from bot.channels import sms_text
from bot.channels.action_relay import APOLOGY as ACTION_RELAY_APOLOGY  # sent when actions fail
from bot.language import strip_accents

MIN_EXAMPLES = 10  # fewer examples of a topic in one language: the assistant cannot learn it
GOOD_EXAMPLES = 30  # fewer: it learns it, but recognises it poorly
SMS_MAX_SEGMENTS = 3  # what tests/data/test_responses.py requires a reply to fit whole
RASA_TIMEOUT_SECONDS = 300
LANGUAGES = {"en": "English", "es": "Spanish"}
# Answers a message in neither language, in both at once (as in tests/data/test_responses.py).
BILINGUAL_BY_DESIGN = {"utter_other_language"}
# The slot values tests/data/test_responses.py fills in before measuring a reply for SMS.
SMS_PLACEHOLDERS = {"patient_name": "María José Fernández", "phone": "+12125550123",
                    "sms_phone": "+12125550123"}
SPANISH_CONDITION = "condition: [{type: slot, name: language, value: es}]"
# Rasa reports these as warnings but fails validation on them.
RASA_FAILURES = [re.compile(pattern) for pattern in (
    r"is used in the '.*' block, but it is not listed in the domain file",
    r"^The form slot '.*' in form '.*' is not present in the domain slots",
    r"^Slot '.*' has a mapping condition for form",
    r"is using the MappingPolicy format",
)]
RASA_SUMMARY = "Project validation completed with errors."
RASA_SAYS = "Rasa's own check (rasa data validate) says: "
# Rasa's built-in actions that send a response of the domain, and the response each sends.
RASA_ACTION_RESPONSES = {"action_default_fallback": "utter_default",
                         "action_default_ask_rephrase": "utter_ask_rephrase"}

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    file: str  # relative to the checked folder; "" when nothing names one (Rasa's own check)
    line: Optional[int]
    message: str

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.file and self.line else self.file
        return f"{place}: {self.severity}: {self.message}" if place else \
            f"{self.severity}: {self.message}"


@dataclass(frozen=True)
class Example:
    text: str
    topic: str  # the intent, with its response key for FAQs: "faq/side_effects"
    language: Optional[str]  # "en" or "es" from its folder; None outside them
    file: str
    line: Optional[int]


@dataclass(frozen=True)
class TopicBlock:
    """One `- intent:` entry of an NLU file and its examples."""
    topic: str
    language: Optional[str]
    file: str
    line: Optional[int]
    examples: Tuple[Example, ...]


@dataclass(frozen=True)
class Variation:
    language: str  # "es" when conditioned on the language slot being es, else "en"
    channel: Optional[str]
    content: Mapping[str, Any]
    line: Optional[int]


@dataclass(frozen=True)
class Response:
    name: str
    file: str
    line: Optional[int]
    variations: Tuple[Variation, ...]


@dataclass(frozen=True)
class Usage:
    response: str
    file: str
    line: Optional[int]
    used_by: str  # what uses it, as the message says it: "This rule", "The action code", ...


# --- reading the project -------------------------------------------------------------------


def load_project(root: Path) -> Tuple[Dict[str, Any], List[Finding]]:
    """Every YAML file checked, by its path relative to root, and a finding per unreadable one."""
    files: Dict[str, Any] = {}
    findings = []
    if not (root / "domain.yml").is_file():
        findings.append(Finding("error", "domain.yml", None,
                                f"There is no domain.yml in {root}: run this check in the "
                                f"project folder, or name that folder with --root."))
    for path in _yaml_files(root):
        relative = path.relative_to(root).as_posix()
        try:
            files[relative] = yaml_lines.load(path)
        except yaml_lines.YamlProblem as problem:
            findings.append(Finding("error", relative, problem.line,
                                    f"{problem.explanation} The other checks skip this file "
                                    f"until it is fixed."))
    return files, findings


def _yaml_files(root: Path) -> List[Path]:
    candidates = [root / "domain.yml"]
    for folder in (root / "data", root / "tests" / "stories"):
        if folder.is_dir():
            candidates += sorted(p for p in folder.rglob("*") if p.suffix in (".yml", ".yaml"))
    return [path for path in candidates if path.is_file()]


def topic_blocks(files: Mapping[str, Any]) -> List[TopicBlock]:
    """Every `- intent:` entry of the NLU files under data/, with its language and examples."""
    blocks = []
    for relative, content in files.items():
        entries = content.get("nlu") if isinstance(content, Mapping) else None
        if not relative.startswith("data/") or not isinstance(entries, list):
            continue
        language = _folder_language(relative)
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping) or "intent" not in entry:
                continue  # lookup tables, synonyms and regexes are vocabulary, not topics
            topic = str(entry["intent"])
            examples = tuple(Example(_without_annotations(text), topic, language, relative, line)
                             for line, text in yaml_lines.listed_lines(entry, "examples"))
            blocks.append(TopicBlock(topic, language, relative,
                                     yaml_lines.item_line(entries, index), examples))
    return blocks


def _folder_language(relative: str) -> Optional[str]:
    parts = relative.split("/")
    return parts[2] if len(parts) > 3 and parts[1] == "nlu" and parts[2] in LANGUAGES else None


def _without_annotations(text: str) -> str:
    """The example as a patient would type it: "[botox](treatment)" reads "botox"."""
    return re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", text)


def defined_responses(files: Mapping[str, Any]) -> List[Response]:
    """Every response of domain.yml and of the data files (data/responses/*.yml)."""
    found = []
    for relative, content in files.items():
        responses = content.get("responses") if isinstance(content, Mapping) else None
        if not (relative == "domain.yml" or relative.startswith("data/")) or \
                not isinstance(responses, Mapping):
            continue
        for name, variations in responses.items():
            variations = variations if isinstance(variations, list) else []
            found.append(Response(str(name), relative, yaml_lines.key_line(responses, name),
                                  tuple(_variation(variations, i) for i, v in enumerate(variations)
                                        if isinstance(v, Mapping))))
    return found


def _variation(variations: List[Any], index: int) -> Variation:
    content = variations[index]
    conditions = content.get("condition") or []
    spanish = any(isinstance(c, Mapping) and c.get("name") == "language" and c.get("value") == "es"
                  for c in conditions)
    return Variation("es" if spanish else "en", content.get("channel"), content,
                     yaml_lines.item_line(variations, index))


def response_usages(root: Path, files: Mapping[str, Any]) -> List[Usage]:
    """Where responses are used: rules, stories, test stories, the domain's actions, action code."""
    usages = []
    for relative, content in files.items():
        if not isinstance(content, Mapping):
            continue
        for section, used_by in (("rules", "This rule"), ("stories", "This story")):
            if relative.startswith("tests/") and section == "stories":
                used_by = "This test story"
            for name, line in _actions_in(content.get(section)):
                usages.append(Usage(name, relative, line, used_by))
    domain = files.get("domain.yml")
    domain_actions = domain.get("actions") if isinstance(domain, Mapping) else None
    if isinstance(domain_actions, list):
        for index, name in enumerate(domain_actions):
            if isinstance(name, str):
                usages.append(Usage(name, "domain.yml", yaml_lines.item_line(domain_actions, index),
                                    "The domain's list of actions"))
    return [u for u in usages + _code_usages(root) if u.response.startswith("utter_")]


def _actions_in(node: Any) -> Iterator[Tuple[str, Optional[int]]]:
    if isinstance(node, Mapping):
        if isinstance(node.get("action"), str):
            yield node["action"], yaml_lines.key_line(node, "action")
        for value in node.values():
            yield from _actions_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from _actions_in(item)


def _code_usages(root: Path) -> List[Usage]:
    """`response="utter_..."` written out in actions/*.py; names built at run time are skipped."""
    usages = []
    for path in sorted((root / "actions").glob("*.py")):
        code = path.read_text(encoding="utf-8", errors="replace")
        for match in re.finditer(r"\bresponse\s*=\s*(['\"])(utter_[^'\"]+)\1", code):
            usages.append(Usage(match.group(2), path.relative_to(root).as_posix(),
                                code.count("\n", 0, match.start()) + 1, "The action code"))
    return usages


# --- the checks ----------------------------------------------------------------------------


def check_answer_languages(responses: Sequence[Response]) -> List[Finding]:
    """An answer in one language without the other, for every channel and for SMS separately."""
    findings = []
    for response in responses:
        present = {(v.language, v.channel) for v in response.variations}
        channels = {None} | {v.channel for v in response.variations}
        for channel in sorted(channels, key=lambda c: str(c or "")):
            for language in sorted(_languages_needed(response.name, channel, present)):
                if (language, channel) not in present:
                    findings.append(Finding("error", response.file, response.line,
                                            _missing_answer(response.name, language, channel)))
    return findings


def _languages_needed(name: str, channel: Optional[str],
                      present: Set[Tuple[str, Optional[str]]]) -> Set[str]:
    if channel is None:
        return {"en"} if name in BILINGUAL_BY_DESIGN else set(LANGUAGES)
    # Rasa prefers an unconditioned variation for the channel over a Spanish one for every
    # channel, so an English SMS text alone would answer Spanish patients too.
    return {"es"} if ("en", channel) in present else set()


def _missing_answer(name: str, language: str, channel: Optional[str]) -> str:
    if channel is not None:
        by = "SMS" if channel == "sms" else f"the {channel} channel"
        return (f"The answer {_answer(name)} has an English version for {by} but no Spanish one, "
                f"so Spanish patients would get the English text by {by}: add a Spanish version "
                f"with both \"channel: {channel}\" and \"{SPANISH_CONDITION}\".")
    if language == "es":
        return (f"The Spanish answer for {_answer(name)} is missing: add a Spanish version after "
                f"the English one, starting with \"- {SPANISH_CONDITION}\".")
    return (f"The English answer for {_answer(name)} is missing: add an English version (one "
            f"without a language condition) before the Spanish one. Patients whose language is "
            f"not known yet get the English one.")


def check_sms_length(responses: Sequence[Response]) -> List[Finding]:
    """A reply that would be cut by SMS: more than 3 segments, its buttons as a numbered list."""
    findings = []
    for response in responses:
        for language in LANGUAGES:
            chosen = _sms_choice(response, language)
            if chosen is None or not isinstance(chosen.content.get("text"), str):
                continue  # a missing variation is check_answer_languages' finding
            text = _filled(chosen.content["text"])
            buttons = [b for b in chosen.content.get("buttons") or [] if isinstance(b, Mapping)]
            if sms_text.render(text, buttons, SMS_MAX_SEGMENTS).startswith(text):
                continue
            whole = "\n".join(part for part in (text, sms_text.numbered_choices(buttons)) if part)
            findings.append(Finding("error", response.file, chosen.line, _too_long(
                response.name, language, chosen.channel is not None, sms_text.segments(whole))))
    return findings


def _sms_choice(response: Response, language: str) -> Optional[Variation]:
    """The variation the SMS channel sends, as tests/data/test_responses.py picks it."""
    for channel, wanted in (("sms", language),
                            (None, "en" if response.name in BILINGUAL_BY_DESIGN else language)):
        for variation in response.variations:
            if variation.language == wanted and variation.channel == channel:
                return variation
    return None


class _KeepUnknown(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _filled(text: str) -> str:
    try:
        return text.format_map(_KeepUnknown(SMS_PLACEHOLDERS))
    except (ValueError, AttributeError, IndexError, KeyError):
        return text  # stray braces: measure the text as written


def _too_long(name: str, language: str, is_sms_version: bool, segments: int) -> str:
    needs = (f"needs {segments} text messages with its buttons, more than the limit of "
             f"{SMS_MAX_SEGMENTS}, so it would be cut off")
    if is_sms_version:
        return (f"The {LANGUAGES[language]} SMS version of {_answer(name)} {needs}: shorten the "
                f"text or the button titles.")
    return (f"The {LANGUAGES[language]} answer {_answer(name)} {needs} by SMS, and it has no "
            f"short SMS version: add a shorter {LANGUAGES[language]} version with "
            f"\"channel: sms\".")


def check_example_languages(blocks: Sequence[TopicBlock], files: Mapping[str, Any],
                            unreadable_languages: Set[str] = frozenset()) -> List[Finding]:
    """A topic with examples in one language and none in the other."""
    findings = []
    for topic, per_language in _by_topic(blocks).items():
        present = [language for language in LANGUAGES if per_language.get(language)]
        if len(present) != 1:
            continue
        has = present[0]
        lacks = next(language for language in LANGUAGES if language != has)
        if lacks in unreadable_languages:
            continue  # its file is not valid YAML: that finding comes first
        main = _main_block(per_language[has])
        findings.append(Finding("error", main.file, main.line,
            f"The {LANGUAGES[lacks]} examples for the topic {_topic(topic)} are missing "
            f"(the {LANGUAGES[has]} ones are here): add {LANGUAGES[lacks]} examples under "
            f"\"- intent: {topic}\" in {_mirror(main.file, lacks, files)}."))
    return findings


def check_example_counts(blocks: Sequence[TopicBlock],
                         unreadable_languages: Set[str] = frozenset()) -> List[Finding]:
    """Too few examples of a topic in one language: an error below 10, a warning below 30."""
    findings = []
    for topic, per_language in _by_topic(blocks).items():
        # Topics outside the language folders (other_language.yml) are counted as one group.
        groups = [language for language in LANGUAGES if per_language.get(language)] or \
            ([None] if per_language.get(None) else [])
        for language in groups:
            if language in unreadable_languages:
                continue
            count = sum(len(block.examples) for block in per_language[language])
            if count >= GOOD_EXAMPLES:
                continue
            main = _main_block(per_language[language])
            severity: Severity = "error" if count < MIN_EXAMPLES else "warning"
            findings.append(Finding(severity, main.file, main.line,
                                    _too_few(topic, language, count, severity)))
    return findings


def _too_few(topic: str, language: Optional[str], count: int, severity: Severity) -> str:
    kind = f"{LANGUAGES[language]} examples" if language else "examples"
    if severity == "error":
        return (f"The topic {_topic(topic)} has only {count} {kind}: the assistant needs at "
                f"least {MIN_EXAMPLES} to recognise it, and {GOOD_EXAMPLES} or more to recognise "
                f"it well. Add more {kind} here.")
    return (f"The topic {_topic(topic)} has {count} {kind}: {GOOD_EXAMPLES} or more help the "
            f"assistant recognise it reliably. Add more {kind} here when you can.")


def _by_topic(blocks: Sequence[TopicBlock]) -> Dict[str, Dict[Optional[str], List[TopicBlock]]]:
    grouped: Dict[str, Dict[Optional[str], List[TopicBlock]]] = defaultdict(
        lambda: defaultdict(list))
    for block in blocks:
        if block.examples:
            grouped[block.topic][block.language].append(block)
    return grouped


def _main_block(blocks: Sequence[TopicBlock]) -> TopicBlock:
    """The block holding most of a topic's examples: where staff look for that topic."""
    return max(blocks, key=lambda block: len(block.examples))


def _mirror(file: str, language: str, files: Mapping[str, Any]) -> str:
    mirrored = f"data/nlu/{language}/{file.rsplit('/', 1)[-1]}"
    return mirrored if mirrored in files else f"a file in data/nlu/{language}/"


def check_duplicate_examples(examples: Sequence[Example]) -> List[Finding]:
    """The same example (case, accents, punctuation and spacing aside) under two topics."""
    by_text: Dict[str, List[Example]] = defaultdict(list)
    for example in examples:
        by_text[_plain(example.text)].append(example)
    findings = []
    for plain, same in by_text.items():
        first = same[0]
        elsewhere = [e for e in same if e.topic != first.topic]
        if not plain or not elsewhere:
            continue
        places = ", and ".join(f"{_topic(e.topic)} in {e.file}:{e.line}" for e in elsewhere)
        topics = len({e.topic for e in same})
        findings.append(Finding("error", first.file, first.line,
            f"The example \"{first.text}\" is under {topics} topics: {_topic(first.topic)} here, "
            f"and {places}. The assistant cannot tell these topics apart by it: keep it under one "
            f"topic only, or reword the others."))
    return findings


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", strip_accents(text)).split())


def check_undefined_responses(usages: Sequence[Usage], responses: Sequence[Response],
                              blocks: Sequence[TopicBlock],
                              files: Mapping[str, Any]) -> List[Finding]:
    """A response used but defined nowhere, and an FAQ topic with examples but no answer."""
    defined = {response.name for response in responses}
    findings = [Finding("error", usage.file, usage.line,
                        f"{usage.used_by} uses the answer \"{usage.response}\", which is not "
                        f"defined anywhere: add it under \"responses:\" in domain.yml (in English "
                        f"and Spanish), or correct the name.")
                for usage in usages if not _is_defined(usage.response, defined)]
    first_blocks: Dict[str, TopicBlock] = {}
    for block in blocks:
        if "/" in block.topic and block.examples:
            first_blocks.setdefault(block.topic, block)
    for topic, block in first_blocks.items():
        if f"utter_{topic}" not in defined:
            findings.append(Finding("error", block.file, block.line,
                f"The topic {_topic(topic)} has training examples but no answer: add "
                f"\"utter_{topic}\" to {_answers_file(topic, files)}, in English and Spanish."))
    return findings


def _is_defined(name: str, defined: Set[str]) -> bool:
    # `utter_faq` in a rule stands for every answer utter_faq/<topic> of the retrieval intent.
    return name in defined or any(d.startswith(name + "/") for d in defined)


def _answers_file(topic: str, files: Mapping[str, Any]) -> str:
    path = f"data/responses/{topic.split('/')[0]}.yml"
    return path if path in files else "the \"responses:\" of data/responses/"


# --- Rasa's own check ----------------------------------------------------------------------


def rasa_findings(root: Path) -> List[Finding]:
    """What `rasa data validate` reports on the project in root, as findings."""
    root = root.resolve()
    command = [sys.executable, "-m", "rasa", "data", "validate", "--domain",
               str(root / "domain.yml"), "--data", str(root / "data"), "--config",
               str(root / "config.yml")]
    package_folder = str(Path(__file__).resolve().parent.parent)  # custom components in config.yml
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
           "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore::DeprecationWarning",
           "PYTHONPATH": os.pathsep.join(filter(None, [package_folder,
                                                       os.environ.get("PYTHONPATH")]))}
    # Set by the Makefile for repeatable training; Rasa warns about it, and it is not about data.
    env.pop("TF_DETERMINISTIC_OPS", None)
    try:
        done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                              timeout=RASA_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return [Finding("error", "", None,
                        f"Rasa's own check (rasa data validate) did not finish within "
                        f"{RASA_TIMEOUT_SECONDS} seconds: run it again when the computer is less "
                        f"busy, or ask the developers.")]
    # Paths as staff see them: relative to the project folder.
    output = (done.stderr + "\n" + done.stdout).replace(f"{root}{os.sep}", "")
    return parse_rasa_output(output, done.returncode)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_RED = "\x1b[91m"
_END_COLOUR = "\x1b[0m"
_LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+(?P<level>[A-Z]+)\s+\S+\s+-\s+(?P<text>.*)$")
_PYTHON_WARNING = re.compile(r"^\S.*?:\d+: (?P<category>\w+): (?P<text>.*)$")
_LIBRARY_NOISE = {"DeprecationWarning", "PendingDeprecationWarning"}
_LOG_SEVERITY: Dict[str, Severity] = {"WARNING": "warning", "ERROR": "error",
                                      "CRITICAL": "error"}


def parse_rasa_output(output: str, returncode: int) -> List[Finding]:
    """Each warning and error Rasa printed, without timestamps, module paths or warning classes."""
    findings: List[Finding] = []
    indented_continue = False  # the indented lines after a logged warning (a story conflict)
    red_continues = False  # a red error goes on until the colour is switched off
    for raw in output.splitlines():
        line = _ANSI.sub("", raw).rstrip()
        if red_continues or (indented_continue and line[:1].isspace()):
            if line.strip():
                findings[-1] = replace(findings[-1],
                                       message=f"{findings[-1].message} {line.strip()}")
            red_continues = red_continues and _END_COLOUR not in raw
            continue
        finding = _rasa_line(line, is_red=_RED in raw)
        indented_continue = finding is not None and bool(_LOG_LINE.match(line))
        red_continues = finding is not None and _RED in raw and _END_COLOUR not in raw
        if finding is not None:
            findings.append(finding)
    return _rasa_outcome(findings, output, returncode)


def _rasa_line(line: str, is_red: bool) -> Optional[Finding]:
    """The finding one line of Rasa's output starts, if it starts one."""
    log, warning = _LOG_LINE.match(line), _PYTHON_WARNING.match(line)
    if log:
        severity = _LOG_SEVERITY.get(log.group("level"))
        return _rasa_finding(severity, log.group("text")) if severity else None
    if warning:
        if warning.group("category") in _LIBRARY_NOISE:
            return None
        text = warning.group("text")
        failing = any(pattern.search(text) for pattern in RASA_FAILURES)
        return _rasa_finding("error" if failing else "warning", text)
    if is_red and line.strip():  # Rasa prints its own errors in red, without a prefix
        return _rasa_finding("error", line.strip())
    return None


def _rasa_finding(severity: Severity, text: str) -> Finding:
    return Finding(severity, "", None, f"{RASA_SAYS}{text}")


def _rasa_outcome(findings: List[Finding], output: str, returncode: int) -> List[Finding]:
    unique = list(dict.fromkeys(findings))
    specific = [f for f in unique if f.severity == "error" and not f.message.endswith(RASA_SUMMARY)]
    if specific:
        unique = [f for f in unique if not f.message.endswith(RASA_SUMMARY)]
    if returncode != 0 and not any(f.severity == "error" for f in unique):
        lines = [_ANSI.sub("", line).strip() for line in output.splitlines()]
        last = next((line for line in reversed(lines) if line), "no explanation")
        unique.append(Finding("error", "", None,
                              f"Rasa's own check (rasa data validate) failed: {last}"))
    # Rasa warns in set order; sorted, the same data always reads the same.
    return sorted(unique, key=lambda f: (f.severity != "error", f.message))


# --- what Rasa's check does not see --------------------------------------------------------


@dataclass(frozen=True)
class UsedBeyondRules:
    """What the assistant uses without a rule or story, where Rasa's check looks for it."""
    responses: Set[str]  # asked by a form, sent by action code, SafetyPolicy or Rasa itself
    intents: Set[str]  # answered by SafetyPolicy
    retrieval_intents: Set[str]  # "faq", from the NLU data's "faq/<topic>" examples


def used_beyond_rules(root: Path, files: Mapping[str, Any], blocks: Sequence[TopicBlock],
                      responses: Sequence[Response]) -> UsedBeyondRules:
    """The responses and intents the project demonstrably uses outside rules and stories."""
    domain = files.get("domain.yml")
    domain = domain if isinstance(domain, Mapping) else {}
    config = _config(root)
    topics = {block.topic.split("/", 1)[1] for block in blocks if "/" in block.topic}
    literals, prefixes = _names_in_action_code(root)
    safety_responses, safety_intents = _safety_policy_uses(config)
    used = (_form_questions(domain, {r.name for r in responses}) | literals | safety_responses |
            {prefix + topic for prefix in prefixes for topic in topics} |
            _rasa_action_responses(config, files) | {ACTION_RELAY_APOLOGY})
    return UsedBeyondRules(used, safety_intents,
                           {block.topic.split("/", 1)[0] for block in blocks if "/" in block.topic})


def _config(root: Path) -> Mapping[str, Any]:
    try:
        config = yaml_lines.load(root / "config.yml")
    except (OSError, yaml_lines.YamlProblem):
        return {}  # Rasa's own check reports a missing or broken config.yml
    return config if isinstance(config, Mapping) else {}


def _policies(config: Mapping[str, Any]) -> List[Mapping[str, Any]]:
    policies = config.get("policies")
    if not isinstance(policies, list):
        return [{"name": "RulePolicy"}]  # Rasa's default policies, which include RulePolicy
    return [policy for policy in policies if isinstance(policy, Mapping)]


def _form_questions(domain: Mapping[str, Any], defined: Set[str]) -> Set[str]:
    """The utter_ask_ response each form slot is asked with, chosen the way Rasa's form does."""
    actions = domain.get("actions") if isinstance(domain.get("actions"), list) else []
    known = defined | {action for action in actions if isinstance(action, str)}
    forms = domain.get("forms")
    asked = set()
    for form, spec in (forms.items() if isinstance(forms, Mapping) else []):
        slots = spec.get("required_slots") if isinstance(spec, Mapping) else None
        for slot in (slots if isinstance(slots, (list, Mapping)) else []):
            candidates = [f"action_ask_{form}_{slot}", f"utter_ask_{form}_{slot}",
                          f"action_ask_{slot}", f"utter_ask_{slot}"]
            chosen = next((name for name in candidates if name in known), None)
            if chosen and chosen.startswith("utter_"):
                asked.add(chosen)
    return asked


def _names_in_action_code(root: Path) -> Tuple[Set[str], Set[str]]:
    """Response names written as string literals in actions/*.py, and the prefixes of names
    built as f"utter_more_{topic}", which stand for that prefix and each FAQ topic."""
    literals: Set[str] = set()
    prefixes: Set[str] = set()
    for path in sorted((root / "actions").glob("*.py")):
        code = path.read_text(encoding="utf-8", errors="replace")
        literals.update(m.group(2) for m in
                        re.finditer(r"(?<![A-Za-z])(['\"])(utter_[\w/]+)\1", code))
        prefixes.update(m.group(2) for m in
                        re.finditer(r"\b[fF](['\"])(utter_\w*)\{[^{}'\"]+\}\1", code))
    return literals, prefixes


def _safety_policy_uses(config: Mapping[str, Any]) -> Tuple[Set[str], Set[str]]:
    """The responses SafetyPolicy sends and the intents it answers, if config.yml has it."""
    entries = [p for p in _policies(config)
               if str(p.get("name", "")).rsplit(".", 1)[-1] == "SafetyPolicy"]
    if not entries:
        return set(), set()
    try:
        # Rasa's import brings TensorFlow, whose start-up messages are no news to staff.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from bot.safety_policy import SafetyPolicy
            from rasa.utils.common import override_defaults
    except Exception:  # Rasa's own check reports the broken policy; its replies look unused
        return set(), set()
    responses: Set[str] = set()
    intents: Set[str] = set()
    for entry in entries:
        # Merged the way Rasa merges a component's settings into its defaults.
        settings = override_defaults(SafetyPolicy.get_default_config(), dict(entry))
        replies = settings.get("replies")
        for intent, actions in (replies.items() if isinstance(replies, Mapping) else []):
            intents.add(str(intent))
            responses.update(a for a in (actions or []) if str(a).startswith("utter_"))
        if isinstance(settings.get("disclaimer"), str):
            responses.add(settings["disclaimer"])
    return responses, intents


def _rasa_action_responses(config: Mapping[str, Any], files: Mapping[str, Any]) -> Set[str]:
    """The responses Rasa's own actions send, for those the rules, stories or RulePolicy use."""
    actions = {name for relative, content in files.items()
               if relative.startswith("data/") and isinstance(content, Mapping)
               for section in ("rules", "stories") for name, _ in _actions_in(content.get(section))}
    actions |= {str(p.get("core_fallback_action_name", "action_default_fallback"))
                for p in _policies(config) if p.get("name") == "RulePolicy"}
    return {RASA_ACTION_RESPONSES[a] for a in actions if a in RASA_ACTION_RESPONSES}


_UNUSED_RESPONSE = re.compile(r"^The utterance '(?P<name>[^']+)' is not used in any story or "
                              r"rule\.$")
_UNUSED_INTENT = re.compile(r"^The intent '(?P<name>[^']+)' is not used in any story or rule\.$")
_DUPLICATED_INTENTS = re.compile(r"^(?P<head>The following duplicated intents have been found "
                                 r"across multiple domain files: )(?P<names>.*)$")


def without_false_alarms(findings: Sequence[Finding], used: UsedBeyondRules,
                         responses: Sequence[Response]) -> List[Finding]:
    """Rasa's findings without its "not used" warnings for what is used beyond rules and
    stories; an answer nothing uses is explained at its place in the files."""
    places = {response.name: response for response in responses}
    kept = []
    for finding in findings:
        text = finding.message[len(RASA_SAYS):] if finding.message.startswith(RASA_SAYS) else ""
        unused_response, unused_intent = _UNUSED_RESPONSE.match(text), _UNUSED_INTENT.match(text)
        duplicated = _DUPLICATED_INTENTS.match(text)
        if unused_response:
            name = unused_response.group("name")
            if name in used.responses:
                continue
            place = places.get(name)
            finding = Finding(finding.severity, place.file if place else "",
                              place.line if place else None,
                              f"The answer {_answer(name)} is never used: no rule, story, form or "
                              f"action sends it. Remove it or add a rule.")
        elif unused_intent and unused_intent.group("name") in used.intents:
            continue
        elif duplicated:
            # Harmless: Rasa requires a retrieval intent in domain.yml (its rules name it) and
            # adds it again from the NLU data's "faq/<topic>" examples, merging the two.
            others = [name for name in duplicated.group("names").split(", ")
                      if name not in used.retrieval_intents]
            if not others:
                continue
            finding = replace(finding, message=f"{RASA_SAYS}{duplicated.group('head')}"
                                               f"{', '.join(others)}")
        kept.append(finding)
    return kept


# --- the command ---------------------------------------------------------------------------


def check(root: Path, run_rasa: bool = True) -> List[Finding]:
    """Every finding about the project in root: files first, in file and line order."""
    files, findings = load_project(root)
    unreadable = {f.file for f in findings}
    # Rasa and the answer check read domain.yml and data/; a broken test story spoils neither.
    blocking = {f for f in unreadable if f == "domain.yml" or f.startswith("data/")}
    unreadable_languages = {language for language in LANGUAGES
                            if any(f.startswith(f"data/nlu/{language}/") for f in unreadable)}
    blocks = topic_blocks(files)
    responses = defined_responses(files)
    findings += check_answer_languages(responses)
    findings += check_sms_length(responses)
    findings += check_example_languages(blocks, files, unreadable_languages)
    findings += check_example_counts(blocks, unreadable_languages)
    findings += check_duplicate_examples([e for block in blocks for e in block.examples])
    if not blocking:
        # With a file unread, answers it defines would look missing everywhere they are used.
        findings += check_undefined_responses(response_usages(root, files), responses, blocks,
                                              files)
    if run_rasa and blocking:
        return _in_file_order(findings) + [Finding(
            "warning", "", None, "Rasa's own check (rasa data validate) was skipped because of "
                                 "the file problems above: run this check again once they are "
                                 "fixed.")]
    if not run_rasa:
        return _in_file_order(findings)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Rasa works in its own process: what it does not see is read meanwhile.
        rasa = pool.submit(rasa_findings, root)
        used = used_beyond_rules(root, files, blocks, responses)
        rasa_says = without_false_alarms(rasa.result(), used, responses)
    return _in_file_order(findings + [f for f in rasa_says if f.file]) + \
        [f for f in rasa_says if not f.file]


def _in_file_order(findings: List[Finding]) -> List[Finding]:
    return sorted(findings, key=lambda f: (f.file == "", f.file, f.line or 0))


def summary(findings: Sequence[Finding]) -> str:
    """The last line: how many errors and warnings, or that all is well."""
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if not findings:
        return "All good: no problems found in domain.yml and data/."
    counts = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    if errors:
        return f"{counts}. Fix the errors, then run this check again."
    return f"{counts}. Nothing blocks training the assistant; the warnings are worth a look."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _answer(name: str) -> str:
    return f"\"{name.replace('utter_', '', 1).split('/')[-1].replace('_', ' ')}\" ({name})"


def _topic(topic: str) -> str:
    return f"\"{topic.split('/')[-1].replace('_', ' ')}\" ({topic})"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.data_check",
        description="Checks the training examples and answers after an edit, and explains each "
                    "problem with its file and line. Exit code 1 when there is an error.")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the project folder whose domain.yml, config.yml and data/ are "
                             "checked (default: the current folder)")
    parser.add_argument("--no-rasa", action="store_true",
                        help="skip Rasa's own check (rasa data validate), which takes a while")
    args = parser.parse_args(argv)
    findings = check(args.root, run_rasa=not args.no_rasa)
    for finding in findings:
        print(finding)
    print(summary(findings))
    return 1 if any(f.severity == "error" for f in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
