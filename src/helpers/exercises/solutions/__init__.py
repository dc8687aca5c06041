"""Reference solutions to the notebooks' exercises, one module per notebook (``nbXX``).

Each module holds ``SOLUTIONS = {exercise_id: answer}``. Nothing a student imports reaches
them: :func:`helpers.exercises.teacher.reference` does, for the teacher's copy and the tests,
and a student copy of the course (``make student DIR=...``) leaves this package out.
"""
