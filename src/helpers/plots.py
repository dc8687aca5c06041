"""Figures every notebook draws: image grids, neighbour galleries, training curves, 2-D maps,
confusion matrices, and an interactive neighbour explorer.

Each function returns a matplotlib ``Figure`` (save it with ``report.save_figure``). Outside
IPython with no display, matplotlib's non-interactive Agg backend is selected, so scripts and
tests never need a screen. :func:`explorer` gives ipywidgets in a live Jupyter session and the
same content as a static grid under papermill, where widgets would have no frontend to draw
them (see :func:`live_frontend` for how the two are told apart).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from . import retrieval

HIT, MISS, QUERY = "#2ca02c", "#d62728", "#1f77b4"


def _pyplot():
    """pyplot, on Agg when nothing could show a window (no IPython, no display, no choice)."""
    import matplotlib

    if not _in_ipython() and not os.environ.get("MPLBACKEND") and not os.environ.get("DISPLAY"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def close(fig: Any) -> None:
    """Close ``fig`` for pyplot (it stays drawable and savable), so Jupyter's inline backend
    does not show it a second time after the cell that returned it."""
    _pyplot().close(fig)


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def _as_image(img: Any) -> np.ndarray:
    """An image imshow draws as-is: uint8 kept, floats clipped to [0, 1] (or /255 if larger)."""
    arr = np.asarray(img)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[-1] not in (3, 4)):
        raise ValueError(f"an image must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), "
                         f"got {arr.shape}")
    if arr.dtype == np.uint8:
        return arr
    arr = arr.astype(np.float32)
    if arr.size and arr.max() > 1.0:
        arr = arr / 255.0
    return np.clip(arr, 0.0, 1.0)


def _show(ax, img, title: str | None = None, frame: str | None = None) -> None:
    """Draw one image; a coloured frame (hit/miss/query) replaces the axes' black spines."""
    arr = _as_image(img)
    ax.imshow(arr, cmap="gray" if arr.ndim == 2 else None)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(frame is not None)
        if frame is not None:
            spine.set_edgecolor(frame)
            spine.set_linewidth(4)
    if title:
        ax.set_title(title, fontsize=8)


def image_grid(images: Sequence, titles: Sequence[str] | None = None, ncols: int = 8,
               size: float = 1.8, frames: Sequence[str | None] | None = None):
    """Images in a grid, ``ncols`` per row, with optional titles and frame colours."""
    images = list(images)
    if not images:
        raise ValueError("image_grid needs at least one image")
    for name, seq in (("titles", titles), ("frames", frames)):
        if seq is not None and len(seq) != len(images):
            raise ValueError(f"{name} has {len(seq)} entries for {len(images)} images")
    ncols = max(1, min(int(ncols), len(images)))
    nrows = -(-len(images) // ncols)
    plt = _pyplot()
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i < len(images):
            _show(ax, images[i], titles[i] if titles is not None else None,
                  frames[i] if frames is not None else None)
        else:
            ax.axis("off")
    fig.tight_layout()
    return fig


def gallery(query_images: Sequence, neighbour_images: Sequence, hits: Any = None,
            titles: Any = None, k: int = 5, query_titles: Sequence[str] | None = None,
            suptitle: str | None = None):
    """One row per query: the query (blue frame), then its k neighbours, green = hit, red = miss.

    ``neighbour_images[i]`` holds query i's neighbours (closest first); ``hits`` (Nq, k) bools
    and ``titles`` (Nq, k) captions are optional.
    """
    n = len(query_images)
    if n == 0 or len(neighbour_images) != n:
        raise ValueError(f"need one neighbour row per query: {n} queries, "
                         f"{len(neighbour_images)} rows")
    k = min(int(k), min(len(row) for row in neighbour_images))
    if k < 1:
        raise ValueError("every query needs at least one neighbour")
    hits_arr = None if hits is None else np.asarray(hits, dtype=bool)[:, :k]
    plt = _pyplot()
    fig, axes = plt.subplots(n, k + 1, figsize=(1.9 * (k + 1), 2.0 * n + 0.4), squeeze=False)
    for i in range(n):
        _show(axes[i, 0], query_images[i], query_titles[i] if query_titles else "query", QUERY)
        for j in range(k):
            frame = None if hits_arr is None else (HIT if hits_arr[i, j] else MISS)
            title = str(titles[i][j]) if titles is not None else f"#{j + 1}"
            _show(axes[i, j + 1], neighbour_images[i][j], title, frame)
    legend = "green frame = same label as the query, red = different" if hits is not None else ""
    if suptitle or legend:
        fig.suptitle(" | ".join(s for s in (suptitle, legend) if s), fontsize=10)
    fig.tight_layout()
    return fig


def _label_rows(q_ids, rows, score_rows, labels, class_names, k, separate_gallery):
    """Hits, captions and query captions for :func:`gallery` from indices and labels."""
    hits = titles = q_titles = None
    if labels is not None:
        q_lab, g_lab = labels if separate_gallery else (labels, labels)
        q_lab, g_lab = np.asarray(q_lab), np.asarray(g_lab)

        def name(v):
            return class_names[int(v)] if class_names is not None else str(v)

        hits = [[g_lab[j] == q_lab[q] for j in row] for q, row in zip(q_ids, rows, strict=True)]
        titles = [[name(g_lab[j]) for j in row] for row in rows]
        q_titles = [f"query: {name(q_lab[q])}" for q in q_ids]
    if score_rows is not None:
        base = titles or [[""] * len(r) for r in rows]
        titles = [[f"{t} {s:.2f}".strip() for t, s in zip(trow, np.asarray(srow)[:k],
                                                            strict=False)]
                  for trow, srow in zip(base, score_rows, strict=True)]
    return hits, titles, q_titles


class QueryGallery(NamedTuple):
    """Query images and gallery images, for :func:`neighbour_gallery` when they differ."""

    queries: Any
    gallery: Any


def neighbour_gallery(images: Any, query_ids: Sequence[int], neighbours: np.ndarray,
                      labels: Any = None, class_names: Sequence[str] | None = None,
                      scores: np.ndarray | None = None, k: int = 5,
                      suptitle: str | None = None):
    """:func:`gallery` from indices: ``neighbours[q]`` (and ``scores[q]``) belong to query q.

    ``images`` are the images queries and gallery share, or a :class:`QueryGallery` of the two
    (then ``labels`` is ``(query_labels, gallery_labels)``). Captions show class names and
    scores; frames show hits (same label) and misses.
    """
    separate = isinstance(images, QueryGallery)
    query_imgs, gallery_imgs = images if separate else (images, images)
    q_ids = [int(q) for q in query_ids]
    rows = [np.asarray(neighbours[q])[:k] for q in q_ids]
    score_rows = None if scores is None else [np.asarray(scores[q]) for q in q_ids]
    hits, titles, q_titles = _label_rows(q_ids, rows, score_rows, labels, class_names, k,
                                         separate)
    return gallery([query_imgs[q] for q in q_ids], [[gallery_imgs[j] for j in r] for r in rows],
                   hits=hits, titles=titles, k=k, query_titles=q_titles, suptitle=suptitle)


def training_curves(histories: Mapping[str, Any], metrics: Sequence[str] = ("loss", "accuracy")):
    """One panel per metric; each run one colour, training solid and validation dashed.

    ``histories`` maps a run name to a Keras ``History`` or its ``.history`` dict.
    """
    if not histories:
        raise ValueError("training_curves needs at least one history")
    logs = {name: dict(getattr(h, "history", h)) for name, h in histories.items()}
    absent = [m for m in metrics if not any(m in log or f"val_{m}" in log for log in logs.values())]
    if absent:
        seen = sorted({key for log in logs.values() for key in log})
        raise KeyError(f"no history has {absent}; recorded keys: {seen}")
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.4), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, metric in zip(axes[0], metrics, strict=True):
        for i, (name, log) in enumerate(logs.items()):
            colour = colours[i % len(colours)]
            for key, style, suffix in ((metric, "-", "train"), (f"val_{metric}", "--", "val")):
                if key in log:
                    values = np.asarray(log[key], dtype=float)
                    ax.plot(np.arange(1, len(values) + 1), values, style, color=colour,
                            label=f"{name} ({suffix})", marker="." if len(values) < 30 else None)
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.grid(alpha=0.3)
    axes[0, -1].legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def scatter_2d(points: np.ndarray, labels: Any, class_names: Sequence[str] | None = None,
               title: str = "", ax: Any = None):
    """A 2-D scatter coloured by class (for t-SNE or PCA coordinates)."""
    pts = np.asarray(points, dtype=float)
    lab = np.asarray(labels)
    if pts.ndim != 2 or pts.shape[1] != 2 or len(lab) != len(pts):
        raise ValueError(f"points must be (N, 2) with N labels, got {pts.shape} and {lab.shape}")
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 4.5))
    else:
        fig = ax.figure
    for value in np.unique(lab):
        sel = lab == value
        name = class_names[int(value)] if class_names is not None else str(value)
        ax.scatter(pts[sel, 0], pts[sel, 1], s=8, alpha=0.7, label=name)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=6, markerscale=1.5, loc="best")
    return fig


def embed_2d(features: np.ndarray, method: str = "pca", seed: int = 0, perplexity: float = 30.0,
             max_iter: int = 1000) -> tuple[np.ndarray, float | None]:
    """2-D coordinates by PCA or t-SNE; returns ``(points, KL divergence or None for PCA)``."""
    x = np.asarray(features, dtype=np.float32).reshape(len(features), -1)
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=seed).fit_transform(x), None
    if method != "tsne":
        raise ValueError(f"method must be 'pca' or 'tsne', got {method!r}")
    if not 0 < perplexity < len(x):
        raise ValueError(f"perplexity {perplexity} must be below the number of points {len(x)}")
    if max_iter <= 250:
        # sklearn spends the first 250 iterations in early exaggeration and computes the KL
        # divergence only after them: fewer leaves kl_divergence_ at float max.
        raise ValueError(f"t-SNE needs max_iter > 250 for a KL divergence, got {max_iter}")
    from sklearn.manifold import TSNE

    tsne = TSNE(n_components=2, perplexity=perplexity, random_state=seed, init="pca",
                max_iter=max_iter)
    points = tsne.fit_transform(x)
    return points, float(tsne.kl_divergence_)


def tsne_grid(features_by_name: Mapping[str, np.ndarray], labels: Any,
              perplexities: Sequence[float] = (5, 20, 50), seed: int = 0,
              class_names: Sequence[str] | None = None, max_iter: int = 1000):
    """t-SNE of each feature set at each perplexity: ``(Figure, kl_table)``.

    Rows are feature sets, columns perplexities; ``kl_table`` is a list of
    ``{"features", "perplexity", "kl_divergence"}`` rows (sklearn's ``kl_divergence_``; lower
    means the 2-D map keeps the neighbourhoods better), ready for ``report.paper_vs_here``.
    """
    if not features_by_name or not perplexities:
        raise ValueError("tsne_grid needs at least one feature set and one perplexity")
    plt = _pyplot()
    nr, nc = len(features_by_name), len(perplexities)
    fig, axes = plt.subplots(nr, nc, figsize=(4 * nc, 3.8 * nr), squeeze=False)
    table = []
    for r, (name, feats) in enumerate(features_by_name.items()):
        for c, perplexity in enumerate(perplexities):
            points, kl = embed_2d(feats, "tsne", seed, perplexity, max_iter)
            scatter_2d(points, labels, class_names,
                       f"{name}, perplexity {perplexity}: KL {kl:.3f}", ax=axes[r, c])
            table.append({"features": name, "perplexity": perplexity, "kl_divergence": kl})
    fig.tight_layout()
    return fig, table


def confusion(y_true: Any, y_pred: Any, class_names: Sequence[str], normalize: bool = True):
    """Confusion matrix (rows = true class); cells show row fractions and counts."""
    from sklearn.metrics import confusion_matrix

    n = len(class_names)
    counts = confusion_matrix(y_true, y_pred, labels=list(range(n)))
    rows = counts.sum(axis=1, keepdims=True)
    shown = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0) if normalize \
        else counts
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(1.0 + 0.8 * n, 0.8 + 0.7 * n))
    im = ax.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else max(1, counts.max()))
    for i in range(n):
        for j in range(n):
            text = f"{shown[i, j]:.2f}\n({counts[i, j]})" if normalize else str(counts[i, j])
            dark = shown[i, j] > (0.5 if normalize else counts.max() / 2)
            ax.text(j, i, text, ha="center", va="center", fontsize=7,
                    color="white" if dark else "black")
    ax.set_xticks(range(n), class_names, rotation=45, ha="right")
    ax.set_yticks(range(n), class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    accuracy = np.trace(counts) / max(1, counts.sum())
    ax.set_title(f"accuracy {accuracy:.3f}", fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


def live_frontend() -> bool:
    """True in a Jupyter kernel that a person drives; False under papermill or in scripts.

    ``PAPERMILL`` or ``LOOKALIKE_STATIC`` set (non-empty) forces False.
    """
    if any(os.environ.get(v) for v in ("PAPERMILL", "LOOKALIKE_STATIC")):
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    kernel = getattr(get_ipython(), "kernel", None)
    # nbclient (papermill, nbconvert --execute) sends its requests with allow_stdin=False;
    # JupyterLab, Notebook and VS Code allow stdin. ipykernel keeps the flag of the request.
    return kernel is not None and bool(getattr(kernel, "_allow_stdin", False))


def explorer(images: Any, embeddings_by_backbone: Mapping[str, np.ndarray], labels: Any,
             k: int = 5, class_names: Sequence[str] | None = None, metric: str = "cosine",
             queries: Sequence[int] = (0, 1, 2), interactive: bool | None = None):
    """Pick a query image, a backbone and k; see its nearest neighbours (query excluded).

    In a live kernel: an ipywidgets box (query slider, backbone menu, k slider). Otherwise (or
    with ``interactive=False``): a static gallery of ``queries`` for every backbone, one figure.
    """
    if not embeddings_by_backbone:
        raise ValueError("explorer needs at least one backbone's embeddings")
    n = len(images)
    for name, emb in embeddings_by_backbone.items():
        if len(emb) != n:
            raise ValueError(f"{name}: {len(emb)} embeddings for {n} images")
    k_max = min(max(int(k), 10), n - 1)
    neighbours = {name: retrieval.topk_neighbours(emb, emb, k_max, metric, exclude_self=True)
                  for name, emb in embeddings_by_backbone.items()}
    live = live_frontend() if interactive is None else interactive
    if not live:
        return _static_explorer(images, neighbours, labels, min(int(k), k_max), class_names,
                                queries)
    return _widget_explorer(images, neighbours, labels, min(int(k), k_max), k_max, class_names)


def _static_explorer(images, neighbours, labels, k, class_names, queries):
    q_ids = [int(q) for q in queries if 0 <= int(q) < len(images)]
    if not q_ids:
        raise ValueError(f"no valid query index in {list(queries)} for {len(images)} images")
    names = list(neighbours)
    pairs = [(name, q) for name in names for q in q_ids]  # every backbone for every query
    rows = [neighbours[name][0][q][:k] for name, q in pairs]
    hits, titles, q_titles = _label_rows(
        [q for _, q in pairs], rows, [neighbours[name][1][q] for name, q in pairs], labels,
        class_names, k, False)
    q_titles = [f"{name}: {t}" if q_titles else name
                for (name, _), t in zip(pairs, q_titles or [""] * len(pairs), strict=True)]
    return gallery([images[q] for _, q in pairs], [[images[j] for j in r] for r in rows],
                   hits=hits, titles=titles, k=k, query_titles=q_titles,
                   suptitle="neighbours by backbone (static explorer)")


def _widget_explorer(images, neighbours, labels, k, k_max, class_names):
    import ipywidgets as widgets
    from IPython.display import display

    query = widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="query")
    backbone = widgets.Dropdown(options=list(neighbours), description="backbone")
    k_slider = widgets.IntSlider(value=k, min=1, max=k_max, description="k")
    out = widgets.Output()
    plt = _pyplot()

    def draw(_change=None):
        idx, scores = neighbours[backbone.value]
        with out:
            out.clear_output(wait=True)
            fig = neighbour_gallery(images, [query.value], idx, labels=labels,
                                    class_names=class_names, scores=scores, k=k_slider.value,
                                    suptitle=backbone.value)
            display(fig)
            plt.close(fig)

    for w in (query, backbone, k_slider):
        w.observe(draw, names="value")
    draw()
    box = widgets.VBox([widgets.HBox([query, backbone, k_slider]), out])
    box.draw = draw  # exposed so a test (or a notebook) can redraw explicitly
    return box


def _within(lo: float, hi: float, x: float) -> float:
    """``x`` clipped to the axis range [lo, hi]."""
    return min(max(x, lo), hi)


def forest(rows: Sequence[Any], colours: Mapping[str, str], title: str = "", limit: float = 1.05):
    """A forest plot: one line per row (``helpers.glance.ForestRow``), its estimate and 95 %
    interval, the rule's threshold (a black tick; an "about" band shaded) and chance (a hollow
    diamond), coloured by verdict. Values against the report's number and differences between
    two methods get a panel each. Numbers beyond ``limit`` (epochs, time ratios) are drawn at
    the edge with their value written beside them; rows without a number show their note."""
    plt = _pyplot()
    panels = [p for p in ("value", "difference") if any(r.panel == p for r in rows)] or ["value"]
    fig, axes = plt.subplots(1, len(panels), sharey=True, squeeze=False,
                             figsize=(4.6 + 2.6 * len(panels), 0.42 * len(rows) + 1.2))
    def reach(panel: str) -> float:
        """How far the panel's numbers go (ratios may pass 1; at most 3)."""
        found = [abs(x) for r in rows if r.panel == panel
                 for x in (r.estimate, r.low, r.high, r.threshold, r.chance, *(r.band or ()))
                 if x is not None]
        return min(max([limit, *[x * 1.05 for x in found if x <= 3]]), 3 * limit)

    bounds = {"value": (0.0, reach("value")), "difference": (-limit, limit)}
    for ax, panel in zip(axes[0], panels, strict=True):
        lo, hi = bounds[panel]
        ax.set_xlim(lo, hi)
        ax.axvline(0.0, color="#dddddd", lw=0.8, zorder=0)
        ax.set_xlabel("our value (report's threshold: |)" if panel == "value"
                      else "difference A − B (rule's threshold: |)")
        for y, row in enumerate(rows):
            colour = colours.get(row.verdict, "black")
            if row.panel != panel or row.estimate is None:
                if row.estimate is None and panel == panels[0]:
                    ax.text(lo + 0.02 * (hi - lo), y, row.note, va="center", fontsize=7,
                            color=colour, style="italic", clip_on=True)
                continue
            if row.band is not None:
                ax.fill_betweenx([y - 0.3, y + 0.3], _within(lo, hi, row.band[0]), _within(lo, hi, row.band[1]),
                                 color=colour, alpha=0.15, lw=0)
            if row.low is not None:
                ax.plot([_within(lo, hi, row.low), _within(lo, hi, row.high)], [y, y], color=colour, lw=2)
            ax.plot(_within(lo, hi, row.estimate), y, "o", color=colour, ms=6)
            if row.threshold is not None and lo <= row.threshold <= hi:
                ax.plot(row.threshold, y, "|", color="black", ms=14, mew=1.5)
            if row.chance is not None and lo <= row.chance <= hi:
                ax.plot(row.chance, y, "D", mfc="none", mec="#555555", ms=5)
            if not lo <= row.estimate <= hi:
                shown = f"{row.estimate:.3g}" + ("" if row.low is None else
                                                   f" [{row.low:.3g}, {row.high:.3g}]")
                ax.text(_within(lo, hi, row.estimate), y + 0.32, shown, fontsize=7, ha="center")
    axes[0][0].set_yticks(range(len(rows)), [r.label for r in rows], fontsize=8)
    for tick, row in zip(axes[0][0].get_yticklabels(), rows, strict=True):
        tick.set_color(colours.get(row.verdict, "black"))
    axes[0][0].set_ylim(len(rows) - 0.5, -0.5)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=c, marker="o", lw=2, label=w) for w, c in colours.items()]
    handles.append(Line2D([], [], color="#555555", marker="D", mfc="none", lw=0, label="chance"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7,
               frameon=False, bbox_to_anchor=(0.5, -0.02))
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig
