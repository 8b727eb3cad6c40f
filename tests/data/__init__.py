"""Test data: a fake site directory with a plugin distribution, and a broken plugin."""
