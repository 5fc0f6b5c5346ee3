"""mmengine's CheckpointHook with every file it writes always whole.

Needed for mmengine 0.10 (see :mod:`.atomic_files`); reaches into ``runner._work_dir`` and
CheckpointHook's ``_save_checkpoint_with_step`` (mmengine 0.10's names), to redirect its plain
write of ``last_checkpoint``. Can go with :mod:`.atomic_files`.
"""
import os.path as osp
import tempfile

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook

from .atomic_files import ATOMIC_BACKEND, atomic_write
from mmconvnext.registry import HOOKS


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` (same arguments) whose checkpoints and ``last_checkpoint`` are
    written atomically (:mod:`mmconvnext.compat.atomic_files`): a process killed while saving
    leaves the previous checkpoint and the ``last_checkpoint`` that names it, so ``--resume``
    resumes from there. Local work dirs only, unless ``backend_args`` names another backend.

    ``default_hooks = dict(checkpoint=dict(type='mmconvnext.AtomicCheckpointHook', ...))``;
    this repository's schedule bases and demo configs use it.
    """

    def __init__(self, *args, backend_args=None, **kwargs):
        super().__init__(*args, backend_args=backend_args or dict(backend=ATOMIC_BACKEND),
                         **kwargs)

    def _save_checkpoint_with_step(self, runner, step, meta):
        # mmengine's method saves the checkpoint through our backend, then writes
        # ``<work_dir>/last_checkpoint`` with a plain open(): let it write that into a scratch
        # folder, and write the real one atomically once the checkpoint is whole
        work_dir = runner._work_dir
        with tempfile.TemporaryDirectory(dir=work_dir, prefix='.last_checkpoint.') as scratch:
            runner._work_dir = scratch
            try:
                super()._save_checkpoint_with_step(runner, step, meta)
            finally:
                runner._work_dir = work_dir
        if is_main_process():
            atomic_write(osp.join(work_dir, 'last_checkpoint'), self.last_ckpt.encode())
