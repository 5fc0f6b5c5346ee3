# ADE20K, 512x512 crops of images resized to (2048, 512) x [0.5, 2.0]; 2 images per GPU.
_base_ = 'mmseg::_base_/datasets/ade20k.py'
train_dataloader = dict(batch_size=2)
