"""benzodetox: decision support for benzodiazepine and Z-drug detox programmes."""

__version__ = "0.1.0"
