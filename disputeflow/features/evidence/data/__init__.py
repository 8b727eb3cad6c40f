"""The evidence catalogue (catalogue.toml): what wins each category, by platform field."""
