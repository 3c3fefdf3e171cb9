"""The matching rules of the ``search`` command (first and mid-pipeline).

``match(expr, table, ctx)`` gives the rows a search keeps; ``fields_used(expr)`` the fields it
reads, so the loader can extract them.
"""
from spl.search.evaluate import fields_used, match

__all__ = ["match", "fields_used"]
