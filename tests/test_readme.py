"""The feedback shown in the README is what `autograder check` prints today."""

import re
import shlex
import subprocess
import sys

from conftest import ROOT

BLOCKS = re.findall(r"```text\n\$ (autograder check [^\n]+)\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def test_readme_check_outputs_are_real():
    assert len(BLOCKS) == 4  # three example files, one course-style notebook
    for command, shown in BLOCKS:
        done = subprocess.run([sys.executable, "-m", "autograder", *shlex.split(command)[1:]], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert done.stdout.rstrip() == shown.rstrip(), f"README output of `{command}` is stale"
