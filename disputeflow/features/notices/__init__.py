"""Notices at every step of a case, for the buyer and the merchant (docs/transparency.md)."""
