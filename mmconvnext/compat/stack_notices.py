"""The installed stack's notices about itself, never about the user's config or data, left out
of the tools' output (only the tools call these; a user's own warnings still show).

Needed for setuptools >= 67.5 with mmengine 0.10 (``is_installed`` imports pkg_resources
again for every ``mmdet::`` / ``mmseg::`` base of a config, and each import warns) and for
mmdet 3.3 / mmseg 1.2 with mmengine 0.10 (see ``NO_FUNCTION_REGISTRY``); can go when mmengine
stops importing pkg_resources and mmdet / mmseg register a "function" registry.
"""
import logging
import re
import warnings

PKG_RESOURCES_DEPRECATED = r'pkg_resources is deprecated as an API'
# mmengine's inferencers look up their collate function in the "function" registry under the
# task's scope; mmdet and mmseg register none there, so mmengine logs a WARNING and falls back
# to its own registry, which holds the right function (pseudo_collate).
NO_FUNCTION_REGISTRY = re.compile(
    r'Failed to search registry with scope "(mmdet|mmseg)" in the "function" registry tree')


def quiet_stack_warnings() -> None:
    """Leave setuptools' deprecation warning about pkg_resources out of this process's output,
    matched by message and category: every other warning still shows."""
    warnings.filterwarnings('ignore', message=PKG_RESOURCES_DEPRECATED, category=UserWarning)


class NoFunctionRegistryFilter(logging.Filter):
    """Drops mmengine's log record that mmdet / mmseg have no "function" registry (see
    ``NO_FUNCTION_REGISTRY``), and only that record."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not NO_FUNCTION_REGISTRY.match(record.getMessage())


def quiet_function_registry_notice(logger: logging.Logger) -> None:
    """Add :class:`NoFunctionRegistryFilter` to ``logger`` (an mmengine ``MMLogger``), once."""
    if not any(isinstance(f, NoFunctionRegistryFilter) for f in logger.filters):
        logger.addFilter(NoFunctionRegistryFilter())
