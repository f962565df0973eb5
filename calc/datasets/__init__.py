"""Emission-factor datasets: ``files`` reads and validates the TOML files, ``table`` chooses a factor."""

from calc.datasets.files import check_factor_file, content_sha256, load_factors
from calc.datasets.table import CONFIDENCE_LEVELS, Dataset, Factor, FactorTable, Selection, Source

__all__ = [
    "CONFIDENCE_LEVELS",
    "Dataset",
    "Factor",
    "FactorTable",
    "Selection",
    "Source",
    "check_factor_file",
    "content_sha256",
    "load_factors",
]
