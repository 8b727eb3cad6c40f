"""Built-in marketplace plugins; each registers through the ``disputeflow`` entry-point group."""
