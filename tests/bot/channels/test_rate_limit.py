"""bot/channels/rate_limit.py: a sliding window per sender."""

from bot.channels.rate_limit import RateLimit


def test_allows_the_limit_then_refuses_until_the_window_moves_on():
    now = [0.0]
    limit = RateLimit(messages=3, seconds=10, clock=lambda: now[0])
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("b")  # other senders are not affected
    now[0] = 10.0
    assert limit.allow("a")
