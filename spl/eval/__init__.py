"""Eval expressions (eval, where, fillnull, stats count(eval(...)), props.conf EVAL-).

``evaluate`` gives one value per row; ``where_mask`` the rows ``where`` keeps. The function
registry is ``spl.eval.functions`` (``lookup``, ``names``).
"""
from spl.eval.evaluator import (
    compile_expression,
    evaluate,
    evaluate_columns,
    evaluate_row,
    where_mask,
)

__all__ = ["compile_expression", "evaluate", "evaluate_columns", "evaluate_row", "where_mask"]
