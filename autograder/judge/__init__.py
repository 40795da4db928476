"""Stage 3, judge: the inputs and the reference's results (``cases``, ``reference``), the
comparison of every step and the checks and scores (``checks``), and what feedback may
disclose about each call (``disclose``)."""
