"""Exercises in the notebooks: self-checks that give specific feedback without the answer.

A notebook's exercise is a student cell that ends in ``answer = None  # your code here`` (or a
function the student writes) and a check call::

    from helpers import exercises
    exercises.check("01.loo_top1", answer)

``check`` returns a :class:`Feedback` that prints as one line: "not attempted yet" while the
answer is still ``None`` (so the notebooks run headless with every exercise blank), "correct",
or "not yet" with a hint that points at the mistake without giving the solution away.

Checkers live in ``helpers.exercises.nbXX`` (one module per notebook), registered with
:func:`exercise`. Reference solutions live apart, in ``helpers.exercises.solutions.nbXX``
(``SOLUTIONS = {exercise_id: answer}``), which this module never imports: a teacher reaches
them through :mod:`helpers.exercises.teacher` (the teacher's copy of a notebook, and the
tests), and a student copy of the course (:mod:`helpers.exercises.copies`) leaves them out.
:func:`check` refuses an answer that is one of the package's own reference objects, so the
solutions module, where it is present, is no shortcut to "correct".
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

#: Where the reference solutions live; nothing defined there is accepted as an answer.
REFERENCE_PACKAGE = f"{__name__}.solutions"


def is_reference_object(answer: Any) -> bool:
    """Whether ``answer`` (a function, a class or an instance of one) was defined in the
    reference solutions' package rather than written by the student."""
    for candidate in (answer, type(answer)):
        module = getattr(candidate, "__module__", None)
        if isinstance(module, str) and (module == REFERENCE_PACKAGE
                                        or module.startswith(REFERENCE_PACKAGE + ".")):
            return True
    return False


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
    if is_reference_object(answer):
        return Feedback(exercise_id, "not yet",
                        f"this answer is the course's reference solution, imported from "
                        f"{REFERENCE_PACKAGE}, not yours: write your own in the notebook's cell "
                        "and pass that.")
    try:
        hint = ex.checker(answer, **context)
    except Exception as error:  # the student's code raised inside the checker
        return Feedback(exercise_id, "not yet",
                        f"your answer raised {type(error).__name__}: {error}")
    if hint is None:
        return Feedback(exercise_id, "correct", f"{ex.title}: well done.")
    return Feedback(exercise_id, "not yet", hint)
