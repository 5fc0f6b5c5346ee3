"""The tools leave the installed stack's notices about itself out of their output (setuptools'
pkg_resources deprecation, mmengine's note that mmdet / mmseg have no "function" registry), and
nothing else: a warning that a user's own code or config causes still shows."""
import logging
import os
import sys
import warnings
from unittest import mock

import pytest
from mmengine.logging import MMLogger
from mmengine.registry import FUNCTIONS, MODELS

from mmconvnext.compat.stack_notices import (NoFunctionRegistryFilter,
                                             quiet_function_registry_notice,
                                             quiet_stack_warnings)
from mmconvnext.testing.demo_data import demo_data_cfg, make_demo_data
from tool_runs import ROOT, cfg_options, run_tool

PKG_RESOURCES = ('pkg_resources is deprecated as an API. See '
                 'https://setuptools.pypa.io/en/latest/pkg_resources.html.')
USER_WARNING = "user_module: a warning from the user's own code"
STACK_NOTICES = ('pkg_resources is deprecated', '_bootstrap._exec(spec, module)',
                 'in the "function" registry tree')


def test_quiet_stack_warnings_drops_only_the_pkg_resources_deprecation():
    with warnings.catch_warnings(record=True) as caught:  # restores the filters after
        warnings.simplefilter('always')
        quiet_stack_warnings()
        warnings.warn(PKG_RESOURCES, UserWarning)
        warnings.warn(PKG_RESOURCES, DeprecationWarning)  # another category: not ours to drop
        warnings.warn(USER_WARNING, UserWarning)
    assert [(w.category, str(w.message)) for w in caught] == [
        (DeprecationWarning, PKG_RESOURCES), (UserWarning, USER_WARNING)]


class Records(logging.Handler):

    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_function_registry_notice_is_dropped_and_other_scope_notices_kept():
    """mmengine's own lookups, logged to a probe logger in place of its current one."""
    probe = logging.Logger('probe')
    records = Records()
    probe.addHandler(records)
    quiet_function_registry_notice(probe)
    quiet_function_registry_notice(probe)
    assert sum(isinstance(f, NoFunctionRegistryFilter) for f in probe.filters) == 1
    with mock.patch.object(MMLogger, 'get_current_instance', return_value=probe):
        for scope in ('mmdet', 'mmseg'):
            with FUNCTIONS.switch_scope_and_registry(scope):
                pass
        assert records.messages == []
        # a scope that a user's config names wrongly is still reported, in every registry
        with FUNCTIONS.switch_scope_and_registry('no_such_scope'):
            pass
        with MODELS.switch_scope_and_registry('mmdet_typo'):
            pass
    searched = [m for m in records.messages if m.startswith('Failed to search registry')]
    assert len(searched) == 2
    assert 'scope "no_such_scope" in the "function" registry tree' in searched[0]
    assert 'scope "mmdet_typo" in the "model" registry tree' in searched[1]


@pytest.mark.slow
def test_tool_output_has_no_stack_notices_but_user_warnings(tmp_path):
    """tools/train.py and tools/infer.py on the CPU demo detector, through a user's config that
    imports a module of the user's that warns."""
    data = make_demo_data(str(tmp_path / 'demo'), seed=1, num_train=2, num_val=2)
    user = tmp_path / 'user'
    user.mkdir()
    (user / 'user_module.py').write_text(f'import warnings\nwarnings.warn({USER_WARNING!r})\n')
    config = user / 'my_detector.py'
    config.write_text(
        f"_base_ = {str(ROOT / 'configs/demo/mask_rcnn_convnext_atto_shapes.py')!r}\n"
        "custom_imports = dict(imports=['mmconvnext', 'user_module'], "
        'allow_failed_imports=False)\n')
    env = dict(PYTHONPATH=f'{user}{os.pathsep}{ROOT}')
    coco = data['coco']
    options = cfg_options(demo_data_cfg(coco, f'{coco}/annotations/instances_val.json'))
    work = tmp_path / 'work'
    train = run_tool([sys.executable, 'tools/train.py', str(config), '--work-dir', str(work),
                      '--cfg-options', *options, 'train_cfg.max_epochs=1',
                      'train_cfg.val_interval=1', 'default_hooks.checkpoint.interval=1',
                      'train_dataloader.batch_size=2'], **env)
    assert 'Epoch(train) [1][1/1]' in train
    checkpoint = (work / 'last_checkpoint').read_text().strip()
    infer = run_tool([sys.executable, 'tools/infer.py', str(config), checkpoint,
                      f'{coco}/val/val_0000.jpg', '--out-dir', str(tmp_path / 'infer')], **env)
    assert '1 pictures in' in infer
    for name, log in (('train', train), ('infer', infer)):
        shown = [line for line in log.splitlines() if any(n in line for n in STACK_NOTICES)]
        assert not shown, f'tools/{name}.py printed the stack notices:\n' + '\n'.join(shown)
        assert f'UserWarning: {USER_WARNING}' in log, f'tools/{name}.py hid the user warning'
