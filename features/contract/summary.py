"""`penataan validate` for people: violations grouped by file, column and rule with counts
and a few examples, plus hints for the usual causes of a failed export.

A raw export can break a rule a hundred thousand times for thirty reasons; a person needs the
thirty reasons, each once, with what to do. Every violation stays available (`--all`, or
`--json`): the summary only groups them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from features.contract.headers import header_words
from features.contract.reader import SUFFIXES, loose, separator_of
from features.contract.schema import TABLES
from features.contract.violations import ABSENT, Violation
from features.nip import PRINTED_NIP

EXAMPLES = 3  # rows quoted per cause
SIASN_HEADERS = frozenset({"PNS ID", "NIP BARU", "NIP LAMA", "UNOR ID", "JENIS JABATAN NAMA", "GOL AKHIR ID"})  # fmt: skip


@dataclass(frozen=True)
class Cause:
    """Violations of one rule in one column of one file."""

    file: str
    column: str | None
    rule: str
    count: int
    examples: tuple[Violation, ...]
    hint: str | None

    def lines(self) -> list[str]:
        where = f"column {self.column}" if self.column else "file"
        rows = ", ".join(
            f"row {v.row} {v.shown}" if v.row is not None else v.shown
            for v in self.examples
            if v.row is not None or v.value is not None
        )
        head = f"  {where}: {self.rule}"
        head += f" ({self.count:,} row{'s' * (self.count != 1)}" + (
            f", e.g. {rows})" if rows else ")"
        )
        if self.count == 1 and self.examples[0].row is None:
            head = f"  {where}: {self.rule}"
        return [head] + ([f"    hint: {self.hint}"] if self.hint else [])


def _rule_key(rule: str) -> str:
    """The rule without its row-specific details (values quoted in parentheses)."""
    return re.sub(r"\([^)]*\)", "(...)", rule)


def causes(violations: Iterable[Violation]) -> list[Cause]:
    """Violations grouped by (file, column, rule), in file order, most frequent first."""
    groups: dict[tuple[str, str | None, str], list[Violation]] = {}
    absent: dict[str, list[str]] = {}
    for v in violations:
        if v.rule == ABSENT and v.column is not None:  # one cause: usually a wrong header
            absent.setdefault(v.file, []).append(v.column)
            continue
        groups.setdefault((v.file, v.column, _rule_key(v.rule)), []).append(v)
    for file, columns in absent.items():
        rule = f"required column(s) absent: {', '.join(columns)}"
        groups[(file, None, rule)] = [Violation(file, None, None, None, rule)]
    files = list(dict.fromkeys(key[0] for key in groups))
    ordered = sorted(groups.items(), key=lambda kv: (files.index(kv[0][0]), -len(kv[1])))
    # a cause of one violation keeps its own details: a file-level one (a cut file's row,
    # a reader's error) has no row or value to quote as an example
    return [
        Cause(file, column, found[0].rule if len(found) == 1 else _first_details(rule, found[0].rule),
              len(found), tuple(found[:EXAMPLES]), _cell_hint(found, _choices(file, column)))
        for (file, column, rule), found in ordered
    ]  # fmt: skip


def _first_details(key: str, first: str) -> str:
    """The cause's rule with each elided detail shown as its first violation has it, marked
    as one of several: `(...)` -> `(no assignment to this unit overlaps 2016, ...)`."""
    details = iter(re.findall(r"\(([^)]*)\)", first))

    def shown(_: re.Match[str]) -> str:
        detail = next(details, "")
        return f"({detail}, ...)" if detail else "(...)"

    return re.sub(r"\(\.\.\.\)", shown, key)


DAY_FIRST = re.compile(r"[0-3]?[0-9][-/.][01]?[0-9][-/.][12][0-9]{3}")


def _choices(file: str, column: str | None) -> tuple[str, ...]:
    """The values a contract column allows (none for a column that is not a list)."""
    table = next((t for t in TABLES if t.name == Path(file).stem), None)
    found = next((c for c in table.columns if c.name == column), None) if table else None
    return found.choices if found else ()


def _cell_hint(found: list[Violation], choices: tuple[str, ...] = ()) -> str | None:
    """What usually causes these values, judged from the examples; `choices`, the values the
    column allows, tell a value that differs from one only in case or spaces."""
    values = [v.value for v in found[:50] if v.value is not None]
    if not values:
        return None
    by_loose = {loose(c): c for c in choices}
    # values the list holds as written broke another rule (a PPPK's golongan for a PNS)
    if by_loose and all(loose(v) in by_loose and v not in choices for v in values):
        v = values[0]
        return f"only case or spaces differ ({v!r} is {by_loose[loose(v)]!r}): write the values as the contract does"  # fmt: skip
    if all(DAY_FIRST.fullmatch(v) for v in values):
        return "dates are day-first (dd-mm-yyyy): write them as YYYY-MM-DD"
    if all(re.fullmatch(r"[12][0-9]{3}-[0-9]{1,2}-[0-9]{1,2}", v) for v in values):
        return "a month or day of one digit: write two (1985-03-02, not 1985-3-2)"
    if all(re.fullmatch(PRINTED_NIP, v) for v in values):
        return "NIPs in their printed groups: write the 18 digits without spaces or dots"
    if all(v.startswith("'") for v in values):
        return "a leading ' (Excel's guard for long numbers): remove it"
    if all(v.lower() == "null" for v in values):
        return "the text 'null' stands for an empty cell: leave the cell empty"
    if all(v in {"M", "F"} for v in values):
        return "sex is L/P in the contract (M -> L, F -> P)"
    if all(re.fullmatch(r"-?[0-9]+,[0-9]+", v) for v in values):
        return "decimal commas: write 82.5, not 82,5"
    if all(re.fullmatch(r"[0-9.]+[eE]\+?[0-9]+|[0-9]{15}0{3}", v) for v in values):
        return (
            "NIPs mangled by Excel (15 significant digits): re-export as text, "
            "or `penataan import siasn` repairs the ones it can prove"
        )
    return None


def _header(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return handle.readline(64 * 1024).decode("utf-8-sig", errors="replace").strip()
    except OSError:
        return ""


def _columns(header: str) -> list[str]:
    return [c.strip().strip('"') for c in header.split(separator_of(header))]


def directory_hints(directory: Path) -> list[str]:
    """Hints about the directory as a whole: files ignored, files that look like another
    table, separators other than ',', a SIASN/SIMPEG export given where a contract folder
    belongs."""
    if not directory.is_dir():
        return []
    names = {t.name for t in TABLES}
    out: list[str] = []
    ignored: list[str] = []
    siasn: list[str] = []
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        if path.name.startswith("."):
            continue
        header = _header(path) if path.suffix in {".csv", ".tsv", ".txt"} else ""
        columns = set(_columns(header)) if header else set()
        if path.stem in names and path.suffix in SUFFIXES:
            if header and "," not in header and any(s in header for s in ";|\t"):
                sep = {";": "';'", "|": "'|'", "\t": "tab"}[max(";|\t", key=header.count)]
                out.append(f"{path.name} is {sep}-separated; the contract's CSV uses ','")
            continue
        ignored.append(path.name)
        if {header_words(c) for c in columns} & SIASN_HEADERS:
            siasn.append(path.name)
            continue
        best = max(TABLES, key=lambda t: len(columns & set(t.column_names)))
        if columns and len(columns & set(best.column_names)) >= len(best.column_names) / 2:
            out.append(f"{path.name} looks like the {best.name} table: name it {best.name}.csv")
    if siasn:
        out.insert(0, f"{', '.join(siasn)} look(s) like a SIASN/SIMPEG export: convert the folder "
                   f"with `penataan import siasn {directory} --out NEW_FOLDER`")  # fmt: skip
    if ignored:
        shown = ", ".join(ignored[:8]) + (
            f" and {len(ignored) - 8} more" if len(ignored) > 8 else ""
        )
        out.insert(0, f"{len(ignored)} file(s) not part of the contract, ignored: {shown}")
    return out


def summary_lines(violations: list[Violation], hints: list[str], limit: int = 60) -> list[str]:
    """At most `limit` lines: each cause once with its count, grouped by file, then hints."""
    grouped = causes(violations)
    budget = limit - 2 - min(len(hints), 8)
    totals: dict[str, list[int]] = {}
    for cause in grouped:
        totals.setdefault(cause.file, []).append(cause.count)
    lines: list[str] = []
    shown, file = 0, None
    for cause in grouped:
        block = cause.lines()
        if cause.file != file:
            counts = totals[cause.file]
            block.insert(0, f"{cause.file}: {sum(counts):,} violation(s), {len(counts)} cause(s)")
        if len(lines) + len(block) > budget:
            break
        lines += block
        shown, file = shown + 1, cause.file
    if shown < len(grouped):
        lines.append(f"... {len(grouped) - shown} more cause(s): `--all` lists every violation")
    lines += [f"hint: {h}" for h in hints[:8]]
    return lines
