"""Imports only go down the layers, and no module imports itself back through others.

features (the contract, features, rules) < siasn (the importer), training < planning < oversight
(the record of suggestions and decisions) < serving
< penataan (the CLI);
the synthetic world may use only the contract's vocabulary, the map and SIASN's code lists
(`features.vocab`, `features.geo`, `features.siasn_codes`), so that a change to the features
can never change a generated world.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"features": 0, "world": 0, "siasn": 1, "training": 1, "planning": 2, "oversight": 3, "serving": 4, "penataan": 5}  # fmt: skip
WORLD_MAY_USE = {"features", "features.vocab", "features.geo", "features.siasn_codes"}


def _imports() -> dict[str, set[str]]:
    """Module -> the project modules it imports (anywhere in the file)."""
    graph: dict[str, set[str]] = {}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                else:
                    continue
                found |= {n for n in names if n.split(".")[0] in LAYERS}
            graph[module] = found
    return graph


def test_no_package_imports_a_layer_above_it() -> None:
    upward = []
    for module, imported in _imports().items():
        own = module.split(".")[0]
        for name in imported:
            other = name.split(".")[0]
            beyond_the_map = (
                own == "world"
                and other == "features"
                and (".".join(name.split(".")[:2]) not in WORLD_MAY_USE)
            )
            if (
                LAYERS[other] > LAYERS[own]
                or beyond_the_map
                or (own, other) == ("features", "world")
            ):
                upward.append(f"{module} imports {name}")
    assert not upward, upward


def test_no_import_cycles_between_modules() -> None:
    graph = _imports()
    modules = set(graph)
    edges = {m: {n if n in modules else n.rsplit(".", 1)[0] for n in imported} & modules
             for m, imported in graph.items()}  # fmt: skip
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for nxt in sorted(edges[module] - {module}):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[module] = 2

    for module in sorted(modules):
        if module not in state:
            visit(module, [module])
    assert not cycles, cycles


def test_building_the_settings_imports_no_data_library() -> None:
    """`penataan keys` and `penataan settings` build the deployable's settings and nothing
    else: they must not pay for pandas, SciPy, LightGBM or MLflow (seconds per command)."""
    heavy = ("pandas", "scipy", "lightgbm", "mlflow", "sklearn")
    probe = (
        "import sys; from serving.settings import ServeSettings; from serving.keys import KeyStore; "
        "ServeSettings(); print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not set(heavy) & set(loaded), set(heavy) & set(loaded)
