"""Ingestion: article files in, `Document`s with canonical text out."""
