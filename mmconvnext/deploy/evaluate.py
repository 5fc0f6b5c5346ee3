"""A config's test set through an exported graph: the config's test dataloader and evaluator
(CocoMetric, IoUMetric, ...) built by mmengine as tools/test.py builds them, each batch
preprocessed on the host, run by onnxruntime (or any function with the graph's inputs
and outputs), and turned into the DetDataSample / SegDataSample the evaluator reads."""
import json
import time
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import torch


class OnnxGraph:
    """An exported graph in onnxruntime (CPU), with the metadata the exporter wrote."""

    def __init__(self, path: str, threads: Optional[int] = None):
        import onnx
        import onnxruntime as ort
        self.meta = {p.key: json.loads(p.value) for p in onnx.load(path, load_external_data=False)
                     .metadata_props}
        if 'kind' not in self.meta:
            raise ValueError(f'{path} was not written by tools/deploy/export_onnx.py: it has no '
                             "'kind' in its metadata")
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])
        self.inputs = [i.name for i in self.session.get_inputs()]

    def __call__(self, *arrays) -> Sequence[np.ndarray]:
        feeds = {name: np.asarray(a) for name, a in zip(self.inputs, arrays)}
        return self.session.run(None, feeds)


def predict(run: Callable, meta: Dict, preprocessor, data: dict) -> List:
    """One test batch -> its data samples with the predictions of ``run``: a detector's
    images one at a time, each padded to the batch's size as ``tools/test.py`` pads it."""
    from . import host
    if meta['kind'] == 'detector':
        return [host.detector_sample(run(image.numpy(), img_shape.numpy()), sample,
                                     meta['mask_thr_binary'])
                for image, img_shape, sample in host.detector_inputs(preprocessor, data)]
    image, sample = host.segmenter_inputs(preprocessor, data)
    logits = host.segmenter_logits(lambda w: run(w.numpy())[0], image, meta['shape'],
                                   meta['test_cfg'])
    return [host.segmenter_sample(logits, sample, meta['align_corners'])]


def build_test_parts(cfg, kind: str):
    """The config's test dataloader (a segmenter's: one image a batch), evaluator (with the
    dataset's meta) and data preprocessor, built by mmengine under the config's default
    scope."""
    from mmengine.evaluator import Evaluator
    from mmengine.registry import MODELS, init_default_scope
    from mmengine.runner import Runner
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    loader_cfg = cfg.test_dataloader.copy()
    if kind == 'segmenter':
        loader_cfg.batch_size = 1  # the host slides the window over one image at a time
    loader = Runner.build_dataloader(loader_cfg)
    evaluator = cfg.test_evaluator
    evaluator = Evaluator(evaluator if isinstance(evaluator, (list, tuple)) else [evaluator])
    evaluator.dataset_meta = loader.dataset.metainfo
    preprocessor = MODELS.build(cfg.model.data_preprocessor)
    return loader, evaluator, preprocessor


def evaluate(cfg, run: Callable, meta: Dict, log: Callable = print) -> Dict[str, float]:
    """Metrics of ``run`` (the graph, or a stand-in with its inputs and outputs) on the test
    set of ``cfg``; logs progress, the seconds per image of ``run`` and host code, and the
    metrics as ``key: value`` lines, as the Runner's test loop prints them."""
    loader, evaluator, preprocessor = build_test_parts(cfg, meta['kind'])
    seconds, done, count = 0.0, 0, len(loader.dataset)
    for i, data in enumerate(loader):
        start = time.perf_counter()
        with torch.no_grad():
            samples = predict(run, meta, preprocessor, data)
        seconds += time.perf_counter() - start
        done += len(samples)
        evaluator.process(data_samples=samples, data_batch=data)
        if (i + 1) % 50 == 0 or i + 1 == len(loader):
            log(f'[{done}/{count}] {seconds / done:.3f} s per image (graph and host code)')
    metrics = evaluator.evaluate(count)
    log('  '.join(f'{k}: {float(v):.4f}' if isinstance(v, (float, np.floating)) else f'{k}: {v}'
                  for k, v in metrics.items()))
    return metrics
