"""The common arguments of tools/train.py and tools/test.py, the config they run and the Runner
built from it."""
import argparse
import difflib
import inspect
import os
import os.path as osp
import sys
from typing import Sequence

from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from mmconvnext.compat.bf16_boxes import boxes_in_fp32
from mmconvnext.compat.cpu_fallbacks import fit_config_to_machine
from mmconvnext.compat.safe_loading import use_safe_checkpoint_loading
from mmconvnext.data_checks import check_data
from .launcher import global_rank

# Top-level keys a config may hold besides mmengine Runner's arguments
TOOL_KEYS = ('runner_type', 'model_wrapper_cfg', 'find_unused_parameters', 'tta_model',
             'tta_pipeline', 'auto_scale_lr', 'custom_imports')


def tool_parser(description: str) -> argparse.ArgumentParser:
    """A parser with ``config`` and the arguments every tool takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('config', help='config file')
    parser.add_argument('--work-dir', help='logs, checkpoints and metrics (default: '
                        'work_dirs/<config name>)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, e.g. train_cfg.max_epochs=1')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    parser.add_argument('--data-check', choices=['full', 'paths', 'off'], default='full',
                        help='before the run: open every image and annotation (full), check '
                        'that the files and folders exist (paths), or nothing (off)')
    return parser


def load_config(args: argparse.Namespace) -> Config:
    """The config named by ``args``, with ``--cfg-options``, launcher and work dir applied."""
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    warn_misspelled_keys(cfg)
    return cfg


def warn_misspelled_keys(cfg: Config) -> None:
    """Warn about a top-level key that looks like a misspelled Runner key (``trian_cfg``):
    mmengine ignores it. Helper variables of configs (``data_root``, ...) resemble none."""
    known = set(inspect.signature(Runner.__init__).parameters) | set(TOOL_KEYS)
    for key in cfg.keys():
        close = [name for name in difflib.get_close_matches(key, known, n=3, cutoff=0.8)
                 if _typos(key, name) <= 2]  # not train_pipeline for tta_pipeline
        if key not in known and close:
            print_log(f'config key {key!r} is not one the Runner reads: did you mean '
                      f'{close[0]!r}? It is ignored.', logger='current', level=30)


def _typos(a: str, b: str) -> int:
    """Letters added, dropped, changed or swapped with a neighbour to turn ``a`` into ``b``
    (optimal string alignment distance)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def use_amp(cfg: Config, dtype: str) -> None:
    """Mixed precision for ``tools/train.py --amp [fp16|bf16]``: mmengine's AmpOptimWrapper,
    fp16 with a dynamic loss scale (the paper's configs) or bf16 (no loss scale: bf16 has
    fp32's range, so ConvNeXt's LayerNorms do not overflow). Without a GPU,
    :func:`fit_config_to_machine` turns bf16 into CPU autocast and fp16 into fp32."""
    if dtype not in ('fp16', 'bf16'):
        raise ValueError(f"--amp takes fp16 or bf16, got {dtype!r}")
    cfg.optim_wrapper.type = 'AmpOptimWrapper'
    if dtype == 'bf16':
        cfg.optim_wrapper.dtype = 'bfloat16'
        cfg.optim_wrapper.pop('loss_scale', None)
    else:
        cfg.optim_wrapper.pop('dtype', None)
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')


def build_runner(cfg: Config, loaders: Sequence[str] = ('train_dataloader', 'val_dataloader'),
                 data_check: str = 'full') -> Runner:
    """mmengine's Runner (or the config's ``runner_type``), after fitting the config to the
    machine (see :func:`mmconvnext.compat.cpu_fallbacks.fit_config_to_machine`), checking the
    data of the ``loaders`` it will use at level ``data_check`` (see
    :func:`mmconvnext.data_checks.check_data`; in a distributed run only global rank 0 reads
    the data, the other ranks check the paths), and making mmengine's checkpoint loader read
    its own checkpoints on this torch
    (:func:`mmconvnext.compat.safe_loading.use_safe_checkpoint_loading`)."""
    use_safe_checkpoint_loading()
    fit_config_to_machine(cfg)
    if data_check == 'full' and global_rank(cfg.launcher) != 0:
        data_check = 'paths'
    check_data(cfg, loaders, level=data_check)
    return RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)


def finish(runner: Runner, action: str):
    """``runner.train()`` or ``runner.test()`` (a detector's boxes, nms and RoIAlign in fp32
    under bf16 mixed precision: :func:`mmconvnext.compat.bf16_boxes.boxes_in_fp32`),
    then a clean exit of the process group: all ranks wait for each other and close it, so
    that no rank exits while gloo's threads still serve another (which aborts it: "terminate
    called without an active exception")."""
    import torch.distributed as dist
    try:
        with boxes_in_fp32():
            return getattr(runner, action)()
    finally:
        if dist.is_available() and dist.is_initialized():
            if sys.exc_info()[0] is None:
                dist.barrier()
            dist.destroy_process_group()
