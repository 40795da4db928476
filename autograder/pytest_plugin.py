"""pytest in a student's exercise folder: a failing self-check shows the feedback and nothing else.

The generated ``conftest.py`` imports these hooks. A :class:`SelfCheckFailed` replaces the
failure's traceback (the grader's frames, the test's source) with the feedback text, so the
first line a student reads names the mistake; the header says what the self-check covers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.selfcheck import PUBLIC_ONLY, SelfCheckFailed


def pytest_report_header(config: pytest.Config) -> str | None:
    marker = "from autograder.selfcheck import PublicChecks"
    for test in Path(config.rootpath).glob("test_*.py"):
        if marker in test.read_text(encoding="utf-8", errors="replace"):
            return "autograder: " + PUBLIC_ONLY.strip("()")
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and isinstance(call.excinfo.value, SelfCheckFailed):
        report.longrepr = f"{call.excinfo.value}\n{PUBLIC_ONLY}"
