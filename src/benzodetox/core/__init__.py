"""The pure clinical core: catalogue, equivalence, tapering, dispensing, assessment, kinetics.

Nothing here imports Django or touches anything but its own data files; time ("today"),
persistence and I/O enter at the adapters.
"""
