"""``--fp16``: the backbone's weights in fp16 with its LayerNorm and GRN statistics in fp32, so
that inputs whose squares pass fp16's range (65504) leave the outputs finite and close to the
fp32 graph's."""
import numpy as np
import onnx
import torch

from mmconvnext.deploy import OnnxGraph, export_onnx


SCALE = 3000.  # the input, normalised, times this: stem outputs in the hundreds


def value_types(model: onnx.ModelProto) -> dict:
    inferred = onnx.shape_inference.infer_shapes(model)
    values = list(inferred.graph.value_info) + list(inferred.graph.input) + list(
        inferred.graph.initializer)
    types = {v.name: v.type.tensor_type.elem_type for v in values if hasattr(v, 'type')}
    types.update({i.name: i.data_type for i in inferred.graph.initializer})
    return types


def test_fp16_norms_in_fp32_stay_finite(segmenter):
    model, folder = segmenter['model'], segmenter['folder']
    out = str(folder / 'upernet_fp16.onnx')
    export_onnx(segmenter['cfg'], segmenter['checkpoint'], out, fp16=True)
    graph = onnx.load(out)
    halves = [i for i in graph.graph.initializer if i.data_type == onnx.TensorProto.FLOAT16]
    assert sum(np.prod(i.dims) for i in halves) > 3e6  # the backbone's weights (3.4M)
    types = value_types(graph)
    norms = [n for n in graph.graph.node if n.op_type == 'LayerNormalization']
    assert len(norms) == 20  # 12 blocks, 4 downsampling, 4 outputs
    assert all(types[n.input[0]] == onnx.TensorProto.FLOAT for n in norms)
    grn = [n for n in graph.graph.node if n.op_type == 'ReduceL2']
    assert len(grn) == 12 and all(types[n.input[0]] == onnx.TensorProto.FLOAT for n in grn)

    image = torch.randn(1, 3, 128, 128, generator=torch.Generator().manual_seed(0)) * SCALE
    with torch.no_grad():  # the stem's output: its fp16 variance, decomposed, overflows
        stem = model.backbone.downsample_layers[0][0](image).half().permute(0, 2, 3, 1)
        variance = (stem - stem.mean(-1, keepdim=True)).pow(2).mean(-1)
    assert stem.isfinite().all() and not variance.isfinite().all()
    half = OnnxGraph(out)(image.numpy())[0]
    full = OnnxGraph(segmenter['out'])(image.numpy())[0]
    scale = np.abs(full).max()
    assert np.isfinite(half).all() and scale > 1
    assert np.abs(half - full).max() < 0.02 * scale
    assert (half.argmax(1) == full.argmax(1)).mean() > 0.99
