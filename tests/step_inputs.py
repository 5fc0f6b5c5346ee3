"""What the one-step training tests of whole detectors and segmenters feed them: an mmseg batch
of random images and label maps, and a detector config that samples fewer RoIs."""
import torch
from mmengine.structures import PixelData


def seg_batch(num_classes, shape=(128, 128), batch=2):
    """An mmseg data batch of random images and label maps."""
    from mmseg.structures import SegDataSample
    gen = torch.Generator().manual_seed(0)
    inputs, samples = [], []
    for _ in range(batch):
        inputs.append(torch.randint(0, 255, (3, *shape), generator=gen, dtype=torch.uint8))
        sample = SegDataSample(metainfo=dict(img_shape=shape, ori_shape=shape, pad_shape=shape))
        sample.gt_sem_seg = PixelData(
            data=torch.randint(0, num_classes, (1, *shape), generator=gen))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def few_rois(cfg, num=64):
    """A detector config whose RoI heads sample ``num`` RoIs per image in training instead of
    512 (each stage of a cascade): the same code paths, a fraction of the 4-conv heads' work."""
    rcnn = cfg.model.get('train_cfg', {}).get('rcnn')
    for stage in (rcnn if isinstance(rcnn, list) else [rcnn] if rcnn else []):
        stage.sampler.num = num
    return cfg
