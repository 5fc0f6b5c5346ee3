"""Shared by all tests: under pytest-xdist, each worker gets its share of the cores. What tests
share in code lives in :mod:`mmconvnext.testing` (reference model, demo data, memory meter)
and, for running the tools, in tests/tool_runs.py; the inputs of one-step training tests in
tests/step_inputs.py."""
import os

import torch

# Under pytest-xdist (tools/run_tests.sh runs 2 workers), the workers share the machine's
# cores: each runs torch, and the tools it starts, on its share of them. Without this, each
# worker's torch takes every core and the workers slow each other down.
WORKERS = int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1'))
if WORKERS > 1:
    THREADS = str(max(1, (os.cpu_count() or 1) // WORKERS))
    os.environ.setdefault('OMP_NUM_THREADS', THREADS)
    torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))
