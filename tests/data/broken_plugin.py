"""A plugin that cannot be imported: its entry point must be logged and skipped."""

raise ImportError("tests.data.broken_plugin is broken on purpose")
