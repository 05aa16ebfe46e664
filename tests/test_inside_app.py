"""Seeing inside the network, in the app (AppTest): chain-rule paths drawn for the selected neuron and
written as a sum, diagnostics flagged, neuron pictures, digit samples and the large-network summary."""

from __future__ import annotations

import pytest

from app_support import lab_of, new_app, report, step_payload
from components.model import chain_paths
from components.model.diagnostics import diagnostic_examples
from components.model.presets import PRESETS

MAZUR = {"preset": "mazur", "data": "preset", "bias": "frozen", "bs": "0"}


def test_a_selected_neuron_draws_its_paths_and_writes_the_sum():
    at = new_app(MAZUR)
    assert step_payload(at)["paths"] == []
    report(at, "select", -1, node=[1, 0])
    assert sorted(map(tuple, step_payload(at)["paths"])) == [(1, 0, 2, 0), (1, 0, 2, 1)]
    text = " ".join(m.value for m in at.markdown)
    assert "2 paths from neuron 1 of layer 1" in text
    at.selectbox(key="sel_path_target").set_value(("weight", 1, 0, 0)).run()
    text = " ".join(m.value for m in at.markdown)
    assert "∂E/∂w⁽¹⁾₁₁ \\= 0\\.000438568" in text  # the worked example's published gradient
    assert sorted(map(tuple, step_payload(at)["paths"])) == [(0, 0, 1, 0), (1, 0, 2, 0), (1, 0, 2, 1)]
    assert any("= 4.386 \\times 10^{-4}" in tex.body for tex in at.latex)  # the two paths' products, summed
    at.button(key="sel_clear").click().run()
    assert step_payload(at)["paths"] == []


def test_the_path_sum_on_the_page_is_the_engines_gradient():
    at = new_app({"h": "8-8-8", "data": "xor", "bs": "10", "seed": "4"})
    report(at, "select", -1, node=[1, 3])
    at.selectbox(key="sel_path_target").set_value(("weight", 1, 3, 1)).run()
    lab = lab_of(at)
    ps = chain_paths.path_sum_of_trace(lab.trace, chain_paths.weight(1, 3, 1))
    assert ps.n_paths == 64 and ps.total == pytest.approx(lab.trace.grad_weights[0][3, 1], rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("kind", list(diagnostic_examples()))
def test_each_trouble_preset_is_said_on_the_page_and_flagged_on_the_graph(kind):
    at = new_app()
    at.selectbox(key="cfg_preset_choice").select(f"trouble_{kind}").run()
    at.button[[b.label for b in at.button].index("Load preset")].click().run()
    flags = step_payload(at)["flags"]
    assert flags and {f[2] for f in flags} == {kind}
    assert any("Diagnostics" in m.value for m in at.markdown)


def test_healthy_networks_have_no_flags_and_practice_hides_them():
    at = new_app(MAZUR)
    assert step_payload(at)["flags"] == [] and not any("Diagnostics" in m.value for m in at.markdown)
    at = new_app({"h": "1-1-1-1", "act": "sigmoid", "lr": "100", "data": "xor", "bs": "1", "practice": "1"})
    assert step_payload(at)["flags"] == []


def test_neuron_pictures_for_two_inputs_and_digit_samples_as_images():
    at = new_app({"data": "xor", "h": "4", "act": "tanh", "pic": "1"})
    pics = step_payload(at)["pictures"]
    assert set(pics) == {"1,0", "1,1", "1,2", "1,3", "2,0"} and all(
        p.startswith("data:image/png;base64,") for p in pics.values()
    )
    at.toggle(key="hdr_pictures").set_value(False).run()
    assert step_payload(at)["pictures"] is None and "pic" not in at.query_params
    at = new_app({"preset": "digits", **{k: v for k, v in _query(PRESETS["digits"].config).items()}})
    p = step_payload(at)
    assert len(p["samples"]) == lab_of(at).trace.m and p["samples"][0].startswith("data:image/png")
    assert p["events"][0]["sample"] == 0


def test_a_large_network_is_summarised_and_the_switch_shows_every_edge():
    at = new_app({"data": "moons", "h": "32-32", "k": "40"})
    assert drawn_at(step_payload(at), 40) < 200  # of 2·32 + 32·32 + 32 weights and 64 biases
    at.segmented_control(key="hdr_edges").set_value("all").run()
    assert drawn_at(step_payload(at), 40) > 1100 and at.query_params["ed"] in ("all", ["all"])


def drawn_at(payload: dict, cursor: int) -> int:
    """How many edges the graph draws at ``cursor`` (its change points applied up to there)."""
    state = {}
    for k, e, st in payload["graph"]["edge_changes"]:
        if k <= cursor:
            state[e] = st
    return sum(st > 0 for st in state.values())


def _query(config) -> dict:
    from components.model.config import to_query

    return to_query(config)


def test_a_row_of_a_layer_table_selects_its_weight_and_bad_targets_fall_back_to_the_neuron():
    at = new_app(MAZUR)
    k = int(lab_of(at).trace.layout.grad_index(1, 0, 0))
    report(at, "cursor", k)  # a gradient of layer 1: its table names weights and biases
    p = step_payload(at)
    table = p["tables"][p["events"][k - p["window"][0]]["table"]]
    assert ["weight", 1, 0, 0] in table["targets"] and ["bias", 1, 0, None] in table["targets"]
    p = step_payload(at)
    raw = {"kind": "select", "key": p["key"], "seq": p["seq"], "cursor": k, "node": [1, 0], "n": 777001}
    at.session_state["step_view"] = {"report": {**raw, "target": ["weight", 1, 0, 1]}}
    at.run()
    assert at.selectbox(key="sel_path_target").value == ("weight", 1, 0, 1)
    for bad in (["weight", 1, 0, 99], ["weight", 2, 0, 0], ["nonsense", 1, 0, None], "x"):
        raw["n"] += 1
        at.session_state["step_view"] = {"report": {**raw, "target": bad}}
        at.run()
        assert not at.exception and at.selectbox(key="sel_path_target").value == ("neuron", 1, 0, None), bad
