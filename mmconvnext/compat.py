"""Every workaround for the torch / mmengine / device mix, in one place.

:func:`apply_all` runs when ``mmconvnext`` is imported (so also through ``custom_imports``);
:func:`fit_config_to_machine` is called by ``tools/train.py`` and ``tools/test.py``.
"""
import os
import tempfile

import torch
from mmengine.fileio import LocalBackend, register_backend
from mmengine.fileio import io as mmengine_io
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader

from mmconvnext.checkpoint.io import load_checkpoint_file


def use_safe_local_checkpoint_loader() -> None:
    """mmengine 0.10 reads local checkpoints with bare ``torch.load``. Since torch 2.6 that
    means weights_only=True, which refuses the message hub of mmengine's own training
    checkpoints (resume, ``load_from``, test). Route local files through
    :func:`load_checkpoint_file`, which reads weights safely and trusts exactly what
    mmengine's Runner writes."""
    CheckpointLoader.register_scheme(prefixes='', loader=load_checkpoint_file, force=True)


def atomic_write(path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is always either the old file or the whole
    new one: a temporary file beside it, flushed to disk, then renamed over it."""
    path = os.fspath(path)
    folder = os.path.dirname(path) or '.'
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f'.{os.path.basename(path)}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend with atomic writes (checkpoints, ``last_checkpoint``)."""

    def put(self, obj: bytes, filepath) -> None:
        atomic_write(filepath, obj)

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        atomic_write(filepath, obj.encode(encoding))


def use_atomic_local_writes() -> None:
    """mmengine 0.10 writes checkpoints with a plain ``open(path, 'wb')``: a process killed
    while saving leaves a truncated file, possibly in place of a good one. Make every local
    write of mmengine's file backend atomic."""
    register_backend('local', AtomicLocalBackend, force=True, prefixes='')
    mmengine_io.backend_instances.clear()  # instances made before use the old class


def apply_all() -> None:
    use_safe_local_checkpoint_loader()
    use_atomic_local_writes()


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


def fit_config_to_machine(cfg) -> None:
    """Let a GPU recipe run unchanged on a machine without one (in place; no-op with CUDA).

    - mmengine's AmpOptimWrapper asserts a GPU: use the fp32 OptimWrapper, or bf16 autocast
      (:class:`mmconvnext.engine.CPUAutocastOptimWrapper`) where the config asks for
      ``dtype='bfloat16'``;
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
        if bf16:
            optim.update(type='mmconvnext.CPUAutocastOptimWrapper', dtype='bfloat16')
            notes.append('AmpOptimWrapper(bfloat16) -> bf16 autocast on CPU')
        else:
            optim.type = 'OptimWrapper'
            notes.append('AmpOptimWrapper -> fp32 OptimWrapper')
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
