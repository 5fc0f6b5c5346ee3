"""The MLP half of a ConvNeXt block for fp32 CPU inference, with oneDNN's fused GELU.

``shortcut + gamma * pwconv2(GELU(pwconv1(x)))`` runs as a oneDNN inner product that applies
the GELU as it writes the 4C-channel hidden map (the plain path writes that map, then reads
and writes it again for the GELU), a second inner product, and one ``addcmul``.

Measured per block MLP (fp32, 2-core Xeon, torch 2.13, medians of 9 interleaved; pixels =
N*H*W; plain = F.linear, GELU, F.linear, * gamma, + shortcut):

    C=96:  64 px 0.78x, 256 px 0.91x, 1024 px 1.03x, 4096 px 1.97x, 65536 px 1.51x
    C=192: 64 px 0.89x, 256 px 1.06x, 1024 px 1.11x, 16384 px 1.37x, 65536 px 1.37x
    C=384: 64 px 0.96x, 256 px 1.11x, 1024 px 1.09x, 4096 px 1.21x, 16384 px 1.12x
    C=768: 64 px 1.09x, 256 px 1.06x, 1024 px 1.02x, 4096 px 1.01x, 16384 px 1.06x

so the block takes this path from MIN_PIXELS up (below it, oneDNN's per-call set-up costs more
than it saves). Folding gamma into pwconv2's weight and fusing the add as well was no faster
at large maps and slower at small ones (a new weight per call).

oneDNN's op is the one inductor itself lowers to on CPU, but only with frozen weights; as a
custom op, torch.compile keeps it whole and fuses the norm and permutes around it.
"""
import functools
from typing import Optional

import torch
import torch.nn.functional as F

MIN_PIXELS = 1024


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
