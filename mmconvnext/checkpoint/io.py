"""Reading checkpoint files safely.

Every file is read with ``torch.load(weights_only=True)``: tensors and plain containers only.
A full training checkpoint written by mmengine's Runner also holds its message hub, whose
HistoryBuffer objects pickle numpy arrays and their statistics methods (as
``getattr(HistoryBuffer, 'min')``). Only for such a file, and only when the plain read has
failed, the weights-only unpickler is given exactly those globals besides its own, under the
names of numpy 1 and of numpy 2 (``numpy.core`` became ``numpy._core``), so that a checkpoint
written under either loads under both; its ``getattr`` reaches HistoryBuffer's statistics
methods and nothing else. Any other global is refused, with its name.
"""
import os
import pickle
from typing import Any, Optional

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer


def _history_buffer_getattr(obj, name: str):
    """``getattr`` as mmengine's pickled HistoryBuffers use it, and for nothing else."""
    if obj is HistoryBuffer and name in ('min', 'max', 'current', 'mean'):
        return getattr(obj, name)
    raise pickle.UnpicklingError(f'getattr({obj!r}, {name!r}) is not allowed in a checkpoint')


# The callables that numpy's pickles of arrays and scalars name, taken from those pickles: numpy 2
# moved them from numpy.core to numpy._core (and warns on any use of numpy.core).
_RECONSTRUCT = np.empty(0).__reduce__()[0]
_SCALAR = np.float64(0).__reduce__()[0]

# numpy arrays, scalars and dtypes as pickled by numpy 1 and 2, HistoryBuffer, restricted getattr
RUNNER_CHECKPOINT_GLOBALS = [
    HistoryBuffer, np.ndarray, np.dtype, (_history_buffer_getattr, 'builtins.getattr'),
    *[(func, f'numpy.{core}.multiarray.{func.__name__}')
      for func in (_RECONSTRUCT, _SCALAR) for core in ('core', '_core')]
] + sorted({type(np.dtype(c)) for c in '?bhilqBHILQefdgFD'}, key=str)


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read: corrupt, truncated, or unsafe."""


def load_checkpoint_file(filename: str, map_location: Any = 'cpu') -> Any:
    """Read a local checkpoint file; see the module docstring for what is allowed."""
    path = os.path.expanduser(str(filename))
    if not os.path.isfile(path):
        raise FileNotFoundError(f'checkpoint file not found: {filename}')
    try:
        return _load(path, map_location, extra_globals=())
    except pickle.UnpicklingError:
        pass  # not plain weights: maybe an mmengine training checkpoint
    try:
        return _load(path, map_location, extra_globals=RUNNER_CHECKPOINT_GLOBALS)
    except pickle.UnpicklingError as err:
        try:
            needed = torch.serialization.get_unsafe_globals_in_checkpoint(path)
        except Exception:  # not a zip checkpoint at all
            raise CheckpointError(f'corrupt or truncated checkpoint file {filename}: '
                                  f'{_first_line(err)}') from err
        known = {g[1] if isinstance(g, tuple) else f'{g.__module__}.{g.__qualname__}'
                 for g in RUNNER_CHECKPOINT_GLOBALS}
        raise CheckpointError(
            f'refusing to unpickle {filename}: it is neither plain weights nor an mmengine '
            f'training checkpoint; it asks for the globals '
            f'{sorted(set(needed) - known) or needed}. If you trust the file, load it with '
            'torch.load(weights_only=False) and save its state dict.') from err


def _load(path: str, map_location: Any, extra_globals) -> Any:
    try:
        with torch.serialization.safe_globals(list(extra_globals)):
            return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError:
        raise
    except Exception as err:  # torch raises RuntimeError, EOFError, ... on broken files
        raise CheckpointError(
            f'corrupt or truncated checkpoint file {path}: {_first_line(err)}') from err


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def load_any(source: str, map_location: Any = 'cpu', logger: Optional[str] = None) -> Any:
    """A checkpoint from a local path (safely, as above; ``.safetensors`` too) or a URL
    (through mmengine)."""
    if str(source).endswith('.safetensors'):
        if not os.path.isfile(source):
            raise FileNotFoundError(f'checkpoint file not found: {source}')
        from safetensors.torch import load_file
        try:
            return load_file(source, device=str(map_location))
        except Exception as err:
            raise CheckpointError(f'corrupt or truncated checkpoint file {source}: {err}') \
                from err
    if '://' in str(source) and not str(source).startswith('file://'):
        from mmengine.runner.checkpoint import CheckpointLoader
        return CheckpointLoader.load_checkpoint(source, map_location=map_location,
                                                logger=logger)
    return load_checkpoint_file(str(source).replace('file://', '', 1), map_location)
