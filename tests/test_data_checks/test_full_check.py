"""``check_data(level='full')`` opens the data: a broken image, annotation or segmentation map
on disk is a DataError naming the file and the value before a run starts; what mmdet drops
when training is one warning line; 'paths' and 'off' skip the reading."""
import copy
import functools
import json
import logging
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.logging import MMLogger

import mmconvnext  # noqa: F401
from mmconvnext.data_checks import DataError, check_data, check_dataset, check_contents
from mmconvnext.testing.demo_data import demo_data_cfg, make_cls_data
from tool_runs import ROOT, tool_env

DETECTOR = ROOT / 'configs/demo/mask_rcnn_convnext_t_shapes.py'
SEGMENTER = ROOT / 'configs/demo/upernet_convnext_t_shapes.py'
BOTH = ('train_dataloader', 'val_dataloader')


@pytest.fixture
def warnings_logged():
    """The warning lines mmengine's current logger prints during the test."""
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


@functools.lru_cache(maxsize=None)
def parsed(path):
    return Config.fromfile(path)


def config(path, root, **options):
    """The config at ``path`` (parsed once) reading the data set at ``root``."""
    cfg = copy.deepcopy(parsed(path))
    cfg.merge_from_dict(dict(demo_data_cfg(root), **options))
    return cfg


def error_of(cfg, loaders=('train_dataloader', )):
    with pytest.raises(DataError) as err:
        check_data(cfg, loaders, level='full')
    return str(err.value)


def edit_json(coco, split, edit):
    """Apply ``edit`` to the parsed ``instances_{split}.json``; return the file."""
    path = coco / 'annotations' / f'instances_{split}.json'
    content = json.loads(path.read_text())
    edit(content)
    path.write_text(json.dumps(content))
    return path


def truncate(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])


def test_clean_demo_sets_pass(demo, warnings_logged):
    check_data(config(DETECTOR, demo['coco']), BOTH, level='full')
    check_data(config(SEGMENTER, demo['ade']), BOTH, level='full')
    assert not warnings_logged


def test_unknown_level_is_a_value_error(demo):
    with pytest.raises(ValueError, match="level must be one of .*'full'.*got 'fast'"):
        check_data(config(DETECTOR, demo['coco']), level='fast')


def test_paths_and_off_do_not_read_the_data(coco, tmp_path):
    truncate(coco / 'train' / 'train_0000.jpg')
    check_data(config(DETECTOR, coco), level='paths')
    assert 'is truncated' in error_of(config(DETECTOR, coco))
    check_data(config(DETECTOR, tmp_path / 'nowhere'), level='off')
    with pytest.raises(DataError, match='does not exist'):
        check_data(config(DETECTOR, tmp_path / 'nowhere'), level='paths')


def test_truncated_jpeg(coco):
    image = coco / 'train' / 'train_0001.jpg'
    truncate(image)
    assert cv2.imread(str(image)) is not None  # OpenCV decodes it, grey where data is missing
    message = error_of(config(DETECTOR, coco))
    assert message.startswith(f"train_dataloader: image '{image}' (image id 2 in "
                              f"'{coco}/annotations/instances_train.json') is truncated: ")
    assert 'has no end marker (FFD9)' in message and 'image file is truncated' in message


def test_missing_and_undecodable_images_are_all_counted(coco):
    (coco / 'train' / 'train_0000.jpg').unlink()
    (coco / 'train' / 'train_0001.jpg').write_text('<html>404</html>')
    message = error_of(config(DETECTOR, coco))
    assert f"image '{coco}/train/train_0000.jpg' (image id 1 in " in message
    assert message.endswith(
        f"does not exist (1 more fault in this set, e.g. image '{coco}/train/train_0001.jpg' "
        f"(image id 2 in '{coco}/annotations/instances_train.json') cannot be decoded as an "
        "image (16 bytes, starting b'<html>40'))")


def test_one_pixel_image(coco):
    cv2.imwrite(str(coco / 'train' / 'train_0000.jpg'), np.zeros((1, 1, 3), np.uint8))
    assert error_of(config(DETECTOR, coco)).endswith(
        "train_0000.jpg' (image id 1 in "
        f"'{coco}/annotations/instances_train.json') is 1x1 px (width x height): images under "
        '8 px a side are refused')


def test_image_size_other_than_the_annotation_file_gives(coco):
    image = coco / 'val' / 'val_0000.jpg'
    cv2.imwrite(str(image), cv2.resize(cv2.imread(str(image)), (100, 80)))
    assert error_of(config(DETECTOR, coco), ('val_dataloader', )) == (
        f"val_dataloader: image '{image}' (image id 1 in "
        f"'{coco}/annotations/instances_val.json') is 100x80 px (width x height) but the "
        'annotation file gives width=298, height=245')


def break_annotation(coco, split, fault):
    """Give the first annotation of ``split`` one fault; return the annotation file."""
    def edit(content):
        ann = content['annotations'][0]
        if fault == 'empty box':
            ann['bbox'][2] = 0
        elif fault == 'two-point polygon':
            ann['segmentation'] = [[10, 10, 50, 50]]
        elif fault == 'unknown category':
            ann['category_id'] = 9
        elif fault == 'box outside':
            ann['bbox'][:2] = [5000, 10]
    return edit_json(coco, split, edit)


VAL_ERRORS = {
    'empty box': 'bbox [159.0, 61.0, 0, 66.0] has width 0 and height 66.0',
    'two-point polygon': 'polygon 0 has 4 numbers [10, 10, 50, 50]: a polygon needs x, y '
                         'pairs of at least 3 points (6 numbers)',
    'unknown category': "category_id 9 is not one of the file's categories [1, 2, 3]",
    'box outside': 'bbox [5000, 10, 67.0, 66.0] lies outside the 298x245 image',
}


@pytest.mark.parametrize('fault', VAL_ERRORS)
def test_annotation_faults_are_errors_in_a_validation_set(coco, fault):
    ann_file = break_annotation(coco, 'val', fault)
    assert error_of(config(DETECTOR, coco), ('val_dataloader', )) == (
        f"val_dataloader: annotation file '{ann_file}': annotation id 1 (image id 1, "
        f"'val_0000.jpg'): {VAL_ERRORS[fault]}; mmdet drops it when training, but pycocotools "
        'evaluates the file as it is')


def test_annotation_faults_in_training_are_one_warning(coco, warnings_logged):
    def edit(content):
        anns = content['annotations']
        anns[0]['bbox'][2] = 0
        anns[1]['bbox'][3] = -4
        anns[2]['category_id'] = 9
        anns[3]['segmentation'] = [[10, 10, 50, 50]]
    ann_file = edit_json(coco, 'train', edit)
    check_data(config(DETECTOR, coco), level='full')
    assert [r.getMessage() for r in warnings_logged] == [
        f"train_dataloader: annotation file '{ann_file}': mmdet drops 4 annotations when "
        'training: boxes of zero or negative width or height: 2 (e.g. annotation id 1 (image '
        "id 1, 'train_0000.jpg'): bbox [57.0, 185.0, 0, 67.0] has width 0 and height 67.0); "
        "annotations of a category the file does not list: 1 (e.g. annotation id 3 (image id "
        "1, 'train_0000.jpg'): category_id 9 is not one of the file's categories [1, 2, 3]); "
        "polygons of under 3 points: 1 (e.g. annotation id 4 (image id 1, 'train_0000.jpg'): "
        'polygon 0 has 4 numbers [10, 10, 50, 50]: a polygon needs x, y pairs of at least 3 '
        'points (6 numbers))']


def test_box_mostly_outside_the_image_is_an_error_in_training_too(coco):
    ann_file = edit_json(coco, 'train', lambda c: c['annotations'][0]['bbox'].__setitem__(
        0, 200))  # 57..124 -> 200..267 of a 226 px wide image
    assert error_of(config(DETECTOR, coco)) == (
        f"train_dataloader: annotation file '{ann_file}': annotation id 1 (image id 1, "
        "'train_0000.jpg'): bbox [200, 185.0, 67.0, 67.0] lies more than half outside the "
        '226x290 image')


def test_validation_set_without_annotations(coco):
    ann_file = edit_json(coco, 'val', lambda c: c.__setitem__('annotations', []))
    assert error_of(config(DETECTOR, coco), ('val_dataloader', )) == (
        f"val_dataloader: annotation file '{ann_file}' lists no annotations: every metric "
        'would score -1')
    # a test set formatted for a submission (COCO test-dev) needs none
    check_data(config(DETECTOR, coco, **{'test_evaluator.format_only': True,
                                         'test_evaluator.outfile_prefix': 'x'}),
               ('test_dataloader', ), level='full')


def write_map(path, seg):
    assert cv2.imwrite(str(path), seg)


def test_seg_map_value_outside_the_classes(ade):
    seg_map = ade / 'annotations' / 'training' / 'train_0001.png'
    seg = cv2.imread(str(seg_map), cv2.IMREAD_UNCHANGED)
    seg[:3, :4] = 7
    write_map(seg_map, seg)
    assert error_of(config(SEGMENTER, ade)) == (
        f"train_dataloader: seg map '{seg_map}' (of image "
        f"'{ade}/images/training/train_0001.jpg') holds the value 7 at 12 pixels, which is no "
        'class: the values allowed are 0-4, 255 (4 classes, reduce_zero_label=True, 255 = '
        'ignore)')


def test_seg_map_of_another_size_or_missing(ade):
    seg_map = ade / 'annotations' / 'validation' / 'val_0000.png'
    seg = cv2.imread(str(seg_map), cv2.IMREAD_UNCHANGED)
    write_map(seg_map, seg[:-1])
    h, w = seg.shape
    assert error_of(config(SEGMENTER, ade), ('val_dataloader', )).endswith(
        f'is {w}x{h - 1} px (width x height), its image {w}x{h}')
    seg_map.unlink()
    assert error_of(config(SEGMENTER, ade), ('val_dataloader', )) == (
        f"val_dataloader: seg map '{seg_map}' (of image "
        f"'{ade}/images/validation/val_0000.jpg') does not exist")


def test_seg_validation_set_labelling_nothing(ade):
    seg_map = ade / 'annotations' / 'validation' / 'val_0000.png'
    seg = cv2.imread(str(seg_map), cv2.IMREAD_UNCHANGED)
    write_map(seg_map, np.zeros_like(seg))  # all 0: ignored with reduce_zero_label
    assert error_of(config(SEGMENTER, ade), ('val_dataloader', )) == (
        'val_dataloader: no seg map of the 1 images labels a pixel with a class (4 classes): '
        'mIoU would be nan')


def test_truncated_image_of_an_image_folder(tmp_path):
    cls = make_cls_data(str(tmp_path), num_train=4, num_val=4, size=32)
    dataset = dict(type='CustomDataset', data_root=cls, data_prefix='train')
    check_contents(dataset, 'train_dataloader', training=True)
    image = sorted(Path(cls, 'train').rglob('*.jpg'))[0]
    truncate(image, 0.6)
    check_dataset(dataset, 'train_dataloader')  # the paths are fine
    with pytest.raises(DataError, match=f"^train_dataloader: image '{image}' is truncated"):
        check_contents(dataset, 'train_dataloader', training=True)



@pytest.mark.slow
def test_benchmark_prints_its_table(tmp_path):
    result = subprocess.run(
        [sys.executable, 'tools/analysis/bench_data_checks.py', '--images', '4', '--repeat', '1',
         '--layouts', 'coco', '--workers', '1', '2', '--root', str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=tool_env())
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line.split(' | ')[1:4] for line in result.stdout.splitlines()
            if line.startswith('| coco |')]
    assert rows == [['paths', 'threads', '1'], ['full', 'threads', '1'],
                    ['full', 'threads', '2']], result.stdout
    assert 'COCO train2017, 118287 images: ' in result.stdout
