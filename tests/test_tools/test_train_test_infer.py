"""tools/train.py, tools/test.py and tools/infer.py, run as a user runs them, on the demo
configs (which inherit the paper's) and a tiny generated data set in the COCO / ADE20K
layouts: one short training through mmengine's Runner, then a test and pictures."""
import json
import os
import pickle
import sys

import pytest
import torch

from mmconvnext.testing.demo_data import demo_data_cfg, make_demo_data
from mmconvnext.compat.cpu_fallbacks import cpu_has_fast_bf16
from tool_runs import ROOT, cfg_options, run_tool

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    return make_demo_data(str(tmp_path_factory.mktemp('demo')), seed=1, num_train=2,
                          num_val=2)


def run(*args, timeout=600):
    return run_tool([sys.executable, *args], timeout)


def det_options(coco):
    ann = f'{coco}/annotations/instances_val.json'
    return ['--cfg-options', *cfg_options(demo_data_cfg(coco, ann))]


def seg_options(ade):
    return ['--cfg-options', *cfg_options(demo_data_cfg(ade)), 'train_dataloader.batch_size=2']


def test_detector_train_test_infer(data, tmp_path):
    """Run with mmseg not importable throughout: a detection-only install."""
    config = 'configs/demo/mask_rcnn_convnext_t_shapes.py'
    blocker = tmp_path / 'no_mmseg' / 'mmseg'
    blocker.mkdir(parents=True)
    (blocker / '__init__.py').write_text('raise ImportError("mmseg is not installed")\n')

    def run(*args):
        return run_tool([sys.executable, *args], PYTHONPATH=f'{blocker.parent}{os.pathsep}{ROOT}')

    work = tmp_path / 'work'
    log = run('tools/train.py', config, '--work-dir', str(work), *det_options(data['coco']),
              'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
              'default_hooks.checkpoint.interval=1', 'train_dataloader.batch_size=2')
    assert 'No GPU here: AmpOptimWrapper -> fp32 OptimWrapper' in log
    assert 'lr decay layer_wise, decay_rate=0.95, num_layers=6: 16 parameter groups' in log
    assert 'Epoch(train) [1][1/1]' in log and 'coco/bbox_mAP' in log and 'coco/segm_mAP' in log
    checkpoint = (work / 'last_checkpoint').read_text().strip()
    assert checkpoint.endswith('epoch_1.pth')

    out = tmp_path / 'results.pkl'
    log = run('tools/test.py', config, checkpoint, '--work-dir', str(tmp_path / 'test'),
              '--out', str(out), '--show-dir', str(tmp_path / 'show'), *det_options(data['coco']))
    assert 'coco/bbox_mAP' in log and 'coco/segm_mAP' in log
    results = pickle.loads(out.read_bytes())
    assert len(results) == 2 and 'pred_instances' in results[0]
    assert len(list((tmp_path / 'show').rglob('*.jpg'))) == 2

    image = f"{data['coco']}/val/val_0000.jpg"
    log = run('tools/infer.py', config, checkpoint, image, '--out-dir', str(tmp_path / 'infer'))
    assert (tmp_path / 'infer' / 'vis' / 'val_0000.jpg').is_file()
    prediction = json.loads((tmp_path / 'infer' / 'preds' / 'val_0000.json').read_text())
    assert set(prediction) >= {'labels', 'scores', 'bboxes'}


def test_segmenter_train_test_tta_infer(data, tmp_path):
    """With the ConvNeXt V2 block in the CPU demo's size and bf16 autocast (the demo's
    ``ARCH=atto_v2``): GRN through every tool."""
    config = 'configs/demo/upernet_convnext_atto_v2_shapes.py'
    work = tmp_path / 'work'
    log = run('tools/train.py', config, '--work-dir', str(work), *seg_options(data['ade']),
              'train_cfg.max_iters=1', 'train_cfg.val_interval=1',
              'default_hooks.checkpoint.interval=1')
    assert 'lr decay stage_wise, decay_rate=0.9, num_layers=6' in log
    assert 'Iter(train) [1/1]' in log and 'mIoU' in log
    assert 'SyncBN -> BN' in log
    # the config's bf16 AmpOptimWrapper: autocast where the CPU has fast bf16 kernels, else fp32
    assert ('AmpOptimWrapper(bfloat16) -> bf16 autocast on CPU' if cpu_has_fast_bf16() else
            'AmpOptimWrapper(bfloat16) -> fp32 OptimWrapper: this CPU has no fast bf16') in log
    checkpoint = (work / 'last_checkpoint').read_text().strip()
    state = torch.load(checkpoint, map_location='cpu', weights_only=False)['state_dict']
    assert state['backbone.stages.3.1.grn.gamma'].shape == (4 * 320, )
    assert not any(k.endswith('.gamma') and '.grn.' not in k for k in state)  # no layer scale

    log = run('tools/test.py', config, checkpoint, '--tta', '--out', str(tmp_path / 'maps'),
              '--work-dir', str(tmp_path / 'test'), *seg_options(data['ade']))
    assert 'mIoU' in log
    assert len(list((tmp_path / 'maps').glob('*.png'))) == 2

    image = f"{data['ade']}/images/validation/val_0001.jpg"
    run('tools/infer.py', config, checkpoint, image, '--out-dir', str(tmp_path / 'infer'))
    assert (tmp_path / 'infer' / 'vis' / 'val_0001.jpg').is_file()
