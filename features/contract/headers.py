"""A header as words, whatever system wrote it.

The same column is `NIP BARU` in SIASN's download, `nipBaru` in its API, `nip_baru` in a
SIMPEG database dump and `tmtJabatan_` beside `tmtJabatan` where a dump keeps an ISO twin
of a date. Read as words, upper case, they are one name: what the importer's kinds
(`siasn.kinds`) and `penataan validate`'s hint that a folder holds SIASN exports compare.
"""

from __future__ import annotations

import re


def header_words(raw: object) -> str:
    """`tmtJabatan_`, `tmt_jabatan`, ` TMT  JABATAN ` -> `TMT JABATAN`, `Gol/Ruang` -> `GOL
    RUANG`: a BOM dropped, camelCase humps, `_`, `.` and `/` as spaces, upper case, spaces
    folded."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", str(raw).replace("\ufeff", ""))
    return " ".join(re.sub(r"[_./]", " ", text).upper().split())
