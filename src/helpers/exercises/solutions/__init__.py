"""Reference solutions to the notebooks' exercises, one module per notebook (``nbXX``).

Kept apart from the checkers so a student notebook never imports them. Each module holds
``SOLUTIONS`` and ``WRONG`` (a typical wrong answer per exercise), and optionally ``CONTEXT``
(the keyword context ``check`` needs, or a zero-argument factory for it).
"""
