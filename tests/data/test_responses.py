"""What staff edit: every response exists in both languages, fits a phone, and buttons work."""

from bot.channels import sms_text
from tests.responses import variation

BILINGUAL_BY_DESIGN = {"utter_other_language"}  # answers a message in neither language
MAX_CHARACTERS = 600


def test_every_response_has_an_english_default_and_a_spanish_variation(agent):
    for name, variations in agent.domain.responses.items():
        if name in BILINGUAL_BY_DESIGN:
            continue
        for_every_channel = [v for v in variations if not v.get("channel")]
        assert len(for_every_channel) == 2, f"{name} should have an English and a Spanish text"
        assert variation(agent.domain.responses, name, "en")["text"]
        assert variation(agent.domain.responses, name, "es")["text"]


def test_an_english_sms_variation_has_a_spanish_one(agent):
    """Rasa prefers an unconditioned variation for the channel over a Spanish one for every
    channel, so an English SMS text alone would answer Spanish conversations too."""
    for name, variations in agent.domain.responses.items():
        try:
            variation(agent.domain.responses, name, "en", channel="sms")
        except KeyError:
            continue
        assert variation(agent.domain.responses, name, "es", channel="sms")["text"], name


def test_every_reply_fits_three_sms_segments_whole(agent):
    """What the SMS channel sends for each response (its SMS variation if it has one), buttons
    as a numbered list, is not cut to fit."""
    cut = []
    for name, variations in agent.domain.responses.items():
        for language in ("en", "es"):
            try:
                chosen = variation(agent.domain.responses, name, language, channel="sms")
            except KeyError:
                chosen = variation(agent.domain.responses, name,
                                   "en" if name in BILINGUAL_BY_DESIGN else language)
            text = chosen["text"].format(patient_name="María José Fernández",
                                         phone="+12125550123", sms_phone="+12125550123")
            sent = sms_text.render(text, chosen.get("buttons") or [], max_segments=3)
            if not sent.startswith(text):
                cut.append((name, language, sms_text.segments(text)))
    assert cut == []


def test_every_faq_topic_has_a_follow_up(agent):
    topics = [n.split("/")[1] for n in agent.domain.responses if n.startswith("utter_faq/")]
    # The eight topics the product promises; staff may add more (docs/editing-faqs.md).
    assert {"how_it_works", "fda_status", "what_to_expect", "side_effects", "conditions",
            "eligibility", "cost", "provider"} <= set(topics)
    assert all(f"utter_more_{t}" in agent.domain.responses for t in topics)


def test_answers_are_short_enough_for_a_phone(agent):
    too_long = [(name, len(v["text"])) for name, variations in agent.domain.responses.items()
                for v in variations if len(v["text"]) > MAX_CHARACTERS]
    assert not too_long


def _topic_buttons(agent):
    """The topic buttons of the fallback reply, English then Spanish; not the staff button."""
    for language in ("en", "es"):
        for button in variation(agent.domain.responses, "utter_fallback_topics", language)["buttons"]:
            if not button["payload"].startswith("/"):
                yield language, button["title"], button["payload"]


def test_topic_buttons_ask_questions_that_land_on_their_topic(agent, run):
    expected_topics = ["how_it_works", "fda_status", "what_to_expect", "side_effects",
                       "conditions", "eligibility", "cost", "provider"] * 2
    for (language, title, payload), topic in zip(_topic_buttons(agent), expected_topics):
        parsed = run(agent.parse_message(payload))
        key = parsed.get("response_selector", {}).get("faq", {}).get("response", {})
        assert parsed["intent"]["name"] == "faq", title
        assert key.get("intent_response_key") == f"faq/{topic}", title
        assert parsed["language"] == language, title
