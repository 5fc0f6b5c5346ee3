"""mmengine's CheckpointHook with every file it writes always whole.

Needed for mmengine 0.10 (see :mod:`.atomic_files`; its CheckpointHook also removes the oldest
checkpoint before writing the new one); reaches into ``runner._work_dir`` and CheckpointHook's
``_save_checkpoint_with_step`` (mmengine 0.10's names), to redirect its plain write of
``last_checkpoint`` and hold back its removal. Can go when mmengine writes atomically and
rotates after writing.
"""
import difflib
import inspect
import os.path as osp
import tempfile
from contextlib import nullcontext

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook
from mmengine.logging import print_log

from mmconvnext.registry import HOOKS
from .atomic_files import (ATOMIC_BACKEND, TMP_SUFFIX, AtomicLocalBackend, atomic_write,
                           remove_leftovers)

SCRATCH = '.last_checkpoint.'  # prefix of the scratch folder of a save under way (.tmp)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` (same arguments) that never leaves fewer whole checkpoints than it
    had: checkpoints and ``last_checkpoint`` are written atomically
    (:mod:`mmconvnext.compat.atomic_files`), and checkpoints beyond ``max_keep_ckpts`` are
    removed only after the new one and the ``last_checkpoint`` naming it are in place. A
    process killed while saving leaves the previous checkpoint and the ``last_checkpoint`` that
    names it, so ``--resume`` resumes from there; the temporary files of the killed write are
    removed when training starts again. Local work dirs only, unless ``backend_args`` names
    another backend (whose own order then applies).

    ``default_hooks = dict(checkpoint=dict(type='mmconvnext.AtomicCheckpointHook', ...))``;
    this repository's schedule bases and demo configs use it.
    """

    def __init__(self, *args, backend_args=None, **kwargs):
        # mmengine passes unknown arguments on to Runner.save_checkpoint, which refuses them
        # at the first save: name them now, when the Runner is built
        known = inspect.signature(CheckpointHook.__init__).parameters
        unknown = [k for k in kwargs if k not in known]
        if unknown:
            hints = [f'{k!r} (did you mean {close[0]!r}?)' if close else repr(k) for k in unknown
                     for close in [difflib.get_close_matches(k, known, n=1)]]
            raise TypeError(f'{type(self).__name__} got unknown arguments: {", ".join(hints)}')
        super().__init__(*args, backend_args=backend_args or dict(backend=ATOMIC_BACKEND),
                         **kwargs)

    def before_train(self, runner) -> None:
        super().before_train(runner)
        if is_main_process() and isinstance(self.file_backend, AtomicLocalBackend):
            removed = [name for folder in dict.fromkeys((self.out_dir, runner.work_dir))
                       for name in remove_leftovers(folder)]
            if removed:
                print_log(f'AtomicCheckpointHook: removed what a killed save left: {removed}',
                          logger='current')

    def _save_checkpoint_with_step(self, runner, step, meta):
        # mmengine's method removes the checkpoint beyond max_keep_ckpts, saves the new one
        # through our backend, then writes ``<work_dir>/last_checkpoint`` with a plain open():
        # hold the removal back, let it write last_checkpoint into a scratch folder, and write
        # the real one atomically once the checkpoint is whole
        work_dir = runner._work_dir
        deferred = self.file_backend.removals_deferred() \
            if isinstance(self.file_backend, AtomicLocalBackend) else nullcontext()
        with deferred:
            with tempfile.TemporaryDirectory(dir=work_dir, prefix=SCRATCH,
                                             suffix=TMP_SUFFIX) as scratch:
                runner._work_dir = scratch
                try:
                    super()._save_checkpoint_with_step(runner, step, meta)
                finally:
                    runner._work_dir = work_dir
            if is_main_process():
                atomic_write(osp.join(work_dir, 'last_checkpoint'), self.last_ckpt.encode())

