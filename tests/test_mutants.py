"""Catalogue mutants are built by recompiling only the functions a mistake touches: they must
behave exactly like the whole mutated solution compiled from scratch."""

import copy
import itertools
import warnings

import numpy as np

from autograder.judge.cases import build_workload
from autograder.judge.errors import error_signature
from autograder.judge.reference import (
    apply_mistake,
    callers_of,
    load_module,
    mutant_module,
    reference_source,
    source_lines,
)
from autograder.run.sandbox.trace import error_record
from autograder.run.wire import encode
from autograder.spec import SpecError


def _outputs(module, workload, function):
    lines = source_lines(module)
    result = {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for call in workload.calls:
            if call.function != function:
                continue
            np.random.seed(0)
            try:
                result[call.id] = ("value", getattr(module, function)(**copy.deepcopy(call.args)))
            except Exception as exc:  # noqa: BLE001 - mutants raise numpy errors
                result[call.id] = ("error", error_signature(error_record(exc, lines)))
    return result


def test_mutants_behave_like_the_whole_mutated_solution(each_assignment):
    assignment = each_assignment
    workload = build_workload(assignment)
    pairs = [(a, b) for a, b in itertools.combinations(assignment.mistakes, 2)
             if a.function == b.function and a.step != b.step]  # the pairs the diagnosis tries
    compared = errors = 0
    for mistakes in [(m,) for m in assignment.mistakes] + pairs:
        try:
            derived = mutant_module(assignment, mistakes)
        except SpecError:
            continue  # two edits of the same line: not combinable either way
        source = reference_source(assignment)
        for mistake in mistakes:
            source = apply_mistake(source, mistake)
        assert derived.__source__ == source
        whole = load_module(source, "whole_mutant", derived.__file__)
        # the functions with a mistake, and (for single mistakes) every function that calls them
        own = {m.function for m in mistakes}
        for function in callers_of(source, list(assignment.functions), own) if len(mistakes) == 1 else own:
            got, want = _outputs(derived, workload, function), _outputs(whole, workload, function)
            assert got.keys() == want.keys()
            for key, (kind, value) in want.items():
                assert got[key][0] == kind, (mistakes, key)
                if kind == "error":
                    errors += 1
                    assert got[key][1] == value, (mistakes, key)
                else:
                    assert encode(got[key][1]) == encode(value), (mistakes, key)  # bit for bit, nan included
                compared += 1
    assert compared > 0 and errors > 0
