"""Files that are always whole: the old one or the complete new one, never a truncated mix.

Needed for mmengine 0.10 (0.10.7 included); can go when mmengine's LocalBackend writes through a
temporary file and a rename. Reaches into nothing private: a backend under its own name.

mmengine 0.10 writes checkpoints with a plain ``open(path, 'wb')`` and ``last_checkpoint``
with a plain ``open(path, 'w')``: a process killed in either write leaves a truncated file,
possibly in place of a good one, which ``--resume`` then reads. :func:`atomic_write` writes a
temporary file beside the target, flushes it to disk and renames it over the target.
:class:`AtomicLocalBackend` is mmengine's local file backend with that write, registered under
its own name (``backend='mmconvnext_atomic'``): mmengine's ``local`` backend is left as it is,
and :class:`mmconvnext.AtomicCheckpointHook` asks for this one.
"""
import os
import shutil
import tempfile
from contextlib import contextmanager
from typing import List

from mmengine.fileio import LocalBackend, register_backend

ATOMIC_BACKEND = 'mmconvnext_atomic'
TMP_SUFFIX = '.tmp'  # of temporary files and folders: '.<target name>.<random>.tmp'


def atomic_write(path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is always either the old file or the whole
    new one: a temporary file beside it, flushed to disk, then renamed over it."""
    path = os.fspath(path)
    folder = os.path.dirname(path) or '.'
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f'.{os.path.basename(path)}.', suffix=TMP_SUFFIX)
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


def remove_leftovers(folder) -> List[str]:
    """Remove the temporary files and folders ('.*.tmp') that writes killed midway left in
    ``folder``; return their names. Call it only where no write can be under way (the work
    dir's lock is held)."""
    names = [n for n in sorted(os.listdir(folder)) if n.startswith('.') and
             n.endswith(TMP_SUFFIX)] if os.path.isdir(folder) else []
    for name in names:
        path = os.path.join(folder, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    return names


class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend with atomic writes (:func:`atomic_write`), and removals
    that can wait until new files are in place (:meth:`removals_deferred`)."""

    _deferred = None  # paths whose removal waits, inside removals_deferred()

    def put(self, obj: bytes, filepath) -> None:
        atomic_write(filepath, obj)

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        atomic_write(filepath, obj.encode(encoding))

    def remove(self, filepath) -> None:
        if self._deferred is None:
            super().remove(filepath)
        else:
            self._deferred.append(filepath)

    def rmtree(self, dir_path) -> None:
        if self._deferred is None:
            super().rmtree(dir_path)
        else:
            self._deferred.append(dir_path)

    @contextmanager
    def removals_deferred(self):
        """Within, ``remove`` and ``rmtree`` only note their paths; they are removed when the
        block has run to its end, never if it raised (or the process was killed)."""
        self._deferred = deferred = []
        try:
            yield
        finally:
            self._deferred = None
        for path in deferred:
            if os.path.isdir(path):
                shutil.rmtree(path)
            elif os.path.exists(path):
                os.remove(path)


register_backend(ATOMIC_BACKEND, AtomicLocalBackend)
