"""Benchmarks: seed large data and print latency figures (``python -m benchmarks.run``)."""
