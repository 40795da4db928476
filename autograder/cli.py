"""The ``autograder`` command line (click)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .feedback import render_text
from .grading import Grader, submission_files
from .loader import load_file
from .selfcheck import guess_assignment
from .spec import SpecError, assignment_names, load_assignment


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


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--assignment", "-a", help="Assignment name (guessed from the file when omitted).")
@click.option("--function", "-f", "functions", multiple=True, help="Only show these functions.")
@click.option("--public-only", is_flag=True, help="Only the public checks (what pytest runs).")
@click.option("--verbose", "-v", is_flag=True, help="Show every failed check.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the JSON report.")
def check(file: Path, assignment: str | None, functions: tuple[str, ...], public_only: bool, verbose: bool,
          json_out: Path | None) -> None:
    """Self-check one submission: score, per-step results and named mistakes."""
    spec = _assignment(assignment, [file])
    report = Grader(spec, public_only=public_only).grade_file(file)
    click.echo(render_text(report.as_dict(), list(functions) or None, verbose))
    if json_out:
        _write_json(json_out, spec.name, [report.as_dict()])
    sys.exit(0 if report.score >= report.max_score - 1e-9 else 1)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--assignment", "-a", help="Assignment name.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSON report here.")
def grade(paths: tuple[Path, ...], assignment: str | None, json_out: Path | None) -> None:
    """Grade files or folders of submissions (each .py/.ipynb is one submission)."""
    files, notes = submission_files(list(paths))
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if not files:
        raise click.ClickException("no .py or .ipynb submission found")
    spec = _assignment(assignment, files)
    grader = Grader(spec)
    reports = []
    width = max(len(str(f)) for f in files)
    with click.progressbar(files, label=f"grading {len(files)} submission(s)", file=sys.stderr) as bar:
        for path in bar:
            reports.append((path, grader.grade_file(path, label=str(path))))
    for path, report in reports:
        ids = sorted({m.id for f in report.functions for m in f.mistakes})
        detail = f"error: {report.error}" if report.error else ", ".join(ids)
        click.echo(f"{str(path):<{width}}  {report.score:6.2f} / {report.max_score:g}  {detail}")
    scores = [r.score for _, r in reports]
    click.echo(f"{len(reports)} submission(s); mean {sum(scores) / len(scores):.1f}; "
               f"{sum(1 for _, r in reports if r.error)} failed to load")
    if json_out:
        _write_json(json_out, spec.name, [r.as_dict() for _, r in reports])
        click.echo(f"report written to {json_out}")


@main.command()
@click.argument("names", nargs=-1)
@click.option("--check", "check_only", is_flag=True, help="Only report stale templates (exit 1 if any).")
def generate(names: tuple[str, ...], check_only: bool) -> None:
    """Generate student_templates/ and docs/mistakes.md from the solutions and catalogues."""
    from .catalogue_doc import mistakes_doc_path, render_mistakes
    from .templates import stale_templates, write_templates

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
    for name in names or assignment_names():
        spec = load_assignment(name)
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
                               ensure_ascii=False) + "\n", encoding="utf-8")


@main.command()
@click.option("--assignment", "-a", "names", multiple=True, help="Assignment(s) to validate (default: all).")
@click.option("--no-pairs", is_flag=True, help="Skip the pairs of mistakes (faster).")
def validate(names: tuple[str, ...], no_pairs: bool) -> None:
    """Check the checks: reference full marks, every catalogued mistake caught and named."""
    from .validate import render
    from .validate import validate as run_validation

    failed = False
    for name in names or assignment_names():
        rows = run_validation(load_assignment(name), pairs=not no_pairs)
        click.echo(f"== {name}")
        click.echo(render(rows))
        failed |= not all(r.ok for r in rows)
    sys.exit(1 if failed else 0)
