"""Write the demo data set (detection, segmentation and classification images).

COCO-format instances and ADE20K-layout semantic maps of the same scenes, and ImageNet-layout
classification images for pretraining the backbone.

    python tools/data/make_demo_data.py [--out data/demo] [--seed 0] [--num-train N] [--num-val N]
"""
import argparse
import inspect

from mmconvnext.testing.demo_data import make_cls_data, make_demo_data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/demo')
    defaults = inspect.signature(make_demo_data).parameters  # one place for the sizes
    parser.add_argument('--seed', type=int, default=defaults['seed'].default)
    parser.add_argument('--num-train', type=int, default=defaults['num_train'].default)
    parser.add_argument('--num-val', type=int, default=defaults['num_val'].default)
    args = parser.parse_args()
    paths = make_demo_data(args.out, args.seed, args.num_train, args.num_val)
    cls = make_cls_data(args.out, args.seed)
    print(f"demo data: COCO layout in {paths['coco']}, ADE20K layout in {paths['ade']}, "
          f'classification (ImageNet layout) in {cls}')


if __name__ == '__main__':
    main()
