"""A class at once: finding submissions in folders, grading them in parallel or on a
cluster, the SQLite gradebook and the results folder."""
