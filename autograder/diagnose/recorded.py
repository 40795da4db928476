"""Mutant results read from a student release instead of running the solution's mutants
(see ``judge.release_record``)."""

from __future__ import annotations

from typing import Any

from autograder.diagnose.mistakes import Fingerprints, MutantError
from autograder.judge.cases import Call, Workload
from autograder.judge.release_record import recorded_data
from autograder.run import wire
from autograder.spec import MistakeSpec


def decode(data: Any) -> Any:
    """A recorded result: a value, or a mutant's error (kind and shapes only)."""
    if isinstance(data, dict) and "__mutant_error__" in data:
        return MutantError(wire.decode(data["__mutant_error__"]))
    return wire.decode(data)


class RecordedFingerprints(Fingerprints):
    """Mutant outputs read from the release: single mistakes only."""

    def _run(self, mistakes: tuple[MistakeSpec, ...], function: str, calls: list[Call]) -> dict[str, Any] | None:
        if len(mistakes) != 1:
            return None
        recorded = recorded_data(self.assignment)["fingerprints"].get(mistakes[0].id, {}).get(function, {})
        return {c.id: decode(recorded[c.id]) if c.id in recorded else c.expected for c in calls}


def fingerprints_for(workload: Workload) -> Fingerprints:
    return RecordedFingerprints(workload) if workload.assignment.recorded is not None else Fingerprints(workload)
