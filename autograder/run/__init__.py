"""Stage 2, run: the submission's code in a jailed child process, called on the workload's
inputs; results come back as plain data (``wire``). Nothing here judges.

Kept import-light: the sandbox child imports this package."""
