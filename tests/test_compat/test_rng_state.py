"""RNGStateHook's moments: validation leaves the training's random numbers as it found them,
and a resume whose data loader workers persist across epochs says that it cannot be exact and
restores the main process only after the new loader iterator has drawn its seed."""
from types import SimpleNamespace

import torch
from mmengine.runner import EpochBasedTrainLoop

import mmconvnext.compat.rng_state as rng_state
from mmconvnext.compat import RNGStateHook


def test_validation_leaves_the_training_random_numbers_alone():
    hook = RNGStateHook()
    torch.manual_seed(0)
    hook.before_val(None)
    torch.rand(5)  # what validation draws: its loader's base seed, say
    hook.after_val(None)
    after = torch.rand(3)
    torch.manual_seed(0)
    assert torch.equal(after, torch.rand(3))


def test_resume_with_persistent_workers_is_said_and_restored_at_the_first_iteration(
        monkeypatch):
    said = []
    monkeypatch.setattr(rng_state, 'print_log', lambda message, **kwargs: said.append(message))
    loader = SimpleNamespace(num_workers=2, persistent_workers=True)
    runner = SimpleNamespace(train_loop=object.__new__(EpochBasedTrainLoop),
                             train_dataloader=loader)
    hook = RNGStateHook()
    torch.manual_seed(0)
    hook.after_load_checkpoint(runner, {'rng_states': [rng_state._capture()]})
    expected = torch.rand(3)  # what an uninterrupted run draws in its next iteration

    torch.manual_seed(123)
    hook.before_train(runner)
    assert len(said) == 1 and 'persistent_workers=True' in said[0] and \
        'persistent_workers=False resumes exactly' in said[0]
    torch.rand(1)  # the resumed run's new loader iterator draws its base seed
    hook.before_train_iter(runner, 0)
    assert torch.equal(torch.rand(3), expected)
    hook.before_train_iter(runner, 1)  # once only
    assert not torch.equal(torch.rand(3), expected)
