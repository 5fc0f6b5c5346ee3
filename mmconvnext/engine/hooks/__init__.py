from .rng_state import RNGStateHook

__all__ = ['RNGStateHook']
