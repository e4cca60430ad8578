"""The HR data contract as typed table schemas.

Every rule of the contract that concerns one cell lives here as data (type, vocabulary,
range, pattern), so the validator can report it by name and the docs can be generated from
the same source. Rules that span rows or tables live in `features.contract.validate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from features import vocab

Kind = Literal["str", "int", "float", "date", "enum", "fields", "competency_levels"]


@dataclass(frozen=True)
class Column:
    """One column of a contract table and the rule every cell must keep."""

    name: str
    kind: Kind
    present: bool = True  # the column must exist in the file
    nullable: bool = False  # an empty cell is allowed
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    low: float | None = None
    high: float | None = None
    low_exclusive: bool = False
    # Other names a file may give the column, read as this one (`cells.parse_table`): the
    # ratings were `hasil_kerja` and `perilaku_kerja` before the contract's `rating_` names.
    aliases: tuple[str, ...] = ()

    def rule(self) -> str:
        """The cell rule in words, as quoted in violation messages."""
        parts: list[str] = []
        if self.kind == "enum":
            parts.append("one of " + ", ".join(self.choices))
        elif self.kind == "date":
            parts.append("an ISO date YYYY-MM-DD")
        elif self.kind == "int":
            parts.append("a whole number")
        elif self.kind == "float":
            parts.append("a number")
        elif self.kind == "fields":
            parts.append("';'-separated education fields from the field list")
        elif self.kind == "competency_levels":
            parts.append("';'-separated competency:level pairs, level 1-5")
        else:
            parts.append("text")
        if self.pattern:
            parts.append(f"matching {self.pattern}")
        if self.low is not None:
            parts.append(f"{'>' if self.low_exclusive else '>='} {self.low:g}")
        if self.high is not None:
            parts.append(f"<= {self.high:g}")
        parts.append("may be empty" if self.nullable else "required")
        return ", ".join(parts)


@dataclass(frozen=True)
class Table:
    """A contract table: its columns and whether the file must exist."""

    name: str
    columns: tuple[Column, ...]
    required: bool = True
    description: str = ""
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))


UNIT_ID_PATTERN: Final[str] = r"[A-Za-z0-9_.-]{1,40}"
NIP_PATTERN: Final[str] = r"[0-9]{18}"


def _rating(name: str) -> Column:
    """A PermenPANRB 6/2022 rating (`rating_hasil_kerja`), also read under its former name
    (`hasil_kerja`, as files written before the contract's names carry it)."""
    return Column(
        f"rating_{name}", "enum", present=False, nullable=True, choices=vocab.RATINGS,
        aliases=(name,),
    )  # fmt: skip


def _optional_float(name: str, low: float, high: float) -> Column:
    return Column(name, "float", present=False, nullable=True, low=low, high=high)


UNITS = Table(
    "units",
    (
        Column("unit_id", "str", pattern=UNIT_ID_PATTERN),
        Column("unit_name", "str"),
        Column("unit_kind", "enum", choices=vocab.UNIT_KINDS),
        Column("parent_unit_id", "str", present=False, nullable=True),
        Column("domain", "enum", choices=vocab.DOMAINS),
        Column("capacity", "int", low=1),
        Column("required_fields", "fields", nullable=True),
        Column("required_competencies", "competency_levels", nullable=True),
        Column("kelurahan", "str", present=False, nullable=True),
        _optional_float("latitude", -90, 90),
        _optional_float("longitude", -180, 180),
    ),
    description="work units (unit kerja) an employee can be placed in",
)

EMPLOYEES = Table(
    "employees",
    (
        Column("nip", "str", pattern=NIP_PATTERN),
        Column("name", "str", nullable=True),
        Column("sex", "enum", choices=vocab.SEXES, nullable=True),
        Column("birth_date", "date", nullable=True),
        Column("religion", "enum", present=False, nullable=True, choices=vocab.RELIGIONS),
        Column(
            "marital_status", "enum", present=False, nullable=True, choices=vocab.MARITAL_STATUSES
        ),
        Column("employment_type", "enum", choices=vocab.EMPLOYMENT_TYPES, nullable=True),
        Column("golongan", "enum", choices=vocab.GOLONGAN, nullable=True),
        Column("education_level", "enum", choices=vocab.EDUCATION_LEVELS, nullable=True),
        Column("education_field", "enum", choices=vocab.FIELDS, nullable=True),
        Column("service_start", "date", nullable=True),
        Column("status", "enum", choices=vocab.STATUSES),
        Column("home_kelurahan", "str", present=False, nullable=True),
        _optional_float("home_latitude", -90, 90),
        _optional_float("home_longitude", -180, 180),
        Column("willing_to_move", "enum", present=False, nullable=True, choices=vocab.WILLINGNESS),
    ),
    description="one row per ASN, former staff included (their history is training data); "
    "every column but nip and status may be empty only for former staff (a current-state "
    "export does not know them): their birth date is then read from the NIP, and their "
    "service start too (a PNS's TMT CPNS, an NI PPPK's year of appointment)",
)

ASSIGNMENTS = Table(
    "assignments",
    (
        Column("nip", "str", pattern=NIP_PATTERN),
        Column("unit_id", "str"),
        Column("position_title", "str"),
        Column("position_type", "enum", choices=vocab.POSITION_TYPES),
        Column("start_date", "date"),
        Column("end_date", "date", nullable=True),
    ),
    description="riwayat jabatan: who worked where, when",
)

EVALUATIONS = Table(
    "evaluations",
    (
        Column("nip", "str", pattern=NIP_PATTERN),
        Column("period", "int", low=1900, high=2100),
        Column("unit_id", "str"),
        Column("score", "float", present=False, nullable=True, low=0, high=100),
        Column("predikat", "enum", present=False, nullable=True, choices=vocab.PREDIKAT),
        _rating("hasil_kerja"),
        _rating("perilaku_kerja"),
    ),
    description="penilaian kinerja, one row per employee per period: a score (PP 46/2011, "
    "up to 2021) or a predikat with its two ratings (PermenPANRB 6/2022, from 2022), or both",
)

COMPETENCIES = Table(
    "competencies",
    (
        Column("nip", "str", pattern=NIP_PATTERN),
        Column("assessed_on", "date"),
        Column("competency", "enum", choices=vocab.COMPETENCIES),
        Column("level", "int", low=1, high=5),
    ),
    required=False,
    description="assessment results (uji kompetensi)",
)

TRAININGS = Table(
    "trainings",
    (
        Column("nip", "str", pattern=NIP_PATTERN),
        Column("completed_on", "date"),
        Column("domain", "enum", choices=vocab.DOMAINS),
        Column("hours", "float", low=0, low_exclusive=True),
        Column("title", "str", present=False, nullable=True),
    ),
    required=False,
    description="riwayat diklat",
)

DISCIPLINE = Table(
    "discipline",
    (
        Column("nip", "str", pattern=NIP_PATTERN),
        Column("decided_on", "date"),
        Column("severity", "enum", choices=vocab.SEVERITIES),
    ),
    required=False,
    description="hukuman disiplin",
)

UNIT_KPIS = Table(
    "unit_kpis",
    (
        Column("unit_id", "str"),
        Column("period", "int", low=1900, high=2100),
        _optional_float("ikm", 0, 100),
        Column("complaints", "int", present=False, nullable=True, low=0),
        Column("avg_wait_minutes", "float", present=False, nullable=True, low=0),
    ),
    required=False,
    description="public-service results of a unit per year",
)

TABLES: Final[tuple[Table, ...]] = (
    UNITS,
    EMPLOYEES,
    ASSIGNMENTS,
    EVALUATIONS,
    COMPETENCIES,
    TRAININGS,
    DISCIPLINE,
    UNIT_KPIS,
)
TABLES_BY_NAME: Final[dict[str, Table]] = {t.name: t for t in TABLES}
