"""The nodes of a multi-node run meet before torchrun starts, so that one that never comes is
named: torchrun's own rendezvous waits for a count of nodes and, at its time-out, names none.

    python -m mmconvnext.cli.rendezvous NNODES NODE_RANK MASTER_ADDR PORT TIMEOUT_S

Node 0 serves a store at MASTER_ADDR:PORT (the port torchrun takes next); every node writes its
rank and host there. It exits 0 when all have come, else 1 naming the nodes that did not.
"""
import socket
import sys
import time
from datetime import timedelta

from torch.distributed import TCPStore


def gather(nnodes: int, node_rank: int, master_addr: str, port: int, timeout_s: float) -> None:
    """Wait until all ``nnodes`` nodes have come; raise SystemExit naming those that did not
    within ``timeout_s``."""
    if not 0 <= node_rank < nnodes:
        raise SystemExit(f'NODE_RANK must be in 0..{nnodes - 1} (NNODES={nnodes}), '
                         f'got {node_rank}')
    deadline = time.monotonic() + timeout_s
    try:
        store = TCPStore(master_addr, port, is_master=node_rank == 0, wait_for_workers=False,
                         timeout=timedelta(seconds=timeout_s))
    except Exception as error:  # noqa: BLE001 (torch raises DistNetworkError, RuntimeError...)
        where = 'serve' if node_rank == 0 else 'reach node 0 at'
        raise SystemExit(f'node {node_rank}: could not {where} {master_addr}:{port} within '
                         f'{timeout_s:g} s ({type(error).__name__}: {error})')
    store.set(f'node/{node_rank}', socket.gethostname())
    if node_rank != 0:
        try:
            store.wait(['all_here'])
        except Exception as error:  # noqa: BLE001
            raise SystemExit(f'node {node_rank}: node 0 at {master_addr}:{port} gave up waiting '
                             f'for the other nodes (its log names them): {error}')
        store.set(f'left/{node_rank}', '1')
        return
    others = [f'node/{rank}' for rank in range(1, nnodes)]
    while not store.check(others):
        if time.monotonic() > deadline:
            missing = [rank for rank in range(1, nnodes) if not store.check([f'node/{rank}'])]
            here = ', '.join(f'{rank} ({store.get(f"node/{rank}").decode()})'
                             for rank in range(nnodes) if rank not in missing)
            raise SystemExit(
                f'node{"s" * (len(missing) > 1)} {", ".join(map(str, missing))} of {nnodes} did '
                f'not join {master_addr}:{port} within {timeout_s:g} s (here: {here}): start '
                f'the same command there with NNODES={nnodes}, NODE_RANK=<its rank>, '
                f'MASTER_ADDR={master_addr} and PORT={port}')
        time.sleep(0.2)
    store.set('all_here', '1')
    store.wait([f'left/{rank}' for rank in range(1, nnodes)])  # keep serving until all read it


if __name__ == '__main__':
    nnodes, node_rank, addr, port, timeout = sys.argv[1:6]
    gather(int(nnodes), int(node_rank), addr, int(port), float(timeout))
