"""The structure a newcomer can see: imports point one way and nothing imports in a circle.

engine ← components.model ← components.views ← components.ui ← app.py. Every import counts,
including those inside functions. Streamlit is imported only by the UI, plotly only by the view
builders and the UI, pandas never by the engine or the lab model.
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
LAYERS = ("engine", "components.model", "components.views", "components.ui", "app")
ALLOWED_THIRD_PARTY = {  # the lowest layer that may import each UI library
    "streamlit": "components.ui",
    "plotly": "components.views",
    "pandas": "components.views",
}


def _modules() -> dict[str, pathlib.Path]:
    mods = {"app": ROOT / "app.py"}
    for top in ("engine", "components"):
        for path in sorted((ROOT / top).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            mods[name.removesuffix(".__init__")] = path
    return mods


MODULES = _modules()


def _imports(name: str, path: pathlib.Path) -> set[str]:
    """Every module name this file imports (absolute, relative resolved), at any depth."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return found


def _layer(module: str) -> int | None:
    for rank, layer in reversed(list(enumerate(LAYERS))):
        if module == layer or module.startswith(layer + "."):
            return rank
    return None


def _project_edges() -> dict[str, set[str]]:
    edges = {}
    for name, path in MODULES.items():
        targets = set()
        for imported in _imports(name, path):
            while imported and imported not in MODULES:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not name.startswith(imported + "."):
                targets.add(imported)
        edges[name] = targets
    return edges


def test_every_module_sits_in_a_layer():
    assert set(MODULES) - {"components"} <= {m for m in MODULES if _layer(m) is not None}
    assert {"components.model", "components.views", "components.ui"} <= set(MODULES)


def test_imports_point_down_the_layers():
    upward = [
        f"{m} imports {t}"
        for m, ts in _project_edges().items()
        for t in ts
        if m != "components" and t != "components" and _layer(t) > _layer(m)
    ]
    assert not upward, upward


def test_ui_libraries_only_in_their_layers():
    wrong = []
    for name, path in MODULES.items():
        for imported in _imports(name, path):
            lib = imported.split(".")[0]
            if lib in ALLOWED_THIRD_PARTY and _layer(name) < LAYERS.index(ALLOWED_THIRD_PARTY[lib]):
                wrong.append(f"{name} imports {imported}")
    assert not wrong, wrong


def test_no_import_cycles():
    edges = _project_edges()
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while not component or component[-1] != v:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert not cycles, cycles


def test_the_check_sees_imports_inside_functions(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("def f():\n    from components.ui import state\n    from . import sibling\n")
    assert {"components.ui.state", "components.views.sibling"} <= _imports("components.views.m", src)
