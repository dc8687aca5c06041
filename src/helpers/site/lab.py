"""Run notebooks in JupyterLab as a student does, in headless Chromium, and say what went wrong.

    python -m helpers.site.lab [--profile smoke] [--screenshots DIR] [--limit-s S] [NAMES...]

For each notebook: a JupyterLab server from this Python's environment (``jupyter lab`` beside
``sys.executable``) on a free localhost port with a token, its root a temporary folder holding
a copy of the notebook; the copy gets the profile the way ``helpers.notebooks run`` gives it
(papermill's injected-parameters cell after the parameters cell). Chromium (Debian's, as in
:mod:`helpers.site.browser`) opens it, waits for the kernel, clicks Run > Run All Cells and
waits until no cell is running. What a student would see as a problem is collected: an error
or stderr output (a red block), a cell left unrun, a widget that does not render, a console
error in the browser, a request that leaves the machine. Screenshots of each problem (and of
the end) go to the screenshots folder when there is a problem.

JupyterLab is told to render every cell (``windowingMode: none``), so every output is in the page
when it is read.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.site import browser

#: Chromium flags: the site check's, plus no QUIC (nothing goes out anyway).
CHROMIUM_FLAGS = (*browser.CHROMIUM_FLAGS, "--disable-quic")
#: Variables of a test or papermill run that a student's JupyterLab does not have: they would
#: change what the notebook shows (Agg figures, the static explorer, quieter TensorFlow).
NOT_A_STUDENTS = ("MPLBACKEND", "PAPERMILL", "LOOKALIKE_STATIC", "TF_CPP_MIN_LOG_LEVEL",
                  "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT",
                  "JPY_PARENT_PID", "JPY_SESSION_NAME")
#: stderr a profile prints on purpose, line by line: the smoke profile runs on synthetic
#: stand-in data and says so loudly (``helpers.datasets.standins``), a notice to read, not an
#: error. Any other red output is a problem.
EXPECTED_STDERR = {"smoke": re.compile(
    r"WARNING: data set '\w+' is a SYNTHETIC stand-in \([^)]*smoke profile\); numbers from it "
    r"say nothing about the real data")}
STDERR_MIME = "application/vnd.jupyter.stderr"  # stderr streams and error tracebacks

_CELL_FACTS = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell')).map(
  (cell, i) => ({
    prompt: ((cell.querySelector('.jp-InputPrompt') || {}).textContent || '').trim(),
    stderr: Array.from(cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="STDERR"]'))
      .map(o => o.innerText),
    widgets: Array.from(cell.querySelectorAll('.jp-OutputArea-output:not([data-mime-type])'))
      .filter(o => !o.classList.contains('lm-mod-hidden'))
      .map(o => ({text: o.innerText.slice(0, 200),
                  views: o.querySelectorAll('.jupyter-widgets').length})),
  }))""".replace("STDERR", STDERR_MIME)


@dataclass
class LabRun:
    """What the browser saw of one notebook run with Run All Cells."""

    notebook: str
    profile: str = "smoke"
    seconds: float = 0.0
    cells: list[dict] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    timed_out: bool = False
    dialogs: list[str] = field(default_factory=list)  # accepted on the way (Select Kernel)
    screenshots: list[Path] = field(default_factory=list)

    @property
    def rendered_widgets(self) -> int:
        """Widget outputs that drew at least one widget view."""
        return sum(bool(w["views"]) for cell in self.cells for w in cell["widgets"])

    def expected(self, stderr: str) -> bool:
        """True when every line of a red output is one :data:`EXPECTED_STDERR` allows."""
        allowed = EXPECTED_STDERR.get(self.profile)
        lines = [line for line in stderr.splitlines() if line.strip()]
        return bool(allowed and lines) and all(allowed.fullmatch(line) for line in lines)

    @property
    def problems(self) -> list[str]:
        found = ["did not finish: a cell was still running at the time limit"] * self.timed_out
        for number, cell in enumerate(self.cells):
            where = f"code cell {number} {cell['prompt']}"
            if not re.fullmatch(r"\[\d+\]:", cell["prompt"]):
                found.append(f"{where}: not run")
            found += [f"{where}: red output: {text[:400]}" for text in cell["stderr"]
                      if not self.expected(text)]
            found += [f"{where}: widget not rendered: {w['text'] or '(empty)'}"
                      for w in cell["widgets"]
                      if not w["views"] or "Error displaying widget" in w["text"]]
        found += [f"console: {e}" for e in self.console_errors]
        found += [f"request off the machine: {u}" for u in self.external_requests]
        return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_profile(notebook: Path, target: Path, profile: str) -> Path:
    """A copy of ``notebook`` at ``target`` whose parameters cell is followed by papermill's
    injected ``PROFILE = profile`` (what ``python -m helpers.notebooks run`` does)."""
    import nbformat
    from papermill.parameterize import parameterize_notebook

    nb = nbformat.read(str(notebook), as_version=4)
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])  # papermill reads every cell's tags
    nb.metadata.setdefault("papermill", {})
    nb = parameterize_notebook(nb, {"PROFILE": profile})
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target))
    return target


class JupyterLab:
    """``jupyter lab`` serving ``root`` on a free localhost port with a token, no browser of its
    own, its settings and workspaces in ``home``; a context manager that stops it."""

    def __init__(self, root: Path, home: Path, env: Mapping[str, str] | None = None) -> None:
        self.root, self.home = Path(root), Path(home)
        self.port, self.token = _free_port(), secrets.token_hex(16)
        settings = self.home / "settings" / "@jupyterlab" / "notebook-extension"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
        apputils = self.home / "settings" / "@jupyterlab" / "apputils-extension"
        apputils.mkdir(parents=True, exist_ok=True)  # no "get Jupyter news?" question
        (apputils / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
        base = {k: v for k, v in os.environ.items() if k not in NOT_A_STUDENTS}
        self.env = {**base, "JUPYTERLAB_SETTINGS_DIR": str(self.home / "settings"),
                    "JUPYTERLAB_WORKSPACES_DIR": str(self.home / "workspaces"),
                    "JUPYTER_RUNTIME_DIR": str(self.home / "runtime"), **(env or {})}
        self.log = self.home / "jupyterlab.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> JupyterLab:
        jupyter = Path(sys.executable).with_name("jupyter")
        command = [str(jupyter), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                   f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                   "--LabApp.extension_manager=readonly",  # no extension search on PyPI
                   *(["--allow-root"] if os.geteuid() == 0 else [])]  # CI runs as root
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, cwd=self.root)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=5):
                    return self
            except OSError:
                time.sleep(0.5)
        self.__exit__(None, None, None)
        raise RuntimeError(f"jupyter lab did not answer in 120 s: {self.log.read_text()[-2000:]}")

    def __exit__(self, *exc: Any) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:  # the server shuts its kernels down first
            request = urllib.request.Request(f"{self.url}/api/shutdown?token={self.token}",
                                              method="POST")
            urllib.request.urlopen(request, timeout=10).close()
            self.process.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _accept_dialogs(page: Any, run: LabRun) -> None:
    """Accept a dialog JupyterLab puts up (its "Select Kernel" offers the notebook's own
    kernel), as a student clicking its default button would."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count():
        run.dialogs.append(dialog.first.inner_text()[:200])
        dialog.locator(".jp-mod-accept").first.click()


def _kernel_idle(page: Any) -> bool:
    """The status bar says "<kernel> | Idle" (it says "Initializing" until the kernel is up)."""
    return bool(page.evaluate(
        "() => /\\| Idle/.test((document.querySelector('#jp-main-statusbar') || {}).innerText)"))


def _wait_for_kernel(page: Any, run: LabRun, limit_s: float = 180) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        _accept_dialogs(page, run)
        if _kernel_idle(page):
            return
        page.wait_for_timeout(1000)
    raise RuntimeError(f"the kernel of {run.notebook} was not idle after {limit_s:.0f} s")


def _wait_until_done(page: Any, run: LabRun, limit_s: float, progress: bool = False) -> bool:
    """Wait for Run All to start, then until no prompt shows ``[*]`` for three polls in a row
    and the kernel is idle. False when ``limit_s`` ran out first."""
    deadline = time.monotonic() + limit_s
    started, quiet, said = False, 0, time.monotonic()
    while time.monotonic() < deadline:
        _accept_dialogs(page, run)
        prompts = [c["prompt"] for c in page.evaluate(_CELL_FACTS)]
        if progress and time.monotonic() - said > 30:
            said = time.monotonic()
            done = sum(bool(re.fullmatch(r"\[\d+\]:", p)) for p in prompts)
            print(f"  {run.notebook}: {done} of {len(prompts)} code cells run, "
                  f"{sum('*' in p for p in prompts)} running or queued", file=sys.stderr)
        running = any("*" in p for p in prompts)
        started = started or running or any(re.fullmatch(r"\[\d+\]:", p) for p in prompts)
        quiet = quiet + 1 if started and not running and _kernel_idle(page) else 0
        if quiet >= 3:
            return True
        page.wait_for_timeout(1000)
    return False


def _screenshots(page: Any, run: LabRun, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stem = Path(run.notebook).stem
    bad = page.locator(f".jp-OutputArea-output[data-mime-type='{STDERR_MIME}'], "
                       ".jp-OutputArea-output:not([data-mime-type]):not(.lm-mod-hidden)")
    for i in range(min(bad.count(), 5)):
        bad.nth(i).scroll_into_view_if_needed()
        path = folder / f"{stem}_problem{i + 1}.png"
        page.screenshot(path=str(path))
        run.screenshots.append(path)
    path = folder / f"{stem}_end.png"
    page.screenshot(path=str(path))
    run.screenshots.append(path)


def run_in_lab(notebook: Path, profile: str = "smoke", workdir: Path | None = None,
               screenshots: Path | None = None, limit_s: float = 900,
               env: Mapping[str, str] | None = None, progress: bool = False) -> LabRun:
    """Open a copy of ``notebook`` in JupyterLab in headless Chromium, Run All Cells in
    ``profile``, and return what was seen (``.problems``); ``workdir`` holds the server's root,
    settings and log (a temporary folder when None); ``screenshots`` receives screenshots when
    there is a problem (default ``workdir/screenshots``)."""
    from playwright.sync_api import sync_playwright

    chromium = browser.ensure_chromium()
    workdir = Path(workdir or tempfile.mkdtemp(prefix="lab-"))
    shots = Path(screenshots or workdir / "screenshots")
    root = workdir / "root"
    copy = with_profile(Path(notebook), root / Path(notebook).name, profile)
    run = LabRun(copy.name, profile)
    with JupyterLab(root, workdir / "home", env) as lab, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(workdir / "chromium-profile"), executable_path=str(chromium),
            args=list(CHROMIUM_FLAGS), headless=True, viewport=browser.VIEWPORT)
        try:
            def local_only(route: Any) -> None:
                if route.request.url.startswith((lab.url, "data:", "blob:")):
                    route.continue_()
                else:
                    run.external_requests.append(route.request.url)
                    route.abort()

            context.route("**/*", local_only)
            page = context.pages[0] if context.pages else context.new_page()
            page.on("console", lambda m: run.console_errors.append(m.text[:400])
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: run.console_errors.append(f"uncaught: {e}"[:400]))
            page.goto(f"{lab.url}/lab/tree/{copy.name}?token={lab.token}")
            page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=120_000)
            _wait_for_kernel(page, run)
            start = time.monotonic()
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
            run.timed_out = not _wait_until_done(page, run, limit_s, progress)
            run.seconds = time.monotonic() - start
            page.wait_for_timeout(2000)  # late widget renders and console messages
            run.cells = page.evaluate(_CELL_FACTS)
            if run.problems:
                _screenshots(page, run, shots)
        finally:
            context.close()
    return run


def main(argv: Sequence[str] | None = None) -> int:
    from helpers import config, notebooks

    parser = argparse.ArgumentParser(prog="python -m helpers.site.lab", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="notebook stems or prefixes (default: all)")
    parser.add_argument("--profile", choices=config.PROFILE_NAMES, default="smoke")
    parser.add_argument("--screenshots", type=Path, default=Path("reports/lab-screenshots"))
    parser.add_argument("--limit-s", type=float, default=900,
                        help="seconds Run All Cells may take (a standard run of 01 or 02 needs more)")
    args = parser.parse_args(argv)
    failed = 0
    for notebook in notebooks.discover(args.names):
        with tempfile.TemporaryDirectory(prefix="lab-") as workdir:
            run = run_in_lab(notebook, args.profile, Path(workdir), args.screenshots,
                             limit_s=args.limit_s, progress=True)
        print(f"{'ok    ' if not run.problems else 'FAILED'} {notebook.stem} "
              f"({args.profile}) {run.seconds:.0f} s, {len(run.cells)} code cells, "
              f"{run.rendered_widgets} widgets drawn")
        for problem in run.problems:
            print(f"    {problem}")
        for dialog in run.dialogs:
            print(f"    (accepted a dialog: {dialog!r})")
        failed += bool(run.problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
