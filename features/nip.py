"""The NIP's own rules: 18 digits, the first 8 a real birth date (YYYYMMDD).

A leaf module, so that the API's request schema can check a NIP without importing the
contract's validator."""

from __future__ import annotations

import datetime as dt
import re

from features.contract.schema import NIP_PATTERN


def nip_birth_date(digits: str) -> dt.date | None:
    """The birth date in digits 1-8, or None if they are not a real date."""
    try:
        return dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def nip_format_problem(nip: str) -> str | None:
    """Why a string cannot be a NIP (the API asks before any lookup), or None."""
    if not re.fullmatch(NIP_PATTERN, nip):
        return "must be exactly 18 digits"
    if nip_birth_date(nip) is None:
        return "digits 1-8 are not a real birth date (YYYYMMDD)"
    return None
