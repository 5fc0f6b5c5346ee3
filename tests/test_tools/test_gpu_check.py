"""tools/gpu_check.sh, the prepared run on a lent GPU machine, checked here without one so that a
typo does not cost a lease: its plan (every command, config and flag, the time limits against
the budget), the data it points the paper's configs at, the runner's limits and report, one real
training and test of the plan on CPU; and tools/demo.sh's switches for such a machine
(SKIP_SETUP, BACKBONE), with a stand-in python that records what it is asked to run."""
import argparse
import importlib.util
import inspect
import json
import os
import runpy
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mmengine.config import Config

from tool_runs import tool_env

ROOT = Path(__file__).parents[2]
SPEC = importlib.util.spec_from_file_location('gpu_check', ROOT / 'tools/gpu_check.py')
gpu_check = importlib.util.module_from_spec(SPEC)
sys.modules['gpu_check'] = gpu_check  # dataclasses look their module up
SPEC.loader.exec_module(gpu_check)

NINE_MINUTES = 540


def all_steps(part='all', **kwargs):
    return [s for stage in gpu_check.build_plan(part, **kwargs) for s in stage.steps]


def env_here(**env):
    """tool_env, keeping a PYTHONPATH that holds the stack (as on_device.sh sets it)."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get('PYTHONPATH')) if p)
    return tool_env(**{'PYTHONPATH': path, **env})


def run_script(*args, **env):
    return subprocess.run(['bash', 'tools/gpu_check.sh', *args], cwd=ROOT, capture_output=True,
                          text=True, env=env_here(**env), timeout=900)


class Parsed(Exception):
    def __init__(self, namespace):
        self.namespace = namespace


def parse_with(script, argv, monkeypatch):
    """The namespace that ``script``'s own argument parser makes of ``argv`` (the script runs
    up to its parse_args call, which then stops it); argparse's exit on a bad flag fails."""
    original = argparse.ArgumentParser.parse_args

    def stop_after_parsing(self, args=None, namespace=None):
        raise Parsed(original(self, args, namespace))

    with monkeypatch.context() as m:
        m.setattr(argparse.ArgumentParser, 'parse_args', stop_after_parsing)
        m.setattr(sys, 'argv', [str(script), *argv])
        m.syspath_prepend(str((ROOT / script).parent))  # as `python script` does
        try:
            runpy.run_path(str(ROOT / script), run_name='__main__')
        except Parsed as parsed:
            return parsed.namespace
        except SystemExit as error:
            pytest.fail(f'{script} refused {argv}: exit {error.code}')
    pytest.fail(f'{script} never parsed its arguments')


def python_entry(cmd):
    """(script, argv) of the Python tool that a planned command runs, through the launchers."""
    if cmd[0] == 'bash' and cmd[1] == 'tools/dist_train.sh':
        assert cmd[3] == '1', cmd  # one process: one GPU
        return 'tools/train.py', [cmd[2], *cmd[4:], '--launcher', 'pytorch']
    if cmd[0] == 'bash' and cmd[1] == 'tools/dist_test.sh':
        assert cmd[4] == '1', cmd
        return 'tools/test.py', [cmd[2], cmd[3], *cmd[5:], '--launcher', 'pytorch']
    assert cmd[0] == sys.executable, cmd
    return cmd[1], cmd[2:]


# -- the plan ------------------------------------------------------------------------------------

@pytest.mark.parametrize('part', gpu_check.PARTS)
def test_dry_run_prints_every_command_and_the_budget(part):
    out = run_script('--dry-run', part)
    assert out.returncode == 0, out.stderr
    stages = gpu_check.build_plan(part)
    total = sum(stage.limit for stage in stages)
    assert out.stdout.splitlines()[0].startswith(
        f'GPU check, {part}: {len(stages)} stages, time limits adding up to {total} s')
    for stage in stages:
        assert f'] {stage.name}' in out.stdout
        for step in stage.steps:
            for cmd in step.cmds:
                assert f'{step.name}: {gpu_check.command_line(step, cmd)}' in out.stdout


def test_parts_and_budget():
    """Each invocation's time limits add up to less than 9 minutes, with room for
    on_device.sh's set-up inside one 10-minute device command; part1 and part2 together are
    everything."""
    assert gpu_check.BUDGET_S <= NINE_MINUTES - 30
    for part in gpu_check.PARTS:
        stages = gpu_check.build_plan(part)
        assert sum(stage.limit for stage in stages) <= gpu_check.BUDGET_S
        assert all(stage.limit >= 10 for stage in stages)
    names = [s.name for s in all_steps()]
    assert len(names) == len(set(names))
    assert set(names) == {s.name for s in all_steps('part1')} | {s.name for s in all_steps('part2')}
    kinds = [s.kind for s in all_steps()]
    assert kinds.count('train') == kinds.count('test') == 6  # 3 configs x fp16 / bf16
    assert kinds.count('bench') == 6 and kinds.count('backbone') == 2


def test_bad_input_is_named(monkeypatch):
    out = run_script('--dry-run', 'part3')
    assert out.returncode == 2 and "invalid choice: 'part3'" in out.stderr
    out = run_script('--dry-run', '--only', 'train-mask_rcnn-fp61')
    assert out.returncode == 2 and 'no step named train-mask_rcnn-fp61' in out.stderr
    out = run_script('--dry-run', '--iters', '0')
    assert out.returncode == 2 and 'got 0' in out.stderr
    monkeypatch.setattr(gpu_check, 'BUDGET_S', 100)
    with pytest.raises(ValueError, match=r'the stages of part2 add up to \d+ s, over the 100 s'):
        gpu_check.build_plan('part2')


def test_every_config_and_tool_exists():
    for step in all_steps():
        for cmd in step.cmds:
            for word in cmd:
                if word.startswith(('configs/', 'tools/')):
                    assert (ROOT / word).is_file(), f'{step.name}: no such file {word}'
        if 'config' in step.info:
            assert (ROOT / step.info['config']).is_file()
    configs = {s.info.get('config') for s in all_steps()}
    assert {'configs/mask_rcnn/convnext_t_3x.py', 'configs/cascade_mask_rcnn/convnext_t_3x.py',
            'configs/upernet/convnext_t_512_160k_ade20k.py'} <= configs


def test_every_tool_accepts_its_planned_arguments(monkeypatch):
    """Each command's Python tool parses the planned flags with its own parser (choices and
    types included), behind dist_train.sh / dist_test.sh as they forward them."""
    seen = set()
    for step in all_steps():
        for cmd in step.cmds:
            if cmd[:2] == ['bash', 'tools/setup_env.sh']:
                continue  # run for real in test_op_check_runs_on_the_planned_environment
            script, argv = python_entry(cmd)
            args = parse_with(script, argv, monkeypatch)
            seen.add(script)
            if step.kind == 'train':
                assert args.amp == step.info['precision'] and args.launcher == 'pytorch'
                assert args.cfg_options['model.backbone.init_cfg'] is None
            if step.kind == 'test':
                assert args.checkpoint == step.info['checkpoint']
            if step.kind == 'bench':
                assert args.amp == (None if step.info['precision'] == 'fp32'
                                    else step.info['precision'])
            if step.kind == 'backbone':
                assert 'mmpretrain' not in args.models  # not carried to the GPU machine
    assert seen == {'tools/gpu_check.py', 'tools/data/make_demo_data.py', 'tools/train.py',
                    'tools/test.py', 'tools/analysis/benchmark.py',
                    'tools/analysis/bench_backbone.py'}


def built_class(name, node):
    """The class that mmengine's Runner builds from the config's top-level entry ``name``."""
    from mmengine.registry import LOG_PROCESSORS, LOOPS
    from mmengine.runner import LogProcessor
    if name == 'train_cfg':
        return LOOPS.get(node['type'])
    assert name == 'log_processor', name
    return LOG_PROCESSORS.get(node['type']) if 'type' in node else LogProcessor


def config_with(step, monkeypatch):
    """The config a train / test step runs: its file, its --cfg-options (as the tool parses
    them) merged the way tools/train.py does, and --amp."""
    script, argv = python_entry(step.cmds[0])
    args = parse_with(script, argv, monkeypatch)
    cfg = Config.fromfile(ROOT / args.config)
    for key in args.cfg_options:
        node = cfg
        *parents, leaf = key.split('.')
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
            assert node is not None, f'{step.name}: {key}: {part} is empty'
        if key in gpu_check.NEW_KEYS:  # an argument of the class the config builds there
            assert leaf in inspect.signature(built_class(parents[0], node)).parameters, key
        else:
            assert (int(leaf) < len(node) if isinstance(node, list) else leaf in node), \
                f'{step.name}: {key} names no key of {args.config}'
    cfg.merge_from_dict(args.cfg_options)
    if getattr(args, 'amp', None):
        from mmconvnext.cli import use_amp
        use_amp(cfg, args.amp)
    return cfg


def test_overrides_name_existing_keys_and_make_a_short_run(monkeypatch):
    """Every --cfg-options key the plan passes is in the paper's config (but the one it adds),
    and together they make the short run the report describes."""
    iters = 24
    for step in all_steps():
        if step.kind not in ('train', 'test'):
            continue
        cfg = config_with(step, monkeypatch)
        task = step.info['task']
        data = 'work_dirs/gpu_check/data/' + ('coco/' if task == 'det' else 'demo/ade')
        for loader in gpu_check.LOADERS:
            assert cfg[loader].dataset.data_root == data
        assert cfg.model.backbone.init_cfg is None
        if task == 'det':
            assert cfg.test_evaluator.ann_file == data + 'annotations/instances_val2017.json'
            assert cfg.test_evaluator.ann_file == cfg.val_evaluator.ann_file
        if step.kind == 'test':
            if task == 'det':  # every box kept: a barely trained detector is still evaluated
                assert cfg.model.test_cfg.rcnn.score_thr == 0
            continue
        assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
        if step.info['precision'] == 'bf16':
            assert cfg.optim_wrapper.dtype == 'bfloat16' and 'loss_scale' not in cfg.optim_wrapper
        else:
            assert cfg.optim_wrapper.loss_scale == 'dynamic'
        assert cfg.param_scheduler[0].type == 'LinearLR'
        assert cfg.param_scheduler[0].end == gpu_check.WARMUP_ITERS
        assert cfg.default_hooks.logger.interval == cfg.log_processor.window_size == 4
        checkpoint = cfg.default_hooks.checkpoint
        if task == 'det':
            # one epoch of BATCH * iters images; its checkpoint epoch_1.pth; no validation
            assert cfg.train_dataloader.batch_size == gpu_check.BATCH
            assert cfg.train_cfg.max_epochs == 1 < cfg.train_cfg.val_begin
            assert checkpoint.get('by_epoch', True) and checkpoint.interval == 1
            assert step.info['checkpoint'].endswith('/epoch_1.pth')
        else:
            assert cfg.train_cfg.type == 'IterBasedTrainLoop'
            assert cfg.train_cfg.max_iters == iters < cfg.train_cfg.val_begin
            assert cfg.param_scheduler[1].begin == gpu_check.WARMUP_ITERS
            assert checkpoint.by_epoch is False and checkpoint.interval == iters
            assert step.info['checkpoint'].endswith(f'/iter_{iters}.pth')


def test_op_check_runs_on_the_planned_environment(tmp_path):
    """setup_env.sh --check-ops takes the wrapper the runner makes for the carried python: here,
    without a GPU, it gets as far as asking torch for one."""
    step = next(s for s in all_steps() if s.kind == 'ops')
    folder = tmp_path / 'python-env'
    gpu_check.make_python_env(str(folder), sys.executable)
    out = subprocess.run(step.cmds[0], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env=env_here(MMCONVNEXT_VENV=str(folder)))
    assert out.returncode == 1
    assert f'no GPU visible to torch in {folder}' in out.stderr


# -- the data and one real run -------------------------------------------------------------------

TINY = dict(iters=1, val_images=1)


@pytest.fixture(scope='module')
def tiny_work(tmp_path_factory):
    """A work dir holding the data step's output for TINY sizes, made by its commands."""
    work = str(tmp_path_factory.mktemp('gpu_check'))
    data = next(s for s in all_steps(work=work, **TINY) if s.kind == 'data')
    logs = []
    for cmd in data.cmds:
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300,
                             env=env_here())
        assert out.returncode == 0, out.stderr[-3000:]
        logs.append(out.stdout)
    return work, logs


@pytest.mark.slow
def test_planned_data_loads_into_the_paper_configs(tiny_work, monkeypatch):
    """The data step's commands, run for real, give the paper's configs (with the plan's
    overrides) data sets of the planned sizes: COCO's layout and 80 classes with the demo's
    shapes as the first three, ADE20K's layout; and the speed measure's 1280x800 image."""
    import cv2
    from mmengine.registry import DATASETS, init_default_scope
    work, logs = tiny_work
    assert "'circle': 'person', 'square': 'bicycle', 'triangle': 'car'" in logs[-1]
    assert cv2.imread(gpu_check.data_dirs(work)['image']).shape == (800, 1280, 3)
    steps = all_steps(work=work, **TINY)
    for model in ('mask_rcnn', 'upernet'):
        cfg = config_with(next(s for s in steps if s.name == f'train-{model}-bf16'),
                          monkeypatch)
        init_default_scope(cfg.default_scope)
        train = DATASETS.build(cfg.train_dataloader.dataset)
        test = DATASETS.build(cfg.test_dataloader.dataset)
        assert (len(train), len(test)) == (gpu_check.BATCH * TINY['iters'], TINY['val_images'])
        sample = train[0]['data_samples']
        if model == 'mask_rcnn':
            assert len(train.metainfo['classes']) == 80
            labels = sample.gt_instances.labels.tolist()
            assert labels and set(labels) <= {0, 1, 2}
            from mmdet.evaluation import CocoMetric
            metric = CocoMetric(ann_file=cfg.test_evaluator.ann_file)
            metric.dataset_meta = test.metainfo
            assert len(metric._coco_api.get_cat_ids(cat_names=test.metainfo['classes'])) == 80
        else:
            # the demo's label maps: 0 unlabeled (255 after reduce_zero_label), 1 background,
            # 2-4 the shapes
            assert train.reduce_zero_label
            raw = cv2.imread(train.get_data_info(0)['seg_map_path'], cv2.IMREAD_UNCHANGED)
            assert set(raw.flatten().tolist()) - {0, 1} and set(raw.flatten().tolist()) <= {
                0, 1, 2, 3, 4}
            assert set(sample.gt_sem_seg.data.unique().tolist()) <= {0, 1, 2, 3, 255}


@pytest.mark.slow
def test_cpu_run_of_a_training_and_its_test(tiny_work):
    """One planned training and the test of its checkpoint, run for real by the script on the
    data step's output with tiny sizes: the trainer takes the plan's options and writes the
    checkpoint the test step expects, and the report reads the loss and the metrics. (On CPU,
    --amp fp16 trains in fp32: tools/train.py fits the config to the machine.)"""
    work = Path(tiny_work[0])
    out = run_script('part1', '--only', 'train-mask_rcnn-fp16,test-mask_rcnn-fp16',
                     '--iters', str(TINY['iters']), '--val-images', str(TINY['val_images']),
                     '--work-dir', str(work), '--time-scale', '20', OUT='')
    report = (work / 'gpu_check.md').read_text()
    assert out.returncode == 0, report + out.stdout[-3000:] + out.stderr[-3000:]
    assert '| train-mask_rcnn-fp16 | ok |' in report and '| test-mask_rcnn-fp16 | ok |' in report
    assert '- loss: finite' in report and 'checkpoint epoch_1.pth' in report
    assert (work / 'train-mask_rcnn-fp16' / 'epoch_1.pth').is_file()
    assert '"coco/bbox_mAP":' in report and '"coco/segm_mAP":' in report
    assert (work / 'gpu_check_logs.tar.gz').is_file()


# -- the runner ----------------------------------------------------------------------------------

def test_runner_limits_each_stage_records_failures_and_goes_on(tmp_path):
    """A step past its stage's limit is killed with its children, a failing step is recorded,
    and the stages after them still run; the report names each."""
    pid_file = tmp_path / 'child.pid'
    Stage, Step = gpu_check.Stage, gpu_check.Step
    stages = [
        Stage('slow', 2, [Step('hangs', 'env', [['bash', '-c', f'sleep 60 & echo $! > {pid_file}; '
                                                 'wait']]),
                          Step('fails', 'env', [['bash', '-c', 'echo broken >&2; exit 3']])]),
        Stage('next', 20, [Step('goes-on', 'env', [['echo', 'GPU: stand-in']])]),
    ]
    report = tmp_path / 'out' / 'gpu_check.md'
    runner = gpu_check.Runner(stages, 'all', str(tmp_path / 'work'), str(report), [])
    start = time.time()
    assert runner.run() == 1
    assert time.time() - start < 30
    hangs, fails, goes_on = (s for st in stages for s in st.steps)
    assert (hangs.status, fails.status, goes_on.status) == ('timeout', 'failed', 'ok')
    assert fails.rc == 3
    assert not alive(int(pid_file.read_text()))
    text = report.read_text()
    assert '## hangs: timeout (killed after' in text and '## fails: failed' in text
    assert 'broken' in text and '| goes-on | ok |' in text and 'GPU: stand-in' in text
    assert (report.parent / 'gpu_check_logs.tar.gz').is_file()


def alive(pid):
    """Whether process ``pid`` runs (a zombie left for a parent to reap does not)."""
    try:
        with open(f'/proc/{pid}/status') as f:
            return 'State:\tZ' not in f.read()
    except FileNotFoundError:
        return False


def test_test_step_without_checkpoint_is_skipped(tmp_path):
    stages = gpu_check.build_plan('part1', only=['test-upernet-fp16'], work=str(tmp_path))
    runner = gpu_check.Runner(stages, 'part1', str(tmp_path), str(tmp_path / 'r.md'), [])
    assert runner.run() == 1
    step = stages[0].steps[0]
    assert step.status == 'skipped' and 'no checkpoint at' in step.note
    assert '## test-upernet-fp16: skipped' in (tmp_path / 'r.md').read_text()


def test_benchmark_results_are_read_from_the_tools_output():
    """The report takes benchmark.py's and bench_backbone.py's result lines (their format is
    pinned by test_analysis_tools.py) and leaves the rest of their output out."""
    step = next(s for s in all_steps() if s.name == 'bench-mask_rcnn-bf16')
    log = ('12/06 mmengine - WARNING - something\n'
           'configs/mask_rcnn/convnext_t_3x.py on a GPU (16 threads, bf16), images from '
           'work_dirs/gpu_check/data/paper_1280x800.jpg\n'
           '  inference, batch 1: 30.12 images/s (median 33 ms over 20), peak tensor memory '
           '280 MB\n'
           'UserWarning: training: not a result\n'
           '  training: 310 ms per iteration of 2 images (median of 4 batches met before); 900 ms '
           'the first time each batch was run (after 1 warm-up)\n'
           '  GPU busy 71% of a training step met before (330 ms under torch.profiler; its '
           'device time / wall)\n')
    assert gpu_check.bench_lines(log, step.info['config']) == [
        line.strip() for line in log.splitlines()[1:] if 'Warning' not in line]
    assert gpu_check.bench_lines(log, 'configs/other.py')[0].startswith('inference, batch 1')


def test_a_checkpoint_left_by_an_earlier_run_is_not_tested(tmp_path):
    """A warm machine keeps work_dirs/: a training that fails now leaves no checkpoint of an
    earlier run behind for its test to pass on."""
    stages = gpu_check.build_plan('part1', only=['train-upernet-fp16', 'test-upernet-fp16'],
                                  work=str(tmp_path), python='false')
    train, test = (s for st in stages for s in st.steps)
    stale = Path(train.info['checkpoint'])
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b'earlier run')
    runner = gpu_check.Runner(stages, 'part1', str(tmp_path), str(tmp_path / 'r.md'), [])
    assert runner.run() == 1
    assert (train.status, test.status) == ('failed', 'skipped') and not stale.exists()
    assert test.note == f'no checkpoint at {stale} (train-upernet-fp16: failed)'


@pytest.mark.parametrize('losses, verdict', [
    ([], 'no loss logged'),
    ([5.0, float('nan'), 3.0], 'NOT FINITE'),
    ([5.0], 'finite (one value'),
    ([6.0, 5.0, 2.0, 1.0], 'finite, falling (5.500 -> 1.500'),
    ([1.0, 1.0, 2.0, 3.0], 'finite, NOT falling'),
])
def test_loss_verdict(losses, verdict):
    assert gpu_check.loss_verdict(losses).startswith(verdict)


def test_train_section_reads_mmengine_scalars(tmp_path):
    """The report's loss table and verdict come from mmengine's vis_data/scalars.json."""
    work = tmp_path / 'train'
    (work / '20990101_000000' / 'vis_data').mkdir(parents=True)
    entries = [dict(loss=6.0 - i, loss_cls=4.0 - i, lr=1e-4, time=0.3, memory=5000,
                    step=4 * (i + 1)) for i in range(4)]
    (work / '20990101_000000' / 'vis_data' / 'scalars.json').write_text(
        '\n'.join(json.dumps(e) for e in entries) + '\n{"coco/bbox_mAP": 0.0, "step": 1}\n')
    (work / 'epoch_1.pth').write_bytes(b'\0' * 2**20)
    step = gpu_check.Step('train-x', 'train', [], info=dict(
        work_dir=str(work), checkpoint=str(work / 'epoch_1.pth')))
    lines = gpu_check.train_section(None, step)
    assert lines[0] == ('- loss: finite, falling (5.500 -> 3.500, means of the first / last 2 '
                        'logged)')
    assert '| step | loss | loss_cls | lr | time | memory |' in lines
    assert '| 16 | 3 | 1 | 0.0001 | 0.3 | 5000 |' in lines
    assert step.note.endswith('checkpoint epoch_1.pth (1 MB); GPU memory up to 5000 MB')


# -- tools/demo.sh on a machine without PyPI or mmpretrain --------------------------------------

STAND_IN = r'''#!/usr/bin/env bash
# A python that records its command line; runs the backbone conversion and check for real, and
# fakes the rest (no GPU, no mmpretrain, one training that writes a checkpoint and a log).
echo "$*" >> "$CALLS"
case "$*" in
  *tools/convert_checkpoint.py*|*'.grn.'*) exec "$REAL_PYTHON" "$@" ;;
  *'import mmpretrain'*) exit 1 ;;
  *'device_count'*) echo 0 ;;
  *'Config.fromfile'*) echo 'stand-in config' ;;
  *torch.distributed.run*)
    work=$(echo "$*" | sed 's/.*--work-dir \([^ ]*\).*/\1/')
    mkdir -p "$work/20990101_000000"
    echo "$work/epoch_4.pth" > "$work/last_checkpoint"
    echo 'coco/bbox_mAP: 0.5000  data_time: 0.1' > "$work/20990101_000000/20990101_000000.log" ;;
esac
'''


def demo(tmp_path, *args, **env):
    python = tmp_path / 'python'
    python.write_text(STAND_IN)
    python.chmod(0o755)
    calls = tmp_path / 'calls'
    calls.write_text('')
    out = subprocess.run(['bash', 'tools/demo.sh', *args], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, env=env_here(
                             PYTHON=str(python), REAL_PYTHON=sys.executable, CALLS=str(calls),
                             MMCONVNEXT_VENV=str(tmp_path / 'venv'), SKIP_SETUP='1',
                             WORK_DIR=str(tmp_path / 'demo'), **env))
    return out, calls.read_text().splitlines()


def backbone_file(tmp_path, arch, **kwargs):
    from mmengine.runner.checkpoint import save_checkpoint

    from mmconvnext.models import ConvNeXt
    path = tmp_path / f'{arch}.pth'
    save_checkpoint(dict(state_dict=ConvNeXt(arch, **kwargs).state_dict()), str(path))
    return path


def test_demo_switch_errors_come_first():
    for env, message in ((dict(SKIP_SETUP='yes'), "SKIP_SETUP must be 0 or 1, got 'yes'"),
                         (dict(BACKBONE='no/such.pth'), "BACKBONE: no such file: 'no/such.pth'")):
        out = subprocess.run(['bash', 'tools/demo.sh'], cwd=ROOT, capture_output=True, text=True,
                             env=dict(os.environ, **env))
        assert out.returncode == 2 and message in out.stderr and out.stdout == ''


@pytest.mark.slow
def test_demo_fine_tunes_from_a_given_backbone_without_setup_or_pretraining(tmp_path):
    backbone = backbone_file(tmp_path, 'atto')
    out, calls = demo(tmp_path, 'det', ARCH='atto', BACKBONE=str(backbone))
    assert out.returncode == 0, out.stderr[-3000:]
    assert not (tmp_path / 'venv').exists()  # setup_env.sh did not run
    assert not any('shapes_cls' in c or 'mmpretrain' in c for c in calls), calls
    converted = tmp_path / 'demo' / 'backbone.pth'
    assert calls[:2] == ['tools/data/make_demo_data.py --out data/demo',
                         "-c import torch; print(torch.cuda.device_count())"]
    assert f'tools/convert_checkpoint.py {backbone} {converted} --arch atto' in calls
    train = [c for c in calls if 'torch.distributed.run' in c]
    assert len(train) == 1
    assert 'configs/demo/mask_rcnn_convnext_atto_shapes.py' in train[0]
    assert train[0].endswith(f'--cfg-options model.backbone.init_cfg.checkpoint={converted} '
                             '--launcher pytorch')
    assert calls[-1].startswith('tools/infer.py configs/demo/mask_rcnn_convnext_atto_shapes.py '
                                f'{tmp_path}/demo/epoch_4.pth')
    assert f'pretraining: none (BACKBONE={backbone})' in out.stdout
    assert 'metrics:     coco/bbox_mAP: 0.5000' in out.stdout


@pytest.mark.slow
def test_demo_refuses_a_backbone_of_another_arch_or_block(tmp_path):
    atto = backbone_file(tmp_path, 'atto')
    out, calls = demo(tmp_path, 'det', ARCH='t', BACKBONE=str(atto))
    assert out.returncode != 0 and 'does not fit this ConvNeXt' in out.stderr
    assert not any('torch.distributed.run' in c for c in calls)
    out, calls = demo(tmp_path, 'seg', ARCH='atto_v2', BACKBONE=str(atto))
    assert out.returncode == 1
    assert f'BACKBONE {atto} has the V1 block, ARCH=atto_v2 the V2' in out.stderr
    assert not any('torch.distributed.run' in c for c in calls)


@pytest.mark.slow
def test_demo_without_mmpretrain_asks_for_a_backbone(tmp_path):
    out, calls = demo(tmp_path, 'det', ARCH='atto')
    assert out.returncode == 1
    assert 'pretraining needs mmpretrain' in out.stderr and 'BACKBONE' in out.stderr
    assert not any('torch.distributed.run' in c for c in calls)
