"""Data checks for the tools (:mod:`.checks`)."""
