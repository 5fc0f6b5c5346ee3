"""Reference implementations and tool runners used by tests and benchmarks."""
