"""Training really learns: the demo configs overfit a few images of the demo set through
mmengine's Runner, and the loss falls by a large factor while COCO AP / mIoU on those images
rise well above zero.

To stay within a few minutes on 2 CPU cores, the models keep their structure and every code
path (our ConvNeXt, our lr-decay constructor, FPN + RPN + RoI heads / UPerHead, CocoDataset /
ADE20KDataset, CocoMetric / IoUMetric) but are narrower: ConvNeXt depths (1, 1, 3, 1) with
dims (32, 64, 128, 256), 64-channel necks and heads. No drop path and no augmentation, since
the point is to fit these images.
"""
import copy
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from mmconvnext.compat import fit_config_to_machine
from mmconvnext.datasets.demo_data import make_demo_data

ROOT = Path(__file__).parents[2]
DIMS = [32, 64, 128, 256]


def narrow():
    return dict(_delete_=True, depths=[1, 1, 3, 1], dims=DIMS)


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    # the annotation file holds exactly the images fitted: CocoMetric scores all its images
    return make_demo_data(str(tmp_path_factory.mktemp('few')), seed=3, num_train=2, num_val=1)


def same_loader(loader, dataset, batch_size):
    loader = copy.deepcopy(loader)
    loader.update(batch_size=batch_size, num_workers=0, persistent_workers=False)
    loader.dataset.update(dataset)
    return loader


def fit(cfg, work_dir, max_iters_or_epochs, lr):
    """Train from the config, then test; (mean of the first 5 losses, of the last 10,
    test metrics)."""
    loop = cfg.train_cfg.type
    cfg.train_cfg = dict(type=loop, val_interval=10**6, **{
        'max_epochs' if loop == 'EpochBasedTrainLoop' else 'max_iters': max_iters_or_epochs})
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.param_scheduler = [dict(type='LinearLR', start_factor=0.01, by_epoch=False, end=10)]
    cfg.optim_wrapper.optimizer.lr = lr
    cfg.work_dir = str(work_dir)
    cfg.launcher = 'none'
    cfg.randomness = dict(seed=0)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=10**6)
    cfg.default_hooks.logger.interval = 10
    cfg.default_hooks.visualization = dict(type=cfg.default_hooks.visualization.type)
    fit_config_to_machine(cfg)
    runner = Runner.from_cfg(cfg)
    runner.train()
    losses = runner.message_hub.get_scalar('train/loss').data[0]
    metrics = runner.test()
    first, last = losses[:5].mean(), losses[-10:].mean()
    print(f'{cfg.model.type}: loss {first:.3f} -> {last:.3f}; {metrics}')
    return first, last, metrics


def test_detector_learns(data, tmp_path):
    cfg = Config.fromfile(ROOT / 'configs/demo/mask_rcnn_convnext_t_shapes.py')
    w = 64
    cfg.merge_from_dict(dict(model=dict(
        backbone=dict(arch=narrow(), drop_path_rate=0.0),
        neck=dict(in_channels=DIMS, out_channels=w),
        rpn_head=dict(in_channels=w, feat_channels=w),
        roi_head=dict(bbox_roi_extractor=dict(out_channels=w),
                      bbox_head=dict(in_channels=w, fc_out_channels=256),
                      mask_roi_extractor=dict(out_channels=w),
                      mask_head=dict(in_channels=w, conv_out_channels=w)))))
    coco = data['coco']
    train_split = dict(data_root=coco + '/', ann_file='annotations/instances_train.json',
                       data_prefix=dict(img='train/'), pipeline=cfg.test_pipeline)
    cfg.train_dataloader = same_loader(cfg.train_dataloader, train_split, 2)
    cfg.test_dataloader = same_loader(cfg.test_dataloader, train_split, 2)
    cfg.test_evaluator.ann_file = f'{coco}/annotations/instances_train.json'
    first, last, metrics = fit(cfg, tmp_path, 120, lr=5e-4)  # 120 epochs of 1 iteration
    # measured (2 cores, torch 2.13): loss 3.15 -> 0.91, bbox AP 0.068, AP50 0.23, segm AP50 0.06
    assert last < first / 3
    assert metrics['coco/bbox_mAP_50'] > 0.1 and metrics['coco/bbox_mAP'] > 0.02
    assert metrics['coco/segm_mAP_50'] > 0.02


def test_segmenter_learns(data, tmp_path):
    cfg = Config.fromfile(ROOT / 'configs/demo/upernet_convnext_t_shapes.py')
    cfg.merge_from_dict(dict(model=dict(
        backbone=dict(arch=narrow(), drop_path_rate=0.0),
        decode_head=dict(in_channels=DIMS, channels=64),
        auxiliary_head=dict(in_channels=DIMS[2], channels=32))))
    train_split = dict(data_root=data['ade'] + '/',
                       data_prefix=dict(img_path='images/training',
                                        seg_map_path='annotations/training'))
    cfg.train_dataloader = same_loader(cfg.train_dataloader, train_split, 2)
    cfg.test_dataloader = same_loader(cfg.test_dataloader, train_split, 1)
    first, last, metrics = fit(cfg, tmp_path, 120, lr=1e-3)
    # measured (2 cores, torch 2.13): loss 1.77 -> 0.53, mIoU 65.0
    assert last < first / 3
    assert metrics['mIoU'] > 50  # predicting background everywhere scores about 23
