"""Benchmarks of the toolkit against its limits and alternatives; `python -m bench [--smoke]`."""
