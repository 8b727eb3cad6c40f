"""The HTTP side: the Flask app, the webhook intake, and (as they grow) the API and pages."""
