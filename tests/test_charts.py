"""Training charts: the decision-boundary image and its numbers."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

from components.views import charts
from components.views.palette import rgb
from engine import Network
from plotly_arrays import arr


def decode_png(uri: str) -> np.ndarray:
    """A data-URI PNG as written by boundary_png (8-bit RGBA, filter 0) → (h, w, 4) uint8."""
    png = base64.b64decode(uri.split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", None
    while pos < len(png):
        n, tag = struct.unpack(">I4s", png[pos : pos + 8])
        data = png[pos + 8 : pos + 8 + n]
        assert struct.unpack(">I", png[pos + 8 + n : pos + 12 + n])[0] == zlib.crc32(tag + data) & 0xFFFFFFFF
        if tag == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", data[:10])
            assert (depth, colour) == (8, 6)
            size = (h, w)
        elif tag == b"IDAT":
            idat += data
        pos += 12 + n
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(size[0], 1 + 4 * size[1])
    assert (rows[:, 0] == 0).all()  # no filter
    return rows[:, 1:].reshape(size[0], size[1], 4)


def test_boundary_grid_is_the_networks_output_at_the_pixel_centres():
    net = Network([2, 3, 1], seed=4)
    X = np.array([[-1.0, 0.0], [2.0, 3.0], [0.5, -1.0]])
    (x0, x1, y0, y1), gx, gy, z = charts.boundary_grid(net, X)
    assert x0 < -1 and x1 > 2 and y0 < -1 and y1 > 3
    assert gx.shape == gy.shape == (charts.GRID,) and z.shape == (charts.GRID, charts.GRID)
    np.testing.assert_allclose(np.diff(gx), (x1 - x0) / charts.GRID, rtol=1e-12)
    assert np.isclose(gx[0] - x0, x1 - gx[-1]) and np.isclose(gy[0] - y0, y1 - gy[-1])  # centred
    r, c = 7, 61
    np.testing.assert_allclose(z[r, c], net.forward(np.array([[gx[c], gy[r]]]))[0, 0], rtol=1e-12)


def test_boundary_png_colours_rows_and_gaps():
    z = np.array([[0.0, 0.5, 1.0], [np.nan, 0.25, 2.0]])  # row 0 is the bottom of the picture
    img = decode_png(charts.boundary_png(z, 0.0, 1.0))
    assert img.shape == (2, 3, 4)
    bottom, top = img[1], img[0]
    blue, white, orange = (np.array(rgb(c), float) for c in (charts.BLUE_PALE, "#f7f7f7", charts.ORANGE_PALE))
    np.testing.assert_array_equal(bottom[:, :3], np.rint([blue, white, orange]))
    assert (bottom[:, 3] == 255).all()
    assert top[0, 3] == 0  # NaN: transparent
    np.testing.assert_array_equal(top[1, :3], np.rint((blue + white) / 2))
    np.testing.assert_array_equal(top[2, :3], np.rint(orange))  # beyond hi: clipped to the end colour


def test_data_figure_puts_the_image_under_the_points_and_exactly_over_the_axes():
    from engine.datasets import make_xor

    d = make_xor(n_samples=40, noise=0.1, test_fraction=0.25, seed=1)
    fig = charts.data_figure(Network([2, 2, 1], seed=0), d, "after 0 updates").to_dict()
    (image,) = fig["layout"]["images"]
    xr, yr = fig["layout"]["xaxis"]["range"], fig["layout"]["yaxis"]["range"]
    assert image["layer"] == "below" and image["sizing"] == "stretch" and image["xref"] == "x"
    assert (image["x"], image["y"]) == (xr[0], yr[1])
    assert np.isclose(image["sizex"], xr[1] - xr[0]) and np.isclose(image["sizey"], yr[1] - yr[0])
    assert [t["name"] for t in fig["data"]] == ["train", "test"]  # the points, over the image
    assert decode_png(image["source"]).shape == (charts.GRID, charts.GRID, 4)


def test_the_decision_boundary_says_what_its_background_colours_mean():
    from engine.datasets import Dataset, make_xor

    d = make_xor(n_samples=40, noise=0.1, test_fraction=0.25, seed=1)
    (note,) = charts.data_figure(Network([2, 2, 1], seed=0), d, "after 0 updates").to_dict()["layout"]["annotations"]
    assert note["text"] == "background: output 0 (blue) … 1 (orange)"  # the labels' range: pale blue at 0
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    three = Dataset("three", X, np.eye(3), X[:0], np.eye(3)[:0], "classification", ("x1", "x2"), ("a", "b", "c"))
    (note,) = charts.data_figure(Network([2, 2, 3], seed=0), three).to_dict()["layout"]["annotations"]
    assert note["text"] == "background: class picked, 1 (blue) … 3 (orange)"


def test_log_ticks_are_round_numbers_that_span_the_values():
    assert charts.log_ticks(0.23, 2.0) == [0.2, 0.5, 1.0, 2.0]  # a fresh page: one norm per layer
    assert charts.log_ticks(1.0, 1.0) == [1.0]
    wide = charts.log_ticks(3e-4, 9.0)  # vanishing gradients: every power of ten, below to above
    assert wide == [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0]
    many = charts.log_ticks(1e-12, 1.0)
    assert len(many) <= 8 and many[0] == 1e-12 and all(np.log10(t) % 1 == 0 for t in many)


def test_grad_norm_chart_labels_its_log_axis_and_keeps_the_legend_off_the_title():
    fig = charts.grad_norm_figure([(0.0, [0.23, 2.0])]).to_dict()
    y = fig["layout"]["yaxis"]
    assert (
        y["type"] == "log" and list(y["tickvals"]) == [0.2, 0.5, 1.0, 2.0] and y["ticktext"] == ["0.2", "0.5", "1", "2"]
    )
    assert fig["layout"]["legend"]["y"] < 0  # under the plot: six layers' entries wrap over two rows
    assert "tickvals" not in charts.grad_norm_figure([]).to_dict()["layout"].get("yaxis", {})


def test_a_one_sample_worked_example_shows_its_outputs_against_its_targets():
    from components.model.links import restore_from_query

    lab, _ = restore_from_query({"preset": "mazur", "data": "preset", "bias": "frozen", "bs": "0"})
    fig = charts.data_figure(lab.net, lab.dataset, "after 0 updates").to_dict()
    target, output = fig["data"]
    assert list(target["x"]) == ["output 1", "output 2"] and arr(target["y"]).tolist() == [0.01, 0.99]
    assert [round(float(v), 8) for v in arr(output["y"])] == [0.75136507, 0.77292847]  # the worked example's
    assert fig["layout"]["barmode"] == "group" and "Outputs against targets" in fig["layout"]["title"]["text"]
