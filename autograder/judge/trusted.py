"""The reference and its catalogue mutants run in-process, as plain data.

Trusted code, so no sandbox: the values still go through the wire's encoding, so that they
compare with a student's exactly as a student's would (see ``validate`` and the diagnosis's
fingerprints)."""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np

from autograder.judge.cases import Workload
from autograder.judge.reference import source_lines
from autograder.run import wire
from autograder.run.execute import Execution
from autograder.run.sandbox.inputs import changed_inputs
from autograder.run.sandbox.runner import Outcome
from autograder.run.sandbox.trace import error_record


def execute_trusted(module: Any, workload: Workload, functions: set[str] | None = None,
                    base: Execution | None = None) -> Execution:
    """Run trusted code (the reference or a catalogue mutant) in-process, as plain data.

    Used to validate the catalogue: values go through the same wire encoding as a
    student's. Functions outside ``functions`` are taken from ``base``.
    """
    result = Execution(defined={n for n in workload.assignment.functions if callable(getattr(module, n, None))},
                       sources=source_lines(module))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for name in workload.assignment.functions:
            calls = workload.for_function(name)
            if functions is not None and name not in functions and base is not None:
                for call in calls:
                    if call.id in base.outcomes:
                        result.outcomes[call.id] = base.outcomes[call.id]
                continue
            for call in calls:
                kwargs = copy.deepcopy(call.args)
                np.random.seed(0)  # as the sandbox child does before every call
                try:
                    value = getattr(module, name)(**kwargs)
                except Exception as exc:  # noqa: BLE001 - mutants raise numpy errors
                    result.outcomes[call.id] = Outcome(False, error=error_record(exc, source_lines(module)))
                    continue
                changed = changed_inputs([], ([], call.args), ([], kwargs))
                result.outcomes[call.id] = Outcome(True, value=wire.decode(wire.encode(value)), changed=changed)
                if changed:
                    result.mutated[call.id] = changed
    return result


