"""ONNX export of the demo models (ConvNeXt-atto; V1 and V2 blocks) against PyTorch: each
graph, run in onnxruntime, predicts what the mmdet / mmseg model itself predicts for the same
input, detection by detection (boxes, scores, labels, pasted masks) and pixel by pixel."""
import copy

import numpy as np
import onnx
import pytest
import torch
from mmdet.structures import DetDataSample

from mmconvnext.deploy import OnnxGraph, export_onnx
from mmconvnext.deploy.evaluate import build_test_parts, predict
from mmconvnext.deploy.export import graph_ops
from mmconvnext.deploy.host import detector_sample
from mmconvnext.testing.demo_data import demo_data_cfg, make_demo_data

from deploy_models import DET_V1, build_predicting, cascade_atto_v2, config, save


def match(ours, theirs, box_tol=1e-2, score_tol=1e-4):
    """Index in ``ours`` of each of ``theirs``' detections: same label, score within
    ``score_tol``, the nearest box; asserts each box is within ``box_tol`` pixels. (Near-equal
    scores may come out of NMS in either order, so detections are matched, not zipped.)"""
    index = []
    for box, score, label in zip(theirs.bboxes, theirs.scores, theirs.labels):
        candidates = torch.nonzero((ours.labels == label)
                                   & ((ours.scores - score).abs() < score_tol)).squeeze(1)
        assert len(candidates), f'no detection of label {label} with score {score:.5f}'
        error = (ours.bboxes[candidates] - box).abs().amax(1)
        assert error.min() < box_tol, f'box {box.tolist()} off by {error.min():.4f} px'
        index.append(int(candidates[error.argmin()]))
    assert len(set(index)) == len(index)
    return index


def same_detections(ours, theirs):
    """``ours`` (graph and host code) has ``theirs`` (mmdet's) detections and masks."""
    assert len(ours) == len(theirs) > 10  # the test is void without detections
    index = match(ours, theirs)
    agree = (ours.masks[index] == theirs.masks).float().mean().item()
    assert agree > 0.999, agree
    assert theirs.masks.any(dim=(1, 2)).float().mean() > 0.25  # masks that are not empty


def detector_agrees(model, graph, shape, seed):
    """One random image (an h x w part of an input of ``shape``, the rest padding) through
    the graph and host code and through ``model.predict``; returns the number of detections."""
    gen = torch.Generator().manual_seed(seed)
    h, w = shape[0] - 24, shape[1] - 8
    image = torch.zeros(1, 3, *shape)
    image[..., :h, :w] = torch.randn(1, 3, h, w, generator=gen)

    def sample():
        return DetDataSample(metainfo=dict(
            img_shape=(h, w), ori_shape=(h, w), scale_factor=(1., 1.),
            batch_input_shape=tuple(shape), pad_shape=tuple(shape)))
    with torch.no_grad():
        theirs = model.predict(image, [sample()], rescale=True)[0].pred_instances
    outputs = graph(image.numpy(), np.array([h, w], np.int64))
    ours = detector_sample(outputs, sample(), graph.meta['mask_thr_binary']).pred_instances
    same_detections(ours, theirs)
    return len(theirs)


@pytest.mark.parametrize('which', ['mask_rcnn_v1', 'cascade_v2'])
def test_detector_matches_pytorch(which, tmp_path):
    """Mask R-CNN with V1 blocks at 128x160, whose first stage (32x40 = 1280 pixels) the fused
    CPU MLP would serve in PyTorch inference: the graph must hold the plain path, in ONNX's own
    ops; Cascade Mask R-CNN with V2 (GRN) blocks. Two images each."""
    cfg = config(DET_V1) if which == 'mask_rcnn_v1' else config(cascade_atto_v2())
    shape = (128, 160) if which == 'mask_rcnn_v1' else (128, 128)
    model = build_predicting(cfg)
    out = str(tmp_path / f'{which}.onnx')
    export_onnx(cfg, save(model, tmp_path / 'model.pth'), out, shape)
    ops = graph_ops(out)
    assert {'LayerNormalization', 'NonMaxSuppression', 'RoiAlign'} <= ops
    assert not any('::' in op for op in ops), ops
    roi_align = [n for n in onnx.load(out).graph.node if n.op_type == 'RoiAlign']
    assert all(onnx.helper.get_attribute_value(a) == b'half_pixel'
               for n in roi_align for a in n.attribute
               if a.name == 'coordinate_transformation_mode')
    assert onnx.load(out).opset_import[0].version >= 17
    graph = OnnxGraph(out)
    # traced at ``shape``; H and W are dynamic
    other = (96, 224) if which == 'mask_rcnn_v1' else (160, 96)
    counts = [detector_agrees(model, graph, size, seed)
              for size, seed in ((shape, 0), (shape, 1), (other, 2))]
    assert min(counts) > 10


def test_detector_batches_as_test_step(tmp_path):
    """test_onnx's path on a config's test batch of two demo images of different sizes: each
    image padded to the batch's size, as ``tools/test.py`` pads it, gives the detections of
    the model's own test step."""
    data = make_demo_data(str(tmp_path / 'demo'), seed=1, num_train=1, num_val=2)
    cfg = config(DET_V1)
    coco = data['coco']
    cfg.merge_from_dict(demo_data_cfg(coco, f'{coco}/annotations/instances_val.json'))
    cfg.test_dataloader.batch_size = 2
    model = build_predicting(cfg)
    out = str(tmp_path / 'det.onnx')
    meta = export_onnx(cfg, save(model, tmp_path / 'model.pth'), out)
    graph = OnnxGraph(out)
    loader, _, preprocessor = build_test_parts(cfg, 'detector')
    batch = next(iter(loader))
    sizes = {s.img_shape for s in batch['data_samples']}
    assert len(batch['inputs']) == 2 and len(sizes) == 2, sizes
    with torch.no_grad():
        theirs = model.test_step(copy.deepcopy(batch))
        ours = predict(graph, meta, preprocessor, batch)
    for a, b in zip(ours, theirs):
        assert a.img_path == b.img_path
        same_detections(a.pred_instances, b.pred_instances)


def test_segmenter_matches_pytorch(segmenter):
    """UperNet with V2 blocks: an image wider than the graph's 128x128 window gets mmseg's
    slide_inference logits from the graph on the host's windows."""
    model, out, meta = segmenter['model'], segmenter['out'], segmenter['meta']
    assert meta['shape'] == [128, 128] and meta['test_cfg']['mode'] == 'slide'
    assert 'LayerNormalization' in graph_ops(out)
    graph = OnnxGraph(out)
    image = torch.randn(1, 3, 128, 200, generator=torch.Generator().manual_seed(0))
    from mmconvnext.deploy.host import segmenter_logits
    ours = segmenter_logits(lambda w: graph(w.numpy())[0], image, meta['shape'],
                            meta['test_cfg'])
    with torch.no_grad():
        theirs = model.slide_inference(image, [dict(img_shape=(128, 200))])
    scale = theirs.abs().max().item()
    assert scale > 1 and (ours - theirs).abs().max().item() < 1e-4 * scale
    classes = theirs.argmax(1)
    assert len(classes.unique()) > 1  # the classifier distinguishes pixels
    assert (ours.argmax(1) == classes).float().mean() > 0.999
