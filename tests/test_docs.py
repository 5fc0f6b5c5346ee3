"""The user's guide stays true: links and paths exist, named tools answer --help, model-zoo
configs exist and are in a metafile, and README.md stays a short guide."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tool_runs import ROOT, tool_env

PAGES = [ROOT / 'README.md', *sorted((ROOT / 'docs').glob('*.md')),
         *sorted((ROOT / 'configs').glob('*/README.md'))]
LINK = re.compile(r'\[[^\]]*\]\(([^)\s]+)\)')
# A repository path in backticks or a code block: a top-level folder of the checkout, then
# path characters only (placeholders such as CONFIG or <arch> are not paths).
PATH = re.compile(r'(?<![\w./-])((?:configs|tools|mmconvnext|tests|docs|requirements)/'
                  r'[\w./*{}<>-]*[\w*}>])')
OUTPUTS = ('work_dirs/', 'data/', 'outputs/')


def _slug(heading: str) -> str:
    """GitHub's anchor of a markdown heading."""
    text = re.sub(r'[`*_\[\]()]', '', heading.strip().lower())
    return re.sub(r'[^\w\- ]', '', text).replace(' ', '-')


def _anchors(page: Path):
    return {_slug(line.lstrip('#')) for line in page.read_text().splitlines()
            if line.startswith('#')}


def _paths(text: str):
    return {match for match in PATH.findall(text)
            if not any(part in match for part in ('{', '*', '<'))}


@pytest.mark.parametrize('page', PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page):
    broken = []
    for target in LINK.findall(page.read_text()):
        if '://' in target or target.startswith('mailto:'):
            continue
        path, _, anchor = target.partition('#')
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            broken.append(f'{target} (no file {dest})')
        elif anchor and dest.suffix == '.md' and anchor not in _anchors(dest):
            broken.append(f'{target} (no heading #{anchor} in {dest.name})')
    assert not broken, f'{page.relative_to(ROOT)}: broken links {broken}'


@pytest.mark.parametrize('page', PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_named_repository_paths_exist(page):
    missing = sorted(p for p in _paths(page.read_text())
                     if not p.startswith(OUTPUTS) and not (ROOT / p).exists())
    assert not missing, f'{page.relative_to(ROOT)} names paths that do not exist: {missing}'


def test_readme_is_a_short_guide():
    lines = (ROOT / 'README.md').read_text().splitlines()
    assert len(lines) <= 200, f'README.md has {len(lines)} lines; the guide keeps to 200'
    headings = [line for line in lines if line.startswith('## ')]
    for section in ('Installation', 'Quick start', 'Model zoo', 'Data', 'Train and test',
                    'Citation', 'Licence'):
        assert f'## {section}' in headings, f'README.md lacks the section "{section}"'


def _zoo_configs():
    """Configs linked from the README's model zoo and the per-folder READMEs' tables."""
    readme = (ROOT / 'README.md').read_text()
    zoo = readme[readme.index('## Model zoo'):readme.index('\n## ', readme.index('## Model zoo') + 1)]
    configs = {t for t in LINK.findall(zoo) if t.endswith('.py')}
    for page in (ROOT / 'configs').glob('*/README.md'):
        configs |= {str((page.parent / t).resolve().relative_to(ROOT))
                    for t in LINK.findall(page.read_text()) if t.endswith('.py')}
    return configs


def test_model_zoo_configs_exist_and_are_in_a_metafile():
    index = yaml.safe_load((ROOT / 'model-index.yml').read_text())
    in_metafiles = {model['Config'] for metafile in index['Import']
                    for model in yaml.safe_load((ROOT / metafile).read_text())['Models']}
    configs = _zoo_configs()
    assert len(configs) >= 21, f'the model zoo links {len(configs)} configs: {sorted(configs)}'
    missing = sorted(c for c in configs if not (ROOT / c).exists())
    assert not missing, f'model-zoo configs that do not exist: {missing}'
    unlisted = sorted(configs - in_metafiles)
    assert not unlisted, f'model-zoo configs in no metafile: {unlisted}'


def _named_tools():
    """Scripts under tools/ named in the docs (helper modules beside them have no main)."""
    text = '\n'.join(page.read_text() for page in PAGES)
    return sorted(p for p in _paths(text) if p.startswith('tools/') and p.endswith('.py')
                  and (ROOT / p).exists()
                  and "__name__ == '__main__'" in (ROOT / p).read_text())


def test_docs_name_the_main_tools():
    assert {'tools/train.py', 'tools/test.py', 'tools/infer.py'} <= set(_named_tools())


@pytest.mark.slow
@pytest.mark.parametrize('tool', _named_tools())
def test_named_tools_answer_help(tool):
    assert (ROOT / tool).exists(), f'{tool} is named in the docs but does not exist'
    result = subprocess.run([sys.executable, tool, '--help'], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, env=tool_env())
    assert result.returncode == 0, f'{tool} --help exited {result.returncode}:\n' \
        f'{result.stderr[-3000:]}'
    assert 'usage:' in result.stdout, f'{tool} --help printed no usage:\n{result.stdout[:2000]}'
