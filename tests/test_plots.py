"""Plots: what each figure holds (frames, lines, labels, numbers), not how it looks."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def frame(ax) -> str | None:
    spine = ax.spines["left"]
    return mcolors.to_hex(spine.get_edgecolor()) if spine.get_visible() else None


def tiny_images(n: int, size: int = 8) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(n, size, size, 3), dtype=np.uint8)


def test_image_grid_layout_titles_and_frames():
    imgs = tiny_images(5)
    fig = plots.image_grid(imgs, titles=list("abcde"), ncols=3,
                           frames=[None, plots.HIT, None, None, plots.MISS])
    assert len(fig.axes) == 6 and not fig.axes[5].axison  # the spare cell is blank
    assert [ax.get_title() for ax in fig.axes[:5]] == list("abcde")
    assert frame(fig.axes[1]) == plots.HIT and frame(fig.axes[4]) == plots.MISS
    assert frame(fig.axes[0]) is None
    # float images above 1 are read as 0..255; grayscale (H, W, 1) is accepted
    fig = plots.image_grid([np.full((4, 4, 3), 255.0), np.zeros((4, 4, 1))])
    assert fig.axes[0].images[0].get_array().max() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="titles"):
        plots.image_grid(imgs, titles=["x"])
    with pytest.raises(ValueError, match="image must be"):
        plots.image_grid([np.zeros((4, 4, 5))])


def test_gallery_marks_hits_and_misses():
    imgs = tiny_images(8)
    fig = plots.gallery(imgs[:2], [imgs[2:5], imgs[5:8]], hits=[[True, False, True],
                                                                [False, False, True]], k=3)
    axes = np.array(fig.axes).reshape(2, 4)
    assert [frame(ax) for ax in axes[:, 0]] == [plots.QUERY, plots.QUERY]
    assert [frame(ax) for ax in axes[0, 1:]] == [plots.HIT, plots.MISS, plots.HIT]
    assert [frame(ax) for ax in axes[1, 1:]] == [plots.MISS, plots.MISS, plots.HIT]
    assert "green" in fig._suptitle.get_text()
    # k larger than the rows: cut to what exists; no hits: no frames on neighbours
    fig = plots.gallery(imgs[:1], [imgs[1:3]], k=5)
    assert len(fig.axes) == 3 and frame(fig.axes[1]) is None
    with pytest.raises(ValueError, match="one neighbour row per query"):
        plots.gallery(imgs[:2], [imgs[2:4]])


def test_neighbour_gallery_from_indices_and_labels():
    imgs = tiny_images(6)
    labels = np.array([0, 0, 1, 1, 0, 1])
    neighbours = np.array([[1, 2], [0, 4], [3, 5], [2, 0], [0, 1], [2, 3]])
    scores = np.full((6, 2), 0.5)
    fig = plots.neighbour_gallery(imgs, [0, 3], neighbours, labels=labels,
                                  class_names=["kitchen", "bath"], scores=scores, k=2)
    axes = np.array(fig.axes).reshape(2, 3)
    assert axes[0, 0].get_title() == "query: kitchen"
    assert [ax.get_title() for ax in axes[0, 1:]] == ["kitchen 0.50", "bath 0.50"]
    assert [frame(ax) for ax in axes[1, 1:]] == [plots.HIT, plots.MISS]
    # separate gallery: labels are (query_labels, gallery_labels)
    fig = plots.neighbour_gallery(plots.QueryGallery(imgs[:1], imgs[1:3]), [0], np.array([[1, 0]]),
                                  labels=([1], [0, 1]), k=2)
    assert [frame(ax) for ax in fig.axes[1:]] == [plots.HIT, plots.MISS]


class FakeHistory:  # keras.callbacks.History keeps its logs in .history
    def __init__(self, history):
        self.history = history


def test_training_curves_panels_and_lines():
    fig = plots.training_curves({
        "frozen": FakeHistory({"loss": [1.0, 0.8], "val_loss": [1.1, 0.9],
                               "accuracy": [0.5, 0.6]}),
        "fine-tuned": {"loss": [0.9, 0.5, 0.3]},
    })
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in loss_ax.get_lines()] == [
        "frozen (train)", "frozen (val)", "fine-tuned (train)"]
    assert list(loss_ax.get_lines()[2].get_xdata()) == [1, 2, 3]  # epochs count from 1
    assert len(acc_ax.get_lines()) == 1
    with pytest.raises(KeyError, match="recorded keys"):
        plots.training_curves({"a": {"loss": [1.0]}}, metrics=("auc",))


def test_scatter_and_embeddings():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(size=(20, 6)), rng.normal(size=(20, 6)) + 8])
    y = np.repeat([0, 1], 20)
    points, kl = plots.embed_2d(x, "pca")
    assert points.shape == (40, 2) and kl is None
    # the first principal axis separates the two clusters
    assert np.sign(points[:20, 0].mean()) != np.sign(points[20:, 0].mean())
    fig = plots.scatter_2d(points, y, ["a", "b"], "pca")
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["a", "b"]
    with pytest.raises(ValueError, match="perplexity"):
        plots.embed_2d(x[:5], "tsne", perplexity=5)
    with pytest.raises(ValueError, match="max_iter"):
        plots.embed_2d(x, "tsne", perplexity=5, max_iter=250)
    with pytest.raises(ValueError, match="method"):
        plots.embed_2d(x, "umap")


def test_tsne_grid_reports_kl_per_run_deterministically():
    rng = np.random.default_rng(2)
    y = np.repeat([0, 1, 2], 12)
    feats = {"raw": rng.normal(size=(36, 5)) + y[:, None] * 3, "noise": rng.normal(size=(36, 5))}
    fig, table = plots.tsne_grid(feats, y, perplexities=(5,), seed=3, max_iter=300)
    assert len(fig.axes) == 2
    assert [(r["features"], r["perplexity"]) for r in table] == [("raw", 5), ("noise", 5)]
    assert all(0 < r["kl_divergence"] < 10 for r in table)  # a real KL, not sklearn's float max
    # clustered features keep their neighbourhoods in 2-D better than pure noise
    assert table[0]["kl_divergence"] < table[1]["kl_divergence"]
    again = plots.embed_2d(feats["raw"], "tsne", seed=3, perplexity=5, max_iter=300)[1]
    assert again == pytest.approx(table[0]["kl_divergence"], rel=1e-6)
    assert "KL" in fig.axes[0].get_title()


def test_confusion_matrix_cells():
    fig = plots.confusion([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], ["a", "b", "c"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts[:3] == ["0.50\n(1)", "0.50\n(1)", "0.00\n(0)"]
    assert texts[6:] == ["1.00\n(1)", "0.00\n(0)", "0.00\n(0)"]
    assert fig.axes[0].get_title() == "accuracy 0.600"
    fig = plots.confusion([0, 1], [1, 1], ["a", "b"], normalize=False)
    assert [t.get_text() for t in fig.axes[0].texts] == ["0", "1", "0", "1"]


def test_explorer_is_a_static_grid_outside_a_live_kernel(monkeypatch):
    imgs = tiny_images(10)
    rng = np.random.default_rng(3)
    embs = {"mobilenetv2": rng.normal(size=(10, 4)), "mobilenet": rng.normal(size=(10, 4))}
    labels = np.repeat([0, 1], 5)
    assert plots.live_frontend() is False  # pytest is no Jupyter kernel
    monkeypatch.setenv("PAPERMILL", "1")
    fig = plots.explorer(imgs, embs, labels, k=3, queries=(0, 7))
    axes = np.array(fig.axes).reshape(4, 4)  # 2 backbones x 2 queries, query + 3 neighbours
    assert [ax.get_title().split(":")[0] for ax in axes[:, 0]] == [
        "mobilenetv2", "mobilenetv2", "mobilenet", "mobilenet"]
    assert all(frame(ax) in (plots.HIT, plots.MISS) for ax in axes[:, 1:].flat)
    with pytest.raises(ValueError, match="embeddings for 10 images"):
        plots.explorer(imgs, {"x": embs["mobilenet"][:5]}, labels)


def test_explorer_widget_redraws_on_change(monkeypatch):
    widgets = pytest.importorskip("ipywidgets")
    imgs = tiny_images(8)
    embs = {"a": np.random.default_rng(4).normal(size=(8, 3)), "b": np.eye(8)[:, :3]}
    calls = []
    real = plots.neighbour_gallery

    def spy(images, query_ids, neighbours, **kw):
        calls.append((list(query_ids), kw["k"], kw["suptitle"]))
        return real(images, query_ids, neighbours, **kw)

    monkeypatch.setattr(plots, "neighbour_gallery", spy)
    box = plots.explorer(imgs, embs, np.arange(8) % 2, k=2, interactive=True)
    assert isinstance(box, widgets.VBox)
    query, backbone, k = box.children[0].children
    assert (query.max, k.max, list(backbone.options)) == (7, 7, ["a", "b"])
    query.value = 5
    k.value = 4
    backbone.value = "b"
    assert calls == [([0], 2, "a"), ([5], 2, "a"), ([5], 4, "a"), ([5], 4, "b")]


def _kernel_shell(allow_stdin: bool):
    """A stand-in for IPython's shell: what live_frontend() reads from a real kernel."""
    class Kernel:
        _allow_stdin = allow_stdin

    class Shell:
        kernel = Kernel()

    return Shell()


@pytest.mark.parametrize("allow_stdin, env, live", [
    (True, {}, True),                        # JupyterLab / Notebook / VS Code
    (False, {}, False),                      # nbclient: papermill called directly, nbconvert
    (True, {"PAPERMILL": "1"}, False),       # our runner sets PAPERMILL for its kernels
    (True, {"LOOKALIKE_STATIC": "1"}, False),
])
def test_live_frontend_tells_a_person_from_papermill(monkeypatch, allow_stdin, env, live):
    import IPython

    monkeypatch.delenv("PAPERMILL", raising=False)
    monkeypatch.delenv("LOOKALIKE_STATIC", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(IPython, "get_ipython", lambda: _kernel_shell(allow_stdin))
    assert plots.live_frontend() is live


def test_explorer_degrades_to_the_static_gallery_under_papermill(monkeypatch):
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: _kernel_shell(True))  # a live kernel...
    monkeypatch.setenv("PAPERMILL", "1")  # ...but run by papermill
    fig = plots.explorer(tiny_images(6), {"a": np.eye(6)[:, :3] + 0.1}, np.arange(6) % 2, k=2,
                         queries=(0,))
    assert fig.__class__.__name__ == "Figure" and len(fig.axes) == 3


def test_explorer_callbacks_redraw_the_right_neighbours(monkeypatch):
    widgets = pytest.importorskip("ipywidgets")
    # Points on a circle at angles with growing gaps: cosine neighbours are known by hand.
    angles = np.array([0.0, 0.1, 0.3, 0.6, 1.0, 1.5, 2.1, 2.8])
    circle = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    embs = {"circle": circle, "mirrored": circle[::-1].copy()}  # image i sits at angle 7 - i
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    imgs = np.stack([np.full((4, 4, 3), 30 * i, np.uint8) for i in range(8)])  # image i: 30 i
    drawn = []
    real = plots.neighbour_gallery

    def record(*args, **kw):  # what each redraw shows: neighbour ids (by pixel value), frames
        fig = real(*args, **kw)
        row = fig.axes[1:]
        drawn.append(([int(ax.images[0].get_array()[0, 0, 0]) // 30 for ax in row],
                      [frame(ax) for ax in row]))
        return fig

    monkeypatch.setattr(plots, "neighbour_gallery", record)
    box = plots.explorer(imgs, embs, labels, k=2, interactive=True)
    assert isinstance(box, widgets.VBox)
    query, backbone, k = box.children[0].children
    query.value = 5   # angle 1.5: nearest 1.0 (4), 2.1 (6), 0.6 (3), 0.3 (2)
    k.value = 4
    backbone.value = "mirrored"  # image j now sits at angles[7 - j]: image 5 at 0.3
    query.value = 4  # at 0.6: nearest 0.3 (image 5), 1.0 (3), 0.1 (6), 0.0 (7)
    assert drawn[0][0] == [1, 2]  # the first draw: query 0, k = 2
    assert drawn[1][0] == [4, 6]
    assert drawn[2] == ([4, 6, 3, 2], [plots.HIT, plots.HIT, plots.MISS, plots.MISS])
    assert drawn[3][0][0] == 6  # image 5's nearest on the mirrored circle: 0.1, image 6
    assert drawn[4] == ([5, 3, 6, 7], [plots.HIT, plots.MISS, plots.HIT, plots.HIT])


def test_forest_plot_one_line_per_claim_with_interval_threshold_and_chance():
    from helpers import glance
    from helpers.verdicts import Claim, judge

    m = {"profile": "standard", "data": {"name": "x", "origin": "LOOKALIKE_DATA"}, "metrics": {
        "a": {"value": 0.7, "paper": 0.8, "interval": [0.6, 0.8], "intervals": {"b": [0.05, 0.15]}},
        "b": {"value": 0.6}, "epochs": {"value": 30.0, "intervals": {"e": [-20.0, 40.0]}},
        "e": {"value": 20.0}}}
    judged = [judge(Claim("a beats b", "a", kind="beats", baseline="b", chance=0.1), m),
              judge(Claim("a is 0.8", "a", tolerance=0.05, chance=0.1), m),
              judge(Claim("slower", "epochs", kind="beats", baseline="e"), m),
              judge(Claim("missing", "z"), m)]
    rows = glance.forest_rows(judged)
    assert [r.panel for r in rows] == ["difference", "value", "difference", "value"]
    assert rows[0].estimate == pytest.approx(0.1) and rows[0].chance == pytest.approx(-0.5)
    assert rows[1].threshold == pytest.approx(0.75) and rows[3].note
    fig = plots.forest(rows, glance.COLOURS, title="t")
    value_ax, difference_ax = fig.axes
    assert [t.get_text() for t in value_ax.get_yticklabels()] == [r.label for r in rows]
    assert difference_ax.get_xlim() == (-1.05, 1.05)
    assert any(t.get_text().startswith("10") for t in difference_ax.texts)  # beyond the axis
    colours = {t.get_color() for t in value_ax.get_yticklabels()}
    assert glance.COLOURS["reproduced"] in colours and glance.COLOURS["not testable here"] in colours
