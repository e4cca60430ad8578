"""The presets: how big a world is and which years it covers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from world.organisation import (
    UnitSpec,
    ampenan_units,
    cakranegara_units,
    mataram_units,
    regions_units,
)


@dataclass(frozen=True)
class Preset:
    """How big a world is and which years it covers."""

    units: Callable[[], list[UnitSpec]]
    n_active: int  # aktif staff at the end
    first_period: int
    last_period: int
    pppk_hire_share: float = 0.95  # of hires from 2021 on


MATARAM_STAFF = 5580  # the preset's ASN; its regions repeat it (`regions_units`)

PRESETS: dict[str, Preset] = {
    "mataram": Preset(mataram_units, MATARAM_STAFF, 2016, 2025),
    "cakranegara": Preset(cakranegara_units, 300, 2020, 2025),
    "ampenan": Preset(ampenan_units, 1700, 2016, 2025),
    # Mataram's organisation two, three and nine times over (`regions_units`): how every
    # step grows with the staff and the units; `provinsi` is about 50,000 ASN x 2,500 units
    "mataram-x2": Preset(lambda: regions_units(2), 2 * MATARAM_STAFF, 2016, 2025),
    "mataram-x3": Preset(lambda: regions_units(3), 3 * MATARAM_STAFF, 2016, 2025),
    "provinsi": Preset(lambda: regions_units(9), 9 * MATARAM_STAFF, 2016, 2025),
}
