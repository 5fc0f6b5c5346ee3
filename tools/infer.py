"""Predict on images with a trained detector or segmenter and draw the results.

    python tools/infer.py CONFIG CHECKPOINT IMAGE [IMAGE ...] [--out-dir outputs/infer]

IMAGE may be files or folders. Uses mmdet's DetInferencer or mmseg's MMSegInferencer (the
config's default_scope decides); pictures go to OUT_DIR/vis, predictions to OUT_DIR/preds
(mmdet) or OUT_DIR/pred (mmseg).
"""
import argparse
import os
import os.path as osp

from mmengine.logging import MMLogger

import mmconvnext  # noqa: F401  (registries)
from mmconvnext.apis import build_inferencer
from mmconvnext.compat.stack_notices import (quiet_function_registry_notice,
                                             quiet_stack_warnings)


def main():
    quiet_stack_warnings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('images', nargs='+', help='image files or folders')
    parser.add_argument('--out-dir', default='outputs/infer')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='detection: draw boxes scoring at least this')
    parser.add_argument('--device', default=None, help='cpu, cuda, ... (default: best there)')
    args = parser.parse_args()
    missing = [p for p in args.images if not osp.exists(p)]
    if missing:
        parser.error(f'no such image or folder: {missing}')
    quiet_function_registry_notice(MMLogger.get_current_instance())  # the inferencer logs there
    inferencer = build_inferencer(args.config, args.checkpoint, args.device)
    # DetInferencer writes predictions only when asked; MMSegInferencer always does
    kwargs = dict(pred_score_thr=args.score_thr, no_save_pred=False) \
        if inferencer.scope == 'mmdet' else {}
    images = [osp.join(p, f) for p in args.images if osp.isdir(p)
              for f in sorted(os.listdir(p))] + [p for p in args.images if not osp.isdir(p)]
    inferencer(images, out_dir=args.out_dir, **kwargs)
    print(f'{len(images)} pictures in {osp.abspath(osp.join(args.out_dir, "vis"))}')


if __name__ == '__main__':
    main()
