"""Scoring every active employee against every (eligible) unit: `penataan score`.

A staff is scored a part at a time (about 300,000 pairs' worth of employees, or
`PENATAAN_SCORE_CHUNK` employees): the feature rows of one part are built, predicted and
dropped before the next part's are built, all from one snapshot of the records, so peak
memory is set by the part, not by the whole staff x units (`bench/trees.py`). The decision's
threshold is a property of the whole staff (each employee's best move, ranked together), so
every part's best moves are gathered first and the threshold applied to every part after;
the parts' scores wait on disk in between (`SpilledParts`). The result is the same, row for
row, as scoring everyone at once. The staff is taken in NIP order, so each part's ranked
rows follow the previous part's in the output's order and are written as they are ranked
(`score_parts`, `write_table`): the output is never held whole. Training's metrics against
the truth and its merit-system audit read the same parts (`ScoredStaff`)."""

from __future__ import annotations

import os
import pickle
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from features.data import HRData
from features.eligibility import StaffReadings
from features.pipeline import Snapshot, take_snapshot
from features.spreadsheet import Lists, SheetWriter, guard_frame
from training.candidates import CandidateTable, ScoredTable, table_date
from training.gain import Decision, Threshold, on_pilot
from training.model import PlacementModel
from training.outputs import atomic_path
from training.processes import process_alive
from training.settings import PipelineSettings

OUTPUT_SUFFIXES = (".csv", ".parquet", ".xlsx")  # what `write_table` writes
SCORE_SHEET = "skor"  # the workbook's one sheet
SCORE_COLUMNS = ["nip", "unit_id", "predicted_score", "low", "high", "gain", "gain_low",
                 "gain_high", "p_help", "is_current", "suggested", "rank", "pilot"]  # fmt: skip


Part = tuple[ScoredTable, np.ndarray | None]  # a part's lean scores, and the rows it scored
SPILL_PREFIX = "penataan-parts-"
STALE_SECONDS = 3600  # a folder untouched this long, of a process that is gone, is litter


def sweep_stale_parts(folder: Path | None = None, stale_seconds: float = STALE_SECONDS) -> int:
    """Remove the parts' folders a killed scorer left (a SIGKILL or a lost machine runs no
    cleanup; a province's, seen once, took about 15 GB): this user's
    `penataan-parts-<pid>-*` folders in `folder` (the temporary directory) whose process no
    longer exists and which nobody has written or read for `stale_seconds` (a live scorer
    writes a part every few seconds and touches the folder as it reads each back; the age
    also spares a scorer of another container sharing the folder, whose pid only looks dead
    here). Returns how many were removed."""
    folder = Path(folder or tempfile.gettempdir())
    removed = 0
    for path in folder.glob(f"{SPILL_PREFIX}*-*"):
        pid = path.name.removeprefix(SPILL_PREFIX).split("-", 1)[0]
        try:
            info = path.lstat()  # a symbolic link is not a folder here
        except FileNotFoundError:
            continue  # removed meanwhile
        if (
            not pid.isdigit() or not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid()
            or time.time() - info.st_mtime < stale_seconds or process_alive(int(pid))
        ):  # fmt: skip
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed += not path.exists()
    return removed


class SpilledParts:
    """The parts of a scored staff, each written to its own file as it comes and read back
    one at a time: the scores kept between the two passes (every part's best moves set the
    decision's threshold before any part is ranked) take disk, not memory, so a province's
    128M pairs (about 120 bytes each on disk, seen once in a province's run) need no more
    memory than one part. The files are pickles this process wrote into its own temporary
    folder (owner-only, named with the process id), removed with the object; folders that
    killed processes left are swept when the first part is written (`sweep_stale_parts`)."""

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None  # made by the first part
        self._count = 0

    @property
    def folder(self) -> Path | None:
        """Where the parts are (None before the first)."""
        return Path(self._folder.name) if self._folder is not None else None

    def _path(self, k: int) -> Path:
        assert self._folder is not None
        return Path(self._folder.name) / f"{k}.pickle"

    def append(self, part: Part) -> None:
        if self._folder is None:
            sweep_stale_parts()
            self._folder = tempfile.TemporaryDirectory(prefix=f"{SPILL_PREFIX}{os.getpid()}-")
        with self._path(self._count).open("wb") as file:
            pickle.dump(part, file, protocol=pickle.HIGHEST_PROTOCOL)
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Part]:
        for k in range(self._count):
            path = self._path(k)
            with path.open("rb") as file:
                part = pickle.load(file)  # noqa: S301 - this process's own file
            os.utime(path.parent)  # read, not written, in the second pass: still in use
            yield part


@dataclass(frozen=True)
class ScoredStaff:
    """A whole staff scored a part at a time: each part's scores without their feature rows
    (`ScoredTable.lean`) and the rows each part scored (`None`: every unit), kept on disk;
    the decision's threshold set on every part's best moves together; the date scored; and
    each employee's best move's probability of helping (those with a move allowed), what
    any operating point's threshold is set on (the review's decision table)."""

    parts: SpilledParts
    threshold: Threshold
    as_of: pd.Timestamp
    best_p: np.ndarray

    def tops(self, decision: Decision) -> Iterator[tuple[ScoredTable, np.ndarray]]:
        """Per part: the part and the row of each employee's first suggestion, ranked under
        the whole staff's threshold."""
        for scored, where in self.parts:
            yield scored, np.flatnonzero(scored.ranks(decision, where, self.threshold) == 1)


def staff_tables(
    data: HRData,
    settings: PipelineSettings,
    as_of: pd.Timestamp | None = None,
    snapshot: Snapshot | None = None,
) -> Iterator[CandidateTable]:
    """The candidate table of every active employee in parts of `settings.part_size` employees
    (NIP order), each built when the previous one has been let go, all from one snapshot of
    the records (`snapshot`, or one taken here) and one reading of what the eligibility rules
    read of every assignment (retirement ages, past transfers): each is a fixed cost of the
    whole staff's history, paid once and not once per part."""
    t = table_date(data, as_of)
    snapshot = snapshot if snapshot is not None else take_snapshot(data, t)
    readings = StaffReadings.read(data, settings, t)
    nips = pd.Index(sorted(data.active_nips()))
    size = settings.part_size(len(data.units))
    for start in range(0, max(len(nips), 1), size):
        part = nips[start : start + size]
        yield CandidateTable.build(data, t, settings, part, snapshot, readings)


def best_raw_moves(
    data: HRData, model: PlacementModel, settings: PipelineSettings, as_of: pd.Timestamp
) -> pd.DataFrame:
    """`CandidateTable.best_raw` of every active employee (by NIP), a part at a time: what
    the monitor's stayers' baseline and the measured curse read, in bounded memory."""
    parts = [table.best_raw(model) for table in staff_tables(data, settings, as_of)]
    return pd.concat(parts)


def score_staff(
    data: HRData,
    model: PlacementModel,
    settings: PipelineSettings,
    as_of: pd.Timestamp | None = None,
    all_units: bool = False,
    visit: Callable[[ScoredTable], None] | None = None,
    keep: bool = True,
    snapshot: Snapshot | None = None,
) -> ScoredStaff:
    """Score every active employee, a part at a time (`staff_tables`): every unit, or only the
    moves no rule forbids (and staying). `visit` sees each part with its feature rows before
    they are dropped (training's baselines are predicted there); without `keep`, nothing but
    the threshold is kept of the parts (a caller that takes what it needs in `visit`, as the
    API's `JoinedStaff` does, holds no part twice); `snapshot`, the records at `as_of`, when
    the caller keeps one (the API builds its answers' rows from it)."""
    parts = SpilledParts()
    best: list[np.ndarray] = []
    t = table_date(data, as_of)
    for table in staff_tables(data, settings, t, snapshot):
        where = None if all_units else table.allowed()
        scored = table.score(model, where)
        if visit is not None:
            visit(scored)
        best.append(scored.best_p(where))
        if keep:
            parts.append((scored.lean(), where))
    best_p = np.concatenate(best)
    return ScoredStaff(parts, settings.decision.threshold(best_p, model.pilot_size()), t, best_p)


def score_parts(
    data: HRData,
    model: PlacementModel,
    settings: PipelineSettings,
    as_of: pd.Timestamp | None = None,
    all_units: bool = False,
) -> Iterator[pd.DataFrame]:
    """`score_candidates`' rows a part of the staff at a time, in its order (NIP, then
    rank): a part's frame is made only when the one before it has been taken."""
    staff = score_staff(data, model, settings, as_of, all_units)
    for scored, where in staff.parts:
        frame = _frame(scored, where, settings.decision, staff.threshold)
        yield frame[SCORE_COLUMNS]


def score_candidates(
    data: HRData,
    model: PlacementModel,
    settings: PipelineSettings,
    as_of: pd.Timestamp | None = None,
    all_units: bool = False,
) -> pd.DataFrame:
    """One row per (active employee, unit), ranked within each employee by the decision
    policy: suggested moves first (`settings.decision`: enough of them truly help), then
    staying, then the rest; each move carries its probability of helping."""
    frames = list(score_parts(data, model, settings, as_of, all_units))
    return pd.concat(frames, ignore_index=True)


def _frame(
    scored: ScoredTable, where: np.ndarray | None, decision: Decision, threshold: Threshold
) -> pd.DataFrame:
    """The output rows of one part, ranked under the whole staff's `threshold`, in NIP then
    rank order: the rows ordered by integers (each employee's place among the part's NIPs,
    then rank) instead of the frame sorted on its strings (a part of a staff: 0.006 s
    against 0.04 s)."""
    table = scored.table
    rank = scored.ranks(decision, where, threshold)
    keep = np.flatnonzero(rank > 0)
    place = np.empty(len(table.nips), dtype=np.int64)
    place[table.nips.argsort()] = np.arange(len(table.nips))
    keep = keep[np.argsort(place[table.employee_of(keep)] * (table.n_units + 1) + rank[keep])]
    suggested = scored.suggested(decision, where, threshold=threshold)
    rows = table.rows

    def rounded(values: np.ndarray) -> np.ndarray:
        return np.round(values[keep], 3) + 0.0  # no -0.0

    return pd.DataFrame(
        {
            "nip": rows["nip"].array.take(keep),  # no million Python strings on the way
            "unit_id": rows["unit_id"].array.take(keep),
            "predicted_score": rounded(scored.predicted),
            "low": rounded(scored.low),
            "high": rounded(scored.high),
            "gain": rounded(scored.gain),
            "gain_low": rounded(scored.gain_low),
            "gain_high": rounded(scored.gain_high),
            "is_current": table.is_stay[keep],
            "p_help": rounded(scored.p_help),
            "suggested": suggested[keep],
            "pilot": (suggested & on_pilot(scored.p_help, threshold))[keep],
            "rank": rank[keep],
        }
    )


def write_table(frames: pd.DataFrame | Iterable[pd.DataFrame], path: str | Path, title: str = SCORE_SHEET, lists: Lists | None = None) -> int:  # fmt: skip
    """CSV, Parquet or a workbook (`.xlsx`: what HR opens in Excel set to Indonesian, where a
    CSV's decimal points misread; `features.spreadsheet`) by the file's extension, written
    whole or not at all, from one frame or from frames taken one at a time (a Parquet row
    group each; the CSV's header once; a workbook's rows streamed), none of them held after
    it is written; `title` names a workbook's sheet, `lists` its drop-downs. Returns the rows
    written."""
    target = Path(path)
    kind = target.suffix.lower()  # `SKOR.CSV`, as Windows users name files
    if kind not in OUTPUT_SUFFIXES:
        raise ValueError(f"{path}: the output must end in {', '.join(OUTPUT_SUFFIXES)}")
    parts = [frames] if isinstance(frames, pd.DataFrame) else frames
    rows, columns = 0, SCORE_COLUMNS
    writer: pq.ParquetWriter | None = None
    sheet: SheetWriter | None = None
    with atomic_path(target) as tmp:
        try:
            for frame in parts:
                columns = list(frame.columns)
                if len(frame) == 0:  # a part with no rows: nothing to add, no types to read
                    continue
                if kind == ".csv":
                    guard_frame(frame).to_csv(tmp, index=False, mode="a" if rows else "w", header=not rows)  # fmt: skip
                elif kind == ".xlsx":
                    sheet = sheet or SheetWriter(title, columns, lists)
                    sheet.append(frame)
                else:
                    if writer is None:  # the first rows set the file's types
                        writer = pq.ParquetWriter(tmp, pa.Schema.from_pandas(frame, preserve_index=False))  # fmt: skip
                    writer.write_table(pa.Table.from_pandas(frame, schema=writer.schema, preserve_index=False))  # fmt: skip
                rows += len(frame)
        except BaseException:
            if sheet is not None:
                sheet.discard()
            raise
        finally:
            if writer is not None:
                writer.close()
        if rows == 0:  # nobody to score: the file still names its columns
            empty = pd.DataFrame({name: [] for name in columns})
            if kind == ".csv":
                empty.to_csv(tmp, index=False)
            elif kind == ".xlsx":
                sheet = SheetWriter(title, columns, lists)
            else:
                empty.to_parquet(tmp, index=False)
        if sheet is not None:
            sheet.save(tmp)
    return rows
