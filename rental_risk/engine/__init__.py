"""Plain-Python risk engine: no Odoo import here, so it can be unit-tested without a database."""

from .scoring import (
    DEFAULT_CONFIG,
    GRADES,
    Contribution,
    CustomerFacts,
    GradeTable,
    ScoreResult,
    ScoringConfig,
    explain,
    format_points,
    grade_drop,
    score_customer,
)
