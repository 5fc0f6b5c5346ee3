"""Convert ConvNeXt weights of any known layout to mmconvnext's backbone format.

    python tools/convert_checkpoint.py SRC DST [--arch tiny]

SRC: a path or URL of the paper's classification checkpoints, timm, mmpretrain, Hugging Face
transformers (.bin / .safetensors), or any mmengine / mmdet / mmseg model with our backbone;
for ConvNeXt V2, the official fine-tuned and FCMAE pretrained checkpoints, timm's
convnextv2_*, mmpretrain's ConvNeXt with GRN and transformers' ConvNextV2*.
DST gets {'state_dict': backbone weights, 'meta': {...}}, loadable with
init_cfg=dict(type='Pretrained', checkpoint=DST). Unknown layouts are refused.
"""
import argparse
import sys

from mmengine.runner.checkpoint import save_checkpoint

from mmconvnext.checkpoint import convert, load_any
from mmconvnext.checkpoint.load import summarize
from mmconvnext.compat.atomic_files import ATOMIC_BACKEND


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src')
    parser.add_argument('dst')
    parser.add_argument('--arch', help='check the weights against this arch (tiny, small, ...; '
                        'V2 where the weights have GRN)')
    args = parser.parse_args()
    state_dict, layout, dropped = convert(load_any(args.src))
    if not state_dict:
        sys.exit(f'error: {args.src} ({layout} layout) holds no ConvNeXt backbone weights')
    if args.arch:
        from mmconvnext.checkpoint.load import check_fits
        from mmconvnext.models import ConvNeXt
        v2 = dict(use_grn=True, layer_scale_init_value=0.) \
            if any('.grn.' in k for k in state_dict) else {}
        check_fits(ConvNeXt(args.arch, **v2), state_dict, f'{args.src} ({layout} layout)')
    save_checkpoint(dict(state_dict=state_dict,
                         meta=dict(source=args.src, layout=layout, converter='mmconvnext')),
                    args.dst, backend_args=dict(backend=ATOMIC_BACKEND))  # never half-written
    print(f'{args.src}: {layout} layout\n'
          f'  mapped  {len(state_dict)} tensors ({sum(v.numel() for v in state_dict.values()):,} '
          f'values): {summarize(state_dict)}\n'
          f'  dropped {len(dropped)} keys: {summarize(dropped)}\n'
          f'  wrote   {args.dst}')


if __name__ == '__main__':
    main()
