"""Writable copies of a small demo data set, for the data-check tests to break."""
import shutil
from pathlib import Path

import pytest

from mmconvnext.testing.demo_data import make_demo_data


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    return make_demo_data(str(tmp_path_factory.mktemp('demo')), seed=5, num_train=2,
                          num_val=1)


@pytest.fixture
def coco(demo, tmp_path):
    """A writable copy of the demo COCO set (8 training annotations, 1 validation one)."""
    return Path(shutil.copytree(demo['coco'], tmp_path / 'coco'))


@pytest.fixture
def ade(demo, tmp_path):
    """A writable copy of the demo ADE20K-layout set."""
    return Path(shutil.copytree(demo['ade'], tmp_path / 'ade'))
