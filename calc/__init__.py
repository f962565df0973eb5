"""Pure GHG arithmetic for Ruamjai: activity types, LESS-style methods and versioned emission factors.

No web, database or LINE code, no clock reads and no I/O outside :func:`load_factors`.

    factors = calc.load_factors(extra_dir=settings.FACTOR_DIR)
    result = calc.compute("renewable_electricity", {"electricity_generated": (1250, "kWh")},
                          factors, (date(2024, 6, 1), date(2024, 6, 30)))
    result.kg_co2e          # Decimal("624.8750"), unrounded
    result.to_dict()        # JSON-able, pins dataset@version and factor values
"""

from calc import units
from calc.activities import OTHER_SPECIES, ActivityType, Bounds, Choice, Field
from calc.datasets import (
    CONFIDENCE_LEVELS,
    Dataset,
    Factor,
    FactorTable,
    Source,
    check_factor_file,
    load_factors,
)
from calc.equivalences import Equivalence, equivalences
from calc.errors import CalcError, FactorFileError, InputError, Problem, UnitError
from calc.methods import (
    MAX_FREE_TEXT,
    STATUS_NEEDS_FACTOR,
    STATUS_NEEDS_REVIEW,
    STATUS_OK,
    CalcWarning,
    Period,
    Result,
    Step,
    activity_type,
    activity_types,
    compute,
    compute_event_footprint,
    event_footprint_type,
)
from calc.units import Quantity

__all__ = [
    "CONFIDENCE_LEVELS",
    "MAX_FREE_TEXT",
    "OTHER_SPECIES",
    "STATUS_NEEDS_FACTOR",
    "STATUS_NEEDS_REVIEW",
    "STATUS_OK",
    "ActivityType",
    "Bounds",
    "CalcError",
    "CalcWarning",
    "Choice",
    "Dataset",
    "Equivalence",
    "Factor",
    "FactorFileError",
    "FactorTable",
    "Field",
    "InputError",
    "Period",
    "Problem",
    "Quantity",
    "Result",
    "Source",
    "Step",
    "UnitError",
    "activity_type",
    "activity_types",
    "check_factor_file",
    "compute",
    "compute_event_footprint",
    "equivalences",
    "event_footprint_type",
    "load_factors",
    "units",
]
