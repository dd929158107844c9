"""Charts: one function per chart, each returning a matplotlib Figure (never saving or showing).

Modules by concern (``supply``, ``economics``, ``portfolio``, ``target_group``, ``funnel``); the
shared look lives in :mod:`finsamlib.plots.style`.
"""

from .style import apply_style, finish, new_figure

__all__ = ["apply_style", "finish", "new_figure"]
