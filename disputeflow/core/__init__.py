"""The common case model, its flow, hook specifications, plugin manager and store."""
