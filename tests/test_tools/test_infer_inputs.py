"""tools/infer.py on what a user points it at, with a detector trained for one iteration: a
folder holding more than images, a folder holding none, images larger than --max-size."""
import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from mmconvnext.testing.demo_data import demo_data_cfg, make_demo_data
from tool_runs import ROOT, cfg_options, run_tool, tool_env

pytestmark = pytest.mark.slow

CONFIG = 'configs/demo/mask_rcnn_convnext_atto_shapes.py'


@pytest.fixture(scope='module')
def scene(tmp_path_factory):
    """A checkpoint of one training iteration, and a demo image (BGR)."""
    root = tmp_path_factory.mktemp('infer')
    coco = make_demo_data(str(root / 'demo'), seed=1, num_train=2, num_val=1)['coco']
    work = root / 'work'
    run_tool([sys.executable, 'tools/train.py', CONFIG, '--work-dir', str(work), '--cfg-options',
              *cfg_options(demo_data_cfg(coco)), 'train_dataloader.batch_size=2',
              'train_cfg.max_epochs=1', 'default_hooks.checkpoint.interval=1',
              'val_cfg=None', 'val_dataloader=None', 'val_evaluator=None'])
    return (work / 'last_checkpoint').read_text().strip(), cv2.imread(f'{coco}/val/val_0000.jpg')


def infer(checkpoint, *args):
    return run_tool([sys.executable, 'tools/infer.py', CONFIG, checkpoint, *args])


def refused(*args):
    """The stderr of tools/infer.py run with ``args``, which must fail as argparse fails."""
    result = subprocess.run([sys.executable, 'tools/infer.py', CONFIG, *args], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, env=tool_env())
    assert result.returncode == 2, result.stdout + result.stderr
    return result.stderr


def image(scene, width, height):
    return cv2.resize(scene[1], (width, height), interpolation=cv2.INTER_AREA)


def test_folder_takes_its_image_files_only(scene, tmp_path):
    folder, out = tmp_path / 'photos', tmp_path / 'out'
    (folder / 'sub').mkdir(parents=True)
    (folder / 'd.jpg').mkdir()  # a folder, whatever its name says
    sizes = {'a.png': (160, 120), 'b.JPG': (96, 128), 'c.webp': (64, 64)}  # width, height
    for name, size in sizes.items():
        cv2.imwrite(str(folder / name), image(scene, *size))
    cv2.imwrite(str(folder / 'sub' / 'e.jpg'), image(scene, 64, 64))
    cv2.imwrite(str(folder / '._a.png'), image(scene, 8, 8))  # hidden, as macOS's are
    (folder / '.DS_Store').write_bytes(b'\0\0\0\1Bud1')
    (folder / 'README.txt').write_text('holiday pictures\n')

    log = infer(scene[0], str(folder), '--out-dir', str(out))
    skip_lines = [line for line in log.splitlines() if 'skipped' in line]
    assert skip_lines == [f'{folder}: skipped 5 entries that are not image files: '
                          '.DS_Store, ._a.png, README.txt, d.jpg, sub']
    assert '3 pictures in' in log and 'larger than --max-size' not in log
    assert sorted(p.name for p in (out / 'vis').iterdir()) == sorted(sizes)
    assert sorted(p.name for p in (out / 'preds').iterdir()) == ['a.json', 'b.json', 'c.json']
    for name, (width, height) in sizes.items():  # at the source's size (default --max-size)
        assert cv2.imread(str(out / 'vis' / name)).shape == (height, width, 3)
        prediction = json.loads((out / 'preds' / (name[0] + '.json')).read_text())
        assert {tuple(mask['size']) for mask in prediction['masks']} == {(height, width)}


def test_folder_without_images_is_an_error(scene, tmp_path):
    folder = tmp_path / 'notes'
    (folder / 'sub').mkdir(parents=True)
    (folder / 'README.txt').write_text('no pictures here\n')
    cv2.imwrite(str(folder / 'sub' / 'a.jpg'), image(scene, 64, 64))  # not searched
    error = refused(scene[0], str(folder), '--out-dir', str(tmp_path / 'out'))
    assert f"no image files (.jpg .jpeg .png .bmp .tif .tiff .webp) in folder '{folder}'" in error
    assert not (tmp_path / 'out').exists()


def test_max_size_downscales_larger_images(scene, tmp_path):
    folder, out = tmp_path / 'photos', tmp_path / 'out'
    folder.mkdir()
    sources = {'a.png': image(scene, 300, 200), 'b.png': image(scene, 150, 250),
               'c.png': image(scene, 100, 60)}
    for name, img in sources.items():
        cv2.imwrite(str(folder / name), img)
    # --score-thr 2: nothing drawn, the pictures show the images inferred on
    log = infer(scene[0], str(folder), '--out-dir', str(out), '--max-size', '120',
                '--score-thr', '2')
    assert [line for line in log.splitlines() if 'max-size' in line] == [
        f'{folder}/a.png: 300x200 is larger than --max-size 120: inferring on it at 120x80',
        f'{folder}/b.png: 150x250 is larger than --max-size 120: inferring on it at 72x120']
    for name, (width, height) in {'a.png': (120, 80), 'b.png': (72, 120),
                                  'c.png': (100, 60)}.items():
        expected = cv2.resize(sources[name], (width, height), interpolation=cv2.INTER_AREA)
        assert np.array_equal(cv2.imread(str(out / 'vis' / name)), expected)  # PNG: lossless
        prediction = json.loads((out / 'preds' / name.replace('.png', '.json')).read_text())
        assert len(prediction['scores']) > 0
        assert {tuple(mask['size']) for mask in prediction['masks']} == {(height, width)}
        boxes = np.array(prediction['bboxes'])
        assert boxes.min() >= 0 and (boxes[:, 0::2] <= width).all() and \
            (boxes[:, 1::2] <= height).all()


@pytest.mark.parametrize('value', ['0', 'abc'])
def test_max_size_must_be_a_positive_integer(value, tmp_path):
    error = refused('no_checkpoint.pth', str(tmp_path), '--max-size', value)
    assert f"argument --max-size: must be a positive integer, got '{value}'" in error
