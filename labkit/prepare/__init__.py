"""Stage « preparing data »: quality detectors, personal data, the cleaning recipe and its Python export."""
