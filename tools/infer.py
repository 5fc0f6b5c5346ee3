"""Predict on images with a trained detector or segmenter and draw the results.

    python tools/infer.py CONFIG CHECKPOINT IMAGE [IMAGE ...] [--out-dir outputs/infer]
                          [--max-size 4096]

IMAGE may be files or folders. Uses mmdet's DetInferencer or mmseg's MMSegInferencer (the
config's default_scope decides); pictures go to OUT_DIR/vis, predictions to OUT_DIR/preds
(mmdet) or OUT_DIR/pred (mmseg).
"""
import argparse
import os
import os.path as osp
import tempfile

import cv2
import mmcv
from mmengine.logging import MMLogger

import mmconvnext  # noqa: F401  (registries)
from mmconvnext.apis import build_inferencer
from mmconvnext.compat.stack_notices import (quiet_function_registry_notice,
                                             quiet_stack_warnings)
from mmconvnext.data_checks import IMAGE_SUFFIXES

SHOW_SKIPPED = 5  # names listed in a folder's "skipped" line


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise argparse.ArgumentTypeError(f'must be a positive integer, got {value!r}')
    return number


def folder_images(folder: str):
    """The image files directly in ``folder``, by extension, sorted; one line names the rest:
    hidden files (macOS's ``._x.jpg`` are no images), other files and subfolders."""
    images, skipped = [], []
    for name in sorted(os.listdir(folder)):
        path = osp.join(folder, name)
        if (not name.startswith('.') and name.lower().endswith(IMAGE_SUFFIXES)
                and osp.isfile(path)):
            images.append(path)
        else:
            skipped.append(name)
    if skipped:
        more = f' and {len(skipped) - SHOW_SKIPPED} more' if len(skipped) > SHOW_SKIPPED else ''
        print(f'{folder}: skipped {len(skipped)} entries that are not image files: '
              f'{", ".join(skipped[:SHOW_SKIPPED])}{more}')
    return images


def downscaled(path: str, max_size: int, tmp_dir: str) -> str:
    """``path``, or where its longest side exceeds ``max_size``, a copy downscaled to it in
    ``tmp_dir`` under the same file name (replacing the previous copy), so that outputs keep
    the source's name; PNG whatever the name says (the stack decodes by content): lossless.
    A file, not an array: given arrays, the inferencers draw them as RGB though the model
    reads them as BGR, number their outputs, and mmdet's fails to save their predictions."""
    img = mmcv.imread(path)  # as the pipeline's LoadImageFromFile reads it: 3-channel BGR
    if img is None or max(img.shape[:2]) <= max_size:
        return path
    h, w = img.shape[:2]
    scale = max_size / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    print(f'{path}: {w}x{h} is larger than --max-size {max_size}: inferring on it at '
          f'{size[0]}x{size[1]}')
    copy = osp.join(tmp_dir, osp.basename(path))
    cv2.imencode('.png', cv2.resize(img, size, interpolation=cv2.INTER_AREA))[1].tofile(copy)
    return copy


def main():
    quiet_stack_warnings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument(
        'images', nargs='+',
        help='image files or folders; of a folder, the image files directly in it, in sorted '
        f'order ({" ".join(IMAGE_SUFFIXES)}, any case): hidden and other files are skipped, '
        'and subfolders are not searched')
    parser.add_argument('--out-dir', default='outputs/infer')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='detection: draw boxes scoring at least this')
    parser.add_argument(
        '--max-size', type=positive_int, default=4096, metavar='N',
        help='downscale images whose longest side exceeds N pixels to N (keeping the aspect '
        'ratio) before inference; their pictures and predictions are then in the downscaled '
        "image's coordinates. Bounds memory: masks and maps are made at the image's size "
        '(an 8000x8000 image takes over 8 GB). The default, %(default)s, is well above the '
        "scales this project's configs test at (COCO 1333x800, ADE20K 2048x512 and "
        "2560x640), so the model's input barely changes")
    parser.add_argument('--device', default=None, help='cpu, cuda, ... (default: best there)')
    args = parser.parse_args()
    missing = [p for p in args.images if not osp.exists(p)]
    if missing:
        parser.error(f'no such image or folder: {missing}')
    images = []
    for path in args.images:
        found = folder_images(path) if osp.isdir(path) else [path]
        if not found:
            parser.error(f'no image files ({" ".join(IMAGE_SUFFIXES)}) in folder {path!r}')
        images += found
    quiet_function_registry_notice(MMLogger.get_current_instance())  # the inferencer logs there
    inferencer = build_inferencer(args.config, args.checkpoint, args.device)
    # DetInferencer writes predictions only when asked; MMSegInferencer always does
    kwargs = dict(pred_score_thr=args.score_thr, no_save_pred=False) \
        if inferencer.scope == 'mmdet' else {}
    # one image per call: one downscaled copy on disk at a time, one image's results in memory
    # (MMSegInferencer holds a whole call's); a progress bar per image would be noise
    inferencer.show_progress = False
    with tempfile.TemporaryDirectory() as tmp_dir:
        for path in images:
            inferencer([downscaled(path, args.max_size, tmp_dir)], out_dir=args.out_dir,
                       **kwargs)
    print(f'{len(images)} pictures in {osp.abspath(osp.join(args.out_dir, "vis"))}')


if __name__ == '__main__':
    main()
