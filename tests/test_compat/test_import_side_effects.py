"""Importing mmconvnext registers modules and changes nothing else, checked in a fresh process:
mmengine's checkpoint loaders and file backends, torch's random state, threads and device."""
import json
import subprocess
import sys

PROBE = r"""
import json, threading, torch
from mmengine.fileio import io as file_io
from mmengine.fileio.backends import registry_utils
from mmengine.runner.checkpoint import CheckpointLoader

def state():
    return dict(
        loaders={k: repr(v) for k, v in CheckpointLoader._schemes.items()},
        backends={k: repr(v) for k, v in registry_utils.backends.items()},
        prefixes={k: repr(v) for k, v in registry_utils.prefix_to_backends.items()},
        backend_instances=sorted(file_io.backend_instances),
        rng=torch.get_rng_state().sum().item(), threads=threading.active_count(),
        torch_threads=torch.get_num_threads(), cuda_initialized=torch.cuda.is_initialized(),
        default_dtype=str(torch.get_default_dtype()))

before = state()
import mmconvnext
from mmconvnext.models import ConvNeXt
after = state()
registered = {name: bool(mmconvnext.registry.MODELS.get(name)) for name in ('ConvNeXt', )}
print(json.dumps(dict(before=before, after=after, registered=registered)))
"""


def test_import_changes_nothing_but_registries():
    out = subprocess.run([sys.executable, '-c', PROBE], capture_output=True, text=True,
                         check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    before, after = result['before'], result['after']
    new_backends = set(after['backends']) - set(before['backends'])
    assert new_backends <= {'mmconvnext_atomic'}  # a new name, mmengine's own untouched
    after['backends'] = {k: v for k, v in after['backends'].items() if k not in new_backends}
    assert after == before
    assert result['registered'] == {'ConvNeXt': True}


def test_registered_names_and_what_import_loads():
    """The registered type names configs use resolve from the stack's root registries, and
    ``import mmconvnext`` loads the plugin only, not the tools' or tests' modules."""
    probe = r"""
import json, sys
import mmconvnext
from mmengine.registry import HOOKS, MODELS, OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS
names = dict(MODELS=['ConvNeXt'], OPTIM_WRAPPER_CONSTRUCTORS=[
    'LearningRateDecayOptimizerConstructor'], OPTIM_WRAPPERS=['CPUAutocastOptimWrapper'],
    HOOKS=['AtomicCheckpointHook', 'RNGStateHook', 'SafeCheckpointLoadingHook'])
found = {f'mmconvnext.{n}': globals()[r].get(f'mmconvnext.{n}').__module__
         for r, ns in names.items() for n in ns}
print(json.dumps(dict(found=found, loaded=sorted(m for m in sys.modules
                                                 if m.startswith('mmconvnext.')))))
"""
    out = subprocess.run([sys.executable, '-c', probe], capture_output=True, text=True,
                         check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result['found'] == {
        'mmconvnext.ConvNeXt': 'mmconvnext.models.backbones.convnext',
        'mmconvnext.LearningRateDecayOptimizerConstructor': 'mmconvnext.optim.layer_decay',
        'mmconvnext.CPUAutocastOptimWrapper': 'mmconvnext.compat.cpu_autocast',
        'mmconvnext.AtomicCheckpointHook': 'mmconvnext.compat.atomic_checkpoint',
        'mmconvnext.RNGStateHook': 'mmconvnext.compat.rng_state',
        'mmconvnext.SafeCheckpointLoadingHook': 'mmconvnext.compat.safe_loading'}
    loaded = {m.split('.')[1] for m in result['loaded']}
    assert not loaded & {'cli', 'testing', 'data_checks', 'analysis', 'apis', 'deploy'}, loaded
