"""The SPL grammar (spl.lark), shipped inside the package as ``spl._grammar``."""
