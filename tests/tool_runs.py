"""Running the repository's tools the way a user does, from the repository root with this
checkout importable; :func:`mmconvnext.testing.demo_data.demo_data_cfg` points their loaders at
a generated demo data set (CI's clean clone has no ``data/demo``)."""
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).parents[1]


def cfg_options(cfg: Dict[str, object]) -> List[str]:
    """``KEY=VALUE`` items for a tool's ``--cfg-options`` (later items override earlier)."""
    return [f'{key}={value}' for key, value in cfg.items()]


def run_tool(command: List[str], timeout: int = 600, **env) -> str:
    """Run ``command`` from the repository root with this checkout importable and ``PYTHON``
    set to this interpreter; assert that it exits with 0 (the message: the end of its output,
    warning lines left out) and return its stdout and stderr."""
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                            env=tool_env(**env))
    log = result.stdout + result.stderr
    assert result.returncode == 0, '\n'.join(
        line for line in log.splitlines() if 'Warning' not in line and 'warn(' not in line)[-8000:]
    return log


def tool_env(**env) -> Dict[str, str]:
    return {**os.environ, 'PYTHON': sys.executable, 'PYTHONPATH': str(ROOT), **env}
