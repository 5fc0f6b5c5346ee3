"""The V2 demo segmenter and its fp32 graph, exported once for the tests that use them."""
import pytest

from mmconvnext.deploy import export_onnx

from deploy_models import SEG_V2, build_predicting, config, save


@pytest.fixture(scope='package')
def segmenter(tmp_path_factory):
    """The V2 demo segmenter, its checkpoint and its fp32 graph."""
    folder = tmp_path_factory.mktemp('upernet')
    cfg = config(SEG_V2)
    model = build_predicting(cfg)
    checkpoint = save(model, folder / 'model.pth')
    out = str(folder / 'upernet.onnx')
    meta = export_onnx(cfg, checkpoint, out)
    return dict(cfg=cfg, model=model, checkpoint=checkpoint, out=out, meta=meta, folder=folder)
