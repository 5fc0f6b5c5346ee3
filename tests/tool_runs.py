"""Running the repository's tools the way a user does, on a generated demo data set.

Tests use these so that each names only what it changes: every loader of a demo config is
pointed at the generated data (CI's clean clone has no ``data/demo``), in one place.
"""
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).parents[1]
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def demo_data_cfg(root, ann_file: Optional[str] = None,
                  backbone: Optional[str] = None) -> Dict[str, object]:
    """Dotted config keys -> values that make every loader read the data set at ``root``
    (one made by tools/data/demo_data.py's ``make_demo_data``) in the main process,
    with ``ann_file``, the val / test evaluators read that COCO annotation file, and the
    backbone start from the checkpoint ``backbone`` (None: random weights, as no demo
    pretraining has run). For ``Config.merge_from_dict``; :func:`cfg_options` writes them
    for ``--cfg-options``."""
    cfg = {'model.backbone.init_cfg':
           dict(type='Pretrained', checkpoint=backbone) if backbone else None}
    for loader in LOADERS:
        cfg.update({f'{loader}.dataset.data_root': f'{root}/', f'{loader}.num_workers': 0,
                    f'{loader}.persistent_workers': False})
    if ann_file:
        cfg.update({'val_evaluator.ann_file': ann_file, 'test_evaluator.ann_file': ann_file})
    return cfg


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
