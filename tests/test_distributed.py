"""Grading on a Dask cluster gives the same scores as a local run."""

import shutil

from autograder.classroom.batch import grade_class
from autograder.classroom.gradebook import Gradebook
from autograder.classroom.layout import discover
from conftest import EXAMPLES


def test_local_cluster_scores_equal_local_run(tmp_path, assignment):
    from dask.distributed import LocalCluster

    folder = tmp_path / "class"
    folder.mkdir()
    names = ["correct_einsum.py", "bug_tanh_from_z1.py", "bug_two_keepdims_and_transpose.py",
             "correct_notebook_messy.ipynb", "bug_notebook_w2_no_transpose.ipynb", "old_signature_no_activation.py"]
    for name in names:
        shutil.copy(EXAMPLES / name, folder / name)
    (folder / "empty.py").write_text("")
    subs, _ = discover([folder], assignment.name)

    local = grade_class(assignment, subs, Gradebook(tmp_path / "local.sqlite"))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = grade_class(assignment, subs, Gradebook(tmp_path / "remote.sqlite"), scheduler=cluster.scheduler_address)

    assert remote.graded == len(subs) == 7
    scores = {s: r["score"] for s, r in local.reports.items()}
    assert scores == {s: r["score"] for s, r in remote.reports.items()}
    assert 0 < min(v for v in scores.values() if v) < max(scores.values()) == assignment.max_score
    assert remote.reports["empty"]["error"]
