"""Exports of our assignments to the graders courses already use (nbgrader, otter-grader, Gradescope).

Each module writes files in the tool's own format and leaves the grading to the
tool's own commands; the tool's test cells call back into this engine so its
feedback carries our per-step diagnosis.
"""
