"""Run every call of a workload against one submission, in its jailed sandbox child.

The result is plain data: for each call an outcome (value, error record) or the
reason it was not made, the in-place changes the call made to its arguments,
and notes on what was adapted. Nothing here judges.
"""

from __future__ import annotations

import inspect
import re
import time
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from autograder.load.source import LoadedSource, settle
from autograder.run.sandbox.runner import (
    BUDGET_SPENT,
    STOPPED,
    Limits,
    Outcome,
    Request,
    Sandbox,
    SandboxError,
    stopped_wording,
)
from autograder.run.sandbox.served import Helpers
from autograder.run.sandbox.shared import SharedInputs
from autograder.run.signature import CannotCall, bind
from autograder.spec import Assignment


class Call(Protocol):
    """What running needs of a call (``judge.cases.Call`` is one): the judge builds the
    calls, this stage only makes them."""

    id: str
    function: str
    visibility: str
    args: dict[str, Any]
    context: dict[str, Any]
    variant_args: dict[str, Any]
    expected: Any  # only its size is read: a reply far larger is refused


class Workload(Protocol):
    """The calls to make, their inputs held for the sandbox, and the reference's parameters
    each call is bound by (``judge.cases.Workload`` is one)."""

    assignment: Assignment
    calls: list

    @property
    def parameters(self) -> dict[str, list[inspect.Parameter]]: ...

    @property
    def helpers(self) -> Helpers: ...

    def shared_inputs(self, visibility: str) -> SharedInputs: ...


@dataclass
class Execution:
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # call id -> why it was not made
    mutated: dict[str, list[str]] = field(default_factory=dict)  # call id -> changed inputs
    function_notes: dict[str, list[str]] = field(default_factory=dict)
    defined: set[str] = field(default_factory=set)
    served: dict[str, str] = field(default_factory=dict)  # name -> "module.name": course helpers the grader computed
    uses: dict[str, set[str]] = field(default_factory=dict)  # function -> the submission's functions it refers to
    notes: list[str] = field(default_factory=list)
    child_notes: list[str] = field(default_factory=list)  # the child's own notes on loading, unchecked
    output: str = ""
    error: str | None = None
    # calls made in a child that held the hidden inputs although they are public (a caller judged
    # on its own in the submission's own child): their details are withheld as a hidden call's are
    closed: frozenset[str] = frozenset()
    # call id -> the steps a raise on that call does not cost: computed by lines it did not reach (judge.raised)
    spared: dict[str, frozenset[str]] = field(default_factory=dict)
    memo: dict = field(default_factory=dict, repr=False)  # verdicts worked out once (judge.checks.step_right)
    # the submission as the grader loaded it (file -> lines): what feedback may quote (autograder.judge.disclose)
    sources: dict[str, list[str]] = field(default_factory=dict, repr=False)


def execute(loaded: LoadedSource, workload: Workload, limits: Limits | None = None,
            keep: list[Sandbox] | None = None) -> Execution:
    """Load the submission in a child process and make every call of the workload: first the
    calls on public inputs, then — once the child is handed the hidden inputs — those on
    hidden inputs. What the child says before it holds a hidden input (its load, the public
    calls' results and errors, its output) is what the student may be shown under the public
    rule of :mod:`autograder.judge.disclose`; nothing in it can carry a hidden input out."""
    settle(loaded)  # a no-op when the grader settled it with the graded functions as roots
    result = Execution(notes=list(loaded.notes), sources=loaded.sources)
    if loaded.error:
        result.error = loaded.error
        return result
    limits = limits or Limits()
    deadline = time.monotonic() + min(limits.submission_seconds, limits.left())
    stuck: dict[str, str] = {}
    box = Sandbox(loaded, limits, workload.shared_inputs("public"), workload.helpers)
    try:
        box.start()
    except SandboxError as exc:
        box.close()
        result.error = str(exc)
        return result
    try:
        result.child_notes = box.notes  # the child's words: the judge checks them against the file
        result.defined = set(box.functions)
        result.served = box.served
        result.uses = box.uses
        _public_then_hidden(workload.calls, box, workload, limits, result, deadline, stuck)
        result.output = box.output  # printed before the hidden inputs were revealed
    finally:
        if keep is None:
            box.close()
        else:  # the caller's to close: its child tries edited versions next (run.variants)
            keep.append(box)
    return result


def rerun(loaded: LoadedSource, workload: Workload, calls: list[Call], served: dict[str, tuple[str, ...]],
          limits: Limits | None = None, box: Sandbox | None = None) -> Execution:
    """Make ``calls`` again, each with the graded functions ``served`` names for its function
    computed by the grader's reference: how each caller does once those helpers are right.

    A function may ask the grader for its own helpers only, in a child where no other function
    is judged after it: a function that is itself another's helper never gets its own answer,
    not even through what an earlier call in the same child kept. So the first function goes
    to ``box``, the submission's own child when it is done with everything else, and each other
    function to a fresh child of its own.

    Every call made again is closed (``Execution.closed``: its details are withheld, as a hidden
    call's are), public ones too: the code had the reference's answers at hand, on any inputs it
    chose (red team 4 raised the served backward_propagation's answer on a public call), and
    the submission's own child holds the hidden inputs besides."""
    result = Execution(sources=loaded.sources)
    limits = limits or Limits()
    # judging on its own must not double a file's time, nor go past the submission's
    deadline = time.monotonic() + min(limits.submission_seconds / 4, limits.left())
    for function, helpers in served.items():
        mine = [c for c in calls if c.function == function]
        if not mine:
            continue
        result.closed = result.closed | {c.id for c in mine}
        if box is not None:
            own, box = box, None
            _public_then_hidden(mine, own, workload, limits, result, deadline, {}, helpers)
            continue
        if limits.left() <= 0:
            for call in mine:
                result.skipped[call.id] = f"not run: {BUDGET_SPENT}"
            continue
        fresh = Sandbox(loaded, limits, workload.shared_inputs("public"), workload.helpers)
        try:
            fresh.start()
            _public_then_hidden(mine, fresh, workload, limits, result, deadline, {}, helpers)
        except SandboxError as exc:
            for call in mine:
                result.skipped[call.id] = f"not run: your file failed to load again ({exc})"
        finally:
            fresh.close()
    return result


def _public_then_hidden(calls: list[Call], box: Sandbox, workload: Workload, limits: Limits, result: Execution,
                        deadline: float, stuck: dict[str, str], served: tuple[str, ...] = ()) -> None:
    """Make ``calls`` in ``box``: the public ones, then — once the child holds the hidden
    inputs — the hidden ones, each bound to the signatures the child reported at load (with
    ``served``: the graded functions the grader computes during each call)."""
    signatures = box.functions  # as loaded before any hidden input
    for visibility in ("public", "hidden"):
        some = [c for c in calls if (c.visibility == "public") == (visibility == "public")]
        if visibility == "hidden" and some:
            box.reveal(workload.shared_inputs("hidden"))
        planned = _planned(some, workload, signatures, limits, workload.parameters, result)
        if served:
            planned = [replace(p, request=replace(p.request, served=served)) for p in planned]
        _run_calls(planned, box, result, deadline, stuck)


def stopped(run: Execution, function: str, calls: list[Call]) -> bool:
    """Whether a call of ``function`` hung, crashed or flooded its child: it is not run again."""
    return any((o := run.outcomes.get(c.id)) is not None and not o.ok and (o.error or {}).get("type") in STOPPED
               for c in calls if c.function == function)


@dataclass
class _Planned:
    call: Call
    request: Request


def reply_limit(expected: Any) -> int:
    """The most bytes a call's reply may take: generous beside what the reference returns
    (four times its arrays, plus room for an extra list of costs or a note), so that only a
    reply made to flood the grader is refused."""
    return 4 * _nbytes(expected) + (1 << 20)


def _nbytes(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, dict):
        return sum(_nbytes(v) + 64 for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_nbytes(v) + 16 for v in value)
    return 32


def _planned(calls: list[Call], workload: Workload, signatures: dict[str, list[dict] | None], limits: Limits,
             ref: dict, result: Execution) -> list[_Planned]:
    """Every one of ``calls`` the submission can take, bound to its own signature (as the
    child of the public calls reported it), in workload order."""
    cap = limits.call_timeout_cap
    planned: list[_Planned] = []
    for fn in workload.assignment.functions.values():
        timeout = min(fn.timeout, cap) if cap else fn.timeout
        notes: list[str] = []
        for call in (c for c in calls if c.function == fn.name):
            if fn.name not in signatures:
                result.skipped[call.id] = "not defined"
                continue
            try:
                binding = bind(fn.name, ref[fn.name], signatures[fn.name], call.args, call.context)
            except CannotCall as exc:
                result.skipped[call.id] = exc.said(call.variant_args)
                _add(notes, exc.said(call.variant_args))
                continue
            for note in binding.notes:
                _add(notes, note)
            planned.append(_Planned(call, Request(fn.name, binding.args, binding.kwargs, timeout, binding.names,
                                                  reply_limit(call.expected))))
        for note in notes:  # the two children bind the same way: each note once
            _add(result.function_notes.setdefault(fn.name, []), note)
    return planned


def _run_calls(planned: list[_Planned], box: Sandbox, result: Execution, deadline: float,
               stuck: dict[str, str]) -> None:
    """All calls in one batch. A batch cut short without a verdict is run again from where
    it stopped, one reply per call, to see which call hangs or kills the child; after such a
    call, the rest of that function is skipped, and so are the calls of functions that use it
    (they would only hang again); the other functions go on in a fresh child. ``stuck``
    (function -> why its calls stopped) carries over from the public calls to the hidden
    ones. The submission as a whole has ``Limits.submission_seconds``: past it, the calls
    left are not made."""
    planned = _not_blocked(planned, box, result, stuck)
    precise = False
    while planned:
        left = deadline - time.monotonic()
        if left <= 0:
            for item in planned:
                result.skipped[item.call.id] = (f"not run: the submission used up its {box.limits.submission_seconds:g} s "
                                                "of grading time")
            return
        requests = [replace(p.request, timeout=min(p.request.timeout, left)) for p in planned]
        outcomes = box.call_many(requests, precise=precise, until=deadline)
        done = 0
        try:
            for item, outcome in zip(planned, outcomes):
                done += 1
                if _record(item, outcome, box, result, stuck):
                    break
        except SandboxError as exc:  # a fresh child for the calls left could not even load the file
            for item in planned[done:]:
                result.skipped[item.call.id] = f"not run: your file failed to load again ({exc})"
            return
        outcomes.close()  # a batch cut short stops its child; the rest goes to a fresh one
        planned = _not_blocked(planned[done:], box, result, stuck)
        precise = True  # whatever is left goes one reply at a time


def _record(item: _Planned, outcome: Outcome, box: Sandbox, result: Execution, stuck: dict[str, str]) -> bool:
    """Keep one call's outcome; True when it hung, crashed or flooded the child (its function
    is then stuck, in the grader's words: they are said of the calls skipped after it too)."""
    _explain_unset_global(outcome, box.loaded.not_run)
    result.outcomes[item.call.id] = outcome
    if outcome.ok:
        if outcome.changed:
            result.mutated[item.call.id] = outcome.changed
        return False
    if outcome.error and outcome.error.get("type") in STOPPED:
        stuck[item.call.function] = stopped_wording(str(outcome.error["type"]), str(outcome.error.get("message", "")))
        return True
    return False


def _not_blocked(planned: list[_Planned], box: Sandbox, result: Execution, stuck: dict[str, str]) -> list[_Planned]:
    """The calls still worth making; the others are skipped with the reason."""
    kept = []
    for item in planned:
        why = _blocked_by(item.call.function, stuck, box.uses)
        if why:
            result.skipped[item.call.id] = why
        else:
            kept.append(item)
    return kept


def _blocked_by(function: str, stuck: dict[str, str], uses: dict[str, set[str]]) -> str | None:
    """Why a call of ``function`` is not made: it, or a function of the submission's that it
    uses (directly or through others), already hung, crashed the child or flooded it."""
    if function in stuck:
        return f"not run: an earlier call {stuck[function]}"
    seen, todo = {function}, list(uses.get(function, ()))
    while todo:
        name = todo.pop()
        if name in stuck:
            return f"not run: it calls your `{name}`, which {stuck[name]}"
        if name not in seen:
            seen.add(name)
            todo += uses.get(name, ())
    return None


def _explain_unset_global(outcome: Outcome, not_run: dict[str, str]) -> None:
    """A NameError for a global that a skipped top-level statement sets: say which one."""
    error = outcome.error
    if outcome.ok or not error or error.get("type") != "NameError":
        return
    match = re.search(r"name '(\w+)' is not defined", error.get("message", ""))
    if match and match.group(1) in not_run:  # judge.errors.explain_error says it, whatever else it may say
        error["unset"] = f"{match.group(1)} is set by {not_run[match.group(1)]}"


def _add(notes: list[str], note: str) -> None:
    if note not in notes:
        notes.append(note)
