"""The ``benzodetox`` command line."""
