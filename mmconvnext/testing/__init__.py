"""Reference implementations used by tests and benchmarks."""
