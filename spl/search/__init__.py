"""The matching rules of the ``search`` command (first and mid-pipeline).

``match(expr, table, ctx)`` gives the rows a search keeps; ``fields_used(expr)`` the fields it
reads, so the loader can extract them; ``literal_terms(expr)`` the text a record must contain to
match, so the loader can skip records before parsing them.
"""
from spl.search.evaluate import fields_used, match
from spl.search.literals import literal_terms

__all__ = ["match", "fields_used", "literal_terms"]
