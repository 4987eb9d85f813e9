"""Phone numbers as staff dial them: E.164, US by default, other countries accepted."""

import re
from typing import Optional

import phonenumbers

DEFAULT_REGION = "US"
# A message may say "my number is 555 123 4567, call after 5": the longest run of phone-ish text.
_CANDIDATE = re.compile(r"\+?\d[\d\s().\-]{5,}\d")


def normalise(text: str, region: str = DEFAULT_REGION) -> Optional[str]:
    """The E.164 form of the first valid phone number in `text`, or None."""
    for candidate in _CANDIDATE.findall(text or ""):
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None

