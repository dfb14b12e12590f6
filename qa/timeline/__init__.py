"""Time in answers: dates in questions, as-of cut-offs, newest evidence first."""
