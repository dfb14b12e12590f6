"""`citeqa bench`: ingest, query, start-up and index-scale benchmarks (numbers, not tests)."""
