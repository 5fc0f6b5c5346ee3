"""mmdet's DetInferencer or mmseg's MMSegInferencer for one of our configs."""
from typing import Optional

from mmengine.config import Config

from mmconvnext.compat.safe_loading import use_safe_checkpoint_loading


def build_inferencer(config: str, checkpoint: str, device: Optional[str] = None):
    """The stack's inferencer for ``config`` (its default_scope picks mmdet or mmseg), with
    the weights of ``checkpoint`` (no pretrained backbone is fetched). Call it on image
    paths or arrays; see DetInferencer / MMSegInferencer."""
    use_safe_checkpoint_loading()  # the trained checkpoint: a Runner checkpoint
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None
    if cfg.default_scope == 'mmdet':
        from mmdet.apis import DetInferencer
        return DetInferencer(model=cfg, weights=checkpoint, device=device, show_progress=False)
    if cfg.default_scope == 'mmseg':
        from mmseg.apis import MMSegInferencer
        return MMSegInferencer(model=cfg, weights=checkpoint, device=device)
    raise ValueError(f'{config}: default_scope must be mmdet or mmseg, got '
                     f'{cfg.default_scope!r}')
