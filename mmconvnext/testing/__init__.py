"""What the tests and the benchmark tools share (as ``mmengine.testing`` and ``mmdet.testing``):
the paper's own backbone layout as a reference model (:mod:`.paper_layout`), the generated
demo data set (:mod:`.demo_data`) and a peak-memory meter (:mod:`.memory`). Not imported by
``import mmconvnext``."""
