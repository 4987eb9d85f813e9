"""bot/demo_site.py: the demo clinic page embeds the widget from the assistant's address."""

from bot.demo_site import DemoSettings, render_page


def test_the_page_embeds_the_widget_with_one_script_tag():
    page = render_page(DemoSettings(assistant_url="http://localhost:5005", clinic_phone="+1 555"))
    assert page.count("<script src=") == 1
    assert ('<script src="http://localhost:5005/webhooks/web/widget.js" '
            'data-clinic-phone="+1 555" defer></script>') in page


def test_settings_are_escaped_into_the_page():
    page = render_page(DemoSettings(clinic_phone='"><script>alert(1)</script>'))
    assert "<script>alert(1)" not in page
    assert 'data-clinic-phone="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page


def test_settings_come_from_the_environment():
    settings = DemoSettings.from_environment(
        {"DEMO_PORT": "9000", "ASSISTANT_PUBLIC_URL": "https://chat.clinic.example/",
         "CLINIC_PHONE": "+1 555 010 0100"})
    assert (settings.port, settings.assistant_url, settings.clinic_phone) == (
        9000, "https://chat.clinic.example", "+1 555 010 0100")
    assert DemoSettings.from_environment({}) == DemoSettings()
