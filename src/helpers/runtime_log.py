"""TensorFlow's C++ log lines a student cannot act on, kept out of the notebook; all else kept.

TensorFlow's runtime logs from C++ straight to file descriptor 2, below Python's ``sys.stderr``.
In JupyterLab the kernel forwards that descriptor into the notebook, one red stderr block per
write. One line is logged on every training call that shuffles arrays, because the course
switches on TensorFlow's op determinism (:func:`helpers.config.seed_everything`)::

    E0000 ... node_def_util.cc:682] NodeDef mentions attribute use_unbounded_threadpool which
    is not in the op definition: Op<name=MapDataset ...>

Keras shuffles array inputs inside ``tf.data`` with a seeded ``RandomShuffle``; with op
determinism on, tf.data's make-deterministic rewrite turns a parallel map of that pipeline into
a sequential ``MapDataset`` and keeps an attribute only the parallel op has, and TensorFlow
logs the mismatch at ERROR level (so ``TF_CPP_MIN_LOG_LEVEL=2`` keeps it), ending "Unknown
attributes will be ignored": the line says nothing is wrong. The batches, their
order and the weights are the same with or without the line (tests/test_runtime_log.py). It
cannot be stopped at the source without changing the results: without the shuffle or without
determinism the line goes, and so does bit-for-bit reproducibility; feeding arrays any other
way (a ``PyDataset``, a hand-made ``tf.data`` pipeline) draws other batches.

So :func:`drop_known_lines` (which ``import helpers`` calls in a Jupyter kernel) filters
descriptor 2: it points it at a pipe read by a small child process that writes every line
through to the original stderr, byte for byte, except those matching :data:`KNOWN_LINES` (that
message, matched on its file, text and op, and two import-time lines TensorFlow prints below
the log level the course sets). In a kernel, Python's tracebacks and warnings never pass
through it (``sys.stderr`` has its own path to the notebook); in a script they do, and are
kept. A child process, not a thread: if the kernel dies on a fatal error, the child still
drains the pipe, so the last lines before a crash reach the notebook or terminal.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys

#: Regular expressions (bytes) of the lines dropped; anything else written to fd 2 is kept.
KNOWN_LINES: tuple[bytes, ...] = (
    # Below TF_CPP_MIN_LOG_LEVEL=2 but printed anyway: TensorFlow's import logs them before
    # its log level is read ("before absl::InitializeLog()"). The oneDNN line's advice (turn it
    # off) would change the course's numbers.
    rb"^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$",
    rb"^I0000 [^\n]* port\.cc:\d+\] oneDNN custom operations are on\.",
    rb"node_def_util\.cc:\d+\] NodeDef mentions attribute use_unbounded_threadpool which is not "
    rb"in the op definition: Op<name=MapDataset",
)

# The child: no imports beyond the standard library's re/signal/sys, started with -S (no site).
# It ignores SIGINT (an interrupted kernel's process group gets one) and lives in its own
# session, so it ends exactly when every writer of the pipe has closed it.
_FILTER = r"""
import re, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
known = re.compile(b"|".join(p.encode("latin-1") for p in sys.argv[1:]))
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    if not known.search(line):
        out.write(line)
        out.flush()
"""

_filter: subprocess.Popen | None = None


def drop_known_lines(patterns: tuple[bytes, ...] = KNOWN_LINES) -> bool:
    """Filter this process's file descriptor 2 through :data:`KNOWN_LINES` (once per process).

    Returns True when the filter is in place (now or from an earlier call), False where it
    cannot be (no ``os.pipe``/``dup2``, e.g. Windows): then stderr is left as it was.
    """
    global _filter
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # INFO and WARNING lines stay out
    if _filter is not None and _filter.poll() is None:
        return True
    if os.name != "posix":
        return False
    read_end, write_end = os.pipe()
    original = os.dup(2)
    try:
        _filter = subprocess.Popen(
            [sys.executable, "-S", "-u", "-c", _FILTER,
             *(p.decode("latin-1") for p in patterns)],
            stdin=read_end, stdout=original, stderr=original, close_fds=True,
            start_new_session=True)
    except OSError:
        os.close(read_end), os.close(write_end), os.close(original)
        return False
    os.close(read_end)
    os.dup2(write_end, 2)
    os.close(write_end)
    os.close(original)
    return True


class _NotRetracing(logging.Filter):
    """Drops TensorFlow's "N out of the last M calls to <function ...> triggered tf.function
    retracing" warning. The course trains many small models in a loop (a grid, each seed), and
    every new Keras model traces its own train and predict functions, so after a few models
    TensorFlow warns that tracing is frequent: expected here, nothing a student can change, and
    repeated under every sweep. Every other TensorFlow log record passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


_RETRACING_FILTER = _NotRetracing()


def quiet_retracing_warnings() -> None:
    """Keep TensorFlow's retracing warning (see :class:`_NotRetracing`) out of the notebook.

    TensorFlow logs it through Python's ``logging`` ("tensorflow" logger, to stdout in an
    interactive kernel), not through file descriptor 2, so :func:`drop_known_lines` never sees
    it. Idempotent; TensorFlow need not be imported yet (the logger is looked up by name).
    """
    logger = logging.getLogger("tensorflow")
    if _RETRACING_FILTER not in logger.filters:
        logger.addFilter(_RETRACING_FILTER)
