"""Outgoing mail: SMTP when a mail server is configured, else `.eml` files in a local outbox folder."""
