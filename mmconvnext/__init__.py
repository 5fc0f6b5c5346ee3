"""ConvNeXt for the OpenMMLab stack: the ``mmconvnext.ConvNeXt`` backbone and the
``mmconvnext.LearningRateDecayOptimizerConstructor``, registered under the scope
``mmconvnext``. Importing this package registers them and applies :mod:`mmconvnext.compat`.
"""
from . import compat, engine, models  # noqa: F401  (registers modules)
from .version import __version__

compat.apply_all()

__all__ = ['__version__']
