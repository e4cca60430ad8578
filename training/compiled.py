"""The booster's trees compiled to machine code (lleaves, on LLVM), for scoring at volume.

Every employee x every unit is a million and a half rows on `mataram`; LightGBM walks each
tree node by node for each row, while the compiled model is straight-line code per tree.
Compiled once per booster and cached by its checksum and the host CPU
(`PENATAAN_TREES_CACHE`), so a server restart or the next `penataan score` loads the object
file instead of compiling again; a new object file is written beside and moved in whole.

Trust, not hope: before the compiled model answers anything it is checked against
`Booster.predict` on the first rows it is given (agreement to 1e-9, missing values and
categories included); on any difference, or if LLVM is unavailable, LightGBM answers and the
reason is logged. A cached object file is machine code that is loaded and run, so it is only
read from a folder that belongs to this user and that no one else can write to. LightGBM
stays the source of TreeSHAP explanations (`pred_contrib`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from importlib.metadata import version
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np

log = logging.getLogger("penataan.training")

TOLERANCE = 1e-9
PROBE_ROWS = 2000  # rows of the first call the compiled model is checked on
BLOCK_ROWS = 65_536  # rows copied to C order at a time
# LLVM's inlining of each tree into the forest: on `mataram`'s bag of 1,656 trees it makes
# the compile about three times slower for about a quarter off each prediction
# (`bench/trees.py` measures both); every new model is compiled at least once (training
# scores with it), so it is left off
INLINE = False
# LLVM's small code model: each tree's constants addressed relative to the code instead of by
# 64-bit absolute addresses: 0.89x the time of each prediction at about the same compile time
# (`bench/trees.py` on 41ac496: 8.38 s against 9.40 s for `mataram`'s pairs). It holds code
# and data within 2 GB, which lleaves warns a very large forest breaks (a crash, not an
# error): `mataram`'s bag of 25,000 leaves is a 2.5 MB object, so up to `SMALL_CODE_LEAVES`
# (about 100 MB) the small model is used, beyond it the large.
SMALL_CODE_LEAVES = 1_000_000


def _host() -> str:
    """The CPU the object code is compiled for: a cache shared between machines must not
    hand one CPU's instructions to another."""
    import llvmlite.binding as llvm

    features = llvm.get_host_cpu_features().flatten()
    return f"{llvm.get_host_cpu_name()}-{hashlib.sha256(features.encode()).hexdigest()[:8]}"


def _private_folder(folder: Path) -> None:
    """Create `folder` owner-only, or refuse one another user could write object files to."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    st = folder.stat()
    if st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise PermissionError(f"{folder} is writable by others: compiled trees are not loaded from it")  # fmt: skip


class CompiledTrees:
    """A booster's trees as native code; `predict` as `Booster.predict` once `verify` passed."""

    def __init__(
        self,
        booster: lgb.Booster,
        cache: Path,
        threads: int = 2,
        inline: bool = INLINE,
        code_model: str | None = None,
    ) -> None:
        """`code_model` "small" or "large"; by default by the forest's size (see the module)."""
        import lleaves  # imported here: LLVM is loaded only where trees are compiled

        text = booster.model_to_string()
        digest = hashlib.sha256(text.encode()).hexdigest()[:24]
        _private_folder(cache)
        self.code_model = code_model or code_model_for(text)
        tag = (
            f"{digest}-lleaves{version('lleaves')}-llvmlite{version('llvmlite')}"
            f"-inline{int(inline)}-{self.code_model}"
        )
        model_file = cache / f"{digest}.txt"
        if not model_file.exists():
            tmp = model_file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(text)
            tmp.replace(model_file)
        self.model: Any = lleaves.Model(model_file=str(model_file))
        machine_code = cache / f"{tag}-{_host()}.o"
        flags = {"finline": inline, "fcodemodel": self.code_model}
        if machine_code.exists():
            self.model.compile(cache=str(machine_code), **flags)
        else:  # compiled beside, then moved in whole: another process never loads half a file
            partial = machine_code.with_suffix(f".{os.getpid()}.partial")
            try:
                self.model.compile(cache=str(partial), **flags)
                partial.replace(machine_code)
            finally:
                partial.unlink(missing_ok=True)
        self.booster, self.threads, self.digest = booster, threads, digest
        self.verified = False

    def verify(self, x: np.ndarray) -> bool:
        """Agreement with LightGBM on the first rows of `x` (see the module)."""
        probe = x[:PROBE_ROWS]
        expected = self.booster.predict(probe, num_threads=self.threads)
        got = self.model.predict(probe, n_jobs=self.threads)
        worst = float(np.max(np.abs(np.asarray(got) - expected))) if len(probe) else 0.0
        self.verified = worst <= TOLERANCE
        if not self.verified:
            log.error("compiled trees %s differ from LightGBM by %.3g: LightGBM answers", self.digest, worst)  # fmt: skip
        return self.verified

    def predict(self, x: np.ndarray) -> np.ndarray:
        """In blocks of rows: the compiled code reads rows in C order, and a feature matrix
        built from a data frame is column-major, so each block is copied, not the whole."""
        out = np.empty(len(x))
        for start in range(0, len(x), BLOCK_ROWS):
            block = np.ascontiguousarray(x[start : start + BLOCK_ROWS], dtype=np.float64)
            out[start : start + len(block)] = self.model.predict(block, n_jobs=self.threads)
        return out


def code_model_for(model_text: str) -> str:
    """LLVM's code model for a forest (its LightGBM text): "small" up to `SMALL_CODE_LEAVES`
    leaves in all, "large" beyond."""
    leaves = sum(
        int(line[11:]) for line in model_text.splitlines() if line.startswith("num_leaves=")
    )
    return "small" if leaves <= SMALL_CODE_LEAVES else "large"


def compile_trees(booster: lgb.Booster, cache: Path) -> CompiledTrees | None:
    """The compiled trees, or None (logged) where they cannot be had: LightGBM answers."""
    try:
        return CompiledTrees(booster, cache)
    except Exception as error:  # LLVM missing, a foreign cache folder, a full disk: all fall back
        log.error("trees not compiled (%s): LightGBM answers", " ".join(str(error).split()))
        return None
