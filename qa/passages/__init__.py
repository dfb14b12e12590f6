"""Documents split into sentences and overlapping, sentence-aligned passages."""
