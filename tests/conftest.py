"""Shared by all tests: the helpers that live beside the tools they serve (the demo data
writer in tools/data, the paper-layout reference in tools/analysis) are imported by name, as
the tools themselves import them; test helpers (tool_runs.py) live here, in tests/."""
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
for folder in ('tools/data', 'tools/analysis'):
    if str(ROOT / folder) not in sys.path:
        sys.path.insert(0, str(ROOT / folder))
