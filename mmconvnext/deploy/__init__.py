"""ONNX deployment of this repository's detectors (Mask R-CNN, Cascade Mask R-CNN) and
segmenters (UperNet): the exportable test-time modules, the export, and the host code around
the graph that the exporter and tester share (docs/deploy.md). ``import mmconvnext`` does not
load this package; it needs ``onnx`` and ``onnxruntime`` (the ``deploy`` extra).

- :mod:`.export`: config + checkpoint -> ONNX file (:func:`export_onnx`);
- :mod:`.detector`, :mod:`.segmenter`: the traced modules; :mod:`.rois` their NMS and RoIAlign;
- :mod:`.fp16`: fp16 weights with fp32 LayerNorm and GRN statistics;
- :mod:`.host`: pre-processing, padding, mask pasting, sliding windows;
- :mod:`.evaluate`: a config's test set through a graph in onnxruntime.
"""
from .evaluate import OnnxGraph, evaluate
from .export import export_onnx

__all__ = ['OnnxGraph', 'evaluate', 'export_onnx']
