"""Running a GPU recipe unchanged on a machine without a GPU: :func:`fit_config_to_machine`,
called by ``tools/train.py`` and ``tools/test.py`` on the config they run.

Needed for mmengine 0.10 (AmpOptimWrapper asserts a GPU; ``init_dist`` calls
``torch.cuda.set_device``) and for what runs on GPUs only in torch (NCCL, SyncBatchNorm): the
last two stay as long as the recipes ask for them. Changes the config, nothing else.
"""
import os

import torch
from mmengine.logging import print_log


def _replace_sync_bn(node) -> int:
    """SyncBN -> BN in every norm_cfg of a config tree; returns how many were replaced."""
    count = 0
    if isinstance(node, dict):
        if node.get('type') == 'SyncBN':
            node['type'] = 'BN'
            count += 1
        for value in node.values():
            count += _replace_sync_bn(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            count += _replace_sync_bn(value)
    return count


def cpu_has_fast_bf16() -> bool:
    """Whether oneDNN has bf16 kernels for this CPU (AVX-512 or AMX). Without them, torch runs
    bf16 convolutions on a reference path dozens of times slower than fp32 (docs/benchmarks.md)."""
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def fit_config_to_machine(cfg) -> None:
    """Let a GPU recipe run unchanged on a machine without one (in place; no-op with CUDA).

    - mmengine's AmpOptimWrapper asserts a GPU: use the fp32 OptimWrapper, or bf16 autocast
      (:class:`mmconvnext.compat.CPUAutocastOptimWrapper`) where the config asks for
      ``dtype='bfloat16'`` and the CPU has fast bf16 kernels (:func:`cpu_has_fast_bf16`);
    - NCCL needs GPUs: distributed runs use gloo, and mmengine's own ``init_dist`` (which
      calls ``torch.cuda.set_device``) is bypassed by initialising the process group here;
    - DDP on CPU modules takes no device_ids;
    - torch's SyncBatchNorm runs on GPUs only: SyncBN becomes BN, synced across nothing
      (identical with one process; per-process statistics with several).
    """
    if torch.cuda.is_available():
        return
    notes = []
    optim = cfg.get('optim_wrapper')
    if optim is not None and optim.get('type') in ('AmpOptimWrapper', 'mmengine.AmpOptimWrapper'):
        bf16 = str(optim.get('dtype')) in ('bfloat16', 'bf16', 'torch.bfloat16')
        for key in ('loss_scale', 'dtype', 'use_fsdp'):
            optim.pop(key, None)
        if bf16 and cpu_has_fast_bf16():
            optim.update(type='mmconvnext.CPUAutocastOptimWrapper', dtype='bfloat16')
            notes.append('AmpOptimWrapper(bfloat16) -> bf16 autocast on CPU')
        else:
            optim.type = 'OptimWrapper'
            notes.append(
                'AmpOptimWrapper(bfloat16) -> fp32 OptimWrapper: this CPU has no fast bf16 '
                'kernels (oneDNN needs AVX-512), bf16 convolutions would be dozens of times '
                'slower' if bf16 else 'AmpOptimWrapper -> fp32 OptimWrapper')
    replaced = _replace_sync_bn(cfg.model)
    if replaced:
        notes.append(f'SyncBN -> BN in {replaced} norm_cfg')
    if cfg.get('launcher', 'none') != 'none':
        cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel', device_ids=None,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
        if not torch.distributed.is_initialized():
            torch.distributed.init_process_group(backend='gloo')
        notes.append(f'distributed over gloo, {torch.distributed.get_world_size()} processes')
    if notes and int(os.environ.get('RANK', 0)) == 0:
        print_log('No GPU here: ' + '; '.join(notes), logger='current', level=30)
