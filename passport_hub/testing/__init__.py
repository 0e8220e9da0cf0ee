"""Test support for passport-hub and for plugin authors (registered as a pytest plugin)."""
