"""What the command-line tools (tools/train.py, tools/test.py, ...) share; not imported by
``import mmconvnext``."""
from .launcher import global_rank, stop_with_launcher
from .runner import build_runner, finish, load_config, tool_parser, use_amp
from .work_dir import lock_work_dir, resume_source

__all__ = ['build_runner', 'finish', 'global_rank', 'load_config', 'lock_work_dir',
           'resume_source', 'stop_with_launcher', 'tool_parser', 'use_amp']
