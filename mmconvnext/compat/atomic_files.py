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
import tempfile

from mmengine.fileio import LocalBackend, register_backend

ATOMIC_BACKEND = 'mmconvnext_atomic'


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
    """mmengine's local file backend with atomic writes (:func:`atomic_write`)."""

    def put(self, obj: bytes, filepath) -> None:
        atomic_write(filepath, obj)

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        atomic_write(filepath, obj.encode(encoding))


register_backend(ATOMIC_BACKEND, AtomicLocalBackend)
