"""Shared by all tests: the helpers that live beside the tools they serve (the demo data
writer in tools/data, the paper-layout reference in tools/analysis) are imported by name, as
the tools themselves import them; test helpers (tool_runs.py) live here, in tests/. Under
pytest-xdist, each worker gets its share of the cores."""
import os
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).parents[1]
for folder in ('tools/data', 'tools/analysis'):
    if str(ROOT / folder) not in sys.path:
        sys.path.insert(0, str(ROOT / folder))

# Under pytest-xdist (tools/run_tests.sh runs 2 workers), the workers share the machine's
# cores: each runs torch, and the tools it starts, on its share of them. Without this, each
# worker's torch takes every core and the workers slow each other down.
WORKERS = int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1'))
if WORKERS > 1:
    THREADS = str(max(1, (os.cpu_count() or 1) // WORKERS))
    os.environ.setdefault('OMP_NUM_THREADS', THREADS)
    torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))
