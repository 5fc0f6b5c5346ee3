"""Loading pretrained weights of any known layout into a ConvNeXt backbone."""
from collections import Counter
from typing import Iterable, Optional, Tuple

import torch.nn as nn
from mmengine.logging import print_log

from .io import CheckpointError, load_any
from .layouts import convert_state_dict, unwrap

# The per-output norms: a model has those of its out_indices, a checkpoint those of the model
# it was saved from (a classifier only norm3, a detector norm0..norm3). Missing ones keep
# their default init (weight 1, bias 0); ones this model does not have are dropped. Both are
# reported in the load log.
OPTIONAL = ('norm0.', 'norm1.', 'norm2.', 'norm3.')


def summarize(keys: Iterable[str]) -> str:
    """'head.* (2), norm.* (2)' for a list of keys."""
    counts = Counter(k.split('.')[0] for k in keys)
    return ', '.join(f'{name}.* ({n})' for name, n in counts.items()) or 'none'


def check_fits(backbone: nn.Module, state_dict: dict, what: str) -> Tuple[list, list]:
    """Raise CheckpointError unless ``state_dict`` (backbone names) fits ``backbone``: no
    shape mismatch, no block / downsample weight missing or left over. Returns the output
    norms' keys that it lacks and those the backbone does not have (other out_indices)."""
    own = backbone.state_dict()
    mismatched = [f'{k}: checkpoint {tuple(v.shape)} vs model {tuple(own[k].shape)}'
                  for k, v in state_dict.items() if k in own and v.shape != own[k].shape]
    extra = [k for k in state_dict if k not in own and k.startswith(OPTIONAL)]
    unexpected = [k for k in state_dict if k not in own and k not in extra]
    missing = [k for k in own if k not in state_dict]
    required_missing = [k for k in missing if not k.startswith(OPTIONAL)]
    problems = []
    if mismatched:
        problems.append(f'{len(mismatched)} shape mismatches, e.g. {mismatched[:4]}')
    if unexpected:
        problems.append(f'{len(unexpected)} unexpected keys, e.g. {unexpected[:4]}')
    if required_missing:
        problems.append(f'{len(required_missing)} missing keys, e.g. {required_missing[:4]}')
    if problems:
        raise CheckpointError(f'{what} does not fit this ConvNeXt (depths={backbone.depths}, '
                              f'dims={backbone.dims}): ' + '; '.join(problems))
    return missing, extra


def load_backbone_checkpoint(backbone: nn.Module, source: str, prefix: Optional[str] = None,
                             logger: str = 'current') -> dict:
    """Load ``source`` (path or URL, any layout of :mod:`.layouts`) into ``backbone``.

    ``prefix`` first keeps only the keys under it (as mmengine's Pretrained init does).
    Raises CheckpointError when the weights do not fit the backbone: a shape mismatch, or
    block / downsample weights missing or left over (another arch). Logs what was loaded,
    dropped and left at its initial value. Returns the backbone-named state dict loaded.
    """
    state_dict = unwrap(load_any(source, logger=logger))
    if prefix:
        state_dict = {k[len(prefix):]: v for k, v in state_dict.items() if k.startswith(prefix)}
        if not state_dict:
            raise CheckpointError(f'no key of {source} starts with prefix {prefix!r}')
    converted, layout, dropped = convert_state_dict(state_dict)
    missing, extra = check_fits(backbone, converted, f'{source} ({layout} layout)')
    converted = {k: v for k, v in converted.items() if k not in extra}
    backbone.load_state_dict(converted, strict=False)
    print_log(
        f'ConvNeXt: loaded {len(converted)} tensors from {source} ({layout} layout); '
        f'dropped (not backbone): {summarize(dropped)}; '
        f'dropped (output norms of other out_indices): {extra or "none"}; '
        f'missing, left at init: {missing or "none"}', logger=logger)
    return converted


def load_weights_strictly(model: nn.Module, checkpoint: str) -> None:
    """Load every weight of ``checkpoint`` (a whole model's, as training saves it) into
    ``model``, strictly: a checkpoint of another model is a CheckpointError naming the missing
    and unexpected keys, not a score of 0."""
    from mmengine.runner import load_checkpoint
    try:
        load_checkpoint(model, checkpoint, map_location='cpu', strict=True, logger='silent')
    except RuntimeError as err:  # mmengine's message: one line per kind of misfit
        keys, shapes = [], []
        for line in str(err).splitlines():
            kind, _, names = line.partition(' in source state_dict: ')
            if names:
                names = names.split(', ')
                keys.append(f'{len(names)} {kind}: {", ".join(names[:4])}'
                            + (', ...' if len(names) > 4 else ''))
            elif line.strip().startswith('size mismatch'):
                shapes.append(line.strip())
        if shapes:
            keys.append(f'{len(shapes)} size mismatches, e.g. {shapes[0]}')
        raise CheckpointError(f'{checkpoint} does not fit the model of this config: '
                              + '; '.join(keys or [str(err)])) from None
