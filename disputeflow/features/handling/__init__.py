"""Case handling by the principles: classification, deadlines, buyers' statutory rights,
priority, routing and the merchant's automation rules (see docs/handling.md)."""
