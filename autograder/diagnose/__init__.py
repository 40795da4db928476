"""Stage 4, diagnose: the mistakes behind wrong steps, named from the assignment's catalogue
(its mutants' fingerprints) or by analysis. The coming repair search belongs here."""
