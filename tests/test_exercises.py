"""Every exercise: its reference solution passes its checker, a typical wrong answer does not,
and a blank answer is 'not attempted' (so notebooks run headless with exercises left blank)."""

from __future__ import annotations

import pytest

from helpers import exercises

ALL = [ex.id for ex in exercises.listing()]


def test_blank_answer_is_not_attempted_and_does_not_raise():
    for exercise_id in ALL:
        feedback = exercises.check(exercise_id, None)
        assert feedback.status == "not attempted" and not feedback


@pytest.mark.parametrize("exercise_id", ALL)
def test_solution_is_accepted(exercise_id):
    feedback = exercises.check(exercise_id, exercises.solution(exercise_id),
                               **exercises.context_for(exercise_id))
    assert feedback.status == "correct", str(feedback)


@pytest.mark.parametrize("exercise_id", ALL)
def test_typical_wrong_answer_is_rejected_with_a_hint(exercise_id):
    feedback = exercises.check(exercise_id, exercises.typical_wrong_answer(exercise_id),
                               **exercises.context_for(exercise_id))
    assert feedback.status == "not yet", str(feedback)
    assert feedback.message.strip()
    assert repr(exercises.solution(exercise_id)) not in feedback.message


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
