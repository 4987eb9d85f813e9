"""bot/channels/twilio_api.py against a local HTTP stand-in for Twilio's Messages API (this machine
cannot reach Twilio): real requests, real retries."""


from aiohttp import web

from bot.channels.twilio_api import TwilioAccount, send_sms


def _twilio(statuses, received):
    """A Messages endpoint answering with `statuses` in turn, recording what it was sent."""
    async def messages(request):
        received.append((request.match_info["sid"], dict(await request.post()),
                         request.headers.get("Authorization", "")))
        return web.json_response({}, status=statuses[min(len(received), len(statuses)) - 1])

    app = web.Application()
    app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", messages)
    return app


def _send(run, statuses, received):
    async def scenario():
        runner = web.AppRunner(_twilio(statuses, received))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            account = TwilioAccount("AC123", "secret", f"http://127.0.0.1:{port}")
            return await send_sms(account, "+12125550100", "+15550100100", "Hola", attempts=3,
                                  first_delay=0.01)
        finally:
            await runner.cleanup()
    return run(scenario())


def test_a_late_reply_is_retried_until_twilio_accepts_it(run):
    received = []
    assert _send(run, [503, 500, 201], received) is True
    assert len(received) == 3
    sid, form, authorization = received[-1]
    assert (sid, form) == ("AC123", {"To": "+12125550100", "From": "+15550100100", "Body": "Hola"})
    assert authorization.startswith("Basic ")


def test_a_refused_reply_is_not_retried(run):
    received = []
    assert _send(run, [400], received) is False
    assert len(received) == 1


def test_gives_up_after_the_last_attempt(run):
    received = []
    assert _send(run, [500], received) is False
    assert len(received) == 3
