"""The demo's semantic set: ADE20K's layout and loader, with its own classes."""
from mmseg.datasets import ADE20KDataset

from mmconvnext.registry import DATASETS


@DATASETS.register_module()
class ShapesSegDataset(ADE20KDataset):
    """ADE20KDataset (``.jpg`` images, ``.png`` label maps, reduce_zero_label) with the demo
    classes (those of tools/data/demo_data.py, which writes the data)."""
    METAINFO = dict(classes=('background', 'circle', 'square', 'triangle'),
                    palette=[[120, 120, 120], [230, 25, 75], [60, 180, 75], [0, 130, 200]])
