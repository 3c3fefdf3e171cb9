"""The matching rules of the ``search`` command (first and mid-pipeline).

``match(expr, table, ctx)`` gives the rows a search keeps; ``fields_used(expr)`` the fields it
reads, so the loader can extract them; ``literal_terms(expr)`` the text a record must contain to
match, so the loader can skip records before parsing them.
"""
__all__ = ["match", "fields_used", "literal_terms"]


def __getattr__(name: str):
    """The matcher needs pandas, literal_terms does not: each is imported when first asked for
    (the planner imports spl.search.literals before pandas is loaded)."""
    if name in ("match", "fields_used"):
        from spl.search import evaluate
        return getattr(evaluate, name)
    if name == "literal_terms":
        from spl.search.literals import literal_terms
        return literal_terms
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
