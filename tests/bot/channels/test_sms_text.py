"""bot/channels/sms_text.py: how replies are measured, cut and numbered for SMS."""

import re

from bot.channels.sms_text import (
    choice,
    fit,
    is_gsm7,
    numbered_choices,
    render,
    segments,
    septets,
    utf16_units,
)

BUTTONS = [
    {"title": "Tell me more", "payload": "/more"},
    {"title": "Talk to staff", "payload": "/human_handoff"},
]
BOTONES = [
    {"title": "Quiero saber más", "payload": "/more"},
    {"title": "Hablar con el personal", "payload": "/human_handoff"},
]
RESPUESTA = (
    "La ketamina se administra en la clínica bajo supervisión médica. Durante la sesión, "
    "que dura alrededor de cuarenta minutos, una enfermera controla su presión arterial y su "
    "ritmo cardíaco. Es normal sentirse un poco mareado o desconectado; estas sensaciones "
    "desaparecen poco después de terminar. No podrá conducir el resto del día, así que "
    "necesitará que alguien lo lleve a casa. Antes de la primera sesión, el médico revisará "
    "sus medicamentos y su historial para decidir si el tratamiento es adecuado para usted. "
    "Si tiene preguntas sobre el costo o el seguro, nuestro equipo puede ayudarle por teléfono."
)


def test_plain_english_fits_one_segment_up_to_160_characters():
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2


def test_concatenated_gsm_parts_hold_153_characters():
    assert segments("a" * 306) == 2
    assert segments("a" * 307) == 3


def test_empty_text_is_one_segment():
    assert segments("") == 1


def test_one_accent_outside_gsm_forces_ucs2_and_a_second_segment():
    plain = "a" * 71
    accented = "á" + "a" * 70
    assert segments(plain) == 1
    assert not is_gsm7(accented)
    assert segments(accented) == 2


def test_accents_outside_gsm_are_detected():
    for char in "áíóúÁÍÓÚç…":
        assert not is_gsm7(char), char


def test_spanish_letters_in_the_gsm_alphabet_keep_gsm7():
    assert is_gsm7("¿Qué efectos tiene? ¡Señal! Pingüino, à la carte. Él")
    assert is_gsm7("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤ÄÖÑÜ§äöñü")


def test_extension_characters_are_gsm7_but_count_two_septets():
    assert is_gsm7("€{}[]~|^\\\f")
    assert septets("€") == 2
    assert septets("{") == 2
    assert septets("a€{") == 5


def test_an_extension_character_is_not_split_across_parts():
    # 306 septets would be 2 parts of 153, but "€" (ESC + char) cannot start at the 153rd
    # septet of part one, so it moves and part two overflows into a third.
    text = "a" * 152 + "€" + "a" * 152
    assert septets(text) == 306
    assert segments(text) == 3
    assert segments("a" * 151 + "€" + "a" * 153) == 2


def test_an_emoji_counts_two_utf16_units():
    assert utf16_units("🙂") == 2
    assert utf16_units("á🙂") == 3
    assert segments("🙂" * 35) == 1
    assert segments("🙂" * 36) == 2


def test_buttons_render_as_one_numbered_line_each():
    assert numbered_choices(BUTTONS) == "1) Tell me more\n2) Talk to staff"
    assert numbered_choices([]) == ""


def test_a_title_with_line_breaks_stays_on_its_line():
    assert numbered_choices([{"title": "Talk\nto  staff", "payload": "/x"}]) == "1) Talk to staff"


def test_a_number_reply_picks_that_button():
    for reply in ("2", " 2. ", "#2", "2)", "# 2"):
        assert choice(reply, BUTTONS) == "/human_handoff", reply
    assert choice("1", BUTTONS) == "/more"


def test_anything_but_a_listed_number_picks_nothing():
    for reply in ("0", "9", "two", "2 please", "", "1 2", "-1", "2.5"):
        assert choice(reply, BUTTONS) is None, reply


def test_fit_keeps_text_that_already_fits():
    assert fit("Hola, ¿cómo está?") == "Hola, ¿cómo está?"
    assert fit("a" * 160, max_segments=1) == "a" * 160


def test_fit_cuts_long_spanish_at_a_word_boundary_with_ascii_dots():
    fitted = fit(RESPUESTA * 2)
    assert segments(fitted) <= 3
    assert fitted.endswith("...")
    kept = fitted[: -len("...")]
    assert (RESPUESTA * 2).startswith(kept)
    assert (RESPUESTA * 2)[len(kept)] in " ,.;"  # the next character ended a word
    assert len(fitted) > 150  # a cut, not an emptying: 3 UCS-2 segments hold 201


def test_fit_leaves_room_for_the_suffix():
    suffix = "\n1) Tell me more\n2) Talk to staff"
    fitted = fit("word " * 200, max_segments=2, suffix=suffix)
    assert segments(fitted + suffix) <= 2
    assert len(fitted + suffix) > 300  # 2 GSM-7 parts hold 306: the cut wastes at most a word


def test_fit_measures_the_cut_text_in_its_own_encoding():
    # The only "á" is in the part cut off, so what is sent is GSM-7 and gets 160 characters.
    text = "a " * 90 + "á"
    fitted = fit(text, max_segments=1)
    assert is_gsm7(fitted)
    assert 150 < len(fitted) <= 160


def test_fit_cuts_a_single_overlong_word_mid_word():
    fitted = fit("https://example.org/" + "x" * 300, max_segments=1)
    assert fitted.endswith("...")
    assert len(fitted) == 160


def test_render_of_a_long_spanish_answer_fits_and_ends_with_the_choices():
    body = render(RESPUESTA, BOTONES)
    assert segments(body) <= 3
    assert body.endswith("\n1) Quiero saber más\n2) Hablar con el personal")
    assert re.search(r"\.\.\.\n1\) ", body)


def test_render_without_buttons_is_just_the_text():
    assert render("Hello", []) == "Hello"


def test_render_drops_choices_that_cannot_fit_on_their_own():
    many = [{"title": "option number %d here" % n, "payload": str(n)} for n in range(20)]
    body = render("Pick one", many, max_segments=1)
    assert body == "Pick one"
