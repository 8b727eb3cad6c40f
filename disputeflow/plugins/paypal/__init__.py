"""The built-in PayPal plugin: PayPal disputes (inquiries, claims, card chargebacks)."""
