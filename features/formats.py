"""Numbers and times as their readers expect them, for every page and paper: id-ID decimals
(`1.234,5`) for Indonesian, `1,234.5` for English (each reads the other's `1.234` as another
number), and times in WITA (Kota Mataram's zone)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

WITA = ZoneInfo("Asia/Makassar")


def id_number(value: Any, digits: int = 1, sign: bool = False, none: str = "–") -> str:
    """A comma for decimals, a dot for thousands; `none` where there is no value."""
    if value is None:
        return none
    text = f"{float(value):{'+' if sign else ''},.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def number(
    value: Any, lang: str = "id", digits: int = 1, sign: bool = False, none: str = "–"
) -> str:
    """`value` in the decimals of `lang` (`id`: `id_number`; any other: English's)."""
    if lang == "id" or value is None:
        return id_number(value, digits, sign, none)
    return f"{float(value):{'+' if sign else ''},.{digits}f}"


def wita(at: str | None = None) -> str:
    """An ISO timestamp (default: now) as `dd-mm-yyyy HH:MM` in WITA."""
    when = dt.datetime.fromisoformat(at) if at else dt.datetime.now(dt.UTC)
    return when.astimezone(WITA).strftime("%d-%m-%Y %H:%M")
