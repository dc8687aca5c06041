"""The fd-2 filter drops TensorFlow's one known harmless line and keeps everything else, crash
lines included; the line really comes from shuffled array training under op determinism."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from helpers import runtime_log

NOISE = (b"E0000 00:00:1796530447.655203    6708 node_def_util.cc:682] NodeDef mentions attribute "
         b"use_unbounded_threadpool which is not in the op definition: Op<name=MapDataset; "
         b"signature=input_dataset:variant -> handle:variant>\n")


def _run(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          env=env, timeout=300)


def test_known_line_dropped_other_lines_kept_even_on_a_crash() -> None:
    done = _run(f"""
        import os
        from helpers import runtime_log
        assert runtime_log.drop_known_lines() and runtime_log.drop_known_lines()
        os.write(2, b"before\\n" + {NOISE!r} + b"F0000 real fatal line: Check failed\\n")
        os.write(2, b"no newline at the end")
        os.abort()
    """)
    assert done.returncode != 0
    assert done.stderr == b"before\nF0000 real fatal line: Check failed\nno newline at the end"


def test_patterns_match_the_line_only() -> None:
    import re

    known = re.compile(b"|".join(runtime_log.KNOWN_LINES))
    assert known.search(NOISE)
    assert not known.search(NOISE.replace(b"MapDataset", b"ParallelMapDatasetV2"))
    assert not known.search(b"E0000 node_def_util.cc:682] NodeDef mentions attribute other_attr")


@pytest.mark.slow
def test_shuffled_training_logs_it_and_the_filter_keeps_it_out() -> None:
    code = """
        import os, sys
        import numpy as np
        from helpers import runtime_log
        if sys.argv[-1] == "filter":
            runtime_log.drop_known_lines()
        import keras
        from helpers import training
        x = np.random.default_rng(0).random((300, 8)).astype("float32")
        build = lambda: keras.Sequential([keras.Input((8,)), keras.layers.Dense(8)])
        run = training.fit(build, (x, x), None, training.Recipe(epochs=1, batch_size=32),
                           loss="mse")
        os.write(2, b"trained\\n")
        print(repr(run.model.get_weights()[0].tobytes()))
    """
    # TensorFlow's INFO lines (oneDNN) show only at log level 0; an earlier test in this worker
    # may have set TF_CPP_MIN_LOG_LEVEL (the notebooks' first cell does), so say it here.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "TF_CPP_MIN_LOG_LEVEL": "0"}
    without = subprocess.run([sys.executable, "-c", textwrap.dedent(code), "plain"],
                             capture_output=True, timeout=300, env=env)
    filtered = subprocess.run([sys.executable, "-c", textwrap.dedent(code), "filter"],
                              capture_output=True, timeout=300, env=env)
    assert without.returncode == filtered.returncode == 0, filtered.stderr[-2000:]
    # When this fails, TensorFlow no longer logs the line: KNOWN_LINES can go.
    assert b"use_unbounded_threadpool" in without.stderr
    assert b"use_unbounded_threadpool" not in filtered.stderr
    # TensorFlow names oneDNN only on CPUs where it turns its custom operations on.
    assert b"oneDNN" not in filtered.stderr
    assert b"trained\n" in filtered.stderr
    assert without.stdout == filtered.stdout  # same weights, to the bit


def test_tensorflow_import_lines_are_known() -> None:
    import re

    known = re.compile(b"|".join(runtime_log.KNOWN_LINES))
    assert known.search(b"WARNING: All log messages before absl::InitializeLog() is called are "
                        b"written to STDERR\n")
    assert known.search(b"I0000 00:00:1796530440.237721    6708 port.cc:153] oneDNN custom "
                        b"operations are on. You may see slightly different numerical results\n")
    assert not known.search(b"WARNING: something else before absl::InitializeLog()\n")


def test_tensorflows_retracing_warning_is_dropped_and_its_other_warnings_kept() -> None:
    # A subprocess: the filter stays on the "tensorflow" logger for the process's life.
    done = _run("""
        import io, logging
        import tensorflow as tf
        from helpers import runtime_log
        seen = io.StringIO()
        logger = logging.getLogger("tensorflow")
        logger.addHandler(logging.StreamHandler(seen))

        def new_functions():  # a new function each time, as each new Keras model's train step
            for n in range(1, 12):
                f = tf.function(lambda x: x * 2.0)
                f(tf.ones((n,)))

        new_functions()
        print("without:", "retracing" in seen.getvalue())
        seen.truncate(0), seen.seek(0)
        runtime_log.quiet_retracing_warnings(); runtime_log.quiet_retracing_warnings()
        new_functions()
        logger.warning("a real warning stays")
        print("with:", repr(seen.getvalue()))
    """)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    without, with_filter = done.stdout.decode().splitlines()[-2:]
    assert without == "without: True"  # TensorFlow does warn: the test below is not vacuous
    assert "a real warning stays" in with_filter and "retracing" not in with_filter


def test_the_retracing_filter_matches_tensorflows_warning_only() -> None:
    import logging

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("tensorflow", logging.WARNING, __file__, 1, message, None, None)

    keep = runtime_log._RETRACING_FILTER.filter
    assert not keep(record("5 out of the last 9 calls to <function f at 0x1> triggered "
                           "tf.function retracing. Tracing is expensive ..."))
    assert keep(record("Compiled the loaded model, but the compiled metrics have yet to be built."))
