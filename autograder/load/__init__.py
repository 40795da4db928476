"""Stage 1, load: a submission file (``.py`` or ``.ipynb``) becomes the code units worth
running, with notes on everything skipped or adapted. Nothing here runs student code."""
