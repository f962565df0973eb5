"""Shipped emission-factor datasets (data files only; read by :mod:`calc.datasets`).

Published versions are frozen: to change a value, add a file with the same dataset name and a higher
version, and record its hash in ``calc/published_factors.toml``.
"""
