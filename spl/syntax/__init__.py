"""SPL syntax: the typed AST and the parser that builds it."""
from spl.syntax.parser import parse, parse_expression, parse_expression_once, parse_once

__all__ = ["parse", "parse_expression", "parse_expression_once", "parse_once"]
