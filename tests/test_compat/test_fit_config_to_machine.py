"""The CPU fallbacks of mmconvnext.compat.cpu_fallbacks.fit_config_to_machine."""
import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

import mmconvnext  # noqa: F401
from mmconvnext.compat import cpu_fallbacks
from mmconvnext.compat.cpu_fallbacks import fit_config_to_machine
from mmconvnext.compat import CPUAutocastOptimWrapper

pytestmark = pytest.mark.skipif(torch.cuda.is_available(), reason='CPU fallbacks')


def config(**optim):
    return Config(dict(
        model=dict(type='X', head=dict(norm_cfg=dict(type='SyncBN', requires_grad=True)),
                   neck=[dict(norm_cfg=dict(type='SyncBN'))]),
        optim_wrapper=dict(type='AmpOptimWrapper', optimizer=dict(type='SGD', lr=0.1),
                           **optim)))


def test_amp_becomes_fp32_and_syncbn_becomes_bn():
    cfg = config(loss_scale='dynamic')
    fit_config_to_machine(cfg)
    assert dict(cfg.optim_wrapper) == dict(type='OptimWrapper',
                                           optimizer=dict(type='SGD', lr=0.1))
    assert cfg.model.head.norm_cfg.type == 'BN' and cfg.model.neck[0].norm_cfg.type == 'BN'


def test_bf16_amp_becomes_cpu_autocast(monkeypatch):
    monkeypatch.setattr(cpu_fallbacks, 'cpu_has_fast_bf16', lambda: True)
    cfg = config(dtype='bfloat16')
    fit_config_to_machine(cfg)
    model = nn.Linear(4, 3)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    assert isinstance(optim, CPUAutocastOptimWrapper)
    before = model.weight.detach().clone()
    with optim.optim_context(model):
        out = model(torch.randn(2, 4))
    assert out.dtype == torch.bfloat16
    optim.update_params(out.float().square().mean())
    assert model.weight.dtype == torch.float32 and not torch.equal(before, model.weight)


def test_bf16_amp_becomes_fp32_where_the_cpu_has_no_fast_bf16(monkeypatch):
    """Without oneDNN's bf16 kernels (AVX-512 or AMX) a bf16 convolution runs a reference path
    dozens of times slower than fp32: the recipe trains in fp32 and the log says why."""
    assert cpu_fallbacks.cpu_has_fast_bf16() is torch.ops.mkldnn._is_mkldnn_bf16_supported()
    monkeypatch.setattr(cpu_fallbacks, 'cpu_has_fast_bf16', lambda: False)
    logged = []
    monkeypatch.setattr(cpu_fallbacks, 'print_log', lambda msg, **kwargs: logged.append(msg))
    cfg = config(dtype='bfloat16')
    fit_config_to_machine(cfg)
    assert dict(cfg.optim_wrapper) == dict(type='OptimWrapper',
                                           optimizer=dict(type='SGD', lr=0.1))
    assert len(logged) == 1 and \
        'AmpOptimWrapper(bfloat16) -> fp32 OptimWrapper: this CPU has no fast bf16' in logged[0]
