"""Reads the words of the training examples, per language, from the language-split NLU folders."""

from pathlib import Path
from typing import Dict, Mapping, Set

from bot.language import words


def training_vocabulary(folders: Mapping[str, str]) -> Dict[str, Set[str]]:
    """Maps each language ("en", "es") to the words used in its folder of NLU examples.

    Raises a `FileNotFoundError` naming the folder when one is missing, so a misconfigured
    pipeline fails at training time rather than detecting languages silently worse.
    """
    from rasa.shared.nlu.training_data.loading import load_data

    vocabulary = {}
    for language, folder in folders.items():
        if not Path(folder).is_dir():
            raise FileNotFoundError(
                f"The NLU folder for language '{language}' does not exist: '{folder}'. "
                f"Fix 'vocabulary_folders' of the language detector in config.yml."
            )
        examples = load_data(folder).training_examples
        vocabulary[language] = {w for example in examples for w in words(example.get("text"))}
    return vocabulary
