"""Sends an SMS through Twilio's REST API, asynchronously and with retries.

Used only for replies that missed the webhook's own response (the assistant took longer than
Twilio waits). aiohttp, which Rasa already ships, keeps the event loop free; the twilio library's
own client would block it.
"""

import asyncio
import logging
from dataclasses import dataclass
from typing import Optional

import aiohttp

logger = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"


@dataclass(frozen=True)
class TwilioAccount:
    account_sid: str
    auth_token: str
    api_base: str = TWILIO_API  # tests point this at a local stand-in

    def messages_url(self) -> str:
        return f"{self.api_base.rstrip('/')}/2010-04-01/Accounts/{self.account_sid}/Messages.json"


async def send_sms(account: TwilioAccount, to: str, sender: str, body: str,
                   attempts: int = 4, first_delay: float = 1.0,
                   session: Optional[aiohttp.ClientSession] = None) -> bool:
    """True once Twilio accepted the message; retries network errors, 429 and 5xx with backoff."""
    own_session = session is None
    session = session or aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
    delay = first_delay
    try:
        for attempt in range(1, attempts + 1):
            try:
                async with session.post(account.messages_url(),
                                        data={"To": to, "From": sender, "Body": body},
                                        auth=aiohttp.BasicAuth(account.account_sid,
                                                               account.auth_token)) as reply:
                    if reply.status < 300:
                        return True
                    if reply.status != 429 and reply.status < 500:
                        logger.error("Twilio refused a late SMS reply: HTTP %s.", reply.status)
                        return False
                    problem = f"HTTP {reply.status}"
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                problem = type(error).__name__
            logger.warning("Late SMS reply not sent (attempt %d of %d): %s.",
                           attempt, attempts, problem)
            if attempt < attempts:
                await asyncio.sleep(delay)
                delay *= 2
        return False
    finally:
        if own_session:
            await session.close()
