# UperNet 160k, ConvNeXt-T from DINOv3 (distilled on LVD-1689M), else its IN-1K twin; no mIoU reported.
# Its weights are under the DINOv3 License, not MIT: accept it, then download them to the path below
# (the dinov3 repository's .pth; timm's or transformers' model.safetensors load too).
_base_ = './convnext_t_512_160k_ade20k.py'
model = dict(backbone=dict(init_cfg=dict(
    checkpoint='checkpoints/dinov3_convnext_tiny_pretrain_lvd1689m-21b726bb.pth')))
