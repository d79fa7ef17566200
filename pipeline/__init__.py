"""Extraction (pure: bytes + URL + headers in, an ExtractedReport out) and the item pipelines calling it."""
