"""The import report: every source row accounted for.

Per source file: rows read, rows kept, rows dropped or merged with the reason and count,
values repaired; plus the files ignored, the mapping decisions by status, the unknown values
with their counts, and the contract check of the result. Written as `import_report.json`
and `import_report.md` beside the contract folder's tables.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from siasn.mapping import Mapping


@dataclass
class Ledger:
    """What happened to the rows of one source file."""

    file: str
    kind: str
    read: int = 0
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    merged: dict[str, int] = field(default_factory=dict)  # rows folded into another row
    repaired: dict[str, int] = field(default_factory=dict)  # kept, after a proven repair

    def drop(self, reason: str, count: int) -> None:
        if count:
            self.dropped[reason] = self.dropped.get(reason, 0) + int(count)

    def merge(self, reason: str, count: int) -> None:
        if count:
            self.merged[reason] = self.merged.get(reason, 0) + int(count)

    def repair(self, reason: str, count: int) -> None:
        if count:
            self.repaired[reason] = self.repaired.get(reason, 0) + int(count)

    @property
    def accounted(self) -> bool:
        return self.read == self.kept + sum(self.dropped.values()) + sum(self.merged.values())


@dataclass
class ImportReport:
    source: str
    ledgers: list[Ledger] = field(default_factory=list)
    ignored: dict[str, str] = field(default_factory=dict)  # file -> why it was set aside
    notes: list[str] = field(default_factory=list)
    # what a person must look at before trusting the import (a file that may be cut short);
    # printed by the command as well as written
    checks: list[str] = field(default_factory=list)
    contract: dict[str, Any] = field(default_factory=dict)
    # what says the import is right: people and records that did not meet, units by match
    evidence: dict[str, int] = field(default_factory=dict)

    def ledger(self, file: str, kind: str) -> Ledger:
        entry = Ledger(file, kind)
        self.ledgers.append(entry)
        return entry

    def to_dict(self, mapping: Mapping) -> dict[str, Any]:
        return {
            "source": self.source,
            "files": [vars(ledger) | {"accounted": ledger.accounted} for ledger in self.ledgers],
            "ignored_files": self.ignored,
            "mapping": mapping.counts(),
            "unknown_values": [vars(e) for e in mapping.unknown()],
            "notes": self.notes,
            "check_first": self.checks,
            "evidence": self.evidence,
            "contract": self.contract,
        }

    def write(self, out: Path, mapping: Mapping) -> None:
        body = self.to_dict(mapping)
        (out / "import_report.json").write_text(json.dumps(body, indent=1) + "\n")
        (out / "import_report.md").write_text(markdown(body))


def markdown_text(text: object) -> str:
    """Text from a file (a file name, a unit's name) as literal Markdown: HTML and Markdown
    characters escaped, line breaks folded, so a name cannot inject a link, a tag or a row."""
    folded = " ".join(str(text).split())
    return re.sub(r"([\\`*_{}\[\]()<>#+!|~&])", r"\\\1", folded)


def markdown(body: dict[str, Any]) -> str:
    lines = [f"# Import report: {markdown_text(body['source'])}", "", "## Source files", "",
             "| file | kind | read | kept | dropped | merged | repaired | accounted |",
             "| --- | --- | ---: | ---: | --- | --- | --- | --- |"]  # fmt: skip

    def reasons(found: dict[str, int]) -> str:
        return "; ".join(f"{n:,} {r}" for r, n in found.items()) or "-"

    for f in body["files"]:
        lines.append(
            f"| {markdown_text(f['file'])} | {f['kind']} | {f['read']:,} | {f['kept']:,} | {reasons(f['dropped'])} "
            f"| {reasons(f['merged'])} | {reasons(f['repaired'])} | {'yes' if f['accounted'] else 'NO'} |"
        )
    ignored = body["ignored_files"]
    lines += ["", "## Files ignored", ""] + (
        [f"- {markdown_text(name)}: {markdown_text(why)}" for name, why in ignored.items()]
        or ["- none"]
    )
    lines += ["", "## Check first", ""] + [f"- {markdown_text(c)}" for c in body["check_first"] or ["none"]]  # fmt: skip
    lines += ["", "## Mapping decisions (edit mapping.csv, set status to confirmed, re-run)", ""]
    for kind, statuses in body["mapping"].items():
        lines.append(f"- {kind}: " + ", ".join(f"{n:,} rows {s}" for s, n in statuses.items()))
    unknown = body["unknown_values"]
    lines += ["", f"## Unknown values ({len(unknown)})", ""]
    lines += [f"- {u['kind']} {markdown_text(u['source'])}: {u['count']:,} rows, used {markdown_text(u['target'] or '(empty)')}" for u in unknown[:100]]  # fmt: skip
    lines += ["", "## Notes", ""] + [f"- {markdown_text(n)}" for n in body["notes"] or ["none"]]
    lines += ["", "## Evidence", ""] + [f"- {what}: {n:,}" for what, n in body["evidence"].items()]
    contract = body["contract"]
    lines += ["", "## Contract check", "", f"{contract.get('summary', '')}", ""]
    lines += [f"    {line}" for line in contract.get("lines", [])]
    return "\n".join(lines) + "\n"
