"""The ``autograder`` command line (click)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
from pathlib import Path

import click

from autograder.grading import Grader, submission_files
from autograder.load.source import load_file
from autograder.report.feedback import render_text
from autograder.report.untrusted import clean_report
from autograder.run.sandbox.limits import Limits
from autograder.selfcheck import guess_assignment
from autograder.spec import SpecError, assignment_names, load_assignment, project_root


def _assignment(name: str | None, hint_files: list[Path] | None = None):
    if name is None:
        names = assignment_names()
        if len(names) == 1:
            name = names[0]
        elif hint_files:
            name = guess_assignment(load_file(hint_files[0]).functions)
        else:
            raise click.UsageError(f"say which assignment with --assignment ({', '.join(names)})")
    try:
        return load_assignment(name)
    except SpecError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backprop-autograder")
def main() -> None:
    """Grade backpropagation exercises and explain every mistake."""


@main.command("list")
def list_assignments() -> None:
    """Assignments and their functions with points."""
    for name in assignment_names():
        spec = load_assignment(name)
        click.echo(f"{name}: {spec.title} ({spec.max_score:g} points, {len(spec.mistakes)} known mistakes)")
        for fn in spec.functions.values():
            variants = f"  variants: {', '.join(map(str, fn.variant_labels()))}" if fn.variant_param else ""
            click.echo(f"  {fn.name:<26} {fn.points:>5g}{variants}")


_CALL_DEFAULT = "each function's own `timeout` in assignment.toml (10 s when not set)"


def limit_options(command):
    """--call-timeout and --submission-timeout, shared by `grade` and `check`."""
    command = click.option(
        "--submission-timeout", type=click.FloatRange(min=0.1), default=Limits.submission_seconds,
        show_default=True, metavar="SECONDS",
        help="Time for all of one submission's calls together; past it, the calls left are not run.")(command)
    return click.option(
        "--call-timeout", type=click.FloatRange(min=0.1), default=None, metavar="SECONDS",
        show_default=_CALL_DEFAULT,
        help="Time limit of one call of a student's function (lowers a function's own limit, never raises it).")(command)


_ACCEPT_RENAMED = click.option(
    "--accept-renamed", is_flag=True,
    help="Grade a function the student renamed (backpropagation for backward_propagation, with a signature "
         "that fits) under the required name; the report says so. Without it, the feedback only names it.")


def _limits(call_timeout: float | None, submission_timeout: float) -> Limits:
    return Limits(call_timeout_cap=call_timeout, submission_seconds=submission_timeout)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--assignment", "-a", help="Assignment name (guessed from the file when omitted).")
@click.option("--function", "-f", "functions", multiple=True, help="Only show these functions.")
@click.option("--public-only", is_flag=True, help="Only the public checks (what pytest runs).")
@click.option("--verbose", "-v", is_flag=True, help="Show every failed check.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the JSON report.")
@_ACCEPT_RENAMED
@limit_options
def check(file: Path, assignment: str | None, functions: tuple[str, ...], public_only: bool, verbose: bool,
          json_out: Path | None, call_timeout: float | None, submission_timeout: float, accept_renamed: bool) -> None:
    """Self-check one submission: score, per-step results and named mistakes."""
    spec = _assignment(assignment, [file])
    report = Grader(spec, public_only=public_only, limits=_limits(call_timeout, submission_timeout),
                    accept_renamed=accept_renamed).grade_file(file, siblings=True)
    entry = clean_report(report.as_dict())  # the file's name may hold a byte no terminal or file can encode
    click.echo(render_text(entry, list(functions) or None, verbose))
    if json_out:
        _write_json(json_out, spec.name, [entry])
    sys.exit(0 if report.score >= report.max_score - 1e-9 else 1)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--assignment", "-a", help="Assignment name.")
@click.option("--jobs", "-j", type=int, default=1, show_default=True, help="Parallel workers.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("results"),
              show_default=True, help="Results folder: gradebook.sqlite, grades.csv (a column per exercise) and "
              "a folder per exercise (grades.csv, report.json, feedback/, gradescope/).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also copy the exercise's report.json here.")
@click.option("--force", is_flag=True, help="Regrade every submission, even those unchanged since their stored grade.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Grade on a Dask distributed cluster (e.g. tcp://host:8786); needs the [dask] extra.")
@_ACCEPT_RENAMED
@limit_options
def grade(paths: tuple[Path, ...], assignment: str | None, jobs: int, out: Path, json_out: Path | None,
          force: bool, scheduler: str | None, call_timeout: float | None, submission_timeout: float,
          accept_renamed: bool) -> None:
    """Grade a class: files, folders, per-student folders or nbgrader's submitted/ tree.

    A submission is graded again when its file or its assignment (spec, hidden seed,
    catalogue, solution, grader) changed since its stored grade; the others are skipped
    as unchanged. The results folder always shows every stored grade."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from autograder.classroom.batch import exercise_folder, grade_class, write_feedback, write_view
    from autograder.classroom.gradebook import Gradebook
    from autograder.classroom.layout import discover
    from autograder.run.sandbox.runner import JailProbe

    files, _ = submission_files(list(paths))
    spec = _assignment(assignment, files[:1])
    submissions, notes = discover(list(paths), spec.name)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if not submissions:
        raise click.ClickException("no .py or .ipynb submission found")
    gradebook = Gradebook(out / "gradebook.sqlite")
    # On a cluster, each worker's kernel decides (`autograder doctor`). With --jobs N the workers
    # have their own fork servers: the kernel is asked by a probe that runs while they start,
    # and its line is shown as the first grades come in.
    probe = JailProbe() if not scheduler and jobs > 1 else None
    jail = None if scheduler or probe else _jail_line()
    if jail:
        click.echo(jail, err=True)
    if "AUTOGRADER_HIDDEN_SEED" not in os.environ:
        click.echo("note: the hidden inputs come from hidden_seed in assignment.toml, which anyone with this "
                   "repository can read; for a real class set AUTOGRADER_HIDDEN_SEED to a number of your own",
                   err=True)
    columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.description}"))
    with Progress(*columns, console=_stderr_console(), transient=False) as bar:
        task = bar.add_task("", total=len(submissions))

        written: set[str] = set()
        folder = exercise_folder(out, spec.name)

        def stored(student: str, report: dict | None) -> None:
            nonlocal jail
            if probe and jail is None and probe.done():
                jail = probe.support().summary()
                bar.console.print(jail, markup=False, highlight=False)
            if report is not None:  # its feedback files now, while the others are graded
                write_feedback(folder, student, report)
                written.add(student)
            bar.update(task, advance=1, description=student + (" (unchanged)" if report is None else ""))

        result = grade_class(spec, submissions, gradebook, jobs=jobs, progress=stored, force=force,
                             scheduler=scheduler, limits=_limits(call_timeout, submission_timeout),
                             accept_renamed=accept_renamed)
    if probe and jail is None:
        jail = probe.support().summary()
        click.echo(jail, err=True)
    try:
        every = write_view(out, gradebook, spec, written, jail=jail)
        total = len(every)
    finally:
        gradebook.close()
    this_run = set(result.students)
    lines = [line for line in every if line.student in this_run]
    width = max(len(line.student) for line in lines)
    for line in lines:
        detail = f"{'not graded' if line.retry else 'error'}: {line.error}" if line.error else ", ".join(line.mistakes)
        click.echo(f"{line.student:<{width}}  {line.score:6.2f} / {line.max_score:g}  {detail}")
    if result.unchanged:
        shown = ", ".join(result.unchanged[:20]) + (f" and {len(result.unchanged) - 20} more"
                                                      if len(result.unchanged) > 20 else "")
        click.echo(f"skipped as unchanged (same file, same assignment; --force regrades): {shown}")
    if result.why:
        click.echo("graded because: " + "; ".join(f"{why}: {n}" for why, n in result.why.items()))
    scores = [line.score for line in lines if not line.retry]  # a failed grading is no zero of the student's
    mean = f"mean {sum(scores) / len(scores):.1f}" if scores else "no mean"
    click.echo(f"{len(lines)} submission(s): {result.graded} graded, {result.skipped} unchanged, "
               f"{result.retry} could not be graded (will be retried on the next run); {mean}; "
               f"{sum(1 for line in lines if line.error and not line.retry)} not gradable (their own error)")
    here = exercise_folder(out, spec.name)
    click.echo(f"results in {here}/ (grades.csv, report.json, feedback/, gradescope/: all {total} stored "
               f"submission(s) of {spec.name}); {out}/grades.csv: every exercise; {out}/gradebook.sqlite")
    for old in ("report.json", "feedback", "gradescope"):
        left = out / old
        if left.exists() and left != here and not (json_out and left.resolve() == json_out.resolve()):
            click.echo(f"note: {left} is from an older version that kept one exercise at the top of the "
                       f"results folder; it is no longer updated (the current files are in {here}/)", err=True)
    if json_out and json_out.resolve() != (here / "report.json").resolve():
        json_out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(here / "report.json", json_out)


def _jail_line() -> str:
    from autograder.run.sandbox.runner import jail_support

    return jail_support().summary()


@main.command()
def doctor() -> None:
    """What this machine's kernel enforces around student code (see README: Security)."""
    from autograder.run.sandbox.jail import landlock_abi

    click.echo(_jail_line())
    click.echo(f"kernel {platform.release()}, Landlock ABI offered: {landlock_abi() or 'none'}, "
               f"running as uid {os.geteuid()}, python {sys.executable}")


@main.command()
@click.argument("results", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("results"))
@click.option("--assignment", "-a", "names", multiple=True,
              help="Exercise(s) to summarise (default: every exercise in the gradebook).")
def report(results: Path, names: tuple[str, ...]) -> None:
    """Class summary per exercise from a results folder's gradebook: histogram, mistakes per
    step, most common mistakes (into RESULTS/<exercise>/)."""
    from autograder.classroom.batch import exercise_folder
    from autograder.classroom.gradebook import Gradebook
    from autograder.report.summary import write_summary

    if not (results / "gradebook.sqlite").is_file():
        raise click.ClickException(f"{results} holds no gradebook.sqlite: run `autograder grade --out {results}` first")
    book = Gradebook(results / "gradebook.sqlite")
    try:
        stored = book.assignments()
        unknown = [n for n in names if n not in stored]
        if unknown:
            raise click.ClickException(f"{results}/gradebook.sqlite has no grades for {', '.join(unknown)} "
                                       f"(it has: {', '.join(stored) or 'none'})")
        paths = []
        for name in names or stored:
            paths += write_summary(exercise_folder(results, name), name, (r for _, r in book.iter_reports(name)))
    finally:
        book.close()
    for path in paths:
        click.echo(f"wrote {path}")


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


@main.command()
@click.argument("names", nargs=-1)
@click.option("--check", "check_only", is_flag=True, help="Only report stale templates (exit 1 if any).")
def generate(names: tuple[str, ...], check_only: bool) -> None:
    """Generate student_templates/ and docs/mistakes.md from the solutions and catalogues."""
    from autograder.authoring.generate import stale_templates, write_templates
    from autograder.authoring.mistakes_doc import mistakes_doc_path, render_mistakes

    stale_any = False
    everything = [load_assignment(n) for n in assignment_names()]
    doc, content = mistakes_doc_path(everything[0].root), render_mistakes(everything)
    if check_only:
        fresh = doc.is_file() and doc.read_text(encoding="utf-8") == content
        stale_any |= not fresh
        click.echo(f"{doc.name}: " + ("up to date" if fresh else "stale"))
    else:
        doc.parent.mkdir(parents=True, exist_ok=True)
        doc.write_text(content, encoding="utf-8")
        click.echo(f"wrote {doc.relative_to(everything[0].root)}")
    from autograder.authoring.validate import spec_problems

    for name in names or assignment_names():
        spec = load_assignment(name)
        for problem in spec_problems(spec):  # `validate` fails on these; generating still works
            click.echo(f"warning: {name}: {problem}", err=True)
        if check_only:
            stale = stale_templates(spec)
            stale_any |= bool(stale)
            click.echo(f"{name}: " + ("stale: " + ", ".join(stale) if stale else "up to date"))
        else:
            for path in write_templates(spec):
                click.echo(f"wrote {path.relative_to(spec.root)}")
    sys.exit(1 if stale_any else 0)


def _write_json(path: Path, assignment: str, submissions: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"assignment": assignment, "submissions": submissions}, indent=2,
                               ensure_ascii=False) + "\n", encoding="utf-8", errors="replace")


@main.command()
@click.option("--assignment", "-a", "names", multiple=True, help="Assignment(s) to validate (default: all).")
@click.option("--no-pairs", is_flag=True, help="Skip the pairs of mistakes (faster).")
def validate(names: tuple[str, ...], no_pairs: bool) -> None:
    """Check the checks: reference full marks, every catalogued mistake caught and named.

    Errors in the exercise's own files (a `replace` that matches nothing, a `doc` anchor
    that is no heading of the doc file, …) are printed one per line and fail the run."""
    from autograder.authoring.validate import render, spec_problems
    from autograder.authoring.validate import validate as run_validation

    failed = False
    for name in names or assignment_names():
        click.echo(f"== {name}")
        try:
            spec = load_assignment(name)
            problems = spec_problems(spec)
            if not problems:
                rows = run_validation(spec, pairs=not no_pairs)
        except SpecError as exc:
            problems = [str(exc)]
        except KeyError as exc:  # the loader reads required keys as data[key]: say which, without a traceback
            problems = [f"assignment.toml or mistakes.toml lacks the required key {exc} (see docs/authoring.md)"]
        if problems:
            for problem in problems:
                click.echo(f"spec error: {problem}")
            failed = True
            continue
        click.echo(render(rows))
        failed |= not all(r.ok for r in rows)
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("name")
@click.option("--title", help="The exercise's title (default: NAME in words).")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path),
              help="The course folder (default: the one holding assignments/, as for every command).")
def new(name: str, title: str | None, root: Path | None) -> None:
    """Scaffold a new exercise: assignments/NAME/{assignment.toml,mistakes.toml}, solutions/NAME.py.

    The scaffold is a complete tiny exercise that validates as it is; replace its function,
    cases and mistakes with yours (docs/authoring.md describes every key)."""
    from autograder.authoring.scaffold import ScaffoldError, scaffold

    try:
        base = root or project_root()
    except SpecError:
        base = Path.cwd()
    try:
        paths = scaffold(name, base, title)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    for path in paths:
        click.echo(f"wrote {path}")
    click.echo(f"next: edit them, then `autograder validate -a {name}` and `autograder generate {name}`"
               + (f" (with AUTOGRADER_ROOT={base.resolve()})" if root else ""))


@main.group()
def export() -> None:
    """Export an assignment to nbgrader, otter-grader or Gradescope."""


@export.command("nbgrader")
@click.argument("assignment")
@click.argument("course_dir", type=click.Path(file_okay=False, path_type=Path))
def export_nbgrader(assignment: str, course_dir: Path) -> None:
    """Write COURSE_DIR/source/ASSIGNMENT/ for `nbgrader generate_assignment`."""
    from autograder.integrations.nbgrader import export

    for path in export(_assignment(assignment), course_dir):
        click.echo(f"wrote {path}")


@export.command("otter")
@click.argument("assignment")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
def export_otter(assignment: str, out_dir: Path) -> None:
    """Write an otter-grader master notebook for `otter assign`."""
    from autograder.integrations.otter import export

    for path in export(_assignment(assignment), out_dir):
        click.echo(f"wrote {path}")


@export.command("gradescope")
@click.argument("assignment")
@click.argument("out_zip", type=click.Path(dir_okay=False, path_type=Path))
def export_gradescope(assignment: str, out_zip: Path) -> None:
    """Write a Gradescope autograder zip (setup.sh, run_autograder, engine, assignment)."""
    from autograder.integrations.gradescope import export

    click.echo(f"wrote {export(_assignment(assignment), out_zip)}")


@main.command()
@click.argument("assignment")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
def release(assignment: str, out_dir: Path) -> None:
    """Write what students get: notebook, stub, public tests and recorded data, no solution."""
    from autograder.authoring.release import release as write_release

    for path in write_release(_assignment(assignment), out_dir):
        click.echo(f"wrote {path}")
