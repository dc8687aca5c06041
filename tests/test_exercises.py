"""Every exercise's checker, with a right, a wrong and a blank answer: the reference solution,
written out as the teacher's copy writes it, is "correct"; each typical mistake
(``exercise_mistakes.MISTAKES``) gets "not yet" and the hint for that mistake, a different hint
for each; a blank answer is "not attempted" (so notebooks run headless with exercises left
blank); an answer rounded as a printout rounds it is accepted; and the package's own reference
object is refused, so the solutions are no shortcut."""

from __future__ import annotations

import subprocess
import sys
from itertools import combinations

import pytest

from exercise_mistakes import MISTAKES
from helpers import exercises
from helpers.exercises import teacher

ALL = [ex.id for ex in exercises.listing()]
CASES = [(exercise_id, index) for exercise_id in ALL
         for index in range(len(MISTAKES.get(exercise_id, [])))]


def written_out(exercise_id: str):
    """The reference solution as a notebook cell defines it (not the package's object)."""
    namespace: dict = {}
    exec(compile(teacher.answer_source(exercise_id), exercise_id, "exec"), namespace)
    return namespace["answer"]


def test_blank_answer_is_not_attempted_and_does_not_raise():
    for exercise_id in ALL:
        feedback = exercises.check(exercise_id, None)
        assert feedback.status == "not attempted" and not feedback


@pytest.mark.parametrize("exercise_id", ALL)
def test_the_written_out_solution_is_correct(exercise_id):
    feedback = exercises.check(exercise_id, written_out(exercise_id))
    assert feedback.status == "correct", str(feedback)


def test_every_exercise_has_at_least_one_typical_mistake():
    assert sorted(MISTAKES) == sorted(ALL)


@pytest.mark.parametrize(("exercise_id", "index"), CASES)
def test_a_typical_mistake_gets_its_own_hint(exercise_id, index):
    answer, fragment = MISTAKES[exercise_id][index]
    feedback = exercises.check(exercise_id, answer)
    assert feedback.status == "not yet", str(feedback)
    assert fragment in feedback.message, str(feedback)
    solution = teacher.reference(exercise_id)
    if not callable(solution):
        assert teacher.answer_value(solution) not in feedback.message


@pytest.mark.parametrize("exercise_id", [e for e in ALL if len(MISTAKES.get(e, [])) > 1])
def test_distinct_mistakes_get_distinct_hints(exercise_id):
    hints = [exercises.check(exercise_id, answer).message for answer, _ in MISTAKES[exercise_id]]
    for first, second in combinations(hints, 2):
        assert first != second


def _rounded(function, decimals=3):
    return lambda *args: round(function(*args), decimals)


@pytest.mark.parametrize("exercise_id", ["00.bug_range", "00.random_top5_chance",
                                         "02.gold_gap_on_test", "05.loss_floor"])
def test_a_number_rounded_to_three_decimals_is_accepted(exercise_id):
    assert exercises.check(exercise_id, round(teacher.reference(exercise_id), 3))


@pytest.mark.parametrize("exercise_id", ["01.loo_topk", "01.chance_top1", "04.topk_accuracy",
                                         "05.chance_candidates", "05.ranking_hinge"])
def test_a_function_whose_result_is_rounded_to_three_decimals_is_accepted(exercise_id):
    feedback = exercises.check(exercise_id, _rounded(written_out(exercise_id)))
    assert feedback.status == "correct", str(feedback)


@pytest.mark.parametrize("exercise_id", [e for e in ALL if callable(teacher.reference(e))])
def test_the_packages_own_solution_is_refused(exercise_id):
    feedback = exercises.check(exercise_id, teacher.reference(exercise_id))
    assert feedback.status == "not yet" and "reference solution" in feedback.message


def test_the_module_students_import_offers_no_solutions():
    assert not hasattr(exercises, "solution")
    code = ("import sys; from helpers import exercises; "
            "[exercises.check(e.id, None) for e in exercises.listing()]; "
            "print([m for m in sys.modules if m.startswith('helpers.exercises.solutions')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_registry_rejects_bad_ids_and_unknown_exercises():
    with pytest.raises(ValueError):
        exercises.exercise("noprefix", "x")
    with pytest.raises(KeyError):
        exercises.get("99.nothing")


def test_a_raising_answer_gives_feedback_not_a_traceback():
    @exercises.exercise("99.raises", "an exercise whose answer is a function")
    def _check(answer):
        return None if answer(2) == 4 else "square it"

    def broken(x):
        raise ZeroDivisionError("division by zero")

    feedback = exercises.check("99.raises", broken)
    assert feedback.status == "not yet" and "ZeroDivisionError" in feedback.message
    assert exercises.check("99.raises", lambda x: x * x).status == "correct"
    exercises._REGISTRY.pop("99.raises")
