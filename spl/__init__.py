"""spl: run Splunk's SPL over local AWS CloudTrail logs, with no Splunk."""
from spl.errors import (ConfigError, DataError, MacroError, SearchError, SplError,
                        SplSyntaxError, UnsupportedError)

__all__ = ["SplError", "SplSyntaxError", "MacroError", "UnsupportedError", "SearchError",
           "DataError", "ConfigError"]
