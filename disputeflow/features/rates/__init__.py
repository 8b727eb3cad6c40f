"""The built-in exchange-rate provider: the European Central Bank's daily reference rates."""
