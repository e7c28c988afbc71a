"""Parts of the Django settings, one module per concern, composed by ``web/settings.py``."""
