"""Language-identification accuracy: the project's detector beside bare langdetect."""

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional

from langdetect import DetectorFactory, detect
from langdetect.lang_detect_exception import LangDetectException


@dataclass(frozen=True)
class Score:
    items: int
    correct: int
    undecided: int

    @property
    def accuracy(self) -> float:
        return 100.0 * self.correct / self.items if self.items else 0.0


def bare_langdetect(text: str) -> Optional[str]:
    """langdetect as usually called: all 55 profiles, seeded so runs repeat."""
    DetectorFactory.seed = 0
    try:
        return detect(text)
    except LangDetectException:
        return None


def score(decide: Callable[[str], Optional[str]], items: List[str], expected: str) -> Score:
    answers = [decide(item) for item in items]
    return Score(len(items), sum(a == expected for a in answers), sum(a is None for a in answers))


def langid_files(folder: Path) -> Dict[str, List[str]]:
    """Every test file of shared/langid, by name; its language is in the name (_en / _es)."""
    return {
        path.stem: [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for path in sorted(folder.glob("*.txt"))
    }


def expected_language(name: str) -> str:
    return "es" if "_es" in name else "en"
