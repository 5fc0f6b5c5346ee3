"""mmconvnext's registries: children of mmengine's roots under the scope ``mmconvnext``.

Configs in any OpenMMLab scope (mmdet, mmseg, mmpretrain) reach our modules as
``type='mmconvnext.X'``; mmengine imports this module, then the ``locations``, to find them.
"""
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import TASK_UTILS as MMENGINE_TASK_UTILS
from mmengine.registry import Registry

MODELS = Registry(
    'model', parent=MMENGINE_MODELS, scope='mmconvnext', locations=['mmconvnext.models'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor', parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    scope='mmconvnext', locations=['mmconvnext.optim'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS, scope='mmconvnext',
    locations=['mmconvnext.compat'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, scope='mmconvnext',
                 locations=['mmconvnext.compat'])
TASK_UTILS = Registry('task util', parent=MMENGINE_TASK_UTILS, scope='mmconvnext',
                      locations=['mmconvnext.compat.iou_balanced_sampler'])
