"""tools/deploy/test_onnx.py on a generated demo set: the metrics of the graph through the
config's own evaluator equal those of the PyTorch model's own test step; and the tools' errors
for bad input name the problem."""
import copy
import importlib.util
import sys

import pytest
import torch

from mmconvnext.checkpoint import CheckpointError
from mmconvnext.deploy.evaluate import build_test_parts
from mmconvnext.deploy.export import export_onnx, input_shape, model_kind
from mmconvnext.testing.demo_data import demo_data_cfg, make_demo_data
from tool_runs import ROOT, cfg_options

from deploy_models import DET_V1, config


def tool(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / 'tools' / 'deploy' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_test_onnx_metrics_equal_pytorch(segmenter, tmp_path, monkeypatch):
    data = make_demo_data(str(tmp_path / 'demo'), seed=1, num_train=1, num_val=2)
    options = demo_data_cfg(data['ade'])
    cfg = copy.deepcopy(segmenter['cfg'])
    cfg.merge_from_dict(options)
    loader, evaluator, _ = build_test_parts(cfg, 'segmenter')
    with torch.no_grad():
        for batch in loader:
            evaluator.process(data_samples=segmenter['model'].test_step(batch), data_batch=batch)
    theirs = evaluator.evaluate(len(loader))

    logged = []
    test_onnx = tool('test_onnx')
    monkeypatch.setattr(sys, 'argv', ['test_onnx.py', 'configs/demo/upernet_convnext_atto_v2_shapes.py',
                                      segmenter['out'], '--cfg-options',
                                      *cfg_options(options)])
    monkeypatch.setattr('mmengine.logging.print_log', lambda m, **k: logged.append(m))
    monkeypatch.chdir(ROOT)
    test_onnx.main()
    line = logged[-1]
    assert set(theirs) == {'aAcc', 'mIoU', 'mAcc'}
    for key, value in theirs.items():
        assert f'{key}: {value:.4f}' in line, (line, theirs)
    assert 's per image' in logged[-2]


def test_bad_input_names_the_problem(tmp_path):
    cfg = config(DET_V1)
    with pytest.raises(ValueError, match=r'--shape \[100, 160\]: H and W must be multiples of 32'):
        input_shape(cfg, 'detector', (100, 160))
    assert input_shape(cfg, 'detector') == (416, 416)  # the test Resize (400, 240), either way
    with pytest.raises(ValueError, match=r'--shape takes two positive integers'):
        input_shape(cfg, 'detector', (0, 32))
    seg = config('configs/demo/upernet_convnext_atto_shapes.py')
    with pytest.raises(ValueError, match=r'slides a 128x128 window'):
        input_shape(seg, 'segmenter', (256, 256))
    retina = config(DET_V1)
    retina.model.type = 'RetinaNet'
    with pytest.raises(ValueError, match="model.type='RetinaNet'"):
        model_kind(retina)
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        export_onnx(cfg, str(tmp_path / 'missing.pth'), str(tmp_path / 'x.onnx'), (128, 128))
    other = tmp_path / 'other.pth'  # a checkpoint of another model: refused, keys named
    torch.save({'state_dict': {'head.fc.weight': torch.zeros(4, 8)}}, other)
    with pytest.raises(CheckpointError, match=r'other.pth does not fit the model of this config: '
                       r'1 unexpected key: head.fc.weight; \d+ missing keys: backbone\.'):
        export_onnx(cfg, str(other), str(tmp_path / 'x.onnx'), (128, 128))
    assert not (tmp_path / 'x.onnx').exists()
