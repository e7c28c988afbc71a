"""Accounts use Django's user model; roles live on programme memberships (programmes app)."""
