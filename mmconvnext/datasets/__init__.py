"""Data checks for the tools (:mod:`.checks`) and the demo's semantic dataset type
(:mod:`.shapes`, which imports mmseg: loaded through the DATASETS registry only when a config
names it, so that detection works without mmseg)."""
