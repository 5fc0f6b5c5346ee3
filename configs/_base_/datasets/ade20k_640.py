# ADE20K, 640x640 crops of images resized to (2560, 640) x [0.5, 2.0]; 2 images per GPU.
_base_ = 'mmseg::_base_/datasets/ade20k_640x640.py'
train_dataloader = dict(batch_size=2)
