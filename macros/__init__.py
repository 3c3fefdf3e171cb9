"""Macros bundled with spl (security_content YAML form); loaded first, so users can override."""
