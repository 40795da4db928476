"""Auto-graded backpropagation exercises with per-step diagnosis of mistakes.

Kept import-light: the sandbox child imports this package too.
"""

__version__ = "0.1.0"
__all__ = ["check"]


def __getattr__(name: str):
    if name == "check":  # `from autograder import check` in a student's notebook
        from autograder.selfcheck import check

        return check
    raise AttributeError(name)
