"""Many users at once: two people never see each other's network, cursor, link or uploads.

Two AppTest sessions interleaved in one process (they share every module, as sessions of one
server do), two websocket sessions against one real `streamlit run` server, run at the same
time, and a source audit: no per-user state at module level, no st.cache_resource or
st.cache_data, caches keyed by architecture only, no eval/exec/pickle, no user text in HTML.
"""

from __future__ import annotations

import ast
import asyncio

import numpy as np
import pytest

from app_support import ROOT, lab_of, new_app, press

SOURCES = [ROOT / "app.py", *sorted((ROOT / "components").rglob("*.py"))]
MAZUR = {"preset": "mazur", "data": "preset", "bias": "frozen", "bs": "0"}
CSV = b"a,b,c,y\n0,0,1,0\n0,1,0,1\n1,0,0,1\n1,1,1,0\n"


def act(at, key: str) -> None:
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]


def state(at) -> tuple:
    lab = lab_of(at)
    return (
        lab.config,
        lab.stepper.update,
        lab.stepper.cursor,
        lab.dataset.name,
        lab.csv is None,
        tuple(a.tobytes() for a in lab.net.weights + lab.net.biases),
        len(lab.curve),
    )


def arrays(lab) -> list[np.ndarray]:
    tr = lab.trace
    return [
        *lab.net.weights,
        *lab.net.biases,
        lab.dataset.X_train,
        lab.dataset.Y_train,
        tr.X,
        *tr.A[1:],
        *tr.weights_before,
        *lab.start[0],
    ]


# ------------------------------------------------------------------ two AppTest sessions, interleaved
def test_interleaved_sessions_keep_their_own_network_cursor_and_uploads():
    a, b = new_app(MAZUR), new_app()
    assert lab_of(a) is not lab_of(b)
    b.session_state["tools_tab"] = "Edit weights"  # (its JSON import below; only the open tool tab is drawn)
    for _ in range(3):
        press(a, "next")
    a_before = state(a)

    for _ in range(5):  # b steps, trains, changes its architecture and imports weights …
        press(b, "next")
    b.number_input(key="ctl_n_epochs").set_value(2).run()
    act(b, "ctl_train")
    b.number_input(key="cfg_units_0").set_value(3).run()
    d = lab_of(b).net.to_dict()
    d["weights"] = [(np.asarray(w) * 0 + 0.25).tolist() for w in d["weights"]]
    b.file_uploader(key="tool_json_upload").set_value(("b.json", __import__("json").dumps(d).encode(), "x")).run()
    assert lab_of(b).net.layer_sizes == (2, 3, 1) and np.all(lab_of(b).net.weights[0] == 0.25)
    assert state(a) == a_before  # … and a has not moved
    a.run()
    assert state(a) == a_before

    a.selectbox(key="cfg_dataset").select("csv").run()  # a uploads a CSV
    a.file_uploader(key="cfg_csv").set_value(("mine.csv", CSV, "text/csv")).run()
    assert lab_of(a).dataset.name == "mine.csv" and lab_of(a).net.layer_sizes[0] == 3
    b.run()
    assert lab_of(b).csv is None and lab_of(b).dataset.name != "mine.csv"
    assert not any(getattr(w, "key", None) == "cfg_csv" for w in b.file_uploader)
    assert not any("mine.csv" in s.value for s in [*b.success, *b.toast, *b.caption])

    press(b, "next")
    cursor_a = lab_of(a).stepper.cursor
    press(a, "next")
    assert lab_of(a).stepper.cursor == cursor_a + 1 and lab_of(b).stepper.cursor == 0
    for x in arrays(lab_of(a)):
        for y in arrays(lab_of(b)):
            assert not np.shares_memory(x, y)


def test_same_configuration_still_means_separate_objects():
    a, b = new_app(), new_app()
    assert state(a) == state(b)  # equal …
    for x, y in zip(arrays(lab_of(a)), arrays(lab_of(b))):
        assert not np.shares_memory(x, y)  # … but never the same memory
    act(a, "ctl_finish")
    assert lab_of(b).stepper.cursor == -1 and lab_of(a).stepper.cursor == lab_of(a).stepper.n_events - 1
    assert not np.array_equal(lab_of(a).net.weights[0], lab_of(b).net.weights[0])


def test_links_messages_and_problems_stay_in_their_session():
    a = new_app({"h": "4-x", "zzz": "1"})
    b = new_app()
    assert a.warning and not b.warning
    lab = lab_of(a)
    lab.stepper.set_lr(1e6)
    lab.config = lab.config.with_(lr=1e6)
    lab.display = lab.display.with_(granularity="update")
    a.session_state["ctl_granularity"] = "update"
    a.run()  # the page the student then steps on
    for _ in range(5):
        press(a, "next")
        if lab_of(a).problem:
            break
    assert lab_of(a).problem and a.error
    b.run()
    assert lab_of(b).problem is None and not b.error and not b.warning
    assert b.query_params.get("lr") is None


# ------------------------------------------------------------------ two sessions of one real server
@pytest.fixture(scope="module")
def server():
    from browser_support import streamlit_server

    with streamlit_server() as (url, log_path):
        yield url, log_path


def test_two_concurrent_sessions_on_one_server_never_see_each_other(server):
    from benchmarks.bench_load import StreamlitClient, expected_position

    url, log_path = server
    qa, qb = "preset=mazur&data=preset&bias=frozen&bs=0", "h=3&act=tanh"
    plan_a = [("next", 1)] * 7 + [("back", 1)] + [("next", 1)] * 3
    plan_b = [("next", 1)] * 4 + [("train", 2)] + [("next", 1)] * 5 + [("back", 1)] * 2

    async def student(client, query, plan):
        r = await client.open(query)
        assert r.ok, (r.exceptions, r.errors)
        await client.set_int("ctl_n_epochs", 2)
        for action, _ in plan:
            r = await (client.click("ctl_train") if action == "train" else client.press(action))
            assert r is None or r.ok, (action, r.status, r.exceptions, r.errors)
            await asyncio.sleep(0)
        return client.position

    async def both():
        a, b = StreamlitClient(url), StreamlitClient(url)
        try:
            return await asyncio.gather(student(a, qa, plan_a), student(b, qb, plan_b)), a, b
        finally:
            await a.close()
            await b.close()

    (shown_a, shown_b), a, b = asyncio.run(both())
    assert shown_a == expected_position(qa, plan_a)
    assert shown_b == expected_position(qb, plan_b)
    assert "preset=mazur" in a.query and "preset" not in b.query  # each address bar holds its own link
    assert f"k={shown_a[1]}" in a.query and f"k={shown_b[1]}" in b.query
    log = open(log_path).read()
    assert "Traceback" not in log and "RuntimeWarning" not in log, log[-2000:]


# ------------------------------------------------------------------ source audit
def _trees():
    return [(p, ast.parse(p.read_text(), str(p))) for p in SOURCES]


def _dotted(node) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call):
        return _dotted(node.func)
    return ""


def test_no_cache_resource_cache_data_or_global_state():
    for path, tree in _trees():
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.Global, ast.Nonlocal)), f"{path.name}:{node.lineno} global state"
            name = _dotted(node) if isinstance(node, (ast.Attribute, ast.Call)) else ""
            assert not name.endswith(("cache_resource", "cache_data", "experimental_singleton", "experimental_memo")), (
                f"{path.name}:{node.lineno} {name}: a cache shared by every session"
            )


def test_lru_caches_are_keyed_by_architecture_only():
    """A functools cache is shared by all sessions: it may only see sizes, flags and names."""
    allowed = {"tuple", "bool", "int", "str", "float"}
    for path, tree in _trees():
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            if not any("cache" in _dotted(d) for d in fn.decorator_list):
                continue
            for arg in fn.args.args + fn.args.kwonlyargs:
                ann = ast.unparse(arg.annotation) if arg.annotation else None
                assert ann in allowed, f"{path.name}:{fn.lineno} {fn.name}({arg.arg}: {ann}) caches per-user data?"


def test_module_level_containers_are_never_mutated():
    mutators = {
        "append",
        "extend",
        "insert",
        "pop",
        "remove",
        "clear",
        "update",
        "setdefault",
        "add",
        "discard",
        "popitem",
        "sort",
        "reverse",
    }
    for path, tree in _trees():
        mutable = set()
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(
                node.value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)
            ):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                mutable |= {t.id for t in targets if isinstance(t, ast.Name)}
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in mutable
                ):
                    assert node.func.attr not in mutators, f"{path.name}:{node.lineno} mutates {node.func.value.id}"
                if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
                    targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                    for t in targets:
                        if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id in mutable:
                            raise AssertionError(f"{path.name}:{node.lineno} writes into {t.value.id}")


def test_no_eval_exec_or_pickle_anywhere():
    banned_calls = {
        "eval",
        "exec",
        "compile",
        "__import__",
        "pickle.load",
        "pickle.loads",
        "marshal.loads",
        "yaml.load",
        "yaml.unsafe_load",
        "np.load",
        "numpy.load",
        "pd.read_pickle",
        "os.system",
    }
    banned_modules = {"pickle", "marshal", "shelve", "dill", "cloudpickle", "subprocess"}
    for path in SOURCES + sorted((ROOT / "engine").glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                assert _dotted(node.func) not in banned_calls, f"{path.name}:{node.lineno} {_dotted(node.func)}"
            if isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & banned_modules, f"{path.name}:{node.lineno}"
            if isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] not in banned_modules, f"{path.name}:{node.lineno}"


# Every st.markdown(..., unsafe_allow_html=True): its text is a module constant, or an f-string
# whose only values are these (numbers and names the engine validates, never user text). st.html
# (the keyboard-focus script) and a components.v2 component's code (live_plot) only as module constants.
SAFE_HTML_VALUES = {"sizes", "'/'.join(dict.fromkeys(lab.net.activations))", "lab.config.loss", "lab.config.lr"}


def _literal_text(value: ast.AST) -> bool:
    return isinstance(value, ast.Constant) and isinstance(value.value, str)


def _static_code_of_fixed_files(value: ast.AST) -> bool:
    """``static_code("folder", ".js")``: files of our package, named by literals, read when imported."""
    return (
        isinstance(value, ast.Call)
        and _dotted(value.func) == "static_code"
        and not value.keywords
        and all(_literal_text(a) for a in value.args)
    )


def test_static_code_is_read_only_from_the_package():
    """static_code reads fixed files inside components/ui/static, the step view's script in its parts' order."""
    from components.ui import step_view
    from components.ui.static_code import STATIC, static_code

    parts = sorted((STATIC / "step_view").glob("*.js"))
    assert len(parts) > 5 and step_view._JS == "".join(p.read_text(encoding="utf-8") for p in parts)
    assert step_view._JS.count("export default function") == 1 and "katex" in step_view._CSS
    assert STATIC.is_relative_to(ROOT / "components" / "ui")
    with pytest.raises(FileNotFoundError):
        static_code("no_such_folder", ".js")


def test_unsafe_allow_html_only_with_fixed_text_or_validated_numbers():
    found = 0
    for path, tree in _trees():
        constants = {  # a literal string, or static_code() of fixed package files (components/ui/static_code.py)
            t.id
            for n in tree.body
            if isinstance(n, ast.Assign) and (_literal_text(n.value) or _static_code_of_fixed_files(n.value))
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _dotted(node.func)
            assert not name.endswith(("components.html", "components.v1.html")), f"{path.name}:{node.lineno} raw HTML"
            if name.endswith("st.html"):  # raw HTML (and script): only a module constant, our own static code
                arg = node.args[0]
                assert isinstance(arg, ast.Name) and arg.id in constants, (
                    f"{path.name}:{node.lineno}: st.html of non-constant"
                )
                found += 1
                continue
            if name.endswith("components.v2.component"):  # a component's code: module constants too (data is JSON)
                code = [k.value for k in node.keywords if k.arg in ("html", "css", "js")]
                assert code and all(isinstance(v, ast.Name) and v.id in constants for v in code), (
                    f"{path.name}:{node.lineno}: component code that is not a module constant"
                )
                found += 1
                continue
            if not any(
                k.arg == "unsafe_allow_html" and getattr(k.value, "value", False) is True for k in node.keywords
            ):
                continue
            found += 1
            text = node.args[0]
            if isinstance(text, ast.Name):
                assert text.id in constants, f"{path.name}:{node.lineno}: {text.id} is not a module constant"
            elif isinstance(text, ast.Constant):
                pass
            else:
                assert isinstance(text, ast.JoinedStr), f"{path.name}:{node.lineno}: {ast.unparse(text)[:80]}"
                for v in text.values:
                    if isinstance(v, ast.FormattedValue):
                        expr = ast.unparse(v.value)
                        assert expr in SAFE_HTML_VALUES, f"{path.name}:{node.lineno}: user text in HTML? {expr}"
    assert found >= 1  # the audit looked at something


def test_upload_size_is_limited_by_config_and_by_the_loaders():
    import tomllib

    from components.ui.tools import MAX_JSON_BYTES
    from engine.csv_loader import MAX_CSV_BYTES

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["server"]["maxUploadSize"] * 2**20 >= MAX_CSV_BYTES  # the loader's limit is the binding one …
    assert cfg["server"]["maxUploadSize"] <= 10  # … and the server refuses anything much bigger
    assert MAX_JSON_BYTES <= MAX_CSV_BYTES
