"""Extraction evaluation: labelled pages in, per-corpus scores for our extractor and plain trafilatura out."""
