"""Rows of a text export whose fields do not line up with its header, found before pandas
reads the file.

Why. Vendor and hand-made exports do not always quote what needs quoting, and pandas meets
each such row its own way: a separator inside an unquoted cell (`S.H., M.Si` in a
comma-separated file) gives a row more fields than the header and pandas refuses the whole
file, so one degree title sets every employee of the export aside; a line break inside an
unquoted cell (an address, a unit's name) splits one row into two short ones, and pandas pads
the first with empty values and keeps it (a spell without its position, eselon or mutasi
kind) while the second fails on its first field; a separator after every row's last value
(`implode(';', $row) . ";"` in PHP) and not after the header's makes pandas read the first
column as an index, which the reader then drops: the NIP gone and each value under its
neighbour's name.

`line_up` scans the records once with Python's `csv` (quotes honoured, as pandas does) and:
- leaves out each row with more fields than the header whose extra fields are not empty,
  counted with its reason and its lines named to check (which cell held the separator no
  rule can tell);
- trims the empty fields a separator after the last value makes;
- rejoins a run of short rows whose fields, the break read as a space, are exactly the
  header's, where every other row of the file is whole: a writer that leaves out trailing
  empty values (some Excel versions, hand-made files) writes short rows of its own, and there
  two of them may add up by chance, so in such a file they are read as before (padded) and
  named to check.

The last record of a file with no line end after it is left as read: whether it was cut off is
`features.contract.reader.text_end`'s to say.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

SHOWN: Final = 5  # lines or NIPs a line of the report names; the count says how many more

LONG: Final = "more fields than the header (a separator inside a cell the export did not quote)"
SPLIT: Final = "a row split by a line break inside a cell, rejoined"


@dataclass(frozen=True)
class Lined:
    """How a text export's records line up with its header (`line_up`): the records as pandas
    should read them where any had to change (None: the file as it is), rows left out and
    rows repaired by reason, what to check and what was done, each naming its lines."""

    text: str | None = None
    left_out: dict[str, int] = field(default_factory=dict)
    repaired: dict[str, int] = field(default_factory=dict)
    checks: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def _lines(spans: list[tuple[int, int]]) -> str:
    """`lines 6, 90, 1,204` (the first `SHOWN`, then how many more): each span `a-b` where a
    record takes several lines."""
    shown = [f"{a:,}" if a == b else f"{a:,}-{b:,}" for a, b in spans[:SHOWN]]
    more = f" and {len(spans) - SHOWN:,} more" if len(spans) > SHOWN else ""
    return ("line " if len(spans) == 1 and "-" not in shown[0] else "lines ") + ", ".join(shown) + more  # fmt: skip


def records(lines: Iterable[str], separator: str, skipped: int = 0) -> Iterator[tuple[list[str], int, int]]:  # fmt: skip
    """Each record `lines` make with `separator` (a quoted value may span lines), with its
    first and last line (1-based, counting `skipped` lines before `lines`)."""
    reader = csv.reader(lines, delimiter=separator)
    last = skipped
    for row in reader:
        yield row, last + 1, skipped + reader.line_num
        last = skipped + reader.line_num


def _records(path: Path, encoding: str, separator: str, header: int) -> Iterator[tuple[list[str], int, int]]:  # fmt: skip
    """Each record of `path` from its header line on (`records`)."""
    with path.open(encoding=encoding, newline="") as handle:
        for _ in itertools.islice(handle, header):
            pass
        yield from records(handle, separator, header)


def _blank(row: list[str]) -> bool:
    return not any(value.strip() for value in row)


def _runs(shorts: list[tuple[int, int]], width: int) -> tuple[list[list[int]], list[int]]:
    """Of the short records (index, fields) in file order, the runs of consecutive ones whose
    fields, joined where the line broke, are exactly `width`; and the records in none."""
    runs: list[list[int]] = []
    alone: list[int] = []
    k = 0
    while k < len(shorts):
        total, j = shorts[k][1], k
        while total < width and j + 1 < len(shorts) and shorts[j + 1][0] == shorts[j][0] + 1:
            j += 1
            total += shorts[j][1] - 1
        if total == width and j > k:
            runs.append([index for index, _ in shorts[k : j + 1]])
            k = j + 1
        else:
            alone.append(shorts[k][0])
            k += 1
    return runs, alone


def line_up(path: Path, encoding: str, separator: str, header: int, open_end: bool) -> Lined:
    """How `path`'s records line up with its header line (0-based `header`); `open_end`:
    no line end follows its last record (left as read). Raises UnicodeDecodeError where the
    file is not in `encoding`, as pandas would."""
    width = 0
    long: list[tuple[int, int, int]] = []  # index, first line, last line: extra values
    trailing: set[int] = set()  # extra fields all empty: a separator after the last value
    shorts: list[tuple[int, int]] = []
    spans: dict[int, tuple[int, int]] = {}
    count = 0
    for index, (row, first, last) in enumerate(_records(path, encoding, separator, header)):
        count = index
        if index == 0:
            width = len(row)
        elif len(row) > width:
            if _blank(row[width:]):
                trailing.add(index)
            else:
                long.append((index, first, last))
        elif len(row) < width and not _blank(row):
            shorts.append((index, len(row)))
            spans[index] = (first, last)
    if open_end:  # the last record is text_end's
        long = [entry for entry in long if entry[0] != count]
        trailing.discard(count)
        shorts = [entry for entry in shorts if entry[0] != count]
    runs, alone = _runs(shorts, width)
    checks: list[str] = []
    if long:
        checks.append(
            f"{len(long):,} row(s) with more fields than the header's {width} left out "
            f"({_lines([(a, b) for _, a, b in long])}): a separator inside a cell the export "
            "did not quote; quote that column in the export, or mend those rows, and import again"
        )
    joined = [(spans[run[0]][0], spans[run[-1]][1]) for run in runs]
    if runs and alone:  # a writer of short rows: two may add up by chance
        checks.append(
            f"{len(runs):,} pair(s) of short rows that together have the header's {width} fields "
            f"({_lines(joined)}): one row split by a line break inside a cell? Read as separate "
            "rows, since this file also has short rows of its own: check them"
        )
        runs = []
    if not (long or trailing or runs):
        return Lined(checks=tuple(checks))
    text = _rewritten(path, encoding, separator, header, {i for i, _, _ in long}, trailing, runs, width)  # fmt: skip
    notes = (f"{len(runs):,} row(s) split by a line break inside a cell rejoined, the break read as a space ({_lines(joined)})",) if runs else ()  # fmt: skip
    return Lined(
        text=text,
        left_out={LONG: len(long)} if long else {},
        repaired={SPLIT: len(runs)} if runs else {},
        checks=tuple(checks),
        notes=notes,
    )


def _rewritten(
    path: Path, encoding: str, separator: str, header: int, left: set[int], trailing: set[int],
    runs: list[list[int]], width: int,
) -> str:  # fmt: skip
    """The records from the header on, as `line_up` lines them up, written back as CSV."""
    starts = {run[0]: len(run) for run in runs}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\n")
    pending: list[str] = []
    waiting = 0
    for index, (row, _, _) in enumerate(_records(path, encoding, separator, header)):
        if waiting:  # the rest of a split row: its first value continues the last one
            pending[-1] = f"{pending[-1]} {row[0]}" if row else pending[-1]
            pending += row[1:]
            waiting -= 1
            if not waiting:
                writer.writerow(pending)
            continue
        if index in left:
            continue
        if index in starts:
            pending, waiting = list(row), starts[index] - 1
            continue
        writer.writerow(row[:width] if index in trailing else row)
    return out.getvalue()
