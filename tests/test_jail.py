"""The jail, attacked: every protection has a submission that tries to get around it.

Each layer is first tried on its own (a process forked here enters the jail with only that
layer), then the attacks of a student who has read this repository are graded in a real
class batch (`autograder grade`, as the README runs it) beside honest submissions.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import autograder
from autograder.run.sandbox import jail
from autograder.run.sandbox.runner import jail_support
from conftest import EXAMPLES, FIXTURES, ROOT, function_result

JAIL = FIXTURES / "hostile" / "jail"
PACKAGE = Path(autograder.__file__).resolve().parent
SUPPORT = jail_support()
needs_full_jail = pytest.mark.skipif(not SUPPORT.complete, reason=f"this kernel lacks a layer: {SUPPORT.summary()}")


def run_jailed(tmp_path: Path, support: jail.Support, body, work: Path | None = None) -> str:
    """Fork, enter the jail with ``support``'s layers, run ``body()`` and return what it said."""
    if work is None:
        work = tmp_path / "work"
        work.mkdir(exist_ok=True)
    rules = jail.Rules(jail.read_paths(str(PACKAGE))) if support.landlock_abi else None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.dup2(write, 1)
        try:
            jail.enter(str(work), 1 << 20, rules, support)
            out = body()
        except BaseException as exc:  # noqa: BLE001
            out = f"raised {type(exc).__name__}: {exc}"
        os.write(write, str(out).encode())
        os._exit(0)
    os.close(write)
    if rules:
        rules.close()
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()


def attempt(action) -> str:
    try:
        action()
        return "allowed"
    except OSError as exc:
        return f"refused ({exc.errno})"


@pytest.mark.skipif(not SUPPORT.namespaces, reason="no user namespaces here")
def test_namespaces_alone_hide_the_grader_and_kill_what_is_left(tmp_path):
    """PID 1 of its own namespace: /proc lists only the sandbox, and a setsid daemon it
    leaves dies with it (no seccomp here, so the fork itself is allowed)."""
    before = _pids()

    def body():
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(30)
            os._exit(0)
        time.sleep(0.2)
        return " ".join(sorted(p for p in os.listdir("/proc") if p.isdigit()))

    seen = run_jailed(tmp_path, jail.Support(namespaces=True), body)
    assert str(os.getpid()) not in seen.split()
    assert "1" in seen.split() and len(seen.split()) <= 3, seen
    time.sleep(0.3)
    ours = _cmdline(str(os.getpid()))
    assert [p for p in _pids() - before if _cmdline(p) == ours] == []  # forks of this process still alive


@pytest.mark.skipif(not SUPPORT.landlock_abi, reason="no Landlock here")
def test_landlock_alone_reads_only_python_and_writes_only_its_folder(tmp_path):
    secret = ROOT / "solutions" / "one_hidden_layer.py"
    outside = tmp_path / "outside.txt"

    def body():
        return {
            "solution": attempt(lambda: open(secret).read()),
            "package": attempt(lambda: open(PACKAGE / "reference.py").read()),
            "tmp": attempt(lambda: os.listdir(tmp_path)),
            "write outside": attempt(lambda: open(outside, "w").write("x")),
            "write own folder": attempt(lambda: open("mine.txt", "w").write("x")),
            "numpy": attempt(lambda: __import__("numpy").linalg.inv(__import__("numpy").eye(2))),
            "stdlib": attempt(lambda: __import__("fractions")),
        }

    seen = eval(run_jailed(tmp_path, jail.Support(landlock_abi=SUPPORT.landlock_abi), body))  # noqa: S307
    assert seen["solution"].startswith("refused") and seen["package"].startswith("refused"), seen
    assert seen["tmp"].startswith("refused") and seen["write outside"].startswith("refused"), seen
    assert seen["write own folder"] == seen["numpy"] == seen["stdlib"] == "allowed", seen
    assert not outside.exists()


@pytest.mark.skipif(not SUPPORT.seccomp, reason="no seccomp filter for this machine")
def test_seccomp_alone_allows_no_other_task_socket_or_file_mode_change(tmp_path):
    victim = tmp_path / "graders-file.txt"
    victim.write_text("x", encoding="utf-8")
    victim.chmod(0o644)

    def body():
        import socket
        import threading

        def thread():
            threading.Thread(target=lambda: None).start()

        def io_uring():
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            params = ctypes.create_string_buffer(120)
            if libc.syscall(425, 4, params) < 0:  # io_uring_setup(4 entries, params)
                raise OSError(ctypes.get_errno(), "io_uring_setup")

        def thread_refused():
            try:
                thread()
            except RuntimeError:  # "can't start new thread"
                raise OSError(1, "no thread") from None

        return {"fork": attempt(os.fork), "socket": attempt(socket.socket), "io_uring": attempt(io_uring),
                "socketpair": attempt(socket.socketpair),
                "thread": attempt(thread_refused), "chmod": attempt(lambda: os.chmod(victim, 0o777)),
                "memfd": attempt(lambda: os.memfd_create("x"))}

    seen = eval(run_jailed(tmp_path, jail.Support(seccomp=True), body))  # noqa: S307
    assert set(seen.values()) == {"refused (1)"}, seen
    assert victim.stat().st_mode & 0o777 == 0o644


def test_the_jail_keeps_few_descriptors_open(tmp_path):
    """Each pipe or socket buffer is kernel memory outside the memory limit."""
    import resource

    said = run_jailed(tmp_path, jail.Support(), lambda: resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    assert said == "64"


def test_a_layer_that_fails_is_never_skipped_silently(tmp_path):
    """A child promised a layer that cannot be set up (here: its folder is gone) does not run
    student code."""
    for layer in (jail.Support(namespaces=True), jail.Support(landlock_abi=SUPPORT.landlock_abi or 1)):
        said = run_jailed(tmp_path, layer, lambda: "student code ran", work=tmp_path / "gone")
        assert said == "", layer


# -- the attacks, graded in a class batch --------------------------------------------------
HONEST = {"alice": "correct_classic_npdot.py", "bob": "bug_dw1_missing_1_over_m.py",
          "carol": "bug_two_tanh_from_z1_and_db2_keepdims.py"}


def attack_submission(snippet: Path, paths: dict[str, Path]) -> str:
    """A correct submission with the attack grafted on: it runs at the first call of sigmoid.
    Functions the snippet defines replace the honest ones, which stay as `_honest_<name>`."""
    honest = (EXAMPLES / "correct_classic_npdot.py").read_text(encoding="utf-8")
    code = snippet.read_text(encoding="utf-8")
    for name, value in paths.items():
        code = code.replace("{" + name + "}", str(value))
    for name in {"sigmoid", *re.findall(r"^def ([a-z]\w*)\(", code, flags=re.M)}:
        honest = re.sub(rf"^def {name}\(", f"def _honest_{name}(", honest, flags=re.M)
    wrapper = ("\n\n_done = []\n\n\ndef sigmoid(z):\n    if not _done:\n        _done.append(1)\n        _attack()\n"
               "    return _honest_sigmoid(z)\n")
    return honest + "\n\n" + code + wrapper


def tree_digest(root: Path, skip: Path | None = None) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and (skip is None or skip not in p.parents)}


def grade_cli(folder: Path, out: Path, *extra: str, tmpdir: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "TMPDIR": str(tmpdir)} if tmpdir else None
    return subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder), "--assignment",
                           "one_hidden_layer", "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=900, cwd=ROOT, env=env)


def scores(out: Path) -> dict[str, tuple[float, str]]:
    db = sqlite3.connect(out / "gradebook.sqlite")
    try:
        return {s: (score, sha) for s, score, sha in db.execute("SELECT student, score, sha256 FROM grades")}
    finally:
        db.close()


@needs_full_jail
def test_attacks_in_a_class_batch_cost_only_their_own_marks(tmp_path, grader):
    classroom = tmp_path / "classroom"
    submissions, results = classroom / "submissions", classroom / "results"
    submissions.mkdir(parents=True)
    for student, example in HONEST.items():
        shutil.copy(EXAMPLES / example, submissions / f"{student}.py")
    clean = tmp_path / "clean"
    done = grade_cli(submissions, clean)
    assert done.returncode == 0, done.stderr
    honest_scores = scores(clean)

    paths = {"SUBMISSIONS": submissions, "RESULTS": results, "PACKAGE": PACKAGE}
    attacks = sorted(JAIL.glob("*.py"))
    for snippet in attacks:
        (submissions / f"mallory_{snippet.stem}.py").write_text(attack_submission(snippet, paths), encoding="utf-8")
    shutil.copy(FIXTURES / "hostile" / "steal_full_marks.py", submissions / "mallory_steal_full_marks.py")
    before_submissions = tree_digest(submissions)
    before_package = tree_digest(PACKAGE)
    before_solutions = tree_digest(ROOT / "solutions")

    scratch = tmp_path / "scratch"  # the batch's TMPDIR: its sandboxes work there
    scratch.mkdir()
    done = grade_cli(submissions, results, "--jobs", "2", tmpdir=scratch)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "jail:" in done.stdout + done.stderr
    after = scores(results)
    for student in HONEST:
        assert after[student] == honest_scores[student], student
    assert after["mallory_steal_full_marks"][0] == 0
    assert tree_digest(submissions) == before_submissions  # nothing read out, copied or edited
    assert tree_digest(PACKAGE) == before_package and tree_digest(ROOT / "solutions") == before_solutions
    assert not Path("/tmp/autograder-planted.txt").exists()
    assert set(os.listdir(classroom)) == {"submissions", "results"}

    # what each attack could do, told by the attack itself (its printed output)
    for snippet in attacks:
        report = grader.grade_file(submissions / f"mallory_{snippet.stem}.py")
        assert "ATTACK-OK" not in report.output, (snippet.name, report.output)
        assert "refused" in report.output or snippet.stem == "flood_the_parent", (snippet.name, report.output)
        if snippet.stem != "flood_the_parent":  # the attack caught its own failures: the honest code scores
            assert report.score == report.max_score, (snippet.name, report.score)
    flood = grader.grade_file(submissions / "mallory_flood_the_parent.py")
    backward = function_result(flood, "backward_propagation")
    assert backward.score == 0 and "MB" in " ".join(c.feedback for c in backward.checks)

    time.sleep(4.5)  # past the daemon's sleep: had it survived, it would have rewritten the results now
    assert scores(results) == after
    assert (results / "grades.csv").read_text(encoding="utf-8").startswith("student,")
    assert _processes_in(scratch) == [], "a process of the batch outlived it"

    again = grade_cli(submissions, results)
    assert again.returncode == 0 and scores(results) == after


def test_a_pool_of_attacks_never_signals_the_grader(grader, tmp_path):
    """The grader here is this very process: it counts SIGUSR1s the attacks send."""
    received = []
    previous = signal.signal(signal.SIGUSR1, lambda *_: received.append(1))
    try:
        for name in ("kill_the_grader", "forge_the_gradebook"):
            path = tmp_path / f"{name}.py"
            path.write_text(attack_submission(JAIL / f"{name}.py", {"SUBMISSIONS": tmp_path, "RESULTS": tmp_path,
                                                                    "PACKAGE": PACKAGE}), encoding="utf-8")
            report = grader.grade_file(path)
            if SUPPORT.complete:
                assert "ATTACK-OK" not in report.output, report.output
        time.sleep(0.2)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert received == []


def test_the_batch_says_what_the_jail_enforces(tmp_path):
    done = subprocess.run([sys.executable, "-m", "autograder", "doctor"], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert SUPPORT.summary() in done.stdout
    off = subprocess.run([sys.executable, "-m", "autograder", "doctor"], capture_output=True, text=True, cwd=ROOT,
                         timeout=120, env={**os.environ, "AUTOGRADER_JAIL": "off"})
    assert "running with fewer protections" in off.stdout and "AUTOGRADER_JAIL=off" in off.stdout


def test_a_reply_far_larger_than_the_result_is_refused_unread(grader, tmp_path):
    path = tmp_path / "flood.py"
    path.write_text(attack_submission(JAIL / "flood_the_parent.py", {}), encoding="utf-8")
    report = grader.grade_file(path)
    backward = function_result(report, "backward_propagation")
    feedback = " ".join(c.feedback for c in backward.checks)
    assert backward.score == 0 and "far more than its result can take" in feedback, feedback
    assert function_result(report, "forward_propagation").score == function_result(report, "forward_propagation").max_score


# -- helpers ---------------------------------------------------------------------------------
def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _stat(pid: str) -> list[str]:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _pids() -> set[str]:
    return {p for p in os.listdir("/proc") if p.isdigit()}


def _processes_in(folder: Path, inside: bool = False) -> list[str]:
    """Processes working in ``folder`` (the batch's TMPDIR: its fork servers and children), or
    only ``inside`` a folder of it (the sandbox children). A jailed child's working folder is
    a mount of its own namespace (from here it reads "/"): its HOME, a folder inside, tells."""
    found = []
    inner = str(folder) + os.sep
    for pid in _pids():
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
            with open(f"/proc/{pid}/environ", "rb") as handle:
                home = next((e[5:].decode() for e in handle.read().split(b"\0") if e.startswith(b"HOME=")), "")
        except OSError:
            continue
        if home.startswith(inner) or cwd.startswith(inner if inside else str(folder)):
            found.append(f"{pid}: {_cmdline(pid)[:80]}")
    return found


@pytest.mark.parametrize("layers", ["off", "namespaces", "landlock", "seccomp", "namespaces,landlock,seccomp"])
def test_grading_is_the_same_with_any_set_of_layers(layers):
    """Where a kernel lacks layers, grading goes on with the others, and says so; the
    solution's thief is stopped whenever Landlock is among them."""
    env = {**os.environ, "AUTOGRADER_JAIL": layers}

    def check(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "autograder", "check", str(path), "-a", "one_hidden_layer"],
                              capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)

    honest = check(EXAMPLES / "correct_classic_npdot.py")
    assert honest.returncode == 0 and "100 / 100" in honest.stdout, honest.stdout + honest.stderr
    thief = check(FIXTURES / "hostile" / "steal_full_marks.py")
    if "landlock" in layers and SUPPORT.landlock_abi:
        assert ": 0 / 100" in thief.stdout, thief.stdout[:500]


# -- the parent's own limits ---------------------------------------------------------------
def _with_body(function: str, body: str, source: str | None = None) -> str:
    """The correct submission (or ``source``) with ``function``'s body replaced by ``body``."""
    source = source if source is not None else (EXAMPLES / "correct_classic_npdot.py").read_text(encoding="utf-8")
    head = re.search(rf"^def {function}\(.*?\):\n", source, flags=re.M)
    rest = re.search(r"^(def |\S)", source[head.end():], flags=re.M)
    end = head.end() + (rest.start() if rest else len(source[head.end():]))
    return source[:head.end()] + body + "\n\n" + source[end:]


def test_a_function_that_hangs_is_not_called_again_through_its_callers(assignment, tmp_path):
    """With cascading on, nn_model's calls are skipped (they would only hang again); by default
    nn_model is judged on its own, with the grader's backward_propagation, and is right."""
    from dataclasses import replace

    from autograder.grading import Grader

    path = tmp_path / "hangs.py"
    path.write_text(_with_body("backward_propagation", "    while True:\n        pass\n"), encoding="utf-8")
    report = Grader(replace(assignment, cascade=True)).grade_file(path)
    backward, model = function_result(report, "backward_propagation"), function_result(report, "nn_model")
    assert backward.score == 0 and model.score == 0
    said = " ".join(c.feedback for c in model.checks)
    assert "calls your `backward_propagation`, which took longer than" in said, said  # not run to time out again
    assert "took longer than" not in said.replace("which took longer than", "")
    assert function_result(report, "predict").score == function_result(report, "predict").max_score
    alone = function_result(Grader(assignment).grade_file(path), "nn_model")
    assert alone.score == alone.max_score
    assert any("right once your backward_propagation is fixed" in n for n in alone.notes)


def test_a_submission_has_a_total_time_budget(tmp_path):
    from autograder.grading import Grader
    from autograder.run.sandbox.runner import Limits
    from autograder.spec import load_assignment

    path = tmp_path / "slow.py"
    path.write_text(_with_body("sigmoid", "    import time\n    time.sleep(0.4)\n    z = np.asarray(z, dtype=float)\n"
                               "    return 1 / (1 + np.exp(-z))\n"), encoding="utf-8")
    grader = Grader(load_assignment("one_hidden_layer", ROOT), limits=Limits(submission_seconds=2))
    report = grader.grade_file(path)
    said = " ".join(c.feedback for f in report.functions for c in f.checks)
    assert "used up its 2 s of grading time" in said, said[:2000]


def test_the_read_rules_open_a_folder_around_the_graders_package(tmp_path):
    """Installed into a site-packages (not a checkout), the grader's package is left out of an
    otherwise readable folder; a link to it is left out too."""
    site = tmp_path / "site-packages"
    for name in ("numpy", "autograder", "other"):
        (site / name).mkdir(parents=True)
    (site / "module.py").write_text("", encoding="utf-8")
    (site / "alias").symlink_to(site / "autograder")
    paths: list = []
    jail._allow(str(site), {str(site / "autograder")}, paths)
    allowed = {Path(p).name: rights for p, rights in paths}
    assert allowed[site.name] == jail._FS_READ_DIR  # listed, not read whole
    assert {"numpy", "other", "module.py"} <= allowed.keys() and allowed["numpy"] == jail.READ
    assert "autograder" not in allowed and "alias" not in allowed
    elsewhere: list = []
    jail._allow(str(site), {str(tmp_path / "checkout" / "autograder")}, elsewhere)
    assert elsewhere == [(str(site), jail.READ)]  # nothing of the grader beneath: one rule


@pytest.mark.parametrize("jobs", ["1", "2"])  # --jobs 2: asked by a probe while the workers start
def test_report_json_and_the_run_say_what_the_jail_enforced(tmp_path, jobs):
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(EXAMPLES / "correct_classic_npdot.py", folder / "alice.py")
    shutil.copy(EXAMPLES / "bug_dz1_uses_w1.py", folder / "bob.py")
    done = grade_cli(folder, tmp_path / "results", "--jobs", jobs)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count(SUPPORT.summary()) == 1
    report = __import__("json").loads((tmp_path / "results" / "one_hidden_layer" / "report.json").read_text(encoding="utf-8"))
    assert report["jail"] == SUPPORT.summary() and report["submissions"][0]["score"] == 100


def test_kill_9_of_a_batch_leaves_no_process_behind(tmp_path):
    """Workers die with the grading process, fork servers when their worker's socket closes,
    sandboxes with their fork server."""
    folder = tmp_path / "class"
    folder.mkdir()
    for i in range(4):  # each worker busy waiting for a sandbox that loops (10 s time limit)
        (folder / f"s{i}.py").write_text(_with_body("sigmoid", "    while True:\n        pass\n"), encoding="utf-8")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    mark = f"AUTOGRADER_TEST_MARK={os.getpid()}-{time.time_ns()}"
    env = {**os.environ, "TMPDIR": str(scratch), mark.split("=")[0]: mark.split("=")[1]}
    batch = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(folder), "--assignment",
                              "one_hidden_layer", "--out", str(tmp_path / "results"), "--jobs", "2"],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(_processes_in(scratch, inside=True)) < 2 and time.monotonic() < deadline:  # until sandboxes run
        time.sleep(0.05)
    assert _processes_in(scratch, inside=True), "the batch never started a sandbox"
    batch.kill()
    batch.wait()
    time.sleep(2)
    marked = [p for p in _pids() if _environ_has(p, mark)]
    assert marked == [] and _processes_in(scratch) == [], (marked, _processes_in(scratch))


def _environ_has(pid: str, entry: str) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            return entry.encode() in handle.read().split(b"\0")
    except OSError:
        return False


def test_replies_made_to_break_the_parent_cost_their_calls_only(grader, assignment):
    """An array whose shape is text (once an uncaught ValueError, whose message — the hidden
    inputs — became an 'internal error' in the student's feedback) and JSON nested too deep."""
    from autograder.judge.cases import build_workload
    from autograder.report.feedback import render_markdown

    report = grader.grade_file(FIXTURES / "hostile" / "malformed_replies.py")
    assert report.error is None
    assert function_result(report, "sigmoid").score < function_result(report, "sigmoid").max_score
    assert function_result(report, "layer_sizes").score == function_result(report, "layer_sizes").max_score
    text = render_markdown(report.as_dict(), "mallory")
    assert "HIDDEN" not in text and "internal error" not in text
    hidden = [v for c in build_workload(assignment).calls if c.visibility == "hidden" and c.function == "sigmoid"
              for v in c.args.values()]
    assert hidden and not any(repr(float(v.ravel()[0])) in text for v in hidden)


def test_a_slow_but_correct_submission_gets_no_more_than_its_budget(tmp_path):
    """Each call sleeps until just before its own timer, then answers right: the budget holds
    for calls in flight too, not only between them."""
    from autograder.grading import Grader
    from autograder.run.sandbox.runner import Limits
    from autograder.spec import load_assignment

    path = tmp_path / "slow.py"
    path.write_text(_with_body("sigmoid", "    import signal, time\n    left = signal.getitimer(signal.ITIMER_REAL)[0]\n"
                               "    time.sleep(max(0.0, left - 0.05))\n    z = np.asarray(z, dtype=float)\n"
                               "    return 1 / (1 + np.exp(-z))\n"), encoding="utf-8")
    grader = Grader(load_assignment("one_hidden_layer", ROOT), limits=Limits(call_timeout_cap=1, submission_seconds=3))
    report = grader.grade_file(path)
    said = " ".join(c.feedback for f in report.functions for c in f.checks)
    assert "used up its" in said, said[:2000]
    assert report.score < report.max_score


def test_a_file_nested_too_deeply_to_parse_is_a_clear_error(grader, tmp_path):
    path = tmp_path / "deep.py"
    path.write_text("import numpy as np\n\nK = " + "+".join(["1"] * 50_000) + "\n", encoding="utf-8")
    report = grader.grade_file(path)
    assert report.score == 0 and report.error and "nested too deeply" in report.error


def test_forward_propagation_cannot_be_looked_up_in_backwards_held_cache(grader):
    """Each call whose arguments are built by a graded function draws its inputs apart
    (cases._derives), so no held cache is forward's result on forward's own inputs."""
    report = grader.grade_file(FIXTURES / "hostile" / "forward_from_held_cache.py")
    forward = function_result(report, "forward_propagation")
    assert forward.score == 0, [c.feedback for c in forward.checks if c.passed]


def test_a_function_that_hung_is_not_judged_again_on_its_own(assignment, tmp_path, monkeypatch):
    """nn_model hangs with the student's wrong backward_propagation; it is not run again with
    the grader's (it would only hang again, and double the file's time)."""
    import autograder.grading as grading

    asked: list[dict] = []
    real = grading.rerun

    def spy(loaded, workload, calls, served, limits=None, box=None):
        asked.append(dict(served))
        return real(loaded, workload, calls, served, limits, box)

    monkeypatch.setattr(grading, "rerun", spy)
    source = _with_body("sigmoid", "    return 1 / (1 + np.exp(z))\n",
                        source=_with_body("nn_model", "    while True:\n        pass\n"))
    path = tmp_path / "hangs_alone.py"
    path.write_text(source, encoding="utf-8")
    from autograder.run.sandbox.runner import Limits

    report = grading.Grader(assignment, limits=Limits(call_timeout_cap=1)).grade_file(path)
    assert function_result(report, "sigmoid").score < function_result(report, "sigmoid").max_score
    assert asked and "forward_propagation" in asked[0] and all("nn_model" not in served for served in asked)
