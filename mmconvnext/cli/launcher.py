"""Processes started by a launcher (torchrun, srun): their global rank, and their end with it."""
import os
import signal
import sys
import threading
import time


def global_rank(launcher: str) -> int:
    """This process's global rank under ``--launcher`` before the process group exists: srun's
    SLURM_PROCID, torchrun's RANK; 0 without a launcher."""
    if launcher == 'none':
        return 0
    return int(os.environ.get('SLURM_PROCID' if launcher == 'slurm' else 'RANK', 0))


def stop_with_launcher(interval_s: float = 1.0) -> None:
    """End this process when its parent, the launcher, is gone: a launcher killed with SIGKILL
    cannot stop its workers, which would train on and keep writing checkpoints. A daemon thread
    checks the parent every ``interval_s``."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(interval_s)
        print(f'the launcher of this process (pid {parent}) has ended: stopping',
              file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name='stop-with-launcher', daemon=True).start()
