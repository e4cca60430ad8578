"""The NIP's own rules and what its digits say: 18 digits, the first 8 a real birth date
(YYYYMMDD); a PNS's digits 9-14 its TMT CPNS (YYYYMM) and digit 15 its sex; an NI PPPK's
digits 9-12 its year of appointment and digit 13 a 2.

A leaf module, so that the API's request schema can check a NIP without importing the
contract's validator; the validator and the SIASN importer read a former employee's missing
dates from here."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Final

from features.contract.schema import NIP_PATTERN

# a NIP as printed on an SK or an ID card: 8, 6, 1 and 3 digits apart (spaces, dots or dashes)
PRINTED_NIP: Final = r"[0-9]{8}[\s.\-]+[0-9]{6}[\s.\-]+[0-9][\s.\-]+[0-9]{3}"
PRINTED_SEPARATOR: Final = r"[\s.\-]"


def without_format_marks(text: str) -> str:
    """`text` without Unicode's format characters (category Cf: zero-width spaces and joiners,
    direction marks, a soft hyphen, a byte-order mark inside a text): marks no one sees,
    which a copy from a web page or a chat leaves, and which make `1985...` not 18 digits and
    a unit's name not its name. ASCII has none: such a text is returned as it is, at C speed
    (the importer asks for every cell of an export)."""
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def nip_as_typed(text: str) -> str:
    """A NIP as people type or paste it (into the pages' form, or an HR tool's field): the
    spaces around it dropped, and its printed groups (`19850312 201001 1 001`) read as its 18
    digits; the invisible marks a copy from a web page or a chat carries (zero-width spaces,
    direction marks: Unicode's format characters) dropped and digits of another script (a
    phone keyboard's full-width or Arabic-Indic) read as digits; anything else as it is, for
    the NIP's rules to refuse. A leading `'`, Excel's mark for a number kept as text (SIASN's
    CSV exports write every NIP so), is dropped too."""
    seen = without_format_marks(text)
    text = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in seen).strip()
    text = text[1:].lstrip() if text.startswith("'") else text
    return re.sub(PRINTED_SEPARATOR, "", text) if re.fullmatch(PRINTED_NIP, text) else text


def nip_birth_date(digits: str) -> dt.date | None:
    """The birth date in digits 1-8, or None if they are not a real date."""
    try:
        return dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def is_pppk_number(digits: str) -> bool:
    """Digit 13 is 2: an NI PPPK (a PNS's digits 13-14 are a month, 01-12)."""
    return digits[12] == "2"


def nip_service_start(digits: str) -> dt.date | None:
    """The TMT the number carries: a PNS's TMT CPNS (digits 9-14, the first of that month),
    an NI PPPK's year of appointment (digits 9-12, taken as 1 January); None where those
    digits are not a real date or fall before the birth date."""
    try:
        year = int(digits[8:12])
        start = dt.date(year, 1 if is_pppk_number(digits) else int(digits[12:14]), 1)
    except ValueError:
        return None
    born = nip_birth_date(digits)
    return start if born is not None and start > born and year <= 2100 else None


def nip_sex(digits: str) -> str | None:
    """A PNS's sex from digit 15 (1 L, 2 P); an NI PPPK's number does not say."""
    return None if is_pppk_number(digits) else {"1": "L", "2": "P"}.get(digits[14])


def nip_format_problem(nip: str) -> str | None:
    """Why a string cannot be a NIP (the API asks before any lookup), or None."""
    if not re.fullmatch(NIP_PATTERN, nip):
        return "must be exactly 18 digits"
    if nip_birth_date(nip) is None:
        return "digits 1-8 are not a real birth date (YYYYMMDD)"
    return None
