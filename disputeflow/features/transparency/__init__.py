"""Transparency for buyers: signed case links, expected times, their replies, evidence files
and requests, and rate limits (docs/transparency.md)."""
