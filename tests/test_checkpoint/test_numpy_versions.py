"""Runner checkpoints written under numpy 1 and under numpy 2 load, and resume, under the
running numpy: numpy 1 pickles the callables that rebuild arrays and scalars as
``numpy.core.multiarray.*``, numpy 2 as ``numpy._core.multiarray.*``. The files
tests/data/numpyN_runner_iter_2.pth were written under numpy N by
tests/test_checkpoint/make_numpy_checkpoint.py, whose Runner these tests also run now."""
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer

import mmconvnext  # noqa: F401  (registers SafeCheckpointLoadingHook)
from mmconvnext.checkpoint import CheckpointError, load_checkpoint_file
from make_numpy_checkpoint import ITERS, fixture_path, make_runner

PICKLED_AS = {1: 'numpy.core.multiarray', 2: 'numpy._core.multiarray'}
RUNNING = int(np.__version__.split('.')[0])


def pickled_numpy_modules(path):
    return {name.rsplit('.', 1)[0] for name in
            torch.serialization.get_unsafe_globals_in_checkpoint(str(path))
            if name.endswith('._reconstruct')}


@pytest.fixture(scope='module')
def straight(tmp_path_factory):
    """The fixtures' Runner trained now, under the running numpy, for twice as long without
    a break; its checkpoint after ITERS iterations is the one the fixtures hold."""
    runner = make_runner(tmp_path_factory.mktemp('straight'), max_iters=2 * ITERS)
    runner.train()
    return runner


@pytest.mark.parametrize('major', [1, 2])
def test_checkpoint_of_either_numpy_loads(straight, major):
    live = Path(straight.work_dir) / f'iter_{ITERS}.pth'
    assert pickled_numpy_modules(live) == {PICKLED_AS[RUNNING]}
    assert pickled_numpy_modules(fixture_path(major)) == {PICKLED_AS[major]}

    ckpt, expected = load_checkpoint_file(fixture_path(major)), load_checkpoint_file(live)
    assert ckpt['meta']['iter'] == ITERS
    hub = ckpt['message_hub']['log_scalars']
    assert sorted(hub) == ['train/data_time', 'train/loss', 'train/lr', 'train/time']
    loss, live_loss = hub['train/loss'], expected['message_hub']['log_scalars']['train/loss']
    assert isinstance(loss, HistoryBuffer) and loss._log_history.dtype == np.float64
    np.testing.assert_allclose(loss._log_history, live_loss._log_history, rtol=1e-6)
    # the statistics methods were unpickled through the restricted getattr
    assert loss.statistics('mean') == pytest.approx(live_loss._log_history.mean())
    assert loss.statistics('current') == pytest.approx(live_loss._log_history[-1])
    np.testing.assert_array_equal(hub['train/lr']._log_history, [0.1] * ITERS)
    assert ckpt['state_dict'].keys() == expected['state_dict'].keys()
    for key, value in expected['state_dict'].items():
        torch.testing.assert_close(ckpt['state_dict'][key], value, msg=key)


@pytest.mark.parametrize('major', [1, 2])
def test_runner_resumes_from_checkpoint_of_either_numpy(straight, tmp_path, major):
    resumed = make_runner(tmp_path, max_iters=2 * ITERS, load_from=fixture_path(major))
    resumed.train()
    assert resumed.iter == 2 * ITERS
    # the resumed message hub goes on from the file's history: one loss per iteration
    np.testing.assert_allclose(
        resumed.message_hub.get_scalar('train/loss')._log_history,
        straight.message_hub.get_scalar('train/loss')._log_history, rtol=1e-5)
    for (key, a), b in zip(straight.model.state_dict().items(),
                           resumed.model.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-7, msg=key)


def test_any_other_global_beside_the_message_hub_is_refused_by_name(straight, tmp_path):
    ckpt = load_checkpoint_file(Path(straight.work_dir) / f'iter_{ITERS}.pth')
    path = tmp_path / 'extra.pth'
    torch.save({**ckpt, 'rng': np.random.RandomState(0)}, path)
    with pytest.raises(CheckpointError) as err:
        load_checkpoint_file(path)
    # exactly the RandomState's own globals, none of the message hub's
    rng_globals = sorted(name for name in torch.serialization.get_unsafe_globals_in_checkpoint(
        str(path)) if name.startswith('numpy.random.'))
    assert 'numpy.random._pickle.__randomstate_ctor' in rng_globals
    assert f'asks for the globals {rng_globals}.' in str(err.value)
