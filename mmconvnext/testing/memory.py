"""Peak tensor memory of a piece of code, on any device (CPU included)."""
from torch.multiprocessing.reductions import StorageWeakRef
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten


class PeakTensorMemory(TorchDispatchMode):
    """Within ``with PeakTensorMemory() as m:``, ``m.peak`` is the largest number of bytes
    held at once by tensor storages created inside the block (activations, saved tensors,
    gradients; not the parameters and inputs that existed before). Slows ops down: measure
    time separately."""

    def __init__(self):
        super().__init__()
        self.live = {}  # storage key -> (weak ref, bytes)
        self.current = self.peak = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for key, (ref, nbytes) in list(self.live.items()):
            if ref.expired():
                del self.live[key]
                self.current -= nbytes
        # views and in-place results share an input's storage: nothing new (this also keeps
        # views of parameters, such as the transposed weight of a Linear, out of the count)
        inputs = {_key(t) for t in tree_flatten((args, kwargs))[0] if _is_tensor(t)}
        for t in tree_flatten(out)[0]:
            if _is_tensor(t):
                key, storage = _key(t), t.untyped_storage()
                if key not in self.live and key not in inputs and storage.nbytes():
                    self.live[key] = (StorageWeakRef(storage), storage.nbytes())
                    self.current += storage.nbytes()
        self.peak = max(self.peak, self.current)
        return out


def _is_tensor(t) -> bool:
    return hasattr(t, 'untyped_storage')


def _key(t):
    storage = t.untyped_storage()
    return storage.data_ptr(), storage.device
