"""Auto-graded backpropagation exercises with per-step diagnosis of mistakes."""

__version__ = "0.1.0"
