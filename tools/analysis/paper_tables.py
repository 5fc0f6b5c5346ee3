"""Print the paper's Tables 3 and 4 with our parameter and FLOP counts beside theirs.

For every config: parameters and FLOPs, ours and the paper's, and the difference in %. Exits 1
if any row is more than --tolerance % off. The paper's numbers are read from each config
folder's metafile.yml (ConvNeXt V2's: the V2 paper's Tables 6 and 7); where the paper gives no
number (the V2 paper's COCO parameter counts), '-'.

    python tools/analysis/paper_tables.py [--json rows.json] [--only PATTERN]
"""
import argparse
import json
import os.path as osp
import sys
import time

import yaml

from mmconvnext.analysis import config_complexity
from mmconvnext.compat.stack_notices import quiet_stack_warnings

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TABLES = (  # title, config folders, the metrics shown
    ('Table 3 (V2: Table 6), COCO (FLOPs at 1280x800)', ('mask_rcnn', 'cascade_mask_rcnn'),
     ('box AP', 'mask AP')),
    ('Table 4 (V2: Table 7), ADE20K (FLOPs at 2048x512 / 2560x640)', ('upernet', ),
     ('mIoU', 'mIoU(ms+flip)', 'mIoU(ms)')),
)


def paper_numbers(folder: str) -> dict:
    """config path -> dict(params (M), flops (G), metrics {name: value}) of the models listed in
    ``configs/<folder>/metafile.yml``."""
    with open(osp.join(ROOT, 'configs', folder, 'metafile.yml')) as f:
        models = yaml.safe_load(f)['Models']
    return {m['Config']: dict(params=m['Metadata'].get('Parameters (M)'),
                              flops=m['Metadata'].get('FLOPs (G)'),
                              metrics={k: v for r in m.get('Results', [])
                                       for k, v in r['Metrics'].items()})
            for m in models}


def rows(folders, metrics, only):
    for folder in folders:
        for config, paper in paper_numbers(folder).items():
            if only and only not in config:
                continue
            ours = config_complexity(osp.join(ROOT, config))
            yield dict(config=config, params=ours['params'], flops=ours['flops'],
                       paper_params=paper['params'] and int(paper['params'] * 1e6),
                       paper_flops=paper['flops'] and int(paper['flops'] * 1e9),
                       paper_accuracy=[paper['metrics'].get(m) for m in metrics])


def _diff(ours, paper):
    """ours against the paper's number in %, or None where the paper gives none."""
    return None if paper is None else 100 * (ours / paper - 1)


def _num(value, unit, width):
    return f'{"-":>{width}}' if value is None else f'{value / unit:>{width}.0f}'


def _pct(diff):
    return f'{"-":>8}' if diff is None else f'{diff:>+7.2f}%'


def main():
    quiet_stack_warnings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--json', help='also write the rows to this file')
    parser.add_argument('--only', help='only configs whose path contains this')
    parser.add_argument('--tolerance', type=float, default=1.0, help='in %% (default 1)')
    args = parser.parse_args()
    start, all_rows, failed = time.time(), [], 0
    for title, folders, metrics in TABLES:
        print(f'\n{title}\n{"config":<56}{"params ours/paper":>22}{"diff":>8}'
              f'{"GFLOPs ours/paper":>22}{"diff":>8}  paper {" / ".join(metrics)}')
        for row in rows(folders, metrics, args.only):
            dp, df = (_diff(row[k], row[f'paper_{k}']) for k in ('params', 'flops'))
            bad = any(d is not None and abs(d) > args.tolerance for d in (dp, df))
            failed += bad
            accuracy = '/'.join('-' if a is None else f'{a}' for a in row['paper_accuracy'])
            print(f"{row['config']:<56}{row['params'] / 1e6:>13.1f}M /{_num(row['paper_params'], 1e6, 4)}M"
                  f"{_pct(dp)}{row['flops'] / 1e9:>13.1f}G /{_num(row['paper_flops'], 1e9, 5)}G"
                  f"{_pct(df)}  {accuracy}{'  <-- off' if bad else ''}")
            all_rows.append({k: v for k, v in row.items() if k != 'paper_accuracy'})
    print(f'\n{len(all_rows)} configs in {time.time() - start:.1f} s; '
          f'{failed} more than {args.tolerance}% off the paper')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(all_rows, f, indent=1)
    sys.exit(1 if failed or not all_rows else 0)


if __name__ == '__main__':
    main()
