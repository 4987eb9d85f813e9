"""What a channel says, in both languages, about a message it could not hand to the assistant."""

# Both languages: a message that was not read has no language yet.
TOO_LONG = ("Sorry, that message is too long for me. Could you ask in a few sentences? / "
            "Lo siento, ese mensaje es demasiado largo. ¿Podría preguntarlo en pocas frases?")
TEXT_ONLY = ("Sorry, I can only read text messages. Please type your question. / "
             "Lo siento, solo puedo leer texto. Por favor, escriba su pregunta.")
