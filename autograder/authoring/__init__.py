"""Writing and shipping exercises: student templates generated from the solution, the
catalogue validated, the mistakes page, the student release and synthetic classes."""
