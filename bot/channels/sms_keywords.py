"""The SMS keywords carriers and patients expect (STOP, START, HELP and their Spanish forms),
and the clinic's fixed replies to them."""

from dataclasses import dataclass
from typing import Optional

OPT_OUT = {"stop": "en", "stopall": "en", "unsubscribe": "en", "cancel": "en", "end": "en",
           "quit": "en", "parar": "es", "cancelar": "es", "baja": "es"}
OPT_IN = {"start": "en", "unstop": "en", "alta": "es"}
HELP = {"help": "en", "ayuda": "es", "info": "en"}

# Each within 3 SMS segments (the Spanish ones are UCS-2: 201 characters). The help text also
# carries 911 and 988: someone texting HELP or AYUDA may be in crisis.
REPLIES = {
    ("opt_out", "en"): "You will get no more messages from the clinic's assistant. "
                       "Reply START to resume.",
    ("opt_out", "es"): "No recibirá más mensajes del asistente de la clínica. "
                       "Responda ALTA para volver a recibirlos.",
    ("opt_in", "en"): "Welcome back to the clinic's assistant. Ask me about ketamine infusion "
                      "therapy. Reply STOP to opt out.",
    ("opt_in", "es"): "Bienvenido de nuevo al asistente de la clínica. Pregúnteme sobre la "
                      "terapia con ketamina. Responda PARAR para darse de baja.",
    ("help", "en"): "Clinic assistant: general information on ketamine infusion therapy, not "
                    "medical advice. Ask a question or ask for a call from our staff. Emergency: "
                    "call 911. Crisis: call or text 988. Reply STOP to opt out.",
    ("help", "es"): "Asistente de la clínica: información general sobre la ketamina, no consejo "
                    "médico. Emergencia: 911. Crisis: llame al 988 y marque 2. "
                    "Responda PARAR para darse de baja.",
}


@dataclass(frozen=True)
class Keyword:
    kind: str  # opt_out | opt_in | help
    language: str

    @property
    def reply(self) -> str:
        return REPLIES[(self.kind, self.language)]


def keyword(body: str) -> Optional[Keyword]:
    """The keyword a whole message is ("Stop", " BAJA. "), or None for anything else."""
    word = body.strip().strip(".!¡").strip().lower()
    for kind, words in (("opt_out", OPT_OUT), ("opt_in", OPT_IN), ("help", HELP)):
        if word in words:
            return Keyword(kind, words[word])
    return None
