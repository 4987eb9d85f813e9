"""Reads YAML files with the line numbers staff see in their editor, and explains syntax errors."""

import re
from pathlib import Path
from typing import Any, List, Optional, Tuple

from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

_GENERIC_ADVICE = "check the indentation and that every example starts with '- '"


class YamlProblem(Exception):
    """A file that is not valid YAML: the 1-based `line` near the mistake, and what to do."""

    def __init__(self, line: Optional[int], explanation: str) -> None:
        super().__init__(explanation)
        self.line = line
        self.explanation = explanation


def load(path: Path) -> Any:
    """The file's content with line information; raises `YamlProblem` when it is not valid YAML."""
    try:
        return YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise YamlProblem(None, "This file is not plain text (UTF-8): save it again as UTF-8 text.")
    except MarkedYAMLError as error:
        raise _explained(error) from error
    except YAMLError as error:
        raise YamlProblem(None, f"This file is not valid YAML: {_GENERIC_ADVICE}.") from error


def key_line(mapping: Any, key: str) -> Optional[int]:
    """The 1-based line where `key` is written in `mapping`, if the mapping came from a file."""
    try:
        return mapping.lc.key(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return None


def item_line(sequence: Any, index: int) -> Optional[int]:
    """The 1-based line where item `index` of `sequence` starts, if it came from a file."""
    try:
        return sequence.lc.item(index)[0] + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return None


def listed_lines(mapping: Any, key: str) -> List[Tuple[Optional[int], str]]:
    """The "- item" lines of a text like NLU `examples: |`, each with its 1-based line.

    A block literal's text starts on the line after the `|`, so line i of the text is on file
    line (line of the `|`) + 1 + i. A text written another way gives every item the key's line.
    """
    text = mapping.get(key)
    if not isinstance(text, str):
        return []
    start = _block_start(mapping, key) if isinstance(text, LiteralScalarString) else None
    items = []
    for offset, raw in enumerate(text.splitlines()):
        stripped = raw.strip()
        if stripped.startswith("- "):
            line = start + offset if start is not None else key_line(mapping, key)
            items.append((line, stripped[2:].strip()))
    return items


def _block_start(mapping: Any, key: str) -> Optional[int]:
    try:
        return mapping.lc.value(key)[0] + 2  # 0-based line of "|", plus one to 1-based, plus one
    except (AttributeError, KeyError, TypeError):
        return None


def _explained(error: MarkedYAMLError) -> YamlProblem:
    problem = str(error.problem or "")
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    near = f"near line {line}" if line else "somewhere"
    if isinstance(error, DuplicateKeyError):
        name = re.search(r'duplicate key "(.*?)"', problem)
        named = f'"{name.group(1)}"' if name else "A name"
        return YamlProblem(line, f"This file is not valid YAML near line {line}: {named} is "
                                 f"written twice in the same section; keep one and merge them.")
    if "'\\t'" in problem:
        advice = "it is indented with a tab; use spaces instead"
    elif "end of stream" in problem and "quoted" in str(error.context or ""):
        line = error.context_mark.line + 1 if error.context_mark else line
        near = f"near line {line}"
        advice = "a quotation mark opened there is never closed"
    elif "mapping values are not allowed" in problem:
        advice = ("a text containing ': ' must be put in quotes or written as a block "
                  "starting with '>-'")
    else:
        advice = _GENERIC_ADVICE
    return YamlProblem(line, f"This file is not valid YAML {near}: {advice}.")
