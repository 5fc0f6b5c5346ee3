"""The paper's Table 3 (COCO) and Table 4 (ADE20K): config -> published numbers.

Params in millions (whole model; for Table 4 including the auxiliary head), FLOPs in G
(multiply-adds at 1280x800 for Table 3, at 2048x512 / 2560x640 for Table 4). AP and mIoU are
the paper's; Mask R-CNN 1x is not in the paper (its AP is None).
"""
TABLE3 = {  # config: (params M, GFLOPs, box AP, mask AP)
    'configs/mask_rcnn/convnext_t_3x.py': (48, 262, 46.2, 41.7),
    'configs/mask_rcnn/convnext_t_1x.py': (48, 262, None, None),
    'configs/cascade_mask_rcnn/convnext_t_3x.py': (86, 741, 50.4, 43.7),
    'configs/cascade_mask_rcnn/convnext_s_3x.py': (108, 827, 51.9, 45.0),
    'configs/cascade_mask_rcnn/convnext_b_3x.py': (146, 964, 52.7, 45.6),
    'configs/cascade_mask_rcnn/convnext_b_in22k_3x.py': (146, 964, 54.0, 46.9),
    'configs/cascade_mask_rcnn/convnext_l_in22k_3x.py': (255, 1354, 54.8, 47.6),
    'configs/cascade_mask_rcnn/convnext_xl_in22k_3x.py': (407, 1898, 55.2, 47.7),
}
TABLE4 = {  # config: (params M, GFLOPs, mIoU single-scale, mIoU multi-scale)
    'configs/upernet/convnext_t_512_160k_ade20k.py': (60, 939, 46.0, 46.7),
    'configs/upernet/convnext_s_512_160k_ade20k.py': (82, 1027, 48.7, 49.6),
    'configs/upernet/convnext_b_512_160k_ade20k.py': (122, 1170, 49.1, 49.9),
    'configs/upernet/convnext_b_in22k_640_160k_ade20k.py': (122, 1828, 52.6, 53.1),
    'configs/upernet/convnext_l_in22k_640_160k_ade20k.py': (235, 2458, 53.2, 53.7),
    'configs/upernet/convnext_xl_in22k_640_160k_ade20k.py': (391, 3335, 53.6, 54.0),
}
