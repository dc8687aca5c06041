"""Exercises in the notebooks: self-checks that give specific feedback without the answer.

A notebook's exercise is a student cell that ends in ``answer = None  # your code here`` (or a
function the student writes) and a check call::

    from helpers import exercises
    exercises.check("01.loo_top1", answer)

``check`` returns a :class:`Feedback` that prints as one line: "not attempted yet" while the
answer is still ``None`` (so the notebooks run headless with every exercise blank), "correct",
or "not yet" with a hint that points at the mistake without giving the solution away.

Checkers live in ``helpers.exercises.nbXX`` (one module per notebook), registered with
:func:`exercise`. Reference solutions live apart, in ``helpers.exercises.solutions.nbXX``, as
``SOLUTIONS = {exercise_id: answer}`` and ``WRONG = {exercise_id: a typical wrong answer}``:
the notebooks never import them; ``tests/test_exercises.py`` feeds each solution to its checker
(it must pass) and each typical wrong answer (it must not).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["not attempted", "correct", "not yet"]

# A checker takes the student's answer (plus keyword context the notebook passes, such as
# the data it works on) and returns None when the answer is right, else a hint.
Checker = Callable[..., "str | None"]


@dataclass(frozen=True)
class Exercise:
    id: str  # "<notebook number>.<short name>", e.g. "01.loo_top1"
    title: str
    checker: Checker

    @property
    def notebook(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass(frozen=True)
class Feedback:
    exercise: str
    status: Status
    message: str

    def __bool__(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        mark = {"correct": "correct", "not yet": "not yet", "not attempted": "not attempted yet"}
        return f"[{self.exercise}] {mark[self.status]}: {self.message}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython shows one line
        printer.text(str(self))


_REGISTRY: dict[str, Exercise] = {}


def exercise(exercise_id: str, title: str) -> Callable[[Checker], Checker]:
    """Register ``checker`` under ``exercise_id`` (decorator used in ``nbXX`` modules)."""
    if "." not in exercise_id:
        raise ValueError(f"exercise id {exercise_id!r} must look like '01.name'")

    def register(checker: Checker) -> Checker:
        if exercise_id in _REGISTRY and _REGISTRY[exercise_id].checker is not checker:
            raise ValueError(f"exercise {exercise_id!r} is registered twice")
        _REGISTRY[exercise_id] = Exercise(exercise_id, title, checker)
        return checker

    return register


def _load_notebook_module(notebook: str) -> None:
    try:
        importlib.import_module(f"{__name__}.nb{notebook}")
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.nb{notebook}":
            raise


def get(exercise_id: str) -> Exercise:
    """The registered exercise ``exercise_id`` (its notebook's module is imported on demand)."""
    _load_notebook_module(exercise_id.split(".", 1)[0])
    if exercise_id not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise KeyError(f"no exercise {exercise_id!r}; registered: {known}")
    return _REGISTRY[exercise_id]


def listing(notebook: str | None = None) -> list[Exercise]:
    """Every exercise (of one notebook, e.g. ``"01"``), in id order."""
    notebooks = [notebook] if notebook else [f"{i:02d}" for i in range(10)]
    for nb in notebooks:
        _load_notebook_module(nb)
    return [ex for key, ex in sorted(_REGISTRY.items()) if notebook in (None, ex.notebook)]


def check(exercise_id: str, answer: Any, **context: Any) -> Feedback:
    """Judge ``answer`` to ``exercise_id``; never raises on a wrong or broken answer."""
    ex = get(exercise_id)
    if answer is None or answer is Ellipsis:
        return Feedback(exercise_id, "not attempted",
                        f"{ex.title}: replace None with your answer and run the cell again.")
    try:
        hint = ex.checker(answer, **context)
    except Exception as error:  # the student's code raised inside the checker
        return Feedback(exercise_id, "not yet",
                        f"your answer raised {type(error).__name__}: {error}")
    if hint is None:
        return Feedback(exercise_id, "correct", f"{ex.title}: well done.")
    return Feedback(exercise_id, "not yet", hint)


def solution(exercise_id: str) -> Any:
    """The reference solution (for teachers and tests; notebooks never call this)."""
    return _solutions_of(exercise_id).SOLUTIONS[exercise_id]


def typical_wrong_answer(exercise_id: str) -> Any:
    """A typical wrong answer the checker must reject (for tests)."""
    return _solutions_of(exercise_id).WRONG[exercise_id]


def context_for(exercise_id: str) -> dict[str, Any]:
    """Keyword context a test passes to ``check`` (``CONTEXT`` in the solutions module)."""
    factory = getattr(_solutions_of(exercise_id), "CONTEXT", {}).get(exercise_id)
    return factory() if callable(factory) else dict(factory or {})


def _solutions_of(exercise_id: str) -> Any:
    get(exercise_id)
    return importlib.import_module(f"{__name__}.solutions.nb{exercise_id.split('.', 1)[0]}")
