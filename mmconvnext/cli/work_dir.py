"""The work dir of a training: one training at a time in it, and what ``--resume`` resumes.

The lock is an OS lock (``flock``) on ``<work_dir>/.lock``, taken by global rank 0 only (the
other processes and nodes of the same run start as they would). The OS releases it when its
process ends, however it ends; the file names the holder, so that a second run is told which
process holds it, and a run that finds a dead holder's name in it says it takes over.
"""
import atexit
import fcntl
import os
import os.path as osp
import socket
from typing import Optional

from mmengine.logging import print_log

LOCK_FILE = '.lock'
_held = []  # the open lock files of this process: the locks last as long as they are open


class WorkDirInUse(RuntimeError):
    """Another process trains into this work dir."""


def lock_work_dir(work_dir: str) -> None:
    """Hold the lock of ``work_dir`` until this process ends, or raise WorkDirInUse naming the
    holder's pid and host."""
    created = not osp.isdir(work_dir)
    os.makedirs(work_dir, exist_ok=True)
    f = open(osp.join(work_dir, LOCK_FILE), 'a+')
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.seek(0)
        holder = f.read().strip() or 'a process that has not written its name yet'
        f.close()
        raise WorkDirInUse(f'work dir {work_dir} is in use by another training: {holder}. '
                           'Wait for it to end or stop it, or pass another --work-dir.') from None
    f.seek(0)
    previous = f.read().strip()
    if previous:
        print_log(f'work dir {work_dir}: taking over the lock of {previous}, which ended '
                  'without releasing it', logger='current', level=30)
    _write(f, f'pid {os.getpid()} on host {socket.gethostname()}')
    _held.append(f)
    atexit.register(_release, f, work_dir, created)


def _release(f, work_dir: str, created: bool) -> None:
    """At a clean exit: no holder's name left behind; and where the run wrote nothing (it
    stopped before training, e.g. at a failed data check) no lock file, nor the work dir
    if this run made it."""
    _write(f, '')
    try:
        if os.listdir(work_dir) == [LOCK_FILE]:
            os.unlink(osp.join(work_dir, LOCK_FILE))
            if created:
                os.rmdir(work_dir)
    except OSError:  # another process wrote into it meanwhile: leave it as it is
        pass


def _write(f, text: str) -> None:
    f.seek(0)
    f.truncate()
    f.write(text)
    f.flush()


def resume_source(work_dir: str) -> Optional[str]:
    """The checkpoint ``--resume`` resumes from: the one ``last_checkpoint`` names, found in
    ``work_dir`` itself when the dir was copied or moved from where it was written; None (with
    one line saying so) when there is none. Raises FileNotFoundError when it names a file that
    exists neither there nor here."""
    path = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(path):
        print_log(f'--resume: no checkpoint to resume from in {work_dir} (no last_checkpoint '
                  'file): training starts from the beginning', logger='current', level=30)
        return None
    with open(path) as f:
        named = f.read().strip()
    here = osp.join(work_dir, osp.basename(named))
    if osp.isfile(here):
        return here
    if osp.isfile(named):
        return named
    raise FileNotFoundError(f'--resume: {path} names {named}, which does not exist, and '
                            f'{work_dir} holds no {osp.basename(named)}')
