"""Benchmarks: each prints rates and their ratios to a raw-driver baseline measured in the same run."""
