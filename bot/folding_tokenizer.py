"""Whitespace tokenizer whose lemmas fold the ways patients type the same word.

"cuánto", "cuanto" and "CUANTO" all become the lemma "cuanto"; SMS shorthand ("xq", "pls")
becomes the full word. CountVectorsFeaturizer reads lemmas, so the classifiers learn one feature
for all spellings: unaccented Spanish and texting no longer look like different words.
"""

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.language import strip_accents

# Unambiguous shorthand only: "k" (ok? que?) and "q" in English ("Q&A") stay as they are,
# except that "q" is nearly always "que" in these patients' messages.
SHORTHAND = {
    # English
    "u": "you", "ur": "your", "r": "are", "pls": "please", "plz": "please", "thx": "thanks",
    "thnx": "thanks", "ty": "thanks", "abt": "about", "wat": "what", "wats": "whats",
    "b4": "before", "meds": "medication", "info": "information", "doc": "doctor",
    # Spanish
    "q": "que", "xq": "porque", "pq": "porque", "porq": "porque", "tmb": "tambien",
    "tb": "tambien", "xfa": "porfavor", "porfa": "porfavor", "x": "por", "pa": "para",
    "d": "de", "dr": "doctor", "dra": "doctora", "medicamentos": "medicinas",
}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class FoldingTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer plus accent- and shorthand-folded lemmas."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **WhitespaceTokenizer.get_default_config(),
            # Extra shorthand → word pairs, added to (or overriding) the built-in SHORTHAND.
            "shorthand": {},
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        extra = config.get("shorthand") or {}
        if not isinstance(extra, dict):
            raise ValueError(
                "FoldingTokenizer: 'shorthand' must map abbreviations to words, e.g. {xq: porque}."
            )
        self._shorthand = {**SHORTHAND, **{strip_accents(k): v for k, v in extra.items()}}

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            folded = strip_accents(token.text)
            token.lemma = self._shorthand.get(folded, folded)
        return tokens
