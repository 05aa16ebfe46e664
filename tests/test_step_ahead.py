"""The next update sent ahead: → past an update's end stays in the browser, and the server follows.

Driven through AppTest with the reports the browser's code sends (``step_view_moves.move``)."""

import components.ui.stepping as stepping
from app_support import lab_of, new_app, press, report, step_payload
from step_view_moves import move

SAME = ("events", "tables", "graph", "next", "back", "start", "n_events", "window", "update")


def walk_to_end(at) -> dict:
    """Press → (reported at once) until the cursor stands on the update's last event; the payload then."""
    lab = lab_of(at)
    while lab.stepper.cursor < lab.stepper.n_events - 1:
        assert press(at, "next")
    return step_payload(at)


def test_the_payload_at_an_updates_end_holds_the_next_update_and_the_server_follows_into_it():
    at = new_app({"bs": "1"})
    p = walk_to_end(at)
    ahead = p["ahead"]
    assert ahead["update"] == p["update"] + 1 and ahead["key"] != p["key"] and ahead["seq"] == p["seq"]
    assert ahead["cursor"] == -1 and ahead["can_back"] and not ahead["blocked"] and ahead["stop_at"] is None
    kind, target = move(p, lab_of(at).stepper.cursor, "next")
    assert kind == "ahead" and target == ahead["next"][0]
    report(at, "ahead", target)
    lab = lab_of(at)
    assert (lab.stepper.update, lab.stepper.cursor) == (1, target)
    sent = step_payload(at)
    assert (sent["key"], sent["seq"]) == (ahead["key"], ahead["seq"])  # the browser keeps its own cursor
    assert all(sent[k] == ahead[k] for k in SAME)  # what the browser drew is what the server now holds
    assert len(lab.curve) == 2  # the charts follow the whole update
    # the numbers of the update sent ahead are the engine's for the update the lab is now in
    assert [e["title"] for e in sent["events"]][: lab.stepper.n_events] == [
        e["title"] for e in ahead["events"][: lab.stepper.n_events]
    ]


def test_following_into_the_update_sent_ahead_does_not_build_its_payload_again(monkeypatch):
    at = new_app({"bs": "1"})
    p = walk_to_end(at)
    built = []

    def counted(net, trace, position, options, *args, **kwargs):
        built.append(position.update)
        return step_view_payload(net, trace, position, options, *args, **kwargs)

    step_view_payload = stepping.step_view_payload
    monkeypatch.setattr(stepping, "step_view_payload", counted)
    report(at, "ahead", p["ahead"]["next"][0])
    assert lab_of(at).stepper.update == 1
    assert built == [2]  # only the update after it, sent ahead in turn; update 1's is the one sent
    assert step_payload(at)["ahead"]["update"] == 2


def test_back_from_the_start_of_the_update_sent_ahead_returns_to_the_last_event_before():
    at = new_app({"bs": "1"})
    p = walk_to_end(at)
    n = lab_of(at).stepper.n_events
    ahead = p["ahead"]
    at.session_state["step_view"] = {
        "report": {"kind": "prev_update", "key": ahead["key"], "seq": ahead["seq"], "cursor": -1, "n": 10**15}
    }
    at.run()
    lab = lab_of(at)
    assert (lab.stepper.update, lab.stepper.cursor) == (0, n - 1)


def test_a_tampered_or_stale_report_for_the_update_sent_ahead_changes_nothing():
    at = new_app({"bs": "1"})
    p = walk_to_end(at)
    ahead, lab = p["ahead"], lab_of(at)
    where = (lab.stepper.update, lab.stepper.cursor, len(lab.curve))
    for bad in (
        {"kind": "cursor", "key": ahead["key"], "seq": ahead["seq"] + 1, "cursor": 3},
        {"kind": "cursor", "key": ahead["key"], "seq": True, "cursor": 3},
        {"kind": "cursor", "key": ahead["key"] + "x", "seq": ahead["seq"], "cursor": 3},
        {"kind": "cursor", "key": ahead["key"], "seq": str(ahead["seq"]), "cursor": 3},
        ["cursor", ahead["key"]],
    ):
        at.session_state["step_view"] = {"report": bad if isinstance(bad, list) else {**bad, "n": id(bad)}}
        at.run()
        assert not at.exception
        lab = lab_of(at)
        assert (lab.stepper.update, lab.stepper.cursor, len(lab.curve)) == where, bad


def test_the_update_sent_ahead_is_forgotten_when_the_lab_changes_before_the_browser_enters_it():
    at = new_app({"bs": "1"})
    ahead = walk_to_end(at)["ahead"]
    at.number_input(key="cfg_lr").set_value(0.25).run()  # the update is recomputed: another next update
    assert not at.exception
    report(at, "cursor", 0)  # (as the browser reports on the new payload)
    stale = {"kind": "cursor", "key": ahead["key"], "seq": ahead["seq"], "cursor": 2, "n": 10**15 + 1}
    at.session_state["step_view"] = {"report": stale}
    at.run()
    assert lab_of(at).stepper.update == 0


def finish(at) -> dict:
    """Press "Finish update" (the cursor on the update's last event); the payload then."""
    at.button(key="ctl_finish").click().run()
    assert not at.exception
    return step_payload(at)


def test_nothing_is_sent_ahead_while_the_window_does_not_reach_the_end_or_the_update_diverges():
    at = new_app({"h": "8-8-8-8-8-8", "act": "tanh-tanh-tanh-tanh-tanh-tanh", "bs": "10"})
    assert "ahead" not in step_payload(at)  # thousands of events: the window around the start only
    assert "ahead" in finish(at)  # the window around the end
    at = new_app({"h": "4", "act": "tanh", "out": "linear", "lr": "100", "bs": "0", "u": "28"})
    seen = set()
    for _ in range(8):  # update 31's next update diverges (this network, η = 100, full batch)
        p = finish(at)
        lab = lab_of(at)
        clean = lab.problem is None and lab.next_update_preview() is not None
        assert ("ahead" in p) == clean
        seen.add(clean)
        if not clean:
            break
        report(at, "ahead", p["ahead"]["next"][0])
    assert seen == {True, False}
