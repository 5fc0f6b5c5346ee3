"""Reading mmengine's own training checkpoints again on torch >= 2.6, as an explicit opt-in.

Needed for torch >= 2.6 with mmengine 0.10 (0.10.7 included); can go when mmengine loads its
own checkpoints with ``weights_only=True`` and an allow-list. Uses mmengine's public
``CheckpointLoader.register_scheme``.

mmengine 0.10 reads local checkpoints (resume, ``load_from``, test, inference) with a bare
``torch.load``. Since torch 2.6 that means ``weights_only=True``, which refuses the message
hub that mmengine's Runner itself writes into every training checkpoint.
:func:`use_safe_checkpoint_loading` routes mmengine's loader for local paths through
:func:`mmconvnext.checkpoint.load_checkpoint_file`, which reads weights safely and trusts
exactly what the Runner writes. It changes mmengine only where the installed torch needs it,
and only when called: by this repository's tools, by :class:`SafeCheckpointLoadingHook` in a
config, or by a user's own program.
"""
import torch
from mmengine.hooks import Hook
from mmengine.runner.checkpoint import CheckpointLoader
from mmengine.utils import digit_version

from mmconvnext.checkpoint.io import load_checkpoint_file
from mmconvnext.registry import HOOKS


def torch_loads_weights_only() -> bool:
    """Whether this torch's ``torch.load`` defaults to ``weights_only=True`` (2.6 and later)."""
    return digit_version(torch.__version__.split('+')[0]) >= digit_version('2.6.0')


def use_safe_checkpoint_loading() -> bool:
    """Make mmengine's loader read local checkpoints with :func:`load_checkpoint_file`, if
    this torch needs it; return whether it was done."""
    if not torch_loads_weights_only():
        return False
    CheckpointLoader.register_scheme(prefixes='', loader=load_checkpoint_file, force=True)
    return True


@HOOKS.register_module()
class SafeCheckpointLoadingHook(Hook):
    """Calls :func:`use_safe_checkpoint_loading` before the Runner loads or resumes anything:
    ``custom_hooks = [dict(type='mmconvnext.SafeCheckpointLoadingHook')]``."""

    priority = 'HIGHEST'

    def before_run(self, runner) -> None:
        use_safe_checkpoint_loading()
