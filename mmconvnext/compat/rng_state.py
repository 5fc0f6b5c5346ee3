"""Random number generator states in checkpoints, so that a resumed run goes on exactly as an
uninterrupted one would.

Needed for mmengine 0.10, whose checkpoints hold only the seed; can go when mmengine saves and
restores RNG states itself. Repeats CheckpointHook's save condition (``_saves_now``), which
mmengine 0.10 does not expose.
"""
import logging
import random

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop

from mmconvnext.registry import HOOKS


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Saves every rank's torch, CUDA, numpy and python RNG states in each checkpoint (key
    ``rng_states``, a list indexed by rank) and restores them when training resumes.

    Only rank 0 writes checkpoints, so with several processes the states are gathered
    (one small all-gather) after each iteration or epoch at which the config's
    CheckpointHook saves; a checkpoint written at another moment (say, the best one after
    validation) carries no states, and resuming from it resumes only the seed.

    What is restored depends on how mmengine resumes. An iteration-based loop replays the
    data loader up to the resumed iteration: with ``num_workers=0`` that replay draws the
    augmentations' numpy / python random numbers again, from the seed, exactly as the first
    run did, so only torch's (drop path, box samplers) and CUDA's states are restored. With
    worker processes, and in epoch-based loops (resumed at an epoch start, no replay), all
    states are restored. A run resumed on another number of processes gets only the seed.

    Validation during training leaves the states as it found them, so that training goes on
    alike whether or not a validation ran after the checkpoint (a resumed run does not repeat
    it). One state cannot be restored: that of data loader workers kept across epochs
    (``persistent_workers=True``) in an epoch-based loop, which lives in those processes; the
    resumed run's new workers start from the seed, so its augmentations differ from then on
    (said in the log). ``persistent_workers=False`` or ``num_workers=0`` resume exactly.
    """

    priority = 'NORMAL'  # before CheckpointHook (VERY_LOW) in the same stage

    def __init__(self):
        self._pending = None  # states to restore at before_train (or the first iteration)
        self._restore_at_first_iter = False
        self._gathered = None  # (epoch, iter, states of all ranks)
        self._before_val = None  # states when validation started

    def before_val(self, runner) -> None:
        self._before_val = _capture()

    def after_val(self, runner) -> None:
        if self._before_val is not None:
            _restore(self._before_val, data_side=True)
            self._before_val = None

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self._gather_if_saving(runner, by_epoch=False)

    def after_train_epoch(self, runner) -> None:
        self._gather_if_saving(runner, by_epoch=True)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if get_world_size() == 1:
            checkpoint['rng_states'] = [_capture()]
        elif self._gathered is not None and self._gathered[:2] == (runner.epoch, runner.iter):
            checkpoint['rng_states'] = self._gathered[2]

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        states = checkpoint.get('rng_states')
        self._pending = None
        if states is None:
            return
        if len(states) != get_world_size():
            print_log(f'RNGStateHook: the checkpoint holds RNG states of {len(states)} '
                      f'processes, this run has {get_world_size()}: only the seed is resumed',
                      logger='current', level=logging.WARNING)
            return
        self._pending = states[get_rank()]

    def before_train(self, runner) -> None:
        # after Runner.resume, which may re-seed; before the first batch is loaded
        if self._pending is None:
            return
        loader = runner.train_dataloader
        by_iter = isinstance(runner.train_loop, IterBasedTrainLoop)
        if not by_iter and loader.num_workers > 0 and loader.persistent_workers:
            print_log(f'RNGStateHook: the train loader keeps its {loader.num_workers} worker '
                      'processes across epochs (persistent_workers=True): their random numbers '
                      '(augmentations) start from the seed again in this resumed run, so it '
                      'goes on unlike an uninterrupted run; persistent_workers=False resumes '
                      'exactly', logger='current', level=logging.WARNING)
            # an uninterrupted run creates no data loader iterator at this epoch's start
            self._restore_at_first_iter = True
            return
        _restore(self._pending, data_side=not (by_iter and loader.num_workers == 0))
        self._pending = None

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if self._restore_at_first_iter:
            _restore(self._pending, data_side=True)
            self._pending, self._restore_at_first_iter = None, False

    def _gather_if_saving(self, runner, by_epoch: bool) -> None:
        if get_world_size() == 1:
            return
        for hook in runner.hooks:
            if isinstance(hook, CheckpointHook) and hook.by_epoch == by_epoch:
                if _saves_now(hook, runner):  # alike on every rank: all join the gather
                    self._gathered = (runner.epoch, runner.iter, all_gather_object(_capture()))
                return


def _saves_now(hook: CheckpointHook, runner) -> bool:
    """Whether ``hook`` saves a checkpoint at this moment: its own after_train_epoch /
    after_train_iter condition (mmengine 0.10), which it does not expose as a method."""
    if hook.by_epoch:
        return bool(hook.every_n_epochs(runner, hook.interval, hook.save_begin)
                    or hook.save_last and hook.is_last_train_epoch(runner))
    return bool(hook.every_n_train_iters(runner, hook.interval, hook.save_begin)
                or hook.save_last and hook.is_last_train_iter(runner))


def _capture() -> dict:
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    state = dict(torch=torch.get_rng_state(), python=random.getstate(),
                 numpy=(kind, keys.tolist(), pos, has_gauss, gauss))
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def _restore(state: dict, data_side: bool) -> None:
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])
    if data_side:
        random.setstate(state['python'])
        kind, keys, pos, has_gauss, gauss = state['numpy']
        np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, gauss))
