"""Count the parameters and FLOPs of a detection or segmentation config as the paper did.

FLOPs are multiply-adds of conv / linear / norm modules (see mmconvnext.analysis.complexity).

    python tools/analysis/get_flops.py CONFIG [--shape H W]
"""
import argparse

from mmconvnext.analysis import config_complexity
from mmconvnext.compat.stack_notices import quiet_stack_warnings


def main():
    quiet_stack_warnings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='input size (default: 800 1280 for detection, 512 2048 or '
                        '640 2560 for segmentation)')
    args = parser.parse_args()
    result = config_complexity(args.config, args.shape)
    h, w = result['shape']
    print(f"{args.config}\n  input   3x{h}x{w}\n  params  {result['params'] / 1e6:.2f} M\n"
          f"  FLOPs   {result['flops'] / 1e9:.1f} G (1 multiply-add = 1 FLOP)")


if __name__ == '__main__':
    main()
