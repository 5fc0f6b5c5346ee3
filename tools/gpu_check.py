"""The prepared check of the stack on a lent GPU machine: one command that runs the
CUDA-op check, short fp16 and bf16 trainings of the paper's detector and segmenter configs on
the demo data with a test of each checkpoint, the paper's speed measure and the backbone
benchmark, and writes what it measured to one markdown report, step by step.

    source .gpu/on_device.sh && bash tools/gpu_check.sh [all|part1|part2] [options]
    python tools/gpu_check.py plan [all|part1|part2] [options]   (what run would do; no GPU)
    python tools/gpu_check.py run [all|part1|part2] [--only STEP,...] [--iters N] ...
    python tools/gpu_check.py env                    (the versions and GPU the report starts with)
    python tools/gpu_check.py coco-layout DEMO OUT   (the demo data in COCO's own layout)

Steps run in stages; a stage's steps run at once (the short trainings, then their tests: each a
process of its own on one GPU, so that process start-up overlaps) and share its time limit;
the benchmarks run alone. A step that fails or runs out of time is recorded and the run goes
on. The report is rewritten after every step, so that a run cut short still brings back what it
measured: $OUT/gpu_check.md (where $OUT is set, as on the device machine), with the steps' logs
in gpu_check_logs.tar.gz beside it.

Only the standard library is imported here at the top, so that the plan prints anywhere.
"""
import argparse
import glob
import json
import math
import os
import os.path as osp
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# One device command runs at most 10 minutes, on_device.sh's set-up included: the stages' time
# limits of any one invocation add up to at most this.
BUDGET_S = 510

DETECTORS = {'mask_rcnn': 'configs/mask_rcnn/convnext_t_3x.py',
             'cascade_mask_rcnn': 'configs/cascade_mask_rcnn/convnext_t_3x.py'}
SEGMENTERS = {'upernet': 'configs/upernet/convnext_t_512_160k_ade20k.py'}
PRECISIONS = ('fp16', 'bf16')
# the paper's inference speed (images/s) of the whole detector at 1280x800, batch 1, on its own
# GPU, as docs/benchmarks.md quotes it
PAPER_FPS = {'mask_rcnn': 25.6, 'cascade_mask_rcnn': 13.5}
WARMUP_ITERS = 5  # the recipes warm up over 500 / 1500 iterations: lr still ~0 in a short check
BATCH = 2  # images per iteration in the paper's configs (per GPU)
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
PARTS = ('all', 'part1', 'part2')


@dataclass
class Step:
    name: str
    kind: str  # env, ops, data, train, test, bench, backbone
    cmds: List[List[str]]
    env: Dict[str, str] = field(default_factory=dict)
    info: Dict[str, object] = field(default_factory=dict)
    # filled in by the run
    status: str = 'pending'  # pending, running, ok, failed, timeout, skipped
    rc: Optional[int] = None
    elapsed: float = 0.0
    note: str = ''


@dataclass
class Stage:
    name: str
    limit: int  # seconds, for all its steps together (they run at once)
    steps: List[Step]


def fmt_value(value) -> str:
    return 'None' if value is None else str(value)


def cfg_options(options: Dict[str, object]) -> List[str]:
    return [f'{key}={fmt_value(value)}' for key, value in options.items()]


def log_every(iters: int) -> int:
    """Logging (and loss-averaging) interval: 4 iterations, fewer in a very short run."""
    return max(1, min(4, iters // 4))


def data_dirs(work: str) -> Dict[str, str]:
    data = f'{work}/data'
    return dict(demo=f'{data}/demo', coco=f'{data}/coco', ade=f'{data}/demo/ade',
                image=f'{data}/paper_1280x800.jpg')


def data_options(task: str, work: str) -> Dict[str, object]:
    """Config keys that point the paper's config for ``task`` ('det' or 'seg') at the demo data
    and start the backbone from random weights (the ImageNet weights are a download)."""
    dirs = data_dirs(work)
    options: Dict[str, object] = {'model.backbone.init_cfg': None}
    root = dirs['coco'] + '/' if task == 'det' else dirs['ade']
    for loader in LOADERS:
        options[f'{loader}.dataset.data_root'] = root
    if task == 'det':
        ann = dirs['coco'] + '/annotations/instances_val2017.json'
        options.update({'val_evaluator.ann_file': ann, 'test_evaluator.ann_file': ann})
    return options


def train_options(task: str, iters: int) -> Dict[str, object]:
    """A short run of the recipe: ``iters`` iterations (det: one epoch of BATCH * iters images),
    warm-up shortened to WARMUP_ITERS, losses logged as means over log_every(iters) iterations,
    no validation while training (the test step evaluates the checkpoint), a checkpoint at the
    end."""
    every = log_every(iters)
    options: Dict[str, object] = {'param_scheduler.0.end': WARMUP_ITERS,
                                  'default_hooks.logger.interval': every,
                                  'log_processor.window_size': every}
    if task == 'det':
        options.update({'train_cfg.max_epochs': 1, 'train_cfg.val_begin': 2})
    else:
        options.update({'train_cfg.max_iters': iters, 'train_cfg.val_begin': iters + 1,
                        'param_scheduler.1.begin': WARMUP_ITERS,
                        'default_hooks.checkpoint.interval': iters})
    return options


def eval_options(task: str) -> Dict[str, object]:
    """A detector keeps every box however low it scores: after a short run from random weights
    none may reach the configs' 0.05, and COCO's evaluation would then not run at all."""
    return {'model.test_cfg.rcnn.score_thr': 0.0} if task == 'det' else {}


# arguments the short run gives that a config may leave at their defaults (the other keys must
# already be in it)
NEW_KEYS = ('train_cfg.val_begin', 'log_processor.window_size')


def checkpoint_name(task: str, iters: int) -> str:
    return 'epoch_1.pth' if task == 'det' else f'iter_{iters}.pth'


def build_plan(part: str = 'all', iters: int = 24, val_images: int = 16,
               work: str = 'work_dirs/gpu_check', python: str = sys.executable,
               only: Optional[List[str]] = None) -> List[Stage]:
    """The stages of ``part``: part1 the op check, data, trainings and tests; part2 the data and
    the benchmarks; all both."""
    if part not in PARTS:
        raise ValueError(f'part must be one of {", ".join(PARTS)}, got {part!r}')
    if iters < 1 or val_images < 1:
        raise ValueError(f'--iters and --val-images must be >= 1, got {iters} and {val_images}')
    dirs = data_dirs(work)
    py = python
    stages = [Stage('env', 20, [Step('env', 'env', [[py, 'tools/gpu_check.py', 'env']])])]
    if part in ('all', 'part1'):
        stages.append(Stage('check-ops', 30, [Step(
            'check-ops', 'ops', [['bash', 'tools/setup_env.sh', '--check-ops']],
            env={'MMCONVNEXT_VENV': f'{work}/python-env'})]))
    stages.append(Stage('data', 30, [Step('data', 'data', [
        [py, 'tools/data/make_demo_data.py', '--out', dirs['demo'],
         '--num-train', str(BATCH * iters), '--num-val', str(val_images)],
        [py, 'tools/gpu_check.py', 'coco-layout', dirs['demo'] + '/coco', dirs['coco'],
         '--image', dirs['image']]],
        info=dict(train_images=BATCH * iters, val_images=val_images))]))
    if part in ('all', 'part1'):
        trains, tests = [], []
        models = [(n, c, 'det') for n, c in DETECTORS.items()] + \
                 [(n, c, 'seg') for n, c in SEGMENTERS.items()]
        for i, (precision, (model, config, task)) in enumerate(
                (p, m) for p in PRECISIONS for m in models):
            name = f'{model}-{precision}'
            wdir = f'{work}/train-{name}'
            checkpoint = f'{wdir}/{checkpoint_name(task, iters)}'
            trains.append(Step(
                f'train-{name}', 'train',
                [['bash', 'tools/dist_train.sh', config, '1', '--work-dir', wdir,
                  '--amp', precision, '--cfg-options',
                  *cfg_options({**data_options(task, work), **train_options(task, iters)})]],
                env={'PORT': str(29510 + i), 'PYTHON': py},
                info=dict(config=config, task=task, precision=precision, work_dir=wdir,
                          checkpoint=checkpoint, iters=iters)))
            tests.append(Step(
                f'test-{name}', 'test',
                [['bash', 'tools/dist_test.sh', config, checkpoint, '1', '--work-dir',
                  f'{work}/test-{name}', '--cfg-options',
                  *cfg_options({**data_options(task, work), **eval_options(task)})]],
                env={'PORT': str(29530 + i), 'PYTHON': py},
                info=dict(config=config, task=task, precision=precision, checkpoint=checkpoint,
                          work_dir=f'{work}/test-{name}', needs=f'train-{name}')))
        stages.append(Stage('train', 120, trains))
        stages.append(Stage('test', 45, tests))
    if part in ('all', 'part2'):
        for model, config in DETECTORS.items():
            for precision in (None, ) + PRECISIONS:
                cmd = [py, 'tools/analysis/benchmark.py', config, '--num-images', '20',
                       '--warmup', '5', '--image', dirs['image']]
                if precision:
                    # training steps too: fp32 has none, benchmark.py would train it with the
                    # config's own fp16 AmpOptimWrapper
                    cmd += ['--amp', precision, '--train-iters', '4',
                            '--cfg-data-root', dirs['coco'] + '/']
                name = f'bench-{model}-{precision or "fp32"}'
                limit = 25 if not precision else (35 if model == 'mask_rcnn' else 40)
                stages.append(Stage(name, limit, [Step(
                    name, 'bench', [cmd], info=dict(model=model, config=config,
                                                    precision=precision or 'fp32'))]))
        for precision in (None, 'bf16'):
            cmd = [py, 'tools/analysis/bench_backbone.py', '--device', 'cuda', '--archs', 'tiny',
                   '--shapes', '1x3x800x1280', '2x3x512x512',
                   '--models', 'ours', 'nchw', 'channels_last', 'paper', 'timm',
                   '--repeat', '10', '--warmup', '3'] + (['--amp', precision] if precision else [])
            name = f'backbone-{precision or "fp32"}'
            stages.append(Stage(name, 30, [Step(name, 'backbone', [cmd],
                                                info=dict(precision=precision or 'fp32'))]))
    if only:
        known = {s.name for stage in stages for s in stage.steps}
        unknown = [n for n in only if n not in known]
        if unknown:
            raise ValueError(f'--only: no step named {", ".join(unknown)} in {part} '
                             f'(steps: {", ".join(sorted(known))})')
        stages = [Stage(st.name, st.limit, [s for s in st.steps if s.name in only])
                  for st in stages]
        stages = [st for st in stages if st.steps]
    total = sum(st.limit for st in stages)
    if total > BUDGET_S:
        raise ValueError(f'the stages of {part} add up to {total} s, over the {BUDGET_S} s budget')
    return stages


def command_line(step: Step, cmd: List[str]) -> str:
    env = ' '.join(f'{k}={shlex.quote(v)}' for k, v in step.env.items())
    return (env + ' ' if env else '') + shlex.join(cmd)


def print_plan(stages: List[Stage], part: str) -> None:
    total = sum(st.limit for st in stages)
    print(f'GPU check, {part}: {len(stages)} stages, time limits adding up to {total} s '
          f'(budget {BUDGET_S} s)')
    for st in stages:
        together = f', {len(st.steps)} at once' if len(st.steps) > 1 else ''
        print(f'[{st.limit:>4} s] {st.name}{together}')
        for step in st.steps:
            for cmd in step.cmds:
                print(f'    {step.name}: {command_line(step, cmd)}')


# -- running ------------------------------------------------------------------------------------

class Runner:
    """Runs the stages, each step's commands in a process group of its own (killed with it when
    the stage's limit passes), and rewrites the report after every step."""

    def __init__(self, stages, part, work, report, argv):
        self.stages, self.part, self.work, self.report, self.argv = stages, part, work, report, argv
        self.logs = osp.join(work, 'logs')
        self.lock = threading.RLock()
        self.procs: Dict[str, subprocess.Popen] = {}
        self.started = time.time()

    def log_path(self, step: Step) -> str:
        return osp.join(self.logs, step.name + '.log')

    def run(self) -> int:
        os.makedirs(self.logs, exist_ok=True)
        self.write_report()
        for stage in self.stages:
            deadline = time.time() + stage.limit
            threads = [threading.Thread(target=self.run_step, args=(step, deadline), daemon=True)
                       for step in stage.steps]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        self.write_report(done=True)
        return 0 if all(s.status == 'ok' for st in self.stages for s in st.steps) else 1

    def run_step(self, step: Step, deadline: float) -> None:
        start = time.time()
        with self.lock:
            step.status = 'running'
        reason = self.skip_reason(step)
        if reason:
            with self.lock:
                step.status, step.note = 'skipped', reason
                self.write_report()
            return
        if step.kind == 'ops':
            make_python_env(step.env['MMCONVNEXT_VENV'], sys.executable)
        if step.kind in ('train', 'test'):
            # a fresh work dir: a checkpoint or metrics left by an earlier run (a warm machine
            # keeps work_dirs/) must not pass for this one's
            shutil.rmtree(osp.join(ROOT, step.info['work_dir']), ignore_errors=True)
        env = {**os.environ, 'PYTHONUNBUFFERED': '1', **step.env}
        status, rc = 'ok', 0
        with open(self.log_path(step), 'w') as log:
            for cmd in step.cmds:
                log.write(f'$ {command_line(step, cmd)}\n')
                log.flush()
                proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        process_group=0)
                with self.lock:
                    self.procs[step.name] = proc
                try:
                    rc = proc.wait(timeout=max(1.0, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    kill_group(proc)
                    status, rc = 'timeout', proc.returncode
                finally:
                    with self.lock:
                        self.procs.pop(step.name, None)
                if status == 'ok' and rc != 0:
                    status = 'failed'
                if status != 'ok':
                    break
        with self.lock:
            step.status, step.rc, step.elapsed = status, rc, time.time() - start
            self.write_report()

    def skip_reason(self, step: Step) -> str:
        """Why ``step`` cannot run: its data or its checkpoint did not come (a step of this run
        that failed), or '' where it can."""
        steps = {s.name: s for st in self.stages for s in st.steps}
        data = steps.get('data')
        if step.kind in ('train', 'test', 'bench') and data and data.status != 'ok':
            return f'no data (data: {data.status})'
        needs = step.info.get('needs')
        if needs and not osp.isfile(osp.join(ROOT, step.info['checkpoint'])):
            state = f' ({needs}: {steps[needs].status})' if needs in steps else ''
            return f'no checkpoint at {step.info["checkpoint"]}{state}'
        return ''

    def kill_all(self) -> None:
        with self.lock:
            procs = list(self.procs.values())
        for proc in procs:
            kill_group(proc)

    def write_report(self, done: bool = False) -> None:
        """The report and an archive of the steps' logs beside it, each replaced whole."""
        with self.lock:
            text = render_report(self, done)
            folder = osp.dirname(self.report)
            os.makedirs(folder, exist_ok=True)
            with open(self.report + '.tmp', 'w') as f:
                f.write(text)
            os.replace(self.report + '.tmp', self.report)
            archive = osp.join(folder, 'gpu_check_logs.tar.gz')
            with tarfile.open(archive + '.tmp', 'w:gz') as tar:
                if osp.isdir(self.logs):
                    tar.add(self.logs, arcname='logs')
            os.replace(archive + '.tmp', archive)


def descendants(pid: int) -> List[int]:
    """Every process below ``pid`` (from /proc), whatever its process group or session."""
    children: Dict[int, List[int]] = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open(f'/proc/{entry}/stat') as f:
                    parent = int(f.read().rsplit(')', 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def signal_all(pids, sig) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def kill_group(proc: subprocess.Popen) -> None:
    """SIGTERM to the step's process group and every process below it (torchrun starts its
    workers in sessions of their own), then SIGKILL to what is left after 10 s."""
    below = set()
    for sig, wait_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        below |= set(descendants(proc.pid))
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        signal_all(below, sig)
        try:
            proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:  # after SIGKILL: stuck in the kernel, leave it
            pass


def make_python_env(folder: str, python: str) -> None:
    """A folder that tools/setup_env.sh takes for an environment: bin/python runs ``python``
    (the carried stack has no venv; a wrapper, not a link, so that a venv's python keeps its
    own site-packages)."""
    path = osp.join(ROOT, folder, 'bin', 'python')
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(f'#!/bin/sh\nexec {shlex.quote(python)} "$@"\n')
    os.chmod(path, 0o755)


# -- what each step measured --------------------------------------------------------------------

def read_log(runner: Runner, step: Step) -> str:
    try:
        with open(runner.log_path(step), errors='replace') as f:
            return f.read()
    except OSError:
        return ''


def tail(text: str, lines: int = 25) -> str:
    kept = [line for line in text.splitlines() if line.strip() and 'Warning' not in line
            and 'warnings.warn' not in line]
    return '\n'.join(kept[-lines:])


def last_error(text: str) -> str:
    """The last line that names an error, else the last line."""
    lines = tail(text, 200).splitlines()
    errors = [line for line in lines if 'Error' in line or 'error:' in line.lower()]
    return (errors or lines or [''])[-1].strip()


def latest(pattern: str) -> Optional[str]:
    found = glob.glob(pattern)
    return max(found, key=osp.getmtime) if found else None


def train_losses(work_dir: str) -> List[dict]:
    """The training log entries (those with a loss) of the latest run in ``work_dir``."""
    path = latest(osp.join(ROOT, work_dir, '*', 'vis_data', 'scalars.json'))
    entries = []
    if path:
        with open(path) as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if 'loss' in entry:
                    entries.append(entry)
    return entries


def loss_verdict(losses: List[float]) -> str:
    if not losses:
        return 'no loss logged'
    if not all(math.isfinite(v) for v in losses):
        return 'NOT FINITE'
    if len(losses) < 2:
        return 'finite (one value: cannot tell whether it falls)'
    k = 2 if len(losses) >= 4 else 1
    first, last = sum(losses[:k]) / k, sum(losses[-k:]) / k
    trend = 'falling' if last < first else 'NOT falling'
    return f'finite, {trend} ({first:.3f} -> {last:.3f}, means of the first / last {k} logged)'


def env_section(runner: Runner, step: Step) -> List[str]:
    gpu = [line for line in read_log(runner, step).splitlines() if line.startswith('GPU')]
    step.note = gpu[-1] if gpu else ''
    return []


def data_section(runner: Runner, step: Step) -> List[str]:
    step.note = (f'{step.info["train_images"]} training and {step.info["val_images"]} test '
                 'images, COCO and ADE20K layouts')
    return []


def train_section(runner: Runner, step: Step) -> List[str]:
    entries = train_losses(step.info['work_dir'])
    losses = [float(e['loss']) for e in entries]
    verdict = loss_verdict(losses)
    checkpoint = osp.join(ROOT, step.info['checkpoint'])
    size = osp.getsize(checkpoint) / 2**20 if osp.isfile(checkpoint) else None
    memory = [e['memory'] for e in entries if 'memory' in e]
    step.note = f'loss {verdict}; checkpoint ' + (
        f'{osp.basename(checkpoint)} ({size:.0f} MB)' if size is not None else 'MISSING') + (
        f'; GPU memory up to {max(memory)} MB' if memory else '')
    out = [f'- loss: {verdict}',
           f'- checkpoint: {step.info["checkpoint"]} ' +
           (f'({size:.0f} MB)' if size is not None else '**not written**')]
    if entries:
        keys = sorted(k for k in entries[0] if k.startswith('loss') or k == 'acc' or
                      k.endswith('_acc') or k == 'acc_seg')
        cols = ['step', *keys, 'lr', 'time', 'memory']
        out += ['', '| ' + ' | '.join(cols) + ' |', '|' + '---|' * len(cols)]
        for e in entries:
            out.append('| ' + ' | '.join(fmt_num(e.get(c)) for c in cols) + ' |')
        out.append('')
        out.append('(time: s per iteration, with the other trainings of its stage on the same '
                   'GPU; memory: MB)')
    return out


def fmt_num(value) -> str:
    if isinstance(value, float):
        return f'{value:.4g}'
    return '' if value is None else str(value)


def test_metrics(step: Step) -> Dict[str, object]:
    path = latest(osp.join(ROOT, step.info['work_dir'], '*', '*.json'))
    if not path:
        return {}
    try:
        with open(path) as f:
            return json.loads(f.read().splitlines()[-1])
    except (ValueError, IndexError, OSError):
        return {}


def test_section(runner: Runner, step: Step) -> List[str]:
    metrics = test_metrics(step)
    wanted = ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/segm_mAP', 'coco/segm_mAP_50',
              'aAcc', 'mIoU', 'mAcc')
    shown = {k: metrics[k] for k in wanted if k in metrics}
    empty = 'results of the whole dataset is empty' in read_log(runner, step)
    missing = 'no metrics: no predictions to evaluate' if empty else 'no metrics found'
    step.note = ', '.join(f'{k} {v}' for k, v in shown.items()) or missing
    return [f'- metrics: {json.dumps(shown) if shown else missing} (a few dozen iterations from '
            'random weights: near 0 is expected; this checks that the checkpoint loads and the '
            'evaluation runs)']


def bench_lines(text: str, config: str) -> List[str]:
    """benchmark.py's result lines: the config and device, inference, training, GPU busy."""
    keys = ('inference, batch 1:', 'training:', 'GPU busy')
    return [line.strip() for line in text.splitlines()
            if line.startswith(config) or line.strip().startswith(keys)]


def bench_section(runner: Runner, step: Step) -> List[str]:
    lines = bench_lines(read_log(runner, step), step.info['config'])
    fps = next((line for line in lines if 'images/s' in line), '')
    step.note = fps.replace('inference, batch 1: ', '')[:120] or 'no result line'
    paper = PAPER_FPS.get(step.info['model'])
    return ['```', *lines, '```', f"- the paper's figure: {paper} images/s (on its own GPU; "
            'docs/benchmarks.md)']


def backbone_section(runner: Runner, step: Step) -> List[str]:
    text = read_log(runner, step)
    start = text.find('torch ')
    table = [line for line in text[start:].splitlines() if 'Warning' not in line] \
        if start >= 0 else []
    step.note = 'table below' if table else 'no table'
    return ['```', *table, '```']


SECTIONS = {'env': env_section, 'data': data_section, 'train': train_section,
            'test': test_section, 'bench': bench_section, 'backbone': backbone_section}


def render_report(runner: Runner, done: bool) -> str:
    steps = [s for st in runner.stages for s in st.steps]
    total = sum(st.limit for st in runner.stages)
    state = 'finished' if done else 'in progress (the report is rewritten after every step)'
    out = [f'# GPU check: {runner.part}',
           '',
           f'- command: `bash tools/gpu_check.sh {shlex.join(runner.argv)}`',
           f'- started {time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(runner.started))}; '
           f'{state}; {time.time() - runner.started:.0f} s so far',
           f'- stages: {len(runner.stages)}, time limits adding up to {total} s '
           f'(budget {BUDGET_S} s); the trainings and the tests each run at once on the GPU',
           f'- short runs: warm-up {WARMUP_ITERS} iterations instead of the recipes\' 500 '
           '(COCO) / 1500 (ADE20K); backbones from random weights (no download); no '
           'validation while training; the demo data in COCO\'s layout with its three classes '
           'renamed person / bicycle / car (the configs keep their 80 classes) and in '
           'ADE20K\'s layout (150 classes kept)',
           '']
    sections = []
    for step in steps:
        if step.status in ('ok', 'failed', 'timeout'):
            body = []
            section = SECTIONS.get(step.kind)
            if section:
                try:
                    body = section(runner, step)
                except Exception as error:  # a parse failure must not lose the report
                    body = [f'- could not read the results: {error!r}']
            text = read_log(runner, step)
            if step.status != 'ok' or step.kind in ('env', 'ops', 'data'):
                if not step.note or step.status != 'ok':
                    step.note = last_error(text)[:160]
                body += ['```', tail(text, 40 if step.status != 'ok' else 25), '```']
            status = step.status if step.status != 'timeout' else \
                f'timeout (killed after {step.elapsed:.0f} s)'
            sections += [f'## {step.name}: {status}', '',
                         f'exit status {step.rc}, {step.elapsed:.0f} s', '']
            sections += [f'    {command_line(step, cmd)}' for cmd in step.cmds] + ['']
            sections += body + ['']
        elif step.status == 'skipped':
            sections += [f'## {step.name}: skipped', '', f'- {step.note}', '']
    out += ['| step | status | s | result |', '|---|---|---|---|']
    for step in steps:
        note = step.note.replace('|', '/')
        elapsed = f'{step.elapsed:.0f}' if step.status not in ('pending', 'running') else ''
        out.append(f'| {step.name} | {step.status} | {elapsed} | {note} |')
    out += ['', *sections]
    return '\n'.join(out) + '\n'


# -- sub-commands run as steps ------------------------------------------------------------------

def show_env() -> int:
    """Versions and the GPU; exit status 1 where torch sees no GPU."""
    import platform
    print(f'python {platform.python_version()} ({sys.executable}), {os.cpu_count()} CPUs')
    if shutil.which('nvidia-smi'):
        out = subprocess.run(['nvidia-smi', '--query-gpu=name,driver_version,memory.total',
                              '--format=csv,noheader'], capture_output=True, text=True)
        print('nvidia-smi:', (out.stdout or out.stderr).strip())
    import torch
    print(f'torch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN '
          f'{torch.backends.cudnn.version()}')
    gpu = torch.cuda.is_available()
    if gpu:
        props = torch.cuda.get_device_properties(0)
        print(f'GPU: {props.name}, compute capability {props.major}.{props.minor}, '
              f'{props.total_memory / 2**30:.0f} GiB, {torch.cuda.device_count()} visible')
    else:
        print('GPU: none visible to torch')
    for name in ('numpy', 'cv2', 'mmengine', 'mmcv', 'mmdet', 'mmseg', 'timm', 'mmconvnext'):
        try:
            module = __import__(name)
            print(f'{name} {getattr(module, "__version__", "?")}')
        except Exception as error:
            print(f'{name}: cannot import ({error!r})')
    try:
        from mmcv.ops import get_compiling_cuda_version
        print(f'mmcv ops compiled with CUDA {get_compiling_cuda_version()}')
    except Exception as error:
        print(f'mmcv.ops: cannot import ({error!r})')
    return 0 if gpu else 1


def coco_layout(demo_coco: str, out: str, image: Optional[str]) -> int:
    """The demo's COCO-format data in COCO's own layout (train2017/, val2017/,
    annotations/instances_{train,val}2017.json) with COCO's 80 categories, the demo's three
    renamed to the first three, so that the paper's configs read it unchanged but for their
    data root; and, with ``image``, the 1280x800 image of the paper's speed measure."""
    from mmdet.datasets import CocoDataset
    names = CocoDataset.METAINFO['classes']
    if osp.isdir(out):
        shutil.rmtree(out)
    os.makedirs(osp.join(out, 'annotations'))
    for split, coco_split in (('train', 'train2017'), ('val', 'val2017')):
        path = osp.join(demo_coco, 'annotations', f'instances_{split}.json')
        if not osp.isfile(path):
            print(f'no demo annotations at {path}: run tools/data/make_demo_data.py first',
                  file=sys.stderr)
            return 1
        with open(path) as f:
            data = json.load(f)
        ids = sorted(c['id'] for c in data['categories'])
        new_id = {old: i + 1 for i, old in enumerate(ids)}
        renamed = {c['name']: names[new_id[c['id']] - 1] for c in data['categories']}
        data['categories'] = [dict(id=i + 1, name=n, supercategory='')
                              for i, n in enumerate(names)]
        for ann in data['annotations']:
            ann['category_id'] = new_id[ann['category_id']]
        with open(osp.join(out, 'annotations', f'instances_{coco_split}.json'), 'w') as f:
            json.dump(data, f)
        shutil.copytree(osp.join(demo_coco, split), osp.join(out, coco_split))
        print(f'{coco_split}: {len(data["images"])} images, {len(data["annotations"])} '
              f'objects; classes {renamed}')
    if image:
        import cv2
        import numpy as np
        # the synthetic input of benchmark.py, at the size of the paper's measure
        pixels = np.random.RandomState(0).randint(0, 255, (800, 1280, 3), dtype=np.uint8)
        cv2.imwrite(image, pixels)
        print(f'{image}: 1280x800')
    return 0


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='action', required=True)
    for action in ('plan', 'run'):
        p = sub.add_parser(action, help='print the commands' if action == 'plan' else
                           'run them and write the report')
        p.add_argument('part', nargs='?', default='all', choices=PARTS,
                       help='part1: op check, data, trainings, tests; part2: data, benchmarks')
        p.add_argument('--only', help='comma-separated step names (default: all of the part)')
        p.add_argument('--iters', type=int, default=24, help='training iterations')
        p.add_argument('--val-images', type=int, default=16, help='test images')
        p.add_argument('--work-dir', default='work_dirs/gpu_check')
        p.add_argument('--time-scale', type=float, default=1.0,
                       help='multiply every time limit (a rehearsal on a slower machine); the '
                       'budget holds for the limits as planned')
        p.add_argument('--report', help='default: $OUT/gpu_check.md where $OUT is set, '
                       'else WORK_DIR/gpu_check.md')
    sub.add_parser('env', help='versions and the GPU')
    p = sub.add_parser('coco-layout', help='the demo data in COCO\'s layout')
    p.add_argument('demo_coco')
    p.add_argument('out')
    p.add_argument('--image', help='also write the 1280x800 speed-measure image here')
    args = parser.parse_args(argv)
    if args.action == 'env':
        return show_env()
    if args.action == 'coco-layout':
        return coco_layout(args.demo_coco, args.out, args.image)
    only = [n for n in args.only.split(',') if n] if args.only else None
    try:
        stages = build_plan(args.part, args.iters, args.val_images, args.work_dir,
                            only=only)
    except ValueError as error:
        parser.error(str(error))
    if args.action == 'plan':
        print_plan(stages, args.part)
        return 0
    if args.time_scale <= 0:
        parser.error(f'--time-scale must be > 0, got {args.time_scale}')
    for stage in stages:
        stage.limit = round(stage.limit * args.time_scale)
    report = args.report or osp.join(os.environ.get('OUT') or args.work_dir, 'gpu_check.md')
    work = osp.join(ROOT, args.work_dir)
    runner = Runner(stages, args.part, work, osp.abspath(report), argv[1:])

    def stop(signum, frame):
        runner.kill_all()
        runner.write_report()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print_plan(stages, args.part)
    print(f'report: {runner.report}', flush=True)
    rc = runner.run()
    print(f'report: {runner.report} ({"all steps ok" if rc == 0 else "some steps failed"})')
    return rc


if __name__ == '__main__':
    sys.exit(main())
