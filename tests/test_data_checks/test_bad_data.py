"""Bad data gets an error naming the loader, the path and the problem before a run starts;
1- and 4-channel images are read as 3-channel ones by the configs' pipelines."""
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import DATASETS, init_default_scope

import mmconvnext  # noqa: F401
from mmconvnext.data_checks import DataError, check_data, check_dataset
from mmconvnext.testing.demo_data import demo_data_cfg, make_cls_data
from tool_runs import ROOT, cfg_options, tool_env

DETECTOR = ROOT / 'configs/demo/mask_rcnn_convnext_t_shapes.py'
SEGMENTER = ROOT / 'configs/demo/upernet_convnext_t_shapes.py'


def with_root(config, root):
    """The config with every loader reading ``root`` (data/demo may not exist here)."""
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(demo_data_cfg(root))
    return cfg


def det_train(root):
    return with_root(DETECTOR, root)


def seg_train(root):
    return with_root(SEGMENTER, root)


def error_of(cfg, loaders=('train_dataloader', )):
    with pytest.raises(DataError) as err:
        check_data(cfg, loaders)
    return str(err.value)


def test_good_data_passes(demo):
    check_data(det_train(demo['coco']))
    check_data(seg_train(demo['ade']), ('train_dataloader', 'val_dataloader'))


def test_data_root_missing_or_empty(tmp_path):
    message = error_of(det_train(tmp_path / 'nowhere'))
    assert message == f"train_dataloader: data root '{tmp_path}/nowhere/' does not exist"
    (tmp_path / 'empty').mkdir()
    assert error_of(seg_train(tmp_path / 'empty')) == \
        f"train_dataloader: data root '{tmp_path}/empty/' is empty"


def test_annotation_file_missing(coco):
    (coco / 'annotations' / 'instances_train.json').unlink()
    message = error_of(det_train(coco))
    assert f"annotation file '{coco}/annotations/instances_train.json' does not exist" in message
    assert "ann_file='annotations/instances_train.json'" in message


@pytest.mark.parametrize('content, problem', [
    ('', 'is empty'),
    ('<html>not found</html>', 'is not JSON: Expecting value: line 1 column 1'),
    ('{"images": [{"id": 1', 'is not JSON: Expecting'),  # cut short
    ('[1, 2]', 'is not COCO JSON: its top level is a list'),
    ('{"images": [], "annotations": []}', "is not COCO JSON: no list ['categories']"),
    ('{"images": [], "annotations": [], "categories": []}', 'lists no images'),
])
def test_annotation_file_not_coco_json(coco, content, problem):
    ann = coco / 'annotations' / 'instances_train.json'
    ann.write_text(content)
    assert error_of(det_train(coco)).startswith(
        f"train_dataloader: annotation file '{ann}' {problem}")


def test_big_annotation_file_cut_short(coco, monkeypatch):
    from mmconvnext import data_checks as checks
    monkeypatch.setattr(checks, 'FULL_PARSE_BYTES', 100)  # as if it were COCO train2017's
    ann = coco / 'annotations' / 'instances_train.json'
    text = ann.read_text()
    check_data(det_train(coco))
    ann.write_text(text[:len(text) // 2])
    assert 'is not COCO JSON: it does not start with "{" and end with "}" (cut short?)' in \
        error_of(det_train(coco))


def test_image_folder_missing_or_without_images(coco, demo, tmp_path):
    shutil.rmtree(coco / 'train')
    assert error_of(det_train(coco)) == \
        f"train_dataloader: image folder '{coco}/train/' does not exist"
    (coco / 'train').mkdir()
    (coco / 'train' / 'notes.txt').write_text('no images here')
    assert f"image folder '{coco}/train/' holds no images (.jpg" in error_of(det_train(coco))
    ade = Path(shutil.copytree(demo['ade'], tmp_path / 'ade'))
    for image in (ade / 'images' / 'training').iterdir():
        image.unlink()  # an empty image list
    assert error_of(seg_train(ade)) == (
        f"train_dataloader: image folder '{ade}/images/training' holds no images "
        '(.jpg, .jpeg, .png, .bmp, .tif, .tiff, .webp)')


def test_mmpretrain_image_folder_is_checked(tmp_path):
    # mmpretrain's CustomDataset names its image folder by a string data_prefix
    cls = make_cls_data(str(tmp_path), num_train=4, num_val=4, size=32)
    dataset = dict(type='CustomDataset', data_root=cls, data_prefix='train')
    check_dataset(dataset, 'train_dataloader')
    with pytest.raises(DataError, match="^train_dataloader: image folder '.*/cls/test' does not"):
        check_dataset(dict(dataset, data_prefix='test'), 'train_dataloader')
    for image in Path(cls, 'train').rglob('*.jpg'):
        image.unlink()
    with pytest.raises(DataError, match="image folder '.*/cls/train' holds no images"):
        check_dataset(dataset, 'train_dataloader')


def test_wrapped_datasets_are_checked_through(tmp_path):
    wrapped = dict(type='RepeatDataset', times=2, dataset=dict(
        type='ConcatDataset', datasets=[dict(type='CocoDataset', data_root=str(tmp_path / 'x'))]))
    with pytest.raises(DataError, match=r'^val\.dataset\.dataset\.datasets\[0\]: data root'):
        check_dataset(wrapped, 'val')


@pytest.mark.parametrize('broken', ['annotation file', 'image'])
def test_train_tool_refuses_bad_data_before_it_starts(coco, tmp_path, broken):
    if broken == 'image':  # cut short: decodes with a grey region, no error of the stack's
        image = coco / 'train' / 'train_0001.jpg'
        image.write_bytes(image.read_bytes()[:image.stat().st_size // 2])
    else:
        (coco / 'annotations' / 'instances_train.json').write_text('{"images": [')
    work = tmp_path / 'work'
    result = subprocess.run(
        [sys.executable, 'tools/train.py', str(DETECTOR), '--work-dir', str(work),
         '--cfg-options', *cfg_options(demo_data_cfg(coco))],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=tool_env())
    assert result.returncode != 0
    assert {'image': f"DataError: train_dataloader: image '{coco}/train/train_0001.jpg' (image "
            "id 2 in", 'annotation file': "instances_train.json' is not JSON"}[broken] \
        in result.stderr, result.stderr[-2000:]
    # no log, no checkpoint, and no work dir: tools/train.py made it for its lock, and
    # removes both when it stops having written nothing
    assert not work.exists(), sorted(p.name for p in work.rglob('*'))


def write_as(path, image):
    """Write ``image`` (any channel count) under ``path``'s name, whatever its suffix says:
    readers decode by content."""
    ok, data = cv2.imencode('.png', image)
    assert ok
    path.write_bytes(data.tobytes())


@pytest.mark.parametrize('channels', [1, 4])
def test_one_and_four_channel_images_are_read_as_three(demo, tmp_path, channels):
    coco = Path(shutil.copytree(demo['coco'], tmp_path / 'coco'))
    ade = Path(shutil.copytree(demo['ade'], tmp_path / 'ade'))
    for folder in (coco / 'train', ade / 'images' / 'training'):
        for path in folder.iterdir():
            image = cv2.imread(str(path))
            image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if channels == 1 else \
                cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)
            write_as(path, image)
            assert cv2.imread(str(path), cv2.IMREAD_UNCHANGED).shape[2:] == \
                (() if channels == 1 else (4, ))
    for config, root in ((DETECTOR, coco), (SEGMENTER, ade)):
        cfg = with_root(config, root)
        init_default_scope(cfg.default_scope)
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
        inputs = dataset[0]['inputs']
        assert inputs.shape[0] == 3 and inputs.dtype.is_floating_point is False
        if channels == 1:  # gray: the three channels are equal
            assert np.array_equal(inputs[0].numpy(), inputs[2].numpy())
