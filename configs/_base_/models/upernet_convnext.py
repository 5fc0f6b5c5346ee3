# UperNet (mmseg EncoderDecoder, SyncBN) on a ConvNeXt backbone: UPerHead (512 channels, pool
# scales 1, 2, 3, 6) and an auxiliary FCNHead on stage 2 (weight 0.4); 512x512 crops,
# sliding-window test with stride 341.
_base_ = ['mmseg::_base_/models/upernet_r50.py', './convnext.py']

model = dict(
    pretrained=None,  # upernet_r50's ResNet weights; ours come through backbone.init_cfg
    data_preprocessor=dict(size=(512, 512)),
    backbone={{_base_.convnext_backbone}},
    decode_head=dict(in_channels=[96, 192, 384, 768], num_classes=150),
    auxiliary_head=dict(in_channels=384, num_classes=150),
    test_cfg=dict(mode='slide', crop_size=(512, 512), stride=(341, 341)))
