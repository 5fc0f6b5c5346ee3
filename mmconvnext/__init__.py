"""ConvNeXt for the OpenMMLab stack: the ``mmconvnext.ConvNeXt`` backbone (:mod:`.models`), the
``mmconvnext.LearningRateDecayOptimizerConstructor`` (:mod:`.optim`) and the hooks of
:mod:`.compat`, registered under the scope ``mmconvnext``. Importing this package registers them
and changes nothing else: the fixes for the installed stack are applied by this repository's
tools, or where a config or program asks for them (``mmconvnext.SafeCheckpointLoadingHook``,
``mmconvnext.AtomicCheckpointHook``). docs/architecture.md maps the folders.
"""
from . import compat, models, optim  # noqa: F401  (registers modules)
from .version import __version__

__all__ = ['__version__']
