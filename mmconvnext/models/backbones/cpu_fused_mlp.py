"""The MLP half of a ConvNeXt block for fp32 CPU inference, with oneDNN's fused GELU.

``shortcut + gamma * pwconv2(GELU(pwconv1(x)))`` runs as a oneDNN inner product that applies
the GELU as it writes the 4C-channel hidden map (the plain path writes that map, then reads
and writes it again for the GELU), a second inner product, and one ``addcmul``.

Blocks take this path on maps of at least ``MIN_PIXELS`` pixels (N*H*W): below that, oneDNN's
per-call set-up costs more than it saves (measured per channel count and size:
docs/benchmarks.md).

oneDNN's op is the one inductor itself lowers to on CPU, but only with frozen weights; as a
custom op, torch.compile keeps it whole and fuses the norm and permutes around it.
"""
import functools
from typing import Optional

import torch
import torch.nn.functional as F

MIN_PIXELS = 1024  # where the fused path starts to win (docs/benchmarks.md)


@functools.lru_cache(maxsize=None)
def _onednn_linear():
    """``torch.ops.mkldnn._linear_pointwise`` if this torch build has it and it gives
    eager's values, else None (the block then runs its plain path). Decided on first use,
    on fixed inputs: importing or probing leaves torch's random state alone."""
    try:
        op = torch.ops.mkldnn._linear_pointwise
        x = torch.linspace(-3, 3, 48).reshape(2, 3, 8)
        w, b = torch.linspace(-1, 1, 32).reshape(4, 8).flip(1), torch.linspace(-.5, .5, 4)
        ok = (torch.allclose(op(x, w, b, 'gelu', [], 'none'), F.gelu(F.linear(x, w, b)),
                             atol=1e-5)
              and torch.allclose(op(x, w, b, 'none', [], ''), F.linear(x, w, b), atol=1e-5))
    except (AttributeError, RuntimeError):
        return None
    return op if ok else None


def fused_mlp_available() -> bool:
    """Whether this torch build has oneDNN's fused linear + GELU (checked once, lazily)."""
    return _onednn_linear() is not None


@torch.library.custom_op('mmconvnext::fused_mlp', mutates_args=())
def fused_mlp(x: torch.Tensor, shortcut: torch.Tensor, w1: torch.Tensor, b1: torch.Tensor,
              w2: torch.Tensor, b2: torch.Tensor,
              gamma: Optional[torch.Tensor]) -> torch.Tensor:
    """shortcut + gamma * linear(GELU(linear(x, w1, b1)), w2, b2): x (..., C), shortcut
    (..., C') -> a new (..., C') tensor; gamma (C', ) or None. fp32 CPU tensors, no autograd."""
    linear = _onednn_linear()
    y = linear(linear(x, w1, b1, 'gelu', [], 'none'), w2, b2, 'none', [], '')
    return shortcut + y if gamma is None else torch.addcmul(shortcut, y, gamma)


@fused_mlp.register_fake
def _(x, shortcut, w1, b1, w2, b2, gamma):
    return torch.empty_like(shortcut, memory_format=torch.contiguous_format)
