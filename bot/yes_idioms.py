"""Rasa NLU graph component: a whole-message "yes" idiom built on a negation word is `affirm`.

Both classifiers learn words, and "no" is their strongest cue for `deny`: the served model read
"por qué no" as deny at 1.00, "no problem" at 0.93, and "sin problema" as an eligibility
question. Asked "May our staff contact you?", that patient was told nothing was sent. Training
examples did not fix it without costing other messages (README, "Measured"), so these idioms are
matched as whole messages instead: only a message that is nothing but one of them (give or take
a leading "yes"/"sí" and a trailing "please"/"por favor") is relabelled. A refusal that merely
contains one ("no, no problem if not") is left to the classifiers.
"""

import logging
from typing import Any, Dict, FrozenSet, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.folding_tokenizer import SHORTHAND
from bot.intent_ranking import intent_name, set_intent
from bot.language import words
from bot.safety import SAFETY_INTENTS

logger = logging.getLogger(__name__)

AFFIRM = "affirm"

# Written as `bot.language.words` folds a message: lowercase, no accents or apostrophes.
# Only idioms that mean yes to every question the assistant asks (book? contact you? more?):
# "not at all" (no, to "may we call you?") and "no worries" / "no pasa nada" (either) are left out.
YES_IDIOMS: FrozenSet[Text] = frozenset({
    # English
    "no problem", "no problemo", "no prob", "no probs", "np", "not a problem",
    "no problem at all", "why not", "dont see why not", "i dont see why not", "cant see why not",
    "i cant see why not", "no reason not to", "no objection", "no objections",
    "i have no objection", "i dont mind", "dont mind", "i dont mind at all", "i wouldnt mind",
    "no doubt", "no doubt about it", "cant hurt", "it cant hurt", "couldnt hurt",
    "wouldnt hurt", "it wouldnt hurt", "not a bad idea",
    # Spanish (Latin America and Spain)
    "por que no", "porque no", "y por que no", "no veo por que no", "no hay problema",
    "no hay ningun problema", "ningun problema", "sin problema", "sin problemas",
    "no es problema", "no tengo problema", "no tengo ningun problema", "no hay inconveniente",
    "no tengo inconveniente", "sin inconveniente", "ningun inconveniente", "no hay bronca",
    "no hay rollo", "no hay drama", "no lo dudes", "ni lo dudes", "no lo dude", "ni lo dude",
    "como no", "no faltaba mas", "faltaria mas", "sin falta", "no me molesta",
    "no estaria mal", "no seria mala idea",
})
# May come before an idiom ("sure, why not") ...
_LEADING = frozenset({"yes", "yeah", "yep", "sure", "ok", "okay", "si", "claro", "vale", "dale",
                      "bueno", "oh", "ah", "pues"})
# ... and after it ("no problem, thanks").
_TRAILING = (("por", "favor"), ("porfavor",), ("please",), ("thanks",), ("thank", "you"),
             ("gracias",))


def is_yes_idiom(text: Optional[Text]) -> bool:
    """True if `text` is one of YES_IDIOMS, give or take a leading yes and a trailing please."""
    tokens = [SHORTHAND.get(word, word) for word in words(text or "")]
    while tokens and tokens[0] in _LEADING:
        tokens = tokens[1:]
    for courtesy in _TRAILING:
        if tuple(tokens[-len(courtesy):]) == courtesy and len(tokens) > len(courtesy):
            tokens = tokens[:-len(courtesy)]
            break
    return " ".join(tokens) in YES_IDIOMS


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class YesIdiomComponent(GraphComponent):
    """Place it after the intent classifiers and before the FallbackClassifier. No options:
    the idioms are YES_IDIOMS above."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "YesIdiomComponent":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            before = intent_name(message)
            # A safety intent here came from a pattern or a strong guess: the SafetyComponent,
            # not this one, judges it.
            if before in SAFETY_INTENTS or not is_yes_idiom(message.get(TEXT)):
                continue
            set_intent(message, AFFIRM, 1.0)
            logger.debug("A yes idiom: intent %s (the classifiers said %s).", AFFIRM, before)
        return messages
