"""ConvNeXt for the OpenMMLab stack: the ``mmconvnext.ConvNeXt`` backbone, the
``mmconvnext.LearningRateDecayOptimizerConstructor`` and hooks, registered under the scope
``mmconvnext``. Importing this package registers them and changes nothing else: the fixes for
the installed stack are applied by this repository's tools, or where a config or program asks
for them (:class:`mmconvnext.SafeCheckpointLoadingHook`,
:class:`mmconvnext.AtomicCheckpointHook`).
"""
from . import engine, models  # noqa: F401  (registers modules)
from .version import __version__

__all__ = ['__version__']
