"""Benchmarks: `python -m crawler bench WHAT`, ratios measured side by side in one run, never in CI."""
