"""The human page of the contract, generated from the schema so it cannot drift from what
the validator enforces: `penataan contract --out docs/contract.md` (a test keeps the
committed page equal to this output)."""

from __future__ import annotations

from features import vocab
from features.contract.schema import TABLES, Column, Table


def _presence(column: Column) -> str:
    if not column.present:
        return "optional column"
    return "may be empty" if column.nullable else "required"


def _table(table: Table) -> list[str]:
    need = "required file" if table.required else "optional file"
    lines = [
        f"## `{table.name}.csv`",
        "",
        f"{table.description[:1].upper()}{table.description[1:]} ({need}; also `.parquet`, or a workbook: `.xlsx`, `.xls`, `.ods`).",
        "",
        "| column | presence | rule |",
        "| --- | --- | --- |",
    ]
    for column in table.columns:
        rule = column.rule().removesuffix(", may be empty").removesuffix(", required")
        if column.aliases:
            rule += "; also read under its former name " + ", ".join(
                f"`{a}`" for a in column.aliases
            )
        lines.append(f"| `{column.name}` | {_presence(column)} | {rule.replace('|', '&#124;')} |")
    return [*lines, ""]


def contract_markdown() -> str:
    """The contract page: one section per table, one row per column with its rule."""
    lines = [
        "# The Penataan data contract (generated)",
        "",
        "Generated from `features/contract/schema.py` by `penataan contract`; do not edit by",
        "hand. A data directory holds one file per table, UTF-8 (a BOM is accepted), `,`",
        "separators, dates as `YYYY-MM-DD`, an empty cell for a missing value. Rules across rows",
        "and tables (unique keys, references, NIP digits, overlapping assignments) are in",
        "`features/contract/rules.py`; `penataan validate DIR` checks them all.",
        "",
    ]
    for table in TABLES:
        lines += _table(table)
    lines += [
        "## Lists",
        "",
        "Education fields (`required_fields`, `education_field`) and the unit domains each suits:",
        "",
        *[f"- `{f}`: {', '.join(ds) or '(none in particular)'}" for f, ds in vocab.FIELD_SUITS.items()],
        "",
        "Competencies (`required_competencies`, `competency`): "
        + ", ".join(f"`{c}`" for c in vocab.COMPETENCIES) + ".",
        "",
    ]  # fmt: skip
    return "\n".join(lines)
